"""A fuzzer for every reader: mutated copies of valid files of every kind seqnet reads, each read
in a process with a memory limit and a timeout. Every outcome must be a valid result or one of
seqnet's documented errors naming the file; a crash, a hang, a MemoryError or any other exception
fails. ``benchmarks/fuzz_readers.py`` runs the same with more cases and other seeds."""
import concurrent.futures
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PIL")
from seqnet import _formats  # noqa: E402
import seqnet.datasets  # noqa: E402
import seqnet.keras.datasets  # noqa: E402
from seqnet.cli import build_parser  # noqa: E402
from tests.safety.fuzz_kinds import FORMAT_KINDS, KINDS, NOT_READERS, READER_KINDS, WRITE_ONLY_FORMATS, environment  # noqa: E402,E501

ROOT = Path(__file__).resolve().parents[2]
CASES, SEED, MEMORY_MB, TIMEOUT = 24, 20261204, 1536, 300


def fuzz(kind: str, cases: int = CASES, seed: int = SEED) -> dict:
    """Run the worker on ``kind``: ``{"outcomes": {...}, "failures": [...], "crash": str | None}``."""
    proc = subprocess.run([sys.executable, "-m", "tests.safety.fuzz_worker", kind, str(cases), str(seed),
                           str(MEMORY_MB)], cwd=ROOT, env=environment(), capture_output=True, text=True,
                          timeout=TIMEOUT)
    outcomes, failures, started = {}, [], None
    for line in proc.stdout.splitlines():
        entry = json.loads(line)
        if "start" in entry:
            started = entry
            continue
        started = None
        outcomes[entry["outcome"]] = outcomes.get(entry["outcome"], 0) + 1
        if entry["outcome"] == "FAIL":
            failures.append(f"case {entry['case']} ({entry['mutation']}): {entry['detail']}")
    crash = None
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not failures):
        crash = (f"the worker ended with {proc.returncode} during "
                 f"{started or 'the valid file'}: {proc.stderr[-1500:]}")
    return {"outcomes": outcomes, "failures": failures, "crash": crash}


@pytest.fixture(scope="module")
def results():
    """Every kind fuzzed, two workers at a time (the machine's two cores)."""
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        return dict(zip(KINDS, pool.map(fuzz, KINDS)))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_mutated_file_is_read_or_refused_naming_it(results, kind):
    result = results[kind]
    assert result["crash"] is None, result["crash"]
    assert not result["failures"], "\n".join(result["failures"])
    assert sum(result["outcomes"].values()) == CASES
    assert result["outcomes"].get("refused", 0) >= CASES // 4, f"too few mutations reached the checks: {result}"


def test_every_format_and_reader_has_its_kinds():
    """By construction: a model format, a data loader or a command added later fails here until
    the fuzzer has a kind for it."""
    for name in _formats.formats():
        assert name in FORMAT_KINDS or name in WRITE_ONLY_FORMATS, f"format {name!r} has no fuzz kind"
    for name in WRITE_ONLY_FORMATS:
        with pytest.raises(_formats.ModelFileError):
            _formats.for_saving(f"x.{name}", name).load(Path("/nonexistent/x"))
    loaders = [f"seqnet.datasets.{n}" for n in seqnet.datasets.__all__ if n.startswith(("load_", "read_"))]
    loaders += ["seqnet.datasets.ImageFolderDataset", "seqnet.keras.models.model_from_json"]
    loaders += [f"seqnet.keras.datasets.{n}" for n in seqnet.keras.datasets.__all__]
    commands = build_parser()._subparsers._group_actions[0].choices
    loaders += [f"seqnet {c}" for c in commands]
    for name in loaders:
        assert name in READER_KINDS or name in NOT_READERS, f"{name} reads files but has no fuzz kind"
    for kinds in [*FORMAT_KINDS.values(), *READER_KINDS.values()]:
        assert set(kinds) <= set(KINDS)
