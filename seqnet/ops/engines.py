"""The convolution engines behind :class:`~seqnet.layers.Conv2D`, with one interface.

An engine is made for one layer's stride and padding and owns its scratch buffers (a
:class:`~seqnet.ops.conv.Workspace`), which it reuses from call to call::

    Z, kept = engine.forward(X, W, b)                    # kept: what the backward pass needs
    dX, dW, db = engine.backward(dZ, W, kept, need_dX)
    engine.release()                                     # drop the buffers (the model does after predict)

``engine="auto"`` picks one by :func:`choose_engine`, from the measurements recorded there;
``engine="tune"`` (:class:`TunedEngine`) times the engines on the layer's first batch, on the
machine at hand, and keeps the fastest.
"""
from __future__ import annotations

import time
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from .conv import Workspace, conv2d_backward_gemm, conv2d_forward_gemm
from .correlate import conv2d_backward_scipy, conv2d_forward_scipy
from .spectral import conv2d_backward_spectral, conv2d_forward_spectral
from .winograd import conv2d_backward_winograd, conv2d_forward_winograd


def choose_engine(kernel_shape: tuple[int, int], stride: int, c_in: int) -> str:
    """The engine ``engine="auto"`` runs: "spectral" where it measured faster than "gemm", else "gemm".

    Measured on a 2-core machine (``benchmarks/bench_engines.py``, fwd+bwd): spectral took
    0.2-0.9x gemm's time on stride-1 layers with kernels of 15 or more taps (3x5, 4x4, 5x5, 7x7)
    and 3 to 128 input channels, but up to 2.3x with a single input channel; on 3x3 layers it
    took 0.65-0.95x with 128 input channels, 0.8-1.4x with 64 and 1.2-2.6x with 16 or fewer.
    Winograd is not chosen: inside a training step (``benchmarks/profile_epoch.py``), where the
    64-channel layers run on BLAS's threads, it at best matched gemm and spectral.
    """
    area = kernel_shape[0] * kernel_shape[1]
    if stride == 1 and ((area >= 15 and c_in >= 3) or (area >= 9 and c_in >= 128)):
        return "spectral"
    return "gemm"


class ConvEngine(ABC):
    """One way of computing a 2-D cross-correlation and its gradients (NHWC, ``W`` ``(kh, kw, c_in, c_out)``)."""

    name = ""

    def __init__(self, stride: int, padding: tuple[int, int]) -> None:
        self.stride, self.padding = stride, padding
        self.workspace = Workspace()

    @abstractmethod
    def forward(self, X: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, Any]:
        """``(Z, kept)``: the output ``(n, oh, ow, c_out)`` and what :meth:`backward` needs."""

    @abstractmethod
    def backward(self, dZ: np.ndarray, W: np.ndarray, kept: Any, need_dX: bool = True
                 ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        """``(dX, dW, db)``; ``dX`` is None unless ``need_dX``."""

    def release(self) -> None:
        """Free the scratch buffers (they are made again when needed)."""
        self.workspace = Workspace()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} stride={self.stride} padding={self.padding}>"


class GemmEngine(ConvEngine):
    """im2col and BLAS matrix products (:func:`~seqnet.ops.conv.conv2d_forward_gemm`); any stride."""

    name = "gemm"

    def forward(self, X, W, b):
        return conv2d_forward_gemm(X, W, b, self.stride, self.padding, self.workspace), X

    def backward(self, dZ, W, kept, need_dX=True):
        return conv2d_backward_gemm(dZ, kept, W, self.stride, self.padding, self.workspace, need_dX=need_dX)


class SpectralEngine(ConvEngine):
    """The convolution theorem with DFTs as matrix products (:mod:`seqnet.ops.spectral`); stride 1."""

    name = "spectral"

    def forward(self, X, W, b):
        return conv2d_forward_spectral(X, W, b, self.padding, self.workspace), X.shape

    def backward(self, dZ, W, kept, need_dX=True):
        return conv2d_backward_spectral(dZ, kept, W, self.padding, self.workspace, need_dX=need_dX)


class WinogradEngine(ConvEngine):
    """Winograd's minimal filtering (:mod:`seqnet.ops.winograd`); 3x3 kernels, stride 1.

    ``tile`` is the output tile: 4 (``F(4x4, 3x3)``, 4x fewer multiplications than a direct
    convolution) or 2 (``F(2x2, 3x3)``, 2.25x fewer, float32 errors as small as gemm's); by default
    4, and 2 for outputs of 2 pixels or fewer on a side, which a 4x4 tile would mostly pad.
    """

    name = "winograd"

    def __init__(self, stride: int, padding: tuple[int, int], tile: int | None = None) -> None:
        super().__init__(stride, padding)
        self.tile = tile

    def _tile(self, X: np.ndarray) -> int:
        if self.tile is not None:
            return self.tile
        return 2 if min(X.shape[1] + 2 * self.padding[0], X.shape[2] + 2 * self.padding[1]) - 2 <= 2 else 4

    def forward(self, X, W, b):
        return conv2d_forward_winograd(X, W, b, self.padding, self._tile(X), self.workspace), X

    def backward(self, dZ, W, kept, need_dX=True):
        return conv2d_backward_winograd(dZ, kept, W, self.padding, self._tile(kept), self.workspace, need_dX=need_dX)


class ScipyEngine(ConvEngine):
    """:func:`scipy.signal.correlate` (:mod:`seqnet.ops.correlate`): an independent cross-check, slow."""

    name = "scipy"

    def forward(self, X, W, b):
        return conv2d_forward_scipy(X, W, b, self.stride, self.padding), X

    def backward(self, dZ, W, kept, need_dX=True):
        dX, dW, db = conv2d_backward_scipy(dZ, kept, W, self.stride, self.padding)
        return (dX if need_dX else None), dW, db


class TunedEngine(ConvEngine):
    """``engine="tune"``: at its first forward pass, times a forward and a backward pass of each
    engine that computes the layer (gemm, spectral, winograd; not scipy) on that batch, and runs
    the fastest from then on, as PyTorch's ``torch.backends.cudnn.benchmark`` does on a GPU.

    The timing runs where the layer runs (inside ``fit``'s thread session, at the training batch
    size), so it measures this machine's BLAS and cores, where :func:`choose_engine` follows a
    table measured on one machine. Each candidate's time is the best of ``passes`` passes after a
    first one that makes its buffers (a candidate whose first pass took more than twice the best
    time so far is not timed again); the losers' buffers are dropped. ``name`` is the chosen
    engine's name once tuned, ``timings`` the seconds each candidate took. The choice is made per
    layer, once: results differ between engines by float rounding only, and which engine wins can
    change from run to run when two are close, so runs that must repeat to the last bit should
    name an engine.
    """

    #: timed passes of each candidate
    passes = 2

    def __init__(self, stride: int, padding: tuple[int, int], kernel_shape: tuple[int, int]) -> None:
        super().__init__(stride, padding)
        self.candidates = [name for name in ("gemm", "spectral", "winograd")
                           if refusal(name, kernel_shape, stride) is None]
        self.chosen: ConvEngine | None = None
        self.timings: dict[str, float] = {}
        self.name = "tune"

    def forward(self, X, W, b):
        if self.chosen is None:
            self.chosen = self._fastest(X, W, b)
            self.name = self.chosen.name
        return self.chosen.forward(X, W, b)

    def backward(self, dZ, W, kept, need_dX=True):
        return self.chosen.backward(dZ, W, kept, need_dX=need_dX)

    def release(self) -> None:
        if self.chosen is not None:
            self.chosen.release()

    def _fastest(self, X: np.ndarray, W: np.ndarray, b: np.ndarray) -> ConvEngine:
        best: ConvEngine | None = None
        for name in self.candidates:
            engine = ENGINES[name](self.stride, self.padding)
            times = []
            for _ in range(1 + self.passes):  # the first pass makes the buffers and is not counted
                start = time.perf_counter()
                Z, kept = engine.forward(X, W, b)
                engine.backward(Z, W, kept)  # any array of Z's shape times the backward pass
                times.append(time.perf_counter() - start)
                if best is not None and times[0] > 2 * self.timings[best.name]:
                    break  # far behind already: not worth timing again
            self.timings[name] = min(times[1:] or times)
            if best is None or self.timings[name] < self.timings[best.name]:
                if best is not None:
                    best.release()
                best = engine
            else:
                engine.release()
        return best


ENGINES: dict[str, type[ConvEngine]] = {e.name: e for e in (GemmEngine, SpectralEngine, WinogradEngine,
                                                             ScipyEngine)}

#: what ``engine=`` takes: a way of choosing, then the engines themselves
CHOICES = ("auto", "tune", *ENGINES)


def refusal(name: str, kernel_shape: tuple[int, int], stride: int) -> str | None:
    """Why the engine ``name`` does not compute layers of this kernel and stride; None where it does."""
    if name in ("spectral", "winograd") and stride != 1:
        return f"engine {name!r} computes stride-1 convolutions only, got stride {stride}; use engine 'gemm' or 'auto'"
    if name == "winograd" and tuple(kernel_shape) != (3, 3):
        return (f"engine 'winograd' computes 3x3 kernels only, got {tuple(kernel_shape)}; use engine 'gemm', "
                f"'spectral' or 'auto'")
    return None


def check_engine(name: str, kernel_shape: tuple[int, int], stride: int) -> None:
    """``ValueError`` unless ``name`` is a way of choosing or an engine that computes layers of this
    kernel and stride."""
    if name not in CHOICES:
        raise ValueError(f"Conv2D: unknown engine {name!r}; known engines: {', '.join(CHOICES)}")
    reason = refusal(name, kernel_shape, stride)
    if reason:
        raise ValueError(f"Conv2D: {reason}")


def make_engine(name: str, kernel_shape: tuple[int, int], stride: int, padding: tuple[int, int],
                c_in: int) -> ConvEngine:
    """The engine ``name`` ("auto" resolved by :func:`choose_engine`, "tune" a :class:`TunedEngine`)
    for a layer of these settings."""
    check_engine(name, kernel_shape, stride)
    if name == "tune":
        return TunedEngine(stride, padding, kernel_shape)
    if name == "auto":
        name = choose_engine(kernel_shape, stride, c_in)
    return ENGINES[name](stride, padding)
