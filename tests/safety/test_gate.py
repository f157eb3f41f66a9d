"""The gate every byte from a file passes through (:mod:`seqnet._safety`): each case a crafted
file that used to read outside its target, allocate before a check, or fail without naming the
file; and a check that no reader goes around the gate."""
import json
import os
import re
import tracemalloc
from pathlib import Path

import h5py
import pytest

import seqnet
from seqnet import ModelFileError, load_model
from seqnet.cli import main
from seqnet.datasets import DatasetError
from tests.saving.test_crafted_models import X, saved, small_model, y

ROOT = Path(__file__).resolve().parents[2]


# -- one gate: no reader reads around it ------------------------------------------------------------
READS = re.compile(r"(?<![\w.])open\(|json\.loads?\(|np\.load\(|numpy\.load\(|Image\.open\(|tarfile\.open\("
                   r"|zipfile\.ZipFile\(|h5py\.File\(|\.read_bytes\(\)|\.read_text\(|pickle\.loads?\(|Unpickler"
                   r"|np\.fromfile\(|np\.memmap\(|gzip\.open\(")
GATES = ("seqnet/_safety/", "seqnet/_files.py")
WRITES = re.compile(r"""(h5py\.File|zipfile\.ZipFile)\((tmp|weights|ours), ["']w["']""")  # into atomic_write's file
PACKAGE_DATA = 'resources.files("seqnet").joinpath("data/iris.csv").read_text()'  # seqnet's own copy


def test_no_reader_calls_open_or_a_parser_outside_the_gate():
    found = []
    for path in sorted((ROOT / "seqnet").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(GATES):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if READS.search(code) and not WRITES.search(code) and PACKAGE_DATA not in code:
                found.append(f"{rel}:{number}: {line.strip()}")
    assert not found, "read these through seqnet._safety:\n" + "\n".join(found)


def test_the_grep_finds_what_it_looks_for():
    for line in ['with open(p) as f:', 'json.loads(s)', 'np.load(p)', 'Image.open(b)', 'tarfile.open(p)',
                 'zipfile.ZipFile(p)', 'h5py.File(p, "r")', 'p.read_bytes()', 'p.read_text()']:
        assert READS.search(line) and not WRITES.search(line), line
    assert WRITES.search('h5py.File(tmp, "w")') and not READS.search("os.open(path, flags)")


# -- limits ------------------------------------------------------------------------------------------
def test_limits_change_for_a_block_and_say_their_names():
    before = seqnet.limits.json_depth
    with seqnet.limits(json_depth=3):
        with pytest.raises(ValueError, match="nests its JSON too deeply"):
            seqnet._safety.parse_json(b'{"a": [[[1]]]}', "x", ValueError)
    assert seqnet.limits.json_depth == before
    assert seqnet._safety.parse_json(b'{"a": [[[1]]]}', "x", ValueError) == {"a": [[[1]]]}
    with pytest.raises(TypeError, match="no limit 'json_dept'.*json_depth"):
        with seqnet.limits(json_dept=3):
            pass
    with pytest.raises(ValueError, match="positive whole number"):
        with seqnet.limits(json_depth=-1):
            pass


def test_json_is_bounded_in_values_not_only_bytes(tmp_path, capsys):
    """3.6 MB of ``[],`` is 1.2 million lists: refused before it is parsed."""
    run = tmp_path / "run"
    run.mkdir()
    text = '{"a": [' + ",".join(["[]"] * 1_200_000) + "]}"
    (run / "hparams.json").write_text(text)
    assert main(["report", str(run)]) == 1
    assert re.search(r"hparams.json' holds about [\d,]+ JSON values, more than the 1,000,000",
                     capsys.readouterr().err)
    assert peak_while(lambda: pytest.raises(ValueError, seqnet._safety.parse_json, text, "x", ValueError)) < 16 * 2**20
    assert seqnet._safety.parse_json('["a,[,{", "]]"]', "x", ValueError, list) == ["a,[,{", "]]"]  # strings blanked


# -- HDF5: sizes checked against the file and the model before anything is read ---------------------------
def zeros_dataset(group, name, shape, dtype="float64"):
    """A dataset of zeros stored compressed: a few KB for megabytes declared."""
    if name in group:
        del group[name]
    ds = group.create_dataset(name, shape=shape, dtype=dtype, chunks=True, compression="gzip", compression_opts=9)
    ds[...] = 0
    return ds


def peak_while(call):
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def refused(path):
    with pytest.raises(ModelFileError, match=re.escape(path.name)) as info:
        load_model(path)
    return str(info.value)


def inflate_keras_kernel(path):
    """The first Dense's kernel in a .keras file's model.weights.h5 made 80 MB of stored zeros."""
    import zipfile
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    inner = path.with_name("inner.h5")
    inner.write_bytes(members["model.weights.h5"])
    with h5py.File(inner, "r+") as f:
        zeros_dataset(f, "layers/dense/vars/0", (4, 2_500_000))
    members["model.weights.h5"] = inner.read_bytes()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


@pytest.mark.parametrize("where", ["optimizer_weights/dense/W/momentum", "training_state/big", "keras kernel"])
def test_an_inflated_dataset_is_refused_before_it_is_read(tmp_path, where):
    """80 MB of zeros stored in ~80 KB (a 1000x ratio, which the file check used to allow): refused
    when the file is opened; and with that check lifted, refused by the size the model implies,
    still unread."""
    if where == "keras kernel":
        model = small_model()
        model.fit(X, y, epochs=1, verbose=0)
        model.save(tmp_path / "m.keras")
        path = tmp_path / "m.keras"
        inflate_keras_kernel(path)
    else:
        path = saved(tmp_path)
        with h5py.File(path, "r+") as f:
            zeros_dataset(f, where, (10_000_000,))
    assert "declares shape" in refused(path)
    with seqnet.limits(hdf5_ratio=10**6):
        assert peak_while(lambda: refused(path)) < 16 * 2**20


# -- archives and image folders ----------------------------------------------------------------------
def png(color=0):
    import io
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (6, 5), (color, 0, 0)).save(out, format="PNG")
    return out.getvalue()


def image_tree(root):
    for c, name in enumerate(("cat", "dog")):
        (root / name).mkdir(parents=True)
        for i in range(2):
            (root / name / f"{i}.png").write_bytes(png(10 * c + i))
    return root


def test_a_tar_header_is_budgeted_before_tarfile_reads_it(tmp_path):
    """A pax header declaring 8 MiB (tarfile reads a pax header whole: 2.5 GB from a 2.3 MB .tar.gz)."""
    import gzip
    import io
    import tarfile
    pytest.importorskip("PIL")
    root = image_tree(tmp_path / "images")
    plain = io.BytesIO()
    with tarfile.open(fileobj=plain, mode="w") as tar:
        tar.add(root, arcname="images")
    info = tarfile.TarInfo("././@PaxHeader")
    info.type, info.size = tarfile.XHDTYPE, 8 * 2**20
    crafted = info.tobuf(format=tarfile.USTAR_FORMAT) + bytes(8 * 2**20) + plain.getvalue()
    (tmp_path / "a.tar.gz").write_bytes(gzip.compress(crafted))
    assert (tmp_path / "a.tar.gz").stat().st_size < 64 * 1024
    with pytest.raises(DatasetError, match=r"a.tar.gz' is not a readable tar archive \(a member's extended header "
                                           r"declares 8,388,608 bytes, more than the 1,048,576"):
        seqnet.datasets.load_image_folder(tmp_path / "a.tar.gz")
    with seqnet.limits(tar_header_bytes=16 * 2**20):  # a big header of the user's own: the limit raised, it reads
        assert len(seqnet.datasets.load_image_folder(tmp_path / "a.tar.gz")[0]) == 4


def test_the_images_of_a_folder_are_budgeted_together(tmp_path):
    pytest.importorskip("PIL")
    root = image_tree(tmp_path / "images")
    X, _, _ = seqnet.datasets.load_image_folder(root)
    with seqnet.limits(decoded_bytes=X[0].nbytes * 3):
        with pytest.raises(DatasetError, match=r"images' decodes to more than 270 bytes of images; read it in batches "
                                               r"with ImageFolderDataset"):
            seqnet.datasets.load_image_folder(root)
    assert len(seqnet.datasets.ImageFolderDataset(root, batch_size=2)[0][0]) == 2  # batches are not budgeted whole


# -- configs from JSON are files too -----------------------------------------------------------------------
def keras_json(units=3):
    return json.dumps({"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 65536]}},
        {"class_name": "Dense", "config": {"name": "d", "units": units}}]}})


@pytest.mark.parametrize("text, message", [
    ("[" * 100_000 + "]" * 100_000, "the JSON model nests its JSON too deeply"),
    ("[1, 2]", "the JSON model holds a JSON list, expected a JSON object"),
    (keras_json(65536), r"layer 'd' \(Dense\) would hold a W of shape \(65536, 65536\), more than the 268,435,456"),
])
def test_model_from_json_checks_what_load_model_checks(text, message):
    import seqnet.keras as keras
    with pytest.raises(ModelFileError, match=message):
        keras.models.model_from_json(text)
    assert keras.models.model_from_json(keras_json(3)).count_params() == 65536 * 3 + 3


@pytest.mark.parametrize("config, message", [
    ([1, 2], "a Sequential config is a dict whose 'layers' is a list of layer configs, received list"),
    ({"layers": [{"class_name": "Dense", "config": {"n_out": 65536}}], "input_shape": [65536]},
     r"would hold a W of shape \(65536, 65536\)"),
    ({"layers": [], "input_shape": [10**6, 10**6]}, r"input shape \(1000000, 1000000\) has 1,000,000,000,000 values"),
])
def test_sequential_from_config_checks_what_load_model_checks(config, message):
    with pytest.raises(ModelFileError, match=message):
        seqnet.Sequential.from_config(config)


# -- run folders -------------------------------------------------------------------------------------------
@pytest.fixture
def run_folder(tmp_path):
    from seqnet.experiment import Run
    model = small_model()
    model.fit(X, y, epochs=1, verbose=0)
    run = Run("r", {"lr": 0.1}, root=tmp_path)
    run.finish(model)
    return run.dir


@pytest.mark.parametrize("name", ["hparams.json", "results.json", "metrics.csv", "model.h5"])
def test_a_run_folder_file_that_is_a_link_is_not_followed(run_folder, tmp_path, capsys, name):
    """``hparams.json -> ../private/credentials.json`` used to be read and copied into the report."""
    private = tmp_path / "private"
    private.mkdir()
    (private / name).write_bytes((run_folder / name).read_bytes())
    (run_folder / name).unlink()
    os.symlink(private / name, run_folder / name)
    assert main(["report", str(run_folder)]) == 1
    assert f"{name}' is a link; seqnet does not follow links inside" in capsys.readouterr().err


def test_a_metrics_file_of_many_cells_is_refused_before_it_is_parsed(run_folder, capsys):
    """4 MB of 600,000 columns used to cost 13-45 times its size once parsed."""
    (run_folder / "metrics.csv").write_text(",".join(["e"] * 600_000) + "\n" + ",".join(["1"] * 600_000) + "\n")
    assert main(["report", str(run_folder)]) == 1
    assert "metrics.csv' holds about 1,200,001 cells, more than the 1,000,000" in capsys.readouterr().err


def test_csv_logger_writes_whole_and_never_through_a_link(tmp_path):
    from seqnet.callbacks import CSVLogger
    (tmp_path / "elsewhere.csv").write_text("precious\n")
    os.symlink(tmp_path / "elsewhere.csv", tmp_path / "log.csv")
    model = small_model()
    with pytest.raises(OSError, match="log.csv': it is a link"):
        model.fit(X, y, epochs=1, verbose=0, callbacks=[CSVLogger(str(tmp_path / "log.csv"))])
    assert (tmp_path / "elsewhere.csv").read_text() == "precious\n"
    model.fit(X, y, epochs=2, verbose=0, callbacks=[CSVLogger(str(tmp_path / "log2.csv"))])
    model.fit(X, y, epochs=3, initial_epoch=2, verbose=0, callbacks=[CSVLogger(str(tmp_path / "log2.csv"))])
    assert [line.split(",")[0] for line in (tmp_path / "log2.csv").read_text().splitlines()] == ["epoch", "0", "1", "2"]


def test_a_fashion_file_that_is_a_link_is_not_followed(tmp_path):
    from tests.helpers import fake_fashion
    fake_fashion(tmp_path / "f")
    (tmp_path / "f" / "t10k-labels-idx1-ubyte.gz").rename(tmp_path / "labels.gz")
    os.symlink(tmp_path / "labels.gz", tmp_path / "f" / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(DatasetError, match="t10k-labels-idx1-ubyte.gz' is a link"):
        seqnet.datasets.load_fashion_mnist(tmp_path / "f")
    assert seqnet.datasets.read_idx(tmp_path / "f" / "t10k-labels-idx1-ubyte.gz").shape == (5,)  # named: followed


# -- downloads ---------------------------------------------------------------------------------------------
@pytest.fixture
def endless_server():
    """Serves ``/endless`` (no length, bytes forever), ``/liar`` (announces 10 MB) and ``/slow``
    (a byte every 0.2 s) on 127.0.0.1."""
    import http.server
    import threading
    import time

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            if self.path == "/liar":
                self.send_header("Content-Length", str(10 * 2**20))
            self.end_headers()
            try:
                for _ in range(10**6):
                    self.wfile.write(b"x" if self.path == "/slow" else b"x" * 65536)
                    if self.path == "/slow":
                        self.wfile.flush()
                        time.sleep(0.2)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("path, message", [("/endless", "sent more than the file's 1,000,000 bytes"),
                                           ("/liar", "announces 10,485,760 bytes; the file is 1,000,000"),
                                           ("/slow", r"took more than 1 s \(seqnet.limits.download_seconds\)")])
def test_a_download_is_capped_at_the_file_s_size_and_a_deadline(endless_server, tmp_path, path, message):
    from seqnet.datasets.files import download
    with seqnet.limits(download_seconds=1), pytest.raises(DatasetError, match=message):
        download(endless_server + path, tmp_path / "data.bin", md5="0" * 32, size=1_000_000)
    assert list(tmp_path.iterdir()) == []


def test_a_killed_download_s_partial_file_is_removed_by_the_next(tmp_path):
    """SIGTERM leaves ``.data.bin.<pid>.<random>.tmp``; the next download (or save) beside it removes
    it once its writer is gone, and leaves a running writer's alone."""
    import subprocess
    import sys
    from seqnet.datasets.files import download
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".data.bin.{dead.stdout.strip()}.abc.tmp"
    live = tmp_path / f".data.bin.{os.getppid()}.abc.tmp"
    stale.write_bytes(b"half")
    live.write_bytes(b"half")
    with pytest.raises(DatasetError, match="could not download"):
        download("http://127.0.0.1:9/nothing", tmp_path / "data.bin", md5="0" * 32, size=10)
    assert not stale.exists() and live.exists()
