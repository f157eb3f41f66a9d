"""The assignment's sweep on Iris: learning rate x hidden size, chosen on held-out validation data.

    python examples/iris_sweep.py [--epochs 100] [--val-split 0.2] [--out runs]

Each combination trains on the training set less its last --val-split, and the one with the
lowest validation error (then loss) is chosen; only the chosen model meets the test set, once,
so its test error is an honest estimate. Writes the run folder runs/iris_sweep/ for it (model,
curves and report, with every combination's validation error in results.json) and
best_loss.png, its loss after every iteration.
"""
import itertools
import time

import seqnet
from seqnet.callbacks import Callback
from seqnet.experiment import Run, add_limit_option, example_parser, positive_int, timing_line
from seqnet.layers import Dense
from seqnet.optimizers import SGD
from seqnet.plotting import plot_curves


class BatchLosses(Callback):
    """Records the running loss after every iteration."""

    def __init__(self):
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(logs["loss"])


parser = example_parser(__doc__)
parser.add_argument("--epochs", type=positive_int, default=100, help="passes over the training set per combination")
parser.add_argument("--lrs", type=float, nargs="+", default=[0.001, 0.01, 0.05], help="learning rates to try")
parser.add_argument("--hidden", type=positive_int, nargs="+", default=[10, 15, 25], help="hidden sizes to try")
parser.add_argument("--val-split", type=float, default=0.2, metavar="F",
                    help="the last fraction F of the training set, held out to choose the combination")
add_limit_option(parser)
parser.add_argument("--seed", type=int, default=0, help="seed of every model's random generator")
parser.add_argument("--out", default="runs", help="parent folder of the run folder")
args = parser.parse_args()

(X_train, y_train), (X_test, y_test) = seqnet.datasets.load_iris()
X_train, X_test = seqnet.datasets.standardize(X_train, X_test)
X_train, y_train, X_test, y_test = X_train[:args.limit], y_train[:args.limit], X_test[:args.limit], y_test[:args.limit]

results = []
start = time.perf_counter()
for lr, hidden in itertools.product(args.lrs, args.hidden):
    model = seqnet.Sequential([Dense(hidden, activation="relu"), Dense(3, activation="softmax")], seed=args.seed,
                              name=f"iris_lr{lr:g}_hidden{hidden}")
    model.compile(optimizer=SGD(lr=lr, momentum=0.9), loss="cross_entropy", metrics=["accuracy"])
    recorder = BatchLosses()
    history = model.fit(X_train, y_train, batch_size=25, epochs=args.epochs, verbose=0, callbacks=[recorder],
                        validation_split=args.val_split).history
    results.append((1.0 - history["val_accuracy"][-1], history["val_loss"][-1], lr, hidden, recorder.losses, model))

seconds = time.perf_counter() - start
print(f"{'lr':>8} {'hidden':>7} {'val loss':>10} {'val error':>10}")
for error, loss, lr, hidden, _, _ in results:
    print(f"{lr:>8g} {hidden:>7d} {loss:>10.4f} {error:>10.3f}")
error, loss, lr, hidden, losses, best = min(results, key=lambda r: (r[0], r[1]))
test = best.evaluate(X_test, y_test, return_dict=True)  # the one look at the test set
run = Run("iris_sweep", {**vars(args), "best_lr": lr, "best_hidden": hidden}, root=args.out)
png = plot_curves({f"lr={lr:g}, hidden={hidden}": losses}, run.dir / "best_loss.png",
                  xlabel="iteration", ylabel="training loss (running mean over the epoch)",
                  title="Iris sweep: best combination")
grid = {f"val_error lr={r[2]:g} hidden={r[3]}": r[0] for r in results}
run.finish(best, grid, test_data=(X_test, y_test), class_names=seqnet.datasets.IRIS_CLASSES,
           title=f"Iris sweep: best of {len(results)} (lr={lr:g}, hidden={hidden})")
print(f"chosen on validation: lr={lr:g}, hidden={hidden} (validation error {error:.3f}); "
      f"its test error {1.0 - test['accuracy']:.3f} (test loss {test['loss']:.4f})")
print(f"{timing_line(seconds, len(results) * args.epochs)}; report: {run.dir / 'report.md'} "
      f"(best_loss.png: the best combination's loss after every iteration)")
