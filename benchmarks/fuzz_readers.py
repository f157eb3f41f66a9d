"""The readers' fuzzer at length: many mutated files of every kind, under a memory limit.

    python benchmarks/fuzz_readers.py [--cases 500] [--seed N] [--kinds seqnet-h5 keras ...]

The test suite runs the same worker (``tests/safety/test_fuzz.py``) with 24 cases per kind and
a fixed seed; this runs more, with a new seed each time unless ``--seed`` is given, and prints
per kind how many mutated files were read, refused (one documented error naming the file) and
failed, with each failure's case and mutation. Run it from the repository's root.
"""
import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.safety import test_fuzz  # noqa: E402
from tests.safety.fuzz_kinds import KINDS  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--cases", type=int, default=500, help="mutated files per kind")
parser.add_argument("--seed", type=int, default=None)
parser.add_argument("--kinds", nargs="*", default=list(KINDS), choices=list(KINDS))
args = parser.parse_args()
seed = args.seed if args.seed is not None else random.randrange(2**31)
test_fuzz.TIMEOUT = 60 * 60
print(f"seed {seed}, {args.cases} cases per kind, memory limit {test_fuzz.MEMORY_MB} MiB per worker")
print(f"{'kind':<16}{'read':>8}{'refused':>9}{'failed':>8}{'seconds':>9}")
failed = 0
for kind in args.kinds:
    start = time.perf_counter()
    result = test_fuzz.fuzz(kind, args.cases, seed)
    counts = result["outcomes"]
    print(f"{kind:<16}{counts.get('ok', 0):>8}{counts.get('refused', 0):>9}{counts.get('FAIL', 0):>8}"
          f"{time.perf_counter() - start:>9.1f}", flush=True)
    for line in result["failures"] + ([result["crash"]] if result["crash"] else []):
        print("    " + line.replace("\n", "\n    "))
    failed += len(result["failures"]) + bool(result["crash"])
sys.exit(1 if failed else 0)
