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
import io
import json
import os
from pathlib import Path
from typing import Any

from .callbacks import CSVLogger
from .metrics import confusion_matrix
from .plotting import plot_confusion_matrix, plot_history


def positive_int(text: str) -> int:
    """argparse type of the examples' and the command line's counts: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}")
    return value


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """``--help`` of the examples: each flag's help line ends with its default (none for unset flags)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.default is None or action.default is False:
            return action.help or ""
        return super()._get_help_string(action)


def example_parser(doc: str) -> argparse.ArgumentParser:
    """The command-line parser of an example whose module docstring is ``doc``."""
    return argparse.ArgumentParser(description=doc.strip().splitlines()[0], formatter_class=HelpFormatter)


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
        (self.dir / "hparams.json").write_text(json.dumps(hparams, indent=2, default=str) + "\n")

    def callbacks(self) -> list[Any]:
        """Callbacks that record the run (a CSV row per epoch, epochs from 1)."""
        return [CSVLogger(str(self.dir / "metrics.csv"), first_epoch=1)]

    def finish(self, model: Any, results: dict[str, Any] | None = None, test_data: Any = None,
               class_names: Any = None, title: str | None = None, predict: Any = None) -> dict[str, Any]:
        """Save the model, the curves, ``results.json`` and ``report.md``.

        With ``test_data=(X_test, y_test)`` the model is evaluated on it first: ``test_loss``,
        ``test_<metric>`` join ``results`` and the test set's confusion matrix is drawn to
        ``confusion.png`` (labelled with ``class_names``). ``predict(X) -> probabilities`` (test-time
        augmentation, say) makes the predictions the confusion matrix counts. Returns the results.
        """
        results = dict(results or {})
        if test_data is not None:
            X_test, y_test = test_data
            results.update({f"test_{k}": v for k, v in model.evaluate(X_test, y_test, return_dict=True).items()})
            predicted = (predict or model.predict)(X_test)
            confusion = confusion_matrix(y_test, predicted, n_classes=model.output_shape[-1])
            plot_confusion_matrix(confusion, self.dir / "confusion.png", class_names,
                                  title=f"{title or self.dir.name}: test set")
        model.save(self.dir / "model.h5")
        if not (self.dir / "metrics.csv").is_file():  # trained without self.callbacks(): from the history
            write_metrics(self.dir / "metrics.csv", model.history.history)
        plot_history(model.history, self.dir / "curves.png", metrics=[k for k in ("loss", "accuracy")
                                                                      if k in model.history.history],
                     title=title or self.dir.name)
        (self.dir / "results.json").write_text(json.dumps(results, indent=2, default=float) + "\n")
        write_report(self.dir)
        return results


def write_metrics(path: str | os.PathLike, history: dict[str, list[float]]) -> Path:
    """``metrics.csv`` as :meth:`Run.callbacks` writes it: ``epoch`` (from 1), then one column per quantity."""
    keys = list(history)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["epoch", *keys])
        for i in range(max((len(v) for v in history.values()), default=0)):
            writer.writerow([i + 1, *(repr(float(history[k][i])) if i < len(history[k]) else "" for k in keys)])
    return Path(path)


def _table(header: list[str], rows: list[list[str]], fmt: str) -> str:
    if fmt == "latex":
        lines = ["\\begin{tabular}{" + "l" * len(header) + "}", "\\hline",
                 " & ".join(_latex_escape(h) for h in header) + " \\\\", "\\hline"]
        lines += [" & ".join(_latex_escape(c) for c in row) + " \\\\" for row in rows]
        return "\n".join(lines + ["\\hline", "\\end{tabular}"])
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(char, char) for char in text)


_LATEX_SPECIAL = {"\\": "\\textbackslash{}", "_": "\\_", "%": "\\%", "&": "\\&", "#": "\\#", "$": "\\$",
                  "{": "\\{", "}": "\\}", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}"}


def _describe(obj: Any, skip: tuple[str, ...] = ()) -> str:
    """``SGD(lr=0.05, momentum=0.9)``: the class and its settings."""
    config = {k: v for k, v in obj.get_config().items() if k not in skip and v is not None}
    return f"{type(obj).__name__}(" + ", ".join(f"{k}={v!r}" for k, v in config.items()) + ")"


def write_report(run_dir: str | os.PathLike, fmt: str = "markdown") -> Path:
    """Build ``report.md`` (or ``report.tex``) in ``run_dir`` from the files there; returns its path."""
    from .saving import load_model
    if fmt not in ("markdown", "latex"):
        raise ValueError(f"unknown report format {fmt!r}; known formats: markdown, latex")
    run_dir = Path(run_dir)
    if not (run_dir / "hparams.json").is_file():
        raise FileNotFoundError(f"'{run_dir}' is not a run folder: it has no hparams.json")
    hparams = json.loads((run_dir / "hparams.json").read_text())
    results = json.loads((run_dir / "results.json").read_text()) if (run_dir / "results.json").is_file() else {}
    with open(run_dir / "metrics.csv") if (run_dir / "metrics.csv").is_file() else io.StringIO() as f:
        rows = [r for r in csv.reader(f) if r]
    model = load_model(run_dir / "model.h5") if (run_dir / "model.h5").is_file() else None
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
        schedule = model.optimizer.lr_scheduler
        settings += [["optimizer (as trained)", _describe(model.optimizer, skip=("lr_scheduler",))],
                     ["schedule (as trained)", _describe(schedule) if schedule is not None else "constant"],
                     ["loss (as trained)", _describe(model.loss)], ["epochs done", str(model.epochs_done)]]
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
            "\\paragraph{Model}", "\\begin{verbatim}\n" + summary + "\n\\end{verbatim}",
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
        text = "\n\n".join([f"# Run: {name}", "## Configuration", config, "## Model", "```\n" + summary + "\n```",
                            "## Training curves", "![loss and accuracy curves](curves.png)", "## Per epoch", epochs,
                            "## Final results", outcome, *confusion])
        path = run_dir / "report.md"
    path.write_text(text + "\n")
    return path
