"""Compare: a before/after where conversion improves significantly, one where the change is
within noise, segments, NPS and map versions, on hand-made timelines."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest
from scipy.stats import chi2_contingency

import parcours
from parcours.analyses import _stats, get
from parcours.errors import InputError
from parcours.maps import JourneyMap
from tests.timelines import events_frame

MAP = textwrap.dedent(
    """
    map: shop
    title: {fr: Boutique, en: Shop}
    stages:
      - {id: decouverte, title: Découverte}
      - {id: decision, title: Décision}
    channels: [web, app]
    touchpoints:
      - {id: fiche, stage: decouverte, channel: web, match: {event: product_view}}
      - {id: achat, stage: decision, channel: web, match: {event: purchase}}
      - {id: livraison, stage: decision, channel: web, match: {event: delivered}}
    conversion: {event: purchase}
    """
)


def cohort(prefix: str, start: str, persons: int, buyers: int, channel: str = "web") -> dict:
    """``persons`` persons, one a day from ``start``: a product view, and for the first
    ``buyers`` a purchase ten minutes later."""
    out = {}
    for i in range(persons):
        day = pd.Timestamp(start) + pd.Timedelta(hours=6 * i)
        steps = [(str(day), channel, "product_view")]
        if i < buyers:
            steps.append((str(day + pd.Timedelta(minutes=10)), channel, "purchase"))
        out[f"{prefix}{i:03d}"] = steps
    return out


def nps_answers(persons: list[str], scores: list[int], day: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ts": pd.Timestamp(day, tz="UTC"),
            "customer_id": persons,
            "touchpoint": "livraison",
            "kind": "nps",
            "score": scores,
        }
    )


@pytest.fixture(scope="module")
def shop():
    """Before/after pairs, built once (the tests only read it):

    * January 20 of 100 convert, April 45 of 100 (a fix that worked);
    * July 20 of 100, October 24 of 100 (noise);
    * NPS in January: 5 promoters, 2 passives, 3 detractors of 10; April: 8, 1, 1.
    """
    ws = parcours.open(":memory:")
    timelines = {
        **cohort("jan", "2026-01-01", 100, 20),
        **cohort("apr", "2026-04-01", 100, 45, channel="app"),
        **cohort("jul", "2026-07-01", 100, 20),
        **cohort("oct", "2026-10-01", 100, 24),
    }
    assert ws.ingest_events(events_frame(timelines)).rejected == 0
    jan = [f"jan{i:03d}" for i in range(10)]
    apr = [f"apr{i:03d}" for i in range(10)]
    ws.ingest_feedback(nps_answers(jan, [10, 9, 9, 10, 9, 8, 7, 6, 3, 0], "2026-01-20"))
    ws.ingest_feedback(nps_answers(apr, [10, 9, 9, 10, 9, 10, 9, 9, 7, 5], "2026-04-20"))
    jm = JourneyMap.loads(MAP)
    ws.save_map(jm)
    # version 2 drops the product page touchpoint
    v2 = MAP.replace(
        "  - {id: fiche, stage: decouverte, channel: web, match: {event: product_view}}\n", ""
    )
    ws.save_map(JourneyMap.loads(v2))
    yield ws.context(jm)
    ws.close()


def run(ctx, **params):
    return get("compare")(ctx, min_journeys=10, **params)


@pytest.fixture(scope="module")
def improved(shop):
    return run(shop, period_a="2026-01-01..2026-03-31", period_b="2026-04-01..2026-06-30")


def head(result) -> pd.Series:
    return result.table.set_index(["metric", "id"]).loc[("conversion", "(all journeys)")]


def test_conversion_improves_significantly(improved):
    result = improved
    row = head(result)
    assert (row.n_a, row.x_a, row.n_b, row.x_b) == (100, 20, 100, 45)
    assert row.change == pytest.approx(0.25)
    chi2, p, _, _ = chi2_contingency([[20, 80], [45, 55]], correction=False)
    assert row.p_value == pytest.approx(p) and p < 0.001
    assert row.significant and row.change_low > 0
    assert result.summary["conversion change significant"] is True


def test_small_change_is_not_significant(shop):
    result = run(shop, period_a="2026-07-01..2026-09-30", period_b="2026-10-01..2026-12-31")
    row = head(result)
    assert (row.x_a, row.x_b) == (20, 24)
    assert row.p_value > 0.4 and not row.significant
    assert row.change_low < 0 < row.change_high


def test_stage_reach_and_conversion_rows(improved):
    table = improved.table
    rows = table.set_index(["metric", "id"])
    assert rows.loc[("reach", "decision"), ["x_a", "n_a"]].tolist() == [20, 100]
    assert rows.loc[("conversion", "decouverte"), ["x_b", "n_b"]].tolist() == [45, 100]


def test_a_journey_belongs_to_the_period_it_starts_in(shop):
    # the last January person starts on 2026-01-25 18:00; a period ending that day keeps them
    result = run(shop, period_a="2026-01-25..2026-01-25", period_b="2026-01-01..2026-01-24")
    row = head(result)
    assert row.n_a + row.n_b == 100 and row.n_a == 4


def test_segments_by_channel(shop):
    result = run(shop, segment_a="channel=web", segment_b="channel=app")
    row = head(result)
    assert (row.n_a, row.x_a, row.n_b, row.x_b) == (300, 64, 100, 45)
    # feedback follows the persons of each segment
    nps = result.tables["nps"].set_index("id").loc["(all answers)"]
    assert (nps.answers_a, nps.answers_b) == (10, 10)


def test_nps_change_and_its_test(improved):
    result = improved
    nps = result.tables["nps"].set_index("id").loc["livraison"]
    # January: 5 promoters, 3 detractors of 10 -> +20; April: 8 and 1 -> +70
    assert (nps.nps_a, nps.nps_b, nps.change) == pytest.approx((20.0, 70.0, 50.0))
    expected = _stats.nps_test(5, 3, 10, 8, 1, 10)
    assert nps.p_value == pytest.approx(expected.p_value)
    assert result.summary["NPS A"] == 20.0


def test_friction_ranking_side_by_side(improved):
    frictions = improved.tables["frictions"]
    fiche = frictions.set_index("id").loc["fiche"]
    # January: 80 of 100 journeys end on the product page; April: 55 of 100
    assert (fiche.exit_rate_a, fiche.exit_rate_b) == (0.8, 0.55)
    assert fiche.significant and fiche.change < 0


def test_map_versions(shop):
    result = run(shop, map_version_a=1, map_version_b=2)
    rows = result.table.set_index(["metric", "id"])
    assert rows.loc[("reach", "decouverte"), "x_a"] == 400  # every journey meets fiche
    assert rows.loc[("reach", "decouverte"), "x_b"] == 0  # version 2 has no such touchpoint
    assert head(result).change == 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period_a": "2026-01-01..2026-03-31"}, "give both period_a and period_b"),
        (
            {"period_a": "2026-01-01..2026-03-31", "segment_b": "channel=web"},
            "got period, segment",
        ),
        ({"period_a": "janvier", "period_b": "2026-04-01..2026-06-30"}, "is not a period"),
        (
            {"period_a": "2026-03-01..2026-01-01", "period_b": "2026-04-01..2026-06-30"},
            "ends before",
        ),
        ({"segment_a": "age=30", "segment_b": "channel=web"}, "keys: persona, channel"),
        ({"segment_a": "channel=fax", "segment_b": "channel=web"}, "channels: web, app"),
        ({"map_version_a": 1, "map_version_b": 9}, "versions: 1, 2"),
    ],
)
def test_bad_parameters_say_what_is_allowed(shop, params, message):
    with pytest.raises(InputError, match=message):
        run(shop, **params)


def _context(timelines: dict):
    ws = parcours.open(":memory:")
    assert ws.ingest_events(events_frame(timelines)).rejected == 0
    return ws, ws.context(JourneyMap.loads(MAP))


def test_default_is_the_last_settled_month_against_the_month_before():
    # from 1 January to the last event on 5 April: with the map's 30-day timeout, journeys
    # started in March may still go on after the data's end, so February (B) against January
    # (A). January: "ana" on the 1st and 40 persons from the 14th (4 a day), 8 buyers;
    # February: 40 persons from the 10th, 20 buyers; March: 5 persons, not compared.
    ws, ctx = _context(
        {
            "ana": [("2026-01-01 09:00", "web", "product_view")],
            **cohort("jan", "2026-01-14", 40, 8),
            **cohort("feb", "2026-02-10", 40, 20),
            **cohort("mar", "2026-03-09", 5, 5),
            "zoe": [("2026-04-05 12:00", "web", "product_view")],
        }
    )
    try:
        params = get("compare").overview(ctx)
        assert params == {
            "period_a": "2026-01-01..2026-01-31",
            "period_b": "2026-02-01..2026-02-28",
        }
        # with no pair given, compare runs on those periods and says so
        result = run(ctx)
        assert (result.params["period_a"], result.params["period_b"]) == (
            "2026-01-01..2026-01-31",
            "2026-02-01..2026-02-28",
        )
        assert (result.journeys_a, result.journeys_b) == (41, 40)
        assert (result.conversion_a, result.conversion_b) == (8 / 41, 0.5)
        assert any(
            note.startswith("no pair given: the last full calendar month that ended one journey")
            for note in result.notes
        )
    finally:
        ws.close()


@pytest.mark.parametrize(
    ("last_event", "period_b"),
    [
        # February's last journey may go on to 30 March 23:59: settled one timeout later
        ("2026-03-31 00:00", "2026-02-01..2026-02-28"),
        ("2026-03-30 23:59", "2026-01-01..2026-01-31"),
    ],
)
def test_default_month_ends_one_timeout_before_the_last_event(last_event, period_b):
    ws, ctx = _context(
        {
            "ana": [("2025-12-01 00:00", "web", "product_view")],
            "bob": [(last_event, "web", "product_view")],
        }
    )
    try:
        assert get("compare").overview(ctx)["period_b"] == period_b
    finally:
        ws.close()


def test_default_needs_two_settled_months_of_data():
    ws, ctx = _context(
        {
            "ana": [("2026-01-02 09:00", "web", "product_view")],
            "bob": [("2026-03-10 23:59", "web", "product_view")],
        }
    )
    try:
        with pytest.raises(
            InputError, match=r"timeout \(30d\).*needs data from 2025-12-01 to 2026-01-31"
        ):
            get("compare").overview(ctx)
    finally:
        ws.close()


def test_funnel_counts_only_persons_whose_window_has_closed(shop):
    # October is the end of the data (last event: oct099's view, 25 October 18:00). With the
    # funnel's 14-day window, oct044..oct099 (views after 11 October 18:00, none a buyer)
    # are still in their window: neither converted nor lost. July's windows are all closed.
    result = run(
        shop,
        period_a="2026-07-01..2026-09-30",
        period_b="2026-10-01..2026-12-31",
        steps=["fiche", "achat"],
    )
    row = result.table.set_index(["metric", "id"]).loc[("funnel", "2. achat")]
    assert (row.n_a, row.x_a, row.n_b, row.x_b) == (100, 20, 44, 24)
    assert row.rate_b == pytest.approx(24 / 44)
    assert any("window" in note for note in result.notes)
