"""Results kept in the workspace: an analysis asked again with the same map, data version and
parameters is read from the ``results`` table; new data, an erasure and another map make it
computed again; a damaged or unwritable table never fails the analysis."""

from __future__ import annotations

import dataclasses
import functools
import pickle
import textwrap
from datetime import timedelta

import pandas as pd
import pytest

import parcours
from parcours.analyses import REGISTRY, Result
from parcours.analyses._split import SplitResult
from parcours.maps import JourneyMap
from parcours.store import results, schema
from tests.counting import count_calls
from tests.old_workspaces import workspace_of_version
from tests.timelines import events_frame

MAP = textwrap.dedent(
    """
    map: results-test
    title: {fr: Résultats, en: Results}
    stages:
      - {id: decouverte, title: Découverte}
      - {id: decision, title: Décision}
    channels: [web, magasin]
    touchpoints:
      - {id: fiche, stage: decouverte, channel: web, match: {event: product_view}}
      - {id: panier, stage: decision, channel: web, match: {event: add_to_cart}}
      - {id: achat, stage: decision, channel: web, match: {event: purchase}}
    conversion: {event: purchase}
    journey: {timeout: 2d}
    """
)

# Three shoppers: two buy, one stops at the cart.
FIRST = {
    "claire": [
        ("2026-03-01 10:00", "web", "product_view"),
        ("2026-03-01 10:05", "web", "add_to_cart"),
        ("2026-03-01 10:09", "web", "purchase", {}, 80.0),
    ],
    "marc": [
        ("2026-03-02 11:00", "web", "product_view"),
        ("2026-03-02 11:03", "web", "add_to_cart"),
    ],
    "ines": [
        ("2026-03-03 09:00", "web", "product_view"),
        ("2026-03-03 09:30", "web", "add_to_cart"),
        ("2026-03-03 09:31", "web", "purchase", {}, 25.0),
    ],
}
# A later batch: two newcomers who only look.
SECOND = {
    "paul": [("2026-03-05 15:00", "web", "product_view")],
    "lea": [("2026-03-06 16:00", "web", "product_view")],
}
STEPS = ["fiche", "panier", "achat"]


@pytest.fixture
def jm():
    return JourneyMap.loads(MAP)


@pytest.fixture
def shop(jm):
    """A workspace holding the first batch and the map, saved."""
    ws = parcours.open(":memory:")
    ws.ingest_events(events_frame(FIRST))
    ws.save_map(jm, "test map")
    yield ws
    ws.close()


@pytest.fixture
def calls(monkeypatch):
    return count_calls(monkeypatch)


def assert_same(a: Result, b: Result) -> None:
    """Same class, figures, tables, notes and parameters."""
    assert type(a) is type(b)
    for f in dataclasses.fields(a):
        left, right = getattr(a, f.name), getattr(b, f.name)
        if isinstance(left, pd.DataFrame):
            pd.testing.assert_frame_equal(left, right)
        elif f.name == "groups":
            assert [v for v, _ in left] == [v for v, _ in right]
            for (_, x), (_, y) in zip(left, right, strict=True):
                assert_same(x, y)
        else:
            assert left == right or (left != left and right != right), f.name
    assert a.to_dict() == b.to_dict()


def kept(ws) -> pd.DataFrame:
    return results.stored(ws.con)


# -- read, not computed ----------------------------------------------------------------------


def test_same_call_twice_is_read_the_second_time(shop, calls):
    first = shop.funnel(STEPS)
    second = shop.funnel(STEPS)
    assert calls == {"funnel": 1}
    assert_same(first, second)
    assert first.entered == 3 and first.converted == 2
    assert list(kept(shop).analysis) == ["funnel"]


def test_every_way_of_asking_shares_one_result(shop, jm, calls):
    shop.analyze("funnel", steps=STEPS)
    shop.funnel(STEPS, window="14d", order="ordered")  # the defaults, given
    shop.analyze("funnel", jm, lang="fr", steps=tuple(STEPS))  # the map's language
    shop.runner(jm)("funnel", None, {"steps": STEPS})  # the report's and the canvas' way
    assert calls == {"funnel": 1}
    shop.funnel(STEPS, window="1d")
    shop.analyze("funnel", lang="en", steps=STEPS)
    assert calls == {"funnel": 3}


def test_fresh_computes_again_and_keeps_the_new_result(shop, calls):
    first = shop.kpis()
    again = shop.kpis(fresh=True)
    assert calls == {"kpis": 2}
    assert_same(first, again)
    shop.kpis()
    assert calls == {"kpis": 2} and len(kept(shop)) == 1


def test_a_split_result_is_kept_too(shop, calls):
    first = shop.kpis(by="persona")
    second = shop.kpis(by="persona")
    assert isinstance(second, SplitResult) and calls == {"kpis": 1}  # one group: (none)
    assert_same(first, second)
    shop.kpis()
    assert calls == {"kpis": 2}  # unsplit: another result


def test_a_scope_is_part_of_the_key(shop, calls):
    @dataclasses.dataclass(frozen=True)
    class Since:
        day: str

        def key(self):
            return ("since", self.day)

        def apply(self, ctx):
            j = ctx.journeys
            return dataclasses.replace(ctx, journeys=j.filter(j.ts >= pd.Timestamp(self.day)))

    everyone = shop.funnel(STEPS)
    later = shop.funnel(STEPS, scope=Since("2026-03-02"))
    assert shop.funnel(STEPS, scope=Since("2026-03-02")).entered == later.entered == 2
    assert shop.funnel(STEPS, scope=Since("2026-03-03")).entered == 1
    assert everyone.entered == 3 and calls == {"funnel": 3}


# -- what invalidates ------------------------------------------------------------------------


def test_new_events_are_counted_after_an_ingest(shop, calls):
    before = shop.funnel(STEPS)
    shop.ingest_events(events_frame(SECOND))
    after = shop.funnel(STEPS)
    assert calls == {"funnel": 2}
    assert (before.entered, after.entered) == (3, 5)
    assert after.conversion < before.conversion
    # The newer answer replaced the older one: one row per request.
    assert list(kept(shop).data_version) == [2]


# -- an earlier answer, for a reader who accepts it (max_age) ---------------------------------


def test_an_earlier_result_is_read_within_max_age_and_says_so(shop, calls):
    before = shop.funnel(STEPS)
    shop.ingest_events(events_frame(SECOND))  # two events, data version 1 -> 2
    earlier = shop.funnel(STEPS, max_age=600)
    assert calls == {"funnel": 1}
    assert earlier.entered == before.entered == 3  # the data as it was
    assert before.as_of is None
    assert (earlier.as_of.data_version, earlier.as_of.current_version) == (1, 2)
    assert earlier.as_of.events_since == 2
    assert earlier.to_dict()["as_of"]["events_since"] == 2
    assert timedelta(0) <= earlier.as_of.age() < timedelta(minutes=1)
    # Without max_age the current data is computed, and kept as the request's answer.
    now = shop.funnel(STEPS)
    assert (now.entered, now.as_of, calls) == (5, None, {"funnel": 2})
    # The current one is read first, as_of empty: it is not earlier.
    again = shop.funnel(STEPS, max_age=600)
    assert (again.entered, again.as_of, calls) == (5, None, {"funnel": 2})


def test_an_earlier_result_older_than_max_age_is_computed_again(shop, calls):
    shop.funnel(STEPS)
    shop.ingest_events(events_frame(SECOND))
    assert shop.funnel(STEPS, max_age=timedelta(0)).entered == 5
    assert calls == {"funnel": 2}


@pytest.mark.parametrize("max_age", [1e300, timedelta.max, 1e15])
def test_a_max_age_beyond_the_calendar_accepts_any_earlier_result(shop, calls, max_age):
    # A client's "any age" (the REST API found by the fuzzer: 1e300 seconds) overflowed.
    shop.funnel(STEPS)
    shop.ingest_events(events_frame(SECOND))
    assert shop.funnel(STEPS, max_age=max_age).entered == 3
    assert calls == {"funnel": 1}


def test_max_age_reads_only_the_same_request(shop, calls):
    shop.funnel(STEPS, window="1d")
    shop.ingest_events(events_frame(SECOND))
    assert shop.funnel(STEPS, window="2d", max_age=600).entered == 5  # other parameters
    assert calls == {"funnel": 2}


def test_no_earlier_result_outlives_an_erasure(shop, calls):
    shop.funnel(STEPS)
    shop.forget("customer_id:marc")
    result = shop.funnel(STEPS, max_age=600)
    assert (result.entered, result.as_of, calls) == (2, None, {"funnel": 2})
    # And one computed before the erasure is not kept after it (a server's slow reader).
    assert results.erased_since(shop.con, 1)
    assert not results.erased_since(shop.con, schema.data_version(shop.con))


def test_an_ingest_that_stores_nothing_keeps_the_results(shop, calls):
    shop.funnel(STEPS)
    assert shop.ingest_events(events_frame(FIRST)).accepted == 0  # all duplicates
    shop.funnel(STEPS)
    assert calls == {"funnel": 1}


def test_a_kept_result_equals_a_fresh_computation_after_two_ingests(shop, jm):
    shop.ingest_events(events_frame(SECOND))
    shop.kpis()
    shop.ingest_events(events_frame({"zoe": [("2026-03-07 10:00", "web", "purchase")]}))
    kept_result = shop.kpis()
    read_again = shop.kpis()
    fresh = REGISTRY["kpis"](shop.context(jm))
    assert_same(kept_result, read_again)
    assert_same(read_again, fresh)


def test_another_map_computes_again(shop, jm, calls):
    shop.kpis()
    renamed = JourneyMap.loads(MAP.replace("title: Décision", "title: Achat"))
    shop.save_map(renamed, "stage renamed")  # the latest map is the default one
    shop.kpis()
    shop.kpis(map=jm)  # the first map is still kept
    assert calls == {"kpis": 2}


def test_forget_deletes_every_kept_result(shop):
    shop.kpis()
    shop.funnel(STEPS)
    assert len(kept(shop)) == 2
    shop.forget("customer_id:marc")
    assert kept(shop).empty


def test_a_payload_that_does_not_load_is_computed_again_and_replaced(shop, calls):
    first = shop.kpis()
    shop.con.raw_sql("UPDATE results SET payload = ?", parameters=[b"not a pickle"])
    again = shop.kpis()
    assert calls == {"kpis": 2}
    assert_same(first, again)
    assert isinstance(
        pickle.loads(shop.con.raw_sql("SELECT payload FROM results").fetchone()[0]), Result
    )
    shop.kpis()
    assert calls == {"kpis": 2}


def test_a_payload_of_another_kind_counts_as_missing(shop, calls):
    shop.kpis()
    shop.con.raw_sql("UPDATE results SET payload = ?", parameters=[pickle.dumps({"kpis": 1})])
    assert isinstance(shop.kpis(), Result) and calls == {"kpis": 2}


# -- writes never in the way -----------------------------------------------------------------


def test_a_failed_write_returns_the_computed_result(shop, calls, monkeypatch):
    def refuse(con, row):
        raise OSError("read-only file system")

    monkeypatch.setattr(results, "_write_in_place", refuse)
    assert shop.funnel(STEPS).entered == 3
    assert kept(shop).empty
    assert shop.funnel(STEPS).entered == 3 and calls == {"funnel": 2}


def test_a_workspace_without_results_table_still_answers(shop, calls):
    shop.con.raw_sql("DROP TABLE results")
    assert shop.funnel(STEPS).entered == 3
    assert shop.funnel(STEPS).entered == 3 and calls == {"funnel": 2}


def test_the_table_keeps_the_most_recent_results(shop, calls, monkeypatch):
    monkeypatch.setattr(results, "KEEP", 2)
    for window in ("1d", "2d", "3d"):
        shop.funnel(STEPS, window=window)
    assert len(kept(shop)) == 2
    shop.funnel(STEPS, window="3d")  # kept
    assert calls == {"funnel": 3}
    shop.funnel(STEPS, window="1d")  # the oldest: gone
    assert calls == {"funnel": 4}


def test_engines_without_delete_rewrite_the_kept_rows(shop, calls, monkeypatch):
    monkeypatch.setattr(results, "UPDATABLE", set())
    monkeypatch.setattr(results, "READ", {})  # read through Ibis, as on Spark
    monkeypatch.setattr(results, "KEEP", 2)
    shop.kpis()
    shop.kpis(level="stage")
    shop.funnel(STEPS)
    assert len(kept(shop)) == 2
    shop.funnel(STEPS)
    shop.kpis(level="stage")
    assert calls == {"kpis": 2, "funnel": 1}
    shop.ingest_events(events_frame(SECOND))
    shop.funnel(STEPS)
    # The funnel's answer on the new data replaced its older one; the kpis' stays.
    assert sorted(zip(kept(shop).analysis, kept(shop).data_version, strict=True)) == [
        ("funnel", 2),
        ("kpis", 1),
    ]
    assert shop.kpis(level="stage", max_age=600).as_of.data_version == 1
    results.clear(shop.con)
    assert kept(shop).empty


# -- the key ---------------------------------------------------------------------------------


def test_a_parameter_file_is_keyed_on_what_it_holds(shop, jm, tmp_path):
    attribution = REGISTRY["attribution"]
    paths = tmp_path / "paths.csv"
    paths.write_text("path,conversions,value,nulls\nweb,1,10,0\n")
    key = functools.partial(shop._result_key, attribution, jm, None, None, None, 1)
    first = key({"paths_file": str(paths)})
    assert key({"paths_file": str(paths)}) == first
    paths.write_text("path,conversions,value,nulls\nweb,2,10,0\n")
    assert key({"paths_file": str(paths)}) != first
    assert key({"paths_file": str(tmp_path / "missing.csv")}) is None  # computed: it says why


def test_canonical_parameters():
    import datetime as dt
    import enum

    class Order(enum.Enum):
        strict = "strict"

    assert results.canonical(
        {"order": Order.strict, "steps": ("a", "b"), "day": dt.date(2026, 3, 1), "x": 1.0}
    ) == {"day": "2026-03-01", "order": "strict", "steps": ["a", "b"], "x": 1.0}
    with pytest.raises(TypeError):
        results.canonical({"f": object()})


def test_a_parameter_without_canonical_form_is_not_kept(shop, jm):
    funnel = REGISTRY["funnel"]
    key = functools.partial(shop._result_key, funnel, jm, None, None, None, 1)
    assert key({"steps": STEPS}) == key({"steps": tuple(STEPS), "window": "14d"})
    assert key({"steps": STEPS, "window": object()}) is None


# -- every result class round-trips ----------------------------------------------------------


@pytest.fixture(scope="module")
def demo_results(demo_ws, demo_map):
    from parcours.analyses._split import split_by
    from parcours.render.report import run_analyses

    ctx = demo_ws.context(demo_map)
    found = run_analyses(ctx)
    found["kpis by persona"] = split_by(REGISTRY["kpis"], ctx, "persona")
    return found


@pytest.mark.parametrize("name", [*REGISTRY, "kpis by persona"])
def test_every_result_round_trips_through_its_pickle(demo_results, name):
    result = demo_results[name]
    if isinstance(result, Exception):
        pytest.skip(f"{name} does not run on the demo: {result}")
    assert_same(result, pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)))


def test_a_version_5_workspace_gets_the_request_column(tmp_path, jm):
    """Its kept results (a cache of the previous code: never read again) are dropped."""
    path = tmp_path / "v5.duckdb"
    con = workspace_of_version(path, 5)
    con.raw_sql(  # the table as version 5 made it
        "DROP TABLE results; CREATE TABLE results (key VARCHAR NOT NULL, analysis VARCHAR NOT "
        "NULL, data_version BIGINT NOT NULL, created_at TIMESTAMP NOT NULL, payload BLOB NOT NULL)"
    )
    con.raw_sql("INSERT INTO results VALUES ('k', 'kpis', 0, TIMESTAMP '2026-03-01', 'x')")
    con.disconnect()

    with parcours.open(path, direct=True) as ws:
        assert ws.previous_version == 5
        assert "request" in ws.con.table("results").columns and kept(ws).empty
        ws.ingest_events(events_frame(FIRST))
        ws.funnel(STEPS, map=jm)
        assert list(kept(ws).analysis) == ["funnel"]
