"""Reading and writing journey maps as YAML without losing what the marketer wrote.

A map is edited by hand, commented, reviewed in version control. Loading it and saving it
back must not reorder keys, drop comments or requote strings, so the file is read with
ruamel.yaml in round-trip mode and the document is kept next to the model. When the model is
changed in Python, ``dump_merged`` writes the changes into that document, touching only the
nodes whose value differs. A map built in Python (no document) is written in field order,
leaving out empty and missing values.

The same document gives line numbers to validation messages (``line_of``).

Every map and every column mapping is read through :func:`read_document` or
:func:`read_data`, within :data:`parcours.config.YAML_LIMITS`: the size of the text, the
nesting, the number of aliases and the values those aliases expand to are counted while the
node graph is composed, before any Python value is built, so a YAML bomb is refused in
milliseconds:

    >>> lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"] + [
    ...     f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]" for p, n in zip("abcdefgh", "bcdefghi")
    ... ]
    >>> read_document("\\n".join(lines), "bomb.yaml")
    Traceback (most recent call last):
    ...
    parcours.errors.MapError: ...bomb.yaml:5: the aliases expand the document to more than 100,000...
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent

from parcours.config import YAML_LIMITS, YamlLimits
from parcours.errors import MapError, Problem

# Flow-style ({fr: A, en: B} or [a, b]) for scalar-only collections up to this length.
_FLOW_WIDTH = 72


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never re-wrap a long title
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # keep [{metric: reach}] as written
    return yaml


def read_document(text: str, source: str = "<string>", limits: YamlLimits = YAML_LIMITS) -> Any:
    """Parse map text in round-trip mode (comments and key order kept), within ``limits``.

    A syntax error, or a limit passed, becomes a MapError naming ``source`` and the line.
    """
    return _read(_yaml(), text, source, limits)


def read_data(text: str, source: str = "<string>", limits: YamlLimits = YAML_LIMITS) -> Any:
    """Parse YAML text to plain dicts, lists and scalars (a column mapping), within ``limits``.

    >>> read_data("ts: time:timestamp\\nignore: [org:resource]")
    {'ts': 'time:timestamp', 'ignore': ['org:resource']}
    """
    return _read(YAML(typ="safe", pure=True), text, source, limits)


def read_file(path: str | Path, limits: YamlLimits = YAML_LIMITS) -> str:
    """The text of a YAML file, refused (MapError) past ``limits.max_bytes`` without reading
    it whole. OSError and UnicodeDecodeError are left to the caller, who names the file."""
    with open(path, "rb") as file:
        raw = file.read(limits.max_bytes + 1)
    if len(raw) > limits.max_bytes:
        message = (
            f"the document is more than {limits.max_bytes:,} bytes; at most "
            f"{limits.max_bytes:,} are allowed"
        )
        raise MapError([Problem(message, str(path))])
    return raw.decode("utf-8")


class _Refused(Exception):
    """A limit passed while composing; ``_read`` turns it into a MapError."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message, self.line = message, line


class _BoundedComposer(Composer):
    """ruamel's composer, counting while it builds the node graph (where an alias is still
    one node shared by all its uses): the nesting, the aliases, and the values the document
    holds once every alias is expanded, each refused as soon as it passes its limit; and the
    CPU time spent parsing so far."""

    def __init__(self, loader: Any, limits: YamlLimits):
        super().__init__(loader=loader)
        self.limits = limits
        self.deadline = time.thread_time() + limits.max_seconds
        self.nesting = 0
        self.aliases = 0
        self.expanded = 0  # values composed so far, aliases expanded
        self.sizes: dict[int, int] = {}  # id(anchored node) -> values it expands to

    def compose_node(self, parent: Any, index: Any) -> Any:
        limits = self.limits
        event = self.parser.peek_event()
        line = event.start_mark.line + 1
        if time.thread_time() > self.deadline:
            raise _Refused(
                f"reading took more than {limits.max_seconds:g} s of CPU; at most "
                f"{limits.max_seconds:g} s are allowed (the document is too large or too complex)",
                line,
            )
        before = self.expanded
        if isinstance(event, AliasEvent):
            self.aliases += 1
            if self.aliases > limits.max_aliases:
                raise _Refused(
                    f"more than {limits.max_aliases:,} aliases (*name); at most "
                    f"{limits.max_aliases:,} are allowed",
                    line,
                )
            node = super().compose_node(parent, index)
            size = self.sizes.get(id(node))
            if size is None:  # the anchor is still open: the alias is inside its own node
                raise _Refused(
                    f"alias *{event.anchor} is inside the node it names; recursive aliases "
                    "are not allowed",
                    line,
                )
            self.expanded += size
        else:
            collection = isinstance(event, MappingStartEvent | SequenceStartEvent)
            self.nesting += collection
            if self.nesting > limits.max_depth:
                raise _Refused(
                    f"mappings and lists nested deeper than {limits.max_depth} levels; at most "
                    f"{limits.max_depth} are allowed",
                    line,
                )
            node = super().compose_node(parent, index)
            self.nesting -= collection
            self.expanded += 1
            if event.anchor is not None:
                self.sizes[id(node)] = self.expanded - before
        if self.expanded > limits.max_nodes:
            raise _Refused(
                f"the aliases expand the document to more than {limits.max_nodes:,} values; "
                f"at most {limits.max_nodes:,} are allowed"
                if self.aliases
                else f"more than {limits.max_nodes:,} values; at most {limits.max_nodes:,} "
                "are allowed",
                line,
            )
        return node


def _composer_within(limits: YamlLimits) -> type[Composer]:
    """The composer class ruamel instantiates (``Composer(loader=...)``), bound to ``limits``."""

    class Bounded(_BoundedComposer):
        def __init__(self, loader: Any = None):
            super().__init__(loader, limits)

    return Bounded


def _read(yaml: YAML, text: str, source: str, limits: YamlLimits) -> Any:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        message = f"the document is {size:,} bytes; at most {limits.max_bytes:,} are allowed"
        raise MapError([Problem(message, source)])
    yaml.Composer = _composer_within(limits)
    try:
        return yaml.load(text)
    except _Refused as refused:
        raise MapError([Problem(refused.message, source, refused.line)]) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = error.problem or error.context or "cannot be read"
        if error.problem and error.context and error.context_mark is not None:
            reason += f" ({error.context} at line {error.context_mark.line + 1})"
        raise MapError([Problem(f"YAML syntax error: {reason}", source, line)]) from None
    except YAMLError as error:
        raise MapError([Problem(f"YAML syntax error: {error}", source)]) from None


def dump_document(document: Any) -> str:
    buffer = io.StringIO()
    _yaml().dump(document, buffer)
    return buffer.getvalue()


def dump_new(data: Any) -> str:
    """A map built in Python (no document) as YAML text, leaving out empty values."""
    return dump_document(_to_node(_prune(data)))


def dump_merged(document: Any, data: Any) -> str:
    """The loaded ``document`` with ``data`` (the model's set fields) merged into it."""
    return dump_document(_merge(document, data))


def line_of(document: Any, path: Sequence[str | int]) -> int | None:
    """The 1-based line of the node at ``path`` (``("touchpoints", 3, "stage")``).

    When the last key is missing, the line of the mapping that should hold it (None at the
    top level, where that would be line 1). None for plain Python data, which has no lines.
    """
    node = document
    line = document.lc.line if hasattr(document, "lc") else None
    for part in path:
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        if isinstance(node, CommentedMap) and part in node:
            line, node = lc.key(part)[0], node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line, node = lc.item(part)[0], node[part]
        else:
            line = lc.line if node is not document else None
            break
    return None if line is None else line + 1


def _prune(value: Any) -> Any:
    """Drop empty lists and mappings, recursively: a map built in Python omits its defaults."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in ({}, [])}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _to_node(value: Any) -> Any:
    """Plain data to ruamel nodes; short scalar-only collections are written inline."""
    if isinstance(value, dict):
        node: Any = CommentedMap((k, _to_node(v)) for k, v in value.items())
    elif isinstance(value, list):
        node = CommentedSeq(_to_node(v) for v in value)
    else:
        return value
    items = value.values() if isinstance(value, dict) else value
    if all(not isinstance(v, dict | list) for v in items) and len(str(value)) <= _FLOW_WIDTH:
        node.fa.set_flow_style()
    return node


def _same(node: Any, value: Any) -> bool:
    return isinstance(node, bool) == isinstance(value, bool) and node == value


def _merge(node: Any, value: Any) -> Any:
    """Write ``value`` into the document ``node``, keeping every node (and comment) that still holds."""
    if isinstance(node, CommentedMap) and isinstance(value, dict):
        for key in [k for k in node if k not in value]:
            del node[key]
        for key, item in value.items():
            node[key] = _merge(node[key], item) if key in node else _to_node(item)
        return node
    if isinstance(node, CommentedSeq) and isinstance(value, list):
        del node[len(value) :]
        for index, item in enumerate(value):
            if index < len(node):
                node[index] = _merge(node[index], item)
            else:
                node.append(_to_node(item))
        return node
    if isinstance(node, dict | list) or isinstance(value, dict | list):
        return _to_node(value)
    return node if _same(node, value) else value
