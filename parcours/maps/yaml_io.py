"""Reading and writing journey maps as YAML without losing what the marketer wrote.

A map is edited by hand, commented, reviewed in version control. Loading it and saving it
back must not reorder keys, drop comments or requote strings, so the file is read with
ruamel.yaml in round-trip mode and the document is kept next to the model. When the model is
changed in Python, ``dump_merged`` writes the changes into that document, touching only the
nodes whose value differs. A map built in Python (no document) is written in field order,
leaving out empty and missing values.

The same document gives line numbers to validation messages (``line_of``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

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


def read_document(text: str, source: str = "<string>") -> Any:
    """Parse YAML text in round-trip mode; a syntax error becomes a MapError with its line."""
    try:
        return _yaml().load(text)
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
