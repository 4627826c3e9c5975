"""The package's shape: packages by stage, imports pointing down, no cycle, small modules.

docs/architecture.md draws the stages; this test keeps the drawing true. It reads the
source with :mod:`ast` (nothing is imported), so it sees function-local imports too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "forecast"

#: Each stage and the stages it may import (besides itself and the foundation).
FOUNDATION = {"forecast", "forecast.config", "forecast.atomic", "forecast.results"}
LAYERS: dict[str, set[str]] = {
    "i18n": set(),  # the message catalogue: imports nothing, every stage may use it
    "domain": set(),
    "inputs": {"domain"},
    "models": {"domain"},
    "stockflow": {"domain", "inputs"},
    "synth": {"domain", "inputs"},
    "verdict": {"domain", "inputs", "models", "stockflow"},
    "plan": {"domain", "inputs", "models", "stockflow", "verdict"},
    "reports": {"domain", "inputs", "models", "stockflow", "verdict", "plan", "synth", "i18n"},
    "explorer": {"domain", "inputs", "models", "stockflow", "verdict", "plan", "reports", "i18n"},
    "commands": {"domain", "inputs", "models", "stockflow", "verdict", "plan", "reports", "explorer",
                 "synth", "i18n", "cli", "national"},
    "cli": {"commands"},
    "national": {"domain", "inputs", "models", "stockflow", "verdict", "plan", "reports", "synth", "i18n"},
}
#: Libraries slow to import or optional: the only ones a function may import locally.
HEAVY_OR_OPTIONAL = {"matplotlib", "seaborn", "papermill", "nbformat", "nbconvert", "ipywidgets",
                     "IPython", "statsforecast", "playwright", "openpyxl", "docx", "dask", "distributed",
                     "sklearn", "statsmodels", "voila", "jupyter_client", "ipykernel", "scipy", "filelock",
                     "babel", "pyarrow", "yaml"}
MAX_LINES = 600


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def imports_of(path: Path) -> list[tuple[str, bool, int]]:
    """``(imported module, at top level?, line)`` for every import of ``forecast.*``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    for n in tree.body:  # imports guarded by `if TYPE_CHECKING:` count as top level
        if isinstance(n, ast.If):
            top.update(id(s) for s in n.body)
    out = []
    known = modules()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "forecast":
                continue
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.append((full if full in known else node.module, id(node) in top, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "forecast":
                    out.append((alias.name, id(node) in top, node.lineno))
    return out


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "forecast"


def graph() -> dict[str, set[str]]:
    known = modules()
    g: dict[str, set[str]] = {m: set() for m in known}
    for m, p in known.items():
        for target, _top, _line in imports_of(p):
            if target in known and target != m:
                g[m].add(target)
    return g


def test_the_import_graph_has_no_cycle():
    g = graph()
    colour: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        colour[m] = 1
        stack.append(m)
        for n in sorted(g[m]):
            # a package's __init__ importing its own submodules is how a package is built
            if m != "forecast" and n.startswith(m + "."):
                continue
            if colour.get(n) == 1:
                cycles.append(stack[stack.index(n):] + [n])
            elif n not in colour:
                visit(n)
        stack.pop()
        colour[m] = 2

    for m in sorted(g):
        if m not in colour:
            visit(m)
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_every_stage_imports_only_the_stages_below_it():
    wrong = []
    for m, p in modules().items():
        s = stage(m)
        if m in FOUNDATION or s not in LAYERS:
            continue
        for target, _top, line in imports_of(p):
            t = stage(target)
            if target in FOUNDATION or t == s or t == "forecast" or (t == "i18n" and s != "i18n"):
                continue
            if t not in LAYERS[s]:
                wrong.append(f"{p.relative_to(SRC.parent)}:{line}: {s} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_the_foundation_modules_import_no_stage():
    for m in FOUNDATION - {"forecast"}:
        p = modules()[m]
        bad = [t for t, _top, _line in imports_of(p) if stage(t) in LAYERS]
        assert not bad, f"{m} imports {bad}"


def test_no_function_imports_the_package_locally():
    """Local imports hid the old cycles; only heavy optional libraries may be imported late."""
    local = [f"{p.relative_to(SRC.parent)}:{line}: {t}"
             for m, p in modules().items() for t, top, line in imports_of(p) if not top]
    assert not local, "function-local imports of the package:\n" + "\n".join(local)


def test_every_module_is_under_the_size_limit():
    big = {m: n for m, p in modules().items()
           if (n := len(p.read_text(encoding="utf-8").splitlines())) >= MAX_LINES}
    assert not big, f"modules of {MAX_LINES} lines or more: {big}"


@pytest.mark.parametrize("package", sorted(LAYERS.keys() - {"cli", "national", "i18n"}))
def test_every_stage_says_what_it_holds_and_what_it_may_import(package):
    init = SRC / package / "__init__.py"
    if not init.exists():
        pytest.skip(f"{package} is not a package")
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
    assert len(doc) > 80 and "import" in doc.lower(), f"{init}: module docstring should say what it holds and may import"
