"""The journey table: touchpoint matching (first match wins), journey cutting at
conversions and after the idle timeout, personas, mapping coverage."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from parcours.maps import JourneyMap

MAP = textwrap.dedent(
    """
    map: test-map
    title: {fr: Test, en: Test}
    stages:
      - {id: decouverte, title: Découverte}
      - {id: decision, title: Décision}
    channels: [web, magasin]
    personas:
      - {id: jeune, title: Jeune, rule: "age_band in ['18-24', '25-34']"}
      - {id: senior, title: Senior, rule: "age_band == '65+'"}
    touchpoints:
      - id: fiche_promo
        stage: decouverte
        channel: web
        match: {event: product_view, properties: {promo: true}}
      - id: fiche
        stage: decouverte
        channel: web
        match: {event: product_view}
      - id: achat_web
        stage: decision
        channel: web
        match: {event: purchase, channel: web}
      - id: achat_magasin
        stage: decision
        channel: magasin
        match: {event: purchase, channel: magasin}
    conversion: {event: purchase}
    journey: {timeout: 2d}
    """
)


def timeline(person: str, *steps: tuple[str, str, str, dict]) -> list[dict]:
    """Events of one person, written as (time, channel, event, properties)."""
    return [
        {
            "event_id": f"{person}-{i}",
            "ts": ts,
            "anonymous_id": person,
            "channel": channel,
            "event": event,
            **props,
        }
        for i, (ts, channel, event, props) in enumerate(steps)
    ]


@pytest.fixture
def jm():
    return JourneyMap.loads(MAP)


def journeys_of(ws, jm, events: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(events)
    frame["ts"] = pd.to_datetime(frame["ts"], format="ISO8601").dt.tz_localize("UTC")
    ws.ingest_events(frame)
    return ws.journeys(jm).order_by(["person_id", "ts", "event_id"]).to_pandas()


def test_first_matching_touchpoint_wins_and_unmapped_stays(ws, jm):
    got = journeys_of(
        ws,
        jm,
        timeline(
            "a",
            ("2026-03-01 10:00", "web", "product_view", {"promo": True}),
            ("2026-03-01 10:01", "web", "product_view", {"promo": False}),
            ("2026-03-01 10:02", "web", "newsletter_open", {}),
            ("2026-03-01 10:03", "magasin", "purchase", {}),
        ),
    )
    assert list(got.touchpoint) == ["fiche_promo", "fiche", "unmapped", "achat_magasin"]
    assert list(got.stage.fillna("-")) == ["decouverte", "decouverte", "-", "decision"]
    assert list(got.stage_index.fillna(-1)) == [0, 0, -1, 1]


def test_journey_cut_after_conversion_and_after_timeout(ws, jm):
    got = journeys_of(
        ws,
        jm,
        timeline(
            "a",
            ("2026-03-01 10:00", "web", "product_view", {}),
            ("2026-03-01 10:05", "web", "purchase", {}),  # ends journey 1
            ("2026-03-01 10:06", "web", "product_view", {}),  # journey 2
            ("2026-03-03 10:06", "web", "product_view", {}),  # exactly 2 days idle: same journey
            ("2026-03-05 10:06:01", "web", "product_view", {}),  # over 2 days idle: journey 3
        ),
    )
    assert list(got.journey_seq) == [1, 1, 2, 2, 3]
    assert list(got.step) == [1, 2, 1, 2, 1]
    assert list(got.converted) == [True, True, False, False, False]
    assert list(got.is_conversion) == [False, True, False, False, False]
    assert got.journey_id.nunique() == 3


def test_time_zone_change_does_not_split_journey(ws):
    # 23h30 Paris on 28 March and 09h00 Paris on 29 March (after the change to summer time)
    # are 8h30 apart in real time: with an 9h timeout they are one journey.
    jm = JourneyMap.loads(MAP.replace("timeout: 2d", "timeout: 9h"))
    frame = pd.DataFrame(
        {
            "ts": ["2026-03-28 23:30:00", "2026-03-29 09:00:00"],
            "anonymous_id": ["a", "a"],
            "channel": ["web", "web"],
            "event": ["product_view", "product_view"],
        }
    )
    ws.ingest_events(frame, timezone="Europe/Paris")
    got = ws.journeys(jm).to_pandas()
    assert got.journey_seq.tolist() == [1, 1]


def test_same_timestamp_ties_keep_their_order_of_arrival(ws, jm):
    # As in the source file (and as pm4py reads it): "b" arrived before "a".
    got = journeys_of(
        ws,
        jm,
        [
            {
                "event_id": "b",
                "ts": "2026-03-01 10:00",
                "anonymous_id": "p",
                "channel": "web",
                "event": "product_view",
            },
            {
                "event_id": "a",
                "ts": "2026-03-01 10:00",
                "anonymous_id": "p",
                "channel": "web",
                "event": "purchase",
            },
        ],
    )
    assert list(got.sort_values("step").event_id) == ["b", "a"]
    assert list(got.sort_values("step").step) == [1, 2]
    assert list(got.journey_seq) == [1, 1]
    # A later batch comes after: its events of the same instant follow.
    frame = pd.DataFrame(
        [
            {
                "event_id": "0",
                "ts": pd.Timestamp("2026-03-01 10:00", tz="UTC"),
                "anonymous_id": "p",
                "channel": "web",
                "event": "product_view",
            }
        ]
    )
    ws.ingest_events(frame)
    again = ws.journeys(jm).order_by(["journey_seq", "step"]).to_pandas()
    assert list(again.event_id) == ["b", "a", "0"]


def test_events_of_one_person_across_identifiers_share_journeys(ws, jm):
    events = [
        {"ts": "2026-03-01 10:00", "anonymous_id": "c1", "channel": "web", "event": "product_view"},
        {
            "ts": "2026-03-01 10:01",
            "anonymous_id": "c1",
            "email": "x@y.fr",
            "channel": "web",
            "event": "login",
        },
        {
            "ts": "2026-03-02 10:00",
            "loyalty_id": "L1",
            "email": "x@y.fr",
            "channel": "magasin",
            "event": "purchase",
        },
    ]
    got = journeys_of(ws, jm, events)
    assert got.person_id.nunique() == 1
    assert got.journey_id.nunique() == 1
    assert list(got.touchpoint) == ["fiche", "unmapped", "achat_magasin"]


def test_persona_from_latest_crm_row(ws, jm):
    ws.ingest_customers(
        pd.DataFrame(
            {
                "loyalty_id": ["L1", "L1", "L2"],
                "age_band": ["65+", "25-34", "45-54"],
                "updated_at": ["2025-01-01", "2026-01-01", "2026-01-01"],
            }
        )
    )
    events = [
        {
            "event_id": "l1",
            "ts": "2026-03-01 10:00",
            "loyalty_id": "L1",
            "channel": "magasin",
            "event": "purchase",
        },
        {
            "event_id": "l2",
            "ts": "2026-03-01 10:00",
            "loyalty_id": "L2",
            "channel": "magasin",
            "event": "purchase",
        },
        {
            "event_id": "c9",
            "ts": "2026-03-01 10:00",
            "anonymous_id": "c9",
            "channel": "web",
            "event": "product_view",
        },
    ]
    got = journeys_of(ws, jm, events).set_index("event_id").persona
    # L1's latest CRM row says 25-34 (its older 65+ row no longer counts); L2 matches no
    # rule; c9 has no CRM row.
    assert got["l1"] == "jeune"
    assert pd.isna(got["l2"]) and pd.isna(got["c9"])


def test_mapping_coverage(ws, jm):
    events = timeline(
        "a",
        ("2026-03-01 10:00", "web", "product_view", {}),
        ("2026-03-01 10:01", "web", "newsletter_open", {}),
        ("2026-03-01 10:02", "web", "newsletter_open", {}),
    )
    journeys_of(ws, jm, events)
    coverage = ws.coverage(jm).set_index("event")
    assert coverage.loc["newsletter_open", "events"] == 2
    assert coverage.loc["newsletter_open", "share"] == 0
    assert coverage.loc["product_view", "share"] == 1
