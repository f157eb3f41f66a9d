"""The house rules of the package: imports run one way, seqnet never imports torch, and the
numpy-only tests run where torch is not installed."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "seqnet"

# each module's rank: a module imports only modules of its own rank or below (and never in a circle)
RANKS = [
    ("seqnet._registry", "seqnet._contract", "seqnet._files", "seqnet._safety", "seqnet._formats", "seqnet._version",
     "seqnet.augment", "seqnet.plotting", "seqnet.ops.parallel", "seqnet.messages"),
    ("seqnet.ops",),                                                           # kernels
    ("seqnet.activations", "seqnet.initializers", "seqnet.losses", "seqnet.schedulers", "seqnet.keras_updates",
     "seqnet.regularizers", "seqnet.constraints", "seqnet.metrics"),                                # metrics: the losses' values
    ("seqnet.layers", "seqnet.optimizers", "seqnet.optimizer_arrays", "seqnet.tracking", "seqnet.callbacks",
     "seqnet.datasets"),                                                      # tracking: compiled metrics
    ("seqnet.checks", "seqnet.batches", "seqnet.inference", "seqnet.training", "seqnet.keras_methods", "seqnet.sequential"),  # model
    ("seqnet.gradcheck", "seqnet.architectures"),
    ("seqnet.saving",),
    ("seqnet.keras",),                                                         # the Keras face, its files within
    ("seqnet.experiment", "seqnet.cli"),
    ("seqnet.assignment",),                                                    # the assignment's face
    ("seqnet",),
]


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports():
    """``{module: set of modules it imports}``, counting imports inside functions too."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                found |= {f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        graph[name] = found - {name}
    return graph


def rank(module):
    """The rank of the longest name in RANKS that ``module`` is or lies under."""
    matches = [(len(n), i) for i, names in enumerate(RANKS) for n in names if module == n or module.startswith(n + ".")]
    assert matches, f"{module} has no place in RANKS; add it"
    return max(matches)[1]


def test_imports_run_one_way_without_circles():
    graph = imports()
    inside = {m: {d for d in deps if d in graph} for m, deps in graph.items()}
    for module, deps in inside.items():
        for dep in deps:
            assert rank(dep) <= rank(module), f"{module} (rank {rank(module)}) imports {dep} (rank {rank(dep)})"
    state = {}

    def visit(module, path):
        if state.get(module) == "done":
            return
        assert state.get(module) != "open", "import circle: " + " -> ".join(path + [module])
        state[module] = "open"
        for dep in sorted(inside[module]):
            visit(dep, path + [module])
        state[module] = "done"

    for module in sorted(inside):
        visit(module, [])


def test_seqnet_never_imports_torch_and_only_kernels_know_threads():
    for module, deps in imports().items():
        assert not any(d == "torch" or d.startswith(("torch.", "pytorch_lightning", "lightning")) for d in deps), module
        if module.startswith("seqnet.layers") or module in ("seqnet.sequential", "seqnet.training", "seqnet.checks",
                                                                 "seqnet.keras_methods"):
            assert "seqnet.ops.parallel" not in deps, f"{module} imports seqnet.ops.parallel"


BLOCK_TORCH = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("torch", "pytorch_lightning", "lightning"):
            raise ImportError(f"{name} is not installed here")
sys.meta_path.insert(0, Block())
import pytest
sys.exit(pytest.main(sys.argv[1:]))
"""


def test_without_torch_the_numpy_tests_run_and_the_torch_ones_skip():
    files = ["tests/test_losses.py", "tests/layers/test_layers.py", "tests/lightning/test_lightning.py"]
    out = subprocess.run([sys.executable, "-c", BLOCK_TORCH, "-q", "-p", "no:cacheprovider", "-rs", *files],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    summary = out.stdout.strip().splitlines()[-1]
    assert " passed" in summary and " skipped" in summary and "error" not in summary, summary
    assert "needs torch" in out.stdout and "test_lightning.py" in out.stdout


def test_the_lightning_trainer_without_torch_says_what_to_install():
    script = BLOCK_TORCH.split("import pytest")[0] + (
        "import runpy; sys.argv = ['train', '--data', 'cifar10', '--arch', 'cifar_fast', '--out', 'x']\n"
        "runpy.run_module('lightning_models.train', run_name='__main__')")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and 'pip install -e ".[lightning]"' in out.stderr
