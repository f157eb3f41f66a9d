"""Keras's initializer tests against ``seqnet.keras.initializers`` (see
:mod:`tests.keras_suite.porting`). ``initializer_test.py`` is not ported: it tests JAX's sharding
layouts only."""
from tests.keras_suite.porting import port

FACE = {"from keras.src import initializers\n": "from seqnet.keras import initializers\n",
        "from keras.src import backend\n": "from tests.keras_suite.face_testing import backend\n"}
STFT = "the STFT initializer (the kernels of Keras's audio spectrogram layers)"
LEFT_OUT = {
    "constant_initializers_test.py": {"*.test_stft_initializer": STFT},
    "random_initializers_test.py": {"*.test_mha_query_projection_variance": "MultiHeadAttention (attention layers)"},
}
port("initializers/constant_initializers_test.py", FACE, LEFT_OUT["constant_initializers_test.py"], globals())
port("initializers/random_initializers_test.py",
     {**FACE, "from keras.src import random\n": "from seqnet.keras import random\n",
      "from keras.src import utils\n": "from seqnet.keras import utils\n",
      "from keras.src.initializers.random_initializers import compute_fans\n":
          "from seqnet.initializers import fans as compute_fans\n",
      "from keras.src.layers.attention.multi_head_attention import MultiHeadAttention\n": "\n"},
     LEFT_OUT["random_initializers_test.py"], globals())
