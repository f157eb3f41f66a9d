"""Numbers a Keras user's code relies on, computed by the same code under Keras 3 and under
``seqnet.keras``: metrics with per-output sample weights, the categorical cross-entropy of rows
that do not sum to 1, class ids per pixel and Keras's ``(n, 1)`` labels."""
import numpy as np
import pytest

from tests.keras_face.conftest import copy_weights

RNG = np.random.default_rng(7)
Y2 = np.array([[0, 1], [1, 0], [1, 1]])
P2 = np.array([[0.6, 0.7], [0.8, 0.3], [0.2, 0.9]])
WEIGHTS = {"per output": np.array([[1.0, 2.0], [3.0, 4.0], [0.5, 0.0]]), "per example": np.array([1.0, 3.0, 2.0]),
           "(n, 1)": np.array([[1.0], [3.0], [2.0]]), "scalar": 2.5, "none": None}


def value(x):
    return float(np.asarray(x))


@pytest.mark.parametrize("weights", WEIGHTS, ids=list(WEIGHTS))
@pytest.mark.parametrize("metric", ["Precision", "Recall", "BinaryAccuracy", "TruePositives", "FalseNegatives",
                                    "MeanSquaredError", "MeanAbsoluteError", "AUC"])
def test_metrics_weigh_each_output_as_keras_does(libs, metric, weights):
    if metric.startswith("Mean") and weights == "per output":
        pytest.skip("Keras's mean errors reduce each example's outputs first: it refuses a weight per output")
    results = []
    for lib in libs:
        m = getattr(lib.metrics, metric)()
        m.update_state(Y2, P2, sample_weight=WEIGHTS[weights])
        m.update_state(Y2[::-1], P2, sample_weight=WEIGHTS[weights])
        results.append(value(m.result()))
    assert results[1] == pytest.approx(results[0], abs=1e-6)


@pytest.mark.parametrize("weights", ["per example", "(n, 1)", "none"])
@pytest.mark.parametrize("metric", ["CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy"])
def test_class_metrics_take_ids_one_hot_and_weights_as_keras_does(libs, metric, weights):
    scores = RNG.random((3, 6))
    ids = np.array([[2], [5], [0]]) if weights == "(n, 1)" else np.array([2, 5, 0])
    truth = np.eye(6)[ids.reshape(-1)] if metric != "SparseCategoricalAccuracy" else ids
    results = []
    for lib in libs:
        m = getattr(lib.metrics, metric)(**({"k": 2} if metric.startswith("TopK") else {}))
        m.update_state(truth, scores, sample_weight=WEIGHTS[weights])
        results.append(value(m.result()))
    assert results[1] == pytest.approx(results[0], abs=1e-6)


@pytest.mark.parametrize("weights", ["per example", "none"])
def test_categorical_crossentropy_divides_rows_by_their_sum(libs, weights):
    rows = np.array([[0.2, 0.4, 0.2], [0.5, 0.5, 0.5], [0.1, 0.1, 0.6]])
    truth = np.eye(3)[[1, 0, 2]]
    got = [value(lib.losses.CategoricalCrossentropy()(truth, rows, sample_weight=WEIGHTS[weights])) for lib in libs]
    assert got[1] == pytest.approx(got[0], rel=1e-6)


def test_sparse_crossentropy_and_accuracy_per_pixel(libs):
    ids = RNG.integers(0, 3, (4, 5))
    probs = RNG.dirichlet(np.ones(3), (4, 5))
    losses = [value(lib.losses.SparseCategoricalCrossentropy()(ids, probs)) for lib in libs]
    assert losses[1] == pytest.approx(losses[0], rel=1e-6)
    accuracy = []
    for lib in libs:
        m = lib.metrics.SparseCategoricalAccuracy()
        m.update_state(ids, probs)
        accuracy.append(value(m.result()))
    assert accuracy[1] == pytest.approx(accuracy[0], abs=1e-7)


def test_labels_of_shape_n_1_train_as_in_keras(libs):
    """``keras.datasets`` give labels of shape (n, 1); Keras squeezes them for a sparse loss."""
    x = RNG.random((24, 6)).astype("float32")
    y = RNG.integers(0, 4, (24, 1))
    models = []
    for lib in libs:
        model = lib.Sequential([lib.Input((6,)), lib.layers.Dense(4, activation="softmax")])
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        models.append(model)
    copy_weights(models[0], models[1])
    histories = [m.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history for m in models]
    for key in ("loss", "accuracy"):
        assert np.allclose(histories[1][key], histories[0][key], atol=1e-5), key
    same = models[1].evaluate(x, y[:, 0], verbose=0)
    assert same == pytest.approx(models[1].evaluate(x, y, verbose=0))
