"""The ``seqnet`` command's verbs on a small saved model."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from seqnet import Sequential, load_model
from seqnet.cli import main
from seqnet.layers import Dense


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    model = Sequential([Dense(6, activation="relu"), Dense(3, activation="softmax")], seed=0)
    model.compile("adam", "cross_entropy", ["accuracy"])
    model.fit(X, y, epochs=2, verbose=0)
    model.save(folder / "m.h5")
    np.save(folder / "X.npy", X)
    np.save(folder / "y.npy", y)
    return folder, model, X


def test_summary(saved, capsys):
    folder, _, _ = saved
    assert main(["summary", str(folder / "m.h5")]) == 0
    out = capsys.readouterr().out
    assert "dense_1 (Dense)" in out and "Epochs done: 2" in out and "Last epoch: loss:" in out


def test_summary_of_a_run_folder_and_the_version(saved, capsys, tmp_path):
    folder, _, _ = saved
    run = tmp_path / "run"
    run.mkdir()
    (run / "model.h5").write_bytes((folder / "m.h5").read_bytes())
    assert main(["summary", str(run)]) == 0
    assert "Epochs done: 2" in capsys.readouterr().out
    assert main(["summary", str(tmp_path)]) == 1
    assert "without model.h5" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and re.fullmatch(r"seqnet \d+\.\d+\.\d+\n", capsys.readouterr().out)


def test_a_bug_in_seqnet_keeps_its_traceback(saved, monkeypatch):
    """A TypeError or RuntimeError inside seqnet is not the user's mistake: it is not reported as one."""
    folder, _, _ = saved
    import seqnet.cli as cli
    monkeypatch.setattr(cli, "training_settings", lambda model: (_ for _ in ()).throw(TypeError("a bug")))
    with pytest.raises(TypeError, match="a bug"):
        main(["summary", str(folder / "m.h5")])


def test_predict_csv_and_kaggle(saved, capsys):
    folder, model, X = saved
    assert main(["predict", str(folder / "m.h5"), str(folder / "X.npy")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "class,p0,p1,p2" and len(lines) == 31
    out = folder / "preds.csv"
    assert main(["predict", str(folder / "m.h5"), str(folder / "X.npy"), "--out", str(out), "--kaggle"]) == 0
    rows = out.read_text().strip().splitlines()
    assert rows[0] == "Id,Category" and rows[1].startswith("1,")
    assert [int(r.split(",")[1]) for r in rows[1:]] == model.predict(X).argmax(axis=1).tolist()


def test_evaluate(saved, capsys):
    folder, model, X = saved
    assert main(["evaluate", str(folder / "m.h5"), str(folder / "X.npy"), str(folder / "y.npy")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("loss: ") and "accuracy: " in out


def test_user_errors_are_one_line_without_traceback(saved, tmp_path):
    folder, _, _ = saved
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((3, 7)))
    for args, message in [(["summary", str(tmp_path / "nope.h5")], "No such seqnet model file"),
                          (["predict", str(folder / "m.h5"), str(bad)], "has 7 features"),
                          (["predict", str(folder / "m.h5"), str(tmp_path / "none.npy")], "not found")]:
        proc = subprocess.run([sys.executable, "-m", "seqnet.cli", *args], capture_output=True, text=True)
        assert proc.returncode != 0
        assert "Traceback" not in proc.stderr and message in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("verb", [[], ["summary"], ["predict"], ["evaluate"], ["export"], ["report"]])
def test_help(verb):
    proc = subprocess.run([sys.executable, "-m", "seqnet.cli", *verb, "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "usage: seqnet" in proc.stdout


def test_report_rebuilds_markdown_and_latex(tmp_path, capsys):
    from seqnet.experiment import Run
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)).astype(np.float32), rng.integers(0, 2, 40)
    run = Run("demo_run", {"lr": 0.1, "batch_size": 8, "note": "50% dropout_free"}, root=tmp_path)
    model = Sequential([Dense(4, activation="relu"), Dense(2, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy", ["accuracy"])
    model.fit(X, y, batch_size=8, epochs=3, validation_split=0.25, verbose=0, callbacks=run.callbacks())
    results = run.finish(model, {"note": "kept"}, test_data=(X, y))
    assert results["note"] == "kept" and 0 <= results["test_accuracy"] <= 1 and "test_loss" in results
    report = run.dir / "report.md"
    text = report.read_text()
    for part in ("# Run: demo_run", "| lr | 0.1 |", "dense_1 (Dense)", "![loss and accuracy curves](curves.png)",
                 f"| test_accuracy | {results['test_accuracy']:.4g} |", "| 3 |", "confusion.png"):
        assert part in text, part
    assert sorted(p.name for p in run.dir.iterdir()) == ["confusion.png", "curves.png", "hparams.json", "metrics.csv",
                                                        "model.h5", "report.md", "results.json"]
    report.unlink()
    assert main(["report", str(run.dir)]) == 0 and (run.dir / "report.md").read_text() == text
    assert main(["report", str(run.dir), "--format", "latex"]) == 0
    latex = (run.dir / "report.tex").read_text()
    assert "\\begin{tabular}" in latex and "50\\% dropout\\_free" in latex and "\\includegraphics" in latex
    # every name that reaches LaTeX is escaped: the run's, the settings', the metrics' column headers
    assert "Run: demo\\_run" in latex and "val\\_loss & val\\_accuracy" in latex and "batch\\_size" in latex
    bare = [line for line in latex.splitlines() if not line.startswith("%") and "verbatim" not in line]
    in_verbatim = latex.split("\\begin{verbatim}")[1].split("\\end{verbatim}")[0]
    for line in bare:
        if line not in in_verbatim:
            assert not re.search(r"(?<!\\)[_%#$]", line), line  # (& separates columns)
    assert "\\subimport" in latex  # says how to \input it from another folder
    # the optimizer and the schedule it was trained with
    assert "SGD(lr=0.01" in text and "| schedule (as trained) | constant |" in text
    capsys.readouterr()
    assert main(["report", str(tmp_path)]) == 1
    assert "no hparams.json" in capsys.readouterr().err


@pytest.mark.parametrize("verb", ["predict", "evaluate"])
@pytest.mark.parametrize("value", ["0", "-2", "2.5"])
def test_batch_size_must_be_a_positive_integer(saved, capsys, verb, value):
    folder, _, _ = saved
    files = [str(folder / "X.npy")] + ([str(folder / "y.npy")] if verb == "evaluate" else [])
    with pytest.raises(SystemExit) as exit_info:
        main([verb, str(folder / "m.h5"), *files, "--batch-size", value])
    assert exit_info.value.code == 2
    assert f"--batch-size: expected a positive integer, received '{value}'" in capsys.readouterr().err


def test_predict_warns_about_inputs_outside_the_training_range(saved, tmp_path, capsys):
    folder, _, X = saved
    np.save(tmp_path / "raw.npy", X * 255)
    assert main(["predict", str(folder / "m.h5"), str(tmp_path / "raw.npy")]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if "far outside the range" in line]
    assert len(warned) == 1 and warned[0].startswith("seqnet predict: warning: X holds values from")


def test_saved_files_are_ordinary_files_that_respect_the_umask(tmp_path):
    import os
    import stat
    model = Sequential([Dense(2, input_shape=(3,))], seed=0)
    for umask, mode in [(0o022, 0o644), (0o027, 0o640)]:
        old = os.umask(umask)
        try:
            model.save(tmp_path / f"m{umask:o}.h5")
            model.save(tmp_path / f"m{umask:o}.keras")
        finally:
            os.umask(old)
        for suffix in (".h5", ".keras"):
            assert stat.S_IMODE((tmp_path / f"m{umask:o}{suffix}").stat().st_mode) == mode


def test_summary_shows_a_file_s_names_without_their_control_characters(tmp_path, capsys):
    """Names come from the file: an escape sequence in one reaches the terminal as text, and a
    history with empty lists or a model saved unbuilt still summarises."""
    model = Sequential([Dense(3, activation="softmax", name="evil\x1b]0;owned\x07\x1b[2J")], seed=0,
                       name="m\x1b[31m")
    model.compile("sgd", "cross_entropy")
    model.fit(np.ones((4, 2), np.float32), np.arange(4) % 3, epochs=1, verbose=0)
    model.history.history["accuracy"] = []  # a list the file left empty
    model.save(tmp_path / "m.h5")
    assert main(["summary", str(tmp_path / "m.h5")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\x1b]0;owned\\x07" in out and "Last epoch: loss:" in out
    unbuilt = Sequential([Dense(3, name="later")], name="plain")
    unbuilt.save(tmp_path / "u.h5")
    assert main(["summary", str(tmp_path / "u.h5")]) == 0
    assert "not built" in capsys.readouterr().out


def test_outputs_are_never_written_through_a_link(saved, tmp_path, capsys):
    """``--out`` (and every run-folder file) is replaced whole, never written through a link at its
    place: the link's target is untouched and the error names the file."""
    folder, _, _ = saved
    private = tmp_path / "private.txt"
    private.write_text("keep me")
    (tmp_path / "out.csv").symlink_to(private)
    assert main(["predict", str(folder / "m.h5"), str(folder / "X.npy"), "--out", str(tmp_path / "out.csv")]) == 1
    assert "out.csv': it is a link" in capsys.readouterr().err and private.read_text() == "keep me"
    from seqnet.experiment import Run, write_report
    run = Run("run", {"note": "links"}, root=tmp_path)
    run.finish(load_model(folder / "m.h5"))
    run = run.dir
    (run / "report.md").unlink()
    (run / "report.md").symlink_to(private)
    with pytest.raises(OSError, match="report.md': it is a link"):
        write_report(run)
    assert private.read_text() == "keep me"


def test_a_npy_declaring_more_than_it_holds_is_refused_before_numpy_allocates(saved, tmp_path, capsys):
    import io
    folder, _, _ = saved
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (100_000, 100_000)})
    (tmp_path / "big.npy").write_bytes(header.getvalue() + bytes(16))
    assert main(["predict", str(folder / "m.h5"), str(tmp_path / "big.npy")]) == 1
    err = capsys.readouterr().err
    assert "big.npy' declares an array of shape (100000, 100000) (40,000,000,000 bytes) but holds 16 bytes" in err


def test_report_refuses_a_named_pipe_where_its_report_goes(saved, tmp_path, capsys):
    """``seqnet report`` used to block forever writing into a ``report.md`` that is a named pipe."""
    from seqnet.experiment import Run
    folder, _, _ = saved
    run = Run("run", {"note": "fifo"}, root=tmp_path)
    run.finish(load_model(folder / "m.h5"))
    (run.dir / "report.md").unlink()
    os.mkfifo(run.dir / "report.md")
    assert main(["report", str(run.dir)]) == 1
    assert "report.md': it is not a regular file" in capsys.readouterr().err
