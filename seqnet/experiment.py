"""Run folders: what an experiment writes so that it can be read, compared and written up.

``runs/<name>/`` holds ``hparams.json`` (the configuration), ``metrics.csv`` (one row per epoch),
``curves.png`` (loss and accuracy, training and validation), ``model.h5`` (the final model),
``results.json`` (test metrics and timings) and ``report.md`` (all of it, ready to paste into a
write-up). Epochs are numbered from 1, as the progress output numbers them. ``seqnet report
RUN_DIR`` rebuilds the report, in Markdown or LaTeX; the Lightning trainer writes the same folder.
"""
from __future__ import annotations

import argparse
import csv
import inspect
import io
import json
import os
import platform
import re
import sys
from pathlib import Path
from typing import Any

from ._safety import LIMITS, member, read_bytes, read_head, read_json
from .callbacks import CSVLogger
from .datasets import DatasetError
from .inference import evaluate_outputs
from .metrics import confusion_matrix
from .plotting import plot_confusion_matrix, plot_history
from ._files import write_text


def positive_int(text: str) -> int:
    """argparse type of the examples' and the command line's counts: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}")
    return value


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """``--help`` of the examples and the Lightning trainer: each option's line ends with its
    default, or says what leaving it unset does."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default is argparse.SUPPRESS or "default" in text or "unset:" in text:
            return text
        if action.required:
            return f"{text} (required)"
        if action.default is None:
            return f"{text} (default: none)"
        if action.default is False:
            return f"{text} (default: off)"
        return f"{text} (default: %(default)s)"


def example_parser(doc: str) -> argparse.ArgumentParser:
    """The command-line parser of an example whose module docstring is ``doc``."""
    return argparse.ArgumentParser(description=doc.strip().split("\n\n")[0], formatter_class=HelpFormatter)


class DeprecatedOption(argparse.Action):
    """An old spelling of an option: it works as the new one does, with a one-line warning that names
    the new spelling."""

    def __init__(self, option_strings: list[str], dest: str, new: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, **kwargs)
        self.new = new

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog}: warning: {option_string} is deprecated; use {self.new}", file=sys.stderr)
        setattr(namespace, self.dest, values)


SEARCHED = "$SEQNET_DATA, ~/.seqnet/datasets, /usr/share/datasets"


def add_data_option(parser: argparse.ArgumentParser, what: str, old_dest: str = "data",
                    download: bool = True) -> None:
    """``--data PATH``, where the data is: the one spelling of the examples and the Lightning trainer
    (``--data-dir``, the old one, works and warns; ``old_dest`` keeps it apart where ``--data``
    once meant something else), and ``--download`` to fetch the official files when missing."""
    parser.add_argument("--data", metavar="PATH", help=f"{what}; unset: search {SEARCHED}")
    parser.add_argument("--data-dir", dest=old_dest, metavar="PATH", action=DeprecatedOption, new="--data PATH",
                        help=argparse.SUPPRESS)
    if download:
        parser.add_argument("--download", action="store_true",
                            help="fetch the official files into ~/.seqnet/datasets when they are not found")


def in_program_terms(message: str, download_flag: bool = True) -> str:
    """A loader's advice (``pass path=FILE``, ``load_cifar10(download=True)``) in a program's options."""
    message = re.sub(r"pass path=(\w+)", r"pass --data \1", message)
    return re.sub(r"load_\w+\(download=True\)", "--download", message) if download_flag else message


def add_limit_option(parser: argparse.ArgumentParser) -> None:
    """``--limit N``: a quick run on the first N training and N test examples."""
    parser.add_argument("--limit", type=positive_int, metavar="N",
                        help="use the first N training and N test examples only, for a quick try; unset: all")


def load_or_exit(prog: str, loader: Any, args: argparse.Namespace, **kwargs: Any) -> Any:
    """``loader(args.data, download=args.download, **kwargs)``, or exit with the loader's whole
    message (where it looked and how to get the data, in the program's options) as its one error."""
    try:
        return loader(args.data, download=args.download, **kwargs)
    except (FileNotFoundError, DatasetError) as err:  # missing, not downloadable, or damaged: the user's to fix
        sys.exit(f"{prog}: error: {in_program_terms(str(err))}")


def peak_memory_mib() -> float | None:
    """The most memory this process has held so far (its peak resident set), in MiB; None where
    the system does not say (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(peak / (2 ** 20 if sys.platform == "darwin" else 2 ** 10), 1)


def processor() -> str:
    """The CPU's model name where the system gives it (Linux's ``/proc/cpuinfo``), else what
    :mod:`platform` says: timings mean little without the machine that made them."""
    try:
        head = read_head("/proc/cpuinfo", OSError, "CPU description", size=4096).decode("utf-8", "replace")
    except OSError:
        head = ""
    for line in head.splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or platform.machine()


def timing_line(seconds: float, epochs: int) -> str:
    """The line every example prints about its training time."""
    return f"training took {seconds:.1f} s ({seconds / max(epochs, 1):.2f} s per epoch)"


class Run:
    """A run folder for one experiment.

    Parameters
    ----------
    name : str
        Folder name under ``root``.
    hparams : dict
        The configuration, written to ``hparams.json`` at once.
    root : str, default "runs"
    """

    def __init__(self, name: str, hparams: dict[str, Any], root: str | os.PathLike = "runs") -> None:
        self.dir = Path(root) / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.hparams = hparams
        write_text(self.dir / "hparams.json", json.dumps(hparams, indent=2, default=str) + "\n")

    def callbacks(self) -> list[Any]:
        """Callbacks that record the run (a CSV row per epoch, epochs from 1)."""
        return [CSVLogger(str(self.dir / "metrics.csv"), first_epoch=1)]

    def finish(self, model: Any, results: dict[str, Any] | None = None, test_data: Any = None,
               class_names: Any = None, title: str | None = None, predict: Any = None,
               predictions: Any = None, outputs: Any = None) -> dict[str, Any]:
        """Save the model, the curves, ``results.json`` and ``report.md``. The results get the
        process's peak memory so far, ``peak_memory_mib``, and the machine (:func:`processor`
        and ``cpu_cores``) beside the times the caller gives.

        With ``test_data=(X_test, y_test)`` the model is evaluated on it first: ``test_loss``,
        ``test_<metric>`` join ``results`` and the test set's confusion matrix is drawn to
        ``confusion.png`` (labelled with ``class_names``). ``predict(X) -> probabilities`` (test-time
        augmentation, say) makes the predictions the confusion matrix counts, or ``predictions``
        gives them (computed once by the caller); ``outputs``, the model's own predictions for
        ``X_test``, spare the evaluation its pass. Returns the results.
        """
        results = dict(results or {})
        peak = peak_memory_mib()  # training's peak, before the evaluation adds its own
        if peak is not None:
            results.setdefault("peak_memory_mib", peak)
        results.setdefault("processor", processor())
        results.setdefault("cpu_cores", os.cpu_count())
        if test_data is not None:
            X_test, y_test = test_data
            scores = (evaluate_outputs(model, y_test, outputs) if outputs is not None
                      else model.evaluate(X_test, y_test, return_dict=True))
            results.update({f"test_{k}": v for k, v in scores.items()})
            predicted = predictions if predictions is not None else (predict or model.predict)(X_test)
            confusion = confusion_matrix(y_test, predicted, n_classes=model.output_shape[-1])
            plot_confusion_matrix(confusion, self.dir / "confusion.png", class_names,
                                  title=f"{title or self.dir.name}: test set")
        model.save(self.dir / "model.h5")
        if not (self.dir / "metrics.csv").is_file():  # trained without self.callbacks(): from the history
            write_metrics(self.dir / "metrics.csv", model.history.history)
        plot_history(model.history, self.dir / "curves.png", metrics=[k for k in ("loss", "accuracy")
                                                                      if k in model.history.history],
                     title=title or self.dir.name)
        write_text(self.dir / "results.json", json.dumps(results, indent=2, default=float) + "\n")
        write_report(self.dir)
        return results


def write_metrics(path: str | os.PathLike, history: dict[str, list[float]]) -> Path:
    """``metrics.csv`` as :meth:`Run.callbacks` writes it: ``epoch`` (from 1), then one column per quantity."""
    keys = list(history)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["epoch", *keys])
    for i in range(max((len(v) for v in history.values()), default=0)):
        writer.writerow([i + 1, *(repr(float(history[k][i])) if i < len(history[k]) else "" for k in keys)])
    write_text(path, out.getvalue())
    return Path(path)


def _table(header: list[str], rows: list[list[str]], fmt: str) -> str:
    if fmt == "latex":
        lines = ["\\begin{tabular}{" + "l" * len(header) + "}", "\\hline",
                 " & ".join(_latex_escape(h) for h in header) + " \\\\", "\\hline"]
        lines += [" & ".join(_latex_escape(c) for c in row) + " \\\\" for row in rows]
        return "\n".join(lines + ["\\hline", "\\end{tabular}"])
    lines = ["| " + " | ".join(map(_markdown_escape, header)) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(map(_markdown_escape, row)) + " |" for row in rows])


def _latex_escape(text: str) -> str:
    """``text`` as LaTeX prints it, whatever it holds: every special character escaped, one line."""
    return "".join(_LATEX_SPECIAL.get(char, char if char.isprintable() else " ") for char in str(text))


_LATEX_SPECIAL = {"\\": "\\textbackslash{}", "_": "\\_", "%": "\\%", "&": "\\&", "#": "\\#", "$": "\\$",
                  "{": "\\{", "}": "\\}", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}", "[": "{[}",
                  "]": "{]}"}


def _markdown_escape(text: str) -> str:
    """``text`` as one Markdown table cell: no HTML, no links, no code spans, no way out of the cell or row."""
    text = "".join(char if char.isprintable() else " " for char in str(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"([\\`|\[\]])", r"\\\1", text)
    # a renderer's autolinks: a bare address in a name from a file must not become a link
    return re.sub(r"(?i)\b(https?|ftp|mailto|file)(:)|\b(www)(\.)",
                  lambda m: f"{m.group(1) or m.group(3)}\\{m.group(2) or m.group(4)}", text)


def _latex_verbatim(text: str) -> str:
    """``text`` inside a verbatim environment, which only ``\\end{verbatim}`` can end: that is broken up,
    after every control character is shown as an escape (TeX drops a NUL, which would join the pieces
    of an ``\\end{verbatim}`` split by one)."""
    text = "".join(c if c == "\n" or c.isprintable() else ascii(c)[1:-1] for c in text)
    return re.sub(r"\\(end\s*\{\s*verbatim\s*\})", r"/\1", text)


def _markdown_code(text: str) -> str:
    """``text`` as a fenced code block whose fence is longer than any run of backticks inside it."""
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", text)), default=0))
    return f"{fence}\n{text}\n{fence}"


def _read_json(path: Path, expect: type) -> Any:
    """A JSON file of a run folder: a regular file in it (not a link), of a sane size, holding a JSON ``expect``."""
    return read_json(path, ValueError, expect, "run file", inside=path.parent)


def describe(obj: Any, skip: tuple[str, ...] = ()) -> str:
    """``SGD(lr=0.05, momentum=0.9)``: the class and the settings that differ from its defaults."""
    try:
        defaults = {k: p.default for k, p in inspect.signature(type(obj).__init__).parameters.items()}
    except (TypeError, ValueError):
        defaults = {}
    config = {k: v for k, v in obj.get_config().items()
              if k not in skip and v is not None and not (k in defaults and defaults[k] == v)}
    return f"{type(obj).__name__}(" + ", ".join(f"{k}={v!r}" for k, v in config.items()) + ")"


def training_settings(model: Any) -> list[tuple[str, str]]:
    """What a model was trained with, as ``seqnet summary`` and the run reports both print it."""
    settings = [("epochs done", str(model.epochs_done))]
    if model.optimizer is None:
        return settings
    schedule = model.optimizer.lr_scheduler
    metrics = ", ".join(m if isinstance(m, str) else getattr(m, "name", type(m).__name__) for m in model.metrics)
    return [("optimizer (as trained)", describe(model.optimizer, skip=("lr_scheduler",))),
            ("schedule (as trained)", describe(schedule) if schedule is not None else "constant"),
            ("loss (as trained)", describe(model.loss)), ("metrics", metrics or "none"), *settings]


def _read_metrics(path: Path) -> list[list[str]]:
    """The rows of ``metrics.csv``, each as long as its header."""
    data = read_bytes(path, ValueError, "run file", LIMITS.json_bytes, inside=path.parent)
    cells = data.count(b",") + data.count(b"\n") + 1  # before parsing: each cell costs ~50 bytes as a str
    if cells > LIMITS.csv_cells:
        raise ValueError(f"'{path}' holds about {cells:,} cells, more than the {LIMITS.csv_cells:,} seqnet reads from "
                         f"a metrics file")
    try:
        rows = [r for r in csv.reader(io.StringIO(data.decode("utf-8"), newline="")) if r]
    except (csv.Error, UnicodeDecodeError) as err:
        raise ValueError(f"'{path}' is not a CSV file of metrics: {err}") from None
    if any(len(r) != len(rows[0]) for r in rows):
        raise ValueError(f"'{path}' has rows of different lengths; not a metrics file seqnet wrote")
    return rows


def write_report(run_dir: str | os.PathLike, fmt: str = "markdown") -> Path:
    """Build ``report.md`` (or ``report.tex``) in ``run_dir`` from the files there; returns its path."""
    from .saving import load_model
    if fmt not in ("markdown", "latex"):
        raise ValueError(f"unknown report format {fmt!r}; known formats: markdown, latex")
    run_dir = Path(run_dir)
    if not (run_dir / "hparams.json").is_file():
        raise FileNotFoundError(f"'{run_dir}' is not a run folder: it has no hparams.json")
    hparams = _read_json(run_dir / "hparams.json", dict)
    results = _read_json(run_dir / "results.json", dict) if (run_dir / "results.json").exists() else {}
    rows = _read_metrics(run_dir / "metrics.csv") if (run_dir / "metrics.csv").exists() else []
    model_file = member(run_dir, "model.h5", ValueError)
    model = load_model(model_file) if model_file.is_file() else None
    summary = model.summary(print_fn=lambda s: None) if model is not None else "(no model saved)"

    def fmt_value(v: Any) -> str:
        return f"{v:.4g}" if isinstance(v, float) else str(v)

    def fmt_cell(x: str) -> str:
        try:
            return f"{float(x):.4f}"
        except ValueError:
            return x

    settings = [[k, str(v)] for k, v in hparams.items()]
    if model is not None and model.optimizer is not None:  # what the model was trained with, in full
        settings += [list(pair) for pair in training_settings(model)]
    config = _table(["setting", "value"], settings, fmt)
    outcome = _table(["result", "value"], [[k, fmt_value(v)] for k, v in results.items()], fmt)
    epochs = _table(rows[0], [[r[0], *(fmt_cell(x) for x in r[1:])] for r in rows[1:]], fmt) \
        if rows else "(no metrics recorded)"
    name = run_dir.name
    if fmt == "latex":
        text = "\n\n".join([
            "% Written by seqnet report. The figures are named relative to this file's folder: to \\input it\n"
            "% from another folder, load \\usepackage{import} and write \\subimport{<path to the run>/}{report.tex}.",
            f"\\subsection*{{Run: {_latex_escape(name)}}}", "\\paragraph{Configuration}", config,
            "\\paragraph{Model}", "\\begin{verbatim}\n" + _latex_verbatim(summary) + "\n\\end{verbatim}",
            "\\paragraph{Training curves}",
            "\\begin{center}\\includegraphics[width=\\linewidth]{curves.png}\\end{center}",
            "\\paragraph{Per epoch}", epochs, "\\paragraph{Final results}", outcome,
            *(["\\paragraph{Confusion matrix (test set)}",
               "\\begin{center}\\includegraphics[width=0.6\\linewidth]{confusion.png}\\end{center}"]
              if (run_dir / "confusion.png").is_file() else [])])
        path = run_dir / "report.tex"
    else:
        confusion = (["## Confusion matrix (test set)", "![confusion matrix](confusion.png)"]
                     if (run_dir / "confusion.png").is_file() else [])
        text = "\n\n".join([f"# Run: {_markdown_escape(name)}", "## Configuration", config, "## Model",
                            _markdown_code(summary),
                            "## Training curves", "![loss and accuracy curves](curves.png)", "## Per epoch", epochs,
                            "## Final results", outcome, *confusion])
        path = run_dir / "report.md"
    write_text(path, text + "\n")
    return path
