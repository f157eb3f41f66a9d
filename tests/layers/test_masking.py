"""Masks of padded steps through a Sequential model, as Keras passes them: from
Embedding(mask_zero=True) to the layers that read them."""
import numpy as np
import pytest

from seqnet import Sequential
from seqnet.gradcheck import check_gradients
from seqnet.layers import (LSTM, Bidirectional, Dense, Dropout, Embedding, Flatten, GlobalAveragePooling1D,
                           LayerNormalization)


def padded(rng, n=6, steps=7, vocab=9):
    ids = rng.integers(1, vocab, size=(n, steps))
    for i, length in enumerate(rng.integers(2, steps + 1, size=n)):
        ids[i, :steps - length] = 0  # padded at the start, as pad_sequences does
    return ids


def test_padding_does_not_change_a_masked_models_output(rng):
    model = Sequential([Embedding(9, 4, mask_zero=True), LSTM(5, return_sequences=True), LayerNormalization(),
                        Dropout(0.2), Bidirectional(LSTM(3)), Dense(2, activation="softmax")], seed=0)
    ids = padded(rng)
    model.build(ids.shape[1:])
    out = model.predict(ids)
    more = np.concatenate([np.zeros((len(ids), 4), dtype=ids.dtype), ids], axis=1)  # more padding
    np.testing.assert_allclose(model.predict(more), out, atol=1e-6)


def test_global_average_pooling_leaves_padded_steps_out(rng):
    model = Sequential([Embedding(9, 3, mask_zero=True), GlobalAveragePooling1D()], seed=0)
    ids = padded(rng)
    model.build(ids.shape[1:])
    W = model.layers[0].parameters["W"]
    want = np.stack([W[row[row != 0]].mean(axis=0) for row in ids])
    np.testing.assert_allclose(model.predict(ids), want, rtol=1e-6)


def test_a_masked_model_passes_a_gradient_check(rng):
    model = Sequential([Embedding(6, 3, mask_zero=True), LSTM(4, return_sequences=True), GlobalAveragePooling1D(),
                        Dense(2, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy")
    ids = padded(rng, n=4, steps=5, vocab=6)
    errors = check_gradients(model, ids, np.array([0, 1, 1, 0]), max_checks=None)
    assert "X" not in errors and max(errors.values()) < 1e-6, errors


def test_a_mask_reaching_a_layer_that_cannot_take_it_is_an_error(rng):
    model = Sequential([Embedding(9, 3, mask_zero=True, input_shape=(7,)), Flatten(), Dense(2)], seed=0)
    with pytest.raises(ValueError, match="Flatten 'flatten' cannot take the mask of padded steps"):
        model.predict(padded(rng))


def test_return_sequences_false_then_a_layer_that_needs_steps_is_an_error():
    with pytest.raises(ValueError, match=r"LSTM 'lstm_1' expects input of shape \(batch, steps, features\), got "
                                         r"\(None, 4\)"):
        Sequential([Embedding(9, 3, input_shape=(5,)), LSTM(4), LSTM(2)])


def test_an_embedding_lstm_model_learns_a_sequence_rule(rng):
    """Is a 1 anywhere before the padding? Learnt from 200 padded sequences in a few seconds."""
    ids = padded(rng, n=240, steps=8, vocab=5)
    y = (ids == 1).any(axis=1).astype(int)
    model = Sequential([Embedding(5, 8, mask_zero=True), LSTM(16), Dense(2, activation="softmax")], seed=0)
    model.compile("adam", "cross_entropy", ["accuracy"])
    model.fit(ids[:200], y[:200], epochs=15, batch_size=20, verbose=0)
    assert model.evaluate(ids[200:], y[200:], return_dict=True)["accuracy"] >= 0.9
