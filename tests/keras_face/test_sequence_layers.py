"""The sequence layers through the Keras face beside Keras 3 itself: the same model written once
for both libraries, Keras's weights copied into seqnet's, predictions to 1e-5 and two epochs of
``fit`` (in order, ``shuffle=False``) to 1e-4."""
import numpy as np
import pytest

keras = pytest.importorskip("keras")
import seqnet.keras as sk  # noqa: E402

MODELS = {
    "embedding-lstm": lambda L, K: [K.Input((10,)), L.Embedding(20, 4), L.LSTM(5), L.Dense(3, activation="softmax")],
    "gru": lambda L, K: [K.Input((10,)), L.Embedding(20, 4), L.GRU(5, return_sequences=True),
                         L.GRU(3, reset_after=False), L.Dense(3, activation="softmax")],
    "stacked-simple-rnn": lambda L, K: [K.Input((10,)), L.Embedding(20, 4), L.SimpleRNN(4, return_sequences=True),
                                        L.SimpleRNN(4, go_backwards=True), L.Dense(3, activation="softmax")],
    "bidirectional": lambda L, K: [K.Input((10,)), L.Embedding(20, 4), L.Bidirectional(L.LSTM(3)),
                                   L.Dense(3, activation="softmax")],
    "masked": lambda L, K: [K.Input((10,)), L.Embedding(20, 4, mask_zero=True),
                            L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="sum"), L.LSTM(4),
                            L.Dense(3, activation="softmax")],
    "masked-pooling": lambda L, K: [K.Input((10,)), L.Embedding(20, 4, mask_zero=True),
                                    L.LSTM(4, return_sequences=True), L.GlobalAveragePooling1D(),
                                    L.Dense(3, activation="softmax")],
    "text-cnn": lambda L, K: [K.Input((10,)), L.Embedding(20, 4), L.Conv1D(6, 3, padding="same", activation="relu"),
                              L.MaxPooling1D(2), L.Conv1D(4, 2, dilation_rate=2, padding="causal"),
                              L.GlobalMaxPooling1D(), L.Dense(3, activation="softmax")],
    "layer-normalization": lambda L, K: [K.Input((10,)), L.Embedding(20, 4), L.LSTM(6, return_sequences=True),
                                         L.LayerNormalization(), L.TimeDistributed(L.Dense(2)),
                                         L.GlobalAveragePooling1D(), L.Dense(3, activation="softmax")],
}


def data(rng, n=32):
    ids = rng.integers(1, 20, size=(n, 10))
    for i, length in enumerate(rng.integers(3, 11, size=n)):
        ids[i, :10 - length] = 0
    return ids.astype("int32"), rng.integers(0, 3, size=n)


@pytest.mark.parametrize("name", MODELS)
def test_the_face_predicts_and_trains_as_keras(name, rng):
    ids, y = data(rng)
    theirs, ours = keras.Sequential(MODELS[name](keras.layers, keras)), sk.Sequential(MODELS[name](sk.layers, sk))
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(ids), np.asarray(theirs.predict(ids, verbose=0)), atol=1e-5)
    for model in (theirs, ours):
        model.compile(optimizer=type(model).__module__.startswith("keras") and keras.optimizers.Adam(0.01)
                      or sk.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    h_theirs = theirs.fit(ids, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    h_ours = ours.fit(ids, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(h_ours, h_theirs, rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-4)


def test_the_face_layers_configs_and_weight_names_are_keras(rng):
    lstm = sk.layers.LSTM(3, return_sequences=True)
    lstm.build((None, 5, 2))
    assert [w.name for w in lstm.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert [w.shape for w in lstm.weights] == [(2, 12), (3, 12), (12,)]
    config = lstm.get_config()
    assert config["units"] == 3 and config["recurrent_activation"] == "sigmoid" and config["unit_forget_bias"]
    embedding = sk.layers.Embedding(7, 2)
    embedding.build((None, 4))
    assert [w.name for w in embedding.weights] == ["embeddings"]
    with pytest.raises(ValueError, match="seqnet does not compute dropout=0.2"):
        sk.layers.LSTM(3, dropout=0.2)
