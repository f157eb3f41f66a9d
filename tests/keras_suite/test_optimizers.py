"""Keras's optimizer tests against ``seqnet.keras.optimizers``, on ``seqnet.keras.backend``'s
variables (see :mod:`tests.keras_suite.porting`)."""
from tests.keras_suite.porting import port

FACE = {"from keras.src import backend\n": "from seqnet.keras import backend\n",
        "from keras.src import ops\n": "from seqnet.keras import ops\n"}
EMA = "exponential moving averages of the weights (use_ema): seqnet averages weights with its Lookahead callback"
LEFT_OUT = {"adam_test.py": {"*.test_ema*": EMA}}
for _file, _class in (("sgd_test.py", "SGD"), ("adam_test.py", "Adam"), ("adamw_test.py", "AdamW"),
                      ("rmsprop_test.py", "RMSprop"), ("adagrad_test.py", "Adagrad")):
    _module = _file.removesuffix("_test.py")
    port(f"optimizers/{_file}", {**FACE, f"from keras.src.optimizers.{_module} import {_class}":
                                 f"from seqnet.keras.optimizers import {_class}"}, LEFT_OUT.get(_file, {}), globals())
