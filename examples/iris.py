"""The assignment's two-layer network on Iris: ReLU hidden layer, softmax output, SGD + momentum.

    python examples/iris.py [--epochs 100] [--lr 0.05] [--hidden 15] [--batch-size 25] [--out runs]

Writes the run folder runs/iris/: hparams.json, metrics.csv, curves.png, model.h5, results.json,
report.md. Then: seqnet summary runs/iris/model.h5 and seqnet report runs/iris.
"""
import time

import seqnet
from seqnet.experiment import Run, add_limit_option, example_parser, positive_int, timing_line
from seqnet.layers import Dense
from seqnet.optimizers import SGD

parser = example_parser(__doc__)
parser.add_argument("--epochs", type=positive_int, default=100, help="passes over the training set")
parser.add_argument("--lr", type=float, default=0.05, help="SGD learning rate")
parser.add_argument("--hidden", type=positive_int, default=15, help="units in the hidden layer")
parser.add_argument("--batch-size", type=positive_int, default=25, help="examples per update")
add_limit_option(parser)
parser.add_argument("--seed", type=int, default=0, help="seed of the model's random generator")
parser.add_argument("--out", default="runs", help="parent folder of the run folder")
args = parser.parse_args()

(X_train, y_train), (X_test, y_test) = seqnet.datasets.load_iris()
X_train, X_test = seqnet.datasets.standardize(X_train, X_test)
X_train, y_train, X_test, y_test = X_train[:args.limit], y_train[:args.limit], X_test[:args.limit], y_test[:args.limit]
run = Run("iris", vars(args), root=args.out)

model = seqnet.Sequential([Dense(args.hidden, activation="relu"), Dense(3, activation="softmax")],
                          seed=args.seed, name="iris_2layer")
model.compile(optimizer=SGD(lr=args.lr, momentum=0.9), loss="cross_entropy", metrics=["accuracy"])
start = time.perf_counter()
model.fit(X_train, y_train, batch_size=args.batch_size, epochs=args.epochs, validation_split=0.1, verbose=2,
          callbacks=run.callbacks())
seconds = time.perf_counter() - start
model.summary()
results = run.finish(model, {"train_seconds": seconds, "seconds_per_epoch": seconds / args.epochs},
                     test_data=(X_test, y_test), class_names=seqnet.datasets.IRIS_CLASSES,
                     title="Iris, two-layer network")
print(f"{timing_line(seconds, args.epochs)}; report: {run.dir / 'report.md'}")
print(f"test loss: {results['test_loss']:.4f}")
print(f"test accuracy: {results['test_accuracy']:.3f}")
