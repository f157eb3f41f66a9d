import numpy as np
import pytest

from seqnet.datasets import load_iris, minibatches, one_hot, standardize


def test_iris_split_is_fixed_and_stratified():
    (X, y), (Xt, yt) = load_iris()
    assert X.shape == (120, 4) and Xt.shape == (30, 4)
    assert X.dtype == np.float32 and y.dtype == np.int64
    assert np.bincount(yt).tolist() == [10, 10, 10] and np.bincount(y).tolist() == [40, 40, 40]
    (X2, _), (Xt2, _) = load_iris()
    assert np.array_equal(X, X2) and np.array_equal(Xt, Xt2)
    assert X[:, 0].min() >= 4.3 and X[:, 0].max() <= 7.9  # measured in cm, not rescaled


def test_standardize_uses_training_statistics():
    a = np.array([[1.0, 5.0], [3.0, 5.0]])
    b = np.array([[2.0, 6.0]])
    sa, sb = standardize(a, b)
    assert np.allclose(sa, [[-1, 0], [1, 0]]) and np.allclose(sb, [[0, 1]])


def test_minibatches_cover_each_example_once():
    X, y = np.arange(10)[:, None], np.arange(10)
    batches = list(minibatches(X, y, batch_size=4, rng=np.random.default_rng(0)))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate([b[1] for b in batches]).tolist()) == list(range(10))
    assert [b.ravel().tolist() for b in minibatches(X, batch_size=5, shuffle=False)] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    with pytest.raises(ValueError):
        list(minibatches(X, y[:3]))


def test_one_hot():
    assert one_hot([2, 0], 3).tolist() == [[0, 0, 1], [1, 0, 0]]
