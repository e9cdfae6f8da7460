"""The package's layers: ``maps`` <- ``store`` <- ``analyses`` <- ``workspace`` <- ``render``
<- (``api``, ``web``) <- ``cli``; nothing imports a layer above its own, and ``api`` and
``web`` do not import each other (``parcours serve`` joins them). Read from the source's
import statements (module level and inside functions), so a lazy import counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "parcours"
# Layer of each top-level part; a module may import its own layer and those below.
LAYERS = {
    "config": 0,
    "errors": 0,
    "currency": 0,  # the map's currency: checked and written (Babel)
    "_lazy": 0,  # names imported on first use (PEP 562)
    "maps": 1,
    "store": 2,
    "analyses": 3,
    "demo": 3,
    "workspace": 4,
    "remote": 4,  # the workspace reached through its server
    "__init__": 5,  # the public surface: parcours.open, parcours.Workspace, ...
    "render": 5,
    "api": 6,
    "web": 6,
    "cli": 7,
    "__main__": 8,
}


def part_of(module: str) -> str:
    """``parcours.store.ingest`` -> ``store``; ``parcours`` -> ``__init__``."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("parcours")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "parcours":  # from parcours import X: X may be a part
                found += [(node.lineno, f"parcours.{a.name}") for a in node.names]
            elif node.module.startswith("parcours."):
                found.append((node.lineno, node.module))
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(PACKAGE)) for p in SOURCES])
def test_no_import_runs_up_the_layers(path):
    relative = path.relative_to(PACKAGE)
    own = relative.parts[0].removesuffix(".py")
    for line, module in imports(path):
        target = part_of(module)
        if target not in LAYERS:  # a name imported from the surface (parcours.Workspace)
            target = "__init__"
        if target == own:
            continue
        assert LAYERS[target] <= LAYERS[own], (
            f"parcours/{relative}:{line} imports {module}: {target} is above {own}"
        )
        assert {own, target} != {"api", "web"}, f"parcours/{relative}:{line}: api and web"


def test_the_check_sees_an_upward_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from parcours.analyses import get\n")
    assert imports(probe) == [(2, "parcours.analyses")]
