"""Keras's metric tests against ``seqnet.keras.metrics`` (see :mod:`tests.keras_suite.porting`)."""
from tests.keras_suite.porting import port

FACE = "import seqnet.keras.metrics as {}"
SYMBOLIC = "symbolic tensors (compute_output_spec of KerasTensors): seqnet computes on arrays"
FUNCTIONAL = "the functional API (a layer called on an Input): seqnet builds Sequential models"
LEFT_OUT = {"reduction_metrics_test.py": {"MeanTest.test_weighted_dynamic_shapes": SYMBOLIC,
                                          "MetricWrapperTest.test_weighted_dynamic_shape": SYMBOLIC,
                                          "MetricWrapperTest.test_binary_accuracy_with_boolean_inputs": FUNCTIONAL},
            "confusion_metrics_test.py": {"MultiAUCTest.test_keras_model_compiles": FUNCTIONAL}}
for _file, _swaps in {
        "accuracy_metrics_test.py": {"from keras.src.metrics import accuracy_metrics": FACE.format("accuracy_metrics")},
        "confusion_metrics_test.py": {"from keras.src import metrics\n": FACE.format("metrics") + "\n",
                                      "from keras.src.metrics import metrics_utils":
                                          "from seqnet.metrics import auc as metrics_utils"},
        "reduction_metrics_test.py": {"from keras.src import metrics\n": FACE.format("metrics") + "\n",
                                      "from keras.src.metrics import reduction_metrics":
                                          FACE.format("reduction_metrics")},
        "regression_metrics_test.py": {"from keras.src.metrics import regression_metrics as metrics":
                                           FACE.format("metrics")},
        "probabilistic_metrics_test.py": {"from keras.src import metrics\n": FACE.format("metrics") + "\n"},
        "hinge_metrics_test.py": {"from keras.src.metrics import hinge_metrics": FACE.format("hinge_metrics")},
        "f_score_metrics_test.py": {"from keras.src.metrics import f_score_metrics": FACE.format("f_score_metrics")},
}.items():
    port(f"metrics/{_file}", _swaps, LEFT_OUT.get(_file, {}), globals())
