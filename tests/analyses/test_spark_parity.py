"""Every registered analysis on a ``spark:DIR`` workspace gives the DuckDB workspace's result
on the same demo data: counts exactly, floating point within ``REL_TOL``; rows compared as
sets (engines order ties their own way). An analysis that cannot run on Spark yet raises an
error naming it and the engine, and is marked ``notimpl`` with the reason: the mark is
strict, so the day it runs, the test says so."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

import parcours
from parcours.analyses import ANALYSES, REGISTRY
from parcours.demo.load import load_demo
from parcours.errors import WorkspaceError
from parcours.store.engine import NOT_YET

pytestmark = pytest.mark.spark

PERSONS = 120  # tiny: Spark runs every step as jobs on a shared 2-core machine
REL_TOL = 1e-9  # sums and means computed in another order

# analysis -> why it does not run on Spark yet: the engine's declared gaps, each refused
# with its reason (parcours.store.engine.NOT_YET).
NOT_ON_SPARK: dict[str, str] = NOT_YET["pyspark"]


def notimpl(reason: str) -> pytest.MarkDecorator:
    """The ibis manner: a known gap, its reason, and a strict xfail that notices it close."""
    return pytest.mark.xfail(raises=WorkspaceError, strict=True, reason=f"notimpl: {reason}")


@pytest.fixture(scope="module")
def engines(tmp_path_factory, spark_con):
    """The same demo, loaded into a DuckDB workspace and a spark: workspace."""
    duck = parcours.open(":memory:")
    spark = parcours.open(f"spark:{tmp_path_factory.mktemp('parity') / 'warehouse'}")
    for ws in (duck, spark):
        load_demo(ws, persons=PERSONS, seed=7)
    yield duck, spark
    spark.close()
    duck.close()


def test_identities_and_journeys_match(engines):
    duck, spark = engines
    for table in ("events", "customers", "feedback", "rejected"):
        assert spark.table(table).count().to_pyarrow().as_py() == (
            duck.table(table).count().to_pyarrow().as_py()
        )

    def canon(table, keys):
        frame = table.to_pandas()
        return frame.sort_values(keys).reset_index(drop=True)[sorted(frame.columns)]

    assert canon(spark.identities(), ["identifier"]).equals(
        canon(duck.identities(), ["identifier"])
    )
    expected = canon(duck.journey_table(), ["event_id"])
    got = canon(spark.journey_table(), ["event_id"])
    assert got.person_id.tolist() == expected.person_id.tolist()
    assert got.journey_id.tolist() == expected.journey_id.tolist()
    assert got.touchpoint.tolist() == expected.touchpoint.tolist()


def _canonical(value: Any) -> Any:
    """A sort key for a record: floats rounded, so that tiny differences sort alike."""
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.9g}")
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def assert_same(got: Any, expected: Any, where: str = "result") -> None:
    if isinstance(expected, float) and isinstance(got, (int, float)):
        same = (math.isnan(expected) and math.isnan(got)) or math.isclose(
            got, expected, rel_tol=REL_TOL, abs_tol=REL_TOL
        )
        assert same, f"{where}: {got} != {expected}"
    elif isinstance(expected, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(expected), where
        for key in expected:
            assert_same(got[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), f"{where}: length"
        if expected and all(isinstance(v, dict) for v in expected):  # table rows: as sets

            def key(row: Any) -> str:
                return json.dumps(_canonical(row), sort_keys=True, default=str)

            got, expected = sorted(got, key=key), sorted(expected, key=key)
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            assert_same(g, e, f"{where}[{i}]")
    else:
        assert got == expected, f"{where}: {got!r} != {expected!r}"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(a.name, marks=notimpl(NOT_ON_SPARK[a.name]))
        if a.name in NOT_ON_SPARK
        else a.name
        for a in ANALYSES
    ],
)
def test_analysis_matches_duckdb(engines, name):
    duck, spark = engines
    params = REGISTRY[name].overview(duck.context())  # what the dashboard's overview runs
    expected = duck.analyze(name, **params).to_dict()
    got = spark.analyze(name, **params).to_dict()
    assert_same(got, expected, name)


def test_the_blueprints_backstage_figures_match_duckdb(engines):
    # The report's service blueprint: its measured backstage items (Spark refused the
    # median over journeys of two events or more when written with where=).
    from parcours.analyses._blueprint import backstage_figures

    duck, spark = engines
    expected = backstage_figures(duck.context())
    got = backstage_figures(spark.context())
    assert len(expected) >= 2 and expected.journeys.sum() > 0
    assert_same(got.to_dict("records"), expected.to_dict("records"), "backstage figures")
