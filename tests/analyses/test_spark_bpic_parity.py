"""The parity suite on a real log: every registered analysis on the first cases of BPIC 2012
(a Dutch bank's loan applications, ../shared/datasets/bpic2012), ingested through the
example mapping and read with the example map, gives on a ``spark:DIR`` workspace the DuckDB
workspace's result: counts exactly, floating point within ``REL_TOL`` (the demo suite's
comparison, tests/analyses/test_spark_parity.py, and its ``notimpl`` marks).

A bounded sample keeps CI short (Spark runs each step as jobs on a 2-core machine); the
whole log's numbers are pinned on DuckDB against pm4py in tests/analyses/test_process.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import parcours
from parcours.analyses import ANALYSES, REGISTRY
from parcours.errors import InputError
from parcours.maps import JourneyMap
from tests.conftest import SHARED_DATASETS

from .test_spark_parity import NOT_ON_SPARK, assert_same, notimpl

pytestmark = [pytest.mark.spark, pytest.mark.shared_data]

LOG = SHARED_DATASETS / "bpic2012" / "bpic2012.csv.gz"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bpic2012"
CASES = 150  # the first applications of the file, in its order: 3,452 events


def mark(name: str) -> Any:
    if name in NOT_ON_SPARK:
        return pytest.param(name, marks=notimpl(NOT_ON_SPARK[name]))
    return name


def first_cases(path: Path, cases: int) -> pd.DataFrame:
    """Every event of the first ``cases`` applications of the log, as read from its CSV."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    kept = raw["case:concept:name"].drop_duplicates().head(cases)
    return raw[raw["case:concept:name"].isin(set(kept))]


@pytest.fixture(scope="module")
def engines(tmp_path_factory, spark_con):
    """The same BPIC 2012 sample and example map in a DuckDB and a spark: workspace."""
    if not LOG.exists():
        pytest.skip(f"BPIC 2012 is not present at {LOG} (the real logs live in ../shared)")
    sample = first_cases(LOG, CASES)
    jm = JourneyMap.load(EXAMPLE / "journey.yaml")
    duck = parcours.open(":memory:")
    spark = parcours.open(f"spark:{tmp_path_factory.mktemp('bpic') / 'warehouse'}")
    for ws in (duck, spark):
        report = ws.ingest_events(sample, mapping=str(EXAMPLE / "mapping.yaml"))
        assert (report.accepted, report.rejected) == (len(sample), 0), report.reasons
        ws.save_map(jm)
    yield duck, spark
    spark.close()
    duck.close()


def test_sample_is_the_first_applications_whole(engines):
    duck, spark = engines
    for ws in (duck, spark):
        events = ws.events
        assert events.count().to_pyarrow().as_py() == 3_452
        assert events.customer_id.nunique().to_pyarrow().as_py() == CASES
        assert ws.identities().person_id.nunique().to_pyarrow().as_py() == CASES


@pytest.mark.parametrize("name", [mark(a.name) for a in ANALYSES])
def test_analysis_matches_duckdb_on_bpic2012(engines, name):
    duck, spark = engines
    if name == "compare":  # 4.5 months of data and a 120-day timeout: no month has settled
        with pytest.raises(InputError, match=r"journey timeout \(120d\)"):
            REGISTRY[name].overview(duck.context())
        params = {"period_a": "2011-10-01..2011-10-31", "period_b": "2011-11-01..2011-11-30"}
    else:
        params = REGISTRY[name].overview(duck.context())  # what the dashboard's overview runs
    expected = duck.analyze(name, **params).to_dict()
    got = spark.analyze(name, **params).to_dict()
    assert_same(got, expected, name)
