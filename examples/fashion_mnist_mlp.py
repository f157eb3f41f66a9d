"""The assignment's MLP (784-1024-1024-10, ReLU) on the full Fashion-MNIST, in numpy.

    python examples/fashion_mnist_mlp.py [--epochs 20] [--lr 1e-3] [--batch-size 128] [--dropout 0.3]
                                         [--limit N] [--data-dir DIR] [--out runs]

Writes the run folder runs/fashion_mnist_mlp/: hparams.json, metrics.csv, curves.png, confusion.png,
model.h5, results.json, report.md. ``--limit 2000 --epochs 1`` is a quick try.
"""
import sys
import time

import seqnet
from seqnet.architectures import fashion_mlp
from seqnet.experiment import Run, example_parser, positive_int
from seqnet.optimizers import Adam
from seqnet.schedulers import Cosine

parser = example_parser(__doc__)
parser.add_argument("--epochs", type=positive_int, default=20, help="passes over the training set")
parser.add_argument("--batch-size", type=positive_int, default=128, help="images per update")
parser.add_argument("--lr", type=float, default=1e-3, help="Adam's peak learning rate (cosine schedule)")
parser.add_argument("--dropout", type=float, default=0.3, help="dropout rate after each hidden layer")
parser.add_argument("--limit", type=positive_int, metavar="N", help="train on the first N training images only")
parser.add_argument("--seed", type=int, default=0, help="seed of the model's random generator")
parser.add_argument("--data-dir", default=None, help="folder with the four IDX files; unset: search "
                                                     "$SEQNET_DATA, ~/.seqnet/datasets, /usr/share/datasets")
parser.add_argument("--out", default="runs", help="parent folder of the run folder")
args = parser.parse_args()

try:
    (X_train, y_train), (X_test, y_test) = seqnet.datasets.load_fashion_mnist(args.data_dir, normalize=True)
except FileNotFoundError as err:
    sys.exit(f"fashion_mnist_mlp: {str(err).splitlines()[0]}\nPass the folder with --data-dir DIR "
             f"(on Debian: apt-get install dataset-fashion-mnist).")
X_train, y_train = X_train[:args.limit], y_train[:args.limit]
run = Run("fashion_mnist_mlp", vars(args), root=args.out)

model = fashion_mlp(dropout=args.dropout, seed=args.seed)
steps = args.epochs * -(-len(X_train) * 11 // 12 // args.batch_size)  # updates in the whole run
model.compile(optimizer=Adam(lr=args.lr, lr_scheduler=Cosine(args.lr, decay_steps=steps, min_lr=args.lr / 100)),
              loss="cross_entropy", metrics=["accuracy"])

start = time.perf_counter()
model.fit(X_train, y_train, batch_size=args.batch_size, epochs=args.epochs, validation_split=1 / 12,
          callbacks=run.callbacks())
seconds = time.perf_counter() - start
results = run.finish(model, {"train_seconds": seconds, "seconds_per_epoch": seconds / args.epochs},
                     test_data=(X_test, y_test), class_names=seqnet.datasets.FASHION_MNIST_CLASSES)
print(f"training took {seconds:.0f} s ({seconds / args.epochs:.1f} s per epoch); report: {run.dir / 'report.md'}")
print(f"test accuracy: {results['test_accuracy']:.4f}")
