"""The new process of the generated round-trip test: loads every file its manifest lists through
every face (``seqnet.load_model``, ``seqnet.keras.models.load_model``, the ``seqnet`` command) and
prints, as JSON, what differed for each case.

    python -m tests.saving.round_trip_loader MANIFEST.json
"""
import contextlib
import io
import json
import sys
import warnings

import numpy as np

import seqnet
import seqnet.keras as keras
from seqnet import cli
from tests.saving.round_trip_cases import fit_once

LOADERS = {"seqnet": seqnet.load_model, "keras": keras.models.load_model}


def check(entry):
    problems = []
    X, y = np.load(entry["X"]), np.load(entry["y"])
    expected = np.load(entry["predictions"])
    for face, load in LOADERS.items():
        try:
            if entry["format"] == "weights.h5":
                model = load(entry["architecture"], safe_mode=False)
                model.load_weights(entry["file"])
            else:
                model = load(entry["file"], safe_mode=False)  # ours: its callbacks write where they did
            if not np.allclose(model.predict(X, batch_size=8), expected, rtol=1e-5, atol=1e-6):
                problems.append(f"{face}: predictions differ")
            if entry.get("next"):
                fit_once(model, X, y, model.epochs_done, callbacks=model.callbacks or None)
                if not np.allclose(model.predict(X, batch_size=8), np.load(entry["next"]), rtol=1e-5, atol=1e-6):
                    problems.append(f"{face}: the next epoch differs from the uninterrupted one")
        except Exception as err:  # noqa: BLE001  (each failure is reported by the test of its case)
            problems.append(f"{face}: {type(err).__name__}: {err}")
    if entry["format"] != "weights.h5":
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                code = cli.main(["summary", entry["file"]])
            except SystemExit as exit:
                code = exit.code
        if code not in (0, None):
            problems.append(f"seqnet summary: exit {code}: {out.getvalue()[-300:]}")
    return problems


def main():
    manifest = json.loads(open(sys.argv[1]).read())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        print(json.dumps({key: check(entry) for key, entry in manifest.items()}))


if __name__ == "__main__":
    main()
