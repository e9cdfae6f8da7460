"""Test persons written as timelines, turned into a real journey table.

    ctx = context_from_timelines(ws, MAP_YAML, {
        "claire": [("2026-03-01 10:00", "web", "product_view"), ("2026-03-01 10:05", "web", "purchase")],
        "marc":   [("2026-03-01 11:00", "app", "product_view", {"promo": True})],
    })

Each step is (UTC time, channel, event[, properties dict[, revenue]]). The person name is the
step's ``customer_id``; events go through the real ingestion, identity resolution and
journey cutting, so a test exercises what a user runs.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from parcours.analyses import Context
from parcours.maps import JourneyMap


def collector_events(
    timelines: dict[str, list[tuple[str, str]]], day: str = "2026-03-01"
) -> list[dict[str, Any]]:
    """Timelines of (HH:MM, event) on the web, one day, as the collector's JSON events."""
    return [
        {
            "event_id": f"{who}{i}-{day}",
            "ts": f"{day}T{hm}:00Z",
            "customer_id": who,
            "channel": "web",
            "event": name,
        }
        for who, steps in timelines.items()
        for i, (hm, name) in enumerate(steps)
    ]


def events_frame(timelines: dict[str, list[tuple]]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for person, steps in timelines.items():
        for i, step in enumerate(steps):
            ts, channel, event = step[:3]
            props = step[3] if len(step) > 3 else {}
            revenue = step[4] if len(step) > 4 else None
            rows.append(
                {
                    "event_id": f"{person}-{i:03d}",
                    "ts": pd.Timestamp(ts, tz="UTC"),
                    "customer_id": person,
                    "channel": channel,
                    "event": event,
                    "revenue": revenue,
                    **props,
                }
            )
    return pd.DataFrame(rows)


def context_from_timelines(
    ws, map_yaml: str | JourneyMap, timelines: dict[str, list[tuple]]
) -> Context:
    jm = map_yaml if isinstance(map_yaml, JourneyMap) else JourneyMap.loads(map_yaml)
    report = ws.ingest_events(events_frame(timelines))
    assert report.rejected == 0, ws.rejected.to_pandas().reason.tolist()
    return ws.context(jm)
