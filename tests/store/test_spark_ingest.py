"""Ingestion into a ``spark:DIR`` workspace gives the DuckDB workspace's rows, rejected rows,
reasons and reports; it is idempotent on event_id and atomic per batch."""

from __future__ import annotations

import json
import textwrap

import pandas as pd
import pytest

import parcours
from parcours.store import ingest as ingest_module
from parcours.store import schema, spark_files

pytestmark = pytest.mark.spark

# Row 3 repeats row 2 (a duplicate), row 7 gives e2 another time (a conflict); rows 4 to 6
# break one rule each; row 8's email is trimmed and lower-cased.
CSV = textwrap.dedent(
    """\
    event_id,ts,email,anonymous_id,channel,event,revenue,promo
    e1,2026-03-01 10:00:00,a@x.fr,c1,web,product_view,,yes
    e2,2026-03-01 10:05:00,a@x.fr,c1,web,purchase,"12,50",no
    e2,2026-03-01 10:05:00,a@x.fr,c1,web,purchase,"12,50",no
    e3,2026-03-01 11:00:00,,,web,product_view,,no
    e4,not a time,b@x.fr,,magasin,purchase,3,no
    e5,2026-03-02 09:00:00,b@x.fr,,magasin,purchase,abc,no
    e2,2026-03-01 10:06:00,a@x.fr,c1,web,purchase,"12,50",no
    e6,2026-03-02 10:00:00, B@X.fr ,c2,app,login,,no
    """
)

NDJSON_ROWS = [
    {"event_id": "j1", "ts": "2026-03-03T08:00:00+01:00", "phone": "06 12 34 56 78",
     "channel": "web", "event": "login", "device": {"os": "ios"}},
    {"event_id": "j2", "ts": "2026-03-03T08:01:00Z", "phone": "not a phone",
     "channel": "web", "event": "login"},
    {"event_id": "e1", "ts": "2026-03-01 10:00:00", "email": "a@x.fr", "anonymous_id": "c1",
     "channel": "web", "event": "product_view", "promo": "yes"},
]  # fmt: skip

PARQUET = pd.DataFrame(
    {
        "event_id": ["p1", "p2"],
        "ts": pd.to_datetime(["2026-03-04 12:00", "2026-03-04 12:30"]).tz_localize("UTC"),
        "loyalty_id": ["L1", None],
        "channel": ["magasin", "magasin"],
        "event": ["purchase", "purchase"],
        "revenue": [49.9, float("nan")],
    }
)


@pytest.fixture
def spark_ws(tmp_path, spark_con):
    workspace = parcours.open(f"spark:{tmp_path / 'warehouse'}")
    yield workspace
    workspace.close()


def report(r):
    found = r.to_dict()
    del found["batch_id"], found["seconds"]
    return found


def rows(table, drop, key):
    frame = table.to_pandas().drop(columns=drop)
    return frame.sort_values(key).reset_index(drop=True)


def test_files_ingest_into_spark_as_into_duckdb(tmp_path, ws, spark_ws):
    csv = tmp_path / "events.csv"
    csv.write_text(CSV)
    ndjson = tmp_path / "events.ndjson"
    ndjson.write_text("\n".join(json.dumps(r) for r in NDJSON_ROWS) + "\n")
    parquet = tmp_path / "events.parquet"
    PARQUET.to_parquet(parquet)

    for source in (csv, csv, ndjson, parquet):  # the CSV twice: nothing new the second time
        expected, got = ws.ingest_events(source), spark_ws.ingest_events(source)
        assert report(got) == report(expected), source.name
    assert report(got)["accepted"] == 1  # p2 has no identifier
    again = spark_ws.ingest_events(csv)
    assert (again.accepted, again.duplicates, again.conflicts, again.rejected) == (0, 4, 1, 3)

    pd.testing.assert_frame_equal(
        rows(spark_ws.events, ["batch_id"], "event_id"),
        rows(ws.events, ["batch_id"], "event_id"),
        check_dtype=False,
    )
    expected_rejected = rows(ws.rejected, ["batch_id", "rejected_at"], "record_id")
    got_rejected = rows(spark_ws.rejected, ["batch_id", "rejected_at"], "record_id")
    pd.testing.assert_frame_equal(got_rejected, expected_rejected, check_dtype=False)
    # Each bad input row is kept once, however often its file is ingested: CSV rows 4 to 7,
    # NDJSON row 2 (its phone) and 3 (e1 with another properties: a device key), Parquet row 2.
    assert len(got_rejected) == 7
    assert "phone 'not a phone' is not a phone number" in " ".join(got_rejected.reason)
    phones = spark_ws.con.table("phone_numbers").to_pandas()
    assert phones.e164.tolist() == ["+33612345678"]


def test_an_interrupted_ingest_leaves_the_warehouse_as_it_was(tmp_path, spark_ws, monkeypatch):
    csv = tmp_path / "events.csv"
    csv.write_text(CSV)
    catalog = spark_ws.con.catalog

    def interrupted(con):
        raise KeyboardInterrupt  # after the rows, rejected rows and batch line were written

    monkeypatch.setattr(ingest_module, "bump_data_version", interrupted)
    with pytest.raises(KeyboardInterrupt):
        spark_ws.ingest_events(csv)
    # (The first ingest did commit one thing before its batch: the identifiers' mode.)
    assert schema.read_meta(spark_ws.con, "data_version") is None
    assert [catalog.parts(t) for t in ("events", "rejected", "batches")] == [[], [], []]
    assert not list((catalog.root / "events").glob("*"))  # the half batch's files are gone
    monkeypatch.undo()
    done = spark_ws.ingest_events(csv)
    assert done.accepted == 3
    assert spark_ws.events.count().to_pyarrow().as_py() == 3


def test_a_file_on_the_clusters_storage_is_named_by_its_uri(tmp_path, ws, spark_ws):
    # Spark writes its files as parts of a directory, as a job on the lake would.
    spark = spark_ws.con._session
    spark.createDataFrame(PARQUET.astype({"ts": "datetime64[us, UTC]"})).coalesce(1).write.parquet(
        str(tmp_path / "lake" / "store")
    )
    (part,) = (tmp_path / "lake" / "store").glob("part-*.parquet")
    csv = tmp_path / "lake" / "events.csv"
    csv.write_text(CSV)

    for local in (csv, part, csv):  # the CSV twice: nothing new the second time
        expected, got = ws.ingest_events(local), spark_ws.ingest_events(local.as_uri())
        assert report(got) == {**report(expected), "source": local.as_uri()}, local.name
    assert (got.accepted, got.duplicates, got.conflicts, got.rejected) == (0, 4, 1, 3)

    pd.testing.assert_frame_equal(
        rows(spark_ws.events, ["batch_id", "source"], "event_id"),
        rows(ws.events, ["batch_id", "source"], "event_id"),
        check_dtype=False,
    )
    assert set(spark_ws.events.source.to_pandas()) == {csv.as_uri(), part.as_uri()}
    # The Parquet file is read by Spark where it lies (see parcours.store.spark_parquet),
    # the CSV beside the driver: the same rows set aside, for the same reasons.
    order = ["reason", "row_number"]
    got_rejected = rows(spark_ws.rejected, ["batch_id", "rejected_at", "record_id"], order)
    expected_rejected = rows(ws.rejected, ["batch_id", "rejected_at", "record_id"], order)
    assert got_rejected.source.tolist() == [
        source.replace(str(csv), csv.as_uri()).replace(str(part), part.as_uri())
        for source in expected_rejected.source
    ]
    pd.testing.assert_frame_equal(
        got_rejected.drop(columns="source"),
        expected_rejected.drop(columns="source"),
        check_dtype=False,
    )
    # The copies beside the driver are gone.
    assert not list((spark_ws.con.catalog.root / "_staging").glob("fetch-*"))


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("missing.csv", "missing.csv: no such file"),
        ("", "is a directory; give one file"),
    ],
)
def test_a_uri_that_names_no_file_is_refused(tmp_path, spark_ws, where, said):
    with pytest.raises(parcours.SourceError, match=said):
        spark_ws.ingest_events((tmp_path / where).as_uri())
    assert spark_ws.events.count().to_pyarrow().as_py() == 0


def test_a_scheme_spark_cannot_read_is_named(spark_ws):
    with pytest.raises(parcours.SourceError) as raised:
        spark_ws.ingest_events("nosuch://bucket/events.csv")
    assert "this Spark has no file system for nosuch://" in str(raised.value)


def test_a_duckdb_workspace_asks_for_a_local_path(ws, tmp_path):
    with pytest.raises(parcours.SourceError, match="read through Spark's file systems"):
        ws.ingest_events((tmp_path / "events.csv").as_uri())


def test_under_spark_connect_a_uri_asks_for_a_local_copy(tmp_path):
    class ConnectSession:  # Spark Connect's session: its JVM attributes raise AttributeError
        def __getattr__(self, name):
            raise AttributeError(name)

    fetching = spark_files.fetched(ConnectSession(), "s3a://lake/day.csv", tmp_path)
    with pytest.raises(parcours.SourceError, match="Spark Connect keeps on the server"):
        fetching.__enter__()
    assert not list(tmp_path.iterdir())


def test_a_spark_workspace_states_what_it_holds_as_a_duckdb_file_does(tmp_path, spark_ws):
    from parcours.maps import JourneyMap
    from parcours.store.status import engine_status, quick_status
    from tests.store.test_results import MAP

    csv = tmp_path / "events.csv"
    csv.write_text(CSV)
    with parcours.open(tmp_path / "w.duckdb") as ws:
        for workspace in (ws, spark_ws):
            workspace.ingest_events(csv)
            workspace.save_map(JourneyMap.loads(MAP), "the map")
            workspace.resolve_identities()
    expected = quick_status(tmp_path / "w.duckdb")
    assert expected is not None
    found = engine_status(spark_ws)
    assert found == {**expected, "notices": [], "spooled": 0}
    # e1 and e2 (a@x.fr), e6 (b@x.fr): two persons
    assert (found["counts"]["events"], found["persons"], found["maps"]) == (3, 2, ["results-test"])
