"""The page "Coming from Keras" states how many of Keras's tests pass: the numbers must be what a
run of the ported tests shows (each not-yet test is a strict expected failure, so the lists are
what the tests show). Tests that Keras's own bodies skip for its torch backend count as neither."""
import functools
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.keras_suite import conftest, porting

HERE = Path(__file__).resolve().parent
PAGE = (HERE.parents[1] / "docs" / "guide" / "keras.rst").read_text()


@functools.lru_cache(maxsize=None)
def _outcomes() -> tuple[tuple[str, str], ...]:
    """``(test module, outcome)`` of each ported test: from this session when it ran them all
    (``conftest.py`` records them, and runs this module last), else from one run of the suite."""
    modules = sorted(p for p in HERE.glob("test_*.py") if p.name != Path(__file__).name)
    if {p.stem for p in modules} <= conftest.COLLECTED:
        bad = [f"{test}: {outcome}" for _, outcome, test in conftest.OUTCOMES if outcome not in ("PASSED", "XFAIL")]
        assert not bad, bad
        found = tuple(entry[:2] for entry in conftest.OUTCOMES)
    else:
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:randomly", "-p",
                              "no:cacheprovider", *map(str, modules)], capture_output=True, text=True,
                             cwd=HERE.parents[1])
        found = tuple((module, outcome) for outcome, module in re.findall(
            r"^(PASSED|XFAIL|FAILED|XPASS|ERROR) tests/keras_suite/(\w+)\.py::", run.stdout, re.M))
    assert found and not [o for _, o in found if o in ("FAILED", "XPASS", "ERROR")], found
    return found


def counts(module: str) -> tuple[int, int]:
    """``(passing, in scope)`` of the Keras tests ported into ``tests/keras_suite/<module>.py``:
    passed, against passed plus expected failures (the not-yet and the deliberate ones)."""
    outcomes = [outcome for name, outcome in _outcomes() if name == module]
    return outcomes.count("PASSED"), outcomes.count("PASSED") + outcomes.count("XFAIL")


@pytest.mark.parametrize("module, words", [("test_metrics", "metric tests"), ("test_losses", "in-scope loss tests"),
                                           ("test_layers", "in-scope layer tests"),
                                           ("test_callbacks", "callback tests"),
                                           ("test_optimizers", "in-scope optimizer tests"),
                                           ("test_initializers", "in-scope initializer tests"),
                                           ("test_constraints", "constraint tests")])
def test_the_page_states_what_the_tests_show(module, words):
    passing, in_scope = counts(module)
    assert re.search(rf"{passing} of the {in_scope} {words}", PAGE.replace("\n", " ")), (passing, in_scope)


def test_each_deliberate_difference_is_explained_on_the_page():
    """A test that fails on purpose names a paragraph of the page's differences, and the page
    says how many there are."""
    for test, heading in porting.DIFFERENCES.items():
        assert f"**{heading}**" in PAGE, f"{test}: the page has no paragraph **{heading}**"
    assert re.search(rf"{len(porting.DIFFERENCES)} tests differ on purpose", PAGE.replace("\n", " "))
