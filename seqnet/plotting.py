"""Training curves and other figures, drawn without a display (matplotlib's Agg canvas)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def _save(fig: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=120, bbox_inches="tight")
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
