"""Image folders: small images the tests write (PNG and JPEG, grey, RGB and RGBA) in folders and in
.tar, .tar.gz and .zip archives; the streaming dataset for fit; CIFAR-10 in that form."""
import shutil
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

import seqnet
from seqnet.datasets import DatasetError, ImageFolderDataset, load_cifar10, load_image_folder

Image = pytest.importorskip("PIL.Image")
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "cifar10-jpeg" / "cifar10-jpeg.tar.gz"


def write_images(root, classes=("cat", "dog"), per_class=3, size=(6, 5), rng=None, mode="RGB", suffix=".png"):
    """``root/<class>/<i><suffix>`` with random pixels; returns the arrays written, by (class, i)."""
    rng = rng or np.random.default_rng(0)
    written = {}
    for c in classes:
        (root / c).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            channels = {"RGB": 3, "L": 1, "RGBA": 4}[mode]
            pixels = rng.integers(0, 256, (*size, channels), dtype=np.uint8)
            Image.fromarray(pixels[..., 0] if mode == "L" else pixels, mode).save(root / c / f"{i}{suffix}")
            written[(c, i)] = pixels
    return written


def archive(folder, target):
    """``folder`` packed as ``target`` (.tar, .tar.gz or .zip), its name the single top-level entry."""
    if target.name.endswith(".zip"):
        with zipfile.ZipFile(target, "w") as z:
            for p in sorted(folder.rglob("*")):
                if p.is_file():
                    z.write(p, Path(folder.name) / p.relative_to(folder))
    else:
        with tarfile.open(target, "w:gz" if target.name.endswith("gz") else "w") as tar:
            tar.add(folder, arcname=folder.name)
    return target


def test_a_folder_gives_images_labels_and_sorted_class_names(tmp_path):
    written = write_images(tmp_path / "pets", classes=("dog", "cat", "bird"))
    X, y, names = load_image_folder(tmp_path / "pets")
    assert names == ["bird", "cat", "dog"] and X.shape == (9, 6, 5, 3) and X.dtype == np.uint8
    assert y.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert np.array_equal(X[3], written[("cat", 0)])  # PNG is lossless: the very pixels


@pytest.mark.parametrize("suffix", [".tar", ".tar.gz", ".zip"])
def test_archives_read_like_the_folder_with_the_top_folder_looked_through(tmp_path, suffix):
    write_images(tmp_path / "pets" / "train")
    write_images(tmp_path / "pets" / "test", per_class=2, rng=np.random.default_rng(1))
    packed = archive(tmp_path / "pets", tmp_path / f"pets{suffix}")
    for subset, n in (("train", 6), ("test", 4)):
        X, y, names = load_image_folder(packed, subset=subset)
        X_dir, y_dir, _ = load_image_folder(tmp_path / "pets", subset=subset)
        assert X.shape[0] == n and names == ["cat", "dog"]
        assert np.array_equal(X, X_dir) and np.array_equal(y, y_dir)


@pytest.mark.parametrize("suffix", [".tar", ".tar.gz"])
def test_an_archive_with_a_file_and_a_link_of_one_name_is_refused_naming_it(tmp_path, suffix):
    """tar extracts the last of two members of one name; seqnet does not guess which image is meant."""
    write_images(tmp_path / "data")
    target = tmp_path / f"twice{suffix}"
    with tarfile.open(target, "w:gz" if suffix == ".tar.gz" else "w") as tar:
        tar.add(tmp_path / "data", arcname="data")
        link = tarfile.TarInfo("data/cat/0.png")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    readers = [load_image_folder] + ([lambda root: ImageFolderDataset(root, batch_size=2)] if suffix == ".tar" else [])
    for read in readers:  # (the streaming dataset reads uncompressed archives only)
        with pytest.raises(DatasetError, match="'data/cat/0.png' twice"):
            read(target)


def test_colour_modes_resizing_and_jpeg(tmp_path):
    write_images(tmp_path / "grey", mode="L")
    X, _, _ = load_image_folder(tmp_path / "grey")
    assert X.shape[-1] == 3 and np.array_equal(X[..., 0], X[..., 1])  # grey becomes RGB...
    assert load_image_folder(tmp_path / "grey", color_mode="grayscale")[0].shape[-1] == 1  # ...or stays one channel
    write_images(tmp_path / "rgba", mode="RGBA")
    assert load_image_folder(tmp_path / "rgba")[0].shape[-1] == 3
    assert load_image_folder(tmp_path / "rgba", color_mode="rgba")[0].shape[-1] == 4
    write_images(tmp_path / "jpeg", suffix=".jpg", size=(8, 8))
    assert load_image_folder(tmp_path / "jpeg", image_size=(4, 3))[0].shape == (6, 4, 3, 3)


@pytest.mark.parametrize("spoil, message", [
    (lambda root: (root / "cat" / "notes.txt").write_text("hi"), r"notes.txt' is not an image file"),
    (lambda root: (root / "cat" / "broken.jpg").write_bytes(b"not a jpeg"), r"broken.jpg' is not an image Pillow"),
    (lambda root: write_images(root, classes=("cow",), per_class=1, size=(7, 7)), r"different sizes.*image_size"),
    (lambda root: (root / "stray.png").write_bytes(b""), r"stray.png' sits outside the class folders"),
])
def test_what_is_not_an_image_folder_is_an_error_naming_the_file(tmp_path, spoil, message):
    write_images(tmp_path / "pets")
    spoil(tmp_path / "pets")
    with pytest.raises(DatasetError, match=message):
        load_image_folder(tmp_path / "pets")


def test_empty_missing_and_hidden(tmp_path):
    (tmp_path / "empty" / "cat").mkdir(parents=True)
    with pytest.raises(DatasetError, match="holds no images"):
        load_image_folder(tmp_path / "empty")
    with pytest.raises(FileNotFoundError):
        load_image_folder(tmp_path / "nowhere")
    with pytest.raises(DatasetError, match="holds no images at train/"):
        write_images(tmp_path / "flat")
        load_image_folder(tmp_path / "flat", subset="train")
    (tmp_path / "flat" / "cat" / ".DS_Store").write_bytes(b"\0")  # hidden files are skipped
    assert len(load_image_folder(tmp_path / "flat")[0]) == 6


def test_the_streaming_dataset_feeds_fit_from_disk(tmp_path):
    write_images(tmp_path / "pets" / "train", per_class=5, size=(8, 8))
    data = ImageFolderDataset(tmp_path / "pets", batch_size=4, subset="train", seed=0)
    assert len(data) == 3 and data.class_names == ["cat", "dog"]
    X, y = data[0]
    assert X.shape == (4, 8, 8, 3) and X.dtype == np.float32 and X.max() <= 1.0
    seen = np.concatenate([data[i][1] for i in range(len(data))])
    assert sorted(seen.tolist()) == [0] * 5 + [1] * 5  # every image once an epoch
    from seqnet.layers import Conv2D, Dense, Flatten
    model = seqnet.Sequential([Conv2D(2, 3, input_shape=(8, 8, 3)), Flatten(), Dense(2, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy", ["accuracy"])
    history = model.fit(data, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    zipped = archive(tmp_path / "pets", tmp_path / "pets.zip")
    assert len(ImageFolderDataset(zipped, batch_size=4, subset="train")) == 3
    with pytest.raises(DatasetError, match="extract it"):
        ImageFolderDataset(archive(tmp_path / "pets", tmp_path / "pets.tar.gz"), subset="train")


def test_load_cifar10_reads_image_folders(tmp_path):
    classes = seqnet.datasets.CIFAR10_CLASSES
    write_images(tmp_path / "c10" / "train", classes=classes, per_class=2, size=(32, 32))
    write_images(tmp_path / "c10" / "test", classes=classes, per_class=1, size=(32, 32))
    (X, y), (X_test, y_test) = load_cifar10(archive(tmp_path / "c10", tmp_path / "c10.tar.gz"))
    assert X.shape == (20, 32, 32, 3) and X_test.shape == (10, 32, 32, 3) and sorted(y_test.tolist()) == list(range(10))
    assert y[:10].tolist() != sorted(y[:10].tolist()) and np.bincount(y).tolist() == [2] * 10  # mixed, as the batches
    (X3, y3), (X3_test, y3_test) = load_cifar10(tmp_path / "c10", limit=3)  # the same order's first 3
    assert np.array_equal(X3, X[:3]) and np.array_equal(y3, y[:3]) and np.array_equal(X3_test, X_test[:3])
    shutil.rmtree(tmp_path / "c10" / "test" / "truck")
    with pytest.raises(DatasetError, match="not CIFAR-10's"):
        load_cifar10(tmp_path / "c10")


def test_with_a_limit_only_the_images_used_are_decoded(tmp_path, monkeypatch):
    from seqnet.datasets import images
    classes = seqnet.datasets.CIFAR10_CLASSES
    write_images(tmp_path / "c10" / "train", classes=classes, per_class=3, size=(32, 32))
    write_images(tmp_path / "c10" / "test", classes=classes, per_class=1, size=(32, 32))
    decoded = []
    real = images._decode
    monkeypatch.setattr(images, "_decode", lambda data, where, *a: decoded.append(where) or real(data, where, *a))
    (X, _), (X_test, _) = load_cifar10(tmp_path / "c10", limit=4)
    assert len(X) == len(X_test) == 4 and len(decoded) == 8
    with pytest.raises(ValueError, match="limit must be a positive int"):
        load_cifar10(tmp_path / "c10", limit=0)


@pytest.mark.skipif(not SHARED.is_file(), reason="the shared CIFAR-10 JPEG archive is not on this machine")
def test_the_shared_cifar10_jpeg_archive():
    X, y, names = load_image_folder(SHARED, subset="test")
    assert X.shape == (10000, 32, 32, 3) and names == seqnet.datasets.CIFAR10_CLASSES
    assert np.bincount(y).tolist() == [1000] * 10
    assert np.allclose(X.reshape(-1, 3).mean(0), (125.27, 122.93, 113.86), atol=1.0)  # the README's figures


@pytest.mark.parametrize("kind", ["PPM", "EPS"])
def test_an_image_file_reaches_only_the_image_decoders_seqnet_documents(tmp_path, kind):
    """A ``.png`` that is really another format Pillow opens (a PPM it would decode, an EPS it would
    hand to Ghostscript) is not an image here: only JPEG, PNG, BMP and GIF decoders are reached."""
    write_images(tmp_path / "data")
    target = tmp_path / "data" / "cat" / "0.png"
    if kind == "PPM":
        Image.fromarray(np.zeros((6, 5, 3), np.uint8)).save(target, format="PPM")
    else:
        target.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 8 8\nshowpage\n")
    with pytest.raises(DatasetError, match="0.png' is not an image Pillow can read"):
        load_image_folder(tmp_path / "data")
