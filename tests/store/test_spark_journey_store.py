"""A ``spark:DIR`` workspace stores its journey table in the warehouse: a new session reads
it instead of cutting every journey again; an ingest builds it again (the same rows as
DuckDB's); an erasure drops it with its files."""

from __future__ import annotations

import pandas as pd
import pytest

import parcours
from parcours.maps import JourneyMap
from parcours.store import journeys
from parcours.store.identity import identity_version
from parcours.store.journey_store import table_name

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
        reopened = parcours.open(url)  # a new command: the table is read from its files
        same_rows(reopened.journey_table(jm), ws.journey_table(jm))

    reopened.ingest_events(LATER)
    ws.ingest_events(LATER)
    same_rows(reopened.journey_table(jm), ws.journey_table(jm))  # built again, whole
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
