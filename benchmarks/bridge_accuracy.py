"""A trained CIFAR-10 model's test accuracy on both sides of the Lightning bridge.

    python benchmarks/bridge_accuracy.py RUN_DIR [--data PATH]

RUN_DIR is a run folder of examples/cifar10_cnn.py (trained in numpy) or of
``python -m lightning_models.train`` (trained in torch; its model.h5 is the numpy copy). Prints
the test accuracy, plain and with flip test-time augmentation, of the numpy model and of its
torch copy (``lightning_models.to_torch``); for a Lightning run also the accuracy Lightning
measured (results.json). The standardisation is the run's: the example's training-set
statistics, or the Lightning data module's constants.
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch

import seqnet
from seqnet.augment import predict_flip_tta
from lightning_models import to_torch
from lightning_models.data import CIFAR10DataModule

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("run_dir", type=Path)
parser.add_argument("--data", help="CIFAR-10 (official files or image folders)")
args = parser.parse_args()

hparams = json.loads((args.run_dir / "hparams.json").read_text())
results = json.loads((args.run_dir / "results.json").read_text())
lightning = "accelerator" in hparams  # a run folder of the Lightning trainer
(X_train, _), (X_test, y_test) = seqnet.datasets.load_cifar10(
    args.data or hparams.get("data") or hparams.get("data_dir"))  # data_dir: run folders of older versions
if lightning:
    X = CIFAR10DataModule().normalize(X_test)
else:
    X_train = X_train[:hparams.get("limit")]
    mean, std = X_train.mean(axis=(0, 1, 2), dtype=np.float64), X_train.std(axis=(0, 1, 2), dtype=np.float64)
    X = ((X_test - mean) / std).astype(np.float32)
model = seqnet.load_model(args.run_dir / "model.h5")
net = to_torch(model).eval()


def torch_predict(images):
    with torch.no_grad():
        return torch.cat([net(torch.from_numpy(np.ascontiguousarray(images[i:i + 500].transpose(0, 3, 1, 2))))
                          for i in range(0, len(images), 500)]).numpy()


def accuracy(probs):
    return 100 * float(np.mean(probs.argmax(axis=1) == y_test))


rows = {"numpy (seqnet)": model.predict, "torch (to_torch)": torch_predict}
print(f"{args.run_dir}: test accuracy in % (plain / flip TTA)")
for side, predict in rows.items():
    plain, flipped = predict(X), predict(X[:, :, ::-1])
    print(f"  {side:<18} {accuracy(plain):.2f} / {accuracy((plain + flipped) / 2):.2f}")
print(f"  numpy, flip and 1-pixel translate TTA (six views): "
      f"{accuracy(predict_flip_tta(model, X, translate=1)):.2f}")
if lightning:
    print(f"  Lightning measured {100 * results['test_accuracy']:.2f} (its test step, flip TTA "
          f"{'on' if hparams.get('tta_flip') else 'off'})")
