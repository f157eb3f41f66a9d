import numpy as np
import pytest

from seqnet.datasets import load_iris, minibatches, one_hot, standardize


def test_iris_split_is_fixed_and_stratified():
    (X, y), (Xt, yt) = load_iris()
    assert X.shape == (120, 4) and Xt.shape == (30, 4)
    assert X.dtype == np.float32 and y.dtype == np.int64
    assert np.bincount(yt).tolist() == [10, 10, 10] and np.bincount(y).tolist() == [40, 40, 40]
    (X2, _), (Xt2, _) = load_iris()
    assert np.array_equal(X, X2) and np.array_equal(Xt, Xt2)
    assert X[:, 0].min() >= 4.3 and X[:, 0].max() <= 7.9  # measured in cm, not rescaled


def test_standardize_uses_training_statistics():
    a = np.array([[1.0, 5.0], [3.0, 5.0]])
    b = np.array([[2.0, 6.0]])
    sa, sb = standardize(a, b)
    assert np.allclose(sa, [[-1, 0], [1, 0]]) and np.allclose(sb, [[0, 1]])


def test_minibatches_cover_each_example_once():
    X, y = np.arange(10)[:, None], np.arange(10)
    batches = list(minibatches(X, y, batch_size=4, rng=np.random.default_rng(0)))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate([b[1] for b in batches]).tolist()) == list(range(10))
    assert [b.ravel().tolist() for b in minibatches(X, batch_size=5, shuffle=False)] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    with pytest.raises(ValueError):
        list(minibatches(X, y[:3]))


def test_one_hot():
    assert one_hot([2, 0], 3).tolist() == [[0, 0, 1], [1, 0, 0]]


# -- real file formats, written by the tests -----------------------------------------------------
import os
import pickle
from pathlib import Path

from seqnet.augment import crop_and_flip, random_crop, random_flip
from seqnet.datasets import (DatasetError, load_cifar10, load_fashion_mnist, load_kaggle_test, read_idx,
                             write_kaggle_submission)

from tests.helpers import fake_cifar, fake_fashion, write_idx


@pytest.mark.parametrize("gz", [True, False])
def test_fashion_mnist_reads_idx_files(tmp_path, gz):
    arrays = fake_fashion(tmp_path / "fm", gz=gz)
    (X, y), (Xt, yt) = load_fashion_mnist(tmp_path / "fm")
    assert X.shape == (12, 28, 28, 1) and X.dtype == np.uint8 and Xt.shape == (5, 28, 28, 1)
    assert np.array_equal(X[..., 0], arrays["train-images-idx3-ubyte"]) and y.dtype == np.int64
    assert np.array_equal(yt, arrays["t10k-labels-idx1-ubyte"])
    (Xn, _), _ = load_fashion_mnist(tmp_path / "fm", normalize=True)
    assert Xn.dtype == np.float32 and Xn.max() <= 1.0 and np.allclose(Xn * 255, X)


def test_fashion_mnist_search_path_and_message(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQNET_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr("seqnet.datasets.files.data_dirs", lambda: [tmp_path / "data", tmp_path / "home"])
    with pytest.raises(FileNotFoundError) as info:
        load_fashion_mnist()
    message = str(info.value)
    assert str(tmp_path / "data" / "fashion-mnist") in message
    assert "apt-get install dataset-fashion-mnist" in message and "download=True" in message and "path=" in message
    fake_fashion(tmp_path / "data" / "fashion-mnist")
    (X, _), _ = load_fashion_mnist()
    assert len(X) == 12


def test_default_search_order(monkeypatch, tmp_path):
    from seqnet.datasets import data_dirs
    monkeypatch.setenv("SEQNET_DATA", str(tmp_path))
    assert data_dirs()[0] == tmp_path and data_dirs()[-1] == Path("/usr/share/datasets")
    assert data_dirs()[1] == Path.home() / ".seqnet" / "datasets"


def test_idx_validation(tmp_path):
    good = write_idx(tmp_path / "x.gz", np.zeros((3, 2, 2)))
    assert read_idx(tmp_path / "x.gz").shape == (3, 2, 2)
    (tmp_path / "magic").write_bytes(b"\x12\x34" + good[2:])
    with pytest.raises(DatasetError, match="magic.*magic"):
        read_idx(tmp_path / "magic")
    (tmp_path / "short").write_bytes(good[:-3])
    with pytest.raises(DatasetError, match="short.*truncated: 9 of 12"):
        read_idx(tmp_path / "short")
    (tmp_path / "long").write_bytes(good + b"\x00")
    with pytest.raises(DatasetError, match="more data"):
        read_idx(tmp_path / "long")
    (tmp_path / "notgz.gz").write_bytes(good)
    with pytest.raises(DatasetError, match="notgz.gz"):
        read_idx(tmp_path / "notgz.gz")
    assert np.array_equal(read_idx(Path(write_idx(tmp_path / "i.gz", np.array([1, -2]), 0x0C) and tmp_path / "i.gz")),
                          [1, -2])


def test_label_count_mismatch(tmp_path):
    fake_fashion(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.arange(11) % 10)
    with pytest.raises(DatasetError, match="12 images but .* 11 labels"):
        load_fashion_mnist(tmp_path)


def test_cifar10_from_folder_and_tarball(tmp_path):
    batches = fake_cifar(tmp_path)
    for source in (tmp_path / "cifar-10-batches-py", tmp_path / "cifar-10-python.tar.gz", tmp_path):
        (X, y), (Xt, yt) = load_cifar10(source)
        assert X.shape == (20, 32, 32, 3) and X.dtype == np.uint8 and Xt.shape == (4, 32, 32, 3)
        first = batches["data_batch_1"][b"data"][1]
        assert np.array_equal(X[1, :, :, 0], first[:1024].reshape(32, 32))  # red plane
        assert np.array_equal(X[1, 5, 7], first[[5 * 32 + 7, 1024 + 5 * 32 + 7, 2048 + 5 * 32 + 7]])
        assert y[4:8].tolist() == batches["data_batch_2"][b"labels"]
        for limit in (3, 6, 50):  # within the first batch, across batches, more than there are
            (Xl, yl), (Xlt, ylt) = load_cifar10(source, limit=limit)
            assert np.array_equal(Xl, X[:limit]) and np.array_equal(yl, y[:limit]) and np.array_equal(Xlt, Xt[:limit])
            assert Xl.base is None or Xl.base.size == Xl.size  # not a view of the whole set


def test_cifar10_validation(tmp_path):
    fake_cifar(tmp_path)
    root = tmp_path / "cifar-10-batches-py"
    (root / "data_batch_3").write_bytes(pickle.dumps({b"data": np.zeros((4, 3072), np.uint8), b"labels": [1, 2]}))
    with pytest.raises(DatasetError, match="data_batch_3' has 4 images but 2 labels"):
        load_cifar10(root)
    (root / "data_batch_3").write_bytes(b"garbage")
    with pytest.raises(DatasetError, match="cannot unpickle CIFAR batch .*data_batch_3"):
        load_cifar10(root)
    (root / "data_batch_3").write_bytes(pickle.dumps({b"data": os.system, b"labels": []}))
    with pytest.raises(DatasetError, match="refusing to load"):
        load_cifar10(root)
    (root / "data_batch_3").unlink()
    with pytest.raises(DatasetError, match="no file 'data_batch_3'"):
        load_cifar10(root)
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes((tmp_path / "cifar-10-python.tar.gz").read_bytes()[:500])
    with pytest.raises(DatasetError, match="cut.tar.gz"):
        load_cifar10(truncated)
    with pytest.raises(FileNotFoundError, match="download=True"):
        load_cifar10(tmp_path / "nowhere")


def test_kaggle_test_file_and_submission(tmp_path):
    rng = np.random.default_rng(0)
    rows = rng.integers(0, 256, (3, 3072), dtype=np.uint8)
    np.save(tmp_path / "cifar_test_data.npy", rows)
    X = load_kaggle_test(tmp_path / "cifar_test_data.npy")
    assert X.shape == (3, 32, 32, 3) and np.array_equal(X[2, :, :, 1], rows[2, 1024:2048].reshape(32, 32))
    np.save(tmp_path / "bad.npy", rows[:, :100])
    with pytest.raises(DatasetError, match=r"\(3, 100\)"):
        load_kaggle_test(tmp_path / "bad.npy")
    path = write_kaggle_submission(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), tmp_path / "sub.csv")
    assert path.read_text() == "Id,Category\n1,1\n2,0\n3,1\n"
    write_kaggle_submission([4, 7], tmp_path / "sub2.csv")
    assert (tmp_path / "sub2.csv").read_text().splitlines() == ["Id,Category", "1,4", "2,7"]


REAL = Path("/usr/share/datasets/fashion-mnist")


@pytest.mark.skipif(not REAL.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_real_fashion_mnist():
    (X, y), (Xt, yt) = load_fashion_mnist(REAL)
    assert X.shape == (60000, 28, 28, 1) and Xt.shape == (10000, 28, 28, 1)
    assert np.bincount(y).tolist() == [6000] * 10 and np.bincount(yt).tolist() == [1000] * 10


def test_augmentation(rng):
    X = rng.integers(0, 255, (50, 8, 6, 3)).astype(np.uint8)
    flipped = random_flip(X, np.random.default_rng(0), p=1.0)
    assert np.array_equal(flipped, X[:, :, ::-1])
    assert np.array_equal(random_flip(X, np.random.default_rng(0), p=0.0), X)
    cropped = random_crop(X, np.random.default_rng(0), padding=2)
    assert cropped.shape == X.shape and cropped.dtype == X.dtype
    # every crop is a shifted copy: its non-padding pixels appear in the original at some offset
    for img, orig in zip(cropped[:5], X[:5]):
        padded = np.pad(orig, ((2, 2), (2, 2), (0, 0)))
        assert any(np.array_equal(img, padded[a:a + 8, b:b + 6]) for a in range(5) for b in range(5))
    assert not np.array_equal(cropped, X)
    assert crop_and_flip(X, np.random.default_rng(3)).shape == X.shape


def test_fashion_mnist_refuses_labels_outside_0_to_9(tmp_path):
    arrays = fake_fashion(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.array([0, 1, 12, 3, 4]))
    with pytest.raises(DatasetError, match=r"t10k-labels-idx1-ubyte.gz' has labels from 0 to 12; Fashion-MNIST's"):
        load_fashion_mnist(tmp_path)
    assert len(arrays["t10k-labels-idx1-ubyte"]) == 5


def test_cifar10_reads_batches_pickled_with_protocol_5(tmp_path):
    batches = fake_cifar(tmp_path)
    root = tmp_path / "cifar-10-batches-py"
    for name, batch in batches.items():
        batch = {**batch, b"data": np.asarray(batch[b"data"]), b"labels": np.asarray(batch[b"labels"])}
        (root / name).write_bytes(pickle.dumps(batch, protocol=5))  # numpy arrays by _frombuffer
    (X, y), _ = load_cifar10(root)
    assert X.shape == (20, 32, 32, 3) and np.array_equal(y[:4], batches["data_batch_1"][b"labels"])
    (root / "data_batch_2").write_bytes(pickle.dumps({b"data": os.system, b"labels": []}, protocol=5))
    with pytest.raises(DatasetError, match="refusing to load"):
        load_cifar10(root)


def test_iris_comes_shuffled_so_the_last_tenth_is_every_class():
    (_, y), (_, yt) = load_iris()
    assert sorted(set(y[-12:].tolist())) == [0, 1, 2] and sorted(set(yt[:10].tolist())) == [0, 1, 2]


def test_a_download_without_a_network_is_one_error_with_the_remedies(tmp_path, monkeypatch):
    """``--download`` where the host cannot be reached: the program's one-line error, no traceback."""
    import argparse
    import urllib.error
    import urllib.request

    from seqnet.datasets import load_cifar10
    from seqnet.experiment import load_or_exit

    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SEQNET_DATA", str(tmp_path / "none"))
    with pytest.raises(SystemExit) as stop:
        load_or_exit("cifar10_cnn.py", load_cifar10, argparse.Namespace(data=None, download=True))
    message = str(stop.value.code)
    assert message.startswith("cifar10_cnn.py: error: could not download") and "pass --data FILE" in message
    assert not list((tmp_path / ".seqnet" / "datasets").glob("*"))  # nothing half-written kept
