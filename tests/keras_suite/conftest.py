"""Records the outcome of each ported Keras test in this session, so that ``test_the_counts.py``
reads the counts from the run it is part of (it runs after them) rather than running the suite a
second time."""
import pytest

#: (test module, outcome, test id) of each ported test that ran in this session
OUTCOMES: list[tuple[str, str, str]] = []
#: the ported test modules collected in this session
COLLECTED: set[str] = set()


def _module(nodeid: str) -> str:
    return nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """The counts last (after any shuffling), once every ported test has run."""
    COLLECTED.update(_module(item.nodeid) for item in items if "keras_suite" in item.nodeid)
    items.sort(key=lambda item: item.nodeid.split("::")[0].endswith("test_the_counts.py"))


def pytest_runtest_logreport(report):
    if "keras_suite" not in report.nodeid or report.nodeid.split("::")[0].endswith("test_the_counts.py"):
        return
    outcome = None
    if report.when == "call" and report.passed:
        outcome = "XPASS" if hasattr(report, "wasxfail") else "PASSED"
    elif report.when == "call" and report.skipped and hasattr(report, "wasxfail"):
        outcome = "XFAIL"
    elif report.failed:
        outcome = f"FAILED ({report.when})"
    if outcome:
        OUTCOMES.append((_module(report.nodeid), outcome, report.nodeid))
