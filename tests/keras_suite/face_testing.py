"""Keras's ``keras.src.testing`` for the ported tests, with the two parts of its ``TestCase`` that
reach into the library under test swapped: the serialization round trip goes through
``seqnet.keras.saving`` (Keras's ``serialize_keras_object`` and ``deserialize_keras_object``
spelled by the face) instead of Keras's own registry, and the layer checks run the layer on
arrays and train it in a ``seqnet.keras`` Sequential. The assertions are Keras's."""
import json
import logging
import types

import numpy as np
from keras.src import testing as _keras

import seqnet.keras.saving as saving
from seqnet.keras import models
from seqnet.keras import config
from seqnet.keras import random as _random

from keras.src.testing import (jax_uses_gpu, jax_uses_tpu, tensorflow_uses_gpu, tensorflow_uses_tpu,  # noqa: E402,F401
                                torch_uses_gpu, uses_gpu, uses_tpu)


def _json(value):
    return json.dumps(value, sort_keys=True, default=lambda o: list(o) if isinstance(o, tuple) else repr(o))


class TestCase(_keras.TestCase):
    def setUp(self):
        """Keras's, and Keras's global settings put back after the test (a test that fails between
        setting channels_first and setting it back would leave it to the tests after it)."""
        super().setUp()
        from keras.src import backend as keras_backend
        settings = keras_backend.image_data_format(), keras_backend.floatx(), keras_backend.epsilon()
        self.addCleanup(keras_backend.set_image_data_format, settings[0])
        self.addCleanup(keras_backend.set_floatx, settings[1])
        self.addCleanup(keras_backend.set_epsilon, settings[2])
        self.addCleanup(config.enable_interactive_logging)

    def run_class_serialization_test(self, instance, custom_objects=None):
        """Keras's round trips, both through ``get_config``/``from_config`` and through the
        serialized form, compared as Keras compares them (the configs, and the attributes)."""
        cls = instance.__class__
        config = instance.get_config()
        ref_dir = set(dir(instance)) - {"__annotations__"}
        revived = cls.from_config(config)
        self.assertEqual(_json(config), _json(revived.get_config()))
        self.assertEqual(ref_dir, set(dir(revived)) - {"__annotations__"})
        serialized = json.loads(_json(saving.serialize_keras_object(instance)))
        revived = saving.deserialize_keras_object(serialized, custom_objects=custom_objects)
        self.assertEqual(_json(config), _json(revived.get_config()))
        self.assertEqual(ref_dir, set(dir(revived)) - {"__annotations__"})
        return revived

    def run_layer_test(self, layer_cls, init_kwargs, input_shape=None, input_dtype=None, input_sparse=False,
                       input_ragged=False, input_data=None, call_kwargs=None, expected_output_shape=None,
                       expected_output_dtype=None, expected_output_sparse=False, expected_output_ragged=False,
                       expected_output=None, expected_num_trainable_weights=None,
                       expected_num_non_trainable_weights=None, expected_num_non_trainable_variables=None,
                       expected_num_seed_generators=None, expected_num_losses=None, supports_masking=None,
                       expected_mask_shape=None, custom_objects=None, run_training_check=True,
                       run_mixed_precision_check=True, assert_built_after_instantiation=False, tpu_atol=None,
                       tpu_rtol=None):
        """Keras's checks of a layer, on arrays (Keras's runs them on symbolic tensors too): the
        serialization round trip; called on the input, the output's shape, dtype and values, the
        number of trainable and non-trainable weights and of losses; then one training step in a
        Sequential model (Keras's trains the layer inside a subclassed Model). Seed generators,
        sparse and ragged tensors and mixed precision are Keras's backend internals."""
        init_kwargs, call_kwargs = init_kwargs or {}, call_kwargs or {}
        layer = layer_cls(**init_kwargs)
        self.run_class_serialization_test(layer, custom_objects)
        if supports_masking is not None:
            self.assertEqual(getattr(layer, "supports_masking", False), supports_masking)
        if input_shape is None and input_data is None:
            return
        if input_data is None:
            dtype = np.dtype(input_dtype or "float32")
            rng = np.random.default_rng(0)
            input_data = (rng.integers(0, 10, size=input_shape) if dtype.kind in "iu" else
                          rng.standard_normal(input_shape)).astype(dtype)
        layer = layer_cls(**init_kwargs)
        output = layer(input_data, **call_kwargs)
        for expected, found, what in [(expected_num_trainable_weights, layer.trainable_weights, "trainable_weights"),
                                      (expected_num_non_trainable_weights, layer.non_trainable_weights,
                                       "non_trainable_weights"),
                                      (expected_num_losses, layer.losses, "losses")]:
            if expected is not None:
                self.assertLen(found, expected, msg=f"Unexpected number of {what}")
        if expected_output_shape is not None:
            self.assertEqual(len(output.shape), len(expected_output_shape), msg=f"output shape {output.shape}")
            for want, got in zip(expected_output_shape, output.shape):
                self.assertTrue(want is None or want == got,
                                msg=f"Expected output shape {expected_output_shape} but received {output.shape}")
        if expected_output_dtype is not None:
            self.assertEqual(np.dtype(expected_output_dtype), np.asarray(output).dtype)
        if expected_output is not None:
            self.assertAllClose(expected_output, output, msg="Unexpected output value")
        if run_training_check and layer.trainable_weights:
            model = models.Sequential([layer_cls(**init_kwargs)])
            model.compile(optimizer="sgd", loss="mse")
            model.fit(input_data, np.asarray(output), epochs=1, verbose=0)


def skip_if_backend(given_backend, reason):
    """Keras's ``conftest.skip_if_backend``: the suite runs with Keras's torch backend beside it."""
    import pytest
    from keras.src import backend
    return pytest.mark.skipif(backend.backend() == given_backend, reason=reason)


#: what the ported tests use of Keras's internal ``keras.src.backend`` (arrays are numpy's)
backend = types.SimpleNamespace(convert_to_numpy=np.asarray, random=_random)

#: what the ported tests use of Keras's ``keras.src.utils.io_utils`` (seqnet's lines go to its logger)
io_utils = types.SimpleNamespace(disable_interactive_logging=config.disable_interactive_logging,
                                 set_logging_verbosity=lambda level: logging.getLogger("seqnet").setLevel(level))
