import numpy as np
import pytest

from seqnet import metrics


def test_accuracy_top_k_and_confusion():
    scores = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [0.4, 0.35, 0.25]])
    labels = np.array([1, 0, 1, 1])
    assert metrics.accuracy(labels, scores) == 0.5
    assert metrics.accuracy(np.eye(3)[labels], scores) == 0.5
    assert metrics.top_k_accuracy(labels, scores, k=2) == 1.0
    assert metrics.confusion_matrix(labels, scores).tolist() == [[1, 0, 0], [1, 1, 1], [0, 0, 0]]
    assert metrics.accuracy(np.array([1, 0]), np.array([[0.9], [0.4]])) == 1.0
    with pytest.raises(ValueError, match="Known metric names"):
        metrics.get("f1")


def test_plots_are_written(tmp_path):
    from seqnet.plotting import plot_confusion_matrix, plot_curves, plot_filters, plot_history
    rng = np.random.default_rng(0)
    C = metrics.confusion_matrix(rng.integers(0, 3, 50), rng.random((50, 3)))
    assert C.sum() == 50
    for path in (plot_confusion_matrix(C, tmp_path / "c.png", ["a", "b", "c"], title="t"),
                 plot_filters(rng.normal(size=(3, 3, 3, 8)), tmp_path / "f.png"),
                 plot_filters(rng.normal(size=(5, 5, 1, 3)), tmp_path / "g.png"),
                 plot_curves({"run": [3, 2, 1]}, tmp_path / "l.png"),
                 plot_history({"loss": [2, 1], "val_loss": [2.5, 1.5]}, tmp_path / "h.png")):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError):
        plot_history({}, tmp_path / "empty.png")


def test_keras_metric_names():
    y_true, scores = np.array([0, 2, 1]), np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.7, 0.2]])
    assert metrics.get("categorical_accuracy")(np.eye(3)[y_true], scores) == metrics.get("accuracy")(y_true, scores)
    assert metrics.get("sparse_categorical_accuracy")(y_true, scores) == 2 / 3
    assert metrics.get("top_k_categorical_accuracy")(y_true, scores, k=2) == 1.0
    assert metrics.get("binary_accuracy")(np.array([[1, 0], [0, 0]]), np.array([[0.7, 0.6], [0.2, 0.4]])) == 0.75
    assert metrics.get("mae")(np.zeros((2, 2)), np.array([[1, -1], [2, 0]])) == 1.0
    assert metrics.get("mse")(np.zeros((2, 2)), np.array([[1, -1], [2, 0]])) == 1.5


@pytest.mark.parametrize("name, kwargs", [("AUC", {}), ("AUC", {"curve": "PR"}), ("AUC", {"summation_method": "minoring"}),
                                          ("AUC", {"summation_method": "majoring", "num_thresholds": 7}),
                                          ("Precision", {}), ("Recall", {"thresholds": [0.3, 0.6]}),
                                          ("TruePositives", {}), ("FalsePositives", {}), ("TrueNegatives", {}),
                                          ("FalseNegatives", {}), ("BinaryAccuracy", {"threshold": 0.4}),
                                          ("MeanSquaredError", {}), ("MeanAbsoluteError", {})])
def test_stateful_metrics_accumulate_as_keras_s(name, kwargs):
    import os
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    import seqnet.metrics as M
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, (50, 3)).astype(np.float32)
    y_pred, w = rng.random((50, 3)).astype(np.float32), rng.random(50)
    theirs, ours = getattr(keras.metrics, name)(**kwargs), getattr(M, name)(**kwargs)
    for i in range(0, 50, 20):  # three batches, weighted
        theirs.update_state(y_true[i:i + 20], y_pred[i:i + 20], sample_weight=w[i:i + 20])
        ours.update_state(y_true[i:i + 20], y_pred[i:i + 20], sample_weight=w[i:i + 20])
    np.testing.assert_allclose(ours.result(), np.asarray(theirs.result()), rtol=2e-6)
    ours.reset_state()
    fresh = getattr(keras.metrics, name)(**kwargs)
    np.testing.assert_allclose(ours(y_true[:5], y_pred[:5]), np.asarray(fresh(y_true[:5], y_pred[:5])), rtol=2e-6)
