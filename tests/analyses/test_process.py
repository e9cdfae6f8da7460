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
from parcours.store.xes import read_xes, write_xes
from tests.conftest import to_spark

from ..timelines import context_from_timelines, events_frame

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
        zip(result.tables["variants"].variant, result.tables["variants"].cases, strict=True)
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
    assert nodes.loc["vue", "events"] == 11 and nodes.loc["vue", "cases"] == 7
    assert got.summary["persons"] == 8 and got.summary["variants"] == 7


def test_stage_level(small):
    got = process(small, level="stage", top=100)
    assert variants_of(got)["decouverte > consideration > decouverte > decision > decision"] == 2
    assert edges_of(got)[("decision", "decision")] == 5


def test_coverage_keeps_most_frequent_variants(small):
    # 8 journeys; the top variant holds 2 of them (anna, chloe): 0.25 is covered by it alone.
    got = process(small, coverage=0.25)
    assert got.summary["persons shown"] == 2
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
    assert got.summary["persons shown"] == 4
    assert edges_of(got) == {
        ("vue", "avis"): 3,
        ("avis", "vue"): 2,
        ("vue", "panier"): 2,
        ("panier", "achat"): 2,
    }
    assert any("4 most frequent edges" in n for n in got.notes)


# -- the case notion -------------------------------------------------------------------------

# lea converts on 1 March (her journey ends there) and comes back on 5 March with an order
# id; max, another person, visits the store for that same order between lea's two events.
CASES = {
    "lea": [
        ("2026-03-01 10:00", "web", "product_view"),
        ("2026-03-01 10:30", "web", "purchase"),
        ("2026-03-05 09:00", "web", "product_view", {"order": "A"}),
        ("2026-03-05 09:02", "web", "add_to_cart", {"order": "A"}),
    ],
    "max": [("2026-03-05 09:01", "magasin", "store_visit", {"order": "A"})],
}


@pytest.fixture
def cases(ws):
    return context_from_timelines(ws, JM, CASES)


def test_case_person_crosses_the_journey_cut(cases):
    got = process(cases)  # the default: one case per person
    assert got.params["case"] == "person"
    assert edges_of(got) == {("vue", "achat"): 1, ("achat", "vue"): 1, ("vue", "panier"): 1}
    assert got.summary["persons"] == 2 and got.transitions == 3
    assert variants_of(got) == {"vue > achat > vue > panier": 1, "magasin": 1}
    times = got.table.set_index(["source", "target"]).median_time_s
    assert times[("achat", "vue")] == 3 * 86_400 + 22 * 3_600 + 30 * 60  # 1 Mar 10:30 -> 5 Mar 9:00


def test_case_journey_stops_at_the_conversion(cases):
    got = process(cases, case="journey")
    assert edges_of(got) == {("vue", "achat"): 1, ("vue", "panier"): 1}
    assert got.summary["journeys"] == 3 and got.transitions == 2
    assert variants_of(got) == {"vue > achat": 1, "vue > panier": 1, "magasin": 1}


def test_case_property_spans_persons_and_leaves_out_events_without_it(cases):
    got = process(cases, case="order")
    assert edges_of(got) == {("vue", "magasin"): 1, ("magasin", "panier"): 1}
    assert got.summary["cases"] == 1
    assert variants_of(got) == {"vue > magasin > panier": 1}


def test_case_column_of_the_journey_table(cases):
    got = process(cases, case="channel")  # web events of both persons in one case
    assert edges_of(got) == {("vue", "achat"): 1, ("achat", "vue"): 1, ("vue", "panier"): 1}
    assert variants_of(got) == {"vue > achat > vue > panier": 1, "magasin": 1}


@pytest.mark.parametrize(
    "case, message",
    [
        ("nope", "no event has a value for case 'nope'; allowed: person, journey"),
        ("ts", "case 'ts' cannot be a case"),
        (" ", "case must be person, journey"),
    ],
)
def test_bad_case_says_what_is_allowed(cases, case, message):
    with pytest.raises(InputError, match=message):
        process(cases, case=case)


def test_transition_times_per_edge_in_human_bins(cases):
    got = process(cases)
    durations = got.tables["durations"]
    assert list(durations.columns) == [
        "source",
        "target",
        "bin",
        "label",
        "lower_s",
        "transitions",
        "share",
    ]
    assert durations.groupby(["source", "target"]).size().eq(8).all()  # every bin listed
    filled = durations[durations.transitions > 0]
    # vue -> achat 30 min, achat -> vue 3 d 22 h 30, vue -> panier 2 min
    assert filled[["source", "target", "label", "transitions", "share"]].values.tolist() == [
        ["achat", "vue", "1 d – 7 d", 1, 1.0],
        ["vue", "achat", "10 min – 1 h", 1, 1.0],
        ["vue", "panier", "1 min – 10 min", 1, 1.0],
    ]


def test_durations_sum_to_the_edge_frequency(small):
    got = process(small)
    summed = got.tables["durations"].groupby(["source", "target"]).transitions.sum()
    assert summed.to_dict() == edges_of(got)


def test_case_enters_the_result_key(ws):
    ws.ingest_events(events_frame(CASES))
    one = ws.process(map=JM)
    other = ws.process(map=JM, case="journey")
    assert (one.edge_count, other.edge_count) == (3, 2)


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


def case_log(ctx: Context, level: str, case: str) -> pd.DataFrame:
    """The events of the analysis in the journey table's order within a case (pm4py's row
    order)."""
    log = activity_log(ctx.journeys, level, case=case).order_by(["case_id", "step"]).to_pandas()
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
        assert math.isclose(
            times.loc[edge, "mean_time_s"], perf["mean"], rel_tol=1e-9, abs_tol=1e-6
        )


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


@pytest.mark.parametrize(
    "level, case",
    [("touchpoint", "journey"), ("stage", "journey"), ("channel", "journey"),
     ("touchpoint", "person"), ("stage", "person")],
)  # fmt: skip
def test_dfg_equals_pm4py_on_demo(demo_journeys, demo_map, level, case):
    ctx = Context(journeys=demo_journeys, map=demo_map)
    numbers = pm4py_numbers(case_log(ctx, level, case), "case_id", "activity", "ts")
    got = process(ctx, level=level, case=case, top=1_000_000)
    assert_same_as_pm4py(got, level, numbers)


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


# -- XES export ------------------------------------------------------------------------------


def test_xes_export_holds_one_trace_per_person_in_order(cases, tmp_path):
    path = tmp_path / "journeys.xes"
    assert write_xes(cases.journeys, path) == 5
    back = read_xes(path)
    traces = back.groupby("case:concept:name", sort=False)["concept:name"].agg(list)
    assert sorted(traces.tolist()) == [["magasin"], ["vue", "achat", "vue", "panier"]]
    lea = back[back["concept:name"] == "panier"].iloc[0]
    assert lea["event"] == "add_to_cart" and lea["stage"] == "decision" and lea["order"] == "A"
    assert lea["time:timestamp"] == "2026-03-05T09:02:00.000000+00:00"
    write_xes(cases.journeys, path, case="journey")
    assert read_xes(path)["case:concept:name"].nunique() == 3  # lea's journey ends at achat


@pytest.mark.parametrize("case, level", [("person", "touchpoint"), ("journey", "stage")])
def test_xes_export_read_back_by_pm4py_gives_the_same_dfg(small, tmp_path, case, level):
    pm4py = pytest.importorskip("pm4py", reason="pm4py (AGPL) is a test peer, not a dependency")
    path = tmp_path / "journeys.xes.gz"
    write_xes(small.journeys, path, case=case, level=level)
    log = pm4py.read_xes(str(path))
    dfg, starts, ends = pm4py.discover_dfg(log)
    got = process(small, case=case, level=level, unmapped=True, top=100)
    assert dict(dfg) == edges_of(got)
    assert (starts, ends) == starts_ends(got, level)
    assert log["case:concept:name"].nunique() == got.cases


def test_export_command_writes_xes_and_csv(tmp_path):
    from typer.testing import CliRunner

    from parcours.cli.app import app

    path = tmp_path / "shop.duckdb"
    with parcours.open(path) as ws:
        ws.ingest_events(events_frame(CASES))
        ws.save_map(JM, "test map")
    # The map is French, so the command speaks French unless told otherwise.
    xes = CliRunner().invoke(app, ["export", str(tmp_path / "j.xes.gz"), "-w", str(path)])
    assert xes.exit_code == 0, xes.output
    assert "5 événements écrits" in xes.output
    args = ["--lang", "en", "export", str(tmp_path / "j2.xes"), "-w", str(path)]
    assert "5 events written" in CliRunner().invoke(app, args).output
    assert read_xes(tmp_path / "j.xes.gz")["case:concept:name"].nunique() == 2
    csv = CliRunner().invoke(app, ["export", str(tmp_path / "j.csv"), "-f", "csv", "-w", str(path)])
    assert csv.exit_code == 0, csv.output
    rows = pd.read_csv(tmp_path / "j.csv")
    assert len(rows) == 5
    assert rows[rows.event_id.str.startswith("lea")].event_id.tolist() == [
        "lea-000",
        "lea-001",
        "lea-002",
        "lea-003",
    ]


def test_xes_export_refuses_unknown_case_and_level(cases, tmp_path):
    with pytest.raises(InputError, match="allowed: person, journey"):
        write_xes(cases.journeys, tmp_path / "x.xes", case="order")
    with pytest.raises(InputError, match="allowed: touchpoint, stage, channel, event"):
        write_xes(cases.journeys, tmp_path / "x.xes", level="persona")


@pytest.mark.shared_data
def test_dfg_equals_pm4py_on_bpic2012_whatever_the_journey_cuts(ws, shared_datasets):
    """The issue's case: the example map ends journeys at approval (120 edges, 246,867
    transitions per journey); per person, the default, the graph is pm4py's on the log."""
    path = shared_datasets / "bpic2012" / "bpic2012.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} is not present")
    examples = Path(__file__).parents[2] / "examples" / "bpic2012"
    report = ws.ingest_events(path, mapping=str(examples / "mapping.yaml"))
    assert report.rejected == 0
    ctx = ws.context(JourneyMap.load(examples / "journey.yaml"))

    got = process(ctx)
    assert (got.edge_count, got.transitions, got.cases) == (125, 249_113, 13_087)
    per_journey = process(ctx, case="journey")
    assert (per_journey.edge_count, per_journey.transitions) == (120, 246_867)

    raw = pd.read_csv(path)
    raw["time:timestamp"] = pd.to_datetime(raw["time:timestamp"], utc=True, format="ISO8601")
    numbers = pm4py_numbers(raw, "case:concept:name", "concept:name", "time:timestamp")
    assert_same_as_pm4py(process(ctx, level="event", top=1_000_000), "event", numbers)


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
    got = process(Context(journeys=demo_journeys, map=demo_map), case="journey")
    share = got.table.set_index(["source", "target"]).share
    web, app = share[("paiement_web", "achat_en_ligne")], share[("paiement_app", "achat_en_ligne")]
    assert app > 0.85
    assert web < 0.75
    assert app - web > 0.15
