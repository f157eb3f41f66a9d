import math

import pytest

from seqnet import schedulers
from seqnet.schedulers import Constant, Cosine, Exponential, StepDecay


def test_constant():
    assert [Constant(0.1)(t) for t in (0, 10, 10_000)] == [0.1, 0.1, 0.1]


@pytest.mark.parametrize("step", [0, 1, 999, 1000, 1500, 4321])
def test_exponential_is_the_assignment_formula(step):
    smooth = Exponential(0.01, decay=0.99, stage_length=1000, staircase=False)
    stairs = Exponential(0.01, decay=0.99, stage_length=1000, staircase=True)
    assert smooth(step) == pytest.approx(0.01 * 0.99 ** (step / 1000))
    assert stairs(step) == pytest.approx(0.01 * 0.99 ** math.floor(step / 1000))


def test_step_decay_and_cosine():
    s = StepDecay(1.0, drop=0.5, step_size=10)
    assert [s(0), s(9), s(10), s(25)] == [1.0, 1.0, 0.5, 0.25]
    c = Cosine(1.0, decay_steps=100, min_lr=0.1)
    assert c(0) == pytest.approx(1.0)
    assert c(50) == pytest.approx(0.55)
    assert c(100) == pytest.approx(0.1) and c(500) == pytest.approx(0.1)


def test_registry_and_validation():
    assert isinstance(schedulers.get("exponential", lr=0.1), Exponential)
    assert schedulers.get({"class_name": "step", "config": {"lr": 0.3}})(0) == 0.3
    with pytest.raises(ValueError, match="decay"):
        Exponential(0.1, decay=-1)
    with pytest.raises(ValueError, match="Known scheduler names"):
        schedulers.get("linear", lr=0.1)
