"""Lightning's DDP gives the model one process gives: two CPU processes with batches of b end where
one process with batches of 2b ends; a two-node launch (simulated here) trains, checkpoints once and
hands its weights to numpy."""
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="the DDP tests need torch")
pytest.importorskip("pytorch_lightning", reason="the DDP tests need pytorch-lightning")

import seqnet  # noqa: E402
from tests.helpers import fake_fashion  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def run(*args, env=None):
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, **(env or {})})


def trained(tmp_path, name, *args):
    proc = run(ROOT / "tests" / "lightning" / "ddp_run.py", tmp_path / name, *args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return torch.load(tmp_path / name)


def largest_difference(a, b):
    return max(float((a[k].double() - b[k].double()).abs().max()) for k in a)


def test_two_processes_of_b_train_the_model_one_process_of_2b_trains(tmp_path):
    one = trained(tmp_path, "one.pt", "--devices", "1", "--batch-size", "16")
    two = trained(tmp_path, "two.pt", "--devices", "2", "--batch-size", "8")
    assert largest_difference(one, two) < 1e-6  # float32 rounding of the averaged gradients


def test_batchnorm_normalizes_each_process_s_share_unless_synchronized(tmp_path):
    """What SyncBatchNorm changes: without it each process's batch statistics come from its b
    examples, so the two runs part; torch synchronizes them on GPUs only (--sync-batchnorm)."""
    one = trained(tmp_path, "one.pt", "--devices", "1", "--batch-size", "16", "--batchnorm")
    two = trained(tmp_path, "two.pt", "--devices", "2", "--batch-size", "8", "--batchnorm")
    assert largest_difference(one, two) > 1e-3


def test_the_training_command_refuses_sync_batchnorm_without_gpus(tmp_path, capsys):
    from lightning_models.train import main
    fake_fashion(tmp_path, n_train=24, n_test=8)
    assert main(["--arch", "fashion_cnn", "--data", str(tmp_path), "--accelerator", "cpu", "--sync-batchnorm",
                 "--out", str(tmp_path / "run")]) == 2
    assert "--sync-batchnorm needs GPUs" in capsys.readouterr().err


def test_a_two_node_launch_trains_checkpoints_once_and_hands_numpy_its_weights(tmp_path):
    fake_fashion(tmp_path / "data", n_train=64, n_test=16)
    port = str(random.randint(20000, 60000))
    launches = []
    for node in (0, 1):  # two "machines", each with its own disk: its own --out
        env = {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": port, "NODE_RANK": str(node)}
        launches.append(subprocess.Popen(
            [sys.executable, "-m", "lightning_models.train", "--arch", "fashion_mlp", "--data", tmp_path / "data",
             "--epochs", "2", "--batch-size", "8", "--val-split", "16", "--accelerator", "cpu", "--devices", "1",
             "--num-nodes", "2", "--strategy", "ddp", "--out", tmp_path / f"node{node}"],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outputs = [p.communicate(timeout=300) for p in launches]
    for p, (out, err) in zip(launches, outputs):
        assert p.returncode == 0, err[-3000:]
    assert "test accuracy:" in outputs[0][0]
    assert list((tmp_path / "node0" / "checkpoints").iterdir()) == [tmp_path / "node0" / "checkpoints" / "best.ckpt"]
    assert not (tmp_path / "node1" / "checkpoints").exists() and not (tmp_path / "node1" / "model.h5").exists()
    model = seqnet.load_model(tmp_path / "node0" / "model.h5")  # through the bridge, into numpy
    assert model.epochs_done == 2 and model.output_shape == (None, 10)
    state = torch.load(tmp_path / "node0" / "checkpoints" / "best.ckpt", map_location="cpu",
                       weights_only=True)["state_dict"]
    first = next(k for k in state if k.endswith("weight"))
    dense = next(layer for layer in model.layers if "W" in layer.parameters)
    assert float((torch.from_numpy(dense.parameters["W"].T.copy()) - state[first]).abs().max()) < 1e-6
