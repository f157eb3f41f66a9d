"""Data files and run folders crafted as an attacker would: the loaders open only regular files,
check every declared size before allocating, refuse what would silently shift or truncate labels,
and the reports keep every name from a file inside its table or code block."""
import io
import json
import os
import pickle
import re
import signal
import struct
import subprocess
import sys
import tarfile
import zipfile
import zlib

import numpy as np
import pytest

from seqnet import Sequential
from seqnet.cli import main
from seqnet.datasets import DatasetError, ImageFolderDataset, load_cifar10, load_image_folder, read_idx
from seqnet.layers import Dense
from tests.helpers import cifar_batch

PIL = pytest.importorskip("PIL.Image")


@pytest.fixture
def no_hang():
    """Fail, rather than hang the suite, if a read blocks (a FIFO)."""
    def stop(*_):
        raise TimeoutError("the read blocked")
    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def png(size=(4, 4), color=0):
    out = io.BytesIO()
    PIL.new("RGB", size, (color, color, color)).save(out, format="PNG")
    return out.getvalue()


def class_folders(root, classes=("cat", "dog")):
    for name in classes:
        (root / name).mkdir(parents=True)
        (root / name / "a.png").write_bytes(png())
    return root


def test_a_fifo_among_the_images_is_named_not_read(tmp_path, no_hang):
    root = class_folders(tmp_path / "data")
    os.mkfifo(root / "cat" / "c.png")
    with pytest.raises(DatasetError, match="c.png' is a named pipe"):
        load_image_folder(root)
    with pytest.raises(DatasetError, match="c.png' is a named pipe"):
        ImageFolderDataset(root, shuffle=False)[0]


@pytest.mark.parametrize("target", ["/dev/zero", "private/me.png", "private folder"])
def test_a_link_inside_an_image_folder_is_named_not_followed(tmp_path, no_hang, target):
    """The link policy: what lies inside a folder the user named is never read through a link
    (``dog/b.png -> ../private_photos/me.png`` would put a private photo in the data set)."""
    root = class_folders(tmp_path / "data")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "me.png").write_bytes(png())
    if target == "private folder":
        os.symlink(tmp_path / "private", root / "dog" / "more")
        link = "more"
    else:
        os.symlink(target if target.startswith("/") else tmp_path / target, root / "dog" / "z.png")
        link = "z.png"
    with pytest.raises(DatasetError, match=f"{link}' is a link; seqnet does not follow links inside"):
        load_image_folder(root)
    with pytest.raises(DatasetError, match=f"{link}' is a link"):
        ImageFolderDataset(root, shuffle=False)


def test_a_device_named_as_the_file_is_named_not_read(no_hang):
    with pytest.raises(DatasetError, match="'/dev/zero' is a character device"):
        read_idx("/dev/zero")


def test_a_zip_member_that_inflates_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("cat/a.png", png())
        z.writestr("dog/b.png", png() + b"\0" * 30_000_000)
    with pytest.raises(DatasetError, match=r"bomb.zip' \(its dog/b.png\) declares 30,000,.* bytes"):
        load_image_folder(tmp_path / "bomb.zip")


def png_header(width, height):
    """A PNG whose header declares ``width x height`` pixels (no pixel data: only the header is read)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def test_an_image_declaring_20000_by_20000_pixels_is_refused_before_decoding(tmp_path):
    root = class_folders(tmp_path / "data")
    (root / "cat" / "huge.png").write_bytes(png_header(20000, 20000))
    with pytest.raises(DatasetError, match="huge.png' declares .*pixels"):
        load_image_folder(root)
    (root / "cat" / "huge.png").write_bytes(png_header(9000, 9000))  # under Pillow's own limit, over seqnet's
    with pytest.raises(DatasetError, match="huge.png' declares 9000 x 9000 pixels"):
        load_image_folder(root)


def idx_header(shape, magic_type=0x08):
    return struct.pack(">BBBB", 0, 0, magic_type, len(shape)) + struct.pack(f">{len(shape)}I", *shape)


@pytest.mark.parametrize("shape, message", [((10**6, 1000, 1000), "truncated: 0 of 1000000000000 data bytes"),
                                            ((2**32 - 1,) * 3, "truncated: 0 of .* data bytes"),
                                            ((1,) * 255, "declares 255 dimensions")])
def test_an_idx_header_is_checked_against_the_file(tmp_path, shape, message):
    (tmp_path / "x").write_bytes(idx_header(shape))
    with pytest.raises(DatasetError, match=message):
        read_idx(tmp_path / "x")


def test_a_gzipped_idx_cannot_declare_more_than_it_can_inflate_to(tmp_path):
    import gzip
    with gzip.open(tmp_path / "x.gz", "wb") as f:
        f.write(idx_header((10**6, 1000, 1000)))
    with pytest.raises(DatasetError, match=r"declares shape \(1000000, 1000, 1000\).*compressed bytes can hold"):
        read_idx(tmp_path / "x.gz")


@pytest.mark.parametrize("labels, message", [([2.7, 1.0], "labels of type float64"),
                                             (["cat", "dog"], "labels of type <U3")])
def test_cifar_labels_must_be_integers(tmp_path, labels, message):
    rng = np.random.default_rng(0)
    root = tmp_path / "cifar-10-batches-py"
    root.mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = cifar_batch(rng, 2)
        batch[b"labels"] = labels
        (root / name).write_bytes(pickle.dumps(batch, protocol=2))
    with pytest.raises(DatasetError, match=f"data_batch_1' has {message}"):
        load_cifar10(root)


def test_an_empty_class_folder_is_refused_not_dropped(tmp_path):
    root = class_folders(tmp_path / "data", ("ant", "cat"))
    (root / "bee").mkdir()  # between the two: dropping it would give cat the label 1, not 2
    with pytest.raises(DatasetError, match="class folder 'bee' holds no images"):
        load_image_folder(root)
    with pytest.raises(DatasetError, match="class folder 'bee' holds no images"):
        ImageFolderDataset(root)
    with zipfile.ZipFile(tmp_path / "d.zip", "w") as z:
        for name in ("ant/", "bee/", "cat/"):
            z.writestr(name, b"")
        z.writestr("ant/a.png", png())
        z.writestr("cat/a.png", png())
    with pytest.raises(DatasetError, match="d.zip.*class folder 'bee' holds no images"):
        load_image_folder(tmp_path / "d.zip")


def test_a_link_of_the_same_name_as_an_image_in_a_tar_is_refused(tmp_path):
    with tarfile.open(tmp_path / "d.tar", "w") as tar:
        for name, color in (("cat/a.png", 10), ("dog/b.png", 200)):
            data = png(color=color)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("cat/a.png")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/hostname"
        tar.addfile(link)
    with pytest.raises(DatasetError, match="'cat/a.png' twice"):  # which of the two is meant is not for seqnet to guess
        ImageFolderDataset(tmp_path / "d.tar", shuffle=False, transform=lambda X: X)


# -- run folders and reports ------------------------------------------------------------------------
def run_folder(tmp_path, model_name, layer_name, setting):
    from seqnet.experiment import Run
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)).astype(np.float32), rng.integers(0, 2, 20)
    run = Run("r", {"note": setting}, root=tmp_path)
    model = Sequential([Dense(4, activation="relu", name=layer_name), Dense(2, activation="softmax")], seed=0,
                       name=model_name)
    model.compile("sgd", "cross_entropy", ["accuracy"])
    model.fit(X, y, epochs=1, verbose=0, callbacks=run.callbacks())
    run.finish(model)
    return run.dir


def test_names_from_a_run_folder_cannot_inject_latex(tmp_path):
    attack = "x\\end{verbatim}\\input{/etc/hostname}"
    folder = run_folder(tmp_path, attack, "d\\end{verbatim}\\immediate\\write18{id}", attack)
    assert main(["report", str(folder), "--format", "latex"]) == 0
    latex = (folder / "report.tex").read_text()
    assert latex.count("\\end{verbatim}") == 1  # the names inside cannot close the block early
    before, rest = latex.split("\\begin{verbatim}")
    outside = before + rest.split("\\end{verbatim}")[1]
    commands = [line for line in outside.splitlines() if not line.startswith("%")]
    assert not any("\\input{" in line or "\\write18" in line or "\\immediate" in line for line in commands)
    assert "\\textbackslash{}input\\{/etc/hostname\\}" in latex  # the setting, shown as text


def test_a_nul_cannot_join_an_end_of_verbatim_for_tex(tmp_path):
    """TeX drops a NUL: ``\\end{verb<NUL>atim}`` in a name would close the block for TeX alone."""
    folder = run_folder(tmp_path, "x\\end{verb\x00atim}\\input{/etc/hostname}", "d", "s")
    assert main(["report", str(folder), "--format", "latex"]) == 0
    latex = (folder / "report.tex").read_text()
    assert "\x00" not in latex and latex.count("\\end{verbatim}") == 1 and "\\x00" in latex


def test_a_bare_address_in_a_name_does_not_become_a_link(tmp_path):
    folder = run_folder(tmp_path, "m", "d", "visit https://evil.example or www.evil.example")
    text = (folder / "report.md").read_text()
    assert "https://evil" not in text and "www.evil" not in text and "https\\://evil.example" in text


def test_names_from_a_run_folder_stay_in_their_markdown_cell_and_block(tmp_path):
    folder = run_folder(tmp_path, "m```\n# injected", "d", "a | b\n| c | <script>x</script> ![i](http://e/x.png)")
    text = (folder / "report.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith("| note |"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 3 and "<script>" not in text and "![i](" not in text
    fence = next(line for line in text.splitlines() if line.startswith("```"))
    before, block, after = text.split("\n" + fence + "\n")  # one block, opened and closed by a longer fence
    assert len(fence) == 4 and "# injected" in block and "injected" not in before + after


@pytest.mark.parametrize("name, content, message", [
    ("hparams.json", "[1, 2]", "hparams.json' holds a JSON list, expected a JSON object"),
    ("results.json", '{"test_accuracy": 0.9', "results.json' is not valid JSON"),
    ("hparams.json", "[" * 100_000, "hparams.json' nests its JSON too deeply")], ids=["list", "cut off", "nested"])
def test_a_damaged_run_folder_gets_one_line(tmp_path, capsys, name, content, message):
    folder = run_folder(tmp_path, "m", "d", "s")
    (folder / name).write_text(content)
    assert main(["report", str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("seqnet report: error:") and message in err and len(err.splitlines()) == 1
    json.loads((folder / "results.json").read_text()) if name != "results.json" else None


def test_ragged_cifar_labels_are_one_error_naming_the_batch():
    import pickle as _pickle

    from seqnet.datasets.cifar import _read_cifar_batch
    raw = _pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [1, [2, 3]]}, protocol=2)
    with pytest.raises(DatasetError, match="data_batch_1 holds data or labels that are not one array"):
        _read_cifar_batch(raw, "data_batch_1")


def test_a_pickle_nested_a_million_deep_is_refused_before_it_is_built(tmp_path):
    """A CIFAR batch whose key is a tuple nested a million deep: Python's unpickler builds it, and
    hashing it overflowed the C stack (SIGSEGV). Its opcodes are read first, in a child process here
    so that a crash fails the test rather than the test run."""
    code = ("import sys; from seqnet.datasets.cifar import _read_cifar_batch\n"
            "raw = b'\\x80\\x02}q\\x00)' + b'\\x85' * 1_000_000 + b'K\\x01s.'\n"
            "try:\n    _read_cifar_batch(raw, 'data_batch_1')\nexcept Exception as err:\n"
            "    print(type(err).__name__, err)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-500:]
    assert run.stdout.startswith("DatasetError CIFAR batch data_batch_1 nests its containers more than")
