"""A ``spark:DIR`` workspace stores its journey table in the warehouse: a new session reads
it instead of cutting every journey again; an ingest brings it up to date person by person
(the same rows as DuckDB's, and as a build from scratch); an erasure drops it with its
files."""

from __future__ import annotations

import pandas as pd
import pytest

import parcours
from parcours.demo import simulate
from parcours.demo.load import demo_map
from parcours.maps import JourneyMap
from parcours.store import journey_store, journeys
from parcours.store.identity import identity_version
from parcours.store.journey_store import table_name

from .test_journey_store import _from_scratch
from .test_journeys import MAP
from .test_spark import sample_workspace

pytestmark = pytest.mark.spark


def canon(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("event_id").reset_index(drop=True)[sorted(frame.columns)]


def same_rows(spark_table, duckdb_table) -> None:
    pd.testing.assert_frame_equal(
        canon(spark_table.to_pandas()), canon(duckdb_table.to_pandas()), check_dtype=False
    )


def records(workspace) -> pd.DataFrame:
    """The warehouse's record of its stored journey tables."""
    return workspace.con.read_arrow("journey_tables").to_pandas()


LATER = pd.DataFrame(  # p1 comes back on the web; a newcomer browses
    {
        "ts": pd.to_datetime(["2026-03-20 09:00", "2026-03-20 09:30"]).tz_localize("UTC"),
        "email": ["p1@x.fr", None],
        "anonymous_id": [None, "c9"],
        "channel": ["web", "web"],
        "event": ["login", "product_view"],
    }
)


def parts(workspace, jm) -> int:
    """How many parts (writes) hold the stored journey table of ``jm``."""
    return len(workspace.con.catalog.parts(table_name(jm)))


def refuse(*args, **kwargs):
    raise AssertionError("the stored journey table was built again whole")


def test_the_journey_table_is_kept_in_the_warehouse(tmp_path, spark_con, ws, monkeypatch):
    jm = JourneyMap.loads(MAP)
    name = table_name(jm)
    url = f"spark:{tmp_path / 'warehouse'}"
    spark_ws = parcours.open(url)
    sample_workspace(spark_ws)
    sample_workspace(ws)

    same_rows(spark_ws.journey_table(jm), ws.journey_table(jm))
    record = records(spark_ws)
    assert record.name.tolist() == [name]
    assert record.identity_version.tolist() == [identity_version(spark_ws.con)]
    assert record.rows.tolist() == [24]  # the 24 events
    spark_ws.close()

    def cut_again(*args, **kwargs):
        raise AssertionError("the stored journey table was cut again")

    with monkeypatch.context() as patched:
        patched.setattr(journeys, "journey_table", cut_again)
        patched.setattr(journeys, "journeys_of_placed", cut_again)
        reopened = parcours.open(url)  # a new command: the table is read from its files
        same_rows(reopened.journey_table(jm), ws.journey_table(jm))

    # p1's last journey converted: her login starts a new one, as the newcomer's visit
    # does; no stored row changes, so the update adds them as a part of their own.
    reopened.ingest_events(LATER)
    ws.ingest_events(LATER)
    with monkeypatch.context() as patched:
        patched.setattr(journey_store, "_build", refuse)
        same_rows(reopened.journey_table(jm), ws.journey_table(jm))
    assert parts(reopened, jm) == 2
    record = records(reopened)
    assert record.identity_version.tolist() == [identity_version(reopened.con)]
    assert record.rows.tolist() == [26]

    files = list((tmp_path / "warehouse" / name).rglob("*.parquet"))
    assert files
    reopened.forget("email:p1@x.fr")
    assert name not in reopened.con.list_tables()
    assert not any(path.exists() for path in files)  # her journeys' files are gone
    assert records(reopened).empty
    ws.forget("email:p1@x.fr")
    same_rows(reopened.journey_table(jm), ws.journey_table(jm))  # built again without her
    reopened.close()


def visit(cookie: str, ts: pd.Timestamp) -> pd.DataFrame:
    """A newcomer's page view."""
    return pd.DataFrame(
        {"ts": [ts], "anonymous_id": [cookie], "channel": ["web"], "event": ["product_view"]}
    )


def superseded(workspace, jm) -> int | None:
    """How many superseded rows the stored journey table of ``jm`` lists (None: no list)."""
    name = journey_store.superseded_name(table_name(jm))
    if name not in workspace.con.list_tables():
        return None
    return workspace.con.read_arrow(name).num_rows


def test_updated_batch_by_batch_as_a_build_from_scratch(tmp_path, spark_con, monkeypatch):
    """Each batch updates the stored table, never builds it whole again: its rows are a new
    part, and the stored rows they replace are listed as superseded (a late event: its
    person computed again from the start, twice, so that a row written by one update is
    superseded by the next); a part too many writes the table again as one, without the
    superseded rows. After each batch the table is the one DuckDB builds from scratch from
    the same batches."""
    jm = demo_map()
    demo = simulate(persons=120, seed=11, days=60)
    events = demo.events.sort_values("ts")
    cut = events.ts.quantile(0.9)
    end = events.ts.max()

    def late(number: int) -> pd.DataFrame:  # a copy of one of her events, seconds later
        row = events[events.email.notna()].iloc[[len(events) // 3]].copy()
        row["event_id"] = f"late-{number}"
        row["ts"] += pd.Timedelta(seconds=number)
        return row

    her = late(1).email.iloc[0]
    steps = [  # (batches, parts of the stored table after them, superseded rows listed)
        ([("events", events[events.ts <= cut]), ("customers", demo.customers)], 1, None),
        ([("events", visit("newcomer-1", end + pd.Timedelta(days=1)))], 2, None),
        ([("events", late(1))], 3, "hers"),
        ([("events", late(2))], 4, "hers twice"),
        ([("events", events[events.ts > cut]), ("events", late(3))], 1, None),  # MAX_PARTS
    ]
    monkeypatch.setattr(journey_store, "MAX_PARTS", 4)
    spark_ws = parcours.open(f"spark:{tmp_path / 'warehouse'}")
    done = []
    for number, (batches, expected_parts, listed) in enumerate(steps):
        for target, rows in batches:
            getattr(spark_ws, f"ingest_{target}")(rows)
        done += batches
        if number > 0:  # the persons the batch changed, listed for the journey table
            spark_ws.resolve_identities()
            assert spark_ws.con.read_arrow("person_changes").num_rows > 0, number
        with monkeypatch.context() as patched:
            if number > 0:
                patched.setattr(journey_store, "_build", refuse)
            got = spark_ws.journey_table(jm).to_pandas()
        assert parts(spark_ws, jm) == expected_parts, number
        # the one stored table has caught up with them: the list is emptied
        assert spark_ws.con.read_arrow("person_changes").num_rows == 0, number
        if listed is None:
            assert superseded(spark_ws, jm) is None, number
        else:  # one row per set of hers (she is computed again whole), per late event
            theirs = spark_ws.identities().to_pandas()
            person = theirs.loc[theirs.value == her, "person_id"].iloc[0]
            sets = spark_ws.con.table("identifier_sets")
            kept = sets.filter(sets.person_id == person).count().to_pyarrow().as_py()
            assert superseded(spark_ws, jm) == kept * (2 if listed == "hers twice" else 1)
        expected = _from_scratch(done, jm)
        pd.testing.assert_frame_equal(canon(got), canon(expected), check_dtype=False)
        assert records(spark_ws).rows.tolist() == [len(got)]
    assert len(got) == len(demo.events) + 4
    spark_ws.close()
