"""Keras's sequence layers in files, both ways: their configs as seqnet layers (read through the
Keras face's classes, which refuse what seqnet does not compute), the arrays Keras stores for each,
and where: a recurrent layer keeps them in its ``cell``, Bidirectional in ``forward_layer`` and
``backward_layer``, TimeDistributed in ``layer``."""
from __future__ import annotations

from typing import Any, Callable

from ... import layers as L

RECURRENT = ("SimpleRNN", "LSTM", "GRU")


def _spec(value: Any) -> dict[str, Any]:
    """A wrapped layer's spec as a dict (anything else in a file: an empty one, which the reader refuses)."""
    return value if isinstance(value, dict) else {}


def weight_names(class_name: str, config: dict[str, Any], inner: Callable[[str, dict[str, Any]], list[str]]
                 ) -> list[str] | None:
    """The arrays Keras stores for a sequence layer, in its order (None: not a sequence layer);
    ``inner(class_name, config)`` names a wrapped layer's."""
    config = _spec(config)
    if class_name == "Embedding":
        return ["embeddings"]
    if class_name in RECURRENT:
        return ["kernel", "recurrent_kernel"] + (["bias"] if config.get("use_bias", True) else [])
    if class_name in ("Conv1D", "Convolution1D"):
        return ["kernel", "bias"] if config.get("use_bias", True) else ["kernel"]
    if class_name == "LayerNormalization":
        return [n for n, on in (("gamma", config.get("scale", True)), ("beta", config.get("center", True))) if on]
    if class_name == "Bidirectional":
        forward = _spec(config.get("layer"))
        backward = _spec(config.get("backward_layer")) or forward
        return [*inner(forward.get("class_name"), _spec(forward.get("config"))),
                *inner(backward.get("class_name"), _spec(backward.get("config")))]
    if class_name == "TimeDistributed":
        wrapped = _spec(config.get("layer"))
        return inner(wrapped.get("class_name"), _spec(wrapped.get("config")))
    return None


def weight_groups(class_name: str, config: dict[str, Any]) -> list[tuple[str, dict[str, Any] | None]]:
    """Where a layer's arrays lie under its path in a Keras 3 weights file: ``(subpath, spec)``
    per group (``spec``: the wrapped layer's, whose arrays the group holds; None: the layer's own)."""
    config = _spec(config)
    if class_name in RECURRENT:
        return [("cell/", None)]
    if class_name == "Bidirectional":
        forward = _spec(config.get("layer"))
        backward = _spec(config.get("backward_layer")) or forward
        return [(f"{side}/{sub}", spec) for side, spec in (("forward_layer", forward), ("backward_layer", backward))
                for sub, _ in weight_groups(str(spec.get("class_name", "")), _spec(spec.get("config")))]
    if class_name == "TimeDistributed":
        wrapped = _spec(config.get("layer"))
        return [(f"layer/{sub}", wrapped) for sub, _ in weight_groups(str(wrapped.get("class_name", "")),
                                                                      _spec(wrapped.get("config")))]
    return [("", None)]


def readers(through_face: Callable[..., Any], layer_from_keras: Callable[..., L.Layer]
            ) -> dict[str, Callable[[dict[str, Any], Any], L.Layer]]:
    """The readers of Keras's sequence layer configs, by class name (``through_face`` and
    ``layer_from_keras`` are :mod:`.layer_configs`')."""
    from .. import sequence_layers as face

    rnn_keys = ("activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                "bias_initializer", "return_sequences", "go_backwards", "dropout", "recurrent_dropout",
                "return_state", "stateful")

    def pooling(cls: type) -> Callable[[dict[str, Any], Any], L.Layer]:
        def read(c: dict[str, Any], refuse: Any) -> L.Layer:
            refuse.need(c, "data_format", ("channels_last", None))
            return cls(c.get("pool_size", 2), c.get("strides"), c.get("padding", "valid"))
        return read

    def global_pooling(cls: type) -> Callable[[dict[str, Any], Any], L.Layer]:
        def read(c: dict[str, Any], refuse: Any) -> L.Layer:
            refuse.need(c, "data_format", ("channels_last", None))
            return cls(keepdims=bool(c.get("keepdims", False)))
        return read

    def wrapped(spec: Any, where: str) -> L.Layer:
        return layer_from_keras(spec, where)

    def bidirectional(c: dict[str, Any], refuse: Any) -> L.Layer:
        where = refuse.where
        backward = c.get("backward_layer")
        return L.Bidirectional(wrapped(c["layer"], where), c.get("merge_mode", "concat"),
                               None if backward is None else wrapped(backward, where))

    def time_distributed(c: dict[str, Any], refuse: Any) -> L.Layer:
        return L.TimeDistributed(wrapped(c["layer"], refuse.where))

    conv1d = through_face(face.Conv1D, "strides", "padding", "data_format", "dilation_rate", "groups", "use_bias",
                          "kernel_initializer", "bias_initializer")
    return {
        "Embedding": through_face(face.Embedding, "embeddings_initializer", "mask_zero"),
        "SimpleRNN": through_face(face.SimpleRNN, *rnn_keys),
        "LSTM": through_face(face.LSTM, *rnn_keys, "unit_forget_bias"),
        "GRU": through_face(face.GRU, *rnn_keys, "reset_after"),
        "Conv1D": conv1d, "Convolution1D": conv1d,
        "LayerNormalization": through_face(face.LayerNormalization, "axis", "epsilon", "center", "scale",
                                           "rms_scaling"),
        "MaxPooling1D": pooling(L.MaxPooling1D), "MaxPool1D": pooling(L.MaxPooling1D),
        "AveragePooling1D": pooling(L.AveragePooling1D), "AvgPool1D": pooling(L.AveragePooling1D),
        "GlobalAveragePooling1D": global_pooling(L.GlobalAveragePooling1D),
        "GlobalAvgPool1D": global_pooling(L.GlobalAveragePooling1D),
        "GlobalMaxPooling1D": global_pooling(L.GlobalMaxPooling1D),
        "GlobalMaxPool1D": global_pooling(L.GlobalMaxPooling1D),
        "Bidirectional": bidirectional, "TimeDistributed": time_distributed,
    }
