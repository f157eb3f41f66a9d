"""The examples run end to end on tiny data written in the real file formats."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import fake_cifar, fake_fashion

ROOT = Path(__file__).resolve().parents[1]


def run_example(name, *args):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / name), *args], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("name", ["fashion_mnist_mlp.py", "fashion_mnist_cnn.py"])
def test_fashion_examples_write_a_run_folder(name, tmp_path):
    fake_fashion(tmp_path / "data", n_train=48, n_test=10)
    out = run_example(name, "--epochs", "2", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "runs"))
    assert out.strip().splitlines()[-1].startswith("test accuracy: ")
    run = next((tmp_path / "runs").iterdir())
    assert {p.name for p in run.iterdir()} >= {"hparams.json", "metrics.csv", "curves.png", "model.h5", "report.md",
                                             "confusion.png"}
    assert "![confusion matrix](confusion.png)" in (run / "report.md").read_text()
    assert json.loads((run / "hparams.json").read_text())["epochs"] == 2
    assert len((run / "metrics.csv").read_text().strip().splitlines()) == 3
    if "cnn" in name:
        assert "epoch 2 wall time:" in out and "total wall time:" in out


def test_cifar_example_with_kaggle_submission(tmp_path):
    fake_cifar(tmp_path / "data", n=8)
    np.save(tmp_path / "cifar_test_data.npy", np.random.default_rng(0).integers(0, 256, (5, 3072), dtype=np.uint8))
    out = run_example("cifar10_cnn.py", "--epochs", "1", "--data", str(tmp_path / "data"), "--kaggle-test",
                      str(tmp_path / "cifar_test_data.npy"), "--out", str(tmp_path / "runs"))
    assert "test accuracy: " in out
    rows = (tmp_path / "runs" / "cifar10_cnn" / "submission.csv").read_text().strip().splitlines()
    assert rows[0] == "Id,Category" and len(rows) == 6 and rows[1].startswith("1,")


def test_cifar_example_without_data_says_how_to_get_it(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "cifar10_cnn.py"), "--data",
                           str(tmp_path / "missing")], capture_output=True, text=True)
    assert proc.returncode != 0 and "CIFAR-10" in proc.stderr and "download=True" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_iris_sweep_prints_a_table_and_the_best(tmp_path):
    out = run_example("iris_sweep.py", "--epochs", "20", "--out", str(tmp_path))
    assert "test error" in out.splitlines()[0] and "best: lr=" in out
    assert (tmp_path / "best_loss.png").is_file()
