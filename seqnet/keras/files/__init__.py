"""Keras's file formats, read and written by the Keras face: the native ``.keras`` zip, the legacy
HDF5 ``.h5`` of Keras 2, tf.keras and Keras 3 (read), and Keras 3's ``.weights.h5``.

Everything that knows how Keras lays a model out lives here: its layer configs
(:mod:`.layer_configs`, read; :mod:`.writer`, written), its model config (:mod:`.model_config`),
its compile config (:mod:`.compile_configs`, with the schedules of
:mod:`seqnet.keras.files.schedules`) and its optimizer variables (:mod:`.optimizer_state`);
:mod:`.formats` puts them in files. The formats
register themselves with :mod:`seqnet._formats` when ``seqnet`` is imported, so
:func:`seqnet.load_model` and the ``seqnet`` command read every Keras file, and
``model.save("m.keras")`` writes one, whichever face built the model.
"""
from ... import _formats
from .formats import KerasH5, KerasNative, KerasWeights

for _format in (KerasWeights(), KerasNative(), KerasH5()):
    _formats.register_format(_format)

__all__ = ["KerasNative", "KerasH5", "KerasWeights"]
