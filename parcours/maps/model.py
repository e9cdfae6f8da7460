"""The journey map as typed objects: stages, personas, channels, touchpoints, goals.

These pydantic models are the one shape of a map, whether it comes from YAML or is built in
Python. Unknown fields are refused so that a typo (``titel:``) is caught rather than ignored,
and each field checks its own value with a message that says what is allowed; checks that
relate several parts of the map (a touchpoint naming an unknown stage) live in ``validate``.
YAML reading and writing live in ``yaml_io``; the methods here only delegate to it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from parcours.currency import currency_code
from parcours.errors import InputError, MapError, Problem
from parcours.maps._base import (  # re-exported: the map's parts are imported from here
    ANY_CHANNEL,
    PATTERN_ALLOWED,
    Emotion,
    EventRule,
    Id,
    MapState,
    MatchRule,
    Names,
    Pattern,
    PropertyValue,
    Text,
    _Model,
    _short,
    text_of,
)
from parcours.maps._blueprint_items import Blueprint
from parcours.maps.checks import problems_in
from parcours.maps.duration import parse_duration
from parcours.maps.rules import Rule
from parcours.maps.yaml_io import dump_merged, dump_new, read_document, read_file

__all__ = [
    "ANY_CHANNEL",
    "METRICS",
    "PATTERN_ALLOWED",
    "Blueprint",
    "Channel",
    "Conversion",
    "Emotion",
    "EventRule",
    "Goal",
    "Id",
    "JourneyMap",
    "JourneySettings",
    "Kpi",
    "MapState",
    "MatchRule",
    "Metric",
    "Names",
    "Opportunity",
    "OpportunityStatus",
    "Pattern",
    "Persona",
    "PropertyValue",
    "Stage",
    "SubMap",
    "Text",
    "Touchpoint",
    "_Model",
    "text_of",
]


def _at_least_one(message: str) -> Callable[[list[Any]], list[Any]]:
    def check(items: list[Any]) -> list[Any]:
        if not items:
            raise ValueError(message)
        return items

    return check


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


def _rule_as_data(value: Any) -> Any:
    # a plain MatchRule given for the conversion (JourneyMap(conversion=MatchRule(...)))
    return value.model_dump() if type(value) is MatchRule else value


class Conversion(MatchRule):
    """The map's conversion: a match rule, and how the texts name it (``title``: "Achat",
    "Permis délivré"); without a title, the one touchpoint on the conversion event names it."""

    title: Text | None = None


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
    # The currency of the data's revenue (ISO 4217: EUR, USD, GBP): amounts are written with
    # it, as the reader's locale does (694 224 €, €694,224); without it, as plain numbers.
    currency: str | None = None
    state: MapState | None = None  # as-is or to-be (parcours.maps.experience)
    title: Text
    description: Text | None = None
    stages: Annotated[
        list[Stage],
        AfterValidator(
            _at_least_one(
                "a journey map needs at least one stage, e.g. stages: [{id: decouverte, title: "
                "Découverte}]"
            )
        ),
    ]
    personas: list[Persona] = []
    channels: Annotated[
        list[Channel],
        AfterValidator(
            _at_least_one("a journey map needs at least one channel, e.g. channels: [web]")
        ),
    ]
    touchpoints: list[Touchpoint] = []
    conversion: Annotated[Conversion, BeforeValidator(_rule_as_data)]
    journey: JourneySettings = Field(default_factory=JourneySettings)
    flow: list[tuple[Id, Id]] = []
    opportunities: list[Opportunity] = []
    # How the texts name the data's own fields (event properties, CRM columns): "device" is
    # read "appareil" in a friction's explanation, a breakdown's header, a correlation.
    property_titles: dict[str, Text] = {}

    @field_validator("currency", mode="before")
    @classmethod
    def _known_currency(cls, code: Any) -> Any:
        return None if code is None else currency_code(code)

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

    def property_title(self, name: str, lang: str | None = None) -> str:
        """A data field (event property or CRM column) as the map names it, else as written."""
        title = self.property_titles.get(name)
        return text_of(title, lang or self.lang) if title else name

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
