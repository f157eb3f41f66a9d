"""``keras.datasets.imdb``: 50,000 movie reviews as word ids, labelled by sentiment, as Keras ships
them (``imdb.npz``, its word index ``imdb_word_index.json``), with Keras's arguments."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..._safety import read_json
from ..._safety.arrays import load_ragged_npz
from ...datasets import DatasetError, data_dirs
from ...datasets.files import download

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"
SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json"
WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"


def find_local(path: str = "imdb.npz") -> Path | None:
    """The local copy of ``path`` (a path, or a file name in :func:`~seqnet.datasets.data_dirs`), if any."""
    local = [Path(path)] if Path(path).is_file() else [d / path for d in data_dirs()]
    return next((p for p in local if p.is_file()), None)


def _fetch(path: str, origin: str, **checksum: str) -> Path:
    """A local copy of ``path``, else downloaded once into ``~/.seqnet/datasets`` with its
    checksum verified."""
    found = find_local(path)
    if found is None:
        found = Path.home() / ".seqnet" / "datasets" / Path(path).name
        download(origin, found, **checksum)
    return found


def load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0, maxlen: int | None = None,
              seed: int = 113, start_char: int | None = 1, oov_char: int | None = 2, index_from: int = 3,
              **kwargs: Any) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``(x_train, y_train), (x_test, y_test)``, as Keras's ``imdb.load_data``: each review an
    object array entry holding a list of word ids (a word's id is its frequency rank plus
    ``index_from``), shuffled with ``seed``; labels 0 (negative) or 1 (positive).

    ``num_words`` keeps the most frequent words (others become ``oov_char``, or are dropped when
    it is None), as does ``skip_top`` for the most frequent ones; ``maxlen`` drops longer
    reviews; ``start_char`` starts every review. Pad them with :func:`~seqnet.keras.utils.pad_sequences`.
    """
    if kwargs:
        raise TypeError(f"imdb.load_data: unknown arguments {sorted(kwargs)}")
    arrays = load_ragged_npz(_fetch(path, ORIGIN, sha256=SHA256), ("x_train", "y_train", "x_test", "y_test"),
                             DatasetError, "IMDB file")
    rng = np.random.RandomState(seed)
    parts = []
    for x_key, y_key in (("x_train", "y_train"), ("x_test", "y_test")):
        x, y = arrays[x_key], arrays[y_key]
        if len(x) != len(y):
            raise DatasetError(f"'{path}': {x_key} has {len(x)} reviews but {y_key} {len(y)} labels")
        order = np.arange(len(x))
        rng.shuffle(order)
        x, y = x[order], y[order]
        head = [] if start_char is None else [start_char]
        x = [head + [w + index_from for w in review] for review in x]
        if maxlen:
            kept = [i for i, review in enumerate(x) if len(review) < maxlen]
            x, y = [x[i] for i in kept], y[kept]
        parts.append((x, y))
    (x_train, y_train), (x_test, y_test) = parts
    if maxlen and (not x_train or not x_test):
        raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. "
                         f"Increase maxlen.")
    reviews = x_train + x_test
    if not num_words:
        num_words = max(max(review) for review in reviews)
    if oov_char is not None:
        reviews = [[w if skip_top <= w < num_words else oov_char for w in review] for review in reviews]
    else:
        reviews = [[w for w in review if skip_top <= w < num_words] for review in reviews]

    def as_array(lists: list[list[int]]) -> np.ndarray:
        out = np.empty(len(lists), dtype=object)
        out[:] = lists
        return out
    return ((as_array(reviews[:len(x_train)]), y_train), (as_array(reviews[len(x_train):]), y_test))


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """``{word: rank}`` (1 is the most frequent word; add ``index_from`` for its id in the reviews)."""
    found = _fetch(path, WORD_INDEX_ORIGIN, md5=WORD_INDEX_MD5)
    index = read_json(found, DatasetError, dict, "IMDB word index")
    if not isinstance(index, dict) or not all(isinstance(k, str) and isinstance(v, int) for k, v in index.items()):
        raise DatasetError(f"'{found}' is not a JSON object of words and their ranks")
    return index
