"""YAML in and out: comments, key order and quoting survive a load and a dump."""

from __future__ import annotations

from pathlib import Path

from parcours.maps import Channel, JourneyMap, MatchRule, Stage, Touchpoint

VALID = Path(__file__).parent / "fixtures" / "valid" / "mode-femme.yaml"


def test_unmodified_map_dumps_byte_for_byte() -> None:
    text = VALID.read_text(encoding="utf-8")
    assert JourneyMap.loads(text).dumps() == text


def test_save_writes_the_same_file(tmp_path: Path) -> None:
    target = tmp_path / "journey.yaml"
    JourneyMap.load(VALID).save(target)
    assert target.read_bytes() == VALID.read_bytes()


def test_changes_are_written_into_the_document_keeping_comments() -> None:
    journey_map = JourneyMap.load(VALID)
    journey_map.touchpoints[1].emotion = "negative"
    journey_map.stages[0].title = {"fr": "Découverte", "en": "Discover"}
    journey_map.flow.append(("decision", "decouverte"))
    out = journey_map.dumps()
    assert "# Parcours cliente prêt-à-porter — maintained by the CX team." in out
    assert "match: {event: product_view}            # which events are this touchpoint" in out
    assert "title: 'Décision'      # single quotes are kept" in out
    assert "    title: {fr: Découverte, en: Discover}\n" in out
    assert '    frictions: ["peur du piratage au paiement"]\n    emotion: negative\n' in out
    assert out.endswith("  - [consideration, decision]\n  - [decision, decouverte]\n")
    assert JourneyMap.loads(out) == journey_map


def test_removed_items_leave_the_document() -> None:
    journey_map = JourneyMap.load(VALID)
    journey_map.touchpoints = journey_map.touchpoints[:1]
    journey_map.personas = []
    out = journey_map.dumps()
    assert "paiement" not in out and "digitale" not in out
    assert JourneyMap.loads(out) == journey_map


def test_map_built_in_python_dumps_in_field_order_without_empty_defaults() -> None:
    journey_map = JourneyMap(
        map="mini",
        title={"fr": "Mini", "en": "Mini"},
        stages=[Stage(id="decision", title="Décision")],
        channels=[Channel(id="web"), Channel(id="app", title="Application")],
        touchpoints=[
            Touchpoint(
                id="paiement",
                stage="decision",
                channel="web",
                match=MatchRule(event="checkout_payment", channel="web"),
            )
        ],
        conversion=MatchRule(event="purchase"),
    )
    assert journey_map.dumps() == (
        "map: mini\n"
        "lang: fr\n"
        "title: {fr: Mini, en: Mini}\n"
        "stages:\n"
        "  - {id: decision, title: Décision}\n"
        "channels:\n"
        "  - web\n"
        "  - {id: app, title: Application}\n"
        "touchpoints:\n"
        "  - id: paiement\n"
        "    stage: decision\n"
        "    channel: web\n"
        "    match: {event: checkout_payment, channel: web}\n"
        "conversion: {event: purchase}\n"
        "journey: {timeout: 30d}\n"
    )
    assert JourneyMap.loads(journey_map.dumps()) == journey_map
