"""seqnet's own dependencies: installed, and the list the tests' guard checks is pyproject.toml's."""
import re

import pytest

from tests.conftest import HERE, MISSING, REQUIRED


def test_seqnet_s_dependencies_are_installed():
    if MISSING:
        pytest.skip(f"seqnet's dependencies are not installed ({', '.join(MISSING)}), so no other test is "
                    f"collected: run `pip install -e . pytest && pytest` (or the README's test command)")
    import seqnet
    assert seqnet.__version__


def test_the_guard_knows_every_dependency_in_pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later
    project = tomllib.loads((HERE.parent / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower() for requirement in project["dependencies"]}
    assert names == set(REQUIRED)
