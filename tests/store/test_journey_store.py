"""The stored journey table: built once, kept across connections, brought up to date person
by person after an ingest, and always equal to a journey table built from scratch."""

from __future__ import annotations

import pandas as pd
import pytest
from ibis import _

import parcours
from parcours.demo import simulate
from parcours.demo.load import demo_map
from parcours.maps import JourneyMap
from parcours.store import journey_store
from parcours.store.engine import in_part

COLUMNS_ORDER = ["event_id"]


@pytest.fixture(scope="module")
def demo():
    return simulate(persons=400, seed=11, days=60)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(COLUMNS_ORDER).reset_index(drop=True)


def _from_scratch(batches: list[tuple[str, pd.DataFrame]], jm) -> pd.DataFrame:
    """The journey table built once, after the same batches (in the same order: events of
    one instant keep their order of arrival)."""
    with parcours.open(":memory:") as fresh:
        for target, rows in batches:
            getattr(fresh, f"ingest_{target}")(rows)
        return _sorted(fresh.journey_table(jm).to_pandas())


def _built_at(ws, jm) -> list:
    kept = ws.con.table("journey_tables")
    name = journey_store.table_name(jm)
    return kept.filter(kept.name == name).built_at.to_pyarrow().to_pylist()


def test_updated_after_each_batch_equals_a_build_from_scratch(ws, demo):
    jm = demo_map()
    events = demo.events.sort_values("ts")
    thirds = [events.iloc[i::3] for i in range(3)]  # every batch touches most persons
    half = len(demo.customers) // 2
    batches = [
        ("events", thirds[0]),
        ("customers", demo.customers.iloc[:half]),
        ("events", thirds[1]),
        ("events", thirds[2]),
        ("customers", demo.customers.iloc[half:]),
    ]
    built: list = []
    for number, (target, rows) in enumerate(batches):
        getattr(ws, f"ingest_{target}")(rows)
        if number in (1, 2):  # the table is asked for between batches
            ws.journey_table(jm)
            assert _built_at(ws, jm) != built  # brought up to date, in place
            built = _built_at(ws, jm)
    got = _sorted(ws.journey_table(jm).to_pandas())
    assert len(_built_at(ws, jm)) == 1
    assert len(got) == len(demo.events)
    pd.testing.assert_frame_equal(got, _from_scratch(batches, jm))


def test_a_day_of_new_events_recomputes_only_the_persons_it_touches(ws, demo):
    jm = demo_map()
    events = demo.events.sort_values("ts")
    cut = events.ts.quantile(0.97)
    batches = [
        ("events", events[events.ts <= cut]),
        ("customers", demo.customers),
        ("events", events[events.ts > cut]),
    ]
    for target, rows in batches[:2]:
        getattr(ws, f"ingest_{target}")(rows)
    before = ws.journey_table(jm).to_pandas()
    ws.ingest_events(batches[2][1])
    ws.identities()
    touched = journey_store.identity.changed_persons(
        ws.con,
        since=int(ws.con.table("journey_tables").identity_version.max().to_pyarrow().as_py()),
    ).to_pandas()
    persons = set(touched.person_id)
    assert 0 < len(persons) < before.person_id.nunique() / 2
    after = _sorted(ws.journey_table(jm).to_pandas())
    untouched = ~before.person_id.isin(persons)
    kept = after[after.event_id.isin(before.event_id[untouched])]
    # The persons the batch did not touch keep their rows exactly.
    pd.testing.assert_frame_equal(kept.reset_index(drop=True), _sorted(before[untouched]))
    pd.testing.assert_frame_equal(after, _from_scratch(batches, jm))


def test_a_cookie_later_seen_with_an_email_merges_two_journeys(ws):
    jm = demo_map()
    first = pd.DataFrame(
        {
            "event_id": ["a1", "b1"],
            "ts": ["2026-03-01 10:00", "2026-03-01 11:00"],
            "anonymous_id": ["cookie-a", "cookie-b"],
            "email": [None, "alice@example.fr"],
            "channel": ["web", "web"],
            "event": ["page_view", "page_view"],
        }
    )
    ws.ingest_events(first)
    assert ws.journey_table(jm).person_id.nunique().to_pyarrow().as_py() == 2
    ws.ingest_events(
        pd.DataFrame(
            {
                "event_id": ["a2"],
                "ts": ["2026-03-01 12:00"],
                "anonymous_id": ["cookie-a"],
                "email": ["alice@example.fr"],
                "channel": ["web"],
                "event": ["page_view"],
            }
        )
    )
    table = ws.journey_table(jm).to_pandas()
    assert table.person_id.nunique() == 1
    assert sorted(table.step) == [1, 2, 3]  # one journey of three steps: no rows left over


def test_a_build_in_parts_equals_a_build_at_once(monkeypatch, demo):
    """Past the memory limit the build cuts the persons' journeys part by part: 400
    persons' events in parts of about 2,000 rows give the table built in one go."""
    jm = demo_map()
    with parcours.open(":memory:") as ws:
        ws.ingest_events(demo.events)
        at_once = _sorted(ws.journey_table(jm).to_pandas())
        events = len(demo.events)
        monkeypatch.setattr(journey_store, "BYTES_PER_ROW", 3_000_000_000 // 2_000)
        count = journey_store.parts(events, 3_000_000_000)
        assert count == -(-events // 2_000) > 3
        name = journey_store.table_name(jm)
        ws.con.raw_sql(f'DROP TABLE "{name}"')
        in_parts = _sorted(ws.journey_table(jm).to_pandas())
        # Written part after part: each part's rows lie together, in the parts' order, so
        # that an analysis reading one part skips the others' row groups.
        stored = ws.con.sql(f'SELECT rowid AS row, person_id FROM "{name}"')
        spans = [
            stored.filter(in_part(stored.person_id, count, part))
            .aggregate(first=_.row.min(), last=_.row.max())
            .to_pyarrow()
            .to_pylist()[0]
            for part in range(count)
        ]
    pd.testing.assert_frame_equal(in_parts, at_once)
    assert all(a["last"] < b["first"] for a, b in zip(spans, spans[1:], strict=False))


def test_parts_follow_the_memory_limit():
    assert journey_store.parts(0, 2_500_000_000) == 1
    assert journey_store.parts(10_000_000, 2_500_000_000) == 1  # 10M events at the default
    assert journey_store.parts(100_000_000, 2_500_000_000) == 10  # 10.4M events per part
    assert journey_store.parts(100_000_000, 2_000_000_000) == 13  # 8,333,333 events per part


def test_kept_across_connections_and_map_wording(tmp_path, demo):
    jm = demo_map()
    path = tmp_path / "w.duckdb"
    with parcours.open(path) as ws:
        ws.ingest_events(demo.events)
        ws.journey_table(jm)
        built = _built_at(ws, jm)
    reworded = jm.model_copy(update={"title": {"fr": "Autre titre", "en": "Other title"}})
    # the conversion's name is wording too: the same rows
    renamed = jm.conversion.model_copy(update={"title": {"fr": "Vente", "en": "Sale"}})
    reworded = reworded.model_copy(update={"conversion": renamed})
    assert journey_store.table_name(reworded) == journey_store.table_name(jm)
    with parcours.open(path) as ws:
        ws.journey_table(reworded)
        assert _built_at(ws, jm) == built  # not built again: same rules
        later = jm.model_copy(update={"journey": jm.journey.model_copy(update={"timeout": "1d"})})
        assert journey_store.table_name(later) != journey_store.table_name(jm)
        shorter = ws.journey_table(later).journey_id.nunique().to_pyarrow().as_py()
        longer = ws.journey_table(jm).journey_id.nunique().to_pyarrow().as_py()
        assert shorter > longer


def test_forget_erases_the_person_from_stored_journeys(ws):
    jm = demo_map()
    ws.ingest_events(
        pd.DataFrame(
            {
                "event_id": ["a1", "b1"],
                "ts": ["2026-03-01 10:00", "2026-03-01 11:00"],
                "email": ["alice@example.fr", "bob@example.fr"],
                "channel": ["web", "web"],
                "event": ["page_view", "page_view"],
            }
        )
    )
    name = journey_store.table_name(jm)
    ws.journey_table(jm)
    ws.forget("email:alice@example.fr")
    assert ws.con.table(name).event_id.to_pyarrow().to_pylist() == ["b1"]
    assert ws.journey_table(jm).event_id.to_pyarrow().to_pylist() == ["b1"]


def test_later_events_extend_the_last_journey_and_number_on(ws):
    """A customer coming back: only the last journey is computed again, numbered on."""
    jm = demo_map()

    def events(rows):
        return pd.DataFrame(
            {
                "event_id": [r[0] for r in rows],
                "ts": [r[1] for r in rows],
                "anonymous_id": ["cookie-a"] * len(rows),
                "channel": ["web"] * len(rows),
                "event": [r[2] for r in rows],
            }
        )

    first = events(
        [
            ("e1", "2026-03-01 10:00", "product_view"),
            ("e2", "2026-03-01 10:05", "purchase"),  # ends journey 1
            ("e3", "2026-03-02 09:00", "product_view"),
        ]
    )
    later = events(
        [
            ("e4", "2026-03-03 09:00", "add_to_cart"),  # within 30 days: journey 2 goes on
            ("e5", "2026-03-03 09:10", "purchase"),
            ("e6", "2026-03-04 09:00", "page_view"),  # after a purchase: journey 3
        ]
    )
    ws.ingest_events(first)
    ws.journey_table(jm)
    ws.ingest_events(later)
    got = _sorted(ws.journey_table(jm).to_pandas())
    assert list(got.journey_seq) == [1, 1, 2, 2, 2, 3]
    assert list(got.step) == [1, 2, 1, 2, 3, 1]
    assert list(got.converted) == [True, True, True, True, True, False]
    assert got.journey_id.str.endswith(":2").sum() == 3
    pd.testing.assert_frame_equal(got, _from_scratch([("events", first), ("events", later)], jm))


def _stored_rowids(ws, jm) -> dict[str, int]:
    """event_id -> rowid in the stored table: a row deleted and inserted again moves."""
    name = journey_store.table_name(jm)
    rows = ws.con.raw_sql(f'SELECT event_id, rowid FROM "{name}"').fetchall()
    return dict(rows)


def test_new_events_after_a_closed_journey_leave_the_stored_rows_alone(ws):
    """The last journey converted (cookie-a) or the new events come more than the 30-day
    timeout after it (cookie-b): only the new events are computed, as journey 2, and no
    stored row is deleted and written again; cookie-c's last journey is still open, so it
    is computed again."""
    jm = demo_map()

    def events(rows):
        return pd.DataFrame(
            {
                "event_id": [r[0] for r in rows],
                "ts": [r[1] for r in rows],
                "anonymous_id": [r[2] for r in rows],
                "channel": ["web"] * len(rows),
                "event": [r[3] for r in rows],
            }
        )

    first = events(
        [
            ("a1", "2026-03-01 10:00", "cookie-a", "product_view"),
            ("a2", "2026-03-01 10:05", "cookie-a", "purchase"),  # closes journey 1
            ("b1", "2026-03-01 11:00", "cookie-b", "product_view"),
            ("c1", "2026-03-01 12:00", "cookie-c", "product_view"),
        ]
    )
    later = events(
        [
            ("a3", "2026-03-02 09:00", "cookie-a", "page_view"),
            ("a4", "2026-03-02 09:05", "cookie-a", "add_to_cart"),
            ("b2", "2026-04-01 11:00:01", "cookie-b", "page_view"),  # 31 days and 1 s on
            ("c2", "2026-03-02 12:00", "cookie-c", "add_to_cart"),  # within 30 days
        ]
    )
    ws.ingest_events(first)
    ws.journey_table(jm)
    before = _stored_rowids(ws, jm)
    ws.ingest_events(later)
    got = _sorted(ws.journey_table(jm).to_pandas())
    after = _stored_rowids(ws, jm)
    assert {e: after[e] for e in ("a1", "a2", "b1")} == {e: before[e] for e in ("a1", "a2", "b1")}
    assert after["c1"] != before["c1"]  # its open journey was computed again
    by_event = got.set_index("event_id")
    assert by_event.journey_seq.to_dict() == {
        "a1": 1, "a2": 1, "a3": 2, "a4": 2, "b1": 1, "b2": 2, "c1": 1, "c2": 1
    }  # fmt: skip
    assert by_event.step.to_dict() == {
        "a1": 1, "a2": 2, "a3": 1, "a4": 2, "b1": 1, "b2": 1, "c1": 1, "c2": 2
    }  # fmt: skip
    assert by_event.journey_id["a3"].endswith(":2")
    pd.testing.assert_frame_equal(got, _from_scratch([("events", first), ("events", later)], jm))


# -- the update against a build from scratch, on small random logs -------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

EVENTS = ["product_view", "add_to_cart", "purchase", "page_view"]
COOKIES = ["c1", "c2", "c3", "c4"]
EMAILS = [None, "ann@example.fr", "bob@example.fr"]


@st.composite
def _batches(draw):
    """Events of a few persons whose cookies and emails may later link them, over a few
    weeks (the demo map's timeout is 30 days: some gaps cut, some do not), in batches that
    sometimes arrive late, with CRM rows (personas) between them."""
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(COOKIES),
                st.sampled_from(EMAILS),
                st.integers(0, 24 * 90),  # hour of the quarter
                st.sampled_from(EVENTS),
            ),
            min_size=1,
            max_size=18,
        )
    )
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(rows))],
            "ts": [pd.Timestamp("2026-01-01") + pd.Timedelta(hours=r[2]) for r in rows],
            "anonymous_id": [r[0] for r in rows],
            "email": [r[1] for r in rows],
            "channel": ["web"] * len(rows),
            "event": [r[3] for r in rows],
        }
    )
    cuts = sorted(draw(st.lists(st.integers(0, len(rows)), max_size=3)))
    chronological = draw(st.sampled_from([True, True, False]))  # mostly customers coming back
    ordered = events.sort_values("ts") if chronological else events
    parts = [ordered.iloc[a:b] for a, b in zip([0, *cuts], [*cuts, len(rows)], strict=True)]
    batches: list[tuple[str, pd.DataFrame]] = [("events", p) for p in parts if len(p)]
    channel = draw(st.sampled_from(["web", "magasin"]))
    crm = pd.DataFrame(
        {"email": ["ann@example.fr"], "age_band": ["35-44"], "preferred_channel": [channel]}
    )
    batches.insert(draw(st.integers(0, len(batches))), ("customers", crm))
    return batches


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches=_batches())
def test_updates_on_random_logs_equal_a_build_from_scratch(batches):
    jm = demo_map()
    with parcours.open(":memory:") as ws:
        for target, rows in batches:
            getattr(ws, f"ingest_{target}")(rows)
            ws.journey_table(jm)  # brought up to date after every batch
        got = _sorted(ws.journey_table(jm).to_pandas())
    pd.testing.assert_frame_equal(got, _from_scratch(batches, jm))


def test_the_tables_of_the_three_rules_used_last_are_kept(ws):
    """A fourth set of journey rules drops the table built first, record and rows; a table
    asked for again is built again and kept, and the oldest of the others goes."""
    from .test_journeys import MAP
    from .test_spark import sample_workspace

    sample_workspace(ws)
    maps = [JourneyMap.loads(MAP.replace("timeout: 2d", f"timeout: {h}h")) for h in (1, 2, 3, 4)]
    names = [journey_store.table_name(jm) for jm in maps]
    for jm in maps:
        ws.journey_table(jm)

    def kept() -> set[str]:
        recorded = set(ws.con.table("journey_tables").name.to_pyarrow().to_pylist())
        stored = {n for n in ws.con.list_tables() if n.startswith("journeys_")}
        assert recorded == stored
        return recorded

    assert kept() == set(names[1:])
    ws.journey_table(maps[0])  # built again: now the newest
    assert kept() == {names[0], names[2], names[3]}
