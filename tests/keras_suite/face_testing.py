"""Keras's ``keras.src.testing`` for the ported tests, with the one part of its ``TestCase`` that
reaches into the library under test swapped: the serialization round trip goes through
``seqnet.keras.saving`` (Keras's ``serialize_keras_object`` and ``deserialize_keras_object``
spelled by the face) instead of Keras's own registry. The assertions are Keras's."""
import json

from keras.src import testing as _keras

import seqnet.keras.saving as saving

uses_gpu = _keras.uses_gpu


def _json(value):
    return json.dumps(value, sort_keys=True, default=lambda o: list(o) if isinstance(o, tuple) else repr(o))


class TestCase(_keras.TestCase):
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
