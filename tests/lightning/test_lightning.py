"""The Lightning mirror: the bridge both ways, one training step in both libraries, the command."""
import concurrent.futures
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", exc_type=ImportError)
pl = pytest.importorskip("pytorch_lightning", exc_type=ImportError)

import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

import seqnet  # noqa: E402
from lightning_models import LitClassifier, to_seqnet, to_torch  # noqa: E402
from lightning_models.bridge import copy_to_seqnet  # noqa: E402
from lightning_models.data import FashionMNISTDataModule, random_crop_flip  # noqa: E402
from seqnet.architectures import ARCHITECTURES, cifar_cnn, cifar_fast, fashion_cnn, fashion_mlp  # noqa: E402
from seqnet.layers import AvgPool2D, BatchNorm, Conv2D, Dense, Dropout, Flatten, GlobalAvgPool2D, MaxPool2D  # noqa
from seqnet.checks import check_y  # noqa: E402
from seqnet.cli import main as main_cli  # noqa: E402
from tests.helpers import fake_cifar, fake_fashion  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def randomize_buffers(model, rng):
    for layer in model.layers:
        for key, buf in layer.buffers.items():
            buf[...] = rng.uniform(0.5, 1.5, size=buf.shape) if key == "running_var" else rng.normal(size=buf.shape)


def torch_predict(module, X):
    module.eval()
    with torch.no_grad():
        x = torch.from_numpy(X.transpose(0, 3, 1, 2).copy() if X.ndim == 4 else X)
        return module(x.to(next(module.parameters()).dtype)).numpy()


MODELS = {
    "mlp": (lambda: fashion_mlp(seed=0), (28, 28, 1)),
    "cnn_bn": (lambda: seqnet.Sequential([Conv2D(6, (3, 5), activation="tanh", stride=2, pad=(1, 2)), BatchNorm(),
                                          AvgPool2D(2), Conv2D(5, 3, activation="elu", pad="valid"), MaxPool2D(3, 1, 1),
                                          BatchNorm(), Flatten(), Dropout(0.2), Dense(7, activation="leaky_relu"),
                                          BatchNorm(), Dense(3, activation="softmax")], seed=0), (13, 12, 2)),
    "no_bias": (lambda: seqnet.Sequential([Conv2D(3, 3, use_bias=False, activation="relu"), Flatten(),
                                           Dense(4, use_bias=False), Dense(2)], seed=0), (5, 5, 2)),
    "fashion_cnn": (lambda: fashion_cnn(seed=0), (28, 28, 1)),
    "cifar_cnn": (lambda: cifar_cnn(seed=0), (32, 32, 3)),
    "cifar_fast": (lambda: cifar_fast(seed=0), (32, 32, 3)),
}


@pytest.mark.parametrize("name", MODELS)
def test_bridge_both_ways(name, rng):
    make, shape = MODELS[name]
    model = make()
    model.build(shape)
    randomize_buffers(model, rng)
    X = rng.normal(size=(4, *shape)).astype(np.float32)
    module = to_torch(model)
    assert np.abs(torch_predict(module, X) - model.predict(X)).max() < 1e-5
    back = to_seqnet(module, shape)
    assert all(np.array_equal(a, b) for a, b in zip(back.get_weights(), model.get_weights()))
    assert np.abs(back.predict(X) - model.predict(X)).max() < 1e-5


def test_global_pool_and_frozen_layers_survive_the_bridge():
    model = cifar_fast(seed=0, whiten_from=np.random.default_rng(0).normal(size=(20, 32, 32, 3)))
    module = to_torch(model)
    assert not module[0].weight.requires_grad and module[2].weight.requires_grad
    assert isinstance(to_seqnet(module, (32, 32, 3)).layers[-2], GlobalAvgPool2D)


def test_plain_torch_flatten_is_reordered(rng):
    net = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 5, 4),
                        nn.Softmax(dim=1)).double()
    model = to_seqnet(net, (4, 5, 2), dtype="float64")
    X = rng.normal(size=(3, 4, 5, 2))
    assert np.abs(torch_predict(net, X) - model.predict(X)).max() < 1e-12


def test_a_trained_torch_model_predicts_the_same_in_numpy(rng):
    model = fashion_cnn(seed=1)
    model.build((28, 28, 1))
    module = to_torch(model)
    opt = torch.optim.SGD(module.parameters(), lr=0.05, momentum=0.9)
    X = rng.normal(size=(32, 28, 28, 1)).astype(np.float32)
    y = torch.from_numpy(rng.integers(0, 10, 32))
    module.train()
    for _ in range(5):
        opt.zero_grad()
        F.nll_loss(torch.log(module(torch.from_numpy(X.transpose(0, 3, 1, 2).copy()))), y).backward()
        opt.step()
    numpy_model = to_seqnet(module, (28, 28, 1))
    assert np.abs(torch_predict(module, X) - numpy_model.predict(X)).max() < 1e-5
    copy_to_seqnet(module, model)
    assert np.abs(model.predict(X) - numpy_model.predict(X)).max() == 0


def test_unsupported_torch_layer_is_named():
    with pytest.raises(ValueError, match="GRU"):
        to_seqnet(nn.Sequential(nn.Linear(3, 4), nn.GRU(4, 4)), (3,))


@pytest.mark.parametrize("name", ["mlp", "cnn_bn"])
def test_one_training_step_same_gradients(name, rng):
    make, shape = MODELS[name]
    model = seqnet.Sequential.from_config({**make().get_config(), "dtype": "float64"})
    model.build(shape)
    model.compile("sgd", "cross_entropy")
    module = to_torch(model)
    module.train()
    X, y = rng.normal(size=(6, *shape)), rng.integers(0, model.output_shape[1], 6)
    for layer in model.layers:  # no dropout: the two libraries draw different masks
        if isinstance(layer, Dropout):
            layer.rate = 0.0
    for m in module.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    model.backward_loss(check_y(model, y, 6), model.forward(X, training=True))
    logits = module[:-1](torch.from_numpy(X.transpose(0, 3, 1, 2).copy()))
    F.cross_entropy(logits, torch.from_numpy(y)).backward()
    ours = [g for layer in model.layers for g in layer.gradients.values()]
    theirs = []
    for m in module.modules():
        if isinstance(m, nn.Linear):
            theirs += [m.weight.grad.numpy().T, m.bias.grad.numpy()[None]]
        elif isinstance(m, nn.Conv2d):
            theirs += [m.weight.grad.numpy().transpose(2, 3, 1, 0), m.bias.grad.numpy()[None]]
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            theirs += [m.weight.grad.numpy(), m.bias.grad.numpy()]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert np.linalg.norm(a - b) <= 1e-6 * max(np.linalg.norm(b), 1e-12)


def test_lit_classifier_and_datamodule_fast_dev_run(tmp_path):
    fake_fashion(tmp_path, n_train=40, n_test=10)
    dm = FashionMNISTDataModule(str(tmp_path), batch_size=8, val_split=8)
    model = fashion_mlp(seed=0)
    model.build((28, 28, 1))
    lit = LitClassifier(to_torch(model), optimizer="adam", lr=1e-3, scheduler="cosine", label_smoothing=0.1)
    assert lit.hparams.optimizer == "adam" and "backbone" not in lit.hparams
    trainer = pl.Trainer(fast_dev_run=True, accelerator="cpu", logger=False, enable_progress_bar=False)
    trainer.fit(lit, datamodule=dm)
    probs = torch.cat(trainer.predict(lit, dataloaders=dm.test_dataloader()))
    assert probs.shape == (8, 10) and torch.allclose(probs.sum(1), torch.ones(8, dtype=probs.dtype))
    with pytest.raises(ValueError, match="rmsprop"):
        LitClassifier(nn.Linear(2, 2), optimizer="rmsprop")


def test_crop_flip_on_tensors():
    x = torch.arange(2 * 3 * 6 * 6, dtype=torch.float32).reshape(2, 3, 6, 6)
    out = random_crop_flip(x, padding=2)
    assert out.shape == x.shape


def train(*args):
    return subprocess.run([sys.executable, "-m", "lightning_models.train", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


def fast_dev_run(arch, folder):
    if arch.startswith("fashion"):
        fake_fashion(folder / "data", n_train=64, n_test=16)
    else:
        fake_cifar(folder / "data", n=16)
    return train("--data", str(folder / "data"), "--arch", arch, "--fast-dev-run", "--batch-size", "8",
                 "--val-split", "16", "--accelerator", "cpu", "--out", str(folder / "run"))


@pytest.fixture(scope="module")
def fast_dev_runs(tmp_path_factory):
    """``{arch: (process, folder)}``: the command's fast dev run of every architecture, two at a time
    (each process spends most of its time importing, on one core)."""
    folders = {arch: tmp_path_factory.mktemp(arch) for arch in ARCHITECTURES}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        procs = dict(zip(folders, pool.map(fast_dev_run, folders, folders.values())))
    return {arch: (procs[arch], folders[arch]) for arch in folders}


@pytest.mark.parametrize("arch", ARCHITECTURES)  # every architecture, those added later included
def test_command_fast_dev_run(arch, fast_dev_runs):
    proc, folder = fast_dev_runs[arch]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "test accuracy:" in proc.stdout
    loaded = seqnet.load_model(folder / "run" / "model.h5")
    assert loaded.output_shape == (None, 10)


def test_command_trains_exports_and_writes_a_kaggle_file(tmp_path):
    fake_cifar(tmp_path / "data", n=16)
    np.save(tmp_path / "kaggle.npy", np.random.default_rng(0).integers(0, 256, (6, 3072), dtype=np.uint8))
    out = tmp_path / "run"
    proc = train("--dataset", "cifar10", "--data", str(tmp_path / "data"), "--arch", "cifar_fast", "--epochs", "2",
                 "--batch-size", "16", "--val-split", "16", "--accelerator", "cpu", "--out", str(out),
                 "--kaggle-test", str(tmp_path / "kaggle.npy"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert {"hparams.json", "metrics.csv", "curves.png", "model.h5", "results.json", "report.md", "submission.csv"} \
        <= {p.name for p in out.iterdir()}
    assert (out / "checkpoints" / "best.ckpt").is_file()
    assert "exists and is not empty" not in proc.stderr  # the checkpoints have a folder of their own
    # a run folder like the numpy trainer's: numpy's column names, epochs from 1, the true configuration
    lines = (out / "metrics.csv").read_text().strip().splitlines()
    assert lines[0] == "epoch,loss,accuracy,val_loss,val_accuracy" and [l[0] for l in lines[1:]] == ["1", "2"]
    assert "Epoch 2/2" in proc.stdout and "val_accuracy" in proc.stdout  # each epoch's full line
    assert "\r" not in proc.stdout  # no progress bars when the output is not a terminal
    hparams = json.loads((out / "hparams.json").read_text())
    assert (hparams["scheduler"], hparams["nesterov"], hparams["lr"]) == ("onecycle", True, 0.3)
    assert 0.0 <= json.loads((out / "results.json").read_text())["test_accuracy"] <= 1.0
    assert main_cli(["report", str(out)]) == 0
    # the exported numpy model predicts like the Lightning model it came from
    exported = seqnet.load_model(out / "model.h5")
    assert exported.epochs_done == 2 and exported.optimizer.nesterov and exported.optimizer.iterations == 2 * 4  # 64 images in batches of 16
    assert type(exported.optimizer.lr_scheduler).__name__ == "OneCycle" and exported.optimizer.lr_scheduler.total_steps == 8
    assert exported.loss.label_smoothing == 0.2
    from lightning_models.data import CIFAR10DataModule
    X = CIFAR10DataModule().normalize(seqnet.datasets.load_kaggle_test(tmp_path / "kaggle.npy"))
    lit = LitClassifier.load_from_checkpoint(out / "checkpoints" / "best.ckpt", backbone=to_torch(exported), map_location="cpu")
    lit.eval()
    with torch.no_grad():
        torch_probs = torch.softmax(lit(torch.from_numpy(X.transpose(0, 3, 1, 2).copy())), 1).numpy()
    assert np.abs(torch_probs - exported.predict(X)).max() < 1e-5
    rows = (out / "submission.csv").read_text().splitlines()
    assert rows[0] == "Id,Category" and len(rows) == 7


def test_command_ddp_on_two_cpu_processes(tmp_path):
    fake_fashion(tmp_path / "data", n_train=64, n_test=16)
    out = tmp_path / "run"
    proc = train("--data", str(tmp_path / "data"), "--arch", "fashion_mlp", "--epochs", "1", "--batch-size", "8", "--val-split", "16", "--accelerator", "cpu", "--devices", "2",
                 "--strategy", "ddp", "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "model.h5").is_file() and (out / "results.json").is_file()


@pytest.mark.parametrize("args, message", [
    (["--arch", "resnet"], "unknown architecture 'resnet'"),
    (["--arch", "fashion_mlp", "--accelerator", "tpu9"], "unknown accelerator"),
    (["--arch", "fashion_mlp", "--data", "/nonexistent"], "--data: no such file or folder: '/nonexistent'"),
    (["--dataset", "cifar10", "--arch", "fashion_cnn"], "expects 28x28x1 images, but cifar10 has 32x32x3"),
])
def test_command_bad_input_is_one_line_naming_the_program(args, message, tmp_path, capsys):
    from lightning_models.train import main
    assert main([*args, "--out", str(tmp_path / "run")]) != 0
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert err.startswith("python -m lightning_models.train: error: ")


def test_the_old_data_spellings_work_and_name_the_new_ones(tmp_path):
    """--data NAME --data-dir PATH (the old spelling) trains as --dataset NAME --data PATH does."""
    fake_fashion(tmp_path / "data", n_train=48, n_test=16)
    proc = train("--data", "fashion_mnist", "--data-dir", str(tmp_path / "data"), "--arch", "fashion_mlp",
                 "--fast-dev-run", "--batch-size", "8", "--val-split", "16", "--accelerator", "cpu",
                 "--out", str(tmp_path / "run"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    warnings = [line for line in proc.stderr.splitlines() if ": warning: " in line]
    assert warnings == ["python -m lightning_models.train: warning: --data-dir is deprecated; use --data PATH",
                        "python -m lightning_models.train: warning: --data NAME is deprecated; use --dataset "
                        "fashion_mnist (and --data PATH for where its files are)"]
    hparams = json.loads((tmp_path / "run" / "hparams.json").read_text())
    assert (hparams["dataset"], hparams["data"]) == ("fashion_mnist", str(tmp_path / "data"))


def test_the_archive_passed_as_data_is_read(tmp_path):
    """--data takes the path itself (an archive here), and the data set follows from --arch."""
    fake_cifar(tmp_path / "data", n=16)
    proc = train("--data", str(tmp_path / "data" / "cifar-10-python.tar.gz"), "--arch", "cifar_cnn", "--fast-dev-run",
                 "--batch-size", "8", "--val-split", "8", "--accelerator", "cpu", "--out", str(tmp_path / "run"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert ": warning: " not in proc.stderr


def test_command_help_documents_every_flag():
    proc = train("--help")
    for flag in ("--dataset", "--data", "--limit", "--arch", "--epochs", "--batch-size", "--lr", "--accelerator", "--devices",
                 "--num-nodes", "--strategy", "--precision", "--seed", "--fast-dev-run", "--out", "--kaggle-test",
                 "--nesterov"):
        assert flag in proc.stdout
    assert "ARCH_DEFAULTS" not in proc.stdout and "cifar_fast: --optimizer sgd, --lr 0.3" in proc.stdout


def test_one_schedule_name_means_the_same_in_both_trainers():
    from seqnet.schedulers import for_run
    for name in ("cosine", "exponential", "step", "onecycle"):
        lit = LitClassifier(nn.Sequential(nn.Linear(3, 2)), lr=0.1, scheduler=name)
        lit.trainer = type("T", (), {"estimated_stepping_batches": 30})()
        config = lit.configure_optimizers()
        opt, sched = config["optimizer"], config["lr_scheduler"]["scheduler"]
        rates = []
        for _ in range(30):
            rates.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        expected = for_run(name, 0.1, 30)
        assert np.allclose(rates, [expected(t) for t in range(30)], rtol=1e-12)
    plain = LitClassifier(nn.Sequential(nn.Linear(3, 2)), optimizer="sgd").configure_optimizers()
    assert plain.param_groups[0]["nesterov"] is False  # "sgd" is seqnet's SGD: no Nesterov unless asked


def test_the_mirror_is_tested_in_float32_as_users_train():
    assert torch.get_default_dtype() == torch.float32  # no global float64 from the numpy tests
    model = seqnet.Sequential([Dense(2)], seed=0)
    model.build((3,))
    assert next(to_torch(model).parameters()).dtype == torch.float32


def test_the_data_modules_check_the_validation_split(tmp_path, capsys):
    from lightning_models.train import main
    fake_fashion(tmp_path, n_train=40, n_test=10)
    for bad, message in [(-5, "negative"), (1.5, r"not a fraction in \[0, 1\)"), ("10%", "a count of images")]:
        with pytest.raises(ValueError, match=message):
            FashionMNISTDataModule(str(tmp_path), val_split=bad)
    too_few = FashionMNISTDataModule(str(tmp_path), val_split=0.001)
    with pytest.raises(ValueError, match=r"val_split=0.001 of 40 training images holds out 0 for validation and 40"):
        too_few.setup("fit")
    too_many = FashionMNISTDataModule(str(tmp_path), val_split=40)
    with pytest.raises(ValueError, match=r"holds out 40 of the 40 training images .* \(--val-split\)"):
        too_many.setup("fit")
    small = FashionMNISTDataModule(str(tmp_path))  # the default split, on a small data set: a twelfth
    small.setup("fit")
    assert len(small.val[0]) == 3 and len(small.train[0]) == 37
    assert main(["--data", str(tmp_path), "--arch", "fashion_mlp",
                 "--val-split", "5000", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds out 5000 of the 40 training images" in err[0]


def test_the_model_summary_counts_each_parameter_once():
    from pytorch_lightning.utilities.model_summary import ModelSummary
    model = cifar_fast(seed=0)
    model.build((32, 32, 3))
    backbone = to_torch(model)
    lit = LitClassifier(backbone)
    assert ModelSummary(lit).total_parameters == sum(p.numel() for p in backbone.parameters())
    X = torch.zeros(2, 3, 32, 32)
    assert torch.allclose(torch.softmax(lit(X), 1), backbone(X))  # the logits are the backbone before its softmax


def test_a_numpy_trained_network_keeps_its_accuracy_across_the_bridge_both_ways(rng):
    from seqnet.augment import crop_and_flip
    X = rng.normal(size=(96, 32, 32, 3)).astype(np.float32)
    y = (X[:, :16].mean(axis=(1, 2, 3)) > X[:, 16:].mean(axis=(1, 2, 3))).astype(np.int64)  # top vs bottom
    model = cifar_fast(seed=0, whiten_from=X, width=4)
    model.compile(seqnet.optimizers.SGD(lr=0.05, momentum=0.9, nesterov=True), "cross_entropy", ["accuracy"])
    model.fit(X, y, batch_size=32, epochs=2, verbose=0, augment=crop_and_flip)
    ours = model.evaluate(X, y, return_dict=True)["accuracy"]
    module = to_torch(model).eval()
    with torch.no_grad():
        theirs = float((module(torch.from_numpy(X.transpose(0, 3, 1, 2).copy())).argmax(1).numpy() == y).mean())
    assert abs(ours - theirs) <= 0.001
    back = to_seqnet(module, (32, 32, 3))
    back.compile("sgd", "cross_entropy", ["accuracy"])
    assert abs(back.evaluate(X, y, return_dict=True)["accuracy"] - ours) <= 0.001


def test_the_data_module_reads_the_files_once_and_limit_cuts_both_sets(tmp_path, monkeypatch):
    fake_fashion(tmp_path, n_train=40, n_test=10)
    calls = []
    real = FashionMNISTDataModule.loader

    def counting(path):
        calls.append(path)
        return real(path)
    monkeypatch.setattr(FashionMNISTDataModule, "loader", staticmethod(counting))
    dm = FashionMNISTDataModule(str(tmp_path), val_split=4, limit=20)
    for _ in range(3):  # as the trainer calls them in fit and in test
        dm.prepare_data()
        dm.setup("fit")
    assert len(calls) == 1
    assert (len(dm.train[0]), len(dm.val[0]), len(dm.test[0])) == (16, 4, 10)


def test_cifar_fast_trains_on_every_image_as_the_numpy_example_does(tmp_path):
    fake_cifar(tmp_path / "data", n=16)  # 80 training images
    out = tmp_path / "run"
    proc = train("--data", str(tmp_path / "data"), "--arch", "cifar_fast", "--epochs", "1", "--batch-size", "16",
                 "--accelerator", "cpu", "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads((out / "hparams.json").read_text())["val_split"] == 0
    assert (out / "metrics.csv").read_text().splitlines()[0] == "epoch,loss,accuracy"
    assert (out / "checkpoints" / "best.ckpt").is_file() and seqnet.load_model(out / "model.h5").epochs_done == 1
