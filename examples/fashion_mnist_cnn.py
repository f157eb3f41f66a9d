"""A small CNN on the full Fashion-MNIST, trained in numpy on the CPU.

    python examples/fashion_mnist_cnn.py [--epochs 10] [--lr 2e-3] [--batch-size 128] [--limit N]
                                         [--data-dir DIR] [--out runs]

Two 3x3 convolution blocks (ReLU, max-pooling, BatchNorm), a dense head with dropout.
Prints the wall time of every epoch and of the whole run; writes the run folder
runs/fashion_mnist_cnn/. ``--limit 2000 --epochs 1`` is a quick try.
"""
import sys
import time

import seqnet
from seqnet.callbacks import Callback
from seqnet.architectures import fashion_cnn
from seqnet.experiment import Run, example_parser, positive_int
from seqnet.optimizers import Adam
from seqnet.schedulers import Cosine

parser = example_parser(__doc__)
parser.add_argument("--epochs", type=positive_int, default=10, help="passes over the training set")
parser.add_argument("--batch-size", type=positive_int, default=128, help="images per update")
parser.add_argument("--lr", type=float, default=2e-3, help="Adam's peak learning rate (cosine schedule)")
parser.add_argument("--limit", type=positive_int, metavar="N", help="train on the first N training images only")
parser.add_argument("--seed", type=int, default=0, help="seed of the model's random generator")
parser.add_argument("--data-dir", default=None, help="folder with the four IDX files; unset: search "
                                                     "$SEQNET_DATA, ~/.seqnet/datasets, /usr/share/datasets")
parser.add_argument("--out", default="runs", help="parent folder of the run folder")
args = parser.parse_args()


class EpochTimer(Callback):
    """Prints the wall time of each epoch."""

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        print(f"epoch {epoch + 1} wall time: {time.perf_counter() - self.start:.1f} s", flush=True)


try:
    (X_train, y_train), (X_test, y_test) = seqnet.datasets.load_fashion_mnist(args.data_dir, normalize=True)
except FileNotFoundError as err:
    sys.exit(f"fashion_mnist_cnn: {str(err).splitlines()[0]}\nPass the folder with --data-dir DIR "
             f"(on Debian: apt-get install dataset-fashion-mnist).")
X_train, y_train = X_train[:args.limit], y_train[:args.limit]
run = Run("fashion_mnist_cnn", vars(args), root=args.out)

model = fashion_cnn(seed=args.seed)
steps = args.epochs * -(-len(X_train) * 11 // 12 // args.batch_size)
model.compile(optimizer=Adam(lr=args.lr, lr_scheduler=Cosine(args.lr, decay_steps=steps, min_lr=args.lr / 50)),
              loss="cross_entropy", metrics=["accuracy"])

start = time.perf_counter()
model.fit(X_train, y_train, batch_size=args.batch_size, epochs=args.epochs, validation_split=1 / 12,
          callbacks=[EpochTimer(), *run.callbacks()])
seconds = time.perf_counter() - start
results = run.finish(model, {"train_seconds": seconds, "seconds_per_epoch": seconds / args.epochs},
                     test_data=(X_test, y_test), class_names=seqnet.datasets.FASHION_MNIST_CLASSES)
print(f"total wall time: {seconds:.0f} s ({seconds / args.epochs:.1f} s per epoch); report: {run.dir / 'report.md'}")
print(f"test accuracy: {results['test_accuracy']:.4f}")
