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
