"""Round trips by construction: every registered class, and every class the Keras face exports,
built through its face, saved in every format, loaded in a new process through every face.

The cases come from walking the registries (:mod:`tests.saving.round_trip_cases`): a class added
later is covered without a change here. Each case's model is fitted one epoch and saved as a
seqnet ``.h5``, a Keras ``.keras`` and a ``.weights.h5``; then it trains one more epoch here. One
new Python process (:mod:`tests.saving.round_trip_loader`) loads every file through
``seqnet.load_model``, ``seqnet.keras.models.load_model`` and ``seqnet summary``: the predictions
must equal the saved model's, and where the format keeps the optimizer, one more epoch of the
loaded model must equal the uninterrupted one. A format that cannot hold a class must refuse it
when saving, with an error that names it.
"""
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from seqnet import ModelFileError
from tests.saving.round_trip_cases import FORMATS, cases, fit_once, model_for

ROOT = Path(__file__).resolve().parents[2]
CASES = cases()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """``(saved, problems)``: per case, each format's outcome when saving, and what the new process found."""
    folder = tmp_path_factory.mktemp("round_trips")
    saved, manifest = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in CASES:
            where = folder / case.id
            where.mkdir()
            try:
                model, fit = model_for(case, where)
            except ImportError as err:  # a class whose optional package is not installed (TensorBoard's)
                saved[case.id] = {"skipped": str(err)}
                continue
            X, y = fit.pop("X"), fit.pop("y")
            fit_once(model, X, y, 0, **fit)
            np.save(where / "X.npy", X)
            np.save(where / "y.npy", y)
            np.save(where / "predictions.npy", model.predict(X, batch_size=8))
            outcome = saved[case.id] = {}
            for fmt, save in FORMATS.items():
                path = where / f"model.{fmt}"
                try:
                    save(model, path)
                    outcome[fmt] = "saved"
                except (ModelFileError, ValueError, TypeError) as err:
                    outcome[fmt] = f"refused: {err}"
                    continue
                manifest[f"{case.id}/{fmt}"] = {"file": str(path), "format": fmt, "X": str(where / "X.npy"),
                                                "y": str(where / "y.npy"), "architecture": str(where / "model.h5"),
                                                "predictions": str(where / "predictions.npy")}
            fit_once(model, X, y, 1, callbacks=fit.get("callbacks"))  # the uninterrupted run's next epoch
            np.save(where / "next.npy", model.predict(X, batch_size=8))
            for fmt in ("h5", "keras"):  # the formats that keep the optimizer
                if outcome[fmt] == "saved":
                    manifest[f"{case.id}/{fmt}"]["next"] = str(where / "next.npy")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    run = subprocess.run([sys.executable, "-m", "tests.saving.round_trip_loader", str(folder / "manifest.json")],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return saved, json.loads(run.stdout.strip().splitlines()[-1])


def test_the_walk_finds_every_kind_through_both_faces():
    found = {(case.face, case.kind) for case in CASES}
    kinds = ("layer", "loss", "metric", "optimizer", "scheduler", "callback")
    assert found >= {(face, kind) for face in ("seqnet", "keras") for kind in kinds} | {("seqnet", "metric name")}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_a_saved_model_loads_everywhere_in_a_new_process(loaded, case):
    saved, problems = loaded
    if "skipped" in saved[case.id]:
        pytest.skip(saved[case.id]["skipped"])
    assert saved[case.id]["h5"] == "saved", "seqnet's own format holds every registered class"
    assert saved[case.id]["weights.h5"] == "saved"
    for fmt, outcome in saved[case.id].items():
        if outcome != "saved":
            assert case.name.lower() in outcome.lower().replace("_", ""), f"{fmt}: a refusal names the class"
    found = {key: problems[f"{case.id}/{key}"] for key in saved[case.id] if f"{case.id}/{key}" in problems}
    assert not any(found.values()), found
