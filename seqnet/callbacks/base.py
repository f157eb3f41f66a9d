"""The callback protocol: the base class, the list that calls a hook on each, and the registry."""
from __future__ import annotations

from typing import Any

from .._registry import Configurable, Registry

callbacks = Registry("callback")


class Callback(Configurable):
    """Base class; every hook does nothing unless overridden.

    ``self.model`` is the model being trained and ``self.params`` holds ``epochs``, ``steps``
    and ``initial_epoch`` of the running ``fit``. Callbacks whose decisions depend on the past
    (best value so far, wait counters) return it from :meth:`get_state`; ``model.save`` stores
    it and :func:`seqnet.load_model` restores it, so a resumed ``fit`` carries on exactly.
    """

    model: Any = None

    @property
    def params(self) -> dict[str, Any]:
        """``epochs``, ``steps``, ``initial_epoch`` and ``verbose`` of the running ``fit`` (this callback's own dict)."""
        return self.__dict__.setdefault("_params", {})

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self._params = dict(params)

    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None: ...


callbacks.base = Callback


class CallbackList:
    """Calls a hook on each callback in turn."""

    def __init__(self, items: list[Callback], model: Any, params: dict[str, Any]) -> None:
        self.items = list(items)
        for cb in self.items:
            cb.set_model(model)
            cb.set_params(params)

    def __getattr__(self, hook: str):
        def call(*args: Any, **kwargs: Any) -> None:
            for cb in self.items:
                getattr(cb, hook)(*args, **kwargs)
        return call
