"""CIFAR-10 in numpy: the network the Lightning mirror trains, with the speed-record recipe.

    python examples/cifar10_cnn.py [--data PATH] [--arch cifar_fast] [--epochs 12] [--lr 0.3]
                                   [--batch-size 512] [--limit N] [--kaggle-test cifar_test_data.npy] [--out runs]

PATH is CIFAR-10 as the official cifar-10-python.tar.gz (or its extracted folder) or as image
folders train/<class>/ and test/<class>/ (a folder or an archive, such as the JPEG copy
cifar10-jpeg.tar.gz); unset, $SEQNET_DATA, ~/.seqnet/datasets and /usr/share/datasets are searched.
The recipe (cifar_fast): a first layer that whitens 2x2 patches (its filters frozen, its bias
trained for 3 epochs), crops and alternating flips, label smoothing, SGD with Nesterov momentum
and weight decay on a one-cycle schedule (BatchNorm's shifts at 64 times the rate), a lookahead
of the weights, and flip test-time augmentation. --arch cifar_cnn trains the write-up's network
instead. Writes the run folder runs/cifar10_<arch>/ and, with --kaggle-test, its submission.csv
in the assignment's Kaggle format (Id,Category).
"""
import argparse
import time

import numpy as np

from seqnet.architectures import CIFAR_FAST_RECIPE as RECIPE
from seqnet.architectures import cifar_cnn, cifar_fast
from seqnet.augment import CropAndFlip, predict_flip_tta
from seqnet.callbacks import LambdaCallback, Lookahead
from seqnet.datasets import CIFAR10_CLASSES, load_cifar10, load_kaggle_test, write_kaggle_submission
from seqnet.experiment import (Run, add_data_option, add_limit_option, example_parser, load_or_exit, positive_int,
                               timing_line)
from seqnet.losses import CrossEntropy
from seqnet.ops.engines import CHOICES
from seqnet.optimizers import SGD
from seqnet.schedulers import for_run

parser = example_parser(__doc__)
add_data_option(parser, "CIFAR-10 archive or folder (official files or image folders)")
parser.add_argument("--arch", choices=["cifar_fast", "cifar_cnn"], default="cifar_fast", help="the network")
parser.add_argument("--epochs", type=positive_int, default=RECIPE["epochs"], help="passes over the training set")
parser.add_argument("--batch-size", type=positive_int, default=RECIPE["batch_size"], help="images per update")
parser.add_argument("--lr", type=float, default=RECIPE["lr"], help="SGD's peak learning rate")
parser.add_argument("--schedule", choices=["onecycle", "cosine", "constant"], default=RECIPE["scheduler"],
                    help="learning-rate schedule over the run (seqnet.schedulers.for_run)")
parser.add_argument("--weight-decay", type=float, default=RECIPE["weight_decay"], help="L2 weight decay")
parser.add_argument("--label-smoothing", type=float, default=RECIPE["label_smoothing"],
                    help="label smoothing of the training loss")
parser.add_argument("--crop-padding", type=int, default=RECIPE["crop_padding"],
                    help="pixels of padding for the random crops")
parser.add_argument("--momentum", type=float, default=RECIPE["momentum"], help="SGD's (Nesterov) momentum")
parser.add_argument("--flip", choices=["random", "alternate"], default=RECIPE["flip"],
                    help="training flips: at random, or each image the other way each epoch (seqnet.augment.CropAndFlip)")
parser.add_argument("--lookahead", action=argparse.BooleanOptionalAction, default=RECIPE["lookahead"],
                    help="pull the weights toward their running average every 5 steps (seqnet.callbacks.Lookahead)")
parser.add_argument("--bn-bias-lr-scale", type=float, default=RECIPE["bn_bias_lr_scale"], metavar="S",
                    help="BatchNorm's shifts (beta) learn at S times the rate")
parser.add_argument("--whiten-bias-epochs", type=int, default=RECIPE["whiten_bias_epochs"], metavar="N",
                    help="cifar_fast: train the whitening layer's bias for the first N epochs (0: never)")
parser.add_argument("--tta", action=argparse.BooleanOptionalAction,
                    default=RECIPE["tta_flip"],
                    help="flip test-time augmentation for the test accuracy and the Kaggle file")
parser.add_argument("--tta-translate", type=int, default=0, metavar="T",
                    help="with --tta, also average the views shifted by T pixels (six passes instead of two)")
parser.add_argument("--val-split", type=float, default=float(RECIPE["val_split"]), metavar="F",
                    help="hold out the last fraction F of the training images for validation, for tuning "
                         "(the final run trains on all of them)")
add_limit_option(parser)
parser.add_argument("--seed", type=int, default=0, help="seed of the model's random generator")
parser.add_argument("--engine", choices=CHOICES, default="tune",
                    help="the 3x3 convolutions' engine (cifar_fast); 'tune' times them on this machine")
parser.add_argument("--kaggle-test", metavar="FILE",
                    help="the assignment's cifar_test_data.npy: also write submission.csv; unset: no Kaggle file")
parser.add_argument("--out", default="runs", help="parent folder of the run folder")
args = parser.parse_args()

start_loading = time.perf_counter()
(X_train, y_train), (X_test, y_test) = load_or_exit(parser.prog, load_cifar10, args, limit=args.limit)
print(f"loaded {len(X_train)} training and {len(X_test)} test images in {time.perf_counter() - start_loading:.0f} s")

# per-channel standardisation with the training set's statistics
mean = X_train.mean(axis=(0, 1, 2), dtype=np.float64)
std = X_train.std(axis=(0, 1, 2), dtype=np.float64)


def prepare(X):
    """The images as float32, standardised in place (no float64 copy of the whole set)."""
    out = X.astype(np.float32)
    out -= mean.astype(np.float32)
    out /= std.astype(np.float32)
    return out


X_train, X_test = prepare(X_train), prepare(X_test)
run = Run(f"cifar10_{args.arch}", vars(args), root=args.out)
if args.arch == "cifar_fast":
    model = cifar_fast(seed=args.seed, whiten_from=X_train[:5000], engine=args.engine)
else:
    model = cifar_cnn(seed=args.seed)
validation = args.val_split
steps = args.epochs * -(-int(len(X_train) * (1 - validation)) // args.batch_size)
lr_scales, callbacks = {}, run.callbacks()
if args.bn_bias_lr_scale != 1:
    lr_scales["beta"] = args.bn_bias_lr_scale
if args.whiten_bias_epochs and args.arch == "cifar_fast":
    whiten = model.get_layer("whiten")  # its filters stay frozen; its bias learns, then freezes too
    whiten.trainable, lr_scales["whiten/W"] = True, 0.0
    callbacks.append(LambdaCallback(on_epoch_end=lambda epoch, logs: setattr(
        whiten, "trainable", epoch + 1 < args.whiten_bias_epochs)))
if args.lookahead:
    callbacks.append(Lookahead())
model.compile(SGD(lr=args.lr, momentum=args.momentum, nesterov=RECIPE["nesterov"], weight_decay=args.weight_decay,
                  lr_scheduler=for_run(args.schedule, args.lr, steps), lr_scales=lr_scales),
              CrossEntropy(label_smoothing=args.label_smoothing), ["accuracy"])
start = time.perf_counter()
model.fit(X_train, y_train, batch_size=args.batch_size, epochs=args.epochs, validation_split=validation,
          augment=CropAndFlip(args.crop_padding, args.flip), callbacks=callbacks)
seconds = time.perf_counter() - start


def predict(X):
    """The model's own predictions for X and, with --tta, their test-time-augmented mean: each view once."""
    plain = model.predict(X, batch_size=500)
    return plain, (predict_flip_tta(model, X, translate=args.tta_translate, plain=plain) if args.tta else plain)


if args.kaggle_test:
    submission = write_kaggle_submission(predict(prepare(load_kaggle_test(args.kaggle_test)))[1],
                                         run.dir / "submission.csv")
    print(f"Kaggle submission written to {submission}")
results = {"train_seconds": seconds, "seconds_per_epoch": seconds / args.epochs}
outputs, probabilities = predict(X_test)  # the loss, the accuracies and the confusion matrix all count these
if args.tta:
    results["test_accuracy_tta"] = float(np.mean(probabilities.argmax(axis=1) == y_test))
results = run.finish(model, results, test_data=(X_test, y_test), class_names=CIFAR10_CLASSES,
                     predictions=probabilities, outputs=outputs, title=f"CIFAR-10, {args.arch}")
print(f"{timing_line(seconds, args.epochs)}; report: {run.dir / 'report.md'}")
if args.tta:
    print(f"test accuracy with test-time augmentation: {results['test_accuracy_tta']:.4f}")
print(f"test accuracy: {results['test_accuracy']:.4f}")
