"""``python -m seqnet.assignment SCRIPT [args]`` or ``python -m seqnet.assignment -m MODULE [args]``:
run the assignment's code with ``neural_networks`` importable, as ``python`` would run it."""
import os
import runpy
import sys

from . import install

USAGE = """usage: python -m seqnet.assignment SCRIPT [ARG ...]
       python -m seqnet.assignment -m MODULE [ARG ...]

Run the CS189 assignment's code on seqnet: SCRIPT (or MODULE, as python -m runs it) runs with the
assignment's package `neural_networks` importable, over seqnet's layers, losses and optimizers.

examples:
  python -m seqnet.assignment train_ffnn.py
  python -m seqnet.assignment -m unittest discover tests"""


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help") or (argv[0] == "-m" and len(argv) < 2):
        asked = argv[:1] in (["-h"], ["--help"])  # help asked for goes to stdout; a usage mistake to stderr
        print(USAGE, file=sys.stdout if asked else sys.stderr)
        return 0 if asked else 2
    install()
    if argv[0] == "-m":
        sys.argv = [argv[1], *argv[2:]]
        sys.path.insert(0, os.getcwd())  # as python -m puts the working folder first
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    script = argv[0]
    if not os.path.isfile(script):
        print(f"python -m seqnet.assignment: error: no such script: '{script}'", file=sys.stderr)
        return 2
    sys.argv = list(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))  # as python SCRIPT does
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
