"""Build the docs as the README's docs command does where torch is not installed: every import of
torch, pytorch_lightning or lightning fails, as it does in an environment with only the docs extra.

    python .ci/docs_without_torch.py OUTDIR
"""
import importlib.abc
import sys

BLOCKED = ("torch", "pytorch_lightning", "lightning", "torchvision", "torchmetrics", "keras")


class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked: building the docs without torch)",
                                      name=name)
        return None


sys.meta_path.insert(0, Block())
from sphinx.cmd.build import main  # noqa: E402

sys.exit(main(["-W", "--keep-going", "-q", "-b", "html", "docs", sys.argv[1]]))
