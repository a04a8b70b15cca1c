"""Imports point one way, so a newcomer can tell where a change belongs (DESIGN, "Shape").

maturity's shared modules <- frameworks <- organisations <- assessments <- benchmarks <- improvement
<- reports, and only `demo` imports everything. A lower app that must set off work in a higher one sends a
signal, and a page of a lower app shows a higher app's part through a panel registry it owns
(maturity.panels): it never imports upward. `maturity.urls` and settings wire every app together.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "upward_imports"
# Lowest first: each may import those before it, never those after.
LAYERS = (
    "maturity",
    "frameworks",
    "organisations",
    "assessments",
    "benchmarks",
    "improvement",
    "reports",
    "demo",
)
# They wire every app together, so they may import any of them.
EXEMPT = {"maturity.urls", "maturity.settings"}


@dataclass(frozen=True, order=True)
class Edge:
    module: str
    imported: str
    line: int

    def __str__(self):
        return f"{self.module} (line {self.line}) imports {self.imported}"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path) -> list[tuple[str, int]]:
    """Every module a file imports, anywhere in it (lazy imports inside functions too)."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing package
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            found.append((target, node.lineno))
    return found


def upward_imports(root: Path) -> list[Edge]:
    rank = {app: i for i, app in enumerate(LAYERS)}
    edges = []
    for app in LAYERS:
        for path in sorted((root / app).rglob("*.py")):
            module = module_name(path, root)
            if module in EXEMPT:
                continue
            for imported, line in imports_of(path, root):
                target = imported.split(".")[0]
                if target in rank and rank[target] > rank[app]:
                    edges.append(Edge(module, imported, line))
    return sorted(edges)


def test_no_module_imports_an_app_above_its_own():
    wrong = upward_imports(ROOT)
    assert wrong == [], "Imports that point up the layers:\n" + "\n".join(map(str, wrong))


def test_the_checker_catches_upward_imports_in_the_fixture():
    assert [str(e) for e in upward_imports(FIXTURE)] == [
        "maturity.forms (line 2) imports frameworks.models",
        "organisations.panels (line 3) imports benchmarks.dashboard",
        "organisations.panels (line 8) imports reports",
    ]


def test_relative_imports_resolve_to_their_own_app():
    path = FIXTURE / "reports" / "views.py"
    assert [name for name, _ in imports_of(path, FIXTURE)] == [
        "assessments",
        "reports",
        "reports.models",
    ]


def test_every_app_is_placed_in_the_layers():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"maturity"}
    assert apps == set(LAYERS), "Give every app a place in LAYERS (and in DESIGN's list)."
