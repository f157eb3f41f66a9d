"""What a new user meets in the first hour: install advice, the manual, the examples' options,
messages that say what to do, and files that keep what a model was trained with."""
import importlib.util
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import seqnet
from seqnet.layers import Dense
from tests.helpers import fake_cifar, fake_fashion

ROOT = Path(__file__).resolve().parents[1]
CPU_BUILD = "pip install torch --index-url https://download.pytorch.org/whl/cpu"
EXTRA = 'pip install -e ".[lightning]"'
EXAMPLES = sorted(p.name for p in (ROOT / "examples").glob("*.py"))  # every example, by construction


def rst_and_readme():
    return [*sorted((ROOT / "docs").rglob("*.rst")), ROOT / "README.md"]


# -- installing the Lightning mirror -----------------------------------------------------------------
@pytest.mark.parametrize("page", ["README.md", "docs/installation.rst", "docs/lightning.rst",
                                  "lightning_models/train.py"])
def test_the_lightning_install_says_cpu_build_first_then_the_extra(page):
    text = " ".join((ROOT / page).read_text().split())
    assert CPU_BUILD in text and EXTRA in text, page
    assert text.index(CPU_BUILD) < text.rindex(EXTRA), page


def test_the_trainer_without_torch_gives_the_same_advice():
    from lightning_models.train import INSTALL
    assert INSTALL.index(CPU_BUILD) < INSTALL.index(EXTRA)


# -- the manual -------------------------------------------------------------------------------------
TEAM_TALK = re.compile(r"\d(\.\d+)?x target|\d+(\.\d+)?% target|target was|targets? (were|was) (not )?(reached|met)|"
                       r"\.\./shared|shared/data|our team|the team|this session|no GPU to run", re.I)


@pytest.mark.parametrize("page", rst_and_readme(), ids=lambda p: p.name)
def test_the_docs_speak_to_users(page):
    found = [m.group(0) for m in TEAM_TALK.finditer(page.read_text())]
    assert not found, f"{page.name}: {found}"


def test_the_examples_and_benchmarks_name_no_folder_of_ours():
    for path in [*ROOT.glob("examples/*.py"), *ROOT.glob("benchmarks/*")]:
        assert "../shared" not in path.read_text(), path.name


def load_module(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_formulas_are_mathml_built_with_the_pages():
    for module in ("docutils", "sphinx", "latex2mathml"):  # the docs extra (not the test extra) installs them
        pytest.importorskip(module)
    conf = (ROOT / "docs" / "conf.py").read_text()
    assert 'html_math_renderer = "mathml"' in conf and "sphinx.ext.mathjax" not in conf
    mathml = load_module(ROOT / "docs" / "_ext" / "mathml.py")
    rendered = mathml.mathml(r"\frac{\partial \sigma_i}{\partial s_j} = \sigma_i (\delta_{ij} - \sigma_j)", block=True)
    assert rendered.startswith("<math") and "<mfrac>" in rendered and 'display="block"' in rendered
    with pytest.raises(ValueError, match="undrawn"):  # a build warning, an error under -W
        mathml.mathml(r"\Big\lfloor x \Big\rfloor", block=True)


def test_the_offline_check_finds_a_script_from_another_host(tmp_path):
    check = load_module(ROOT / ".ci" / "check_offline_html.py")
    (tmp_path / "ok.html").write_text('<script src="_static/searchtools.js"></script><math><mi>x</mi></math>'
                                      '<a href="https://example.org">a link loads nothing</a>')
    assert check.problems(tmp_path) == []
    (tmp_path / "cdn.html").write_text('<script defer src="https://cdn.jsdelivr.net/npm/mathjax@4/tex-chtml.js">'
                                       '</script><span class="math notranslate nohighlight">\\(x\\)</span>')
    found = check.problems(tmp_path)
    assert len(found) == 2 and all(f.startswith("cdn.html") for f in found)


def test_the_link_check_finds_a_link_to_a_place_that_is_not_there(tmp_path):
    check = load_module(ROOT / ".ci" / "check_links.py")
    (tmp_path / "_modules").mkdir()
    (tmp_path / "api.html").write_text('<dt id="seqnet.saving.save_model">save_model</dt><a href="#top">top</a>'
                                       '<p id="top"></p><a href="https://numpy.org/doc/">numpy</a>')
    (tmp_path / "_modules" / "saving.html").write_text('<a class="viewcode-back" href="../api.html#seqnet.'
                                                       'saving.save_model">[docs]</a>')
    assert check.problems(tmp_path) == []
    (tmp_path / "_modules" / "formats.html").write_text('<a href="../api.html#seqnet.save_model">[docs]</a>'
                                                        '<a href="../gone.html">gone</a>')
    assert check.problems(tmp_path) == ["_modules/formats.html: ../api.html#seqnet.save_model (no such place in the "
                                        "page)", "_modules/formats.html: ../gone.html (no such page)"]


@pytest.mark.parametrize("page", ["docs/quickstart.rst", "docs/guide/keras.rst"])
def test_code_fits_the_column(page):
    """What a reader copies fits the page; what a program prints wraps (the stylesheet)."""
    for line in (ROOT / page).read_text().splitlines():
        code = re.match(r"\s{3}(>>> |\.\.\. )(.*)", line)
        if code:
            assert len(code.group(2)) <= 80, f"{page}: {line.strip()}"
    css = (ROOT / "docs" / "_static" / "seqnet.css").read_text()
    assert "pre-wrap" in css and 'html_css_files = ["seqnet.css"]' in (ROOT / "docs" / "conf.py").read_text()


# -- the examples' options --------------------------------------------------------------------------
def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd)


def option_entries(help_text):
    """Each option of an argparse --help with its whole help text (continuation lines joined)."""
    body = help_text.split("options:", 1)[1].split("\n\n")[0]
    return [" ".join(e.split()) for e in re.split(r"\n(?=  -)", body) if e.strip() and "--help" not in e]


@pytest.mark.parametrize("program", [*(f"examples/{e}" for e in EXAMPLES), "-m lightning_models.train"])
def test_help_gives_every_option_s_default(program):
    out = run(*program.split(), "--help")
    assert out.returncode == 0, out.stderr
    entries = option_entries(out.stdout)
    assert len(entries) >= 5
    for entry in entries:
        assert re.search(r"\(default: .+\)|unset: |\(required\)", entry), entry


def test_the_old_data_dir_option_works_and_names_the_new_one(tmp_path):
    fake_fashion(tmp_path / "data", n_train=24, n_test=8)
    out = run(ROOT / "examples" / "fashion_mnist_mlp.py", "--epochs", "1", "--data-dir", tmp_path / "data",
              "--out", tmp_path / "runs")
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip().splitlines()[0] == "fashion_mnist_mlp.py: warning: --data-dir is deprecated; use --data PATH"


def test_a_missing_data_set_gives_the_loader_s_whole_advice(tmp_path):
    out = run(ROOT / "examples" / "fashion_mnist_cnn.py", "--data", tmp_path / "nothing", "--epochs", "1")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert lines[0].startswith("fashion_mnist_cnn.py: error: Fashion-MNIST files")
    assert "Looked in:" in out.stderr and "apt-get install dataset-fashion-mnist" in out.stderr
    assert "--download fetches" in out.stderr and "pass --data FOLDER" in out.stderr and "path=" not in out.stderr


@pytest.mark.parametrize("name", ["iris.py", "iris_sweep.py"])  # (the others in tests/test_examples.py)
def test_every_example_prints_one_timing_line(name, tmp_path):
    out = run(ROOT / "examples" / name, "--epochs", "2", "--limit", "40", "--out", tmp_path)
    assert out.returncode == 0, out.stderr
    assert len(re.findall(r"^training took [0-9.]+ s \([0-9.]+ s per epoch\); report: ", out.stdout, re.M)) == 1


def test_limit_also_bounds_the_test_set(tmp_path):
    fake_cifar(tmp_path / "data", n=8)  # 40 training and 8 test images
    out = run(ROOT / "examples" / "cifar10_cnn.py", "--epochs", "1", "--limit", "6", "--data", tmp_path / "data",
              "--out", tmp_path / "runs")
    assert out.returncode == 0, out.stderr
    assert "loaded 6 training and 6 test images" in out.stdout


# -- messages that say what to do --------------------------------------------------------------------
def test_predict_on_one_example_says_add_the_batch_axis():
    model = seqnet.Sequential([Dense(3)], seed=0)
    model.build((4,))
    X = np.zeros((5, 4))
    with pytest.raises(ValueError, match=r"add the batch axis: X\[None\]"):
        model.predict(X[0])
    images = seqnet.Sequential([seqnet.layers.Conv2D(2, 3)], seed=0)
    images.build((8, 8, 1))
    with pytest.raises(ValueError, match=r"one example of shape \(8, 8, 1\), add the batch axis"):
        images.predict(np.zeros((8, 8, 1)))


def test_the_command_line_prints_warnings_as_one_line(tmp_path, capsys):
    from seqnet.cli import main
    model = seqnet.Sequential([Dense(2)], seed=0)
    model.build((3,))
    model.layers[0].parameters["W"][0, 0] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(tmp_path / "m.h5")
    assert main(["summary", str(tmp_path / "m.h5")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err and all(line.startswith("seqnet summary: warning: ") for line in err)
    assert not any(".py:" in line for line in err)


def test_validation_that_would_hold_no_example_is_refused():
    model = seqnet.Sequential([Dense(2)], seed=0)
    model.compile("sgd", "mse")
    X, Y = np.zeros((30, 3)), np.zeros((30, 2))
    with pytest.raises(ValueError, match=r"validation_split=0.9999 of 30 examples leaves 30 for validation and 0 "):
        model.fit(X, Y, validation_split=0.9999, verbose=0)
    with pytest.raises(ValueError, match=r"leaves 0 for validation and 30 for training"):
        model.fit(X, Y, validation_split=1e-17, verbose=0)
    history = model.fit(X, Y, validation_split=0.001, verbose=0)  # one example held out, as in Keras
    assert "val_loss" in history.history


# -- one voice ---------------------------------------------------------------------------------------
def test_summary_and_report_describe_the_training_alike(tmp_path, capsys):
    from seqnet.cli import main
    out = run(ROOT / "examples" / "iris.py", "--epochs", "2", "--out", tmp_path)
    assert out.returncode == 0, out.stderr
    assert main(["summary", str(tmp_path / "iris" / "model.h5")]) == 0
    summary = capsys.readouterr().out
    report = (tmp_path / "iris" / "report.md").read_text()
    line = re.search(r"^Optimizer \(as trained\): (.*)$", summary, re.M).group(1)
    assert line == "SGD(lr=0.05, momentum=0.9)" and f"| optimizer (as trained) | {line} |" in report
    assert "Schedule (as trained): constant" in summary and "Epochs done: 2" in summary
