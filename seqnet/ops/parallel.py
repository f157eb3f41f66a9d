"""Splitting a kernel's batch over threads, so that numpy's passes use every core.

numpy runs each array operation on one core; only its BLAS matrix products use several. A
convolution's im2col copies and col2im adds, or a pooling pass, would leave the other cores idle.
So inside a :func:`session`, where numpy's BLAS is single-threaded, the kernels split the batch
into one contiguous part per thread and run the whole kernel (copies, matrix products, adds) on
each part in its own thread. numpy releases the GIL inside its loops and its BLAS calls, so the
parts really run at the same time. Outside a session the kernels run as one part, with BLAS's
own threads.

Only the kernels in :mod:`seqnet.ops` know about threads. A model runs each of its passes
inside a :func:`scope`, which by itself changes nothing: the first kernel in it that gains from
threads (a convolution, a pooling pass: ``split(..., opens=True)``) opens a session that lasts
until the scope ends, so that the matrix-product kernels after it (Dense, BatchNorm) split their
work too instead of waking BLAS's threads. A model of matrix products alone never opens one.

The number of threads follows numpy's BLAS (``OMP_NUM_THREADS`` / ``OPENBLAS_NUM_THREADS``, or
all cores) unless :func:`set_num_threads` says otherwise. Results do not depend on the timing
of the threads: each part writes its own slice of the outputs, and per-part sums (a
convolution's ``dW``) are added in part order.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any, Callable, Iterator

#: a part gets at least this much work (elements an array pass touches): handing a part to
#: another thread and back costs about 0.1 ms, a pass over this many elements a few times that
MIN_WORK = 1 << 17
#: a matrix product's multiply-adds per element of work (BLAS does dozens in the time a numpy
#: pass touches one element)
MULTIPLY_ADDS_PER_ELEMENT = 64
#: a kernel whose matrix products do at least this many multiply-adds per element its other
#: passes touch runs on BLAS's own threads instead (see :func:`blas_bound`)
BLAS_BOUND = 32

_threads: int | None = None
_pool: ThreadPoolExecutor | None = None
_blas: list | None = None
_lock = threading.Lock()
_sessions = 0  # sessions open in any thread; the first sets BLAS to one thread, the last restores it
_saved_blas: list[tuple[Any, int]] = []
_restore_pending = False  # BLAS was set to one thread and not yet put back
_local = threading.local()  # .in_part: this thread is running a part (nested splits run serially);
#                            .whole: a blas_bound kernel runs here (its splits are one part)


def _blas_controllers() -> list:
    """threadpoolctl's controllers of the loaded BLAS libraries (numpy's among them)."""
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController
        _blas = list(ThreadpoolController().select(user_api="blas").lib_controllers)
    return _blas


def get_num_threads() -> int:
    """Threads a kernel splits its batch over: :func:`set_num_threads`'s value, else as many as
    numpy's BLAS used when seqnet first asked (the usable cores if threadpoolctl finds no BLAS)."""
    global _threads
    if _threads is None:
        with _lock:
            if _threads is None:
                cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
                _threads = max([c.num_threads for c in _blas_controllers()] or [cpus or 1])
    return _threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads (1: everything on the calling thread); safe to call while other threads
    train: splits already under way finish on the old threads."""
    global _threads, _pool
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads expects a positive integer, got {n!r}")
    with _lock:
        _threads = n
        if _pool is not None:
            # parts already handed to the old pool still run; a run() in another thread that
            # started before this call finishes on the old pool, later ones start a new one
            _pool.shutdown(wait=False)
            _pool = None


def _enter() -> None:
    """Count one more open session; the first sets BLAS to one thread."""
    global _sessions, _saved_blas, _restore_pending
    with _lock:
        _sessions += 1  # first: whatever interrupts the switch below, the caller's _leave undoes it
        if _sessions == 1:
            if not _restore_pending:  # (after a failed restore, BLAS's setting is still the saved one)
                _saved_blas = [(c, c.num_threads) for c in _blas_controllers()]
            _restore_pending = True
            for controller, threads in _saved_blas:
                if threads != 1:
                    controller.set_num_threads(1)


def _leave() -> None:
    """Count one session less; the last puts back BLAS's own setting, even when interrupted."""
    global _sessions, _restore_pending
    with _lock:
        try:
            if _sessions == 1:
                _restore_blas()
                _restore_pending = False
        finally:
            _sessions = max(_sessions - 1, 0)


def _restore_blas() -> None:
    try:
        for controller, threads in _saved_blas:
            if controller.num_threads != threads:
                controller.set_num_threads(threads)
    except BaseException:
        # a Ctrl-C inside the switch: try once more, so that BLAS is not left on one thread
        for controller, threads in _saved_blas:
            controller.set_num_threads(threads)
        raise


@contextmanager
def session() -> Iterator[None]:
    """Keep numpy's BLAS single-threaded inside (a process-wide setting): seqnet's threads share
    out the work instead.

    BLAS must stay single-threaded for the whole step, not only during a split: each
    multi-threaded BLAS call's threads keep polling for more work for a while after it returns,
    taking the cores that the next split needs (a CNN step measured 80 ms with its Dense
    products on BLAS's threads, 50 ms with them split too). Sessions nest and may be open in
    several threads at once; the last one to close restores BLAS's setting, also when a
    ``KeyboardInterrupt`` lands while the setting is being switched.
    """
    get_num_threads()  # reads BLAS's setting, so it must come before the change
    try:
        _enter()
        yield
    finally:
        _leave()


@contextmanager
def scope() -> Iterator[None]:
    """A pass over a model: a kernel inside that calls ``split(..., opens=True)`` opens a
    :func:`session` that lasts until the scope ends. Scopes nest; they are per thread."""
    outer = getattr(_local, "scope", None)
    if outer is not None:
        yield
        return
    _local.scope = opened = []
    try:
        yield
    finally:
        _local.scope = None
        if opened:
            _leave()


def _open_for_scope() -> bool:
    """Open a session for this thread's scope, if it is in one that has none yet."""
    opened = getattr(_local, "scope", None)
    if opened is None:
        return False
    if not opened:
        get_num_threads()
        opened.append(True)  # before _enter: the scope's exit must undo a half-done switch
        _enter()
    return True


@contextmanager
def blas_bound(multiply_adds_per_element: float) -> Iterator[None]:
    """Run the kernel inside as one part, its matrix products on BLAS's own threads, when they
    do at least :data:`BLAS_BOUND` multiply-adds per element of its other passes.

    Inside a session, numpy's BLAS is single-threaded and each thread multiplies its own part.
    But OpenBLAS runs such concurrent calls largely one after another: two threads each
    multiplying a (4500, 577) by a (577, 256) float32 matrix took longer than one thread doing
    both, while BLAS's own two threads did the pair in half the time. So a kernel made mostly of
    products (a convolution with 64 or more channels in and out) gains more from BLAS's threads
    than from splitting its copies; those wake for its duration and are put back to one
    thread after it. Outside a session, or inside a part, this changes nothing.
    """
    _open_for_scope()
    if (multiply_adds_per_element < BLAS_BOUND or not _sessions or getattr(_local, "in_part", False)
            or getattr(_local, "whole", False)):
        yield
        return
    with _lock:
        for controller, threads in _saved_blas:
            if threads != 1:
                controller.set_num_threads(threads)
    _local.whole = True
    try:
        yield
    finally:
        _local.whole = False
        with _lock:
            if _sessions:  # (the last session may have closed in another thread, restoring BLAS)
                for controller, threads in _saved_blas:
                    if threads != 1:
                        controller.set_num_threads(1)


def shares(n: int, parts: int) -> list[tuple[int, int]]:
    """``range(n)`` cut into ``parts`` contiguous ``(start, stop)`` ranges of near-equal length."""
    bounds = [n * i // parts for i in range(parts + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


def split(n: int, work: int, opens: bool = False) -> list[tuple[int, int]]:
    """How a kernel splits ``range(n)``: inside a :func:`session`, :func:`shares` for each thread
    (fewer when there are fewer items, or when ``work``, the elements its array passes touch in
    all, would give a part under :data:`MIN_WORK`); outside one, or in a :func:`blas_bound`
    kernel, a single part, since BLAS then has its own threads (and they may still be polling for
    work from the last product).

    ``opens``: a kernel of numpy passes, which gains from threads, opens the session of the
    :func:`scope` it runs in (if any), so that the rest of the model's pass runs in it too.
    """
    if opens:
        _open_for_scope()
    if not _sessions or getattr(_local, "whole", False):
        return [(0, n)]
    return shares(n, max(1, min(get_num_threads(), n, work // max(MIN_WORK, 1))))


def channel_intensity(c_in: int, c_out: int) -> float:
    """A convolution's multiply-adds per element its passes touch, for :func:`blas_bound`: at
    each pixel and kernel tap, ``c_in * c_out`` of them over ``c_in + c_out`` elements."""
    return c_in * c_out / (c_in + c_out)


def product_work(m: int, k: int, n: int) -> int:
    """The work of an ``(m, k) @ (k, n)`` matrix product, for :func:`split`."""
    return m * k * n // MULTIPLY_ADDS_PER_ELEMENT


def sum_parts(results: list) -> Any:
    """The sum of per-part results (arrays), added in part order: the same sum whatever the
    threads' timing."""
    total = results[0].copy()
    for result in results[1:]:
        total += result
    return total


def _part(fn: Callable, i: int, start: int, stop: int) -> Any:
    _local.in_part = True  # pool threads only ever run parts
    return fn(i, start, stop)


def run(fn: Callable[[int, int, int], Any], parts: list[tuple[int, int]]) -> list:
    """``[fn(i, start, stop) for i, (start, stop) in enumerate(parts)]``, the parts in parallel
    inside a :func:`session`.

    Part 0 runs on the calling thread. With one part, or when called from inside a part,
    everything runs here in order.
    """
    global _pool
    if len(parts) == 1 or getattr(_local, "in_part", False):
        return [fn(i, *part) for i, part in enumerate(parts)]
    with session():
        futures = []
        _local.in_part = True
        try:
            workers = max(get_num_threads() - 1, 1)  # (which may take the lock)
            with _lock:  # set_num_threads may not shut the pool down between these submits
                if _pool is None:
                    _pool = ThreadPoolExecutor(workers, thread_name_prefix="seqnet")
                futures = [_pool.submit(_part, fn, i, *part) for i, part in enumerate(parts[1:], 1)]
            first = fn(0, *parts[0])
            return [first, *(f.result() for f in futures)]
        finally:
            wait(futures)  # also when a part failed: no thread may still be writing
            _local.in_part = False


def _forget_pool() -> None:  # a forked child has the pool object but not its threads
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
