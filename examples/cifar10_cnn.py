"""A CNN on CIFAR-10 in numpy, with random-crop and flip augmentation; optionally a Kaggle submission.

    python examples/cifar10_cnn.py [--data PATH] [--epochs 20] [--lr 0.05] [--batch-size 128] [--limit N]
                                   [--kaggle-test cifar_test_data.npy] [--out runs]

PATH is cifar-10-python.tar.gz or its extracted cifar-10-batches-py/ folder (default: search
$SEQNET_DATA, ~/.seqnet/datasets, /usr/share/datasets). Writes runs/cifar10_cnn/ and, with
--kaggle-test, runs/cifar10_cnn/submission.csv in the assignment's Kaggle format.
"""
import sys
import time

import numpy as np

import seqnet
from seqnet.augment import crop_and_flip
from seqnet.datasets import CIFAR10_CLASSES, load_cifar10, load_kaggle_test, write_kaggle_submission
from seqnet.experiment import Run, example_parser, positive_int
from seqnet.layers import BatchNorm, Conv2D, Dense, Dropout, Flatten, MaxPool2D
from seqnet.optimizers import SGD
from seqnet.schedulers import Cosine

parser = example_parser(__doc__)
parser.add_argument("--data", help="CIFAR-10 archive or folder; unset: search $SEQNET_DATA, ~/.seqnet/datasets, "
                                   "/usr/share/datasets")
parser.add_argument("--epochs", type=positive_int, default=20, help="passes over the training set")
parser.add_argument("--batch-size", type=positive_int, default=128, help="images per update")
parser.add_argument("--lr", type=float, default=0.05, help="SGD's peak learning rate (cosine schedule)")
parser.add_argument("--limit", type=positive_int, metavar="N", help="train on the first N training images only")
parser.add_argument("--seed", type=int, default=0, help="seed of the model's random generator")
parser.add_argument("--kaggle-test", help="the assignment's cifar_test_data.npy: also write submission.csv")
parser.add_argument("--out", default="runs", help="parent folder of the run folder")
args = parser.parse_args()

try:
    (X_train, y_train), (X_test, y_test) = load_cifar10(args.data)
except FileNotFoundError as err:
    looked = str(err).split("Get it in")[0].rstrip()  # the loader's own advice names its arguments
    sys.exit(f"cifar10_cnn: {looked}\nPass the archive or folder with --data PATH (download "
             f"{seqnet.datasets.CIFAR10_URL}).")
X_train, y_train = X_train[:args.limit], y_train[:args.limit]

# per-channel standardisation with the training set's statistics
mean = X_train.mean(axis=(0, 1, 2), dtype=np.float64)
std = X_train.std(axis=(0, 1, 2), dtype=np.float64)


def prepare(X):
    return ((X - mean) / std).astype(np.float32)


X_train, X_test = prepare(X_train), prepare(X_test)
run = Run("cifar10_cnn", vars(args), root=args.out)


def block(n_out):
    return [Conv2D(n_out, 3, activation="relu", weight_init="he_uniform"), BatchNorm()]


model = seqnet.Sequential([*block(32), *block(32), MaxPool2D(2), *block(64), *block(64), MaxPool2D(2),
                           *block(128), MaxPool2D(2), Flatten(), Dense(256, activation="relu"), Dropout(0.3),
                           Dense(10, activation="softmax")], seed=args.seed, name="cifar10_cnn")
steps = args.epochs * -(-len(X_train) * 9 // 10 // args.batch_size)
model.compile(SGD(lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4,
                  lr_scheduler=Cosine(args.lr, decay_steps=steps)), "cross_entropy", ["accuracy"])
start = time.perf_counter()
model.fit(X_train, y_train, batch_size=args.batch_size, epochs=args.epochs, validation_split=0.1,
          augment=crop_and_flip, callbacks=run.callbacks())
seconds = time.perf_counter() - start
if args.kaggle_test:
    submission = write_kaggle_submission(model.predict(prepare(load_kaggle_test(args.kaggle_test))),
                                         run.dir / "submission.csv")
    print(f"Kaggle submission written to {submission}")
results = run.finish(model, {"train_seconds": seconds}, test_data=(X_test, y_test), class_names=CIFAR10_CLASSES)
print(f"training took {seconds:.0f} s; report: {run.dir / 'report.md'}")
print(f"test accuracy: {results['test_accuracy']:.4f}")
