"""The assignment's own driver (``train_ffnn.py``, as the seed quotes it) and an assignment-style
unit test run unchanged through ``python -m seqnet.assignment``; a ``train_cnn.py``-style driver
trains the write-up's Fashion-MNIST MLP through the same API; the logger leaves a run folder that
``seqnet summary`` and ``seqnet report`` read."""
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.helpers import fake_fashion

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "seqnet.assignment", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_train_ffnn_runs_unchanged_and_leaves_a_run_folder(tmp_path):
    proc = run(HERE / "train_ffnn.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "Training feed_forward neural network on iris with SGD for 100 epochs..."
    assert lines[1] == "Optimizer:"
    assert re.match(r"Epoch 99 Training Loss: [0-9.]+ Training Accuracy: [0-9.]+ Val Loss: [0-9.]+ Val Accuracy: ",
                    lines[-2])
    accuracy = float(re.fullmatch(r"Test Loss: [0-9.]+ Test Accuracy: ([0-9.]+)", lines[-1]).group(1))
    assert accuracy >= 0.9
    folder = tmp_path / "experiments" / "feed_forward_2layers_15-lr0.001_mom0.9_seed0"
    assert {p.name for p in folder.iterdir()} >= {"hparams.json", "metrics.csv", "log.p", "curves.png", "model.h5",
                                                 "report.md"}
    assert json.loads((folder / "hparams.json").read_text())["data"] == {"name": "iris", "batch_size": 25}
    rows = (folder / "metrics.csv").read_text().splitlines()
    assert rows[0] == "epoch,loss,error,accuracy,val_loss,val_error,val_accuracy" and len(rows) == 101
    from seqnet.cli import main
    assert main(["summary", str(folder / "model.h5")]) == 0 and main(["report", str(folder)]) == 0


def test_an_assignment_style_unittest_runs_with_unittest_discover(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "__init__.py").write_text("")
    (tests / "test_layers.py").write_text(textwrap.dedent('''
        import unittest
        import numpy as np
        from neural_networks.layers import initialize_layer
        from neural_networks.utils import grad_check


        class TestFullyConnected(unittest.TestCase):
            def test_backward(self):
                np.random.seed(0)
                layer = initialize_layer(name="fully_connected", activation="relu", weight_init="xavier_uniform",
                                         n_out=6)
                X = np.random.randn(8, 5)
                layer._init_parameters(X.shape)
                out = layer.forward(X)
                dLdY = np.random.randn(*out.shape)
                dX = layer.backward(dLdY)
                self.assertLess(grad_check.check_gradients(layer.forward, dX, X, dLdY), 1e-6)
    '''))
    proc = run("-m", "unittest", "discover", "-v", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "test_backward (tests.test_layers.TestFullyConnected" in proc.stderr and "OK" in proc.stderr


def test_a_train_cnn_style_driver_trains_the_write_up_s_fashion_mlp(tmp_path):
    fake_fashion(tmp_path / "data", n_train=120, n_test=30)
    (tmp_path / "train_mlp.py").write_text(textwrap.dedent(f'''
        import numpy as np
        from neural_networks.datasets import initialize_dataset
        from neural_networks.logs import Logger
        from neural_networks.models import initialize_model
        from neural_networks.utils.data_structures import AttrDict

        hidden = AttrDict({{"name": "fully_connected", "activation": "relu", "weight_init": "he_uniform",
                            "n_out": 1024}})
        out = AttrDict({{"name": "fully_connected", "activation": "softmax", "weight_init": "xavier_uniform",
                         "n_out": None}})
        optimizer_args = AttrDict({{"name": "SGD", "lr": 0.05, "lr_scheduler": "exponential", "lr_decay": 0.9,
                                    "stage_length": 1, "staircase": True, "clip_norm": 5.0, "momentum": 0.9}})
        model_args = AttrDict({{"name": "fashion_mlp", "loss": "cross_entropy", "layer_args": [hidden, hidden, out],
                                "optimizer_args": optimizer_args, "seed": 0}})
        data_args = AttrDict({{"name": "fashion_mnist", "batch_size": 32}})
        np.random.seed(0)
        logger = Logger(model_name="fashion_mlp", model_args=model_args, data_args=data_args, save=True, plot=True,
                        save_dir="experiments/")
        model = initialize_model(name=model_args.name, loss=model_args.loss, layer_args=model_args.layer_args,
                                 optimizer_args=model_args.optimizer_args, logger=logger)
        dataset = initialize_dataset(name="fashion_mnist", batch_size=32, path={str(tmp_path / "data")!r})
        model.train(dataset, epochs=1)
        model.save_parameters(epoch=1)
        log = model.test(dataset, save_predictions=True)
        kaggle = model.test_kaggle(dataset)
        print("predictions", len(log["prediction"]), "kaggle", len(kaggle["Category"]))
    '''))
    proc = run("train_mlp.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Epoch 0 Training Loss:" in proc.stdout and "predictions 30 kaggle 30" in proc.stdout
    folder = tmp_path / "experiments" / "fashion_mlp"
    assert {p.name for p in folder.iterdir()} >= {"parameters_epoch1", "test_predictions.p", "kaggle_predictions.csv",
                                                 "model.h5", "report.md"}
    import seqnet
    model = seqnet.load_model(folder / "model.h5")
    assert model.count_params() == 784 * 1024 + 1024 + 1024 * 1024 + 1024 + 1024 * 10 + 10  # the write-up's MLP
    assert (folder / "kaggle_predictions.csv").read_text().splitlines()[0] == "Id,Category"


def test_a_missing_script_is_one_line(tmp_path):
    proc = run("no_such.py", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.strip() == ("python -m seqnet.assignment: error: no such script: "
                                                            "'no_such.py'")
    assert run("--help", cwd=tmp_path).returncode == 0


def test_help_is_plain_text_on_stdout(tmp_path):
    shown = run("-h", cwd=tmp_path)
    assert shown.returncode == 0 and shown.stdout.startswith("usage: python -m seqnet.assignment SCRIPT")
    assert "``" not in shown.stdout and not shown.stderr  # no reST markup, nothing on stderr
    wrong = run(cwd=tmp_path)
    assert wrong.returncode == 2 and wrong.stderr.startswith("usage:") and not wrong.stdout
