"""One pydantic error as a sentence a marketer can act on: what is wrong and what is allowed.

Pydantic's own messages ("Input should be a valid string") are English only and speak of
types; the map's checks (:mod:`parcours.maps.checks`) and the API's answer to a bad request
(:mod:`parcours.api.app`) both say them in these words instead, one sentence per error kind,
each with its French in :mod:`parcours.render._error_words` (``MAP_ERRORS``). A kind with no
sentence of its own is said by :data:`OTHER`, which names the field and the value.

    >>> field_message({"type": "string_type", "input": 3}, "goal")
    'goal: expected a text (got 3)'
    >>> field_message({"type": "too_short", "input": [], "ctx": {"min_length": 1}}, "stages")
    'stages: expected at least 1 item(s) (got 0)'
"""

from __future__ import annotations

from collections.abc import Mapping, Sized
from typing import Any

# pydantic error kind -> the sentence, with {name} (the field), {got} (the value as given,
# shortened) and the kind's own context values ({min_length}, {gt}, ...).
SENTENCES: dict[str, str] = {
    "missing": "missing required field '{name}'",
    "extra_forbidden": "unknown field '{name}'; this field is not taken here",
    "literal_error": "{got} is not allowed for {name}; allowed: {expected}",
    "enum": "{got} is not allowed for {name}; allowed: {expected}",
    "string_type": "{name}: expected a text (got {got})",
    "string_too_short": "{name}: expected at least {min_length} character(s) (got {got})",
    "string_too_long": "{name}: expected at most {max_length} character(s) (got {got})",
    "string_pattern_mismatch": "{name}: {got} does not have the expected form ({pattern})",
    "int_type": "{name}: expected a whole number (got {got})",
    "int_parsing": "{name}: expected a whole number (got {got})",
    "int_from_float": "{name}: expected a whole number (got {got})",
    "float_type": "{name}: expected a number (got {got})",
    "float_parsing": "{name}: expected a number (got {got})",
    "finite_number": "{name}: expected a finite number (got {got})",
    "bool_type": "{name}: expected true or false (got {got})",
    "bool_parsing": "{name}: expected true or false (got {got})",
    "list_type": "{name}: expected a list, e.g. [a, b] (got {got})",
    "tuple_type": "{name}: expected a list, e.g. [a, b] (got {got})",
    "set_type": "{name}: expected a list, e.g. [a, b] (got {got})",
    "dict_type": "{name}: expected a mapping, e.g. {{key: value}} (got {got})",
    "model_type": "{name}: expected a mapping, e.g. {{key: value}} (got {got})",
    "model_attributes_type": "{name}: expected a mapping, e.g. {{key: value}} (got {got})",
    "too_short": "{name}: expected at least {min_length} item(s) (got {actual_length})",
    "too_long": "{name}: expected at most {max_length} item(s) (got {actual_length})",
    "greater_than": "{name}: expected a number above {gt} (got {got})",
    "greater_than_equal": "{name}: expected a number of at least {ge} (got {got})",
    "less_than": "{name}: expected a number below {lt} (got {got})",
    "less_than_equal": "{name}: expected a number of at most {le} (got {got})",
    "date_type": "{name}: expected a date such as 2026-03-01 (got {got})",
    "date_parsing": "{name}: expected a date such as 2026-03-01 (got {got})",
    "datetime_type": "{name}: expected a date and time such as 2026-03-01T10:00:00 (got {got})",
    "datetime_parsing": "{name}: expected a date and time such as 2026-03-01T10:00:00 (got {got})",
}
OTHER = "{name}: {got} is not a valid value here"


def short(value: Any) -> str:
    """A value as written back to the user, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def field_message(error: Mapping[str, Any], name: str) -> str:
    """The sentence for one pydantic error (``ValidationError.errors()`` item) on ``name``;
    a validator's own ValueError is said as it wrote it."""
    kind, context = error["type"], dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])
    got = error.get("input")
    if kind in ("too_short", "too_long") and "actual_length" not in context:
        context["actual_length"] = len(got) if isinstance(got, Sized) else "?"
    values = {key: str(value) for key, value in context.items()}
    if "expected" in values:  # pydantic writes "'a', 'b' or 'c'": a list, in no language
        values["expected"] = ", ".join(values["expected"].rsplit(" or ", 1))
    values.update(name=name, got=short(got))
    try:
        return SENTENCES.get(kind, OTHER).format(**values)
    except KeyError:  # a context value this version of pydantic does not give
        return OTHER.format(**values)
