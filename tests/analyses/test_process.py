"""Process discovery: the directly-follows graph must be pm4py's, count for count.

The small log lives in ``tests/fixtures/pm4py_dfg.json`` with what pm4py 2.7 computed on it,
so the comparison runs without pm4py; with pm4py installed the same numbers are recomputed
live, on the fixture, on the demo journeys and on the real Helpdesk log.
"""

from __future__ import annotations

import doctest
import json
import math
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import parcours
from parcours.analyses import Context
from parcours.analyses import process as module
from parcours.analyses.process import activity_log, process
from parcours.errors import InputError
from parcours.maps import JourneyMap
from tests.conftest import to_spark

from ..timelines import context_from_timelines

FIXTURE = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "pm4py_dfg.json").read_text(encoding="utf-8")
)
MAP = textwrap.dedent(
    """
    map: process-test
    title: {fr: Test, en: Test}
    stages:
      - {id: decouverte, title: Découverte}
      - {id: consideration, title: Considération}
      - {id: decision, title: Décision}
    channels: [web, app, magasin]
    touchpoints:
      - {id: vue, stage: decouverte, channel: web, match: {event: product_view}}
      - {id: avis, stage: consideration, channel: web, match: {event: review_read}}
      - {id: panier, stage: decision, channel: web, match: {event: add_to_cart}}
      - {id: achat, stage: decision, channel: web, match: {event: purchase}}
      - {id: magasin, stage: decision, channel: magasin, match: {event: store_visit}}
    conversion: {event: purchase}
    journey: {timeout: 30d}
    """
)
JM = JourneyMap.loads(MAP)


@pytest.fixture(scope="module")
def small():
    """The fixture's log through the real ingestion, identities and journeys."""
    timelines: dict[str, list[tuple]] = {}
    for person, ts, channel, event in FIXTURE["events"]:
        timelines.setdefault(person, []).append((ts, channel, event))
    workspace = parcours.open(":memory:")
    yield context_from_timelines(workspace, JM, timelines)
    workspace.close()


def edges_of(result) -> dict[tuple[str, str], int]:
    return {(s, t): int(f) for s, t, f in result.table[["source", "target", "frequency"]].values}


def starts_ends(result, level: str) -> tuple[dict[str, int], dict[str, int]]:
    nodes = result.tables["nodes"].set_index(level)
    return (
        {k: int(v) for k, v in nodes.starts.items() if v},
        {k: int(v) for k, v in nodes.ends.items() if v},
    )


def variants_of(result) -> dict[str, int]:
    return dict(
        zip(result.tables["variants"].variant, result.tables["variants"].journeys, strict=True)
    )


def test_dfg_equals_pm4py_numbers_in_fixture(small):
    got = process(small, top=100)
    expected = FIXTURE["pm4py"]
    assert edges_of(got) == {(a, b): n for a, b, n in expected["dfg"]}
    assert starts_ends(got, "touchpoint") == (
        expected["start_activities"],
        expected["end_activities"],
    )
    assert variants_of(got) == expected["variants"]
    times = got.table.set_index(["source", "target"])
    for a, b, mean, median in expected["performance"]:
        assert times.loc[(a, b), "mean_time_s"] == pytest.approx(mean)
        assert times.loc[(a, b), "median_time_s"] == pytest.approx(median)


def test_timestamp_ties_follow_event_id(small):
    # emma: add_to_cart (10:10, first listed), product_view (10:00), review_read (10:10)
    got = process(small, top=100)
    assert "vue > panier > avis" in variants_of(got)
    assert edges_of(got)[("panier", "avis")] == 1


def test_unmapped_events_are_left_out_unless_asked(small):
    assert ("vue", "unmapped") not in edges_of(process(small))
    kept = edges_of(process(small, unmapped=True))
    assert kept[("vue", "unmapped")] == 1 and kept[("unmapped", "avis")] == 1


def test_collapse_removes_self_loops(small):
    got = process(small, collapse=True, top=100)
    assert ("vue", "vue") not in edges_of(got)
    assert variants_of(got)["vue > panier > achat"] == 1  # bruno's vue > vue merged


def test_shares_and_node_counts(small):
    got = process(small)
    vue = got.table[got.table.source == "vue"].set_index("target").share
    assert vue.to_dict() == pytest.approx({"panier": 0.6, "avis": 0.3, "vue": 0.1})
    nodes = got.tables["nodes"].set_index("touchpoint")
    assert nodes.loc["vue", "events"] == 11 and nodes.loc["vue", "journeys"] == 7
    assert got.summary["journeys"] == 8 and got.summary["variants"] == 7


def test_stage_level(small):
    got = process(small, level="stage", top=100)
    assert variants_of(got)["decouverte > consideration > decouverte > decision > decision"] == 2
    assert edges_of(got)[("decision", "decision")] == 5


def test_coverage_keeps_most_frequent_variants(small):
    # 8 journeys; the top variant holds 2 of them (anna, chloe): 0.25 is covered by it alone.
    got = process(small, coverage=0.25)
    assert got.summary["journeys shown"] == 2
    assert edges_of(got) == {
        ("vue", "avis"): 2,
        ("avis", "vue"): 2,
        ("vue", "panier"): 2,
        ("panier", "achat"): 2,
    }


def test_coverage_keeps_journeys_taking_only_frequent_edges(small):
    # Edge ranks: vue>panier 1, panier>achat 2, vue>avis 3, avis>vue 4, magasin>achat 5,
    # panier>avis 6, panier>vue 7, vue>vue 8. Rarest edge per journey: farid 0 (no edge),
    # hugo 3, anna 4, chloe 4, david 5, emma 6, gaelle 7, bruno 8: half of them need 4 edges.
    got = process(small, coverage=0.5, filter_by="edges")
    assert got.summary["journeys shown"] == 4
    assert edges_of(got) == {
        ("vue", "avis"): 3,
        ("avis", "vue"): 2,
        ("vue", "panier"): 2,
        ("panier", "achat"): 2,
    }
    assert any("4 most frequent edges" in n for n in got.notes)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"level": "person"}, "allowed: touchpoint, stage, channel, event"),
        ({"coverage": 0.0}, "coverage must be a share above 0"),
        ({"coverage": 1.5}, "coverage must be a share above 0"),
        ({"filter_by": "nodes"}, "allowed: variants, edges"),
        ({"top": 0}, "top must be at least 1"),
    ],
)
def test_bad_parameters_say_what_is_allowed(small, params, message):
    with pytest.raises(InputError, match=message):
        process(small, **params)


# -- pm4py, live ---------------------------------------------------------------------------


def pm4py_numbers(log: pd.DataFrame, case: str, activity: str, ts: str):
    """pm4py's DFG, start and end activities, variants and median times on ``log``, prepared
    the pm4py way (format_dataframe sorts by case, timestamp, then row)."""
    pm4py = pytest.importorskip("pm4py", reason="pm4py (AGPL) is a test peer, not a dependency")
    frame = pm4py.format_dataframe(
        log[[case, activity, ts]].copy(), case_id=case, activity_key=activity, timestamp_key=ts
    )
    dfg, starts, ends = pm4py.discover_dfg(frame)
    performance = pm4py.discover_performance_dfg(frame)[0]
    variants = {" > ".join(k): v for k, v in pm4py.get_variants(frame).items()}
    return dict(dfg), starts, ends, variants, performance


def journey_log(ctx: Context, level: str) -> pd.DataFrame:
    """The events of the analysis in event-id order within a journey (pm4py's row order)."""
    log = activity_log(ctx.journeys, level).order_by(["journey_id", "step"]).to_pandas()
    log["ts"] = pd.to_datetime(log.ts, utc=True)
    return log


def assert_same_as_pm4py(result, level: str, numbers) -> None:
    dfg, starts, ends, variants, performance = numbers
    assert edges_of(result) == dfg
    assert starts_ends(result, level) == (starts, ends)
    assert variants_of(result) == variants
    times = result.table.set_index(["source", "target"])
    for edge, perf in performance.items():
        assert math.isclose(times.loc[edge, "median_time_s"], perf["median"], abs_tol=1e-6)
        assert math.isclose(times.loc[edge, "mean_time_s"], perf["mean"], rel_tol=1e-9)


def test_fixture_is_what_pm4py_computes():
    frame = pd.DataFrame(FIXTURE["events"], columns=["case", "ts", "channel", "event"])
    frame["ts"] = pd.to_datetime(frame.ts).dt.tz_localize("UTC")
    names = {tp.match.events[0]: tp.id for tp in JM.touchpoints}
    frame["activity"] = frame.event.map(names)
    dfg, starts, ends, variants, performance = pm4py_numbers(
        frame.dropna(subset=["activity"]), "case", "activity", "ts"
    )
    expected = FIXTURE["pm4py"]
    assert dfg == {(a, b): n for a, b, n in expected["dfg"]}
    assert (starts, ends) == (expected["start_activities"], expected["end_activities"])
    assert variants == expected["variants"]
    assert (
        sorted([a, b, v["mean"], v["median"]] for (a, b), v in performance.items())
        == (expected["performance"])
    )


@pytest.mark.parametrize("level", ["touchpoint", "stage", "channel"])
def test_dfg_equals_pm4py_on_demo_journeys(demo_journeys, demo_map, level):
    ctx = Context(journeys=demo_journeys, map=demo_map)
    numbers = pm4py_numbers(journey_log(ctx, level), "journey_id", "activity", "ts")
    assert_same_as_pm4py(process(ctx, level=level, top=1_000_000), level, numbers)


HELPDESK_MAP = textwrap.dedent(
    """
    map: helpdesk
    title: {fr: Assistance logicielle, en: Software helpdesk}
    stages:
      - {id: ouverture, title: Ouverture}
      - {id: traitement, title: Traitement}
      - {id: resolution, title: Résolution}
      - {id: cloture, title: Clôture}
    channels: [service_client]
    touchpoints:
      - {id: creation, stage: ouverture, channel: service_client, match: {event: Insert ticket}}
      - {id: gravite, stage: ouverture, channel: service_client, match: {event: Assign seriousness}}
      - {id: prise_en_charge, stage: traitement, channel: service_client, match: {event: Take in charge ticket}}
      - {id: attente, stage: traitement, channel: service_client, match: {event: Wait}}
      - {id: mise_a_niveau, stage: traitement, channel: service_client, match: {event: Require upgrade}}
      - {id: anomalie, stage: traitement, channel: service_client, match: {event: Create SW anomaly}}
      - {id: intervention, stage: traitement, channel: service_client, match: {event: Schedule intervention}}
      - {id: resolution, stage: resolution, channel: service_client, match: {event: Resolve ticket}}
      - {id: anomalie_resolue, stage: resolution, channel: service_client, match: {event: Resolve SW anomaly}}
      - {id: cloture, stage: cloture, channel: service_client, match: {event: [Closed, VERIFIED, RESOLVED, INVALID, DUPLICATE]}}
    conversion: {event: no such event}
    journey: {timeout: 3650d}
    """
)


@pytest.mark.shared_data
def test_dfg_equals_pm4py_on_helpdesk_log(ws, shared_datasets):
    path = shared_datasets / "helpdesk" / "helpdesk.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} is not present")
    raw = pd.read_csv(path)
    # 127 rows are exact duplicates: the row number as event id keeps every row, and makes
    # parcours break timestamp ties in file order, as pm4py does.
    raw["row"] = [f"{i:06d}" for i in range(len(raw))]
    report = ws.ingest_events(
        raw,
        {
            "event_id": "row",
            "customer_id": "case:concept:name",
            "event": "concept:name",
            "ts": "time:timestamp",
            "channel": {"value": "service_client"},
        },
    )
    assert report.rejected == 0 and ws.counts()["events"] == len(raw) == 21_348
    jm = JourneyMap.loads(HELPDESK_MAP)
    ctx = ws.context(jm)
    assert ctx.journeys.journey_id.nunique().to_pyarrow().as_py() == 4_580  # one per ticket

    raw["time:timestamp"] = pd.to_datetime(raw["time:timestamp"], utc=True)
    numbers = pm4py_numbers(raw, "case:concept:name", "concept:name", "time:timestamp")
    assert_same_as_pm4py(process(ctx, level="event", top=1_000_000), "event", numbers)

    stage_of = {e: tp.stage for tp in jm.touchpoints for e in tp.match.events}
    raw["stage"] = raw["concept:name"].map(stage_of)
    numbers = pm4py_numbers(raw, "case:concept:name", "stage", "time:timestamp")
    assert_same_as_pm4py(process(ctx, level="stage", top=1_000_000), "stage", numbers)


# -- PySpark -------------------------------------------------------------------------------


@pytest.mark.spark
def test_same_numbers_on_pyspark(small, spark_con):  # noqa: F811
    journeys = to_spark(spark_con, "process_journeys", small.journeys)
    on_spark = Context(journeys=journeys, map=JM)
    expected = process(small, top=100)
    got = process(on_spark, top=100)
    for name, frame in [("edges", got.table), *got.tables.items()]:
        want = expected.table if name == "edges" else expected.tables[name]
        pd.testing.assert_frame_equal(frame, want, check_dtype=False)
    from parcours.analyses.conformance import conformance
    from parcours.analyses.paths import paths

    flow_map = JM.model_copy(update={"flow": [("decouverte", "consideration")]})
    for analysis, params in [(paths, {"length": 3}), (conformance, {})]:
        expected = analysis(Context(journeys=small.journeys, map=flow_map), **params)
        got = analysis(Context(journeys=journeys, map=flow_map), **params)
        assert got.summary == pytest.approx(expected.summary), (got.summary, expected.summary)
        pd.testing.assert_frame_equal(got.table, expected.table, check_dtype=False)


def test_docstring_example_runs():
    assert doctest.testmod(module).failed == 0


def test_planted_web_payment_friction_shows_in_the_dfg(demo_journeys, demo_map):
    """PLANTED.md, friction 1: a payment is followed by a purchase 60 % of the time on the
    web, 90 % in the app (a failed payment may also end the journey: no outgoing edge)."""
    got = process(Context(journeys=demo_journeys, map=demo_map))
    share = got.table.set_index(["source", "target"]).share
    web, app = share[("paiement_web", "achat_en_ligne")], share[("paiement_app", "achat_en_ligne")]
    assert app > 0.85
    assert web < 0.75
    assert app - web > 0.15
