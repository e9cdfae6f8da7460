"""RGPD erasure: one person leaves every table, found by any identifier; others stay."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from parcours.errors import InputError


@pytest.fixture
def loaded(ws, tmp_path):
    events = pd.DataFrame(
        {
            "ts": ["2026-03-01 10:00:00"] * 5,
            "anonymous_id": ["c1", "c1", None, "tablet", "c9"],
            "email": [None, "Alice@Ex.fr", None, None, None],
            "phone": [None, None, "06 12 34 56 78", None, None],
            "loyalty_id": [None, None, "L1", "L1", None],
            "channel": ["web", "web", "magasin", "magasin", "web"],
            "event": ["page_view", "login", "purchase", "product_view", "page_view"],
        }
    )
    ws.ingest_events(events)
    ws.ingest_customers(
        pd.DataFrame({"email": ["alice@ex.fr"], "loyalty_id": ["L1"], "segment": ["B2C"]})
    )
    ws.ingest_feedback(
        pd.DataFrame(
            {"ts": ["2026-03-02 10:00:00"], "loyalty_id": ["L1"], "kind": ["nps"], "score": [3]}
        )
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "ts,phone,channel,event\nnot a date,06 12 34 56 78,magasin,purchase\nnot a date,0699999999,web,x\n"
    )
    ws.ingest_events(bad)
    return ws


def test_forget_by_any_identifier_removes_the_person_everywhere(loaded):
    ws = loaded
    erasure = ws.forget("email:ALICE@ex.fr ")
    assert (
        erasure.rows
        == {
            "events": 4,  # cookie c1 (2), the store purchase (phone + card), the tablet scan with the card
            "customers": 1,
            "feedback": 1,
            "rejected": 1,  # the bad row with her phone, written with spaces
            # c1, email, phone, L1, and the cookie "tablet": only she used it, so it is hers.
            "identities": 5,
        }
    )
    assert erasure.identifiers == 5
    assert ws.counts()["events"] == 1  # only the stranger's c9 event is left
    assert ws.counts()["customers"] == 0 and ws.counts()["feedback"] == 0
    assert ws.counts()["rejected"] == 1
    audit = ws.con.table("audit").to_pandas()
    assert len(audit) == 1 and audit.action[0] == "forget"
    assert json.loads(audit.rows[0])["events"] == 4
    assert "alice" not in audit.to_json().lower() and "L1" not in audit.to_json()
    with pytest.raises(InputError, match="no person has email"):
        ws.forget("email:alice@ex.fr")


def test_forget_refuses_unknown_kinds_and_shared_identifiers(ws):
    events = pd.DataFrame(
        {
            "ts": ["2026-03-01 10:00:00"] * 8,
            "anonymous_id": ["tablet"] * 8,
            "loyalty_id": [f"L{i}" for i in range(8)],
            "channel": ["magasin"] * 8,
            "event": ["product_view"] * 8,
        }
    )
    ws.ingest_events(events)
    with pytest.raises(InputError, match="kind:value"):
        ws.forget("alice")
    with pytest.raises(InputError, match="shared by 8 persons"):
        ws.forget("anonymous_id:tablet")
    assert ws.forget("loyalty_id:L3").rows["events"] == 1
