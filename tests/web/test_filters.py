"""The dashboard's filters keep or drop whole journeys: period, persona, channel."""

from __future__ import annotations

import pytest

from parcours.errors import InputError
from parcours.web.filters import Filters, filter_context
from tests.timelines import context_from_timelines

MAP = """
map: f
title: F
stages: [{id: s1, title: S1}, {id: s2, title: S2}]
channels: [web, app, magasin]
touchpoints:
  - {id: vue, stage: s1, channel: web, match: {event: view}}
  - {id: appli, stage: s1, channel: app, match: {event: app_view}}
  - {id: achat, stage: s2, channel: magasin, match: {event: purchase}}
conversion: {event: purchase}
journey: {timeout: 7d}
"""


@pytest.fixture
def ctx(ws):
    return context_from_timelines(
        ws,
        MAP,
        {
            # two journeys: cut by the purchase
            "anna": [
                ("2026-03-01 10:00", "web", "view"),
                ("2026-03-01 10:30", "magasin", "purchase"),
                ("2026-03-20 09:00", "app", "app_view"),
            ],
            # one journey that starts the day before the period and goes on inside it
            "bob": [
                ("2026-02-28 23:30", "web", "view"),
                ("2026-03-01 00:10", "app", "app_view"),
            ],
            # starts on the last day of the period, at its last minute
            "chloe": [("2026-03-31 23:59", "web", "view")],
        },
    )


def _journeys(ctx) -> set[tuple[str, int]]:
    frame = ctx.journeys.select("person_id", "journey_seq").distinct().to_pandas()
    names = {}
    ids = ctx.identities.to_pandas()
    for row in ids.itertuples():
        if row.kind == "customer_id":
            names[row.person_id] = row.value
    return {(names[r.person_id], int(r.journey_seq)) for r in frame.itertuples()}


def test_no_filter_keeps_the_context(ctx):
    assert filter_context(ctx, Filters()) is ctx


def test_period_keeps_journeys_starting_in_it_whole(ctx):
    march = filter_context(ctx, Filters.parse({"start": "2026-03-01", "end": "2026-03-31"}))
    # bob's journey started on 28 February: dropped whole, though it has an event on 1 March
    assert _journeys(march) == {("anna", 1), ("anna", 2), ("chloe", 1)}
    # anna's first journey keeps both its events (nothing cut inside a journey)
    assert march.journeys.filter(march.journeys.journey_seq == 1).count().execute() == 3


def test_period_end_day_is_inclusive(ctx):
    first_day = filter_context(ctx, Filters.parse({"start": "2026-03-01", "end": "2026-03-01"}))
    assert _journeys(first_day) == {("anna", 1)}
    last_day = filter_context(ctx, Filters.parse({"start": "2026-03-31"}))
    assert _journeys(last_day) == {("chloe", 1)}


def test_channel_keeps_journeys_that_touch_it(ctx):
    app = filter_context(ctx, Filters(channel="app"))
    assert _journeys(app) == {("anna", 2), ("bob", 1)}
    # bob's web event stays: the whole journey is kept, not only its app events
    assert set(app.journeys.channel.to_pandas()) == {"web", "app"}


def test_persona_on_demo_matches_pandas(demo_ws):
    ctx = demo_ws.context()
    table = ctx.journeys.select("journey_id", "persona", "channel", "ts").to_pandas()
    first = table.groupby("journey_id").ts.min()
    on_app = table.groupby("journey_id").channel.apply(lambda c: (c == "app").any())
    persona = table.groupby("journey_id").persona.first()
    expected = set(
        first[(first >= "2026-02-01") & (first < "2026-03-01") & on_app & (persona == "ropo")].index
    )
    filters = Filters.parse(
        {"start": "2026-02-01", "end": "2026-02-28", "persona": "ropo", "channel": "app"}
    )
    got = set(filter_context(ctx, filters).journeys.journey_id.to_pandas())
    assert got == expected and len(expected) > 10


def test_no_persona_keeps_persons_without_one(demo_ws):
    ctx = demo_ws.context()
    kept = filter_context(ctx, Filters(persona="-")).journeys
    assert kept.count().execute() > 0
    assert kept.persona.notnull().sum().execute() == 0


def test_bad_filters_say_what_is_allowed(ctx):
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        Filters.parse({"start": "01/03/2026"})
    with pytest.raises(InputError, match="start 2026-03-02 is after end 2026-03-01"):
        Filters.parse({"start": "2026-03-02", "end": "2026-03-01"})
    with pytest.raises(InputError, match="channels: web, app, magasin"):
        Filters(channel="fax").check(ctx.map)
    with pytest.raises(InputError, match="personas: none"):
        Filters(persona="claire").check(ctx.map)
