"""The examples run end to end on tiny data written in the real file formats."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import seqnet
from seqnet.experiment import processor

from tests.helpers import fake_cifar, fake_fashion

ROOT = Path(__file__).resolve().parents[1]


def run_example(name, *args):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / name), *args], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("name", ["fashion_mnist_mlp.py", "fashion_mnist_cnn.py", "fashion_mnist_lstm.py"])
def test_fashion_examples_write_a_run_folder(name, tmp_path):
    fake_fashion(tmp_path / "data", n_train=48, n_test=10)
    out = run_example(name, "--epochs", "2", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "runs"))
    assert out.strip().splitlines()[-1].startswith("test accuracy: ")
    run = next((tmp_path / "runs").iterdir())
    assert {p.name for p in run.iterdir()} >= {"hparams.json", "metrics.csv", "curves.png", "model.h5", "report.md",
                                             "confusion.png"}
    assert "![confusion matrix](confusion.png)" in (run / "report.md").read_text()
    assert json.loads((run / "hparams.json").read_text())["epochs"] == 2
    assert_run_folder(run, epochs=2)
    assert re.search(r"^training took [0-9.]+ s \([0-9.]+ s per epoch\); report: ", out, flags=re.M)


def test_cifar_example_with_kaggle_submission(tmp_path):
    fake_cifar(tmp_path / "data", n=8)
    np.save(tmp_path / "cifar_test_data.npy", np.random.default_rng(0).integers(0, 256, (5, 3072), dtype=np.uint8))
    out = run_example("cifar10_cnn.py", "--epochs", "1", "--data", str(tmp_path / "data"), "--kaggle-test",
                      str(tmp_path / "cifar_test_data.npy"), "--out", str(tmp_path / "runs"))
    assert "test accuracy: " in out
    rows = (tmp_path / "runs" / "cifar10_cifar_fast" / "submission.csv").read_text().strip().splitlines()
    assert rows[0] == "Id,Category" and len(rows) == 6 and rows[1].startswith("1,")
    model = seqnet.load_model(tmp_path / "runs" / "cifar10_cifar_fast" / "model.h5")
    assert {layer.engine for layer in model.layers if layer.name.startswith("conv2d")} == {"tune"}  # the default


def test_cifar_example_recipe_options(tmp_path):
    """The recipe's optional parts: the whitening bias learns (its filters do not), BatchNorm's shifts
    at their own rate, alternating flips, the lookahead and a named engine, all in one run that
    saves and loads."""
    fake_cifar(tmp_path / "data", n=8)
    run_example("cifar10_cnn.py", "--epochs", "2", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "runs"),
                "--whiten-bias-epochs", "1", "--bn-bias-lr-scale", "8", "--flip", "alternate", "--lookahead",
                "--momentum", "0.85", "--batch-size", "2", "--no-tta", "--engine", "gemm")
    model = seqnet.load_model(tmp_path / "runs" / "cifar10_cifar_fast" / "model.h5")
    assert {layer.engine for layer in model.layers if layer.name.startswith("conv2d")} == {"gemm"}
    whiten = model.get_layer("whiten")
    assert not whiten.trainable and np.any(whiten.parameters["b"] != 0)
    assert model.optimizer.lr_scales == {"beta": 8.0, "whiten/W": 0.0} and model.optimizer.momentum == 0.85
    state = model.optimizer.get_state()
    assert "whiten/b/momentum" in state and "whiten/W/momentum" not in state
    assert [type(c).__name__ for c in model.callbacks if type(c).__name__ == "Lookahead"] == ["Lookahead"]


def test_cifar_example_without_data_says_how_to_get_it(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "cifar10_cnn.py"), "--data",
                           str(tmp_path / "missing")], capture_output=True, text=True)
    assert proc.returncode != 0 and "CIFAR-10" in proc.stderr and "pass --data FILE" in proc.stderr
    assert "download=True" not in proc.stderr and "path=FILE" not in proc.stderr  # the script's flags, not the API's
    assert "Looked in:" in proc.stderr and "--download" in proc.stderr and "pass --data FILE" in proc.stderr
    assert "Traceback" not in proc.stderr


def assert_run_folder(run, epochs):
    """What seqnet summary and seqnet report need, with epochs numbered from 1."""
    assert {p.name for p in run.iterdir()} >= {"hparams.json", "metrics.csv", "curves.png", "model.h5",
                                             "results.json", "report.md"}
    rows = (run / "metrics.csv").read_text().strip().splitlines()
    assert rows[0].startswith("epoch,loss") and [r.split(",")[0] for r in rows[1:]] == [str(e + 1) for e in range(epochs)]
    from seqnet.cli import main
    assert main(["summary", str(run / "model.h5")]) == 0 and main(["report", str(run)]) == 0


def test_the_main_job_leaves_a_run_folder_for_the_seqnet_command(tmp_path):
    out = run_example("iris.py", "--epochs", "3", "--out", str(tmp_path / "runs"))
    assert out.strip().splitlines()[-1].startswith("test accuracy: ")
    assert_run_folder(tmp_path / "runs" / "iris", epochs=3)


def test_iris_sweep_chooses_on_validation_and_tests_once(tmp_path):
    out = run_example("iris_sweep.py", "--epochs", "4", "--lrs", "0.01", "0.05", "--hidden", "5", "--out",
                      str(tmp_path))
    assert "val error" in out.splitlines()[0] and "test" not in out.splitlines()[0]
    assert "chosen on validation: lr=" in out and out.count("test error") == 1
    assert (tmp_path / "iris_sweep" / "best_loss.png").is_file()
    assert_run_folder(tmp_path / "iris_sweep", epochs=4)
    assert len(json.loads((tmp_path / "iris_sweep" / "results.json").read_text())) >= 2


def test_a_run_reports_its_peak_memory_and_its_machine(tmp_path):
    run_example("iris.py", "--epochs", "1", "--out", str(tmp_path))
    results = json.loads((tmp_path / "iris" / "results.json").read_text())
    report = (tmp_path / "iris" / "report.md").read_text()
    if sys.platform != "win32":  # (Windows does not say)
        assert 20 < results["peak_memory_mib"] < 4096  # a Python process with numpy: tens of MiB, in MiB
        assert "peak_memory_mib" in report
    assert results["processor"] == processor() and results["cpu_cores"] == os.cpu_count() >= 1
    assert results["processor"] and f"| processor | {results['processor']} |" in report


EXAMPLES = sorted(p.name for p in (Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


def help_defaults(text):
    """``{flag: default}`` from an argparse ``--help`` whose help lines end in ``(default: X)``."""
    joined = " ".join(text.split())
    return dict(re.findall(r"(--[a-z-]+) [A-Z_]+ (?:(?! --).)*?\(default: ([^)]+)\)", joined))


@pytest.mark.parametrize("name", EXAMPLES)
def test_help_shows_every_default_and_a_line_per_flag(name):
    text = run_example(name, "--help")
    flags = re.findall(r"^  (--[a-z-]+)(.*)$", text, flags=re.M)
    assert "--limit" in text and flags
    for flag, rest in flags:  # a help line for every flag (on the flag's line or the next)
        after = text.split(flag, 1)[1].split("\n  --", 1)[0]
        assert len(after.split()) > 1, f"{name}: {flag} has no help"
    defaults = help_defaults(text)
    assert {"--epochs", "--out"} <= set(defaults) or name == "iris_sweep.py"
    doc = (ROOT / "examples" / name).read_text().split('"""')[1]
    for flag, value in re.findall(r"\[(--[a-z-]+) ([0-9][0-9.e-]*)\]", doc):  # the docstring's [--lr 2e-3]
        assert float(defaults[flag]) == float(value), f"{name}: the docstring says {flag} {value}, --help says " \
                                                      f"{defaults[flag]}"


def test_limit_trains_on_the_first_n_images(tmp_path):
    fake_fashion(tmp_path / "data", n_train=48, n_test=10)
    run_example("fashion_mnist_mlp.py", "--epochs", "1", "--limit", "24", "--data", str(tmp_path / "data"),
                "--out", str(tmp_path / "runs"))
    hparams = json.loads((tmp_path / "runs" / "fashion_mnist_mlp" / "hparams.json").read_text())
    assert hparams["limit"] == 24
    from seqnet import load_model
    model = load_model(tmp_path / "runs" / "fashion_mnist_mlp" / "model.h5")
    assert model.optimizer.iterations == 1  # 22 training images (24 less the validation twelfth): one batch


def test_imdb_example_reads_keras_imdb_file_and_writes_a_run_folder(tmp_path):
    from tests.safety.fuzz_kinds import make_imdb
    data = make_imdb(tmp_path)
    out = run_example("imdb_lstm.py", "--epochs", "2", "--words", "30", "--maxlen", "5", "--data", str(data),
                      "--out", str(tmp_path / "runs"))
    assert out.strip().splitlines()[-1].startswith("test accuracy: ")
    assert_run_folder(tmp_path / "runs" / "imdb_lstm", epochs=2)


def test_imdb_example_without_the_file_says_how_to_get_it(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "imdb_lstm.py"), "--data",
                           str(tmp_path / "none.npz")], capture_output=True, text=True,
                          env={**os.environ, "HOME": str(tmp_path), "SEQNET_DATA": str(tmp_path)})
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "pass --download" in proc.stderr and "--data FILE" in proc.stderr
