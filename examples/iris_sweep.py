"""The assignment's sweep on Iris: learning rate x hidden size, test error per combination.

    python examples/iris_sweep.py [--epochs 100] [--out runs/iris_sweep]
"""
import argparse
import itertools
from pathlib import Path

import seqnet
from seqnet.callbacks import Callback
from seqnet.layers import Dense
from seqnet.optimizers import SGD
from seqnet.plotting import plot_curves


class BatchLosses(Callback):
    """Records the running loss after every iteration."""

    def __init__(self):
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(logs["loss"])


parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--out", type=Path, default=Path("runs/iris_sweep"))
args = parser.parse_args()

(X_train, y_train), (X_test, y_test) = seqnet.datasets.load_iris()
X_train, X_test = seqnet.datasets.standardize(X_train, X_test)

results = []
for lr, hidden in itertools.product([0.001, 0.01, 0.05], [10, 15, 25]):
    model = seqnet.Sequential([Dense(hidden, activation="relu"), Dense(3, activation="softmax")], seed=args.seed)
    model.compile(optimizer=SGD(lr=lr, momentum=0.9), loss="cross_entropy", metrics=["accuracy"])
    recorder = BatchLosses()
    model.fit(X_train, y_train, batch_size=25, epochs=args.epochs, verbose=0, callbacks=[recorder])
    test = model.evaluate(X_test, y_test, return_dict=True)
    results.append((1.0 - test["accuracy"], test["loss"], lr, hidden, recorder.losses))

print(f"{'lr':>8} {'hidden':>7} {'test loss':>10} {'test error':>11}")
for error, loss, lr, hidden, _ in results:
    print(f"{lr:>8g} {hidden:>7d} {loss:>10.4f} {error:>11.3f}")
error, loss, lr, hidden, losses = min(results, key=lambda r: (r[0], r[1]))
png = plot_curves({f"lr={lr:g}, hidden={hidden}": losses}, args.out / "best_loss.png",
                  xlabel="iteration", ylabel="training loss (running mean over the epoch)",
                  title="Iris sweep: best combination")
print(f"best: lr={lr:g}, hidden={hidden} with test error {error:.3f} (test loss {loss:.4f})")
print(f"loss curve of the best combination saved to {png}")
