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


def test_updated_batch_by_batch_as_a_build_from_scratch(tmp_path, spark_con, monkeypatch):
    """Each batch updates the stored table, never builds it whole again: newcomers only
    add a part, a part too many writes the table again as one, and a late event (its
    person computed again from the start) replaces stored rows. After each batch the
    table is the one DuckDB builds from scratch from the same batches."""
    jm = demo_map()
    demo = simulate(persons=120, seed=11, days=60)
    events = demo.events.sort_values("ts")
    cut = events.ts.quantile(0.9)
    end = events.ts.max()
    late = events[events.email.notna()].iloc[[len(events) // 3]].copy()
    late["event_id"] = "late-1"  # a copy of one of her events, a second later
    late["ts"] += pd.Timedelta(seconds=1)
    steps = [  # (batches, parts of the stored table after them)
        ([("events", events[events.ts <= cut]), ("customers", demo.customers)], 1),
        ([("events", visit("newcomer-1", end + pd.Timedelta(days=1)))], 2),
        ([("events", visit("newcomer-2", end + pd.Timedelta(days=2)))], 1),  # MAX_PARTS
        ([("events", pd.concat([events[events.ts > cut], late]))], 1),
    ]
    monkeypatch.setattr(journey_store, "MAX_PARTS", 2)
    spark_ws = parcours.open(f"spark:{tmp_path / 'warehouse'}")
    done = []
    for number, (batches, expected_parts) in enumerate(steps):
        for target, rows in batches:
            getattr(spark_ws, f"ingest_{target}")(rows)
        done += batches
        with monkeypatch.context() as patched:
            if number > 0:
                patched.setattr(journey_store, "_build", refuse)
            got = spark_ws.journey_table(jm).to_pandas()
        assert parts(spark_ws, jm) == expected_parts, number
        expected = _from_scratch(done, jm)
        pd.testing.assert_frame_equal(canon(got), canon(expected), check_dtype=False)
    assert len(got) == len(demo.events) + 3
    assert records(spark_ws).rows.tolist() == [len(got)]
    spark_ws.close()
