"""Keras's metric tests against ``seqnet.keras.metrics`` (see :mod:`tests.keras_suite.porting`)."""
from tests.keras_suite.porting import port

FACE = "import seqnet.keras.metrics as {}"
for _file, _swaps in {
        "accuracy_metrics_test.py": {"from keras.src.metrics import accuracy_metrics": FACE.format("accuracy_metrics")},
        "confusion_metrics_test.py": {"from keras.src import metrics\n": FACE.format("metrics") + "\n"},
        "reduction_metrics_test.py": {"from keras.src import metrics\n": FACE.format("metrics") + "\n",
                                      "from keras.src.metrics import reduction_metrics":
                                          FACE.format("reduction_metrics")},
        "regression_metrics_test.py": {"from keras.src.metrics import regression_metrics as metrics":
                                           FACE.format("metrics")},
        "probabilistic_metrics_test.py": {"from keras.src import metrics\n": FACE.format("metrics") + "\n"},
        "hinge_metrics_test.py": {"from keras.src.metrics import hinge_metrics": FACE.format("hinge_metrics")},
}.items():
    port(f"metrics/{_file}", _swaps, {}, globals())
