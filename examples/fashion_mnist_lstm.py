"""An LSTM reading Fashion-MNIST images row by row (28 steps of 28 pixels), in numpy.

    python examples/fashion_mnist_lstm.py [--epochs 10] [--units 128] [--lr 2e-3] [--batch-size 128]
                                          [--limit N] [--data DIR] [--out runs]

Writes the run folder runs/fashion_mnist_lstm/: hparams.json, metrics.csv, curves.png,
confusion.png, model.h5, results.json, report.md. ``--limit 2000 --epochs 1`` is a quick try.
DIR holds the four IDX files; unset, $SEQNET_DATA, ~/.seqnet/datasets and /usr/share/datasets
are searched.
"""
import time

import seqnet
from seqnet.architectures import fashion_lstm
from seqnet.experiment import (Run, add_data_option, add_limit_option, example_parser, load_or_exit, positive_int,
                               timing_line)
from seqnet.optimizers import Adam
from seqnet.schedulers import Cosine

parser = example_parser(__doc__)
parser.add_argument("--epochs", type=positive_int, default=10, help="passes over the training set")
parser.add_argument("--units", type=positive_int, default=128, help="size of the LSTM's state")
parser.add_argument("--batch-size", type=positive_int, default=128, help="images per update")
parser.add_argument("--lr", type=float, default=2e-3, help="Adam's peak learning rate (cosine schedule)")
add_limit_option(parser)
parser.add_argument("--seed", type=int, default=0, help="seed of the model's random generator")
add_data_option(parser, "folder with the four IDX files")
parser.add_argument("--out", default="runs", help="parent folder of the run folder")
args = parser.parse_args()

(X_train, y_train), (X_test, y_test) = load_or_exit(parser.prog, seqnet.datasets.load_fashion_mnist, args,
                                                    normalize=True)
X_train, y_train, X_test, y_test = X_train[:args.limit], y_train[:args.limit], X_test[:args.limit], y_test[:args.limit]
run = Run("fashion_mnist_lstm", vars(args), root=args.out)

model = fashion_lstm(units=args.units, seed=args.seed)
steps = args.epochs * -(-len(X_train) * 11 // 12 // args.batch_size)  # updates in the whole run
model.compile(optimizer=Adam(lr=args.lr, lr_scheduler=Cosine(args.lr, decay_steps=steps, min_lr=args.lr / 100)),
              loss="cross_entropy", metrics=["accuracy"])

start = time.perf_counter()
model.fit(X_train, y_train, batch_size=args.batch_size, epochs=args.epochs, validation_split=1 / 12,
          callbacks=run.callbacks())
seconds = time.perf_counter() - start
results = run.finish(model, {"train_seconds": seconds, "seconds_per_epoch": seconds / args.epochs},
                     test_data=(X_test, y_test), class_names=seqnet.datasets.FASHION_MNIST_CLASSES)
print(f"{timing_line(seconds, args.epochs)}; report: {run.dir / 'report.md'}")
print(f"test accuracy: {results['test_accuracy']:.4f}")
