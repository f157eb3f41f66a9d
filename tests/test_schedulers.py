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


@pytest.mark.parametrize("total, pct_start, anneal", [(100, 0.3, "cos"), (37, 0.25, "linear"), (10, 0.5, "cos")])
def test_one_cycle_is_torchs_one_cycle(total, pct_start, anneal):
    torch = pytest.importorskip("torch")
    from seqnet.schedulers import OneCycle
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    ref = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.2, total_steps=total, pct_start=pct_start,
                                              anneal_strategy=anneal, cycle_momentum=False)
    ours = OneCycle(0.2, total, pct_start, anneal=anneal)
    for step in range(total):
        assert ours(step) == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12, abs=1e-15)
        opt.step()
        ref.step()
    assert ours(total + 5) == ours(total - 1)  # past the end: the last rate


def test_run_schedules_name_one_schedule_each():
    from seqnet.schedulers import RUN_SCHEDULES, for_run
    assert for_run("cosine", 0.1, 100)(100) == pytest.approx(0.0, abs=1e-12)
    assert for_run("exponential", 0.1, 100)(100) == pytest.approx(0.001)
    assert for_run("step", 0.1, 90)(30) == pytest.approx(0.05)
    assert max(for_run("onecycle", 0.1, 100)(t) for t in range(100)) == pytest.approx(0.1, rel=1e-3)
    assert set(RUN_SCHEDULES) == {"constant", "cosine", "exponential", "step", "onecycle"}
    with pytest.raises(ValueError, match="known"):
        for_run("warmup", 0.1, 10)
