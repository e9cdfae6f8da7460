"""YAML documents past the reading limits (``parcours.config.YAML_LIMITS``), shared by the
tests of every door a map or a mapping comes in by: Python, CLI, API, dashboard, ingest."""

from __future__ import annotations

from parcours.config import YAML_LIMITS
from parcours.maps import render_template

# A refusal must come this fast; reading the bomb without limits takes minutes.
FAST_SECONDS = 1.0


def laughs(levels: int = 9, width: int = 10, indent: str = "  ") -> str:
    """The anchors of a "billion laughs": ``&l0`` holds ``width`` strings and each ``&lN``
    ``width`` aliases of ``l(N-1)``, so ``*l{levels-1}`` expands to width**levels strings."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * width)}]" for n in range(1, levels)]
    return "".join(f"{indent}{line}\n" for line in lines)


# A map whose description is a billion "lol" (the anchors under a key of their own).
BOMB_MAP = "map: bomb\ntitle: Bomb\nlaughs:\n" + laughs() + "description: *l8\n"

# A column mapping whose ``ts`` field is the same bomb.
BOMB_MAPPING = "laughs:\n" + laughs() + "events:\n  ts: *l8\n"

# A real map with one more key, its lists nested 60 levels deep (limit: 50).
DEEP_MAP = render_template("5a") + "\ndeep: " + "[" * 60 + "]" * 60 + "\n"

# A real map padded with comments past the size limit.
OVERSIZE_MAP = render_template("5a") + ("#" + "-" * 99 + "\n") * (YAML_LIMITS.max_bytes // 100)
