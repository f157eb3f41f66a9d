"""Model files crafted as an attacker would: loading never runs code a file names, never reads or
writes outside the file, never hangs or exhausts memory, and a bad file gets one ModelFileError
naming it. Each test builds its file in a temporary folder."""
import json
import os
import subprocess
import sys
import zipfile

import h5py
import numpy as np
import pytest

import seqnet
from seqnet import ModelFileError, Sequential, load_model
from seqnet.callbacks import BackupAndRestore, CSVLogger, LearningRateScheduler, ModelCheckpoint
from seqnet.layers import Dense
from seqnet.optimizers import SGD

X = np.random.default_rng(0).random((16, 4)).astype(np.float32)
y = np.arange(16) % 3


def small_model(seed=0, units=5):
    model = Sequential([Dense(units, activation="relu"), Dense(3, activation="softmax")], seed=seed)
    model.compile(optimizer=SGD(lr=0.1, momentum=0.9), loss="cross_entropy", metrics=["accuracy"])
    return model


def saved(tmp_path, name="m.h5", callbacks=(), **kwargs):
    model = small_model(**kwargs)
    model.fit(X, y, epochs=1, batch_size=8, verbose=0, callbacks=list(callbacks))
    model.save(tmp_path / name)
    return tmp_path / name


def edit_attr(path, key, change, group="/"):
    with h5py.File(path, "r+") as f:
        value = json.loads(f[group].attrs[key])
        f[group].attrs[key] = json.dumps(change(value))


def rewrite_zip(path, **members):
    with zipfile.ZipFile(path) as z:
        contents = {name: z.read(name) for name in z.namelist()}
    contents.update({k.replace("__", "."): v for k, v in members.items()})
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in contents.items():
            z.writestr(name, data)


def a_schedule(epoch, lr):
    return lr * 0.5


# -- 1. nothing a file names is imported or called ----------------------------------------------------
@pytest.fixture
def marker_module(tmp_path, monkeypatch):
    """A module on sys.path whose import leaves a marker file; a file names its function."""
    (tmp_path / "seqnet_marker_mod.py").write_text(
        "import pathlib\npathlib.Path(__file__).with_name('IMPORTED').write_text('x')\n"
        "def f(epoch, lr):\n    return lr * 0.5\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("seqnet_marker_mod", None)
    path = saved(tmp_path, callbacks=[LearningRateScheduler(a_schedule)])
    edit_attr(path, "callbacks", lambda cbs: [{**cb, "callback": {**cb["callback"], "config": {
        **cb["callback"]["config"], "schedule": "seqnet_marker_mod:f"}}} for cb in cbs], "training_state")
    yield path, tmp_path / "IMPORTED"
    sys.modules.pop("seqnet_marker_mod", None)


def test_no_module_named_by_a_file_is_imported(marker_module):
    path, marker = marker_module
    with pytest.warns(seqnet._safety.LostReferenceWarning, match="seqnet_marker_mod:f.*custom_objects=\\{'f': f\\}"):
        model = load_model(path)
    assert not marker.exists() and "seqnet_marker_mod" not in sys.modules
    assert type(model.callbacks[0]).__name__ == "LearningRateScheduler"
    with pytest.raises(ValueError, match="not restored from .*m.h5.*custom_objects"):
        model.fit(X, y, epochs=2, initial_epoch=1, verbose=0, callbacks=model.callbacks)
    model.callbacks[0].schedule = a_schedule  # given its function again, it runs
    model.fit(X, y, epochs=2, initial_epoch=1, verbose=0, callbacks=model.callbacks)
    assert model.optimizer.lr == pytest.approx(0.025)  # halved in each of the two epochs


def test_custom_objects_bring_the_function_back(marker_module):
    path, marker = marker_module
    model = load_model(path, custom_objects={"f": a_schedule})
    assert model.callbacks[0].schedule is a_schedule and not marker.exists()
    model.fit(X, y, epochs=2, initial_epoch=1, verbose=0, callbacks=model.callbacks)
    assert model.optimizer.lr == pytest.approx(0.025)  # halved in each of the two epochs


def test_custom_objects_bind_a_class_by_its_saved_name(tmp_path):
    from seqnet.layers import Layer

    class Twice(Layer):  # registered where the model was saved, not where it is loaded
        registered_name = "test_twice"

        def _forward(self, X):
            return 2 * X

    model = Sequential([Dense(2)], seed=0)
    model.build((3,))
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r+") as f:
        config = json.loads(f.attrs["model_config"])
        config["layers"].append({"class_name": "test_twice", "config": {"name": "twice"}})
        f.attrs["model_config"] = json.dumps(config)
        f.create_group("model_weights/twice")
        f["model_weights"].attrs["layer_names"] = ["dense", "twice"]
    with pytest.raises(ModelFileError, match="Unknown layer 'test_twice'"):
        load_model(tmp_path / "m.h5")
    again = load_model(tmp_path / "m.h5", custom_objects={"test_twice": Twice})
    assert isinstance(again.layers[1], Twice)
    np.testing.assert_allclose(again.predict(X[:2, :3]), 2 * model.predict(X[:2, :3]), rtol=1e-6)


def test_safe_mode_false_imports_for_a_trusted_file(marker_module):
    path, marker = marker_module
    model = load_model(path, safe_mode=False)
    assert marker.exists() and model.callbacks[0].schedule(0, 1.0) == 0.5


def test_the_command_line_imports_nothing_from_the_working_folder(marker_module):
    path, marker = marker_module
    result = subprocess.run([sys.executable, "-m", "seqnet.cli", "summary", str(path)], cwd=path.parent,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Epochs done: 1" in result.stdout and "warning" in result.stderr.lower()
    assert not marker.exists()


@pytest.mark.parametrize("make, attribute", [
    (lambda victim: ModelCheckpoint(str(victim)), "filepath"),
    (lambda victim: CSVLogger(str(victim)), "filename"),
    (lambda victim: BackupAndRestore(str(victim.parent / "backups")), "backup_dir")])
def test_a_path_from_a_file_is_not_written_until_given_again(tmp_path, make, attribute):
    victim = tmp_path / "elsewhere" / "precious.txt"
    victim.parent.mkdir()
    model = small_model()
    model.fit(X, y, epochs=1, verbose=0, callbacks=[make(tmp_path / "own.h5")])
    callback = model.callbacks[0]
    setattr(callback, attribute, str(victim) if attribute != "backup_dir" else str(victim.parent))
    model.save(tmp_path / "m.h5")
    victim.write_text("keep me")
    before = sorted(os.listdir(victim.parent))
    again = load_model(tmp_path / "m.h5")
    with pytest.raises(ValueError, match=f"its {attribute} .* was read from the file .*m.h5.*give the path again"):
        again.fit(X, y, epochs=2, initial_epoch=1, verbose=0, callbacks=again.callbacks)
    assert victim.read_text() == "keep me" and sorted(os.listdir(victim.parent)) == before
    setattr(again.callbacks[0], attribute, str(tmp_path / "mine"))  # given again: written
    again.fit(X, y, epochs=2, initial_epoch=1, verbose=0, callbacks=again.callbacks)
    trusted = load_model(tmp_path / "m.h5", safe_mode=False)
    trusted.callbacks[0].check_ready()


def add_link(path, kind, secret):
    with h5py.File(secret, "w") as s:
        s.create_dataset("W", data=np.full((4, 5), 7.0, dtype=np.float32))
    with h5py.File(path, "r+") as f:
        del f["model_weights/dense/W"]
        if kind == "external link":
            f["model_weights/dense/W"] = h5py.ExternalLink(str(secret), "/W")
        elif kind == "soft link":
            f["model_weights/dense/W"] = h5py.SoftLink("/model_weights/dense_1/W")
        elif kind == "soft link to itself":
            f["model_weights/dense/W"] = h5py.SoftLink("/model_weights/dense/W")
        else:
            raw = secret.with_suffix(".raw")
            raw.write_bytes(np.full((4, 5), 7.0, dtype=np.float32).tobytes())
            f.create_dataset("model_weights/dense/W", shape=(4, 5), dtype=np.float32, external=[(str(raw), 0, 80)])


@pytest.mark.parametrize("kind, message", [("external link", "external link to .*secret.h5"),
                                           ("soft link", "soft link to '/model_weights/dense_1/W'"),
                                           ("soft link to itself", "soft link"),
                                           ("external storage", "external file")])
def test_another_files_bytes_are_refused(tmp_path, kind, message):
    path = saved(tmp_path)
    add_link(path, kind, tmp_path / "secret.h5")
    with pytest.raises(ModelFileError, match=f"m.h5.*'/model_weights/dense/W'.*{message}"):
        load_model(path)


def test_an_external_link_inside_a_keras_file_is_refused(tmp_path):
    model = small_model()
    model.build((4,))
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        (tmp_path / "w.h5").write_bytes(z.read("model.weights.h5"))
    with h5py.File(tmp_path / "w.h5", "r+") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.ExternalLink(str(tmp_path / "secret.h5"), "/W")
    rewrite_zip(tmp_path / "m.keras", model__weights__h5=(tmp_path / "w.h5").read_bytes())
    with pytest.raises(ModelFileError, match="m.keras.*model.weights.h5.*external link"):
        load_model(tmp_path / "m.keras")


def test_a_keras_h5_with_an_external_link_is_refused(tmp_path, rng):
    from tests.saving.test_keras2_h5 import keras2_config, keras2_weights, write_keras2
    write_keras2(tmp_path / "k.h5", keras2_config(), keras2_weights(rng))
    with h5py.File(tmp_path / "k.h5", "r+") as f:
        f["model_weights/extra"] = h5py.ExternalLink(str(tmp_path / "secret.h5"), "/W")
    with pytest.raises(ModelFileError, match="k.h5.*external link"):
        load_model(tmp_path / "k.h5")


def _member(write):
    import io
    data = io.BytesIO()
    with h5py.File(data, "w") as f:
        write(f)
    return data.getvalue()


@pytest.mark.parametrize("member, message", [
    (b"not an HDF5 file", "not a readable HDF5 file"),
    (_member(lambda f: f.attrs.__setitem__("model_config", "{not json")), "not valid JSON"),
    (_member(lambda f: f.attrs.__setitem__("model_config", json.dumps(
        {"name": "m", "seed": 0, "dtype": "float32", "input_shape": [4],
         "layers": [{"class_name": "dense", "config": {"n_out": 9, "name": "dense"}},
                    {"class_name": "dense", "config": {"n_out": 3, "name": "dense_1"}}]}))), "would hold"),
], ids=["garbage", "bad-json", "other-layers"])
def test_a_bad_seqnet_part_of_a_keras_file_is_one_error_naming_it(tmp_path, member, message):
    """seqnet's own part of a ``.keras`` file (``seqnet.h5``) is checked as seqnet's ``.h5`` is."""
    path = saved(tmp_path, "m.keras")
    rewrite_zip(path, seqnet__h5=member)
    with pytest.raises(ModelFileError, match=message) as err:
        load_model(path)
    assert "m.keras" in str(err.value) and "seqnet.h5" in str(err.value)


@pytest.mark.parametrize("key, value", [("filename", "victim.txt"), ("_paths_from", {}), ("wait", "7"),
                                        ("best", [1, 2]), ("wait", True)],
                         ids=["a path", "a private mark", "a count as text", "a number as a list", "a bool"])
def test_a_saved_state_sets_only_the_callback_s_own_counters(tmp_path, key, value):
    """A file cannot restore a callback's path or private attributes, nor a counter of another kind:
    the model loads without that callback, with a warning naming it, and nothing is written."""
    from seqnet.callbacks import EarlyStopping
    path = saved(tmp_path, callbacks=[CSVLogger(str(tmp_path / "log.csv")), EarlyStopping(monitor="loss")])

    def tamper(entries):
        for entry in entries:
            entry["state"][key] = value
        return entries
    edit_attr(path, "callbacks", tamper, group="training_state")
    with pytest.warns(RuntimeWarning, match="could not be restored") as caught:
        model = load_model(path)
    assert any("may not set" in str(w.message) or "not a " in str(w.message) for w in caught)
    assert model.callbacks == []  # each tampered callback is left out, whole
    model.fit(X, y, epochs=model.epochs_done + 1, initial_epoch=model.epochs_done, verbose=0,
              callbacks=model.callbacks)  # the documented resume
    assert not (tmp_path / "victim.txt").exists()


@pytest.mark.parametrize("count", [-3, 2.5, np.inf], ids=["negative", "fractional", "infinite"])
def test_a_keras_optimizer_step_count_that_is_no_count_is_refused(tmp_path, count):
    """Keras's ``iterations`` variable: -3 was accepted, and the weights became NaN after one epoch."""
    import io

    import seqnet.keras as keras
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(X, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        weights = io.BytesIO(z.read("model.weights.h5"))
    with h5py.File(weights, "r+") as f:
        del f["optimizer/vars/0"]
        f["optimizer/vars"].create_dataset("0", data=np.float64(count))
    rewrite_zip(tmp_path / "m.keras", model__weights__h5=weights.getvalue())
    with zipfile.ZipFile(tmp_path / "m.keras") as z:  # Keras's part alone, as Keras writes it
        members = {n: z.read(n) for n in z.namelist() if n != "seqnet.h5"}
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    with pytest.raises(ModelFileError, match="step count"):
        load_model(tmp_path / "m.keras")


def test_refused_weights_leave_an_unbuilt_model_unbuilt(tmp_path):
    """``load_weights`` into a model not yet built: a file whose weights do not fit is refused before
    the model is built, so it is not left built with random weights."""
    path = saved(tmp_path, units=5)
    other = small_model(units=7)
    with pytest.raises(ModelFileError, match="dense"):
        other.load_weights(path)
    assert not other.built
    fits = small_model(units=5)
    fits.load_weights(path)
    np.testing.assert_array_equal(fits.predict(X), load_model(path).predict(X))
