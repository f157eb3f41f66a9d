"""Every kind of file seqnet reads: how to make a valid one, how seqnet reads it, and the errors it
may answer with. :mod:`tests.safety.fuzz_worker` mutates the valid files and reads them.

Each kind is ``Kind(make, read, errors)``: ``make(folder) -> path`` writes a small valid file (or
folder), ``read(path)`` reads it the way a user does, and ``errors`` are the documented errors a
damaged one may raise (their message must name the file).
"""
from __future__ import annotations

import gzip
import io
import os
import struct
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

import seqnet
from seqnet import ModelFileError
from seqnet.datasets import DatasetError


class CommandFailed(Exception):
    """The ``seqnet`` command answered 1 with one line on stderr (its documented error)."""


@dataclass
class Kind:
    make: Callable[[Path], Path]
    read: Callable[[Path], Any]
    errors: tuple[type[Exception], ...]
    folder: bool = False  # a folder of files: mutations go to one of its files, or swap one for a link


def _model(seed: int = 0) -> Any:
    from seqnet.layers import Conv2D, Dense, Flatten, MaxPool2D
    model = seqnet.Sequential([Conv2D(2, 3, padding="same", activation="relu"), MaxPool2D(2), Flatten(),
                               Dense(3, activation="softmax")], seed=seed)
    model.compile(optimizer=seqnet.optimizers.Adam(lr=0.01), loss="cross_entropy", metrics=["accuracy"])
    X = np.random.default_rng(seed).random((8, 4, 4, 1)).astype(np.float32)
    model.fit(X, np.arange(8) % 3, epochs=1, batch_size=4, verbose=0)
    return model


def make_seqnet_h5(folder: Path) -> Path:
    _model().save(folder / "m.h5")
    return folder / "m.h5"


def make_keras(folder: Path) -> Path:
    _model().save(folder / "m.keras")
    return folder / "m.keras"


def make_weights(folder: Path) -> Path:
    _model().save_weights(folder / "m.weights.h5")
    return folder / "m.weights.h5"


def make_keras_h5(folder: Path) -> Path:
    from tests.saving.test_keras2_h5 import keras2_config, keras2_weights, write_keras2
    write_keras2(folder / "k2.h5", keras2_config(), keras2_weights(np.random.default_rng(0)),
                 {"loss": "categorical_crossentropy", "metrics": ["acc"],
                  "optimizer_config": {"class_name": "Adam", "config": {"learning_rate": 0.001}}})
    return folder / "k2.h5"


def make_json(folder: Path) -> Path:
    import seqnet.keras as keras
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(2)])
    (folder / "model.json").write_text(model.to_json())
    return folder / "model.json"


def read_json_model(path: Path) -> Any:
    import seqnet.keras as keras
    from seqnet._safety import read_text
    text = read_text(path, ModelFileError, "JSON model")
    try:
        return keras.models.model_from_json(text)
    except ModelFileError as err:
        raise ModelFileError(f"'{path}': {err}") from None  # the string has no name; the test names its file


def read_weights(path: Path) -> Any:
    model = _model(seed=1)
    model.load_weights(path)
    return model


def make_cifar_folder(folder: Path) -> Path:
    from tests.helpers import fake_cifar
    fake_cifar(folder / "cifar")
    return folder / "cifar" / "cifar-10-batches-py"


def make_cifar_tar(folder: Path) -> Path:
    from tests.helpers import fake_cifar
    fake_cifar(folder / "src")
    return folder / "src" / "cifar-10-python.tar.gz"


def make_idx(folder: Path, compressed: bool = False) -> Path:
    images = np.random.default_rng(0).integers(0, 256, (5, 6, 7), dtype=np.uint8)
    data = struct.pack(">BBBB", 0, 0, 0x08, 3) + struct.pack(">3I", *images.shape) + images.tobytes()
    path = folder / ("images-idx3-ubyte" + (".gz" if compressed else ""))
    path.write_bytes(gzip.compress(data) if compressed else data)
    return path


def make_fashion_folder(folder: Path) -> Path:
    from tests.helpers import fake_fashion
    fake_fashion(folder / "fashion-mnist")
    return folder / "fashion-mnist"


def _png(color: int) -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (5, 4), (color, 255 - color, 7)).save(out, format="PNG")
    return out.getvalue()


def make_image_folder(folder: Path) -> Path:
    root = folder / "images"
    for c, name in enumerate(("cat", "dog")):
        (root / name).mkdir(parents=True)
        for i in range(3):
            (root / name / f"{i}.png").write_bytes(_png(40 * c + i))
    return root


def make_image_zip(folder: Path) -> Path:
    root = make_image_folder(folder)
    with zipfile.ZipFile(folder / "images.zip", "w") as z:  # stored: images compress little anyway
        for path in sorted(root.rglob("*.png")):
            z.write(path, path.relative_to(root).as_posix())
    return folder / "images.zip"


def make_image_tar(folder: Path) -> Path:
    root = make_image_folder(folder)
    with tarfile.open(folder / "images.tar", "w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(root, arcname="images")
    return folder / "images.tar"


def make_npy(folder: Path) -> Path:
    np.save(folder / "x.npy", np.random.default_rng(0).random((8, 4, 4, 1)).astype(np.float32))
    return folder / "x.npy"


def make_kaggle(folder: Path) -> Path:
    np.save(folder / "cifar_test_data.npy", np.random.default_rng(0).integers(0, 256, (3, 3072), dtype=np.uint8))
    return folder / "cifar_test_data.npy"


def make_npz(folder: Path) -> Path:
    rng = np.random.default_rng(0)
    np.savez(folder / "mnist.npz", x_train=rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
             y_train=np.arange(6, dtype=np.uint8), x_test=rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
             y_test=np.arange(2, dtype=np.uint8))
    return folder / "mnist.npz"


def make_imdb(folder: Path) -> Path:
    rng = np.random.default_rng(0)

    def reviews(n):
        out = np.empty(n, dtype=object)
        out[:] = [rng.integers(1, 30, size=4 + i % 3).tolist() for i in range(n)]
        return out
    np.savez(folder / "imdb.npz", x_train=reviews(4), y_train=np.arange(4) % 2, x_test=reviews(2),
             y_test=np.arange(2))
    return folder / "imdb.npz"


def make_word_index(folder: Path) -> Path:
    (folder / "imdb_word_index.json").write_text('{"the": 1, "and": 2, "film": 3}')
    return folder / "imdb_word_index.json"


def make_run_folder(folder: Path) -> Path:
    from seqnet.experiment import Run
    run = Run("fuzz", {"lr": 0.01, "epochs": 1}, root=folder / "runs")
    model = _model()
    run.finish(model, {"test_accuracy": 0.5})
    return run.dir


def command(*args: str) -> Callable[[Path], Any]:
    """Read with the ``seqnet`` command, as a user at a shell does: 0, or 1 with one line."""
    def read(path: Path) -> Any:
        import contextlib
        from seqnet.cli import main
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main([a.replace("{path}", str(path)) for a in args])
        text = err.getvalue().strip()
        if code == 0:
            return None
        if code == 1 and text.count("\n") == 0 and "Traceback" not in text:
            raise CommandFailed(text)
        raise AssertionError(f"seqnet {' '.join(args)} answered {code} with {text!r}")
    return read


def _predict_npy(folder: Path) -> Callable[[Path], Any]:
    return command("predict", str(folder / "ref.h5"), "{path}", "--out", str(folder / "out.npy"))


KINDS: dict[str, Kind] = {
    "seqnet-h5": Kind(make_seqnet_h5, seqnet.load_model, (ModelFileError,)),
    "keras": Kind(make_keras, seqnet.load_model, (ModelFileError,)),
    "keras-h5": Kind(make_keras_h5, seqnet.load_model, (ModelFileError,)),
    "weights-h5": Kind(make_weights, read_weights, (ModelFileError,)),
    "summary": Kind(make_seqnet_h5, command("summary", "{path}"), (CommandFailed,)),
    "json-config": Kind(make_json, read_json_model, (ModelFileError,)),
    "cifar-folder": Kind(make_cifar_folder, seqnet.datasets.load_cifar10, (DatasetError,), folder=True),
    "cifar-tar": Kind(make_cifar_tar, seqnet.datasets.load_cifar10, (DatasetError,)),
    "idx": Kind(make_idx, seqnet.datasets.read_idx, (DatasetError,)),
    "idx-gz": Kind(lambda f: make_idx(f, compressed=True), seqnet.datasets.read_idx, (DatasetError,)),
    "fashion-folder": Kind(make_fashion_folder, seqnet.datasets.load_fashion_mnist, (DatasetError,), folder=True),
    "image-folder": Kind(make_image_folder, seqnet.datasets.load_image_folder, (DatasetError,), folder=True),
    "image-zip": Kind(make_image_zip, seqnet.datasets.load_image_folder, (DatasetError,)),
    "image-tar": Kind(make_image_tar, seqnet.datasets.load_image_folder, (DatasetError,)),
    "image-stream": Kind(make_image_folder, lambda p: [b for b in seqnet.datasets.ImageFolderDataset(p)],
                         (DatasetError,), folder=True),
    "kaggle-npy": Kind(make_kaggle, seqnet.datasets.load_kaggle_test, (DatasetError,)),
    "npz": Kind(make_npz, lambda p: seqnet.keras.datasets.mnist.load_data(str(p)), (DatasetError,)),
    "imdb-npz": Kind(make_imdb, lambda p: seqnet.keras.datasets.imdb.load_data(str(p)), (DatasetError,)),
    "imdb-word-index": Kind(make_word_index, lambda p: seqnet.keras.datasets.imdb.get_word_index(str(p)),
                            (DatasetError,)),
    "run-folder": Kind(make_run_folder, command("report", "{path}"), (CommandFailed,), folder=True),
}


def reader_for(name: str, folder: Path) -> Callable[[Path], Any]:
    """The reader of kind ``name``; ``predict-npy`` needs a model beside it, made in ``folder``."""
    if name == "predict-npy":
        make_seqnet_h5(folder).rename(folder / "ref.h5")
        return _predict_npy(folder)
    return KINDS[name].read


KINDS["predict-npy"] = Kind(make_npy, None, (CommandFailed,))  # type: ignore[arg-type]

# what reads files, by construction: every model file format and every loader maps to its kinds
FORMAT_KINDS = {"seqnet-h5": ["seqnet-h5", "summary"], "keras": ["keras"], "keras-h5": ["keras-h5"],
                "keras-weights": ["weights-h5"]}
WRITE_ONLY_FORMATS = {"onnx"}  # load refuses without reading
READER_KINDS = {"seqnet.datasets.load_image_folder": ["image-folder", "image-zip", "image-tar"],
                "seqnet.datasets.ImageFolderDataset": ["image-stream"],
                "seqnet.datasets.load_fashion_mnist": ["fashion-folder"], "seqnet.datasets.read_idx": ["idx", "idx-gz"],
                "seqnet.datasets.load_cifar10": ["cifar-folder", "cifar-tar"],
                "seqnet.datasets.load_kaggle_test": ["kaggle-npy"], "seqnet.keras.datasets.mnist": ["npz"],
                "seqnet.keras.datasets.fashion_mnist": ["fashion-folder"], "seqnet.keras.datasets.cifar10": ["cifar-tar"],
                "seqnet.keras.datasets.imdb": ["imdb-npz", "imdb-word-index"],
                "seqnet.keras.models.model_from_json": ["json-config"],
                "seqnet summary": ["summary"], "seqnet predict": ["predict-npy"], "seqnet evaluate": ["predict-npy"],
                "seqnet report": ["run-folder"], "seqnet export": ["seqnet-h5"]}
NOT_READERS = {"seqnet.datasets.load_iris": "reads the copy inside the package, not a file of the user's"}


def environment() -> dict[str, str]:
    return {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
