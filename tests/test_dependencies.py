"""Every library parcours imports is one it declares: a module installed here only for
the tests (PyYAML, through a test tool) would fail on a user's machine, where
``pip install parcours`` does not bring it."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imported_modules() -> dict[str, str]:
    """Top-level module -> the first file of parcours importing it (stdlib left out)."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "parcours").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "parcours" and top not in sys.stdlib_module_names:
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    """The distributions pyproject.toml names: dependencies and the extras but dev."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra, names in project.get("optional-dependencies", {}).items():
        if extra != "dev":
            wanted += names
    return {_normal(re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0]) for spec in wanted}


def test_every_imported_library_is_declared():
    providers = packages_distributions()
    declared = _declared()
    # What a declared one requires comes with it (fastapi brings starlette, ibis-framework
    # its duckdb extra's modules): reachable through it counts as declared.
    reachable = set(declared)
    todo = list(declared)
    while todo:
        try:
            needs = requires(todo.pop()) or []
        except PackageNotFoundError:  # not for this platform (uvloop on Windows)
            continue
        for spec in needs:
            if "extra ==" in spec and "duckdb" not in spec:
                continue
            name = _normal(re.split(r"[\[<>=!~; (]", spec, maxsplit=1)[0])
            if name not in reachable:
                reachable.add(name)
                todo.append(name)
    missing = {
        module: where
        for module, where in _imported_modules().items()
        if not {_normal(d) for d in providers.get(module, [module])} & reachable
    }
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
