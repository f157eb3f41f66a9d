"""A small CNN on the full Fashion-MNIST, trained in numpy on the CPU.

    python examples/fashion_mnist_cnn.py [--epochs 10] [--lr 1e-3] [--data-dir DIR] [--out runs]

Two 3x3 convolution blocks (ReLU, max-pooling, BatchNorm), a dense head with dropout.
Prints the wall time of every epoch and of the whole run; writes runs/fashion_mnist_cnn/.
"""
import argparse
import time

import seqnet
from seqnet.callbacks import Callback
from seqnet.architectures import fashion_cnn
from seqnet.experiment import Run
from seqnet.optimizers import Adam
from seqnet.schedulers import Cosine

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--batch-size", type=int, default=128)
parser.add_argument("--lr", type=float, default=2e-3)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--data-dir", default=None, help="folder with the four IDX files (default: search)")
parser.add_argument("--out", default="runs", help="parent folder of the run folder")
args = parser.parse_args()


class EpochTimer(Callback):
    """Prints the wall time of each epoch."""

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        print(f"epoch {epoch + 1} wall time: {time.perf_counter() - self.start:.1f} s", flush=True)


(X_train, y_train), (X_test, y_test) = seqnet.datasets.load_fashion_mnist(args.data_dir, normalize=True)
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
