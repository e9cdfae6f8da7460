"""Shared fixtures: a fresh in-memory workspace per test, and the shared data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

import parcours
from parcours.cli import output


@pytest.fixture(autouse=True)
def fresh_cli_language():
    """Each test starts as a new run of the CLI would: no language chosen or used by an
    earlier test (``parcours --lang fr`` keeps it for the rest of its run; a test that
    builds its own Typer app without parcours' callback would inherit it)."""
    output.choose_lang(None)
    yield


SHARED_DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


@pytest.fixture
def ws():
    workspace = parcours.open(":memory:")
    yield workspace
    workspace.close()


@pytest.fixture
def shared_datasets() -> Path:
    if not SHARED_DATASETS.exists():
        pytest.skip(f"real data sets not present at {SHARED_DATASETS} (they live in ../shared)")
    return SHARED_DATASETS


DEMO_PERSONS = 3_000


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory):
    """A workspace holding a small demo retailer (3,000 persons), built once per test run.

    Tests must only read it."""
    from parcours.demo.load import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    workspace = parcours.open(path)
    load_demo(workspace, persons=DEMO_PERSONS, seed=7)
    yield workspace
    workspace.close()


@pytest.fixture(scope="session")
def demo_map():
    from parcours.demo.load import demo_map as load_map

    return load_map()


@pytest.fixture(scope="session")
def demo_journeys(demo_ws, demo_map):
    """The demo journey table, materialised once (an Ibis table on the demo workspace)."""
    return demo_ws.con.create_table(
        "_test_journeys", demo_ws.journeys(demo_map), temp=True, overwrite=True
    )


@pytest.fixture(scope="session")
def spark_con(tmp_path_factory):
    """An Ibis connection to a local PySpark session (UTC), shared by the spark tests."""
    pyspark = pytest.importorskip("pyspark", reason="pyspark is a dev dependency")
    import os
    import sys

    import ibis
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("parcours-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .getOrCreate()
    )
    assert pyspark.__version__
    yield ibis.pyspark.connect(spark)
    spark.stop()


def to_spark(spark_con, name: str, table):
    """A workspace table copied into Spark as a temporary view, with the workspace's types."""
    frame = table.to_pandas()
    spark_con._session.createDataFrame(frame).createOrReplaceTempView(name)
    # Spark infers an all-NULL column as NullType: give every column its workspace type.
    return spark_con.table(name).cast(table.schema())
