"""Zoé, the person the erasure tests forget, in every table beside Claire, Marc and a
stranger: one data set for the DuckDB file (tests/store/test_privacy.py) and the
``spark:DIR`` workspace (tests/store/test_spark_forget.py), so that both erase the same rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from parcours.maps import JourneyMap
from tests.timelines import events_frame

# Every form in which a workspace may hold Zoé: as written in the sources (the rejected
# table keeps rows as received, comments quote them) and as stored after normalisation.
ZOE = {
    "email": ("Zoe.Quintal@Exemple.FR", "zoe.quintal@exemple.fr"),
    "phone": ("06 87 65 43 21", "+33687654321"),
    "customer_id": ("CUST-ZQ-90817",),
    "cookie": ("ck-zq-5f3e9a",),
    "loyalty_id": ("LOY-ZQ-4471",),
    "address": ("17 rue des Quintaliers",),  # in an event's properties and a CRM attribute
    "verbatim": ("colis abime chez Quintal",),
}
OTHERS = {
    "claire": [
        ("2026-03-01 10:00", "web", "view"),
        ("2026-03-01 10:05", "web", "purchase", {"address": "3 place Bellecour"}),
    ],
    "marc": [("2026-03-01 11:00", "web", "view")],
}
SMALL_MAP = """
map: k
title: K
stages: [{id: s1, title: S1}, {id: s2, title: S2}]
channels: [web, magasin]
touchpoints:
  - {id: fiche, stage: s1, channel: web, match: {event: view}}
  - {id: achat, stage: s2, channel: web, match: {event: purchase}}
conversion: {event: purchase}
"""
# Two rows rejected for their date: Zoé's (her phone and email, as received) and a
# stranger's, which her erasure must leave.
BAD_CSV = (
    "ts,phone,email,channel,event\n"
    "pas une date,06 87 65 43 21,Zoe.Quintal@Exemple.FR,magasin,purchase\n"
    "pas une date,0699999999,,web,view\n"
)


def fill(ws: Any, bad_csv: Path) -> None:
    """Load Zoé into every table of ``ws``: her 3 events (a cookie, a login with her email
    and address, a store purchase with her phone), her CRM row, her answer and her rejected
    row; Claire's and Marc's events, Claire's CRM row and answer, the stranger's rejected
    row; and save ``SMALL_MAP``. The rejected rows' source file is written at ``bad_csv``
    (keep it away from a workspace whose bytes a test scans: it is the user's file)."""
    ws.ingest_events(events_frame(OTHERS))
    ws.ingest_events(
        pd.DataFrame(
            {
                "ts": ["2026-03-02 09:00:00", "2026-03-02 09:03:00", "2026-03-03 15:00:00"],
                "anonymous_id": ["ck-zq-5f3e9a", "ck-zq-5f3e9a", None],
                "customer_id": [None, "CUST-ZQ-90817", "CUST-ZQ-90817"],
                "email": [None, "Zoe.Quintal@Exemple.FR", None],
                "phone": [None, None, "06 87 65 43 21"],
                "channel": ["web", "web", "magasin"],
                "event": ["view", "purchase", "purchase"],
                "address": [None, "17 rue des Quintaliers", None],
            }
        )
    )
    ws.ingest_customers(
        pd.DataFrame(
            {
                "customer_id": ["CUST-ZQ-90817", "claire"],
                "loyalty_id": ["LOY-ZQ-4471", "LOY-CL-1"],
                "adresse": ["17 rue des Quintaliers", "3 place Bellecour"],
                "segment": ["B2C", "B2C"],
            }
        )
    )
    ws.ingest_feedback(
        pd.DataFrame(
            {
                "ts": ["2026-03-04 10:00:00", "2026-03-04 11:00:00"],
                "loyalty_id": ["LOY-ZQ-4471", "LOY-CL-1"],
                "kind": ["nps", "nps"],
                "score": [2, 9],
                "verbatim": ["colis abime chez Quintal", "parfait"],
            }
        )
    )
    bad_csv.write_text(BAD_CSV)
    ws.ingest_events(bad_csv)
    ws.save_map(JourneyMap.loads(SMALL_MAP))
