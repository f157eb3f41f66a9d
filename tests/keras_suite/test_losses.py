"""Keras's loss tests against ``seqnet.keras.losses`` (see :mod:`tests.keras_suite.porting`)."""
from tests.keras_suite.porting import port

port("losses/losses_test.py", {"from keras.src.losses import losses": "import seqnet.keras.losses as losses"}, {},
     globals())
