"""The ``seqnet`` command: inspect, run and evaluate saved models from the shell."""
from __future__ import annotations

import argparse
import csv
import io
import sys
import warnings
from pathlib import Path
from typing import Sequence

import numpy as np

from ._safety import load_npy, member
from ._version import __version__
from .experiment import positive_int, training_settings
from ._files import write_text


class UserError(Exception):
    """A mistake in the command line or its files: reported as one line, without a traceback."""


def _load(path: str):
    from .saving import load_model
    folder = Path(path)
    if folder.is_dir():  # a run folder, as `seqnet report` takes: its model
        model_file = member(folder, "model.h5", UserError)
        if not model_file.is_file():
            raise UserError(f"'{path}' is a folder without model.h5; give a model file or a run folder the "
                            f"examples wrote")
        path = str(model_file)
    return load_model(path)


def _array(path: str, what: str) -> np.ndarray:
    if not Path(path).exists():
        raise UserError(f"{what} file not found: '{path}'")
    array = load_npy(Path(path), UserError, f"{what} file")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise UserError(f"'{path}' holds {int((~np.isfinite(array)).sum())} NaN or infinite values; a model cannot "
                        f"predict from them")
    return array


def cmd_summary(args: argparse.Namespace) -> None:
    model = _load(args.model)
    if model.built:
        lines = [model.summary(print_fn=lambda text: None)]
    else:  # saved before its first fit: no shapes or weights to show
        lines = [f'Model: "{model.name}", not built (saved before it was built; it has no weights yet)',
                 "Layers: " + ", ".join(f"{layer.name} ({type(layer).__name__})" for layer in model.layers)]
    for label, value in training_settings(model):  # as the run's report prints them
        lines.append(f"{label[0].upper()}{label[1:]}: {value}")
    last = {k: v[-1] for k, v in model.history.history.items() if isinstance(v, list) and v}
    if model.history.epoch and last:
        lines.append("Last epoch: " + " - ".join(f"{k}: {_number(v)}" for k, v in last.items()))
    print(printable("\n".join(lines).rstrip("\n")))


def _number(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, (int, float, np.number)) else repr(value)


def printable(text: str) -> str:
    """``text`` for a terminal: names from a file may hold control characters (escape sequences that
    recolour, move or retitle the terminal), shown here as ``\\x1b``-style escapes; lines stay lines."""
    return "".join(c if c == "\n" or c.isprintable() else ascii(c)[1:-1] for c in text)


def cmd_predict(args: argparse.Namespace) -> None:
    model = _load(args.model)
    X = _array(args.data, "data")
    probs = model.predict(X, batch_size=args.batch_size)
    bad = ~np.isfinite(probs).all(axis=1)
    if bad.any():
        raise UserError(f"the model's outputs are NaN or infinite for {int(bad.sum())} of {len(probs)} examples "
                        f"(first: row {int(np.argmax(bad))}); no predictions written. Its weights or the data hold "
                        f"non-finite values (seqnet summary warns about the weights)")
    classes = probs.argmax(axis=1) if probs.shape[1] > 1 else (probs[:, 0] > 0.5).astype(int)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if args.kaggle:
        writer.writerow(["Id", "Category"])
        writer.writerows((i + 1, int(c)) for i, c in enumerate(classes))
    else:
        writer.writerow(["class", *(f"p{k}" for k in range(probs.shape[1]))])
        writer.writerows([int(c), *(f"{p:.6g}" for p in row)] for c, row in zip(classes, probs))
    if args.out:
        write_text(args.out, out.getvalue())
        print(f"wrote {len(classes)} predictions to {args.out}")
    else:
        sys.stdout.write(out.getvalue())


def cmd_evaluate(args: argparse.Namespace) -> None:
    model = _load(args.model)
    if model.optimizer is None:
        raise UserError(f"'{args.model}' holds a model that was never compiled, so it has no loss to evaluate")
    result = model.evaluate(_array(args.X, "X"), _array(args.y, "y"), batch_size=args.batch_size, return_dict=True)
    for key, value in result.items():
        print(f"{key}: {value:.4f}")


def cmd_report(args: argparse.Namespace) -> None:
    from .experiment import write_report
    print(f"wrote {write_report(args.run_dir, args.format)}")


def cmd_export(args: argparse.Namespace) -> None:
    model = _load(args.model)
    suffix = Path(args.out).suffix.lower()
    if suffix == ".onnx":
        model.export(args.out, format="onnx")
    elif suffix == ".keras":
        model.save(args.out)
    else:
        raise UserError(f"cannot tell the format of '{args.out}': end it in .onnx (ONNX) or .keras (Keras 3)")
    print(f"wrote {args.out}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seqnet", description="Inspect, run and evaluate saved seqnet models.")
    parser.add_argument("--version", action="version", version=f"seqnet {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("summary", help="print a model's layers and training state",
                       description="Print the summary table of a saved model and its training state.")
    p.add_argument("model", help="a saved model (seqnet .h5, or a Keras .keras or .h5 file), or a run folder")
    p.set_defaults(run=cmd_summary)

    p = sub.add_parser("predict", help="predict classes for a .npy array",
                       description="Predict classes (and probabilities) for the examples in a .npy array.")
    p.add_argument("model", help="a saved model (seqnet .h5, or a Keras .keras or .h5 file)")
    p.add_argument("data", help="a .npy array of examples shaped like the model's input")
    p.add_argument("--out", help="write the CSV here instead of to standard output")
    p.add_argument("--kaggle", action="store_true",
                   help="write the Kaggle format: 'Id,Category' with Id from 1 and integer classes")
    p.add_argument("--batch-size", type=positive_int, default=256, help="examples per forward pass (default 256)")
    p.set_defaults(run=cmd_predict)

    p = sub.add_parser("evaluate", help="loss and metrics on labelled data",
                       description="Print the loss and metrics of a saved, compiled model on (X, y).")
    p.add_argument("model", help="a saved model (seqnet .h5, or a Keras .keras or .h5 file)")
    p.add_argument("X", help="a .npy array of examples")
    p.add_argument("y", help="a .npy array of class ids or one-hot rows")
    p.add_argument("--batch-size", type=positive_int, default=256, help="examples per forward pass (default 256)")
    p.set_defaults(run=cmd_evaluate)

    p = sub.add_parser("export", help="write a model as ONNX or as a Keras 3 file",
                       description="Convert a saved model (seqnet .h5, Keras .keras or .h5) to ONNX (OUT.onnx, for "
                                   "onnxruntime; needs pip install 'seqnet[onnx]') or to a Keras 3 file (OUT.keras).")
    p.add_argument("model", help="a saved model (.h5 or .keras)")
    p.add_argument("out", help="the file to write: OUT.onnx or OUT.keras")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("report", help="rebuild the report of a run folder",
                       description="Rebuild report.md (or report.tex) of a run folder written by the examples: "
                                   "configuration, model summary, curves, per-epoch metrics and final results.")
    p.add_argument("run_dir", help="a run folder, e.g. runs/fashion_mnist_mlp")
    p.add_argument("--format", choices=["markdown", "latex"], default="markdown",
                   help="markdown (report.md, default) or latex (report.tex, to \\input into a write-up)")
    p.set_defaults(run=cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    def one_line(message, category, filename, lineno, file=None, line=None):  # as the errors are printed
        print(f"seqnet {args.command}: warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = one_line
        try:
            args.run(args)
        except (UserError, ValueError, OSError) as err:  # the user's files or arguments; a bug keeps its traceback
            print(f"seqnet {args.command}: error: {err}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    # `python -m seqnet.cli` puts the working folder first on sys.path: a file there named like a
    # module seqnet imports later must not be imported in its place
    sys.path[:] = [p for p in sys.path if p not in ("", ".", str(Path.cwd()))]
    sys.exit(main())
