"""Seeded mutations of valid files: bytes cut, flipped and overwritten with large counts; JSON made
deeper, bigger or of the wrong type; HDF5 datasets and archive members and headers inflated;
pickles nested; a file swapped for a link, a named pipe, a device or a folder.

Each function changes the file (or folder) in place and returns what it did, in words.
"""
from __future__ import annotations

import gzip
import json
import os
import struct
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import h5py
import numpy as np

LARGE = [0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 2**40, 2**62, 0xFFFF, 10**9, 2**31 + 5]


def mutate(target: Path, is_folder: bool, rng: np.random.Generator) -> str:
    if is_folder:
        files = sorted(p for p in target.rglob("*") if p.is_file() and not p.is_symlink())
        victim = files[int(rng.integers(len(files)))]
        where = victim.relative_to(target).as_posix()
        if rng.random() < 0.2:
            return f"{where}: " + swap(victim, rng, target.parent)
        return f"{where}: " + mutate_file(victim, rng)
    if rng.random() < 0.06:
        return swap(target, rng, None)
    return mutate_file(target, rng)


# -- bytes ---------------------------------------------------------------------------------------------
def mutate_bytes(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    if not data:
        return b"\0", "an empty file given one byte"
    at = int(rng.integers(len(data)))
    choice = int(rng.integers(5))
    if choice == 0:
        return data[:at], f"cut at byte {at} of {len(data)}"
    if choice == 1:
        out = bytearray(data)
        for _ in range(int(rng.integers(1, 9))):
            i = int(rng.integers(len(out)))
            out[i] ^= 1 << int(rng.integers(8))
        return bytes(out), "bits flipped"
    if choice == 2:
        value, width, order = int(rng.choice(LARGE)), int(rng.choice([2, 4, 8])), str(rng.choice(["<", ">"]))
        packed = struct.pack(order + {2: "H", 4: "I", 8: "Q"}[width], value % (1 << (8 * width)))
        return data[:at] + packed + data[at + width:], f"{value} written over {width} bytes at {at}"
    if choice == 3:
        digits = b"7" * 11
        return data[:at] + digits + data[at + len(digits):], f"octal 77777777777 written at {at}"
    size = int(rng.integers(1, 4096))
    return data[:at] + data[at:at + size] * int(rng.integers(2, 50)) + data[at + size:], f"bytes {at}+{size} repeated"


def mutate_file(path: Path, rng: np.random.Generator) -> str:
    data = path.read_bytes()
    roll = rng.random()
    name = path.name.lower()
    if data.startswith(b"\x89HDF") and roll < 0.5:
        return mutate_hdf5(path, rng)
    if data.startswith(b"PK") and roll < 0.5:
        return mutate_zip(path, rng)
    if name.endswith(".json") and roll < 0.7:
        value, what = mutate_json(json.loads(data), rng)
        path.write_text(value)
        return what
    if name.endswith((".tar", ".tar.gz", ".tgz")) and roll < 0.3:
        return inflate_tar_header(path, rng)
    if data.startswith(b"\x80") and roll < 0.2:
        path.write_bytes(nested_pickle(int(rng.choice([40, 10_000, 200_000]))))
        return "a pickle nested deep"
    mutated, what = mutate_bytes(data, rng)
    path.write_bytes(mutated)
    return what


# -- JSON ----------------------------------------------------------------------------------------------
def _paths(value: Any, here: tuple = ()) -> list[tuple]:
    found = [here]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, here + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, here + (i,))
    return found


def mutate_json(value: Any, rng: np.random.Generator) -> tuple[str, str]:
    paths = _paths(value)
    path = paths[int(rng.integers(len(paths)))]
    replacements = [
        ("nested 100,000 deep", None), ("10**12", 10**12), ("-1", -1), ("0", 0), ("a string", "x"),
        ("null", None), ("an empty object", {}), ("an empty list", []), ("NaN", float("nan")), ("1e308", 1e308),
        ("true", True), ("300,000 empty lists", None), ("a list of numbers", [3, 4])]
    what, new = replacements[int(rng.integers(len(replacements)))]
    text_marker = "\u0000MARK\u0000"
    if not path:
        value = text_marker
    else:
        node = value
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = text_marker if what in ("nested 100,000 deep", "300,000 empty lists") else new
    text = json.dumps(value)
    marker = json.dumps(text_marker)
    if what == "nested 100,000 deep":
        text = text.replace(marker, "[" * 100_000 + "]" * 100_000)
    elif what == "300,000 empty lists":
        text = text.replace(marker, "[" + ",".join(["[]"] * 300_000) + "]")
    elif not path:
        text = json.dumps(new)
    return text, f"JSON at {list(path)} made {what}"


# -- HDF5 ----------------------------------------------------------------------------------------------
def mutate_hdf5(path: Path, rng: np.random.Generator) -> str:
    with h5py.File(path, "r+") as f:
        attrs, datasets = [], []

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset):
                datasets.append(name)
            for key, v in obj.attrs.items():
                if isinstance(v, (str, bytes)) and v[:1] in ("{", "[", b"{", b"["):
                    attrs.append((name, key))
        visit("/", f)
        f.visititems(visit)
        if attrs and (rng.random() < 0.5 or not datasets):
            name, key = attrs[int(rng.integers(len(attrs)))]
            text, what = mutate_json(json.loads(f[name].attrs[key]), rng)
            f[name].attrs[key] = text
            return f"HDF5 attribute {name}:{key}: {what}"
        if not datasets:
            return "HDF5 unchanged (nothing to mutate)"
        name = datasets[int(rng.integers(len(datasets)))]
        ds = f[name]
        shape, dtype = ds.shape or (1,), ds.dtype
        factor = int(rng.choice([1000, 10**6, 10**8]))
        big = (shape[0] * factor, *shape[1:])
        del f[name]
        new = f.create_dataset(name, shape=big, dtype=dtype, chunks=(1, *shape[1:]), compression="gzip")
        new[:min(10, big[0])] = 0
        return f"HDF5 dataset {name} declared {big} ({factor}x) with 10 rows stored"


# -- archives ------------------------------------------------------------------------------------------
def mutate_zip(path: Path, rng: np.random.Generator) -> str:
    with zipfile.ZipFile(path) as z:
        members = {info.filename: z.read(info) for info in z.infolist()}
    name = sorted(members)[int(rng.integers(len(members)))]
    data = members[name]
    if rng.random() < 0.25:
        members[name] = data + b"\0" * int(rng.choice([10**6, 3 * 10**7]))
        what = f"zip member {name} inflated with zeros"
    else:
        with tempfile.TemporaryDirectory() as tmp:
            inner = Path(tmp) / name.replace("/", "_")
            inner.write_bytes(data)
            what = f"zip member {name}: " + mutate_file(inner, rng)
            members[name] = inner.read_bytes()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for member, value in members.items():
            z.writestr(member, value)
    return what


def inflate_tar_header(path: Path, rng: np.random.Generator) -> str:
    """A pax header declaring a huge size in front of the archive, with little data behind it."""
    size = int(rng.choice([2**21, 2**28, 2**31]))
    info = tarfile.TarInfo("././@PaxHeader")
    info.type, info.size = tarfile.XHDTYPE, size
    header = info.tobuf(format=tarfile.USTAR_FORMAT) + b"\0" * 1024
    data = path.read_bytes()
    compressed = data.startswith(b"\x1f\x8b")
    raw = gzip.decompress(data) if compressed else data
    raw = header + raw
    path.write_bytes(gzip.compress(raw) if compressed else raw)
    return f"a pax header declaring {size:,} bytes put first"


def nested_pickle(depth: int) -> bytes:
    """``{tuple nested depth deep: None}``, in raw opcodes (pickle itself cannot write one)."""
    return b"\x80\x02}" + b"(" * depth + b"t" * depth + b"Ns."


# -- links and special files ---------------------------------------------------------------------------
def swap(path: Path, rng: np.random.Generator, outside_of: Path | None) -> str:
    """``outside_of``: the folder above the one the user named, for a member of it; None for a file
    the user named."""
    choice = int(rng.integers(6))
    outside = (outside_of or path.parent) / f"outside-{path.name}"
    if not outside.exists():
        outside.write_bytes(path.read_bytes())
    path.unlink()
    if choice == 0:
        os.symlink("/dev/zero", path)
        return "swapped for a link to /dev/zero"
    if choice == 1:
        os.mkfifo(path)
        return "swapped for a named pipe"
    if choice == 2:
        path.mkdir()
        return "swapped for a folder"
    if choice == 3:
        os.symlink(path, path)
        return "swapped for a link to itself"
    if choice == 4 and outside_of is not None:
        os.symlink(outside, path)
        return "swapped for a link to a file outside its folder"
    os.symlink(outside, path)
    return "swapped for a link (to a copy of itself)"
