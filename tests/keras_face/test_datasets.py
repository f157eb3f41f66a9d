"""``seqnet.keras.datasets``: Keras's arrays and dtypes; the download path tested against a local
HTTP server on 127.0.0.1 serving small files made here (a good one, a cut-off one, a wrong one)."""
import hashlib
import http.server
import io
import threading

import numpy as np
import pytest

import seqnet.keras as keras
from seqnet.datasets import DatasetError
from tests.helpers import fake_cifar, fake_fashion


def small_mnist():
    rng = np.random.default_rng(0)
    out = io.BytesIO()
    np.savez(out, x_train=rng.integers(0, 256, (6, 28, 28), dtype=np.uint8), y_train=np.arange(6, dtype=np.uint8),
             x_test=rng.integers(0, 256, (2, 28, 28), dtype=np.uint8), y_test=np.arange(2, dtype=np.uint8))
    return out.getvalue()


@pytest.fixture
def server():
    """``(base_url, files)``: files put in the dict are served; a name ending in ``.cut`` sends half
    of its bytes under a Content-Length for all of them, then closes the connection."""
    files = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.lstrip("/")
            data = files.get(name.removesuffix(".cut"))
            if data is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:len(data) // 2] if name.endswith(".cut") else data)

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", files
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SEQNET_DATA", str(tmp_path / "nowhere"))
    return tmp_path


def test_mnist_downloads_once_verifies_and_caches(server, home, monkeypatch):
    base, files = server
    files["mnist.npz"] = data = small_mnist()
    monkeypatch.setattr(keras.datasets.mnist, "ORIGIN", base + "mnist.npz")
    monkeypatch.setattr(keras.datasets.mnist, "SHA256", hashlib.sha256(data).hexdigest())
    monkeypatch.setattr(keras.datasets.mnist, "SIZE", len(data))
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    assert x_train.shape == (6, 28, 28) and x_train.dtype == y_train.dtype == np.uint8 and y_test.shape == (2,)
    cached = home / ".seqnet" / "datasets" / "mnist.npz"
    assert cached.read_bytes() == data
    files.clear()  # a second load reads the cache, not the network
    assert np.array_equal(keras.datasets.mnist.load_data()[0][0], x_train)


@pytest.mark.parametrize("case, message", [("cut", "could not download"), ("wrong", "has SHA256"),
                                           ("missing", "could not download")])
def test_a_failed_download_leaves_no_file_in_the_cache(server, home, monkeypatch, case, message):
    base, files = server
    files["mnist.npz"] = data = small_mnist()
    origin = {"cut": "mnist.npz.cut", "wrong": "mnist.npz", "missing": "nothing.npz"}[case]
    monkeypatch.setattr(keras.datasets.mnist, "ORIGIN", base + origin)
    monkeypatch.setattr(keras.datasets.mnist, "SHA256",
                        "0" * 64 if case == "wrong" else hashlib.sha256(data).hexdigest())
    monkeypatch.setattr(keras.datasets.mnist, "SIZE", len(data))
    with pytest.raises(DatasetError, match=message):
        keras.datasets.mnist.load_data()
    cache = home / ".seqnet" / "datasets"
    assert not cache.exists() or list(cache.iterdir()) == []


def test_fashion_mnist_and_cifar10_in_keras_s_shapes(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQNET_DATA", str(tmp_path))
    fake_fashion(tmp_path / "fashion-mnist")
    fake_cifar(tmp_path)
    (x, y), (xt, yt) = keras.datasets.fashion_mnist.load_data()
    assert x.shape == (12, 28, 28) and x.dtype == y.dtype == np.uint8 and yt.shape == (5,)
    (x, y), (xt, yt) = keras.datasets.cifar10.load_data()
    assert x.shape == (20, 32, 32, 3) and x.dtype == y.dtype == np.uint8 and y.shape == (20, 1) and yt.shape == (4, 1)


def small_imdb():
    rng = np.random.default_rng(1)

    def reviews(n):
        out = np.empty(n, dtype=object)
        out[:] = [rng.integers(1, 40, size=rng.integers(3, 12)).tolist() for _ in range(n)]
        return out
    buffer = io.BytesIO()
    np.savez(buffer, x_train=reviews(30), y_train=rng.integers(0, 2, 30), x_test=reviews(20),
             y_test=rng.integers(0, 2, 20))
    return buffer.getvalue()


@pytest.mark.parametrize("arguments", [{}, dict(num_words=20, skip_top=2, maxlen=9, seed=4),
                                       dict(start_char=None, oov_char=None, index_from=0, num_words=15)],
                         ids=["defaults", "cut", "no-markers"])
def test_imdb_is_keras_imdb(server, home, monkeypatch, tmp_path, arguments):
    theirs = pytest.importorskip("keras.src.datasets.imdb")
    base, files = server
    files["imdb.npz"] = data = small_imdb()
    monkeypatch.setattr(keras.datasets.imdb, "ORIGIN", base + "imdb.npz")
    monkeypatch.setattr(keras.datasets.imdb, "SHA256", hashlib.sha256(data).hexdigest())
    ours = keras.datasets.imdb.load_data(**arguments)
    assert (home / ".seqnet" / "datasets" / "imdb.npz").read_bytes() == data
    (tmp_path / "imdb.npz").write_bytes(data)
    monkeypatch.setattr(theirs, "get_file", lambda **kwargs: str(tmp_path / "imdb.npz"))
    for (x, y), (x_k, y_k) in zip(ours, theirs.load_data(**arguments)):
        assert x.dtype == object and [list(r) for r in x] == [list(r) for r in x_k]
        assert np.array_equal(y, y_k)


def test_imdb_refuses_a_pickle_of_anything_but_sequences(home, tmp_path):
    buffer = io.BytesIO()
    bad = np.empty(1, dtype=object)
    bad[0] = {"not": "a review"}
    np.savez(buffer, x_train=bad, y_train=np.zeros(1, int), x_test=bad, y_test=np.zeros(1, int))
    (tmp_path / "bad.npz").write_bytes(buffer.getvalue())
    with pytest.raises(DatasetError, match="not a list of sequences of non-negative ints"):
        keras.datasets.imdb.load_data(path=str(tmp_path / "bad.npz"))


def test_imdb_word_index_downloads_with_its_checksum(server, home, monkeypatch):
    base, files = server
    files["imdb_word_index.json"] = data = b'{"the": 1, "and": 2}'
    monkeypatch.setattr(keras.datasets.imdb, "WORD_INDEX_ORIGIN", base + "imdb_word_index.json")
    monkeypatch.setattr(keras.datasets.imdb, "WORD_INDEX_MD5", hashlib.md5(data).hexdigest())
    assert keras.datasets.imdb.get_word_index() == {"the": 1, "and": 2}


@pytest.mark.parametrize("arguments", [{}, dict(maxlen=3), dict(maxlen=4, padding="post", truncating="post"),
                                       dict(maxlen=2, dtype="float32", value=-1.0)])
def test_pad_sequences_is_keras_pad_sequences(arguments):
    theirs = pytest.importorskip("keras")
    sequences = [[1, 2, 3, 4], [5], [], [6, 7]]
    ours = keras.utils.pad_sequences(sequences, **arguments)
    want = theirs.utils.pad_sequences(sequences, **arguments)
    assert ours.dtype == want.dtype and np.array_equal(ours, want)
