"""Every module of the package imports on its own, and module-level imports form no cycle.

A cycle works in one import order and fails in another with "partially initialized module", so each
module is imported first, in a fresh state of the package (one interpreter, every `pipeline.*` entry
dropped from sys.modules before each import). Imports inside functions (the lazy heavy ones) and under
`if TYPE_CHECKING:` do not run at import time, so the cycle check ignores them.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline

PACKAGE_DIR = Path(pipeline.__file__).parent


def package_modules() -> list[str]:
    """Every module and subpackage under pipeline/, found from the files (nothing is imported here)."""
    names = ["pipeline"]
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return sorted(set(names))


MODULES = package_modules()
_IMPORT_EACH = """
import importlib, json, sys, traceback
failures = {}
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "pipeline" or m.startswith("pipeline.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except BaseException as exc:
        failures[name] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
print(json.dumps(failures))
"""


@pytest.fixture(scope="module")
def import_failures() -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, *MODULES],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PACKAGE_DIR.parent,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_on_its_own(module, import_failures):
    assert module not in import_failures, import_failures.get(module)


def test_the_fresh_import_catches_a_partially_initialized_module(tmp_path):
    """The harness itself: a two-module cycle that only fails when `a` is imported first."""
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("import cyclic.b\nVALUE = 1\n")
    (package / "b.py").write_text("from cyclic.a import VALUE\n")
    script = _IMPORT_EACH.replace('"pipeline"', '"cyclic"').replace('"pipeline."', '"cyclic."')
    done = subprocess.run(
        [sys.executable, "-c", script, "cyclic.a", "cyclic.b"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    failures = json.loads(done.stdout)
    assert list(failures) == ["cyclic.a"] and "partially initialized" in failures["cyclic.a"]


# ---------------------------------------------------------------- cycles in the module-level import graph


def module_level_imports(name: str) -> set[str]:
    """Modules of the package that `name` imports when it is executed (not inside functions or classes)."""
    path = PACKAGE_DIR.parent.joinpath(*name.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _executed_statements(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(name, is_package, node.module, node.level)
            found |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names}
    return {target for target in found if target in MODULES and target != name}


def _executed_statements(body: list[ast.stmt]):
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                yield from _executed_statements(node.body)
            yield from _executed_statements(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                yield from _executed_statements(block)
        elif isinstance(node, ast.With):
            yield from _executed_statements(node.body)


def _absolute(name: str, is_package: bool, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    parts = name.split(".") if is_package else name.split(".")[:-1]
    parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, module] if module else parts)


def import_cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    graph = {name: module_level_imports(name) for name in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for name in MODULES:
        if name not in index:
            visit(name)
    return sorted(cycles)


def test_the_cycle_finder_sees_module_level_imports_only():
    assert "pipeline.models" in module_level_imports("pipeline.facts")
    assert "pipeline.drafting" not in module_level_imports("pipeline.cli")  # imported inside draft_incident


def test_no_import_cycle_between_modules():
    assert import_cycles() == []
