"""Train a seqnet architecture with the PyTorch Lightning trainer, then hand it back to numpy.

    python -m lightning_models.train --arch fashion_cnn --epochs 5 --out runs/lit_cnn [--data PATH]

Writes the run folder --out as the numpy examples write theirs (seqnet report reads it):
hparams.json (every setting, defaults filled in), metrics.csv (one row per epoch, epochs from 1:
loss, accuracy, val_loss, val_accuracy), curves.png, model.h5 (the trained network as a seqnet
model with the optimizer, schedule and epochs it was trained with), results.json (test accuracy
and loss, epoch time), report.md, checkpoints/best.ckpt (best validation accuracy; the last
epoch without a validation split),
lightning_logs/ and, with --kaggle-test, submission.csv. Scale out with Lightning's own flags:
--devices, --num-nodes, --strategy ddp. --dataset defaults to the data set the architecture is
for; --data PATH says where its files are. --limit N is a quick try.

Needs torch and pytorch-lightning: on a machine without a GPU, install PyTorch's CPU build first
(pip install torch --index-url https://download.pytorch.org/whl/cpu), then the extra
(pip install -e ".[lightning]").
"""
from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path
from typing import Sequence

from seqnet.architectures import CIFAR_FAST_RECIPE

DATASETS = {"fashion_mnist": (28, 28, 1), "cifar10": (32, 32, 3)}
ACCELERATORS = ("cpu", "gpu", "cuda", "mps", "auto")
STRATEGIES = ("auto", "ddp", "ddp_spawn", "ddp_find_unused_parameters_true")
PRECISIONS = ("32", "16-mixed", "bf16-mixed", "64")
# settings that suit each architecture, used for every flag left unset
ARCH_DEFAULTS = {
    "fashion_mlp": dict(optimizer="adam", lr=1e-3, scheduler="cosine", batch_size=128, epochs=20),
    "fashion_cnn": dict(optimizer="adam", lr=2e-3, scheduler="cosine", batch_size=128, epochs=10),
    "fashion_lstm": dict(optimizer="adam", lr=2e-3, scheduler="cosine", batch_size=128, epochs=10),
    "cifar_cnn": dict(optimizer="sgd", lr=0.05, scheduler="cosine", batch_size=128, epochs=30, weight_decay=5e-4,
                      nesterov=True, crop_padding=4),
    "cifar_fast": dict(CIFAR_FAST_RECIPE),  # the recipe the numpy example trains the same network with
}
COMMON_DEFAULTS = dict(optimizer="sgd", lr=0.01, momentum=0.9, nesterov=False, weight_decay=0.0, scheduler="constant",
                       label_smoothing=0.0, batch_size=128, epochs=10, tta_flip=False, crop_padding=4, flip="random",
                       lookahead=False, bn_bias_lr_scale=1.0, whiten_bias_epochs=0)


def _defaults_text() -> str:
    """The epilog of --help: each architecture's defaults, spelled out."""
    lines = ["Flags left unset take the architecture's defaults:"]
    for arch, values in ARCH_DEFAULTS.items():
        merged = {**COMMON_DEFAULTS, **values}
        lines.append(textwrap.fill(f"{arch}: " + ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in merged.items()),
                                   width=78, initial_indent="  ", subsequent_indent="      "))
    return "\n".join(lines)


def _count_or_fraction(text: str) -> int | float:
    """argparse type of --val-split: "5000" is a count, "0.1" a fraction."""
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a count or a fraction, received {text!r}") from None


class UsageError(Exception):
    """A bad flag or missing data: printed as one line."""


def build_parser() -> argparse.ArgumentParser:
    from seqnet.schedulers import RUN_SCHEDULES
    from seqnet.experiment import HelpFormatter, add_data_option, add_limit_option
    p = argparse.ArgumentParser(prog="python -m lightning_models.train", description=__doc__.split("\n\n")[0],
                                epilog=_defaults_text(), formatter_class=HelpFormatter)
    p.add_argument("--dataset", choices=list(DATASETS), help="the data set; unset: the one --arch is for")
    add_data_option(p, "folder (or CIFAR-10 archive) with the data set's original files", old_dest="old_data_dir",
                    download=False)
    add_limit_option(p)
    p.add_argument("--arch", required=True, help="architecture: fashion_mlp, fashion_cnn, fashion_lstm, cifar_cnn, cifar_fast")
    p.add_argument("--epochs", type=int, help="training epochs; unset: the architecture's default")
    p.add_argument("--batch-size", type=int, help="images per batch and device; unset: the architecture's default")
    p.add_argument("--lr", type=float, help="(peak) learning rate; unset: the architecture's default")
    p.add_argument("--optimizer", choices=["sgd", "adam"],
                   help="sgd (with --momentum) or adam, as seqnet's; unset: the architecture's default")
    p.add_argument("--momentum", type=float, help="SGD momentum; unset: 0.9")
    p.add_argument("--nesterov", action=argparse.BooleanOptionalAction, default=None,
                   help="Nesterov momentum for SGD (default: on for the CIFAR architectures, off otherwise)")
    p.add_argument("--weight-decay", type=float, help="L2 weight decay; unset: the architecture's default")
    p.add_argument("--scheduler", choices=list(RUN_SCHEDULES),
                   help="learning-rate schedule, stepped every batch, as seqnet.schedulers.for_run means it: "
                        + "; ".join(f"{k}: {v}" for k, v in RUN_SCHEDULES.items())
                        + "; unset: the architecture's default")
    p.add_argument("--label-smoothing", type=float,
                   help="label smoothing of the training loss; unset: the architecture's default")
    p.add_argument("--crop-padding", type=int,
                   help="CIFAR-10: pixels of padding for the random crops; unset: the architecture's default")
    p.add_argument("--flip", choices=["random", "alternate"],
                   help="CIFAR-10 training flips: at random, or each image the other way each epoch; unset: the "
                        "architecture's default")
    p.add_argument("--lookahead", action=argparse.BooleanOptionalAction, default=None,
                   help="pull the weights toward their running average every 5 steps (lightning_models.Lookahead); "
                        "unset: the architecture's default")
    p.add_argument("--bn-bias-lr-scale", type=float, metavar="S",
                   help="BatchNorm's biases learn at S times the rate; unset: the architecture's default")
    p.add_argument("--whiten-bias-epochs", type=int, metavar="N",
                   help="cifar_fast: train the whitening layer's bias for the first N epochs; unset: the "
                        "architecture's default")
    p.add_argument("--tta-flip", action=argparse.BooleanOptionalAction, default=None,
                   help="average predictions over each image and its mirror image; unset: the architecture's default")
    p.add_argument("--val-split", type=_count_or_fraction, default=None,
                   help="training images held out for validation: a count, or a fraction in [0, 1); unset: "
                        "the architecture's default (5000, or a twelfth of a smaller data set; none for "
                        "cifar_fast, whose recipe trains on all 50,000)")
    p.add_argument("--accelerator", default="auto", help=f"one of {', '.join(ACCELERATORS)}")
    p.add_argument("--devices", default="auto", help="devices per node: a number or 'auto'")
    p.add_argument("--num-nodes", type=int, default=1, help="machines taking part (DDP)")
    p.add_argument("--strategy", default="auto", help=f"one of {', '.join(STRATEGIES)}")
    p.add_argument("--precision", default="32", help=f"one of {', '.join(PRECISIONS)}")
    p.add_argument("--num-workers", type=int, default=0, help="DataLoader worker processes")
    p.add_argument("--on-device", action="store_true", help="keep the whole data set on the GPU")
    p.add_argument("--seed", type=int, default=0, help="seed for seed_everything and the architecture")
    p.add_argument("--sync-batchnorm", action="store_true",
                   help="BatchNorm statistics over the whole batch of all processes, not each process's share "
                        "(torch's SyncBatchNorm: GPUs only)")
    p.add_argument("--fast-dev-run", action="store_true", help="run one batch of each stage, as a smoke test")
    p.add_argument("--out", required=True, help="run folder for the outputs")
    p.add_argument("--kaggle-test", default=None, metavar="FILE",
                   help="the assignment's cifar_test_data.npy: write submission.csv; unset: no Kaggle file")
    return p


def resolve(args: argparse.Namespace, prog: str = "python -m lightning_models.train") -> argparse.Namespace:
    """Check the flags (one-line errors) and fill the unset ones from the architecture's defaults."""
    from seqnet.architectures import ARCHITECTURES
    if args.arch not in ARCHITECTURES:
        raise UsageError(f"unknown architecture {args.arch!r}; choose from {', '.join(ARCHITECTURES)}")
    if args.data in DATASETS and not Path(args.data).exists():  # the old spelling: --data NAME [--data-dir PATH]
        print(f"{prog}: warning: --data NAME is deprecated; use --dataset {args.data} (and --data PATH for where "
              f"its files are)", file=sys.stderr)
        args.dataset, args.data = args.dataset or args.data, args.old_data_dir
    elif args.old_data_dir is not None:
        args.data = args.data if args.data is not None else args.old_data_dir
    del args.old_data_dir
    if args.dataset is None:
        args.dataset = "fashion_mnist" if args.arch.startswith("fashion") else "cifar10"
    if args.accelerator not in ACCELERATORS:
        raise UsageError(f"unknown accelerator {args.accelerator!r}; choose from {', '.join(ACCELERATORS)}")
    if args.strategy not in STRATEGIES:
        raise UsageError(f"unknown strategy {args.strategy!r}; choose from {', '.join(STRATEGIES)}")
    if args.precision not in PRECISIONS:
        raise UsageError(f"unknown precision {args.precision!r}; choose from {', '.join(PRECISIONS)}")
    if args.data is not None and not Path(args.data).exists():
        raise UsageError(f"--data: no such file or folder: '{args.data}'")
    wants = (28, 28, 1) if args.arch.startswith("fashion") else (32, 32, 3)
    if DATASETS[args.dataset] != wants:
        raise UsageError(f"architecture {args.arch} expects {'x'.join(map(str, wants))} images, but {args.dataset} "
                         f"has {'x'.join(map(str, DATASETS[args.dataset]))}")
    for key, value in {**COMMON_DEFAULTS, **ARCH_DEFAULTS[args.arch]}.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.devices = int(args.devices) if str(args.devices).isdigit() else args.devices
    return args


def run(args: argparse.Namespace) -> dict[str, float]:
    import numpy as np
    import pytorch_lightning as pl
    import torch
    from pytorch_lightning.callbacks import Callback, ModelCheckpoint, TQDMProgressBar
    from pytorch_lightning.loggers import CSVLogger

    from seqnet.architectures import ARCHITECTURES
    from seqnet.datasets import load_kaggle_test, write_kaggle_submission

    from .bridge import copy_to_seqnet, to_torch
    from .data import CIFAR10DataModule, FashionMNISTDataModule
    from .module import LitClassifier, Lookahead

    from seqnet.experiment import Run, in_program_terms, timing_line
    if args.sync_batchnorm and (args.accelerator == "cpu" or not torch.cuda.is_available()):
        raise UsageError("--sync-batchnorm needs GPUs: torch's SyncBatchNorm runs on CUDA only (on CPUs, each "
                         "process normalizes by the statistics of its own share of the batch)")
    out = Path(args.out)
    run_folder = Run(out.name, vars(args), root=out.parent)
    pl.seed_everything(args.seed, workers=True)
    dm_class = FashionMNISTDataModule if args.dataset == "fashion_mnist" else CIFAR10DataModule
    try:
        extra = {"crop_padding": args.crop_padding, "flip": args.flip} if args.dataset == "cifar10" else {}
        dm = dm_class(args.data, batch_size=args.batch_size, val_split=args.val_split, num_workers=args.num_workers,
                      on_device=args.on_device, seed=args.seed, limit=args.limit, **extra)
        dm.prepare_data()
        dm.setup("fit")
    except FileNotFoundError as err:
        raise UsageError(in_program_terms(str(err), download_flag=False)) from None
    except ValueError as err:
        raise UsageError(str(err)) from None
    input_shape = dm_class.input_shape
    if args.arch == "cifar_fast":
        sample = dm.train[0][:5000].permute(0, 2, 3, 1).numpy()
        model = ARCHITECTURES[args.arch](seed=args.seed, whiten_from=sample)
    else:
        model = ARCHITECTURES[args.arch](seed=args.seed)
        model.build(input_shape)
    lit = LitClassifier(to_torch(model), optimizer=args.optimizer, lr=args.lr, momentum=args.momentum,
                        weight_decay=args.weight_decay, scheduler=args.scheduler,
                        label_smoothing=args.label_smoothing, tta_flip=args.tta_flip,
                        bn_bias_lr_scale=args.bn_bias_lr_scale,
                        whiten_bias_epochs=args.whiten_bias_epochs if args.arch == "cifar_fast" else 0)

    class EpochLog(Callback):
        """Times each epoch and prints its full line (validation included), as seqnet's fit does."""

        def __init__(self) -> None:
            self.times: list[float] = []
            self.rows: list[dict[str, float]] = []

        def on_train_epoch_start(self, trainer, module):
            self.start = time.perf_counter()

        def on_train_epoch_end(self, trainer, module):  # after the epoch's validation
            self.times.append(time.perf_counter() - self.start)
            row = {name: float(trainer.callback_metrics[key]) for key, name in NAMES.items()
                   if key in trainer.callback_metrics}
            self.rows.append(row)
            if trainer.is_global_zero and not trainer.sanity_checking:
                line = " - ".join(f"{k}: {v:.4f}" for k, v in row.items())
                print(f"Epoch {trainer.current_epoch + 1}/{trainer.max_epochs} - {self.times[-1]:.1f}s - {line}",
                      flush=True)

    log = EpochLog()
    validating = len(dm.val[0]) > 0  # without a validation split, the checkpoint is the last epoch's
    checkpoint = ModelCheckpoint(dirpath=out / "checkpoints", filename="best", monitor="val_acc" if validating
                                 else None, mode="max", save_top_k=1, enable_version_counter=False)
    bars = sys.stdout.isatty()  # redirected to a file, the lines alone
    trainer = pl.Trainer(max_epochs=args.epochs, accelerator=args.accelerator, devices=args.devices,
                         num_nodes=args.num_nodes, strategy=args.strategy, precision=args.precision,
                         fast_dev_run=args.fast_dev_run, enable_progress_bar=bars, enable_model_summary=True,
                         sync_batchnorm=args.sync_batchnorm, limit_val_batches=1.0 if validating else 0,
                         callbacks=[checkpoint, log, *([Lookahead()] if args.lookahead else []),
                                    *([TQDMProgressBar(leave=False)] if bars else [])],
                         logger=CSVLogger(save_dir=out, name="lightning_logs"), log_every_n_steps=10,
                         deterministic=False)
    trainer.fit(lit, datamodule=dm)
    best = checkpoint.best_model_path or None
    tested = trainer.test(lit, datamodule=dm, ckpt_path=best, verbose=False)[0]
    results = {"test_accuracy": float(tested["test_acc"]), "test_loss": float(tested["test_loss"]),
               "epochs": trainer.current_epoch, "seconds_per_epoch": float(np.mean(log.times)) if log.times else 0.0}
    if not trainer.is_global_zero:
        return results
    if best:
        lit.load_state_dict(torch.load(best, map_location="cpu", weights_only=True)["state_dict"])
    exported = trained_model(copy_to_seqnet(lit.backbone.cpu().float().eval(), model), args, lit, trainer, log.rows)
    if args.kaggle_test:
        X = dm.normalize(load_kaggle_test(args.kaggle_test)).transpose(0, 3, 1, 2)
        with torch.no_grad():
            probs = torch.cat([lit.predict_step(torch.from_numpy(np.ascontiguousarray(X[i:i + 512])), 0)
                               for i in range(0, len(X), 512)])
        write_kaggle_submission(probs.numpy(), out / "submission.csv")
    run_folder.finish(exported, results)
    print(f"{timing_line(sum(log.times), len(log.times))}; report: {out / 'report.md'}")
    print(f"test accuracy: {results['test_accuracy']:.4f}")
    return results


# Lightning's logged names -> seqnet's (the numpy trainer's history keys)
NAMES = {"train_loss_epoch": "loss", "train_acc_epoch": "accuracy", "val_loss": "val_loss", "val_acc": "val_accuracy"}


def trained_model(model, args: argparse.Namespace, lit, trainer, rows: list[dict[str, float]]):
    """The exported seqnet model as the numpy trainer would leave it: compiled with the optimizer and
    schedule it was trained with, its epochs, history and update count."""
    from seqnet import optimizers
    schedule = lit.schedule() if args.scheduler not in (None, "constant") else None
    scales = {"beta": args.bn_bias_lr_scale} if args.bn_bias_lr_scale != 1 else {}
    if lit.hparams.whiten_bias_epochs:  # as the numpy example sets it: the filters never learn
        model.get_layer("whiten").trainable, scales["whiten/W"] = False, 0.0
    if args.optimizer == "sgd":
        optimizer = optimizers.SGD(lr=args.lr, momentum=args.momentum, nesterov=args.nesterov,
                                   weight_decay=args.weight_decay, lr_scheduler=schedule, lr_scales=scales)
    else:
        optimizer = optimizers.Adam(lr=args.lr, weight_decay=args.weight_decay, lr_scheduler=schedule,
                                    lr_scales=scales)
    model.compile(optimizer, {"class_name": "cross_entropy", "config": {"label_smoothing": args.label_smoothing}},
                  ["accuracy"])
    model.optimizer.iterations = int(trainer.global_step)
    rows = [r for r in rows if "loss" in r]
    model.epochs_done = len(rows)
    for epoch, row in enumerate(rows):
        model.history.on_epoch_end(epoch, row)
    return model


INSTALL = ("On a machine without a GPU, install PyTorch's CPU build first: pip install torch --index-url "
           "https://download.pytorch.org/whl/cpu; then the extra: pip install -e \".[lightning]\"")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        import pytorch_lightning  # noqa: F401
        import torch  # noqa: F401
    except ImportError as err:
        print(f"{parser.prog}: error: the Lightning trainer needs torch and pytorch-lightning ({err.name} is not "
              f"installed). {INSTALL}", file=sys.stderr)
        return 2
    try:
        run(resolve(args, parser.prog))
    except UsageError as err:
        print(f"{parser.prog}: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
