"""JSON from a file, bounded in bytes, in values and containers, and in depth before it is parsed.

A byte cap alone does not bound memory: 64 MiB of ``[],`` is 20 million lists, 1.6 GB once
parsed. The text is scanned first (strings blanked out, then brackets and commas counted and
the nesting followed with numpy), which costs about a quarter of the time parsing it takes.
"""
from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from .limits import LIMITS

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def _check_shape(data: bytes, where: str, error: type[Exception]) -> None:
    text = _STRING.sub(b'""', data)
    opens = text.count(b"[") + text.count(b"{")
    items = opens + text.count(b",") + 1
    if items > LIMITS.json_items:
        raise error(f"{where} holds about {items:,} JSON values, more than the {LIMITS.json_items:,} seqnet reads "
                    f"from a file (raise seqnet.limits.json_items for a file you trust)")
    folded = np.frombuffer(text, dtype=np.uint8) | 0x20  # "[" -> "{", "]" -> "}"
    brackets = folded[(folded == ord("{")) | (folded == ord("}"))]  # at most 2 per item: the count came first
    if brackets.size:
        depth = int(np.cumsum(np.where(brackets == ord("{"), 1, -1).astype(np.int8), dtype=np.int32).max())
        if depth > LIMITS.json_depth:
            raise error(f"{where} nests its JSON too deeply ({depth} levels; seqnet reads at most "
                        f"{LIMITS.json_depth})")


def parse_json(data: bytes | str, where: str, error: type[Exception], expect: type = dict) -> Any:
    """``data`` parsed as JSON of type ``expect`` (``object`` for any), within :data:`LIMITS`;
    ``error`` naming ``where`` for anything else."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if len(raw) > LIMITS.json_bytes:
        raise error(f"{where} is {len(raw):,} bytes of JSON, more than the {LIMITS.json_bytes:,} seqnet reads "
                    f"for a config")
    _check_shape(raw, where, error)
    try:
        value = json.loads(raw)
    except RecursionError:
        raise error(f"{where} nests its JSON too deeply to read") from None
    except ValueError as err:  # JSONDecodeError, and UnicodeDecodeError for bytes that are not text
        raise error(f"{where} is not valid JSON ({err})") from None
    if not isinstance(value, expect):
        raise error(f"{where} holds a JSON {type(value).__name__}, expected a JSON "
                    f"{'object' if expect is dict else expect.__name__}")
    return value
