"""Docs and code are true to the tree: every repository path (golden/..., rtl/..., hls/..., docs/..., ...) and every
`golden.x.y` module that a tracked text or source file names exists."""
import importlib.util
import re
import subprocess


from golden.paths import REPO_ROOT

TOP = ("golden", "rtl", "rtl_tb", "hls", "docs", "tests", "scripts", "configs", ".ci")
PATH_RE = re.compile(r"(?<![\w./-])((?:%s)/[\w./*{}-]*[\w*}])" % "|".join(re.escape(t) for t in TOP))
MODULE_RE = re.compile(r"(?<![\w./])(golden(?:\.[a-z_][a-z0-9_]*)+)")
SUFFIXES = (".py", ".md", ".sv", ".svh", ".h", ".cpp", ".tcl", ".f", ".sh", ".yaml", ".toml", ".txt")
EXTRA = ("Makefile", ".ci/run")


def tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    return [f for f in out.splitlines() if f.endswith(SUFFIXES) or f in EXTRA]


def _exists(ref: str) -> bool:
    ref = ref.rstrip(".")
    if re.search(r"/(NAME|M)_", ref):  # a placeholder the text explains (configs/models/NAME_ann.npz)
        return True
    head, _, attr = ref.rpartition(".")
    if head and (REPO_ROOT / f"{head}.py").is_file():  # golden/x/y.ATTR: an attribute of that module
        return True
    if "*" not in ref and (ref.endswith("_") or "." not in ref.rsplit("/", 1)[-1]):  # rtl/snn_frame_kernel
        if any(REPO_ROOT.glob(ref + "*")):
            return True
    if any(c in ref for c in "*{"):  # a pattern: some file matches it
        pattern = re.sub(r"\{[^}]*\}", "*", ref)
        return any(REPO_ROOT.glob(pattern))
    return (REPO_ROOT / ref).exists()


def _module_exists(name: str) -> bool:
    parts = name.split(".")
    for n in range(len(parts), 1, -1):  # golden.a.b.attr: the longest prefix that is a module
        mod = ".".join(parts[:n])
        try:
            if importlib.util.find_spec(mod) is not None:
                return True
        except ModuleNotFoundError:
            continue
    return False


def missing_refs() -> list[str]:
    bad = []
    for f in tracked():
        if f == "tests/docs/test_references.py" or not (REPO_ROOT / f).is_file():
            continue
        text = (REPO_ROOT / f).read_text(errors="replace")
        for m in PATH_RE.finditer(text):
            ref = m.group(1)
            if ref.startswith(("build/",)) or "..." in ref:
                continue
            if not _exists(ref):
                bad.append(f"{f}: path {ref}")
        for m in MODULE_RE.finditer(text):
            if not _module_exists(m.group(1)):
                bad.append(f"{f}: module {m.group(1)}")
    return sorted(set(bad))


def test_every_named_path_and_module_exists():
    bad = missing_refs()
    assert not bad, "stale references:\n" + "\n".join(bad)
