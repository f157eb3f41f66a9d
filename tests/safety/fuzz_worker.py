"""Read mutated files of one kind under a memory limit; one JSON line per case on stdout.

``python -m tests.safety.fuzz_worker KIND CASES SEED [MEMORY_MB]``. Before each read the worker
prints ``{"start": i, "mutation": ...}``, so that a crash (SIGSEGV, the kernel's OOM killer) is
traced to its case by the parent; after it, ``{"case": i, "outcome": "ok" | "refused" | "FAIL"}``.
An outcome is "refused" when the reader raised one of the kind's documented errors naming the
file, and "FAIL" for anything else: another exception, a MemoryError, a read that hangs.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import traceback
from pathlib import Path

import numpy as np

from tests.safety import mutations
from tests.safety.fuzz_kinds import KINDS, reader_for

CASE_SECONDS = 20  # a read that takes longer hangs


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"the read took more than {CASE_SECONDS} s")


def run(name: str, cases: int, seed: int) -> int:
    kind = KINDS[name]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        made = Path(tmp) / "made"
        made.mkdir()
        valid = kind.make(made)
        read = reader_for(name, made)
        read(valid)  # the valid file reads
        signal.signal(signal.SIGALRM, _alarm)
        for i in range(cases):
            rng = np.random.default_rng([seed, i])
            case = Path(tmp) / f"case{i}"
            target = case / valid.relative_to(made)
            shutil.copytree(made, case, symlinks=True)
            description = mutations.mutate(target, kind.folder, rng)
            print(json.dumps({"start": i, "mutation": description}), flush=True)
            signal.alarm(CASE_SECONDS)
            try:
                read(target)
                outcome, detail = "ok", ""
            except (*kind.errors, FileNotFoundError) as err:
                named = target.name in str(err)
                outcome = "refused" if named else "FAIL"
                detail = str(err)[:300] if named else f"the error does not name '{target.name}': {err}"[:400]
            except BaseException as err:  # noqa: BLE001 - every other outcome is the finding
                outcome = "FAIL"
                detail = f"{type(err).__name__}: {str(err)[:300]}\n" + "".join(traceback.format_tb(err.__traceback__)[-3:])
            finally:
                signal.alarm(0)
            failures += outcome == "FAIL"
            print(json.dumps({"case": i, "mutation": description, "outcome": outcome, "detail": detail}), flush=True)
            shutil.rmtree(case, ignore_errors=True)
    return failures


def main() -> None:
    name, cases, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    memory = int(sys.argv[4]) if len(sys.argv) > 4 else 1536
    resource.setrlimit(resource.RLIMIT_AS, (memory * 2**20, memory * 2**20))
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.exit(1 if run(name, cases, seed) else 0)


if __name__ == "__main__":
    main()
