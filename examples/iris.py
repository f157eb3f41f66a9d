"""The assignment's two-layer network on Iris: ReLU hidden layer, softmax output, SGD + momentum.

    python examples/iris.py [--epochs 100] [--lr 0.05] [--hidden 15] [--out runs/iris]
"""
import argparse
from pathlib import Path

import seqnet
from seqnet.layers import Dense
from seqnet.optimizers import SGD
from seqnet.plotting import plot_history

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--lr", type=float, default=0.05)
parser.add_argument("--hidden", type=int, default=15)
parser.add_argument("--batch-size", type=int, default=25)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--out", type=Path, default=Path("runs/iris"))
args = parser.parse_args()

(X_train, y_train), (X_test, y_test) = seqnet.datasets.load_iris()
X_train, X_test = seqnet.datasets.standardize(X_train, X_test)

model = seqnet.Sequential([Dense(args.hidden, activation="relu"), Dense(3, activation="softmax")],
                          seed=args.seed, name="iris_2layer")
model.compile(optimizer=SGD(lr=args.lr, momentum=0.9), loss="cross_entropy", metrics=["accuracy"])
history = model.fit(X_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
                    validation_split=0.1, verbose=1)
model.summary()

png = plot_history(history, args.out / "curves.png", title="Iris, two-layer network")
print(f"training curves saved to {png}")
result = model.evaluate(X_test, y_test, return_dict=True)
print(f"test loss: {result['loss']:.4f}")
print(f"test accuracy: {result['accuracy']:.3f}")
