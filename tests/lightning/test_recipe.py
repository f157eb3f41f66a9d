"""The CIFAR recipe's optional parts in the Lightning mirror do what seqnet's do."""
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

torch = pytest.importorskip("torch", exc_type=ImportError)
pl = pytest.importorskip("pytorch_lightning", exc_type=ImportError)

import seqnet  # noqa: E402
from lightning_models import CIFAR10DataModule, Lookahead, to_torch  # noqa: E402
from lightning_models.bridge import copy_to_seqnet  # noqa: E402
from seqnet import callbacks  # noqa: E402
from seqnet.layers import BatchNorm, Dense  # noqa: E402
from tests.helpers import fake_cifar  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def test_the_lightning_lookahead_averages_as_seqnet_s_does(rng):
    """Both callbacks driven through the same 12 updates (torch's weights moved by random steps and
    copied across the bridge before each) end on the same weights, BatchNorm statistics included."""
    model = seqnet.Sequential([Dense(5, input_shape=(3,)), BatchNorm(momentum=0.3), Dense(2)], seed=0)
    module = to_torch(model)
    ours, theirs = callbacks.Lookahead(every=2, decay=0.7, ramp=2.0), Lookahead(every=2, decay=0.7, ramp=2.0)
    ours.set_model(model)
    ours.set_params({"epochs": 3, "steps": 4, "initial_epoch": 0})
    trainer = SimpleNamespace(global_step=0, estimated_stepping_batches=12, current_epoch=0, max_epochs=3)
    ours.on_train_begin()
    theirs.on_train_start(trainer, module)
    for step in range(12):
        with torch.no_grad():
            for w in module.state_dict().values():
                if w.is_floating_point():
                    w += torch.from_numpy(rng.normal(size=tuple(w.shape)).astype(np.float32))
        copy_to_seqnet(module, model)
        unpulled = [w.clone() for w in module.state_dict().values() if w.is_floating_point()]
        trainer.current_epoch = step // 4
        ours.on_train_batch_end(step % 4)
        theirs.on_train_batch_end(trainer, module, None, None, step % 4)
        if step % 4 == 3:
            theirs.on_train_epoch_end(trainer, module)
    ours.on_train_end()
    pulled = [w.copy() for layer in model.layers for w in layer.get_weights()]
    copy_to_seqnet(module, model)
    for expected, got in zip(pulled, [w for layer in model.layers for w in layer.get_weights()]):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    last = [w for w in module.state_dict().values() if w.is_floating_point()]
    assert not torch.allclose(last[0], unpulled[0], atol=1e-3)  # the run ended on an average, not its last step


def test_alternating_flips_mirror_the_other_half_each_epoch(tmp_path):
    fake_cifar(tmp_path, n=4)  # 20 training images
    plain, alternating = (CIFAR10DataModule(str(tmp_path), val_split=0, flip=f, crop_padding=0) for f in
                          ("random", "alternate"))
    for dm in (plain, alternating):
        dm.setup("fit")
    X, A = plain.train[0], alternating.train[0]
    mirrored = torch.all((A == X.flip(3)).reshape(len(X), -1), dim=1)
    assert torch.all(mirrored | torch.all((A == X).reshape(len(X), -1), dim=1)) and 0 < int(mirrored.sum()) < 20
    for epoch in (0, 1, 2):
        alternating.trainer = SimpleNamespace(training=True, current_epoch=epoch)
        out, _ = alternating.on_after_batch_transfer((A, None), 0)
        assert torch.equal(out, A if epoch % 2 == 0 else A.flip(3))
    with pytest.raises(ValueError, match="flip"):
        CIFAR10DataModule(str(tmp_path), flip="sometimes")


def test_the_command_trains_with_the_recipe_options(tmp_path):
    fake_cifar(tmp_path / "data", n=16)
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "lightning_models.train", "--data", str(tmp_path / "data"),
                           "--arch", "cifar_fast", "--epochs", "2", "--batch-size", "8", "--flip", "alternate",
                           "--lookahead", "--bn-bias-lr-scale", "8", "--whiten-bias-epochs", "1",
                           "--accelerator", "cpu", "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    hparams = json.loads((out / "hparams.json").read_text())
    assert hparams["flip"] == "alternate" and hparams["lookahead"] is True
    model = seqnet.load_model(out / "model.h5")
    assert model.epochs_done == 2 and model.optimizer.lr_scales == {"beta": 8.0, "whiten/W": 0.0}
    whiten = model.get_layer("whiten")
    assert not whiten.trainable and np.any(whiten.parameters["b"] != 0)


def test_batchnorm_bias_rate_and_whitening_bias_step_as_seqnet_s(rng):
    """Three SGD steps with BatchNorm's biases at 8 times the rate and a frozen first convolution
    whose bias learns: torch's parameter groups give seqnet's lr_scales (to 1e-6, the two
    libraries' float64 difference on this network without the scales too)."""
    from seqnet.layers import Conv2D, Flatten
    from seqnet.optimizers import SGD
    import torch.nn.functional as F
    from lightning_models import LitClassifier

    def make():
        model = seqnet.Sequential([Conv2D(4, 2, pad="valid", activation="relu", name="whiten"), BatchNorm(),
                                   Flatten(), Dense(3, activation="softmax")], seed=0)
        model = seqnet.Sequential.from_config({**model.get_config(), "dtype": "float64"})
        model.build((5, 5, 2))
        model.get_layer("whiten").trainable = False
        for w in (w for layer in model.layers for w in layer.get_weights()):  # what float32 carries exactly
            w[...] = w.astype(np.float32)
        return model
    X, y = rng.normal(size=(8, 5, 5, 2)), rng.integers(0, 3, size=8)
    ours, start = make(), make()
    ours.get_layer("whiten").trainable = True
    ours.compile(SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01, lr_scales={"beta": 8.0, "whiten/W": 0}),
                 "cross_entropy")
    lit = LitClassifier(to_torch(start).double(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01,
                        bn_bias_lr_scale=8.0, whiten_bias_epochs=1)
    opt = lit.configure_optimizers()
    x, t = torch.from_numpy(X.transpose(0, 3, 1, 2).copy()), torch.from_numpy(y)
    for _ in range(3):
        ours.train_on_batch(X, y)
        opt.zero_grad()
        F.cross_entropy(lit(x), t).backward()
        opt.step()
    copy_to_seqnet(lit.backbone, start)
    for a, b in zip(ours.get_weights(), start.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-6)
    unscaled = make()
    unscaled.compile(SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01), "cross_entropy")
    for _ in range(3):
        unscaled.train_on_batch(X, y)
    assert np.abs(unscaled.get_layer("batch_norm").parameters["beta"]
                  - start.get_layer("batch_norm").parameters["beta"]).max() > 1e-3  # the scale mattered
    whiten = start.get_layer("whiten")
    assert np.any(whiten.parameters["b"] != 0)
    assert np.array_equal(whiten.parameters["W"], make().get_layer("whiten").parameters["W"])
