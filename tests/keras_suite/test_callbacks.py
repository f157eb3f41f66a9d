"""Keras's callback tests against ``seqnet.keras.callbacks``, their models built with
``seqnet.keras`` (see :mod:`tests.keras_suite.porting`)."""
from tests.keras_suite.porting import KERAS_SRC, port

#: the modules under test, wherever a callback test file imports them
FACE = {f"from keras.src import {name}\n": f"from seqnet.keras import {name}\n"
        for name in ("callbacks", "initializers", "optimizers", "losses", "metrics")}
FACE.update({"from keras.src.models import Sequential\n": "from seqnet.keras.models import Sequential\n",
             "from keras.src.models.sequential import Sequential\n": "from seqnet.keras.models import Sequential\n",
             "from keras.src.callbacks import BackupAndRestore\n": "from seqnet.keras.callbacks import BackupAndRestore\n",
             "from keras.src.callbacks import TerminateOnNaN\n": "from seqnet.keras.callbacks import TerminateOnNaN\n",
             "from keras.src import ops\n": "from seqnet.keras import ops\n",
             "from keras.src.utils import io_utils\n": "from tests.keras_suite.face_testing import io_utils\n"})
LEFT_OUT = {}
for _file in ("terminate_on_nan_test.py", "learning_rate_scheduler_test.py", "early_stopping_test.py",
              "reduce_lr_on_plateau_test.py", "csv_logger_test.py", "lambda_callback_test.py"):
    _source = (KERAS_SRC / "callbacks" / _file).read_text()
    port(f"callbacks/{_file}", {k: v for k, v in FACE.items() if k in _source}, LEFT_OUT.get(_file, {}), globals())
