"""The package's shape (issue 21), checked on the source with `ast`, so no module is imported:

1. imports point one way, down the layer order of golden/__init__.py (base <- contract <- ir <- kinds <- model <-
   importer <- export <- backends <- analysis / cli), at the top of a module or inside a function alike, and
   nothing under golden/ imports rtl_tb;
2. no file under golden/ outside golden/kinds compares a layer kind's name (golden.kinds.NAMES) with ==, !=, in
   or not in, nor builds a dict keyed by kind names (two keys or more): the code asks the kind object
   (`layer.spec`) instead, FINN's one class per op.

ALLOWED lists what still breaks a rule until the other parts are rewired; it only shrinks.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from golden import kinds
from golden.paths import REPO_ROOT

GOLDEN = REPO_ROOT / "golden"

# The layer order (golden/__init__.py): a module may import its own layer and the layers before it.
LAYERS = (
    ("base", ("golden", "golden.errors", "golden.paths", "golden.atomic", "golden.runtime", "golden.data")),
    ("contract", ("golden.contract",)),
    ("ir", ("golden.ir",)),
    ("kinds", ("golden.kinds",)),
    ("model", ("golden.model",)),
    ("importer", ("golden.importer",)),
    ("export", ("golden.export",)),
    ("backends", ("golden.backends",)),
    # eval-seg / eval-denoise score the integer model too (golden.export.network): a command, like analysis
    ("analysis", ("golden.analysis", "golden.cli", "golden.__main__", "golden.model.evaluate")),
)

# Known offenders, removed when wired (the owners of golden/backends, golden/export/command.py and golden/cli.py
# rewire them): (importing module, imported module) and files that still compare a kind's name.
ALLOWED_IMPORTS: set[tuple[str, str]] = set()  # emptied: every import points down the layer order
ALLOWED_NAME_COMPARISONS: set[str] = set()  # emptied: every backend asks the kind


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(GOLDEN.rglob("*.py")):
        parts = path.relative_to(REPO_ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def layer_of(module: str) -> int:
    """The rank of a module in LAYERS: the longest matching prefix."""
    best, rank = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, rank = len(p), i
    if rank is None:
        raise AssertionError(f"{module}: in no layer of LAYERS")
    return rank


def imports_of(module: str, path: Path) -> list[tuple[str, int]]:
    """(imported module, line) of every import in the file, top-level and inside functions: relative imports
    resolved, `from a import b` read as a.b when a.b is a module of the package."""
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([node.module] if node.module else []))
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            out += [(s, node.lineno) for s in subs] or [(base, node.lineno)]
    return out


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


def test_imports_point_down_the_layer_order():
    wrong, used = [], set()
    for module, path in MODULES.items():
        for target, line in imports_of(module, path):
            if target.split(".")[0] == "rtl_tb":
                bad = True
            elif target.split(".")[0] == "golden":
                bad = layer_of(target) > layer_of(module)
            else:
                continue
            if bad and (module, target) in ALLOWED_IMPORTS:
                used.add((module, target))
            elif bad:
                wrong.append(f"{path.relative_to(REPO_ROOT)}:{line}: {module} ({LAYERS[layer_of(module)][0]}) "
                             f"imports {target}")
    assert not wrong, "imports against the layer order (golden/__init__.py):\n" + "\n".join(wrong)
    stale = ALLOWED_IMPORTS - used
    assert not stale, f"ALLOWED_IMPORTS lists imports that are gone: remove {sorted(stale)}"


def _names(node) -> list[str]:
    """The kind names a comparison operand or a dict key holds (a string, or a tuple/list/set of strings)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        values = [node.value]
    elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        values = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    else:
        return []
    return [v for v in values if v in kinds.NAMES]


def name_comparisons(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn))
                                                 for op in node.ops):
            for operand in [node.left, *node.comparators]:
                found += [f"{path.relative_to(REPO_ROOT)}:{node.lineno}: compares {n!r}" for n in _names(operand)]
        elif isinstance(node, ast.Dict):  # a table per kind: two keys or more are kind names
            keys = [n for key in node.keys if key is not None for n in _names(key)]
            if len(keys) > 1:
                found.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}: a dict keyed by {keys}")
    return found


def test_no_kind_name_comparison_outside_the_kinds():
    wrong, used = [], set()
    for path in MODULES.values():
        rel = path.relative_to(REPO_ROOT).as_posix()
        if rel.startswith("golden/kinds/"):
            continue
        found = name_comparisons(path)
        if found and rel in ALLOWED_NAME_COMPARISONS:
            used.add(rel)
        else:
            wrong += found
    assert not wrong, "ask the kind (layer.spec, golden/kinds) instead of comparing its name:\n" + "\n".join(wrong)
    stale = {p for p in ALLOWED_NAME_COMPARISONS - used if (REPO_ROOT / p).is_file() and not name_comparisons(
        REPO_ROOT / p)}
    assert not stale, f"ALLOWED_NAME_COMPARISONS lists files that compare no kind name: remove {sorted(stale)}"


@pytest.mark.parametrize("source, expected", [
    ('if layer.kind == "pool": pass', 1),
    ('x = k in ("input_conv", "other")', 1),
    ('x = {"pool": 1, "upconv": -1}', 1),
    ('x = {"image": 0, "output": 1}', 0),  # one key: a word (a memory port), not a table per kind
    ('x = layer.spec.taps(layer) > 1', 0),
    ('x = op == "conv"', 0),  # the float model's ops are not kind names
])
def test_the_name_check_finds_comparisons(tmp_path, source, expected):
    f = REPO_ROOT / "build" / "test_architecture_probe.py"
    f.parent.mkdir(exist_ok=True)
    f.write_text(source + "\n")
    try:
        assert len(name_comparisons(f)) == expected
    finally:
        f.unlink()
