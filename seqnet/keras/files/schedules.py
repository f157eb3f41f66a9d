"""seqnet's learning-rate schedules as Keras's ``keras.optimizers.schedules``, and back.

Both count the optimizer's updates from 0, so a schedule written one way gives the same rate at
every step the other way: ``Exponential`` is ``ExponentialDecay``, ``StepDecay`` an
``ExponentialDecay`` with ``staircase=True``, ``Cosine`` is ``CosineDecay`` (``alpha`` is
``min_lr / lr``), ``PiecewiseConstant``, ``InverseTime`` and ``Polynomial`` their ``...Decay``.
``OneCycle`` has no Keras counterpart.
"""
from __future__ import annotations

from typing import Any

from ... import schedulers as S


def _spec(class_name: str, **config: Any) -> dict[str, Any]:
    return {"module": "keras.optimizers.schedules", "class_name": class_name, "config": {**config, "name": class_name},
            "registered_name": None}


def schedule_to_keras(schedule: S.Scheduler) -> dict[str, Any] | None:
    """Keras's serialized schedule for ``schedule``, or None where Keras has none that matches."""
    c = schedule.get_config()
    kind = type(schedule)
    if kind is S.Exponential:
        return _spec("ExponentialDecay", initial_learning_rate=c["lr"], decay_steps=c["stage_length"],
                     decay_rate=c["decay"], staircase=c["staircase"])
    if kind is S.StepDecay:
        return _spec("ExponentialDecay", initial_learning_rate=c["lr"], decay_steps=c["step_size"],
                     decay_rate=c["drop"], staircase=True)
    if kind is S.Cosine and c["lr"] > 0:
        return _spec("CosineDecay", initial_learning_rate=c["lr"], decay_steps=c["decay_steps"],
                     alpha=c["min_lr"] / c["lr"], warmup_target=None, warmup_steps=0)
    if kind is S.PiecewiseConstant:
        return _spec("PiecewiseConstantDecay", boundaries=list(c["boundaries"]), values=list(c["values"]))
    if kind is S.InverseTime:
        return _spec("InverseTimeDecay", initial_learning_rate=c["lr"], decay_steps=c["decay_steps"],
                     decay_rate=c["decay_rate"], staircase=c["staircase"])
    if kind is S.Polynomial:
        return _spec("PolynomialDecay", initial_learning_rate=c["lr"], decay_steps=c["decay_steps"],
                     end_learning_rate=c["end_lr"], power=c["power"], cycle=c["cycle"])
    return None


def schedule_from_keras(spec: dict[str, Any]) -> S.Scheduler:
    """seqnet's schedule for Keras's serialized one; ``ValueError`` naming it where seqnet has none."""
    name, c = spec.get("class_name"), spec.get("config") or {}
    if not isinstance(c, dict):
        raise ValueError(f"the learning-rate schedule {name!r} has a config of type {type(c).__name__}")
    if name == "ExponentialDecay":
        return S.Exponential(c["initial_learning_rate"], decay=c["decay_rate"], stage_length=c["decay_steps"],
                             staircase=bool(c.get("staircase", False)))
    if name == "CosineDecay":
        if c.get("warmup_target") is not None or c.get("warmup_steps"):
            raise ValueError("the CosineDecay schedule warms up first, which seqnet's Cosine does not do")
        lr = c["initial_learning_rate"]
        return S.Cosine(lr, decay_steps=c["decay_steps"], min_lr=float(c.get("alpha", 0.0)) * lr)
    if name == "PiecewiseConstantDecay":
        return S.PiecewiseConstant(c["boundaries"], c["values"])
    if name == "InverseTimeDecay":
        return S.InverseTime(c["initial_learning_rate"], c["decay_steps"], c["decay_rate"],
                             bool(c.get("staircase", False)))
    if name == "PolynomialDecay":
        return S.Polynomial(c["initial_learning_rate"], c["decay_steps"], c.get("end_learning_rate", 0.0001),
                            c.get("power", 1.0), bool(c.get("cycle", False)))
    raise ValueError(f"seqnet has no counterpart of the learning-rate schedule {name!r}")
