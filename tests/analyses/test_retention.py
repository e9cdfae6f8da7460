"""retention: repeat purchases, cohorts, inter-purchase times, RFM and CLV.

Hand-computed timelines for the counting rules, a tiny RFM set scored by hand, the demo
retailer for the whole pipeline, and the real CDNOW data against ``lifetimes`` (recorded in
``tests/fixtures/lifetimes_cdnow.json``) and the published BG/NBD parameters.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from ruamel.yaml import YAML

import parcours
from parcours.analyses import Context, _rfm
from parcours.analyses.retention import retention
from parcours.errors import InputError
from parcours.maps import JourneyMap
from tests.conftest import SHARED_DATASETS
from tests.timelines import context_from_timelines

ROOT = Path(__file__).resolve().parents[2]
CDNOW_FILE = SHARED_DATASETS / "cdnow" / "CDNOW_master.txt.gz"
CDNOW_MAPPING = ROOT / "examples" / "cdnow" / "mapping.yaml"
PEER = json.loads((ROOT / "tests" / "fixtures" / "lifetimes_cdnow.json").read_text("utf-8"))
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # Fader, Hardie & Lee 2005

MAP = """
map: shop
title: Shop
stages: [{id: browse, title: Browse}, {id: buy, title: Buy}]
channels: [web]
touchpoints:
  - {id: fiche, stage: browse, channel: web, match: {event: view}}
  - {id: achat, stage: buy, channel: web, match: {event: purchase}}
conversion: {event: purchase}
"""

TIMELINES = {
    # three purchase days (two purchases on 01-05 count as one): gaps of 10 and 45 days
    "anna": [
        ("2026-01-05 09:00", "web", "purchase", {}, 10.0),
        ("2026-01-05 18:00", "web", "purchase", {}, 5.0),
        ("2026-01-15 10:00", "web", "purchase", {}, 20.0),
        ("2026-03-01 10:00", "web", "purchase", {}, 30.0),
    ],
    # one purchase; a later visit sets the end of the data (2026-03-10)
    "ben": [
        ("2026-02-10 10:00", "web", "purchase", {}, 50.0),
        ("2026-03-10 10:00", "web", "view"),
    ],
    "chloe": [("2026-01-10 10:00", "web", "view")],  # never buys
    "dan": [  # gap of 7 days
        ("2026-01-20 10:00", "web", "purchase", {}, 10.0),
        ("2026-01-27 10:00", "web", "purchase", {}, 10.0),
    ],
}


@pytest.fixture(scope="module")
def ctx():
    """The timelines above, ingested once for the module (the tests only read them)."""
    workspace = parcours.open(":memory:")
    yield context_from_timelines(workspace, MAP, TIMELINES)
    workspace.close()


def test_repeat_rate_counts_purchase_days(ctx):
    result = retention(ctx)
    s = result.summary
    assert s["calibration end"] == "2026-03-10"
    assert (s["buyers"], s["repeat buyers"], s["purchases"]) == (3, 2, 6)
    assert s["repeat purchase rate"] == pytest.approx(2 / 3)
    assert s["revenue"] == pytest.approx(135.0)
    assert s["median days between purchases"] == 10  # gaps 7, 10, 45
    assert "BG/NBD r" not in s  # 3 buyers are too few to fit a model
    assert result.table.persons.sum() == 3


def test_inter_purchase_distribution_by_hand(ctx):
    inter = retention(ctx).tables["inter_purchase"].set_index("interval")
    assert inter.gaps.to_dict() == {
        "1-7 days": 1,
        "8-14 days": 1,
        "15-30 days": 0,
        "31-60 days": 1,
        "61-90 days": 0,
        "91-180 days": 0,
        "181-365 days": 0,
        "over 365 days": 0,
    }
    assert inter.cumulative.iloc[-1] == pytest.approx(1.0)


def test_cohorts_by_month_of_first_purchase(ctx):
    cohorts = retention(ctx).tables["cohorts"].set_index("cohort")
    # January: anna (buys in months 0 and 2) and dan (month 0); February: ben.
    assert cohorts.loc["2026-01"].persons == 2
    assert list(cohorts.loc["2026-01", ["m0", "m1", "m2"]]) == [1.0, 0.0, 0.5]
    assert cohorts.loc["2026-02"].persons == 1
    assert list(cohorts.loc["2026-02", ["m0", "m1"]]) == [1.0, 0.0]
    assert math.isnan(cohorts.loc["2026-02", "m2"])  # April is after the end of the data


def test_cohort_period_partial_at_the_end_of_data_and_blank_after(ctx):
    """The data ends on 2026-03-10 (ben's view): March is partial, April not observed."""
    result = retention(ctx)
    cohorts = result.tables["cohorts"].set_index("cohort")
    assert list(cohorts.columns) == ["persons", "m0", "m1", "m2", "partial"]
    january, february = cohorts.loc["2026-01"], cohorts.loc["2026-02"]
    # January: anna and dan; February (m1) complete at 0, March (m2) partial: anna came back
    assert list(january[["m0", "m1", "m2"]]) == [1.0, 0.0, 0.5]
    assert january.partial == "m2"
    # February: ben; March (m1) partial at 0 so far, April (m2) not observed: blank, not 0
    assert list(february[["m0", "m1"]]) == [1.0, 0.0]
    assert february.partial == "m1"
    assert math.isnan(february.m2)
    assert (
        "Cells and periods marked * (column partial): the period is not over yet." in result.notes
    )


def test_cohort_period_over_when_calibration_end_is_its_last_day(ctx):
    """Events after 2026-02-28 show that day is over: February is complete, none partial."""
    result = retention(ctx, calibration_end="2026-02-28")
    cohorts = result.tables["cohorts"].set_index("cohort")
    assert list(cohorts.columns) == ["persons", "m0", "m1", "partial"]
    assert list(cohorts.loc["2026-01", ["m0", "m1"]]) == [1.0, 0.0]
    assert cohorts.loc["2026-02", "m0"] == 1.0
    assert cohorts.partial.isna().all()
    assert not any("marked *" in note for note in result.notes)


def test_cohort_periods_after_the_data_are_blank_even_with_a_later_calibration_end(ctx):
    """A calibration end after the last event (2026-03-10) observes nothing more: no April or
    May column (they would read 0), February's April blank, March still partial."""
    cohorts = retention(ctx, calibration_end="2026-05-31").tables["cohorts"]
    cohorts = cohorts.set_index("cohort")
    assert list(cohorts.columns) == ["persons", "m0", "m1", "m2", "partial"]
    assert cohorts.loc["2026-01", "m2"] == 0.5 and cohorts.loc["2026-01", "partial"] == "m2"
    assert math.isnan(cohorts.loc["2026-02", "m2"])


def test_calibration_end_leaves_later_purchases_out(ctx):
    result = retention(ctx, calibration_end="2026-02-15")
    s = result.summary
    assert (s["buyers"], s["repeat buyers"], s["purchases"]) == (3, 2, 5)  # anna's 03-01 out
    assert list(result.tables["cohorts"].columns) == ["cohort", "persons", "m0", "m1", "partial"]
    assert list(result.tables["cohorts"].partial) == ["m1", "m0"]  # 02-15: February not over
    assert result.params["calibration_end"] == "2026-02-15"


def test_no_purchase_gives_an_empty_result(ws):
    ctx = context_from_timelines(ws, MAP, {"eve": [("2026-01-10 10:00", "web", "view")]})
    result = retention(ctx)
    assert result.summary == {"buyers": 0}
    assert result.table.persons.sum() == 0
    assert any("No purchase" in note for note in result.notes)


@pytest.mark.parametrize(
    ("params", "allowed"),
    [
        ({"calibration_end": "30/09/1997"}, "YYYY-MM-DD"),
        ({"horizon_months": 0}, "1 to 240"),
        ({"discount_rate": 1.5}, "0 <= rate < 1"),
        ({"rfm_bins": 1}, "2 to 10"),
        ({"top": -1}, "0 or more"),
    ],
)
def test_bad_parameters_say_what_is_allowed(ctx, params, allowed):
    with pytest.raises(InputError, match=allowed) as raised:
        retention(ctx, **params)
    assert next(iter(params)) in str(raised.value)


# -- RFM -------------------------------------------------------------------------------------


def _scored(bins: int) -> pd.DataFrame:
    people = ibis.memtable(
        {
            "person_id": ["p0", "p1", "p2", "p3", "p4"],
            "recency_days": [0, 10, 20, 30, 40],
            "frequency": [5, 2, 1, 1, 1],
            "monetary": [100.0, 50.0, 40.0, 30.0, 10.0],
        }
    )
    return _rfm.add_scores(people, bins).to_pandas().set_index("person_id").sort_index()


def test_rfm_scores_on_a_tiny_set():
    scored = _scored(5)
    assert scored.r.tolist() == [5, 4, 3, 2, 1]  # most recent first
    assert scored.f.tolist() == [5, 4, 1, 1, 1]  # the three single buyers share score 1
    assert scored.m.tolist() == [5, 4, 3, 2, 1]
    assert scored.segment.tolist() == [
        "champions",
        "loyal",
        "about_to_sleep",
        "hibernating",
        "hibernating",
    ]


def test_rfm_other_bins_are_put_on_the_five_scale():
    scored = _scored(3)
    assert scored.r.tolist() == [3, 3, 2, 1, 1]  # 1 + floor(3 * percent rank)
    # R 3 -> 5, 2 -> 4, 1 -> 2 on the five scale; F 3 -> 5, 1 -> 2
    assert scored.segment.tolist() == [
        "champions",
        "champions",
        "potential_loyalist",
        "hibernating",
        "hibernating",
    ]


def test_segment_grid_covers_every_cell_once():
    for r in range(1, 6):
        for f in range(1, 6):
            found = [
                s.id
                for s in _rfm.SEGMENTS
                if s.recency[0] <= r <= s.recency[1] and s.frequency[0] <= f <= s.frequency[1]
            ]
            assert len(found) == 1, (r, f, found)


# -- the demo retailer -----------------------------------------------------------------------


def test_demo_retailer_end_to_end(demo_journeys, demo_map):
    ctx = Context(journeys=demo_journeys, map=demo_map)
    result = retention(ctx, top=5)
    s = result.summary
    buyers = demo_journeys.filter(demo_journeys.is_conversion).person_id.nunique().execute()
    assert s["buyers"] == buyers
    assert result.table.share.sum() == pytest.approx(1.0)
    assert s["BG/NBD r"] > 0 and s["Gamma-Gamma q"] > 1
    predictions = result.tables["predictions"]
    assert len(predictions) == 5
    assert predictions.clv.is_monotonic_decreasing
    assert (predictions.p_alive.between(0, 1)).all()
    assert (result.tables["cohorts"].m0 == 1.0).all()
    assert s["mean CLV per buyer"] * s["buyers"] == pytest.approx(
        s["expected revenue next 12 months"]
    )


# -- CDNOW, real data ------------------------------------------------------------------------

CDNOW_MAP = """
map: cdnow
title: CDNOW
stages: [{id: achat, title: Purchase}]
channels: [web]
touchpoints: [{id: achat_cd, stage: achat, channel: web, match: {event: purchase}}]
conversion: {event: purchase}
"""
# Options of examples/cdnow/mapping.yaml that only file sources need.
FILE_ONLY = ("delimiter", "duplicate_rows")


def _cdnow_mapping() -> dict:
    return YAML(typ="safe").load(CDNOW_MAPPING.read_text("utf-8"))["events"]


@pytest.fixture(scope="module")
def cdnow():
    """The CDNOW master file read by pandas (whitespace-separated) and ingested through the
    example mapping, each line its own event (``event_id`` = line number)."""
    if not CDNOW_FILE.exists():
        pytest.skip(f"CDNOW data not present at {CDNOW_FILE} (it lives in ../shared)")
    frame = pd.read_csv(CDNOW_FILE, sep=r"\s+", dtype=str)
    frame["line"] = [str(i) for i in range(1, len(frame) + 1)]
    spec = {k: v for k, v in _cdnow_mapping().items() if k not in FILE_ONLY}
    ws = parcours.open(":memory:")
    report = ws.ingest_events(frame, mapping={**spec, "event_id": "line"})
    assert report.rejected == 0
    yield ws, ws.context(JourneyMap.loads(CDNOW_MAP))
    ws.close()


def test_cdnow_file_ingests_through_the_example_mapping(ws):
    if not CDNOW_FILE.exists():
        pytest.skip(f"CDNOW data not present at {CDNOW_FILE} (it lives in ../shared)")
    report = ws.ingest_events(CDNOW_FILE, mapping=str(CDNOW_MAPPING))
    assert (report.accepted, report.rejected) == (69_659, 0)
    assert ws.context(JourneyMap.loads(CDNOW_MAP)).journeys.person_id.nunique().execute() == 23_570


def test_cdnow_transactions_and_persons(cdnow):
    ws, ctx = cdnow
    assert ws.events.count().execute() == 69_659
    assert ctx.journeys.person_id.nunique().execute() == 23_570


def _assert_params(summary: dict, expected: dict, prefix: str, rel: float = 0.01) -> None:
    for name, value in expected.items():
        assert summary[f"{prefix} {name}"] == pytest.approx(value, rel=rel), name


def test_cdnow_master_matches_lifetimes(cdnow):
    _, ctx = cdnow
    peer = PEER["master"]
    result = retention(ctx, calibration_end=peer["calibration_end"])
    s = result.summary
    assert (s["buyers"], s["repeat buyers"]) == (peer["customers"], peer["repeat_customers"])
    _assert_params(s, peer["bgnbd"], "BG/NBD")
    assert s["BG/NBD log-likelihood"] == pytest.approx(peer["bgnbd_log_likelihood"], abs=0.01)
    _assert_params(s, peer["gamma_gamma"], "Gamma-Gamma")
    clv = s["expected revenue next 12 months"]
    assert clv == pytest.approx(peer["clv_12_months_1pct_total"], rel=0.01)
    assert s["holdout weeks"] == 39  # 1997-10-01 to 1998-06-30


def test_cdnow_sample_gives_the_published_parameters(cdnow):
    ws, ctx = cdnow
    ids = ws.identities()
    sample = [f"{i:05d}" for i in PEER["sample"]["master_ids"]]
    persons = ids.filter((ids.kind == "customer_id") & ids.value.isin(sample)).select("person_id")
    journeys = ctx.journeys.semi_join(persons, "person_id")
    result = retention(Context(journeys=journeys, map=ctx.map), calibration_end="1997-09-30")
    s = result.summary
    assert s["buyers"] == PEER["sample"]["customers"]
    _assert_params(s, PEER["sample"]["bgnbd"], "BG/NBD")
    _assert_params(s, PUBLISHED, "BG/NBD")
    assert np.round(s["BG/NBD log-likelihood"], 1) == -9582.4
    _assert_params(s, PEER["sample"]["gamma_gamma"], "Gamma-Gamma")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_rfm_segments_have_one_name_and_a_description_in_each_language(lang):
    """The segments table (the report) names a segment as the dashboard's cells do, and
    says who they are in the reader's language."""
    from parcours.analyses import _rfm
    from parcours.analyses.retention import _segment_definitions
    from parcours.render._result_words import VALUES

    table = _segment_definitions(lang).set_index("segment")
    for segment in _rfm.SEGMENTS:
        assert table.loc[segment.id, "title"] == VALUES[segment.id][0 if lang == "fr" else 1]
    champions = table.loc["champions", "description"]
    assert champions == (
        "ont acheté récemment et souvent" if lang == "fr" else "bought recently and often"
    )
