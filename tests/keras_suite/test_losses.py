"""Keras's loss tests against ``seqnet.keras.losses`` (see :mod:`tests.keras_suite.porting`)."""
from tests.keras_suite.porting import port

LEFT_OUT = {"*.test_dtype_arg": "mixed precision: seqnet computes in numpy's float32 and float64, not bfloat16",
            "CTCTest.*": "CTC aligns sequences of unknown alignment (speech, handwriting), beyond Sequential classifiers",
            "CircleTest.*": "Circle is a metric-learning loss over pairs of embeddings, beyond Sequential classifiers"}
port("losses/losses_test.py", {"from keras.src.losses import losses": "import seqnet.keras.losses as losses"},
     LEFT_OUT, globals())
