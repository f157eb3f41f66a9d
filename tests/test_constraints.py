"""Weight constraints: each registered one keeps what it promises after every update, survives a
save, and trains as Keras's does."""
import numpy as np
import pytest

import seqnet
from seqnet import constraints
from seqnet.layers import Dense

NAMES = constraints.constraints.names()


def promise(name, W):
    """What a weight constrained by ``name``'s default holds, per unit (column)."""
    norms = np.linalg.norm(W, axis=0)
    return {"non_neg": W.min() >= 0, "max_norm": norms.max() <= 2 + 1e-5, "unit_norm": np.allclose(norms, 1, atol=1e-5),
            "min_max_norm": norms.min() >= -1e-5 and norms.max() <= 1 + 1e-5}[name]


@pytest.mark.parametrize("name", NAMES)
def test_each_constraint_holds_after_every_update_and_survives_a_save(name, tmp_path, rng):
    X, y = rng.normal(size=(64, 5)), rng.integers(0, 3, 64)
    model = seqnet.Sequential([Dense(6, activation="relu", name="hidden"), Dense(3, activation="softmax")], seed=0)
    model.layers[0].set_constraints({"W": name})
    model.compile(seqnet.optimizers.SGD(lr=0.5), "cross_entropy")
    seen = []
    model.fit(X, y, epochs=2, batch_size=16, verbose=0, callbacks=[seqnet.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(promise(name, model.layers[0].parameters["W"])))])
    assert len(seen) == 8 and all(seen)
    assert model.layers[0].parameters["W"].dtype == model.dtype  # kept in the model's dtype
    model.save(tmp_path / "m.h5")
    again = seqnet.load_model(tmp_path / "m.h5")
    assert again.get_layer("hidden").constraints["W"].get_config() == constraints.get(name).get_config()


def test_a_frozen_layer_is_not_constrained_and_a_bias_constraint_needs_a_bias():
    layer = Dense(3, use_bias=False)
    with pytest.raises(ValueError, match="a bias constraint needs use_bias=True"):
        layer.set_constraints({"b": "non_neg"})
    model = seqnet.Sequential([Dense(3, name="frozen")], seed=0)
    model.build((4,))
    model.layers[0].parameters["W"][...] = -1.0
    model.layers[0].set_constraints({"W": "non_neg"})
    model.layers[0].trainable = False
    constraints.apply(model)
    assert (model.layers[0].parameters["W"] == -1.0).all()


def test_constrained_training_matches_keras(tmp_path):
    """The same Dense model with a MaxNorm kernel and a NonNeg bias, trained by SGD in Keras and
    through the face with the weights copied across, then saved by the face and read by Keras."""
    keras = pytest.importorskip("keras")
    import seqnet.keras as face
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(32, 4)).astype("float32"), rng.normal(size=(32, 3)).astype("float32")
    models = []
    for lib in (keras, face):
        model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, kernel_constraint=lib.constraints.MaxNorm(0.5),
                                                                   bias_constraint="non_neg")])
        model.compile(lib.optimizers.SGD(0.5), "mse")
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    for model in models:
        model.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for theirs, ours in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert isinstance(models[1].layers[0].kernel.constraint, face.constraints.MaxNorm)
    models[1].save(tmp_path / "m.keras")
    read = keras.models.load_model(tmp_path / "m.keras").layers[0]
    assert read.kernel.constraint.get_config() == {"max_value": 0.5, "axis": 0}
    assert type(read.bias.constraint).__name__ == "NonNeg"
