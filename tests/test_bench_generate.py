"""The benchmark generator (benchmarks/generate.py) writes what the demo simulator writes.

Same columns and types, the demo map's vocabulary, the same file for the same seed, and an
increment that comes later and mostly from persons already seen.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import parcours
from parcours.demo import simulate
from parcours.demo.load import demo_map

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.append(str(BENCHMARKS))

import generate  # noqa: E402

EVENTS = 20_000
CHUNK = 500  # persons per chunk: several chunks for 20k events


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("bench")
    base, extra = folder / "events.parquet", folder / "increment.parquet"
    generate.write_events(base, EVENTS, seed=7, chunk_persons=CHUNK)
    generate.write_increment(extra, base, 0.01, seed=7)
    return base, extra


def test_row_count_is_the_target_up_to_one_person(files: tuple[Path, Path]) -> None:
    rows = pq.read_metadata(files[0]).num_rows
    assert EVENTS <= rows < EVENTS + 200


def test_columns_and_types_are_the_demo_simulators(files: tuple[Path, Path]) -> None:
    demo = pa.Table.from_pandas(simulate(persons=200, days=30).events, preserve_index=False)
    assert pq.read_schema(files[0]).remove_metadata() == demo.schema.remove_metadata()
    assert pq.read_schema(files[1]).remove_metadata() == demo.schema.remove_metadata()


def test_same_seed_same_events_other_seed_other_events(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    again, other = tmp_path / "again.parquet", tmp_path / "other.parquet"
    generate.write_events(again, EVENTS, seed=7, chunk_persons=CHUNK)
    generate.write_events(other, EVENTS, seed=8, chunk_persons=CHUNK)
    assert pq.read_table(again).equals(pq.read_table(files[0]))
    assert not pq.read_table(other).equals(pq.read_table(files[0]))


def test_event_ids_are_unique_and_identifiers_present(files: tuple[Path, Path]) -> None:
    table = pa.concat_tables([pq.read_table(f) for f in files])
    assert len(set(table["event_id"].to_pylist())) == table.num_rows
    ids = ("customer_id", "anonymous_id", "email", "phone", "loyalty_id")
    frame = table.select(list(ids)).to_pandas()
    assert frame.notna().any(axis=1).all()  # every event shows someone
    assert frame["anonymous_id"].notna().mean() > 0.5  # mostly web and app
    assert frame["loyalty_id"].notna().sum() > 0 and frame["phone"].notna().sum() > 0


def test_the_demo_map_maps_the_events(files: tuple[Path, Path], tmp_path: Path) -> None:
    ws = parcours.open(tmp_path / "ws.duckdb")
    report = ws.ingest_events(files[0])
    assert report.accepted == pq.read_metadata(files[0]).num_rows and report.rejected == 0
    coverage = ws.coverage(demo_map())
    share = coverage["mapped"].sum() / coverage["events"].sum()
    ws.close()
    assert share > 0.8


def test_the_increment_is_later_and_mostly_from_known_persons(files: tuple[Path, Path]) -> None:
    base, extra = (pq.read_table(f).to_pandas() for f in files)
    assert 0.009 * len(base) <= len(extra) <= 0.011 * len(base) + 20
    assert extra["ts"].min() > base["ts"].max()
    known = {c: set(base[c].dropna()) for c in ("customer_id", "anonymous_id", "email")}
    seen = extra[list(known)].apply(lambda col: col.isin(known[col.name])).any(axis=1)
    assert 0.6 < seen.mean() < 1  # mostly known persons; new persons and new cookies too
    accounts = extra["customer_id"].dropna()
    assert accounts.isin(known["customer_id"]).mean() > 0.6
