"""Training curves and other figures, drawn without a display (matplotlib's Agg canvas)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ._files import atomic_write


def _save(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` whole or not at all, never through a link (:func:`seqnet._files.atomic_write`)."""
    path = Path(path)
    FigureCanvasAgg(fig)
    atomic_write(path, lambda tmp: fig.savefig(tmp, format=path.suffix[1:].lower() or "png", dpi=120,
                                               bbox_inches="tight"))
    return path


def plot_history(history: Any, path: str | Path, metrics: Sequence[str] | None = None,
                 title: str | None = None) -> Path:
    """Plot per-epoch curves of a :class:`~seqnet.callbacks.History` (or its ``history`` dict).

    One panel per quantity (``loss``, ``accuracy``, ...), training and ``val_`` curves together.
    Returns the path of the PNG written.
    """
    logs = getattr(history, "history", history)
    epochs = getattr(history, "epoch", None)
    if metrics is None:
        metrics = [k for k in logs if not k.startswith("val_")]
    if not metrics:
        raise ValueError("plot_history: the history holds no quantities to plot")
    fig = Figure(figsize=(5 * len(metrics), 3.6))
    for i, key in enumerate(metrics):
        ax = fig.add_subplot(1, len(metrics), i + 1)
        for name, style in ((key, "-"), (f"val_{key}", "--")):
            if name in logs:
                values = logs[name]
                x = np.asarray(epochs) + 1 if epochs is not None and len(epochs) == len(values) \
                    else np.arange(1, len(values) + 1)
                ax.plot(x, values, style, marker="o" if len(values) < 30 else None, ms=3,
                        label="validation" if name.startswith("val_") else "training")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epoch 1, 2, ...: never 0.75
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def plot_curves(curves: dict[str, Sequence[float]], path: str | Path, xlabel: str = "iteration",
                ylabel: str = "loss", title: str | None = None) -> Path:
    """Plot named curves against their index on one set of axes; returns the PNG path."""
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot(1, 1, 1)
    for label, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return _save(fig, path)


def plot_confusion_matrix(matrix: Any, path: str | Path, class_names: Sequence[str] | None = None,
                          title: str | None = None) -> Path:
    """Draw a confusion matrix (rows: true class, columns: predicted class) with its counts.

    ``matrix`` is as returned by :func:`seqnet.metrics.confusion_matrix`. Returns the PNG path.
    """
    matrix = np.asarray(matrix)
    k = matrix.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    fig = Figure(figsize=(1.0 + 0.6 * k, 0.8 + 0.6 * k))
    ax = fig.add_subplot(1, 1, 1)
    ax.imshow(matrix, cmap="Blues")
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if matrix[i, j] > matrix.max() / 2 else "black")
    ax.set_xticks(range(k), names, rotation=45, ha="right")
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title)
    return _save(fig, path)


def plot_filters(W: Any, path: str | Path, title: str | None = None) -> Path:
    """Show the first layer's convolution filters ``W`` ``(kh, kw, c_in, c_out)``, one image each.

    Filters with 3 input channels are drawn in colour, others channel by channel averaged to grey.
    """
    W = np.asarray(W, dtype=np.float64)
    n = W.shape[-1]
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    fig = Figure(figsize=(cols * 0.8, rows * 0.8))
    for f in range(n):
        ax = fig.add_subplot(rows, cols, f + 1)
        w = W[..., f]
        w = (w - w.min()) / (np.ptp(w) or 1.0)
        ax.imshow(w if W.shape[2] == 3 else w.mean(axis=2), cmap=None if W.shape[2] == 3 else "gray")
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return _save(fig, path)
