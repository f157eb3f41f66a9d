"""Splitting the batch over threads: the helpers, and every threaded kernel against its one-thread run."""
import os
import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from seqnet.architectures import fashion_cnn
from seqnet.layers import BatchNorm, Conv2D, Dense, Flatten
from seqnet.ops import (Workspace, conv2d_backward_gemm, conv2d_backward_spectral, conv2d_forward_gemm,
                        conv2d_forward_spectral, parallel, pool2d_backward, pool2d_forward)
from seqnet.ops import pool
from seqnet.ops.reference import conv2d_naive
from seqnet.optimizers import SGD
from seqnet.sequential import Sequential

from tests.helpers import assert_close


@pytest.fixture
def threads(monkeypatch):
    """``threads(n)``: inside a session, split every kernel, however small, into up to ``n`` parts."""
    before = parallel.get_num_threads()
    monkeypatch.setattr(parallel, "MIN_WORK", 1)
    yield parallel.set_num_threads
    parallel.set_num_threads(before)


def blas_threads():
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_split_covers_the_batch_in_near_equal_parts(threads):
    threads(3)
    assert parallel.split(10, 10 ** 9) == [(0, 10)]  # outside a session: one part, BLAS's threads
    assert parallel.shares(7, 2) == [(0, 3), (3, 7)]
    with parallel.session():
        assert parallel.split(10, 10 ** 9) == [(0, 3), (3, 6), (6, 10)]
        assert parallel.split(2, 10 ** 9) == [(0, 1), (1, 2)]  # never an empty part
        parallel.MIN_WORK = 100
        assert parallel.split(10, 250) == [(0, 5), (5, 10)]  # each part gets at least MIN_WORK
        assert parallel.split(10, 99) == [(0, 10)]
    with pytest.raises(ValueError, match="positive integer"):
        parallel.set_num_threads(0)


def test_the_default_thread_count_follows_blas(monkeypatch):
    from threadpoolctl import threadpool_limits
    monkeypatch.setattr(parallel, "_threads", None)
    with threadpool_limits(1, user_api="blas"):
        assert parallel.get_num_threads() == 1
    monkeypatch.setattr(parallel, "_threads", None)
    monkeypatch.setattr(parallel, "_blas", [])  # no BLAS that threadpoolctl knows: the usable cores
    assert parallel.get_num_threads() == len(os.sched_getaffinity(0))


def test_run_keeps_part_order_uses_threads_and_propagates_errors(threads):
    threads(3)
    names = {}

    def part(i, start, stop):
        names[i] = threading.current_thread().name
        assert parallel.run(lambda j, a, b: j, [(0, 1), (1, 2)]) == [0, 1]  # nested: runs serially
        return (i, start, stop)

    assert parallel.run(part, [(0, 2), (2, 4), (4, 5)]) == [(0, 0, 2), (1, 2, 4), (2, 4, 5)]
    assert names[0] == threading.current_thread().name
    assert names[1].startswith("seqnet") and names[2].startswith("seqnet")
    finished = []

    def failing(i, start, stop):
        if i == 0:
            raise KeyError("part 0")
        finished.append(i)

    with pytest.raises(KeyError, match="part 0"):
        parallel.run(failing, [(0, 1), (1, 2), (2, 3)])
    assert sorted(finished) == [1, 2]  # the other parts were waited for


def test_the_thread_count_may_change_while_a_split_runs(threads):
    threads(3)
    counts = []

    def part(i, start, stop):
        if i == 1:  # a pool thread: the old pool may not wait for (join) this very thread
            parallel.set_num_threads(2)
        return i

    assert parallel.run(part, parallel.shares(3, 3)) == [0, 1, 2]
    errors = []

    def splits():  # another thread keeps splitting while this one changes the count
        try:
            for _ in range(300):
                with parallel.session():
                    counts.append(len(parallel.run(lambda i, a, b: i, parallel.split(4, 10 ** 9))))
        except Exception as error:  # pragma: no cover - the failure this test looks for
            errors.append(error)

    worker = threading.Thread(target=splits)
    worker.start()
    for n in range(300):
        parallel.set_num_threads(2 + n % 2)
    worker.join()
    assert errors == [] and set(counts) <= {2, 3}


def test_session_keeps_blas_single_threaded_and_restores_it(threads):
    threads(2)
    outside = blas_threads()
    with parallel.session():
        assert set(blas_threads()) == {1}
        with parallel.session():
            pass
        assert set(blas_threads()) == {1}  # an inner session does not restore early
    assert blas_threads() == outside


def test_a_blas_bound_kernel_runs_as_one_part_on_blas_threads(threads):
    threads(2)
    outside = blas_threads()
    with parallel.blas_bound(1e9):  # outside a session: nothing changes
        assert parallel.split(8, 10 ** 9) == [(0, 8)] and blas_threads() == outside
    with parallel.session():
        with parallel.blas_bound(parallel.BLAS_BOUND - 1):  # too few products: split as before
            assert len(parallel.split(8, 10 ** 9)) == 2 and set(blas_threads()) == {1}
        with parallel.blas_bound(parallel.BLAS_BOUND):
            assert parallel.split(8, 10 ** 9) == [(0, 8)] and blas_threads() == outside
            with parallel.blas_bound(1e9):  # nested: still one part, BLAS's threads kept
                assert blas_threads() == outside
            assert blas_threads() == outside
        assert set(blas_threads()) == {1} and len(parallel.split(8, 10 ** 9)) == 2
    assert blas_threads() == outside


def test_convolutions_of_many_channels_run_blas_bound(threads, rng, monkeypatch):
    """The gemm and spectral engines of wide layers give the same numbers as one part on one thread."""
    seen = []
    real = parallel.blas_bound
    monkeypatch.setattr(parallel, "blas_bound", lambda intensity: seen.append(intensity) or real(intensity))
    X, W, b = rng.normal(size=(4, 6, 6, 64)), rng.normal(size=(3, 3, 64, 64)) / 24, rng.normal(size=(1, 64))
    threads(1)
    serial = _gemm_pass(X, W, b, np.ones((4, 6, 6, 64)), 1, (1, 1))
    threads(2)
    with parallel.session():
        for got, want in zip(_gemm_pass(X, W, b, np.ones((4, 6, 6, 64)), 1, (1, 1)), serial):
            assert_close(got, want, tol=1e-12)
        ws = Workspace()
        assert_close(conv2d_forward_spectral(X, W, b, (1, 1), ws), serial[0], tol=1e-10)
        assert ws.parts == [(0, 4)]
    assert seen and all(i >= parallel.BLAS_BOUND for i in seen)


def _gemm_pass(X, W, b, dZ, stride, pad, need_dX=True):
    ws = Workspace()
    Z = conv2d_forward_gemm(X, W, b, stride, pad, ws)
    return (Z, *conv2d_backward_gemm(dZ, X, W, stride, pad, ws, need_dX=need_dX)[int(not need_dX):])


@pytest.mark.parametrize("keep", [True, False], ids=["kept rows", "chunks"])
@pytest.mark.parametrize("kernel, stride, pad, c_in", [((3, 3), 1, (1, 1), 4), ((3, 5), 2, (0, 2), 6),
                                                       ((2, 3), 3, (2, 0), 1)])
def test_gemm_engine_on_threads_matches_one_thread(kernel, stride, pad, c_in, keep, threads, rng, monkeypatch):
    from seqnet.ops import conv
    X, b = rng.normal(size=(7, 11, 10, c_in)), rng.normal(size=(1, 3))
    W = rng.normal(size=(*kernel, c_in, 3))
    threads(1)
    Z = conv2d_forward_gemm(X, W, b, stride, pad)
    dZ = rng.normal(size=Z.shape)
    if not keep:  # chunks of 2 images inside each part
        monkeypatch.setattr(conv, "KEEP_BYTES", 0)
        monkeypatch.setattr(conv, "CHUNK_BYTES", 2 * Z[0].size // 3 * (W[..., 0].size + 1) * X.itemsize)
    serial = _gemm_pass(X, W, b, dZ, stride, pad)
    assert_close(serial[0], conv2d_naive(X, W, b, stride, pad), tol=1e-13)
    threads(3)
    with parallel.session():
        for got, want in zip(_gemm_pass(X, W, b, dZ, stride, pad), serial):
            assert_close(got, want, tol=1e-13)
        for got, want in zip(_gemm_pass(X, W, b, dZ, stride, pad, need_dX=False), serial[:1] + serial[2:]):
            assert_close(got, want, tol=1e-13)


def test_gemm_parts_reuse_only_their_own_rows(threads, rng):
    """Each part keeps its rows; a backward pass split differently from its forward pass rebuilds them."""
    X, W, b = rng.normal(size=(6, 5, 5, 2)), rng.normal(size=(3, 3, 2, 4)), np.zeros((1, 4))
    dZ = rng.normal(size=(6, 5, 5, 4))
    fresh = conv2d_backward_gemm(dZ, X, W, 1, (1, 1), Workspace())
    threads(3)
    ws = Workspace()
    with parallel.session():
        conv2d_forward_gemm(X, W, b, 1, (1, 1), ws)
        assert [ws.part(i).cols_source[1:] for i in range(3)] == [(0, 2), (2, 4), (4, 6)]
        threads(2)
        for got, want in zip(conv2d_backward_gemm(dZ, X, W, 1, (1, 1), ws), fresh):
            assert_close(got, want, tol=1e-13)


def test_spectral_engine_on_threads_matches_one_thread(threads, rng):
    X, W, b = rng.normal(size=(7, 9, 8, 3)), rng.normal(size=(5, 5, 3, 4)), rng.normal(size=(1, 4))
    threads(1)
    ws = Workspace()
    Z = conv2d_forward_spectral(X, W, b, (2, 2), ws)
    assert_close(Z, conv2d_naive(X, W, b, 1, (2, 2)), tol=1e-12)
    dZ = rng.normal(size=Z.shape)
    serial = conv2d_backward_spectral(dZ, X.shape, W, (2, 2), ws)
    threads(3)
    ws = Workspace()
    conv2d_forward_spectral(X, W, b, (2, 2), ws)
    assert ws.parts == [(0, 7)]
    with parallel.session():
        assert_close(conv2d_forward_spectral(X, W, b, (2, 2), ws), Z, tol=1e-12)
    assert ws.parts == [(0, 2), (2, 4), (4, 7)]  # odd parts: an image without a partner
    threads(1)  # the backward pass follows the forward pass's split, whose spectra it reads
    for got, want in zip(conv2d_backward_spectral(dZ, X.shape, W, (2, 2), ws), serial):
        assert_close(got, want, tol=1e-12)
    with pytest.raises(ValueError, match="no forward pass over 7 images"):
        conv2d_backward_spectral(dZ, X.shape, W, (2, 2), Workspace())


@pytest.mark.parametrize("kernel, stride, pad, mode", [((2, 2), 2, (0, 0), "max"), ((3, 3), 2, (1, 1), "max"),
                                                       ((2, 2), 2, (0, 0), "average"),
                                                       ((3, 3), 1, (1, 1), "average")])
@pytest.mark.parametrize("chunk_images", [None, 1, 2])
def test_pooling_on_threads_and_in_chunks_matches_one_thread(kernel, stride, pad, mode, chunk_images, threads,
                                                             monkeypatch, rng):
    X = rng.integers(0, 3, size=(7, 9, 8, 3)).astype(np.float64)  # ties too
    threads(1)
    Z, argmax = pool2d_forward(X, kernel, stride, pad, mode)
    dZ = rng.normal(size=Z.shape)
    dX = pool2d_backward(dZ, X.shape, argmax, kernel, stride, pad, mode)
    if chunk_images:  # each thread's images a few at a time, the last chunk smaller
        monkeypatch.setattr(pool, "CHUNK_BYTES", chunk_images * X[0].nbytes)
    threads(3)
    with parallel.session():
        Z3, argmax3 = pool2d_forward(X, kernel, stride, pad, mode)
        assert np.array_equal(Z3, Z) and (argmax is None or np.array_equal(argmax3, argmax))
        assert np.array_equal(pool2d_backward(dZ, X.shape, argmax, kernel, stride, pad, mode), dX)


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_on_threads_matches_one_thread(training, threads, rng):
    X, dY = rng.normal(loc=1.0, size=(5, 6, 4, 3)), rng.normal(size=(5, 6, 4, 3))
    results = []
    for n in (1, 3):
        threads(n)
        layer = BatchNorm()
        layer.build(X.shape[1:])
        layer.parameters["gamma"][...] = [0.5, 2.0, -1.0]
        layer.buffers["running_var"][...] = [0.5, 2.0, 1.5]
        layer.training = training
        with parallel.session():
            results.append([layer.forward(X), layer.backward(dY), *layer.gradients.values(),
                            *layer.buffers.values()])
    for got, want in zip(*results):
        assert_close(got, want, tol=1e-13)


def test_dense_splits_its_products_only_inside_a_session(threads, rng):
    X = rng.normal(size=(6, 5))
    layer = Dense(7)
    Y = layer.forward(X)
    dY = rng.normal(size=Y.shape)
    dX = layer.backward(dY)
    dW = layer.gradients["W"].copy()
    threads(3)
    with parallel.session():
        assert_close(layer.forward(X), Y, tol=1e-14)
        assert_close(layer.backward(dY), dX, tol=1e-14)
    assert_close(layer.gradients["W"], dW, tol=1e-14)
    assert_close(Y, X @ layer.parameters["W"] + layer.parameters["b"], tol=1e-14)


def test_a_cnn_trains_the_same_on_one_and_on_three_threads(threads, rng):
    X, y = rng.normal(size=(24, 8, 8, 1)), rng.integers(0, 10, 24)

    def train(n):
        threads(n)
        model = Sequential(fashion_cnn().layers, seed=0, dtype="float64")
        model.compile("sgd", "cross_entropy")
        model.fit(X, y, batch_size=12, epochs=2, verbose=0)
        return model.get_weights(), model.predict(X)

    one, three = train(1), train(3)
    for got, want in zip(three[0], one[0]):  # absolute too: a conv bias before BatchNorm stays ~1e-18
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    assert_close(three[1], one[1], tol=1e-10)


def test_only_models_with_threaded_layers_hold_a_session(rng):
    outside = blas_threads()
    seen = []

    class Spy(Dense):
        def _forward(self, X):
            seen.append(blas_threads())
            return super()._forward(X)

    mlp = Sequential([Spy(3, activation="softmax")], seed=0)
    mlp.compile("sgd", "cross_entropy")
    mlp.build((2,))
    seen.clear()
    mlp.fit(rng.normal(size=(4, 2)), [0, 1, 2, 0], verbose=0)
    assert seen == [outside]
    cnn = Sequential([Conv2D(2, 3), Flatten(), Spy(2, activation="softmax")], seed=0)
    cnn.compile("sgd", "cross_entropy")
    cnn.build((8, 8, 1))
    seen.clear()
    cnn.fit(rng.normal(size=(4, 8, 8, 1)), [0, 1, 1, 0], verbose=0)
    cnn.predict(rng.normal(size=(2, 8, 8, 1)))
    assert len(seen) == 2 and all(set(s) == {1} for s in seen)
    assert blas_threads() == outside


class InterruptedController:
    """A BLAS controller whose first ``set_num_threads`` call is hit by a Ctrl-C."""

    def __init__(self, threads=4, interrupt_on=1):
        self.num_threads, self.calls, self.interrupt_on = threads, 0, interrupt_on

    def set_num_threads(self, n):
        self.calls += 1
        if self.calls == self.interrupt_on:
            raise KeyboardInterrupt
        self.num_threads = n


@pytest.mark.parametrize("interrupt_on", [1, 2], ids=["entering", "leaving"])
def test_a_ctrl_c_while_switching_blas_does_not_leave_it_on_one_thread(monkeypatch, interrupt_on):
    controller = InterruptedController(interrupt_on=interrupt_on)
    monkeypatch.setattr(parallel, "_blas", [controller])
    monkeypatch.setattr(parallel, "_threads", 2)
    with pytest.raises(KeyboardInterrupt):
        with parallel.session():
            assert controller.num_threads == 1
    assert controller.num_threads == 4 and parallel._sessions == 0
    with parallel.session():  # and the next session still switches and restores
        assert controller.num_threads == 1
    assert controller.num_threads == 4


def test_a_ctrl_c_in_a_models_step_restores_blas(monkeypatch, rng):
    controller = InterruptedController(interrupt_on=1)
    monkeypatch.setattr(parallel, "_blas", [controller])
    monkeypatch.setattr(parallel, "_threads", 2)
    cnn = Sequential([Conv2D(2, 3), Flatten(), Dense(2, activation="softmax")], seed=0)
    cnn.compile("sgd", "cross_entropy")
    with pytest.raises(KeyboardInterrupt):
        cnn.fit(rng.normal(size=(4, 8, 8, 1)), [0, 1, 1, 0], verbose=0)
    assert controller.num_threads == 4 and parallel._sessions == 0


def test_a_scope_opens_a_session_only_for_kernels_that_gain_from_threads(threads):
    threads(2)
    with parallel.scope():
        assert parallel.split(8, 10 ** 9) == [(0, 8)]  # a product kernel alone: BLAS's threads
        assert parallel._sessions == 0
        assert parallel.split(8, 10 ** 9, opens=True) == [(0, 4), (4, 8)]
        with parallel.scope():  # nested: the same session
            assert parallel.split(8, 10 ** 9) == [(0, 4), (4, 8)]
        assert parallel._sessions == 1
    assert parallel._sessions == 0
    assert parallel.split(8, 10 ** 9, opens=True) == [(0, 8)]  # outside a scope nothing opens


def test_two_threads_training_two_models_get_what_each_gets_alone(rng):
    X, y = rng.normal(size=(64, 6, 6, 2)), rng.integers(0, 3, 64)

    def train(model):
        model.compile(SGD(lr=0.05, momentum=0.9), "cross_entropy")
        model.fit(X, y, batch_size=8, epochs=3, verbose=0)
        return model.get_weights()

    def make(seed):
        return Sequential([Conv2D(3, 3, activation="relu"), Flatten(), Dense(3, activation="softmax")],
                          seed=seed, dtype="float64")

    alone = [train(make(1)), train(make(2))]
    together = [None, None]
    workers = [threading.Thread(target=lambda i=i: together.__setitem__(i, train(make(i + 1)))) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for got, want in zip(together, alone):
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b)
