"""Incremental identity resolution: the same identities as resolving everything at once.

Each case ingests rows in batches, resolves after each, and compares the kept result with
the previous algorithm (Ibis label propagation over every row, ``resolve_identities``) and
with a full recompute. Persons are written as rows of identifiers.
"""

from __future__ import annotations

import hashlib
import itertools

import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parcours
from parcours import Settings
from parcours.demo import simulate
from parcours.store import identity
from parcours.store.identity_incremental import resolve

KINDS = ("customer_id", "loyalty_id", "email", "phone", "anonymous_id")
PERSONAL = ("customer_id", "loyalty_id", "email", "phone")
COLUMNS = ["identifier", "kind", "value", "person_id", "shared", "persons"]
_ids = itertools.count()


def rows_frame(rows: list[dict]) -> pd.DataFrame:
    """Events from rows of identifiers: one event each, with a unique event id."""
    return pd.DataFrame(
        [
            {
                "event_id": f"e{next(_ids)}",
                "ts": "2026-03-01 10:00:00",
                **{k: r.get(k) for k in KINDS},
                "channel": "web",
                "event": "page_view",
            }
            for r in rows
        ]
    )


def store_rows(ws, rows: list[dict]) -> None:
    """Store rows as an ingest stores them (events of one batch, its line in ``batches``),
    without the cost of ingesting: the property test below stores many small batches."""
    batch = f"b{next(_ids)}"
    frame = rows_frame(rows).assign(ts=pd.Timestamp("2026-03-01 10:00"), batch_id=batch)
    ws.con.insert("events", frame)
    ws.con.raw_sql(
        "INSERT INTO batches (batch_id, target, rows, accepted) VALUES (?, 'events', ?, ?)",
        parameters=[batch, len(rows), len(rows)],
    )


def previous(ws) -> pd.DataFrame:
    """The previous algorithm over every event and CRM row."""
    links = identity.rows_with_identifiers(
        [ws.events, ws.customers], ["event_id", "customer_row_id"]
    )
    return canon(identity.resolve_identities(links, ws.settings.max_persons_per_identifier))


def reference(ws) -> pd.DataFrame:
    """The two passes written plainly over the stored rows: the rule, not the algorithm.

    Pass 1 joins the person-level identifiers of each row into core persons; an identifier
    seen on rows of more than ``max_persons`` core persons is shared: a person of its own,
    never used to merge. Pass 2 joins the other identifiers of each row. A person is named
    after the smallest identifier of its component."""
    rows = [
        {f"{k}:{v}" for k, v in row.items() if v is not None and k in KINDS}
        for table in (ws.events, ws.customers)
        for row in table.select(*KINDS).to_pyarrow().to_pylist()
    ]
    rows = [r for r in rows if r]

    def components(groups: list[set[str]]) -> dict[str, str]:
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            while parent.setdefault(x, x) != x:
                x = parent[x]
            return x

        for group in groups:
            nodes = sorted(group)
            for node in nodes:
                a, b = find(nodes[0]), find(node)
                parent[max(a, b)] = min(a, b)  # a root stays its component's smallest
        return {node: find(node) for node in parent}

    personal = [{i for i in r if i.split(":")[0] in PERSONAL} for r in rows]
    core = components(personal)
    persons: dict[str, set[str]] = {}
    for row, own in zip(rows, personal, strict=True):
        for node in row:
            persons.setdefault(node, set()).update({core[next(iter(own))]} if own else set())
    limit = ws.settings.max_persons_per_identifier
    shared = {node for node, seen in persons.items() if len(seen) > limit}
    label = components([r - shared for r in rows])
    return pd.DataFrame(
        [
            {
                "identifier": node,
                "kind": node.split(":", 1)[0],
                "value": node.split(":", 1)[1],
                "person_id": "p_"
                + hashlib.md5((node if node in shared else label[node]).encode()).hexdigest()[:16],
                "shared": node in shared,
                "persons": len(seen),
            }
            for node, seen in persons.items()
        ],
        columns=COLUMNS,
    ).pipe(canon)


def canon(table) -> pd.DataFrame:
    frame = table.to_pandas() if hasattr(table, "to_pandas") else table
    frame = frame[COLUMNS].sort_values("identifier").reset_index(drop=True)
    return frame.astype({"persons": "int64", "shared": "bool"})


def stored(ws) -> pd.DataFrame:
    return canon(ws.con.table("identities"))


def assert_same_as_previous_and_full(ws) -> None:
    """The kept identities equal the previous algorithm's, rows are placed as
    ``assign_persons`` places them, and a full recompute gives the same again."""
    incremental = stored(ws)
    pd.testing.assert_frame_equal(incremental, previous(ws))
    assert_placed_as_assigned(ws)
    resolve(ws.con, ws.settings.max_persons_per_identifier, full=True)
    pd.testing.assert_frame_equal(stored(ws), incremental)


def assert_placed_as_assigned(ws) -> None:
    placed = identity.place_events(ws.con, ws.events).select("event_id", "person_id")
    assigned = identity.assign_persons(ws.events, ws.con.table("identities"))
    assigned = assigned.select("event_id", "person_id")
    got, want = (
        t.to_pandas().sort_values("event_id").reset_index(drop=True) for t in (placed, assigned)
    )
    pd.testing.assert_frame_equal(got, want)


def pid(identifier: str) -> str:
    return ibis.literal(identifier).pipe(identity.person_id).to_pyarrow().as_py()


def persons_of(ws) -> dict[str, str]:
    ids = ws.con.table("identities").to_pandas()
    return dict(zip(ids.identifier, ids.person_id, strict=True))


@pytest.fixture
def ws2():
    """A workspace where an identifier seen with more than 2 core persons is shared."""
    workspace = parcours.open(":memory:", settings=Settings().with_(max_persons_per_identifier=2))
    yield workspace
    workspace.close()


# -- the demo retailer in batches ---------------------------------------------------------


def test_demo_in_three_batches_equals_previous_algorithm_and_full_recompute(ws):
    data = simulate(persons=400, seed=11)
    events = data.events.sort_values("ts")
    thirds = [events.iloc[i * len(events) // 3 : (i + 1) * len(events) // 3] for i in range(3)]
    for i, batch in enumerate(thirds):
        ws.ingest_events(batch)
        if i == 1:  # the CRM arrives with the second batch
            ws.ingest_customers(data.customers)
        done = resolve(ws.con, 5)
        assert (done.full is None) == (i > 0) and done.version == i + 1
        pd.testing.assert_frame_equal(stored(ws), reference(ws))
    assert ws.con.table("identities").shared.sum().to_pyarrow().as_py() > 0  # the tablets
    assert identity.identity_version(ws.con) == 3
    assert_same_as_previous_and_full(ws)


def test_distinct_sets_give_the_previous_algorithm_its_result(ws):
    """The expression path (engines other than DuckDB, where resolve_everything stores it and
    moves the identity version on: tests/store/test_spark_journey_store.py) over distinct
    sets, not rows."""
    data = simulate(persons=100, seed=3)
    ws.ingest_events(data.events)
    ws.ingest_customers(data.customers)
    sets = identity.distinct_sets([ws.events, ws.customers])
    assert sets.count().to_pyarrow().as_py() < ws.events.count().to_pyarrow().as_py() / 3
    resolved = identity.resolve_identities(identity.rows_with_identifiers([sets], "set_key"), 5)
    pd.testing.assert_frame_equal(canon(resolved), reference(ws))


# -- named cases ----------------------------------------------------------------------------


def test_cookie_seen_alone_then_with_an_email_merges_across_batches(ws):
    ws.ingest_events(rows_frame([{"anonymous_id": "c1"}, {"anonymous_id": "c2", "email": "a@x"}]))
    ws.resolve_identities()
    before = persons_of(ws)
    assert before["anonymous_id:c1"] != before["email:a@x"]
    ws.ingest_events(rows_frame([{"anonymous_id": "c1", "email": "a@x"}]))
    assert resolve(ws.con, 5).full is None
    after = persons_of(ws)
    assert len(set(after.values())) == 1
    assert after["email:a@x"] == pid("anonymous_id:c1")  # the smallest identifier names it
    assert_same_as_previous_and_full(ws)


def test_cookie_becoming_shared_in_a_later_batch_splits_its_persons(ws2):
    ws2.ingest_events(
        rows_frame([{"anonymous_id": "tablet", "loyalty_id": f"L{i}"} for i in (1, 2)])
    )
    ws2.resolve_identities()
    assert len(set(persons_of(ws2).values())) == 1  # two persons: not yet over 2
    ws2.ingest_events(rows_frame([{"anonymous_id": "tablet", "loyalty_id": "L3"}]))
    done = resolve(ws2.con, 2)
    assert done.full is None  # the tablet's component is dissolved, nothing else is read
    ids = stored(ws2).set_index("identifier")
    assert (
        bool(ids.loc["anonymous_id:tablet", "shared"]) and ids.persons["anonymous_id:tablet"] == 3
    )
    assert ids.person_id.nunique() == 4
    changed = set(identity.changed_persons(ws2.con, 1).person_id.to_pyarrow().to_pylist())
    # the old merged person and every new one: each card and the tablet on its own
    assert changed == {pid("anonymous_id:tablet")} | {pid(f"loyalty_id:L{i}") for i in (1, 2, 3)}
    assert_same_as_previous_and_full(ws2)


def test_shared_cookie_falls_back_under_the_threshold_when_its_persons_merge(ws2):
    ws2.ingest_events(
        rows_frame([{"anonymous_id": "tablet", "loyalty_id": f"L{i}"} for i in (1, 2, 3)])
    )
    ws2.resolve_identities()
    assert bool(stored(ws2).set_index("identifier").shared["anonymous_id:tablet"])
    # The three cards turn out to be one person's: the tablet has one person now.
    ws2.ingest_events(rows_frame([{"email": "e@x", "loyalty_id": f"L{i}"} for i in (1, 2, 3)]))
    assert resolve(ws2.con, 2).full is None
    ids = stored(ws2)
    assert not ids.shared.any() and ids.person_id.nunique() == 1
    assert_same_as_previous_and_full(ws2)


def test_person_changes_list_rows_folded_in_and_identifiers_that_moved(ws):
    ws.ingest_events(
        rows_frame(
            [
                {"anonymous_id": "c1"},  # a cookie alone
                {"anonymous_id": "c2", "email": "a@x"},  # Alice logged in on another device
                {"loyalty_id": "L9"},  # someone else, at the till
                {"loyalty_id": "L7"},  # someone untouched by the next batch
            ]
        )
    )
    assert resolve(ws.con, 5).version == 1
    assert identity.changed_persons(ws.con, 0) is None  # the first resolution is a full one
    assert identity.changed_persons(ws.con, 1).count().to_pyarrow().as_py() == 0
    ws.ingest_events(
        rows_frame(
            [
                {"anonymous_id": "c1", "email": "a@x"},  # c1 was Alice: merge
                {"loyalty_id": "L9"},  # a new event of an unchanged person
            ]
        )
    )
    ws.ingest_customers(pd.DataFrame({"email": ["b@x"], "segment": ["B2C"]}))  # a CRM row
    done = resolve(ws.con, 5)
    assert (done.version, done.full, done.rows) == (2, None, 3)
    changed = identity.changed_persons(ws.con, 1).person_id.to_pyarrow().to_pylist()
    assert sorted(changed) == sorted(
        [
            pid("anonymous_id:c1"),  # Alice now (c1 is her smallest identifier)
            pid("anonymous_id:c2"),  # Alice before: her c2 and email moved from it
            pid("loyalty_id:L9"),  # the till's new event
            pid("email:b@x"),  # the CRM row
        ]
    )
    assert identity.identity_version(ws.con) == 2
    assert resolve(ws.con, 5).version == 2  # nothing new: no new version
    assert identity.changed_persons(ws.con, 2).count().to_pyarrow().as_py() == 0


def test_a_batch_of_known_sets_only_lists_their_persons(ws):
    ws.ingest_events(rows_frame([{"anonymous_id": "c1", "email": "a@x"}, {"loyalty_id": "L1"}]))
    ws.resolve_identities()
    ws.ingest_events(rows_frame([{"anonymous_id": "c1", "email": "a@x"}]))  # seen before
    done = resolve(ws.con, 5)
    assert (done.full, done.rows, done.new_sets, done.version) == (None, 1, 0, 2)
    changed = identity.changed_persons(ws.con, 1).person_id.to_pyarrow().to_pylist()
    assert changed == [pid("anonymous_id:c1")]
    assert_same_as_previous_and_full(ws)


def test_forget_drops_the_person_from_the_kept_tables_and_the_next_resolution_is_full(ws):
    ws.ingest_events(
        rows_frame(
            [
                {"anonymous_id": "ck-zoe", "email": "zoe@x"},
                {"phone": "+33687654321", "email": "zoe@x"},
                {"anonymous_id": "ck-marc", "customer_id": "marc"},
            ]
        )
    )
    ws.resolve_identities()
    ws.forget("email:zoe@x")
    for table in ("identity_nodes", "identifier_sets", "person_changes", "identity_batches"):
        text = ws.con.table(table).to_pandas().to_csv()
        assert "zoe" not in text and "+33687654321" not in text, table
    assert ws.con.table("identity_nodes").count().to_pyarrow().as_py() == 2  # Marc's
    done = resolve(ws.con, 5)
    assert done.full is not None and "erasure" in done.full
    assert identity.changed_persons(ws.con, done.version - 1) is None
    assert_same_as_previous_and_full(ws)


def test_replaced_rows_force_a_full_recompute(ws):
    ws.ingest_events(rows_frame([{"anonymous_id": "c1", "email": "a@x"}]).assign(event_id="x"))
    ws.resolve_identities()
    # The same event id with other content, latest wins: c1 and a@x are no longer linked.
    ws.ingest_events(
        rows_frame([{"anonymous_id": "c1"}]).assign(event_id="x"), on_conflict="latest"
    )
    assert resolve(ws.con, 5).full == "rows already folded in were deleted or replaced"
    assert_same_as_previous_and_full(ws)


def test_another_threshold_forces_a_full_recompute(ws):
    ws.ingest_events(rows_frame([{"anonymous_id": "t", "loyalty_id": f"L{i}"} for i in range(3)]))
    resolve(ws.con, 5)
    assert resolve(ws.con, 2).full == "max_persons_per_identifier changed"
    assert stored(ws).shared.sum() == 1


def test_store_resolves_when_identities_are_not_current(ws):
    ws.ingest_events(rows_frame([{"anonymous_id": "c1", "email": "a@x"}]))
    assert ws.identities().count().to_pyarrow().as_py() == 2
    ws.ingest_events(rows_frame([{"anonymous_id": "c3", "email": "a@x"}]))
    assert ws.identities().person_id.nunique().to_pyarrow().as_py() == 1
    assert identity.identity_version(ws.con) == 2
    placed = identity.place_events(ws, ws.events).to_pandas()
    assert placed.person_id.nunique() == 1 and len(placed) == 2


# -- any rows, any batches -------------------------------------------------------------------

rows_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "customer_id": st.sampled_from([None, None, "K1", "K2"]),
            "loyalty_id": st.sampled_from([None, "L1", "L2", "L3", "L4"]),
            "email": st.sampled_from([None, "a@x", "b@x", "c@x"]),
            "anonymous_id": st.sampled_from([None, "c1", "c2", "tablet"]),
        }
    ).filter(lambda r: any(r.values())),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=rows_strategy,
    cuts=st.lists(st.integers(0, 14), max_size=3),
    max_persons=st.sampled_from([1, 2]),
    again=st.integers(0, 3),
)
def test_any_rows_in_any_batches_resolve_as_everything_at_once(rows, cuts, max_persons, again):
    ws = parcours.open(
        ":memory:", settings=Settings().with_(max_persons_per_identifier=max_persons)
    )
    try:
        bounds = sorted({0, len(rows), *[c for c in cuts if c < len(rows)]})
        batches = [rows[lo:hi] for lo, hi in itertools.pairwise(bounds)]
        for batch in batches + ([rows[:again]] if again else []):  # then rows seen before
            store_rows(ws, batch)
            resolve(ws.con, max_persons)
            pd.testing.assert_frame_equal(stored(ws), reference(ws))
        assert_placed_as_assigned(ws)
        resolve(ws.con, max_persons, full=True)
        pd.testing.assert_frame_equal(stored(ws), reference(ws))
    finally:
        ws.close()
