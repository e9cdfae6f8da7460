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

from packaging.requirements import Requirement

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


def _declared() -> list[Requirement]:
    """The requirements pyproject.toml names: dependencies and the extras but dev."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra, names in project.get("optional-dependencies", {}).items():
        if extra != "dev":
            wanted += names
    return [Requirement(spec) for spec in wanted]


def _reachable(declared: list[Requirement]) -> set[str]:
    """The distributions installing ``declared`` brings: what a declared one requires for
    the extras asked of it and this platform comes with it (fastapi brings starlette,
    ``ibis-framework[duckdb]`` the duckdb extra's libraries)."""
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(_normal(r.name), frozenset(r.extras)) for r in declared]
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        try:
            needs = requires(name) or []
        except PackageNotFoundError:  # not for this platform (uvloop on Windows)
            continue
        for spec in map(Requirement, needs):
            wanted = spec.marker is None or any(
                spec.marker.evaluate({"extra": extra}) for extra in extras | {""}
            )
            if wanted:
                todo.append((_normal(spec.name), frozenset(spec.extras)))
    return {name for name, _ in seen}


def test_every_imported_library_is_declared():
    providers = packages_distributions()
    reachable = _reachable(_declared())
    missing = {
        module: where
        for module, where in _imported_modules().items()
        if not {_normal(d) for d in providers.get(module, [module])} & reachable
    }
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
