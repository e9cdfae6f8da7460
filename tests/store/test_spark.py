"""The same identity resolution and journey table on PySpark give exactly DuckDB's result."""

from __future__ import annotations

import pandas as pd
import pytest

from parcours.maps import JourneyMap
from parcours.store.identity import resolve_identities, rows_with_identifiers
from parcours.store.journeys import journey_table
from tests.conftest import to_spark

from .test_journeys import MAP

pytestmark = pytest.mark.spark


def sample_workspace(ws):
    events = []
    for i in range(6):  # six shoppers scanning their card on the same store tablet
        events.append(
            {
                "ts": f"2026-03-0{i + 1} 10:00",
                "anonymous_id": "tablet",
                "loyalty_id": f"L{i}",
                "channel": "magasin",
                "event": "product_view",
            }
        )
        events.append(
            {
                "ts": f"2026-03-0{i + 1} 11:00",
                "loyalty_id": f"L{i}",
                "channel": "magasin",
                "event": "purchase",
                "revenue": 10.0 * i,
            }
        )
        events.append(
            {
                "ts": f"2026-02-2{i} 09:00",
                "anonymous_id": f"c{i}",
                "channel": "web",
                "event": "product_view",
                "promo": i % 2 == 0,
            }
        )
        events.append(
            {
                "ts": f"2026-02-2{i} 09:05",
                "anonymous_id": f"c{i}",
                "email": f"P{i}@x.fr ",
                "channel": "web",
                "event": "login",
            }
        )
    frame = pd.DataFrame(events)
    frame["ts"] = pd.to_datetime(frame["ts"]).dt.tz_localize("UTC")
    ws.ingest_events(frame)
    ws.ingest_customers(
        pd.DataFrame(
            {
                "email": [f"p{i}@x.fr" for i in range(6)],
                "loyalty_id": [f"L{i}" for i in range(6)],
                "age_band": ["25-34", "65+", "18-24", "45-54", "65+", "25-34"],
                "updated_at": ["2026-01-01"] * 6,
            }
        )
    )


def test_identity_and_journeys_match_duckdb(ws, spark_con):
    sample_workspace(ws)
    jm = JourneyMap.loads(MAP)
    expected_ids = ws.resolve_identities().to_pandas()
    expected = ws.journeys(jm).to_pandas()

    events = to_spark(spark_con, "events", ws.events)
    customers = to_spark(spark_con, "customers", ws.customers)
    links = rows_with_identifiers([events, customers], ["event_id", "customer_row_id"])
    identities = resolve_identities(links, ws.settings.max_persons_per_identifier).cache()
    got_ids = identities.to_pandas()

    def canon(frame, keys):
        return frame.sort_values(keys).reset_index(drop=True)[sorted(frame.columns)]

    pd.testing.assert_frame_equal(
        canon(got_ids, ["identifier"]), canon(expected_ids, ["identifier"]), check_dtype=False
    )
    assert bool(got_ids.set_index("identifier").loc["anonymous_id:tablet"].shared)

    got = journey_table(events, identities, jm, customers).to_pandas()
    pd.testing.assert_frame_equal(
        canon(got, ["event_id"]), canon(expected, ["event_id"]), check_dtype=False
    )
    assert set(expected.persona.dropna()) == {"jeune", "senior"}
    # The tablet has a person of its own, but each of its events also carries a card.
    assert got_ids.person_id.nunique() == 7
    assert expected.person_id.nunique() == 6
