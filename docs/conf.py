"""Sphinx configuration for the seqnet documentation."""
import os
import sys
from datetime import date

sys.path.insert(0, os.path.abspath(".."))
sys.path.insert(0, os.path.abspath("_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import seqnet  # noqa: E402

# The README's docs command installs only the docs extra: without torch, the Lightning mirror's
# pages are built from its docstrings with torch and Lightning stood in for by autodoc's mocks.
try:
    import pytorch_lightning  # noqa: F401
    import torch  # noqa: F401
except ImportError:
    autodoc_mock_imports = ["torch", "pytorch_lightning", "lightning"]

project = "seqnet"
author = "the seqnet developers"
copyright = f"{date.today().year}, {author}"
release = version = seqnet.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "mathml",  # formulas as MathML at build time: no script, readable offline
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "sphinx.ext.intersphinx",
]
html_theme = "furo"
html_title = f"seqnet {release}"
html_static_path = ["_static"]
html_math_renderer = "mathml"
html_css_files = ["seqnet.css"]
exclude_patterns = ["_build"]

# the source pages link back to where each object is documented under its own module: the public
# names re-exported by seqnet/__init__.py (seqnet.load_model) would otherwise make every such link
# of their module point to a seqnet.<name> that is not there
viewcode_follow_imported_members = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
nitpicky = False

# The machines that build these docs have no internet: each project's inventory of the few names
# these pages link to is kept in _inventories/, and the links still point to the real pages.
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", "_inventories/python.inv"),
    "numpy": ("https://numpy.org/doc/stable/", "_inventories/numpy.inv"),
    "torch": ("https://docs.pytorch.org/docs/stable/", "_inventories/torch.inv"),
}

doctest_global_setup = """
import numpy as np
import seqnet
"""
