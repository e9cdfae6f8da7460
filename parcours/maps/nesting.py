"""Nested journeys: a stage or touchpoint that opens a map of its own.

    stages:
      - id: livraison
        title: Livraison
        submap: livraison-detail             # a map saved in the workspace, by id
    touchpoints:
      - id: retour
        ...
        submap: {file: maps/retours.yaml}   # a map file, relative to this map's folder

:func:`resolve` finds every sub-map of a map, and theirs, and refuses in one
:class:`~parcours.errors.MapError` (each problem at the line of its ``submap:``) a sub-map
that cannot be found and a cycle (a map that opens itself, directly or through others).
Maps saved in a workspace open sub-maps by id only: a server never reads a file path that a
map sent to it names. What a sub-map's figures add to its parent: :mod:`parcours.analyses._nested`.

    >>> from parcours.maps import JourneyMap
    >>> parent = JourneyMap.loads(
    ...     "map: a\\ntitle: A\\nchannels: [web]\\nconversion: {event: buy}\\n"
    ...     "stages: [{id: s, title: S, submap: a}]\\n", "a.yaml")
    >>> resolve(parent, lambda map_id: parent)
    Traceback (most recent call last):
    ...
    parcours.errors.MapError: ...a.yaml:5: stage 's' opens map 'a', which is already open above it (a → a)...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from parcours.errors import MapError, NotFoundError, Problem
from parcours.maps.checks import field_path
from parcours.maps.yaml_io import line_of

if TYPE_CHECKING:
    from parcours.maps.model import JourneyMap, SubMap

# A map saved in the workspace, by id (raises NotFoundError naming the maps that exist).
FindMap = Callable[[str], "JourneyMap"]


@dataclass(frozen=True)
class Link:
    """One ``submap:`` of a map: the stage or touchpoint that opens it, and where it is."""

    kind: str  # stage | touchpoint
    element: str
    target: SubMap
    path: tuple[str | int, ...]  # ("stages", 2, "submap")

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.element}"

    @property
    def label(self) -> str:
        """The sub-map as written: its id, or its file."""
        return self.target.map or f"file {self.target.file}"


@dataclass(frozen=True)
class Nested:
    """A resolved link: ``child`` is the map ``link`` opens, from map ``parent``."""

    parent: str
    link: Link
    child: JourneyMap


def links(jm: JourneyMap) -> list[Link]:
    """The sub-maps a map opens, stages first, in the file's order."""
    found = [
        Link("stage", s.id, s.submap, ("stages", i, "submap"))
        for i, s in enumerate(jm.stages)
        if s.submap is not None
    ]
    found += [
        Link("touchpoint", t.id, t.submap, ("touchpoints", i, "submap"))
        for i, t in enumerate(jm.touchpoints)
        if t.submap is not None
    ]
    return found


def _source_file(jm: JourneyMap) -> Path | None:
    source = jm._source
    if source is None or source.startswith("<"):
        return None
    path = Path(source)
    return path if path.is_file() else None


def _problem(jm: JourneyMap, link: Link, message: str) -> Problem:
    """``message`` (it starts with the stage or touchpoint that opens the sub-map) located at
    the line of that ``submap:``."""
    return Problem(
        message,
        jm._source,
        line_of(jm._document, link.path) if jm._document is not None else None,
        field_path(link.path),
    )


def _open(jm: JourneyMap, link: Link, find_map: FindMap | None) -> JourneyMap | Problem | None:
    """The map a link opens; a Problem when it cannot be found; None when not checked (a map
    id and no workspace to look in)."""
    from parcours.maps.model import JourneyMap

    target = link.target
    if target.map is not None:
        if find_map is None:
            return None
        try:
            return find_map(target.map)
        except NotFoundError as missing:
            return _problem(
                jm,
                link,
                f"{link.kind} '{link.element}' opens map '{target.map}', which is not saved in this workspace ({missing}); save "
                f"it first (parcours maps save {target.map}.yaml), or name a file: "
                f"submap: {{file: {target.map}.yaml}}",
            )
    assert target.file is not None  # SubMap has map or file
    parent_file = _source_file(jm)
    if parent_file is None:
        return _problem(
            jm,
            link,
            f"{link.kind} '{link.element}' opens file '{target.file}', but a map saved in a workspace opens sub-maps by id only; "
            "save the sub-map too and write its id, e.g. submap: livraison",
        )
    path = parent_file.parent / target.file
    if not path.is_file():
        return _problem(
            jm,
            link,
            f"{link.kind} '{link.element}' opens file '{target.file}', which does not exist (looked for {path}); write a map "
            "file's path relative to this map's folder, e.g. submap: {file: livraison.yaml}",
        )
    try:
        return JourneyMap.load(path)
    except MapError as error:
        first = error.problems[0] if error.problems else None
        return _problem(
            jm,
            link,
            f"{link.kind} '{link.element}' opens file '{target.file}', which is not a valid map: "
            f"{first}",
        )


def resolve(jm: JourneyMap, find_map: FindMap | None = None) -> list[Nested]:
    """Every sub-map under ``jm``, depth first, each once per link; MapError listing every
    sub-map that cannot be found and every cycle. ``find_map`` finds maps saved in the
    workspace by id (without it, map ids are not looked up: only files are followed); the
    id of ``jm`` itself always names ``jm``, so that a map about to be saved is checked as
    it will be."""
    own = jm.map
    finder: FindMap | None = None
    if find_map is not None:
        lookup = find_map

        def finder(map_id: str) -> JourneyMap:
            return jm if map_id == own else lookup(map_id)

    found: list[Nested] = []
    problems: list[Problem] = []

    def walk(current: JourneyMap, path: list[str]) -> None:
        for link in links(current):
            child = _open(current, link, finder)
            if isinstance(child, Problem):
                problems.append(child)
                continue
            if child is None:
                continue
            if child.map in path:
                loop = " → ".join([*path[path.index(child.map) :], child.map])
                problems.append(
                    _problem(
                        current,
                        link,
                        f"{link.kind} '{link.element}' opens map '{child.map}', which is already "
                        f"open above it ({loop}): a "
                        "sub-map cannot contain the map that opens it; point to another map",
                    )
                )
                continue
            found.append(Nested(current.map, link, child))
            walk(child, [*path, child.map])

    walk(jm, [own])
    if problems:
        raise MapError(problems)
    return found


def children(jm: JourneyMap, find_map: FindMap | None = None) -> list[Nested]:
    """The sub-maps ``jm`` opens itself (one level), the whole tree checked first."""
    return [n for n in resolve(jm, find_map) if n.parent == jm.map]
