"""Keras's way to use an optimizer outside a model: ``build(variables)``, ``apply(grads,
variables)``, ``apply_gradients(zip(grads, variables))`` and ``exclude_from_weight_decay``, on numpy
arrays updated in place. Mixed into :class:`seqnet.optimizers.Optimizer`; each array's state
(momentum, moments) is kept as a model parameter's is, but not saved with a model."""
from __future__ import annotations

from typing import Any

import numpy as np


class ArrayUpdates:
    """The arrays API over :meth:`~seqnet.optimizers.Optimizer.step_parameter`."""

    def build(self, variables: Any) -> None:
        """Keras's ``optimizer.build(variables)``: the arrays :meth:`apply` updates when given none."""
        for variable in variables:
            self._key(variable)

    def exclude_from_weight_decay(self, var_list: Any = None, var_names: Any = None) -> None:
        """Keras's: no weight decay for these arrays, nor for those whose ``name`` contains one of
        ``var_names``."""
        self._no_decay[0].update(id(v) for v in var_list or [])
        self._no_decay[1].update(var_names or [])

    def apply_gradients(self, grads_and_vars: Any) -> None:
        """Keras's ``optimizer.apply_gradients(zip(grads, variables))``: :meth:`apply`."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def apply(self, grads: Any, trainable_variables: Any = None) -> None:
        """One step on each array of ``trainable_variables`` (those of :meth:`build` when omitted),
        in place, from its gradient (``None``: left alone); the state of each array is kept by the
        optimizer, as for a model's parameters."""
        variables = [array for _, array in self._variables.values()] if trainable_variables is None \
            else list(trainable_variables)
        grads = list(grads)
        if len(grads) != len(variables):
            raise ValueError(f"{type(self).__name__}.apply: {len(grads)} gradients for {len(variables)} variables")
        lr = self.current_lr
        for grad, variable in zip(grads, variables):
            if grad is None:
                continue
            key = self._key(variable)
            array = np.asarray(variable)  # the variable's own memory
            decays = id(variable) not in self._no_decay[0] and not any(
                name in str(getattr(variable, "name", "")) for name in self._no_decay[1])
            self.step_parameter((None, key), array, np.asarray(grad, dtype=array.dtype).reshape(array.shape),
                                lr, decay=decays)
        self.iterations += 1

    def _key(self, variable: Any) -> str:
        if not isinstance(variable, np.ndarray) or not variable.flags.writeable:
            raise TypeError(f"{type(self).__name__}: a variable is a writable numpy array (updated in place), "
                            f"received {type(variable).__name__}")
        if id(variable) not in self._variables:
            self._variables[id(variable)] = (f"variable_{len(self._variables)}", variable)
        return self._variables[id(variable)][0]
