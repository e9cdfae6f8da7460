"""A ``spark:DIR`` workspace: the DuckDB workspace's tables and schema version, kept as
Parquet under DIR, read and written by Spark, there again when the directory is reopened."""

from __future__ import annotations

import pytest

import parcours
from parcours.errors import WorkspaceBusyError
from parcours.maps import JourneyMap
from parcours.store import schema

from .test_journeys import MAP

pytestmark = pytest.mark.spark


def test_spark_workspace_has_the_duckdb_tables_and_keeps_them(tmp_path, spark_con, ws):
    folder = tmp_path / "warehouse"
    url = f"spark:{folder}"
    spark_ws = parcours.open(url)  # the tests' session: the one running is used
    kept = {t for t in ws.con.list_tables() if not t.startswith(("_", "ibis_"))}
    assert set(spark_ws.con.list_tables()) == kept
    for name, declared in schema.TABLES.items():  # as declared (DuckDB adds a precision)
        assert spark_ws.table(name).schema() == declared, name
    assert schema.read_meta(spark_ws.con, "schema_version") == str(schema.SCHEMA_VERSION)

    jm = JourneyMap.loads(MAP)
    assert spark_ws.save_map(jm, "first draft") == 1
    assert spark_ws.save_map_if_changed(jm) == (1, False)
    with pytest.raises(WorkspaceBusyError, match="open already"):
        parcours.open(url)
    spark_ws.close()

    again = parcours.open(url)
    assert again.previous_version == schema.SCHEMA_VERSION  # nothing to migrate
    assert again.default_map() == jm
    assert again.map_versions(jm.map).message.tolist() == ["first draft"]
    assert list((folder / "maps").glob("*/*.parquet"))  # plain Parquet files
    again.close()


def test_a_failed_query_is_raised_without_a_screenful_of_log(
    tmp_path, spark_con, capfd, monkeypatch
):
    from pyspark.errors import AnalysisException

    monkeypatch.delenv("PARCOURS_DEBUG", raising=False)
    failing = "SELECT percentile(id, if(id > 0, 0.5, null)) FROM range(3)"
    with (
        parcours.open(f"spark:{tmp_path / 'warehouse'}") as ws,
        pytest.raises(AnalysisException, match="NON_FOLDABLE_INPUT"),
    ):
        ws.con._session.sql(failing)
    assert "QueryContextLogger" not in capfd.readouterr().err
