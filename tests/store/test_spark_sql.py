"""The Spark SQL of a ``spark:DIR`` workspace gives DuckDB's answers where the ingest's
checks ask (parcours.store.spark_sql): the same values computed by both engines from the
same Parquet file, compared one by one."""

from __future__ import annotations

import json

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import parcours
from parcours.errors import MappingError
from parcours.store import ingest, spark_sql, timeparse

pytestmark = pytest.mark.spark

TEXTS = [
    "2024-01-05",
    "2024-1-5",
    "2024-01-05 1:00",
    "2024-01-05T10:00:00",
    "2024-01-05 10:00:00.123456",
    "2024-01-05 10:00:00Z",
    "2024-01-05 10:00:00+01",
    "2024-01-05 10:00:00+0100",
    "2024-01-05 10:00:00+01:00",
    "2024-01-05 10:00:00 UTC",
    "2024/01/05 10:00",
    "2024",  # Spark reads a year alone, DuckDB does not
    "2024-01",
    "20240105",
    "2024-01-05 10",
    "2024-02-30 10:00",
    "2024-10-27 02:30:00",  # twice in Paris: DuckDB reads the later (01:30 UTC)
    "2024-03-31 02:30:00",  # never in Paris: moved forward by the gap
    "2024-10-27 01:59:59",
    "2024-10-27 03:00:00",
    "not a time",
    None,
]
FLOATS = [
    *[1e20, 1.2345678901234568e20, 1e15, 1e16, 9999999999999998.0, 0.0001, 0.00012],
    *[1e-5, -1e-5, 0.001, 1700000000.5, 3.0, -0.0, 1234567.0, 12345678.9, 0.1, 100.25],
    *[float("nan"), float("inf"), float("-inf"), 0.0, 123456789.123, -2.5e-7, 0.3],
]
WORDS = ["\x0b a\x0c ", "view", "Équipement reçu !", "ÀÇœøß", "naïve café", "\tx\n", "Ōsaka"]


@pytest.fixture(scope="module")
def engines(tmp_path_factory, spark_con):
    folder = tmp_path_factory.mktemp("spark_sql")
    workspace = parcours.open(f"spark:{folder / 'warehouse'}")
    duck = ibis.duckdb.connect()
    duck.raw_sql("SET TimeZone = 'UTC'")
    yield {"duckdb": duck, "spark": workspace.con}, folder
    workspace.close()


def both(engines, columns: dict, build) -> tuple[list, list]:
    """``build`` (a table -> a table) computed by DuckDB and by Spark on the same file."""
    cons, folder = engines
    path = folder / f"values-{len(list(folder.glob('*.parquet')))}.parquet"
    pq.write_table(pa.table(columns), path)
    found = []
    for con in cons.values():
        found.append(con.to_pyarrow(build(con.read_parquet(str(path)))).to_pylist())
    return found[0], found[1]


def test_texts_are_read_as_the_same_times(engines):
    duckdb, spark = both(
        engines,
        {"t": TEXTS},
        lambda t: t.select(
            paris=timeparse.to_utc(t.t, "Europe/Paris"),
            utc=timeparse.to_utc(t.t, "UTC"),
            formatted=timeparse.to_utc(t.t, "Europe/Paris", "%d/%m/%Y %H:%M"),
        ),
    )
    assert spark == duckdb
    by_text = dict(zip(TEXTS, duckdb, strict=True))
    assert str(by_text["2024-10-27 02:30:00"]["paris"]) == "2024-10-27 01:30:00"
    assert str(by_text["2024-03-31 02:30:00"]["paris"]) == "2024-03-31 01:30:00"
    assert by_text["2024"]["utc"] is None


def test_formats_are_read_as_strptime_reads_them(engines):
    texts = [
        *["05/01/2024 10:00", "5/1/2024 9:05", "31/12/2023 23:59", "2024-01-05"],
        *["32/01/2024 10:00", "20240105", "2024-13-01"],
    ]
    duckdb, spark = both(
        engines,
        {"t": texts},
        lambda t: t.select(
            day_first=timeparse.to_utc(t.t, "UTC", "%d/%m/%Y %H:%M"),
            dashed=timeparse.to_utc(t.t, "UTC", "%Y-%m-%d"),
            compact=timeparse.to_utc(t.t, "UTC", "%Y%m%d"),
        ),
    )
    assert spark == duckdb
    assert [str(r["day_first"]) for r in duckdb[:3]] == [
        "2024-01-05 10:00:00",
        "2024-01-05 09:05:00",
        "2023-12-31 23:59:00",
    ]


def test_floats_are_written_as_duckdb_writes_them(engines):
    duckdb, spark = both(
        engines, {"x": FLOATS}, lambda t: t.select(text=t.x.cast("string"), empty=t.x.isnull())
    )
    assert spark == duckdb
    assert [r["text"] for r in duckdb[:3]] == [
        "1e+20",
        "1.2345678901234568e+20",
        "1000000000000000.0",
    ]
    assert not any(r["empty"] for r in duckdb)  # NaN is a value, not an empty cell


def test_words_are_trimmed_and_slugged_alike(engines):
    duckdb, spark = both(
        engines,
        {"w": WORDS},
        lambda t: t.select(clean=t.w.strip(), slug=ingest.slug(t.w)),
    )
    assert spark == duckdb
    assert [r["clean"] for r in duckdb[:2]] == ["a", "view"]  # Spark's '\v' was a 'v'
    assert duckdb[2]["slug"] == "equipement_recu"


def record_of(t, columns):
    return t.select(record=ibis.struct({c: t[c] for c in columns}).cast("json").cast("string"))


def test_a_record_is_the_same_json(engines):
    columns = {
        "text": ['é"q', None, "x"],
        "number": [1.5, float("nan"), float("-inf")],
        "whole": [1, None, 3],
        "flag": [True, False, None],
        "naive": pa.array([1704448800_000000, None, 1704448800_500000], pa.timestamp("us")),
        "instant": pa.array([1704448800_000000, None, 0], pa.timestamp("us", tz="UTC")),
    }
    duckdb, spark = both(
        engines,
        columns,
        # Spark's reader says "a timestamp" of an instant: told, as spark_parquet does.
        lambda t: record_of(t.cast({"instant": "timestamp('UTC')"}), columns),
    )
    assert [r["record"] for r in spark] == [r["record"] for r in duckdb]
    first = json.loads(duckdb[0]["record"])
    assert first["naive"] == "2024-01-05 10:00:00" and first["instant"] == "2024-01-05 10:00:00+00"
    assert "NaN" in duckdb[1]["record"] and '"text":null' in duckdb[1]["record"]


def test_floats_in_a_record_are_written_as_duckdb_writes_them(engines):
    # (Not 5e-324: Java 17 writes the smallest float 4.9E-324, digits not the shortest.)
    more = [1e21, 1e300, 2.5e-310, 1e-6, 1e-7, 1.7976931348623157e308, 2.0, 10.0, 120.5]
    duckdb, spark = both(engines, {"x": FLOATS + more}, lambda t: record_of(t, ["x"]))
    assert [r["record"] for r in spark] == [r["record"] for r in duckdb]
    written = [r["record"] for r in duckdb]
    assert written[:2] == ['{"x":100000000000000000000.0}', '{"x":123456789012345680000.0}']
    assert '{"x":1e21}' in written and '{"x":-2.5e-7}' in written


@pytest.mark.parametrize(
    ("strftime", "pattern"),
    [
        ("%d/%m/%Y %H:%M", "d/M/yyyy H:m"),
        ("%Y%m%d", "yyyyMMdd"),
        ("%Y%m%d %H%M", "yyyyMMdd HHmm"),
        ("%d %b %Y at %I%p", "d MMM yyyy' at 'hha"),
        ("%Y-%m-%dT%H:%M:%S.%f%z", "yyyy-M-d'T'H:m:s.SSSSSSZ"),
        ("100%% %Y", "100% yyyy"),
    ],
)
def test_strftime_becomes_a_spark_pattern(strftime, pattern):
    assert spark_sql.spark_pattern(strftime) == pattern


def test_a_strftime_code_spark_has_no_form_of_is_refused():
    with pytest.raises(MappingError, match="%U has no Spark form"):
        spark_sql.spark_pattern("%Y week %U")
