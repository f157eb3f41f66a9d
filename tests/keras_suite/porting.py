"""Keras's own unit tests, run against ``seqnet.keras``: each test file of the installed Keras
release is read, its imports of the modules under test swapped for seqnet's, and its bodies left
unchanged. The assertions are Keras's own.

Keras's ``testing.TestCase`` is swapped for :mod:`tests.keras_suite.face_testing`'s, whose
serialization round trip goes through ``seqnet.keras.saving``.

``port(relative_path, swaps, left_out)`` returns the module's test classes for a test module's
namespace; pytest collects them there. ``left_out`` maps a test's ``Class.method`` (or a pattern,
``*.test_dtype_arg``) to the one reason it is out of scope (a feature seqnet does not have by
design, not a failure).

``DIFFERENCES`` lists the in-scope tests that fail on purpose, each with its reason on the page
"Coming from Keras"; ``NOT_YET`` (``not_yet_passing.txt``) the in-scope tests that do not pass
yet, as ``<keras test file>::Class.method``. Both run as strict expected failures: one that
starts to pass fails the suite until its line is removed, so the lists are what the tests show.
``python -m tests.keras_suite.porting`` rewrites it from a run of the suite.
"""
from __future__ import annotations

import fnmatch
import importlib.util
import re
import types
from pathlib import Path
from typing import Any

import pytest

keras = pytest.importorskip("keras")
KERAS_SRC = Path(keras.__file__).resolve().parent / "src"


#: in every ported file: the test base (Keras's, its serialization round trip through
#: seqnet.keras.saving), and the layers and models a test builds its model from
TESTING = {"from keras.src import testing\n": "from tests.keras_suite import face_testing as testing\n",
           "from keras.src import layers\n": "from seqnet.keras import layers\n",
           "from keras.src import models\n": "from seqnet.keras import models\n",
           "from conftest import skip_if_backend\n": "from tests.keras_suite.face_testing import skip_if_backend\n"}

#: in-scope tests that fail on purpose: each with the bold heading of the paragraph on the page
#: "Coming from Keras" that says why (``test_the_counts.py`` checks the page has it)
DIFFERENCES = {
    "losses/losses_test.py::HuberLossTest.test_config": "A loss's config keeps what changes its value.",
    "losses/losses_test.py::CosineSimilarityTest.test_config": "A loss's config keeps what changes its value.",
    "metrics/probabilistic_metrics_test.py::BinaryCrossentropyTest.test_unweighted": "Metrics are computed in float64.",
    "metrics/probabilistic_metrics_test.py::BinaryCrossentropyTest.test_weighted": "Metrics are computed in float64.",
    "metrics/reduction_metrics_test.py::MetricWrapperTest.test_config": "A config never names code.",
    "metrics/confusion_metrics_test.py::SensitivityAtSpecificityTest.test_handles_sas_metrics":
        "A probability loss after a linear output is refused.",
    "metrics/confusion_metrics_test.py::AUCTest.test_config": "Keras's private attributes are not copied.",
    "metrics/f_score_metrics_test.py::FBetaScoreTest.test_non_2d_input_shapes_raises_value_error":
        "Keras's private attributes are not copied.",
    "metrics/f_score_metrics_test.py::FBetaScoreTest.test_undefined_output_dim_raises_value_error":
        "Keras's private attributes are not copied.",
    "callbacks/csv_logger_test.py::CSVLoggerTest.test_stop_training_csv": "A non-finite step is never applied.",
    "callbacks/terminate_on_nan_test.py::TerminateOnNaNTest.test_terminate_on_nan_raise_error_raises_error":
        "Targets must be finite.",
    "callbacks/terminate_on_nan_test.py::TerminateOnNaNTest.test_terminate_on_nan_graceful_stop":
        "Targets must be finite.",
    "callbacks/terminate_on_nan_test.py::TerminateOnNaNTest.test_raise_error_terminate_stops_on_later_batch":
        "Targets must be finite.",
    "callbacks/terminate_on_nan_test.py::TerminateOnNaNTest.test_raise_error_terminate_preserves_backup":
        "Targets must be finite.",
    "callbacks/terminate_on_nan_test.py::TerminateOnNaNTest.test_raise_error_terminate_does_not_trigger_on_train_end":
        "Targets must be finite.",
}

NOT_YET_FILE = Path(__file__).with_name("not_yet_passing.txt")
NOT_YET = {line.strip() for line in NOT_YET_FILE.read_text().splitlines() if line.strip() and not line.startswith("#")}


def port(relative: str, swaps: dict[str, str], left_out: dict[str, str], into: dict[str, Any]) -> None:
    """Put the test classes of ``keras/src/<relative>`` into the namespace ``into`` (a test module's
    globals), with each ``import`` line in ``swaps`` (the line as Keras writes it) replaced by the
    given line, each left-out test marked skipped and each not-yet-passing one an expected failure."""
    source = (KERAS_SRC / relative).read_text()
    for line, replacement in TESTING.items():
        source = source.replace(line, replacement)
    for line, replacement in swaps.items():
        if line not in source:
            raise AssertionError(f"{relative} no longer has the line {line!r}: update its swaps")
        source = source.replace(line, replacement)
    module = types.ModuleType(f"keras_suite.{Path(relative).stem}")
    module.__file__ = str(KERAS_SRC / relative)
    exec(compile(source, str(KERAS_SRC / relative), "exec"), module.__dict__)  # noqa: S102 - Keras's own tests
    classes = {name: value for name, value in vars(module).items()
               if isinstance(value, type) and (name.startswith("Test") or name.endswith("Test"))}
    found = {f"{name}.{attr}" for name, cls in classes.items() for attr in vars(cls) if attr.startswith("test")}
    out = {key: reason for pattern, reason in left_out.items() for key in fnmatch.filter(sorted(found), pattern)}
    unknown = [pattern for pattern in left_out if not fnmatch.filter(found, pattern)]
    if unknown:
        raise AssertionError(f"{relative}: the left-out tests {unknown} do not exist")
    for key, reason in out.items():
        name, attr = key.split(".")
        setattr(classes[name], attr, pytest.mark.skip(reason=f"out of scope: {reason}")(getattr(classes[name], attr)))
    for key in found - set(out):
        reason = DIFFERENCES.get(f"{relative}::{key}") or (
            "not yet passing on seqnet.keras" if f"{relative}::{key}" in NOT_YET else None)
        if reason:
            name, attr = key.split(".")
            setattr(classes[name], attr, pytest.mark.xfail(strict=True, reason=reason)(getattr(classes[name], attr)))
    for name, cls in classes.items():
        if name in into:
            raise AssertionError(f"{relative}: the class {name} is also in {into[name].keras_file}; port them into "
                                 f"different test modules")
        cls.keras_file = relative
        into[name] = cls


def main() -> None:
    """Rewrite ``not_yet_passing.txt`` from a run of the suite with nothing expected to fail."""
    import subprocess
    import sys
    NOT_YET_FILE.write_text("")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-rf", str(Path(__file__).parent)],
                         capture_output=True, text=True)
    failed = re.findall(r"^FAILED tests/keras_suite/(\w+)\.py::(\w+)::(\w+)", run.stdout, re.M)
    lines = sorted({f"{_keras_file(module, cls)}::{cls}.{attr}" for module, cls, attr in failed} - set(DIFFERENCES))
    NOT_YET_FILE.write_text("# in-scope Keras tests that do not pass on seqnet.keras yet (see porting.py)\n"
                            + "\n".join(lines) + "\n")
    print(f"{len(lines)} not yet passing; {run.stdout.strip().splitlines()[-1]}")


def _keras_file(module: str, cls: str) -> str:
    return getattr(importlib.import_module(f"tests.keras_suite.{module}"), cls).keras_file


if __name__ == "__main__":
    main()


def keras_module(name: str) -> types.ModuleType:
    """Keras's own module ``keras.src.<name>`` (for what a test uses besides the module under test)."""
    return importlib.import_module(f"keras.src.{name}")
