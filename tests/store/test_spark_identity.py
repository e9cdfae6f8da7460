"""The distinct identifier sets resolved by the Ibis expressions on PySpark (the path of
engines other than DuckDB) give exactly the identities DuckDB keeps incrementally."""

from __future__ import annotations

import pandas as pd
import pytest

import parcours
from parcours import Settings
from parcours.store import identity, identity_warehouse
from tests.conftest import to_spark

from .test_identity_incremental import canon, rows_frame

pytestmark = pytest.mark.spark


@pytest.fixture
def ws2():
    """A workspace where an identifier seen with more than 2 core persons is shared."""
    workspace = parcours.open(":memory:", settings=Settings().with_(max_persons_per_identifier=2))
    yield workspace
    workspace.close()


def test_distinct_sets_resolve_on_spark_as_the_kept_sets_on_duckdb(ws2, spark_con):
    ws2.ingest_events(
        rows_frame(
            [{"anonymous_id": "tablet", "loyalty_id": f"L{i}"} for i in range(4)]
            + [{"anonymous_id": "c1", "email": "a@x"}, {"email": "a@x", "loyalty_id": "L0"}]
        )
    )
    ws2.ingest_customers(pd.DataFrame({"email": ["a@x"], "phone": ["+33612345678"]}))
    expected = canon(ws2.identities())
    events = to_spark(spark_con, "events", ws2.events)
    customers = to_spark(spark_con, "customers", ws2.customers)
    sets = identity.distinct_sets([events, customers])
    got = identity.resolve_identities(identity.rows_with_identifiers([sets], "set_key"), 2)
    pd.testing.assert_frame_equal(canon(got), expected)


def test_a_spark_workspace_keeps_its_sets_and_resolves_each_batch_as_duckdb(
    tmp_path, spark_con, ws
):
    """Batch by batch, a ``spark:DIR`` workspace updates its kept sets (only the first
    resolution is a full one) and holds the identities of a DuckDB workspace given the
    same rows: a cookie seen alone, then with an email, then with the email's loyalty
    card; a store tablet seen with more than five core persons becomes shared."""
    spark_ws = parcours.open(f"spark:{tmp_path / 'warehouse'}")
    max_persons = spark_ws.settings.max_persons_per_identifier
    batches = [
        [{"anonymous_id": "c1"}, {"anonymous_id": "c2", "email": "a@x"}],
        [{"anonymous_id": "c1", "email": "a@x"}, {"email": "b@x"}],
        [{"email": "b@x", "loyalty_id": "L0"}, {"email": "a@x", "loyalty_id": "L0"}],
        [{"anonymous_id": "tablet", "loyalty_id": f"L{i}"} for i in range(max_persons + 1)],
    ]
    folded = []
    for rows in batches:
        frame = rows_frame(rows)
        spark_ws.ingest_events(frame)
        ws.ingest_events(frame)
        done = identity_warehouse.resolve(spark_ws.con, spark_ws.settings, max_persons, full=False)
        folded.append((done.full is None, done.rows))
        pd.testing.assert_frame_equal(
            canon(spark_ws.con.table("identities")), canon(ws.identities())
        )
    assert folded == [(False, 2), (True, 2), (True, 2), (True, max_persons + 1)]
    ids = canon(spark_ws.con.table("identities")).set_index("identifier")
    assert ids.person_id["anonymous_id:c1"] == ids.person_id["loyalty_id:L0"]  # merged
    assert ids.person_id["email:b@x"] == ids.person_id["anonymous_id:c1"]
    assert ids.shared["anonymous_id:tablet"] and not ids.shared["email:a@x"]

    # Nothing new: nothing read, nothing changed; a reopened workspace reads what was kept.
    version = identity.identity_version(spark_ws.con)
    assert (
        identity_warehouse.resolve(spark_ws.con, spark_ws.settings, max_persons, full=False).rows
        == 0
    )
    assert identity.identity_version(spark_ws.con) == version
    spark_ws.close()
    again = parcours.open(f"spark:{tmp_path / 'warehouse'}")
    pd.testing.assert_frame_equal(canon(again.identities()), canon(ws.identities()))
    # The rule of the previous algorithm (label propagation over every row on Spark).
    previous = identity.resolve_everything(again.con, max_persons)
    pd.testing.assert_frame_equal(canon(previous), canon(ws.identities()))
    again.close()


def test_forget_empties_the_kept_sets_and_the_next_resolution_is_a_full_one(tmp_path, spark_con):
    spark_ws = parcours.open(f"spark:{tmp_path / 'warehouse'}")
    spark_ws.ingest_events(rows_frame([{"email": "a@x", "anonymous_id": "c1"}, {"email": "b@x"}]))
    spark_ws.resolve_identities()
    assert spark_ws.con.table("identity_nodes").count().to_pyarrow().as_py() == 3
    spark_ws.forget("email:a@x")
    for name in identity_warehouse.KEPT:
        assert spark_ws.con.table(name).count().to_pyarrow().as_py() == 0, name
    settings = spark_ws.settings
    done = identity_warehouse.resolve(spark_ws.con, settings, 5, full=False)
    assert done.full is not None and done.rows == 1
    assert canon(spark_ws.con.table("identities")).identifier.tolist() == ["email:b@x"]
    spark_ws.close()
