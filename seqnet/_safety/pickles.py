"""Pickled numpy arrays (CIFAR's batches): plain containers and arrays, nesting checked first.

The unpickler builds numpy arrays, lists, dicts, tuples, strings and numbers, and refuses every
other class by name. Before it runs, the pickle's opcodes are followed to refuse containers
nested deeper than :data:`MAX_NESTING`: Python's unpickler builds any depth, and hashing or
freeing the result then overflows the C stack (a key nested a million deep kills the process).
"""
from __future__ import annotations

import io
import pickle
import pickletools
from typing import Any

MAX_NESTING = 32  # containers within containers (CIFAR's own batches: 3)
_IN_PLACE = {"APPEND", "APPENDS", "SETITEM", "SETITEMS", "ADDITEMS", "BUILD"}  # fill the container below
_MARK = object()


class _ArrayUnpickler(pickle.Unpickler):
    # protocol 2 (the original files) rebuilds arrays by _reconstruct; protocol 5 (new Pythons'
    # default) by _frombuffer over the raw bytes
    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a data file")


def _check_nesting(raw: bytes, where: str, error: type[Exception]) -> None:
    """Each stack item's depth, followed through the pickle's opcodes, the memo included."""
    stack: list[Any] = []  # the depth of each item; _MARK for a mark
    memo: dict[Any, int] = {}
    for op, arg, _ in pickletools.genops(raw):
        taken: list[int] = []
        for kind in reversed(op.stack_before):
            if kind is pickletools.markobject:
                while stack and stack[-1] is not _MARK:
                    taken.append(stack.pop())
                if stack:
                    stack.pop()
            elif kind is not pickletools.stackslice:
                taken.append(stack.pop() if stack and stack[-1] is not _MARK else 0)
        if op.name in _IN_PLACE:  # the container keeps its place; its depth covers what went in
            depth = max(taken[-1] if taken else 0, 1 + max(taken[:-1], default=0))
        elif op.name in ("GET", "BINGET", "LONG_BINGET"):
            depth = memo.get(arg, 0)
        else:
            depth = 1 + max(taken, default=-1)
        if depth > MAX_NESTING:
            raise error(f"{where} nests its containers more than {MAX_NESTING} deep; a data file's pickle is a "
                        f"dict of arrays and lists")
        for kind in op.stack_after:
            stack.append(_MARK if kind is pickletools.markobject else depth)
        if op.name in ("PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE") and stack:
            memo[arg if op.name != "MEMOIZE" else len(memo)] = stack[-1]


def unpickle_arrays(raw: bytes, where: str, error: type[Exception]) -> Any:
    """What the pickle ``raw`` holds, if it is made of containers and numpy arrays only."""
    try:
        _check_nesting(raw, where, error)
        return _ArrayUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except error:
        raise
    except Exception as err:  # a damaged pickle can raise nearly anything
        raise error(f"cannot unpickle {where}: {type(err).__name__}: {err}") from None
