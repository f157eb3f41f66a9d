"""The page "Coming from Keras" states how many of Keras's tests pass: the numbers must be what
the ported tests and ``not_yet_passing.txt`` show (each not-yet test is a strict expected failure,
so the list is what the tests show)."""
import re
from pathlib import Path

import pytest

from tests.keras_suite import porting, test_losses, test_metrics

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "guide" / "keras.rst").read_text()


def counts(module):
    """``(passing, in scope)`` of the Keras tests ported into ``module``."""
    tests = [(cls.keras_file, f"{name}.{attr}") for name, cls in vars(module).items()
             if isinstance(cls, type) and hasattr(cls, "keras_file") for attr in vars(cls) if attr.startswith("test")]
    left_out = [t for t in tests if any(m.name == "skip" for m in getattr(getattr(vars(module)[t[1].split(".")[0]],
                                                                               t[1].split(".")[1]), "pytestmark", []))]
    in_scope = [t for t in tests if t not in left_out]
    failing = [t for t in in_scope if f"{t[0]}::{t[1]}" in porting.NOT_YET | set(porting.DIFFERENCES)]
    return len(in_scope) - len(failing), len(in_scope)


@pytest.mark.parametrize("module, words", [(test_metrics, "metric tests"), (test_losses, "in-scope loss tests")])
def test_the_page_states_what_the_tests_show(module, words):
    passing, in_scope = counts(module)
    assert re.search(rf"{passing} of the {in_scope} {words}", PAGE.replace("\n", " ")), (passing, in_scope)


def test_each_deliberate_difference_is_explained_on_the_page():
    """A test that fails on purpose names a paragraph of the page's differences, and the page
    says how many there are."""
    for test, heading in porting.DIFFERENCES.items():
        assert f"**{heading}**" in PAGE, f"{test}: the page has no paragraph **{heading}**"
    assert re.search(rf"{len(porting.DIFFERENCES)} tests differ on purpose", PAGE.replace("\n", " "))
