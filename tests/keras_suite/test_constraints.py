"""Keras's constraint tests against ``seqnet.keras.constraints`` (see :mod:`tests.keras_suite.porting`)."""
from tests.keras_suite.porting import port

port("constraints/constraints_test.py",
     {"from keras.src import constraints\n": "from seqnet.keras import constraints\n",
      "from keras.src import backend\n": "from tests.keras_suite.face_testing import backend\n"}, {}, globals())
