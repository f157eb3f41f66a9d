"""Make the quickstart's figure from the very run the quickstart's doctest makes.

    python docs/make_figures.py

Runs the quickstart's lines (same data, seed and settings), prints the last epoch's line as
``fit(verbose=2)`` prints it (the page shows it) and writes ``docs/_static/iris_curves.png``
from that run's history; the doctest checks the same run's numbers, so the page's text and
its figure cannot drift apart.
"""
from pathlib import Path

import seqnet
from seqnet.layers import Dense
from seqnet.optimizers import SGD
from seqnet.plotting import plot_history

(X, y), (X_test, y_test) = seqnet.datasets.load_iris()
X, X_test = seqnet.datasets.standardize(X, X_test)
model = seqnet.Sequential([Dense(15, activation="relu"), Dense(3, activation="softmax")], seed=0)
model.compile(optimizer=SGD(lr=0.05, momentum=0.9), loss="cross_entropy", metrics=["accuracy"])
history = model.fit(X, y, batch_size=25, epochs=100, validation_split=0.1, verbose=0)
last = {k: v[-1] for k, v in history.history.items()}
print("Epoch 100/100 - " + " - ".join(f"{k}: {v:.4f}" for k, v in last.items()))
print(plot_history(history, Path(__file__).parent / "_static" / "iris_curves.png",
                   title="Iris, two-layer network (the quickstart's run)"))
