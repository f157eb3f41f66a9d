"""Model files whose contents lie: sizes a file declares, JSON that is not what it should be,
weights of the wrong kind. Each becomes one ModelFileError naming the file before anything is
built or changed, or a warning where the model is intact."""
import json
import os
import subprocess
import sys
import time
import warnings
import zipfile

import h5py
import numpy as np
import pytest

from seqnet import ModelFileError, load_model
from seqnet.callbacks import BackupAndRestore
from seqnet.cli import main
from tests.saving.test_crafted_models import X, edit_attr, rewrite_zip, saved, small_model, y


def keras_file(tmp_path):
    model = small_model()
    model.fit(X, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        return tmp_path / "m.keras", json.loads(z.read("config.json")), z.read("model.weights.h5")


def keras_layer(config, i):
    return config["config"]["layers"][i]["config"]


# -- size bombs -----------------------------------------------------------------------------------------
def test_a_config_json_that_inflates_is_refused_before_it_is_read(tmp_path):
    path, config, _ = keras_file(tmp_path)
    rewrite_zip(path, config__json=json.dumps(config).encode() + b" " * 30_000_000)
    with pytest.raises(ModelFileError, match=r"m.keras' \(its config.json\) declares 30,00.* bytes from .* compressed"):
        load_model(path)


@pytest.mark.parametrize("where", ["seqnet", "keras"])
def test_a_layer_declaring_a_huge_size_is_refused_before_it_is_built(tmp_path, where):
    start = time.perf_counter()
    if where == "seqnet":
        path = saved(tmp_path)
        edit_attr(path, "model_config", lambda c: {**c, "layers": [
            {**c["layers"][0], "config": {**c["layers"][0]["config"], "n_out": 10**12}}, *c["layers"][1:]]})
        message = r"m.h5.*layer 'dense' \(Dense\) as configured would hold .*\(4, 1000000000000\).*stores W of shape"
    else:
        path, config, _ = keras_file(tmp_path)
        keras_layer(config, 1)["units"] = 10**12
        rewrite_zip(path, config__json=json.dumps(config))
        message = r"m.keras.*layer 'dense' \(Dense\) as configured would hold.*kernel of shape \(4, 5\)"
    with pytest.raises(ModelFileError, match=message):
        load_model(path)
    assert time.perf_counter() - start < 20


@pytest.mark.parametrize("where", ["seqnet", "keras"])
def test_a_huge_input_shape_is_refused(tmp_path, where):
    if where == "seqnet":
        path = saved(tmp_path)
        edit_attr(path, "model_config", lambda c: {**c, "input_shape": [10**6, 10**6]})
    else:
        path, config, _ = keras_file(tmp_path)
        keras_layer(config, 0)["batch_shape"] = [None, 10**12]
        rewrite_zip(path, config__json=json.dumps(config))
    with pytest.raises(ModelFileError, match=r"input shape \(10+, 10+\)|input shape \(10+,\)"):
        load_model(path)


def test_a_dataset_declaring_more_than_the_file_holds_is_refused(tmp_path):
    path = saved(tmp_path)
    with h5py.File(path, "r+") as f:
        del f["model_weights/dense/W"]
        f.create_dataset("model_weights/dense/W", shape=(10**5, 10**5), dtype=np.float32)  # never written
    with pytest.raises(ModelFileError, match=r"dataset '/model_weights/dense/W' declares shape \(100000, 100000\)"):
        load_model(path)


# -- what used to escape as a raw exception --------------------------------------------------------------
def nest(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("case, message", [
    ("config nested 100,000 deep", "config.json.* nests its JSON too deeply"),
    ("config is a list", "config.json.* holds a JSON list, expected a JSON object"),
    ("compile_config is a list", "compile config is a list"),
    ("Dense without units", r"layer 'dense' \(Dense\) has no 'units' in its config"),
    ("units='eight'", r"layer 'dense' \(Dense\) cannot be read: .*expected a positive integer. Received: units='eight'"),
    ("units=-3", r"layer 'dense' \(Dense\) cannot be read: .*expected a positive integer. Received: units=-3"),
    ("vars 0 then 5", "layers/dense/vars in model.weights.h5 holds \\['0', '5'\\]"),
    ("a kernel of strings", "dataset '/layers/dense/vars/0' holds .* data, not numbers"),
    ("weights.h5 not HDF5", "model.weights.h5.* is not a readable HDF5 file"),
    ("complex weights", "holds complex numbers"),
])
def test_a_damaged_keras_file_gets_one_error_naming_it(tmp_path, case, message):
    path, config, weights = keras_file(tmp_path)
    members = {}
    if case == "config nested 100,000 deep":
        members["config__json"] = '{"class_name": "Sequential", "config": ' + nest(100_000) + "}"
    elif case == "config is a list":
        members["config__json"] = "[1, 2]"
    elif case == "compile_config is a list":
        members["config__json"] = json.dumps({**config, "compile_config": [1]})
    elif case.startswith("Dense without units") or case.startswith("units"):
        layer = keras_layer(config, 1)
        layer.pop("units") if "without" in case else layer.update(units=eval(case.split("=")[1]))
        members["config__json"] = json.dumps(config)
    else:
        (tmp_path / "w.h5").write_bytes(weights)
        with h5py.File(tmp_path / "w.h5", "r+") as f:
            group = f["layers/dense/vars"]
            if case == "vars 0 then 5":
                group.move("1", "5")
            elif case == "a kernel of strings":
                del group["0"]
                group.create_dataset("0", data=np.array([["a"] * 5] * 4, dtype="S1"))
            elif case == "complex weights":
                kernel = group["0"][()]
                del group["0"]
                group.create_dataset("0", data=kernel + 1j)
        members["model__weights__h5"] = b"not hdf5" if case == "weights.h5 not HDF5" else (tmp_path / "w.h5").read_bytes()
    rewrite_zip(path, **members)
    with pytest.raises(ModelFileError, match=f"m.keras.*{message}"):
        load_model(path)


@pytest.mark.parametrize("case, message", [
    ("model_config nested", "model_config.* nests its JSON too deeply"),
    ("rng_state of -1", "saved state does not fit the model.*"),
    ("optimizer slot of the wrong shape", r"optimizer's 'momentum' for dense/W has shape \(2, 2\).*\(4, 5\)"),
    ("optimizer slot for no parameter", "optimizer holds state 'ghost/W/momentum'"),
    ("layer_names naming a missing group", r"layer_names names \['ghost'\], which it does not hold"),
])
def test_a_damaged_seqnet_file_gets_one_error_naming_it(tmp_path, case, message):
    path = saved(tmp_path)
    with h5py.File(path, "r+") as f:
        if case == "model_config nested":
            f.attrs["model_config"] = nest(100_000)
        elif case == "rng_state of -1":
            f["training_state"].attrs["rng_state"] = "-1"
        elif case == "optimizer slot of the wrong shape":
            del f["optimizer_weights/dense/W/momentum"]
            f["optimizer_weights/dense/W/momentum"] = np.zeros((2, 2), np.float32)
        elif case == "optimizer slot for no parameter":
            f["optimizer_weights/ghost/W/momentum"] = np.zeros((2, 2), np.float32)
        else:
            f["model_weights"].attrs["layer_names"] = ["dense", "dense_1", "ghost"]
    with pytest.raises(ModelFileError, match=f"m.h5.*{message}"):
        load_model(path)


def test_a_keras_h5_with_cut_off_json_or_a_missing_group_gets_one_error(tmp_path, rng):
    from tests.saving.test_keras2_h5 import keras2_config, keras2_weights, write_keras2
    write_keras2(tmp_path / "k.h5", keras2_config(), keras2_weights(rng))
    with h5py.File(tmp_path / "k.h5", "r+") as f:
        f["model_weights"].attrs["layer_names"] = [b"conv2d", b"ghost", b"dense"]
    with pytest.raises(ModelFileError, match="k.h5.*layer_names names 'ghost'"):
        load_model(tmp_path / "k.h5")
    with h5py.File(tmp_path / "k.h5", "r+") as f:
        f.attrs["model_config"] = f.attrs["model_config"][:40]
    with pytest.raises(ModelFileError, match=r"k.h5' \(its model_config\) is not valid JSON"):
        load_model(tmp_path / "k.h5")


def test_a_fifo_is_refused_without_reading_it(tmp_path, capsys):
    os.mkfifo(tmp_path / "fifo.h5")
    assert main(["summary", str(tmp_path / "fifo.h5")]) == 1  # would block forever on the first read
    assert "fifo.h5' is a named pipe (FIFO), not a regular file" in capsys.readouterr().err


# -- nothing half-applied, nothing silently wrong -------------------------------------------------------
def test_a_backup_of_another_model_changes_nothing_and_names_the_file(tmp_path):
    other = small_model(units=7)
    other.fit(X, y, epochs=1, verbose=0)
    (tmp_path / "b").mkdir()
    other.save(tmp_path / "b" / "backup.h5")
    model = small_model()
    model.build((4,))
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ModelFileError, match="backup.h5' was not made by this model.*nothing was restored"):
        model.fit(X, y, epochs=2, verbose=0, callbacks=[BackupAndRestore(str(tmp_path / "b"))])
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_non_finite_weights_warn_and_predict_refuses_to_write(tmp_path, capsys):
    path = saved(tmp_path)
    with h5py.File(path, "r+") as f:
        f["model_weights/dense_1/b"][0, 1] = np.nan
    with pytest.warns(RuntimeWarning, match="weight dense_1/b holds 1 NaN or infinite values"):
        load_model(path)
    np.save(tmp_path / "X.npy", X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["predict", str(path), str(tmp_path / "X.npy"), "--out", str(tmp_path / "p.csv")]) == 1
    assert "NaN or infinite for 16 of 16 examples" in capsys.readouterr().err
    assert not (tmp_path / "p.csv").exists()


def test_predict_on_a_pickled_npy_says_what_the_file_is(tmp_path, capsys):
    path = saved(tmp_path)
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    assert main(["predict", str(path), str(tmp_path / "objects.npy")]) == 1
    err = capsys.readouterr().err
    assert "holds Python objects, not a plain numeric array" in err and "allow_pickle" not in err


def test_two_processes_saving_one_file_both_finish_and_the_file_is_whole(tmp_path):
    script = ("import sys, numpy as np, seqnet\nfrom seqnet.layers import Dense\n"
              "m = seqnet.Sequential([Dense(64)], seed=int(sys.argv[2])); m.build((256,))\n"
              "for _ in range(25): m.save(sys.argv[1])\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "m.h5"), str(seed)],
                              stderr=subprocess.PIPE, text=True) for seed in (1, 2)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    assert load_model(tmp_path / "m.h5").layers[0].parameters["W"].shape == (256, 64)
    assert sorted(os.listdir(tmp_path)) == ["m.h5"]
