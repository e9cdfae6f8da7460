"""The distinct identifier sets resolved by the Ibis expressions on PySpark (the path of
engines other than DuckDB) give exactly the identities DuckDB keeps incrementally."""

from __future__ import annotations

import pandas as pd
import pytest

import parcours
from parcours import Settings
from parcours.store import identity
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
