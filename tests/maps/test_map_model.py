"""The map's models: match rules in Python and in Ibis, goals, texts, channels, helpers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import ibis
import pytest
from pydantic import ValidationError

from parcours.errors import InputError
from parcours.maps import Channel, JourneyMap, Kpi, MatchRule, Persona, text_of

EVENTS: list[dict[str, Any]] = [
    {"event": "purchase", "channel": "web", "props": {"fulfilment": "delivery", "items": 3}},
    {"event": "purchase", "channel": "magasin", "props": {"fulfilment": "in_store", "items": 1}},
    {"event": "purchase", "channel": "app", "props": {"fulfilment": "click_collect", "items": 2.5}},
    {"event": "delivery_delivered", "channel": "web", "props": {"late": True}},
    {"event": "delivery_delivered", "channel": "web", "props": {"late": False}},
    {"event": "page_view", "channel": None, "props": {}},
]

# match rule -> which EVENTS (by index) it matches
CASES: dict[str, tuple[dict[str, Any], list[int]]] = {
    "one_event": ({"event": "purchase"}, [0, 1, 2]),
    "event_list": ({"event": ["purchase", "page_view"]}, [0, 1, 2, 5]),
    "channel": ({"event": "purchase", "channel": "magasin"}, [1]),
    "channel_list": ({"event": "purchase", "channel": ["web", "app"]}, [0, 2]),
    "missing_channel_never_matches": ({"event": "page_view", "channel": "web"}, []),
    "text_property": ({"event": "purchase", "properties": {"fulfilment": "click_collect"}}, [2]),
    "property_list": (
        {"event": "purchase", "properties": {"fulfilment": ["delivery", "in_store"]}},
        [0, 1],
    ),
    "integer_property": ({"event": "purchase", "properties": {"items": 3}}, [0]),
    "float_property": ({"event": "purchase", "properties": {"items": 2.5}}, [2]),
    "integral_float_reads_as_integer": ({"event": "purchase", "properties": {"items": 1.0}}, [1]),
    "boolean_true": ({"event": "delivery_delivered", "properties": {"late": True}}, [3]),
    "boolean_false": ({"event": "delivery_delivered", "properties": {"late": False}}, [4]),
    "absent_property_is_null": ({"event": "page_view", "properties": {"campaign": None}}, [5]),
    "absent_property_never_equals": ({"event": "page_view", "properties": {"campaign": "x"}}, []),
    "prefix": ({"event": {"prefix": "delivery_"}}, [3, 4]),
    "prefix_list": ({"event": {"prefix": ["deliv", "page"]}}, [3, 4, 5]),
    "regex_searches_anywhere": ({"event": {"regex": "_del"}}, [3, 4]),
    "regex_anchored": ({"event": {"regex": "^p(urchase|age_view)$"}}, [0, 1, 2, 5]),
    "names_and_patterns": ({"event": ["page_view", {"prefix": "delivery"}]}, [3, 4, 5]),
    "prefix_and_channel": ({"event": {"prefix": "p"}, "channel": "web"}, [0]),
    "property_prefix": (
        {"event": "purchase", "properties": {"fulfilment": {"prefix": "in_"}}},
        [1],
    ),
    "property_regex_absent_never_matches": (
        {"event": {"regex": "."}, "properties": {"fulfilment": {"regex": "click|deliv"}}},
        [0, 2],
    ),
}


def _text(value: Any) -> str | None:
    # How the store keeps JSON scalars: strings as-is, numbers and booleans as JSON text.
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


@pytest.mark.parametrize(("spec", "selected"), CASES.values(), ids=list(CASES))
def test_match_rule_in_python_and_in_duckdb(spec: dict[str, Any], selected: list[int]) -> None:
    rule = MatchRule(**spec)
    assert [
        i for i, e in enumerate(EVENTS) if rule.matches(e["event"], e["channel"], e["props"])
    ] == selected
    keys = sorted({k for e in EVENTS for k in e["props"]} | {"campaign"})
    table = ibis.memtable(
        {
            "event": [e["event"] for e in EVENTS],
            "channel": [e["channel"] for e in EVENTS],
            **{f"p_{k}": [_text(e["props"].get(k)) for e in EVENTS] for k in keys},
        },
        schema={"event": "string", "channel": "string", **{f"p_{k}": "string" for k in keys}},
    )
    predicate = rule.to_ibis(table.event, table.channel, lambda key: table[f"p_{key}"])
    flags = ibis.duckdb.connect().execute(table.select(hit=predicate))["hit"].tolist()
    assert [i for i, hit in enumerate(flags) if hit] == selected


def test_match_rule_refuses_nested_property_values() -> None:
    with pytest.raises(ValidationError, match="a property matches a value"):
        MatchRule(event="purchase", properties={"cart": {"items": 3}})


@pytest.mark.parametrize(
    ("metric", "direction"),
    [
        ("conversion", "above"),
        ("exit_rate", "below"),
        ("ces", "below"),
        ("time_to_convert", "below"),
        ("nps", "above"),
    ],
)
def test_good_direction_defaults_per_metric(metric: str, direction: str) -> None:
    assert Kpi(metric=metric).good_direction == direction
    assert Kpi(metric=metric, direction="above").good_direction == "above"


@pytest.mark.parametrize(
    ("metric", "target", "ok"),
    [
        ("conversion", 0.12, True),
        ("conversion", 12, False),
        ("nps", -100, True),
        ("nps", 101, False),
        ("ces", 0.5, False),
        ("revenue", 1e6, True),
        ("reach", -1, False),
    ],
)
def test_target_range_per_metric(metric: str, target: float, ok: bool) -> None:
    if ok:
        assert Kpi(metric=metric, target=target).target == target
    else:
        with pytest.raises(ValidationError, match=f"out of range for {metric}: write"):
            Kpi(metric=metric, target=target)


def test_text_of_falls_back_to_french_then_english_then_any() -> None:
    assert text_of("Découverte", "en") == "Découverte"
    assert text_of({"fr": "Découverte", "en": "Discovery"}, "en") == "Discovery"
    assert text_of({"fr": "Découverte", "en": "Discovery"}, "de") == "Découverte"
    assert text_of({"es": "Descubrimiento", "en": "Discovery"}, "de") == "Discovery"
    assert text_of({"es": "Descubrimiento"}, "fr") == "Descubrimiento"
    assert text_of(None, "fr") == ""


def test_channel_is_an_id_or_an_id_with_title() -> None:
    assert Channel.model_validate("web") == Channel(id="web")
    assert Channel.model_validate({"id": "app", "title": "App"}).title == "App"
    assert Channel(id="web").model_dump() == "web"


def test_persona_rule_is_checked_and_parsed() -> None:
    persona = Persona(id="pro", title="Pro", rule="segment == 'B2B'")
    assert persona.parsed_rule is not None and persona.parsed_rule.evaluate({"segment": "B2B"})
    with pytest.raises(ValidationError, match="a function call as a value"):
        Persona(id="pro", title="Pro", rule="len(segment) > 2")


def test_journey_map_helpers() -> None:
    path = Path(__file__).parent / "fixtures" / "valid" / "mode-femme.yaml"
    journey_map = JourneyMap.load(path)
    assert journey_map.stage_ids == ["decouverte", "consideration", "decision"]
    assert journey_map.stage_index("decision") == 2
    assert journey_map.stage("consideration").title == {
        "fr": "Considération",
        "en": "Consideration",
    }
    assert [t.id for t in journey_map.touchpoints_of("decision")] == ["paiement"]
    assert journey_map.touchpoint("paiement").frictions == ["peur du piratage au paiement"]
    assert journey_map.touchpoint("fiche_produit").all_goals[0].target == 0.12
    assert journey_map.title_of("en") == "Fashion shopper journey"
    assert journey_map.title_of() == "Parcours cliente prêt-à-porter"
    assert journey_map.journey.timeout_delta == timedelta(days=30)
    with pytest.raises(
        InputError, match="unknown stage 'nope'; stages: decouverte, consideration, decision"
    ):
        journey_map.stage("nope")
    with pytest.raises(
        InputError, match="unknown touchpoint 'nope'; touchpoints: fiche_produit, paiement"
    ):
        journey_map.touchpoint("nope")


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"prefx": "T07"}, "unknown key 'prefx' in the pattern"),
        (
            {"prefix": "T0", "regex": "x"},
            "a pattern has either prefix or regex, e.g. {prefix: T07}",
        ),
        ({"regex": "(?<!x)y"}, "uses a lookaround"),
        ({"regex": "(a)\\1"}, "uses a backreference"),
        ({"regex": "a("}, "cannot be read"),
        ([], "is not allowed for an event: write a name, a list of names"),
        (3, "is not allowed for an event"),
    ],
    ids=[
        "misspelt_key",
        "both_kinds",
        "lookaround",
        "backreference",
        "unreadable",
        "empty",
        "number",
    ],
)
def test_match_rule_refuses_bad_patterns_with_an_example(event: Any, message: str) -> None:
    with pytest.raises(ValidationError, match="e\\.g\\. .") as caught:
        MatchRule(event=event)
    assert message in str(caught.value)


def test_match_rule_keeps_exact_names_apart_from_patterns() -> None:
    rule = MatchRule(event=["Closed", {"prefix": "T07"}, {"regex": "^T09"}])
    assert rule.events == ["Closed"]
    assert [p.prefixes or p.regex for p in rule.patterns] == [["T07"], "^T09"]
    assert rule.matches_name("T07-1 Draft") and not rule.matches_name("T08 Draft")
