"""The callback protocol: the base class, the list that calls a hook on each, and the registry."""
from __future__ import annotations

from typing import Any

from .. import _safety
from .._registry import Configurable, Registry

callbacks = Registry("callback")


class Callback(Configurable):
    """Base class; every hook does nothing unless overridden.

    ``self.model`` is the model being trained and ``self.params`` holds ``epochs``, ``steps``
    and ``initial_epoch`` of the running ``fit``. Callbacks whose decisions depend on the past
    (best value so far, wait counters) return it from :meth:`get_state` and declare its keys in
    ``state_kinds`` (``{"best": "number", "wait": "count"}``); ``model.save`` stores it and
    :func:`seqnet.load_model` restores those keys, checked, and nothing else, so a resumed ``fit``
    carries on exactly and a file never sets a callback's paths or private attributes.
    """

    model: Any = None
    path_attributes: tuple[str, ...] = ()  # where the callback writes: never a path a file named

    @property
    def params(self) -> dict[str, Any]:
        """``epochs``, ``steps``, ``initial_epoch`` and ``verbose`` of the running ``fit`` (this callback's own dict)."""
        return self.__dict__.setdefault("_params", {})

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self._params = dict(params)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Callback":
        callback = super().from_config(config)
        trust = _safety.current()
        if trust.safe_mode and cls.path_attributes:  # a path from a file is written to only once given again
            callback._paths_from = {name: trust.source for name in cls.path_attributes}
        return callback

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.path_attributes:
            self.__dict__.get("_paths_from", {}).pop(name, None)
        super().__setattr__(name, value)

    def check_ready(self) -> None:
        """Raise ``ValueError`` saying what to do if the callback cannot run; ``fit`` asks every
        callback before any hook runs. By default: a path that came from a model file (``safe_mode``)."""
        for name, source in self.__dict__.get("_paths_from", {}).items():
            raise ValueError(
                f"{type(self).__name__}: its {name} {getattr(self, name)!r} was read from the file {source}, and "
                f"seqnet does not write where a file says. To write there, give the path again "
                f"(callback.{name} = {getattr(self, name)!r}), or pass a new {type(self).__name__}; for a file "
                f"you trust, load it with load_model(..., safe_mode=False)")

    # Keras's hooks. ``logs`` is always a dict: the running results in the batch hooks of fit and
    # evaluate, the epoch's results (validation included) at its end, {"outputs": ...} at the end of
    # a predict batch. The training batch hooks call on_batch_begin / on_batch_end, as Keras's do.
    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs: dict | None = None) -> None: ...
    def on_test_end(self, logs: dict | None = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_begin(self, logs: dict | None = None) -> None: ...
    def on_predict_end(self, logs: dict | None = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None: ...


callbacks.base = Callback


class CallbackList:
    """Calls a hook on each callback in turn."""

    def __init__(self, items: list[Callback], model: Any, params: dict[str, Any]) -> None:
        self.items = list(items)
        for cb in self.items:
            if hasattr(cb, "check_ready"):
                cb.check_ready()
        for cb in self.items:
            cb.set_model(model)
            cb.set_params(params)

    def __getattr__(self, hook: str):
        indexed = "epoch" in hook or "batch" in hook  # hook(epoch or batch, logs), else hook(logs)

        def call(*args: Any, logs: dict | None = None) -> None:
            if len(args) > indexed:
                args, logs = args[:indexed], args[indexed]
            logs = {} if logs is None else logs  # always a dict, passed as logs= as Keras passes it
            for cb in self.items:
                method = getattr(cb, hook, None)
                if method is not None:  # a user's object may define only some hooks
                    method(*args, logs=logs)
        return call
