"""The journey map as typed objects: stages, personas, channels, touchpoints, goals.

These pydantic models are the one shape of a map, whether it comes from YAML or is built in
Python. Unknown fields are refused so that a typo (``titel:``) is caught rather than ignored,
and each field checks its own value with a message that says what is allowed; checks that
relate several parts of the map (a touchpoint naming an unknown stage) live in ``validate``.
YAML reading and writing live in ``yaml_io``; the methods here only delegate to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from parcours.errors import InputError, MapError, Problem
from parcours.maps.checks import ANY_CHANNEL, problems_in
from parcours.maps.duration import parse_duration
from parcours.maps.experience import Emotion, MapState
from parcours.maps.rules import Rule, Scalar, scalar_text
from parcours.maps.yaml_io import dump_merged, dump_new, read_document, read_file

if TYPE_CHECKING:  # Ibis is only in the signatures: validating a map does not load it
    import ibis.expr.types as ir

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
    (re.compile(r"\(\?<?[=!]"), "a lookaround (?= (?! (?<= (?<!"),
    (re.compile(r"\\[1-9]"), "a backreference (\\1)"),
    (re.compile(r"\(\?P=|\(\?P>"), "a named backreference"),
)
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
    for found, what in _REGEX_UNSUPPORTED:
        if found.search(pattern):
            raise ValueError(
                f"regex '{pattern}' uses {what}, which the engines (DuckDB, Spark) do not "
                "all read; write it without, e.g. '^T0[2-4] '"
            )
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
        context = first.get("ctx", {}).get("error")
        where = ".".join(str(part) for part in first["loc"])
        message = str(context) if context else f"{where}: {first['msg']}"
        raise ValueError(message) from None


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


def _at_least_one(what: str, example: str) -> Callable[[list[Any]], list[Any]]:
    def check(items: list[Any]) -> list[Any]:
        if not items:
            raise ValueError(f"a journey map needs at least one {what}, e.g. {example}")
        return items

    return check


Id = Annotated[str, AfterValidator(_check_id)]
Text = Annotated[str | dict[str, str], BeforeValidator(_check_text)]
Names = Annotated[str | list[str], BeforeValidator(_check_names)]
Metric = Literal[
    "reach",
    "conversion",
    "exit_rate",
    "bounce_rate",
    "drop_off",
    "nps",
    "csat",
    "ces",
    "repeat_purchase_rate",
    "revenue",
    "time_to_convert",
]

# metric -> (lowest target, highest target, which direction is good, how the target is written)
METRICS: dict[str, tuple[float, float, str, str]] = {
    "reach": (0, float("inf"), "above", "a number of persons"),
    "conversion": (0, 1, "above", "a rate from 0 to 1 (0.12 for 12%)"),
    "exit_rate": (0, 1, "below", "a rate from 0 to 1"),
    "bounce_rate": (0, 1, "below", "a rate from 0 to 1"),
    "drop_off": (0, 1, "below", "a rate from 0 to 1"),
    "nps": (-100, 100, "above", "a score from -100 to 100"),
    "csat": (0, 1, "above", "a share of satisfied answers from 0 to 1"),
    "ces": (1, 7, "below", "an average effort score from 1 to 7"),
    "repeat_purchase_rate": (0, 1, "above", "a rate from 0 to 1"),
    "revenue": (0, float("inf"), "above", "an amount of at least 0"),
    "time_to_convert": (0, float("inf"), "below", "a number of days of at least 0"),
}


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


class Kpi(_Model):
    """A measure followed at a stage or touchpoint, with an optional target."""

    metric: Metric
    target: float | None = None
    direction: Literal["above", "below"] | None = None

    @field_validator("target")
    @classmethod
    def _target_in_range(cls, target: float | None, info: ValidationInfo) -> float | None:
        metric = info.data.get("metric")
        if target is None or metric not in METRICS:
            return target
        low, high, _, unit = METRICS[metric]
        if not low <= target <= high:
            raise ValueError(f"target {target:g} is out of range for {metric}: write {unit}")
        return target

    @property
    def good_direction(self) -> str:
        """``above`` when a higher value is better, ``below`` when lower is better."""
        return self.direction or METRICS[self.metric][2]


Goal = Kpi


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


class SubMap(_Model):
    """The map a stage or touchpoint opens (a nested journey): a map saved in the workspace,
    by id (``submap: livraison``), or a map file, by path (``submap: {file: livraison.yaml}``,
    relative to the parent's file). Resolving and checking it: :mod:`parcours.maps.nesting`."""

    map: Id | None = None
    file: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_id(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"map": value}
        if not isinstance(value, Mapping | SubMap):
            raise ValueError(
                f"{_short(value)} is not a sub-map: write a map id (submap: livraison) or a "
                "file (submap: {file: livraison.yaml})"
            )
        return value

    @model_validator(mode="after")
    def _one_of_two(self) -> SubMap:
        if (self.map is None) == (self.file is None):
            raise ValueError(
                "a sub-map has either map or file, e.g. submap: livraison or "
                "submap: {file: livraison.yaml}"
            )
        return self

    @model_serializer(mode="wrap")
    def _as_id(self, handler: Callable[[Any], Any]) -> Any:
        return self.map if self.file is None else handler(self)


OpportunityStatus = Literal["idea", "planned", "in_progress", "done"]


class Opportunity(_Model):
    """An improvement of the journey, followed as an object and ranked by what the data says
    is at stake at the friction points it addresses (:mod:`parcours.maps.opportunities`)."""

    id: Id
    title: Text
    stages: list[Id] = []
    touchpoints: list[Id] = []
    frictions: list[Id] = []  # friction points, by the touchpoint or stage they are measured at
    owner: str | None = None
    status: OpportunityStatus = "idea"
    effect: Text | None = None  # the expected effect, e.g. "−20 % d'abandons au paiement"


class Stage(_Model):
    id: Id
    title: Text
    description: Text | None = None
    goal: Text | None = None
    kpis: list[Kpi] = []
    emotion: Emotion | None = None
    emotions: dict[Id, Emotion] = {}  # per persona (parcours.maps.experience)
    opportunities: list[Text] = []  # free text (the first form): read as Opportunity objects
    submap: SubMap | None = None
    blueprint: Blueprint | None = None  # service blueprint lanes (parcours.maps.blueprint)


class Persona(_Model):
    id: Id
    title: Text
    description: Text | None = None
    goals: list[Text] = []
    rule: str | None = None

    @field_validator("rule")
    @classmethod
    def _rule_parses(cls, rule: str | None) -> str | None:
        if rule is not None:
            Rule.parse(rule)
        return rule

    @property
    def parsed_rule(self) -> Rule | None:
        return None if self.rule is None else Rule.parse(self.rule)


class Channel(_Model):
    """A channel, written either as its id (``web``) or as ``{id: web, title: Site web}``."""

    id: Id
    title: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_id(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"id": value}
        if not isinstance(value, Mapping | Channel):
            raise ValueError(
                f"{value!r} is not a channel: write an id (web) or {{id: web, title: Web}}"
            )
        return value

    @model_serializer(mode="wrap")
    def _as_id(self, handler: Callable[[Any], Any]) -> Any:
        return self.id if self.title is None else handler(self)


class Touchpoint(_Model):
    """A touchpoint: on one ``channel``, or on ``any`` (its lane is then each event's channel)."""

    id: Id
    title: Text | None = None
    stage: Id
    channel: Id
    match: MatchRule
    goal: Goal | None = None
    goals: list[Goal] = []
    emotion: Emotion | None = None
    emotions: dict[Id, Emotion] = {}  # per persona (parcours.maps.experience)
    frictions: list[Text] = []
    opportunities: list[Text] = []  # free text (the first form): read as Opportunity objects
    submap: SubMap | None = None

    @property
    def all_goals(self) -> list[Goal]:
        return ([self.goal] if self.goal else []) + list(self.goals)

    @property
    def any_channel(self) -> bool:
        """Whether the touchpoint is on every channel (``channel: any``)."""
        return self.channel == ANY_CHANNEL


class JourneySettings(_Model):
    """How events are cut into journeys: a journey ends at a conversion or after ``timeout`` idle."""

    timeout: str = "30d"

    @field_validator("timeout", mode="before")
    @classmethod
    def _timeout_parses(cls, timeout: Any) -> Any:
        parse_duration(timeout)
        return timeout

    @property
    def timeout_delta(self) -> timedelta:
        return parse_duration(self.timeout)


class JourneyMap(_Model):
    """A whole journey map. Load it with ``JourneyMap.load``; ``dumps`` keeps its comments."""

    map: Id
    lang: Literal["fr", "en"] = "fr"
    state: MapState | None = None  # as-is or to-be (parcours.maps.experience)
    title: Text
    description: Text | None = None
    stages: Annotated[
        list[Stage],
        AfterValidator(_at_least_one("stage", "stages: [{id: decouverte, title: Découverte}]")),
    ]
    personas: list[Persona] = []
    channels: Annotated[list[Channel], AfterValidator(_at_least_one("channel", "channels: [web]"))]
    touchpoints: list[Touchpoint] = []
    conversion: MatchRule
    journey: JourneySettings = Field(default_factory=JourneySettings)
    flow: list[tuple[Id, Id]] = []
    opportunities: list[Opportunity] = []

    # The ruamel document this map was read from, so that dumps() keeps comments and order.
    _document: Any = PrivateAttr(default=None)
    # Where it was read from (a file path, or a name such as map@v3): sub-map files are
    # found relative to a file's folder (parcours.maps.nesting).
    _source: str | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        # Same content, whatever document (comments, layout) each was read from.
        return isinstance(other, JourneyMap) and self.model_dump() == other.model_dump()

    @property
    def stage_ids(self) -> list[str]:
        return [s.id for s in self.stages]

    def stage(self, stage_id: str) -> Stage:
        return self.stages[self.stage_index(stage_id)]

    def stage_index(self, stage_id: str) -> int:
        for index, stage in enumerate(self.stages):
            if stage.id == stage_id:
                return index
        raise InputError(f"unknown stage {stage_id!r}; stages: {', '.join(self.stage_ids)}")

    def touchpoint(self, touchpoint_id: str) -> Touchpoint:
        for touchpoint in self.touchpoints:
            if touchpoint.id == touchpoint_id:
                return touchpoint
        known = ", ".join(t.id for t in self.touchpoints)
        raise InputError(f"unknown touchpoint {touchpoint_id!r}; touchpoints: {known}")

    def touchpoints_of(self, stage_id: str) -> list[Touchpoint]:
        self.stage_index(stage_id)
        return [t for t in self.touchpoints if t.stage == stage_id]

    def title_of(self, lang: str | None = None) -> str:
        return text_of(self.title, lang or self.lang)

    @classmethod
    def from_data(cls, data: Any, file: str | None = None) -> JourneyMap:
        """The map from parsed data, or one MapError carrying every problem found."""
        problems, journey_map = problems_in(data, file, cls)
        if problems or journey_map is None:
            raise MapError(problems)
        return journey_map

    @classmethod
    def loads(cls, text: str, source: str = "<string>") -> JourneyMap:
        """Read and validate map text; ``source`` names it in error messages. The map keeps
        its document so that ``dumps`` round-trips comments and key order."""
        document = read_document(text, source)
        journey_map = cls.from_data(document, source)
        journey_map._document = document
        journey_map._source = source
        return journey_map

    @classmethod
    def load(cls, path: str | Path) -> JourneyMap:
        """Read and validate a map file; raise MapError listing every problem with its line."""
        try:
            text = read_file(path)
        except (OSError, UnicodeDecodeError) as error:
            raise MapError([Problem(f"cannot read the map: {error}", str(path))]) from None
        return cls.loads(text, str(path))

    def dumps(self) -> str:
        """The map as YAML: the loaded text with its comments, updated where the map changed."""
        if self._document is None:
            return dump_new(self.model_dump(mode="json", exclude_none=True))
        return dump_merged(self._document, self.model_dump(mode="json", exclude_unset=True))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.dumps(), encoding="utf-8")


# A stage's blueprint items are built from the classes above (match rules, texts), so the
# blueprint module imports this one; Stage's annotation is resolved once both are loaded.
from parcours.maps.blueprint import Blueprint  # noqa: E402

Stage.model_rebuild()
JourneyMap.model_rebuild()
