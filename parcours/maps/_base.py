"""The base types of a journey map, which every part of it is built from: ids, texts, name
lists, match rules and their patterns, the designed emotion and the map's state, and the
pydantic base model that refuses unknown fields.

They import no other part of the map, so that the parts (the model, the service blueprint,
the experience, the checks) can all build on them without importing one another in a circle.
Import them from :mod:`parcours.maps.model` (or :mod:`parcours.maps`), which re-exports them.

    >>> MatchRule(event=[{"prefix": "T07"}, "Closed"]).matches_name("T07-1 Draft")
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    model_validator,
)

from parcours.maps.field_errors import field_message
from parcours.maps.rules import Scalar, scalar_text

if TYPE_CHECKING:  # Ibis is only in the signatures: validating a map does not load it
    import ibis.expr.types as ir

ANY_CHANNEL = "any"  # a touchpoint on every channel (see parcours.maps.model.Touchpoint)

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LANG = re.compile(r"^[a-z]{2}$")


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lowercase letters, digits, - and _, "
            "starting with a letter or digit (e.g. decouverte, fiche_produit)"
        )
    return value


def _check_text(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if (
        isinstance(value, Mapping)
        and value
        and all(isinstance(k, str) and _LANG.match(k) for k in value)
        and all(isinstance(v, str) for v in value.values())
    ):
        return value
    raise ValueError(
        f"{value!r} is not a text: write a string, or one string per language "
        "such as {fr: Découverte, en: Discovery}"
    )


def _check_names(value: Any) -> Any:
    if isinstance(value, str) or (
        isinstance(value, list) and value and all(isinstance(v, str) for v in value)
    ):
        return value
    raise ValueError(
        f"{value!r} is not allowed: write one name or a list of names, e.g. [web, app]"
    )


# Regular expressions must mean the same in Python (re), DuckDB (RE2) and Spark (Java): the
# constructs RE2 lacks are refused. Each is (what it looks like, what it is).
_REGEX_UNSUPPORTED = (
    (re.compile(r"\(\?<?[=!]"), "lookaround"),
    (re.compile(r"\\[1-9]"), "backreference"),
    (re.compile(r"\(\?P=|\(\?P>"), "named backreference"),
)
# What a refused construct is told; one whole sentence each, so that it is translated whole.
_REGEX_REFUSED = {
    "lookaround": "regex '{}' uses a lookaround (?= (?! (?<= (?<!, which the engines (DuckDB, "
    "Spark) do not all read; write it without, e.g. '^T0[2-4] '",
    "backreference": "regex '{}' uses a backreference (\\1), which the engines (DuckDB, Spark) "
    "do not all read; write it without, e.g. '^T0[2-4] '",
    "named backreference": "regex '{}' uses a named backreference, which the engines (DuckDB, "
    "Spark) do not all read; write it without, e.g. '^T0[2-4] '",
}
PATTERN_ALLOWED = (
    "a name, a list of names, {prefix: T07} (or a list of prefixes), "
    "{regex: '^T0[2-4] '}, or a list mixing them, e.g. [Closed, {prefix: T07}]"
)


def _check_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValueError(
            f"regex '{pattern}' cannot be read ({error}); write a regular expression, "
            "e.g. '^T0[2-4] ' for the names starting T02, T03 or T04"
        ) from None
    for found, construct in _REGEX_UNSUPPORTED:
        if found.search(pattern):
            raise ValueError(_REGEX_REFUSED[construct].format(pattern))
    return pattern


def _pattern(value: Any) -> Pattern:
    """A ``{prefix: ...}`` or ``{regex: ...}`` mapping as a Pattern, or one clear ValueError
    (a union of types would give one message per type tried)."""
    if isinstance(value, Pattern):
        return value
    unknown = [str(k) for k in value if k not in Pattern.model_fields]
    if unknown:
        raise ValueError(
            f"unknown key {', '.join(repr(k) for k in unknown)} in the pattern {_short(value)}; "
            "a pattern has prefix or regex, e.g. {prefix: T07} or {regex: '^T0[2-4] '}"
        )
    try:
        return Pattern.model_validate(dict(value))
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(field_message(first, where)) from None


def _check_event_rule(value: Any) -> Any:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str | Mapping | Pattern) for v in items):
        raise ValueError(f"{_short(value)} is not allowed for an event: write {PATTERN_ALLOWED}")
    converted = [v if isinstance(v, str) else _pattern(v) for v in items]
    return converted if isinstance(value, list) else converted[0]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _check_property(value: Any) -> Any:
    if _is_scalar(value) or (isinstance(value, list) and all(_is_scalar(v) for v in value)):
        return value
    if isinstance(value, Pattern) or (
        isinstance(value, Mapping) and set(value) & set(Pattern.model_fields)
    ):
        return _pattern(value)
    raise ValueError(
        f"{value!r} is not allowed: a property matches a value (text, number, true, false), "
        "a list of values, {prefix: text} or {regex: pattern}, e.g. {late: true}"
    )


Id = Annotated[str, AfterValidator(_check_id)]
Text = Annotated[str | dict[str, str], BeforeValidator(_check_text)]
Names = Annotated[str | list[str], BeforeValidator(_check_names)]


def text_of(value: str | Mapping[str, str] | None, lang: str) -> str:
    """The text in ``lang``, falling back to French, then English, then any language.

    >>> text_of({"fr": "Découverte", "en": "Discovery"}, "en")
    'Discovery'
    >>> text_of({"en": "Discovery"}, "de")
    'Discovery'
    """
    if value is None or isinstance(value, str):
        return value or ""
    for key in (lang, "fr", "en"):
        if key in value:
            return value[key]
    return next(iter(value.values()), "")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Pattern(_Model):
    """Names matched by their beginning (``{prefix: T07}``, or a list of prefixes) or by a
    regular expression searched anywhere in the name (``{regex: '^T0[2-4] '}``); one of the two.

    >>> Pattern(prefix="T07").test("T07-1 Draft intern advice")
    True
    >>> Pattern(regex="Wait( - |$)").test("Accepted - Wait - User")
    True
    """

    prefix: Names | None = None
    regex: Annotated[str, AfterValidator(_check_regex)] | None = None

    @model_validator(mode="after")
    def _one_of_two(self) -> Pattern:
        if (self.prefix is None) == (self.regex is None):
            raise ValueError(
                "a pattern has either prefix or regex, e.g. {prefix: T07} or {regex: '^T0[2-4] '}"
            )
        return self

    @property
    def prefixes(self) -> list[str]:
        if self.prefix is None:
            return []
        return [self.prefix] if isinstance(self.prefix, str) else list(self.prefix)

    def test(self, text: str | None) -> bool:
        """Whether one name (or property text) matches; a missing value never does."""
        if text is None:
            return False
        if self.regex is not None:
            return re.search(self.regex, text) is not None
        return any(text.startswith(p) for p in self.prefixes)

    def to_ibis(self, column: ir.StringValue) -> ir.BooleanValue:
        """The same test over a text column (DuckDB ``regexp_matches``, Spark ``rlike``)."""
        if self.regex is not None:
            return column.re_search(self.regex)
        tests = [column.startswith(p) for p in self.prefixes]
        result = tests[0]
        for test in tests[1:]:
            result |= test
        return result


EventRule = Annotated[str | Pattern | list[str | Pattern], BeforeValidator(_check_event_rule)]
PropertyValue = Annotated[Scalar | list[Scalar] | Pattern, BeforeValidator(_check_property)]


class MatchRule(_Model):
    """Which events are an occurrence of something: event name(s), channel(s), property values.

    ``event`` is a name, a prefix or regex :class:`Pattern`, or a list of them ("any of");
    a list of channels or property values also means "any of". Properties compare as text,
    the way the store keeps them, or through a pattern.
    """

    event: EventRule
    channel: Names | None = None
    properties: dict[str, PropertyValue] = {}

    @property
    def _event_items(self) -> list[str | Pattern]:
        return list(self.event) if isinstance(self.event, list) else [self.event]

    @property
    def events(self) -> list[str]:
        """The exact event names of the rule (patterns aside)."""
        return [e for e in self._event_items if isinstance(e, str)]

    @property
    def patterns(self) -> list[Pattern]:
        """The prefix and regex patterns of the rule."""
        return [e for e in self._event_items if isinstance(e, Pattern)]

    @property
    def channels(self) -> list[str] | None:
        if self.channel is None:
            return None
        return [self.channel] if isinstance(self.channel, str) else list(self.channel)

    def _expected(self) -> dict[str, list[str | None] | Pattern]:
        return {
            key: value
            if isinstance(value, Pattern)
            else [scalar_text(v) for v in (value if isinstance(value, list) else [value])]
            for key, value in self.properties.items()
        }

    def matches_name(self, event: str) -> bool:
        """Whether an event name meets the ``event`` part of the rule."""
        return event in self.events or any(p.test(event) for p in self.patterns)

    def matches(self, event: str, channel: str | None, properties: Mapping[str, Any]) -> bool:
        """Whether one event (name, channel, JSON properties) matches."""
        if not self.matches_name(event):
            return False
        if self.channels is not None and channel not in self.channels:
            return False
        for key, expected in self._expected().items():
            text = scalar_text(properties.get(key))
            if isinstance(expected, Pattern):
                if not expected.test(text):
                    return False
            elif text not in expected:
                return False
        return True

    def to_ibis(
        self,
        event: ir.StringValue,
        channel: ir.StringValue,
        prop: Callable[[str], ir.StringValue],
    ) -> ir.BooleanValue:
        """The same test as an Ibis predicate; ``prop(key)`` gives a property as text."""
        tests = ([event.isin(self.events)] if self.events else []) + [
            p.to_ibis(event) for p in self.patterns
        ]
        result = tests[0]
        for test in tests[1:]:
            result |= test
        if self.channels is not None:
            result &= channel.isin(self.channels)
        for key, expected in self._expected().items():
            column = prop(key)
            if isinstance(expected, Pattern):
                result &= expected.to_ibis(column).fill_null(False)
                continue
            values = [t for t in expected if t is not None]
            test = column.isin(values) if values else column.isnull() & column.notnull()
            if None in expected:
                test |= column.isnull()
            result &= test
        return result.fill_null(False)


# -- the designed emotion and the map's state (parcours.maps.experience) ---------------------

LOWEST, HIGHEST = -2, 2
EMOTION_LABELS: dict[str, int] = {"negative": -1, "neutral": 0, "positive": 1}
MAP_STATES = ("as-is", "to-be")
EMOTION_ALLOWED = (
    "a score from -2 (very negative) to +2 (very positive), e.g. emotion: -1, "
    "or one of the labels negative (-1), neutral (0), positive (+1)"
)


def _check_emotion(value: Any) -> Any:
    if isinstance(value, str) and value in EMOTION_LABELS:
        return value
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and float(value).is_integer()
        and LOWEST <= value <= HIGHEST
    ):
        return int(value)
    raise ValueError(f"{value!r} is not an emotion: write {EMOTION_ALLOWED}")


Emotion = Annotated[int | str, BeforeValidator(_check_emotion)]
MapState = Literal["as-is", "to-be"]
