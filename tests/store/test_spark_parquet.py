"""A Parquet file on the cluster's storage is read and checked by Spark
(parcours.store.spark_parquet) and gives what DuckDB gives from the same file: the same
report, events, rejected rows, reasons and records; again, nothing new."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import parcours
from parcours.store import spark_files
from tests.store.test_ingest_shaping import WIDE_MAPPING

pytestmark = pytest.mark.spark

# One row per rule, each planted: row 1 is fine; then a time twice in Paris (the later one),
# a date alone, no identifier, a text that is no time, a year alone, a number of seconds
# without its unit, an empty event, a phone that is no phone, a NUL byte, a NaN and an
# infinite revenue, a row without its id (its key from its content), a duplicate of row 1,
# a conflict on e2 (another channel), a French number in a text column.
EVENTS = pa.table(
    {
        "event_id": ["e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "e10", "e11", "e12"]
        + [None, "e1", "e2"],
        "ts": [
            "2024-03-01 10:00:00",
            "2024-10-27 02:30:00",
            "2024-05-01",
            "2024-05-01 09:00",
            "bad",
            "2024",
            "1700000000",
            "2024-05-01 09:00",
            "2024-05-01 09:00",
            "2024-05-01 09:00",
            "2024-05-01 09:00",
            "2024-05-01 09:00",
            "2024-05-02 09:00",
            "2024-03-01 10:00:00",
            "2024-10-27 02:30:00",
        ],
        "email": ["A@x.fr", "b@x.fr", "c@x.fr", None, "d@x.fr", "e@x.fr", "f@x.fr", "g@x.fr"]
        + [None, "h@x.fr", "i@x.fr", "j@x.fr", " K@X.fr ", "A@x.fr", "b@x.fr"],
        "phone": [None] * 8 + ["12", None, None, None, "06 12 34 56 78", None, None],
        "event": ["view", "buy", "view", "view", "view", "view", "view", None, "view"]
        + ["vi\x00ew", "view", "view", "Achat confirmé", "view", "buy"],
        "channel": ["Web", "app", "web", "web", "web", "web", "web", "web", "web", "web", "web"]
        + ["web", "Équipe", "Web", "magasin"],
        "revenue": [1234.5, None, 3.0, None, None, None, None, None, None, None, float("nan")]
        + [float("inf"), 1700000000.5, 1234.5, None],
        "promo": ["1 234,50", "non", None, "x", "y", "z", "w", "v", "u", "t", "s", "r", "q"]
        + ["1 234,50", "non"],
    }
)
# Instants (Parquet's isAdjustedToUTC) and wall-clock times (Paris) as typed columns.
TYPED = pa.table(
    {
        "event_id": ["t1", "t2", "t3"],
        "ts": pa.array([1704448800_000000, 1729992600_000000, None], pa.timestamp("us", "UTC")),
        "local": pa.array([1704448800_000000, 1729996200_000000, 0], pa.timestamp("us")),
        "loyalty_id": ["L1", "L2", "L3"],
        "channel": ["magasin"] * 3,
        "event": ["purchase"] * 3,
        "is_member": [True, False, None],
    }
)


@pytest.fixture
def engines(tmp_path, spark_con):
    duck = parcours.open(str(tmp_path / "events.duckdb"))
    spark = parcours.open(f"spark:{tmp_path / 'warehouse'}")
    yield duck, spark
    duck.close()
    spark.close()


@pytest.fixture
def read_by_spark(monkeypatch):
    """Fail should the file be copied beside the driver rather than read by Spark."""

    def copied(*args, **kwargs):
        raise AssertionError("a file URI was copied beside the driver")

    monkeypatch.setattr(spark_files, "fetched", copied)


def report(r):
    found = r.to_dict()
    del found["batch_id"], found["seconds"]
    return found


def table(workspace, name, order):
    frame = workspace.con.table(name).to_pandas()
    frame = frame.drop(columns=[c for c in ("batch_id", "rejected_at", "record_id") if c in frame])
    if "record" in frame:  # the same JSON (a float may be written 1.7E9 or 1700000000.0)
        records = [json.loads(r) for r in frame.record]
        for record in records:  # a replaced version's record holds its batch's id
            record.pop("batch_id", None)
        frame["record"] = [json.dumps(r, sort_keys=True) for r in records]
    return frame.sort_values(order).reset_index(drop=True)


def ingest_both(engines, path, **mapping):
    duck, spark = engines
    expected = duck.ingest_events(str(path), source_name=path.name, **mapping)
    got = spark.ingest_events(path.as_uri(), source_name=path.name, **mapping)
    assert report(got) == report(expected)
    return expected, got


def same_tables(engines):
    duck, spark = engines
    for name, order in (("events", ["seq"]), ("rejected", ["row_number", "reason"])):
        pd.testing.assert_frame_equal(
            table(spark, name, order), table(duck, name, order), check_dtype=False
        )


def planted_alike(engines, path):
    """EVENTS in ``path`` ingested twice on both engines, alike; Spark's events."""
    first, _ = ingest_both(engines, path)
    # Rows 1, 2, 3 and 13 stored; 4 to 12 rejected; 14 a duplicate, 15 a conflict.
    assert (first.rows, first.accepted, first.duplicates, first.conflicts) == (15, 4, 1, 1)
    assert first.rejected == 9
    again, _ = ingest_both(engines, path)
    assert (again.accepted, again.duplicates, again.conflicts) == (0, 5, 1)
    same_tables(engines)

    events = engines[1].events.to_pandas().set_index("event_id")
    assert str(events.loc["e2", "ts"]) == "2024-10-27 01:30:00"  # the later 02:30 in Paris
    assert events.loc["e1", "properties"] == '{"promo":"1 234,50"}'  # quoted in a CSV
    return events


def test_a_parquet_file_is_checked_by_spark_as_by_duckdb(tmp_path, engines, read_by_spark):
    path = tmp_path / "events.parquet"
    pq.write_table(EVENTS, path)

    events = planted_alike(engines, path)
    (derived,) = [key for key in events.index if len(key) == 32]  # row 13's key: its content
    assert events.loc[derived, "phone"] == "+33612345678"


def test_the_latest_version_replaces_the_stored_one_alike(tmp_path, engines, read_by_spark):
    path = tmp_path / "events.parquet"
    pq.write_table(EVENTS, path)
    ingest_both(engines, path)
    changed = EVENTS.set_column(5, "channel", pa.array(["app"] * EVENTS.num_rows))
    later = tmp_path / "later.parquet"
    pq.write_table(changed.slice(0, 3), later)

    replaced, _ = ingest_both(engines, later, on_conflict="latest")
    assert (replaced.replaced, replaced.duplicates) == (2, 1)  # e2 was on the app already
    same_tables(engines)


def test_typed_times_and_flags_are_read_alike(tmp_path, engines, read_by_spark):
    path = tmp_path / "typed.parquet"
    pq.write_table(TYPED, path)

    ingest_both(engines, path)
    wall = tmp_path / "wall.parquet"
    walls = TYPED.drop(["ts"]).rename_columns(["event_id", "ts", *TYPED.column_names[3:]])
    pq.write_table(walls.set_column(0, "event_id", pa.array(["w1", "w2", "w3"])), wall)
    ingest_both(engines, wall)
    same_tables(engines)
    events = engines[1].events.to_pandas()
    # Instants as they are; wall-clock times read in Paris (02:30 twice: the later one).
    assert dict(zip(events.event_id, events.ts.astype(str), strict=True)) == {
        "t1": "2024-01-05 10:00:00",
        "t2": "2024-10-27 01:30:00",
        "w1": "2024-01-05 09:00:00",
        "w2": "2024-10-27 01:30:00",
    }


def test_customers_and_feedback_from_parquet_alike(tmp_path, engines, read_by_spark):
    customers = tmp_path / "customers.parquet"
    pq.write_table(
        pa.table({"email": ["a@x.fr", None, "B@x.fr"], "segment": ["gold", "x", "silver"]}),
        customers,
    )
    feedback = tmp_path / "feedback.parquet"
    pq.write_table(
        pa.table(
            {
                "email": ["a@x.fr", "b@x.fr", "c@x.fr"],
                "ts": ["2024-05-01 10:00", "2024-05-02 10:00", "2024-05-03 10:00"],
                "kind": ["nps", "csat", "nps"],
                "score": [9.0, 7.0, 4.0],
                "verbatim": ["Très bien", None, "Livraison lente"],
            }
        ),
        feedback,
    )
    duck, spark = engines
    for path, ingest in ((customers, "ingest_customers"), (feedback, "ingest_feedback")):
        expected = getattr(duck, ingest)(str(path), source_name=path.name)
        got = getattr(spark, ingest)(path.as_uri(), source_name=path.name)
        assert report(got) == report(expected), path.name
    assert (got.accepted, got.rejected) == (2, 1)  # a CSAT of 7 is out of its 1 to 5 scale
    for name in ("customers", "feedback", "rejected"):
        pd.testing.assert_frame_equal(
            table(spark, name, list(table(duck, name, []).columns[:3])),
            table(duck, name, list(table(duck, name, []).columns[:3])),
            check_dtype=False,
        )


def test_columns_differing_in_case_are_told_apart_as_duckdb_does(tmp_path, engines):
    path = tmp_path / "cased.parquet"
    pq.write_table(
        pa.table(
            {
                "event_id": ["c1"],
                "ts": ["2024-05-01 10:00"],
                "email": ["a@x.fr"],
                "channel": ["web"],
                "event": ["view"],
                "Event": ["w"],
                "EVENT": ["z"],
                "Event_1": ["q"],
            }
        ),
        path,
    )
    ingest_both(engines, path)
    same_tables(engines)
    properties = engines[1].events.properties.to_pandas().tolist()
    assert properties == ['{"Event_1":"w","EVENT_2":"z","Event_1_1":"q"}']
    # Names are told apart by case while that file is read only.
    assert engines[1].con._session.conf.get("spark.sql.caseSensitive") == "false"


def test_a_format_spark_cannot_read_is_refused_naming_the_code(tmp_path, engines):
    path = tmp_path / "weeks.parquet"
    pq.write_table(EVENTS, path)
    with pytest.raises(parcours.MappingError, match="%U has no Spark form"):
        engines[1].ingest_events(path.as_uri(), timestamp_format="%Y week %U")
    assert engines[1].events.count().to_pyarrow().as_py() == 0


def test_nanosecond_times_spark_cannot_read_are_checked_on_the_driver(tmp_path, engines):
    # pandas writes nanosecond times, a Parquet type Spark refuses: the file is copied
    # beside the driver and checked there, with the same result.
    path = tmp_path / "pandas.parquet"
    frame = pd.DataFrame(
        {
            "event_id": ["n1", "n2"],
            "ts": pd.to_datetime(
                ["2024-05-01 10:00:00", "2024-05-01 10:00:00.000000001"], format="ISO8601"
            ),
            "email": ["a@x.fr", "b@x.fr"],
            "channel": ["web", "web"],
            "event": ["view", "view"],
        }
    )
    frame.to_parquet(path)
    assert pq.read_schema(path).field("ts").type == pa.timestamp("ns")
    ingest_both(engines, path)
    same_tables(engines)
    assert engines[1].events.count().to_pyarrow().as_py() == 2


def test_a_wide_survey_in_parquet_is_one_row_per_answer_alike(tmp_path, engines):
    # The answers' records join the row's columns and the answer's (json_merge_patch).
    path = tmp_path / "wide.parquet"
    pq.write_table(
        pa.table(
            {
                "respondent": ["R1", "R2"],
                "email": ["a@x.fr", "b@x.fr"],
                "date": ["2026-03-01 10:00:00", "2026-03-02 10:00:00"],
                "Livraison": [5.0, 0.0],
                "Service client": [None, 3.0],
                "Magasin": [4.0, 9.0],
                "comment": ["bien", None],
            }
        ),
        path,
    )
    mapping = WIDE_MAPPING  # the CSV survey of tests/store/test_ingest_shaping.py
    duck, spark = engines
    expected = duck.ingest_feedback(str(path), mapping, source_name=path.name)
    got = spark.ingest_feedback(path.as_uri(), mapping, source_name=path.name)
    assert report(got) == report(expected)
    assert (got.accepted, got.rejected, got.skipped) == (3, 1, 2)
    for name, order in (("feedback", ["feedback_id"]), ("rejected", ["row_number"])):
        pd.testing.assert_frame_equal(
            table(spark, name, order), table(duck, name, order), check_dtype=False
        )
    (record,) = spark.con.table("rejected").record.to_pandas()
    assert json.loads(record)["Magasin"] == "9.0"  # an answer is read as text
