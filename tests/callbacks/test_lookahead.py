"""Lookahead: the weights pulled to their running average every few steps, as the formula says."""
import numpy as np
import pytest

from seqnet import Sequential, load_model
from seqnet.callbacks import Lookahead
from seqnet.layers import BatchNorm, Dense
from seqnet.optimizers import SGD


def _model():
    m = Sequential([Dense(6, input_shape=(4,)), BatchNorm(momentum=0.3), Dense(3, activation="softmax")], seed=1)
    m.compile(SGD(lr=0.2, momentum=0.9), "cross_entropy")
    return m


def _weights(m):
    return [w for layer in m.layers for w in layer.get_weights()]


def test_lookahead_follows_the_formula_step_by_step(rng):
    X, y = rng.normal(size=(24, 4)), rng.integers(0, 3, size=24)
    trained = _model()
    trained.fit(X, y, batch_size=6, epochs=3, shuffle=False, verbose=0,
                callbacks=[Lookahead(every=2, decay=0.6, ramp=1.0)])
    by_hand, total = _model(), 3 * 4
    average = [w.copy() for w in _weights(by_hand)]
    for step in range(1, total + 1):
        start = 6 * ((step - 1) % 4)
        by_hand.train_on_batch(X[start:start + 6], y[start:start + 6])
        if step % 2 == 0:
            d = 0.6 * step / total
            for a, w in zip(average, _weights(by_hand)):
                a[...] = d * a + (1 - d) * w
                w[...] = a
    for a, w in zip(average, _weights(by_hand)):
        w[...] = a  # the end of fit: the average
    for ours, expected in zip(_weights(trained), _weights(by_hand)):
        np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-7)
    plain = _model()
    plain.fit(X, y, batch_size=6, epochs=3, shuffle=False, verbose=0)
    assert not np.allclose(_weights(plain)[0], _weights(trained)[0], atol=1e-4)  # it does change the run


def test_decay_zero_changes_nothing_and_the_callback_travels_in_files(rng, tmp_path):
    X, y = rng.normal(size=(24, 4)), rng.integers(0, 3, size=24)
    a, b = _model(), _model()
    a.fit(X, y, batch_size=6, epochs=2, verbose=0)
    b.fit(X, y, batch_size=6, epochs=2, verbose=0, callbacks=[Lookahead(every=1, decay=0.0)])
    for wa, wb in zip(_weights(a), _weights(b)):
        np.testing.assert_array_equal(wa, wb)
    b.save(tmp_path / "m.h5")
    restored = load_model(tmp_path / "m.h5").callbacks
    assert [type(c).__name__ for c in restored] == ["Lookahead"] and restored[0].get_config()["every"] == 1


@pytest.mark.parametrize("kwargs", [dict(every=0), dict(decay=1.5), dict(ramp=-1.0), dict(every=True)])
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError, match="Lookahead"):
        Lookahead(**kwargs)
