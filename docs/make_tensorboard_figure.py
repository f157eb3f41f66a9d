"""Make the callbacks guide's TensorBoard screenshot: the quickstart's Iris run, logged with
:class:`seqnet.callbacks.TensorBoard`, as TensorBoard itself draws it.

    python docs/make_tensorboard_figure.py

Needs the tensorboard package and a Chromium (Debian's ``chromium``); TensorBoard is served on
127.0.0.1 only, and the page is saved as ``docs/_static/tensorboard_iris.png``.
"""
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import seqnet
from seqnet.callbacks import TensorBoard
from seqnet.layers import Dense
from seqnet.optimizers import SGD

OUT = Path(__file__).parent / "_static" / "tensorboard_iris.png"

logs = Path(tempfile.mkdtemp()) / "logs"
(X, y), (X_test, y_test) = seqnet.datasets.load_iris()
X, X_test = seqnet.datasets.standardize(X, X_test)
model = seqnet.Sequential([Dense(15, activation="relu"), Dense(3, activation="softmax")], seed=0)
model.compile(optimizer=SGD(lr=0.05, momentum=0.9), loss="cross_entropy", metrics=["accuracy"])
model.fit(X, y, batch_size=25, epochs=100, validation_split=0.1, verbose=0,
          callbacks=[TensorBoard(str(logs / "iris"))])

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
board = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", "logs", "--host", "127.0.0.1",
                          "--port", str(port)], cwd=logs.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(120):  # until it answers
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/data/runs", timeout=2).read()
            break
        except OSError:
            time.sleep(0.5)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    profile = tempfile.mkdtemp()
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}", "--hide-scrollbars", "--window-size=1400,820",
                    "--virtual-time-budget=20000", f"--screenshot={OUT}",
                    f"http://127.0.0.1:{port}/?darkMode=false#scalars&_smoothingWeight=0&tagFilter=epoch_(accuracy%7Closs)"],
                   check=True, capture_output=True, timeout=120)
finally:
    board.terminate()
    board.wait(timeout=30)
print(OUT)
