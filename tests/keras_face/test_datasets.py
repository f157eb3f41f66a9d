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
