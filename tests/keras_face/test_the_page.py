"""The guide "Coming from Keras" lists every name the Keras face exports: a name added to a module
of ``seqnet.keras`` fails here until the page says it is there."""
import re
from pathlib import Path

import seqnet.keras as keras

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "guide" / "keras.rst").read_text()
MODULES = [keras, keras.layers, keras.losses, keras.metrics, keras.optimizers, keras.optimizers.schedules,
           keras.callbacks, keras.utils, keras.models, keras.saving, keras.initializers, keras.regularizers,
           keras.backend, keras.datasets, keras.random, keras.config,
           keras.activations, keras.constraints]


def test_every_exported_name_is_on_the_page():
    listed = set(re.findall(r"``([^`]+)``", PAGE))
    words = {w for entry in listed for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", entry)}
    missing = [f"{module.__name__}.{name}" for module in MODULES for name in module.__all__
               if name not in words and not name.startswith("_")]
    assert not missing, f"not on the page 'Coming from Keras': {missing}"
