"""Load the Maison Lumière demo into a workspace: events, CRM, feedback and its map.

Large runs are simulated and ingested in chunks of persons, so memory stays flat whatever
the size; ingestion is idempotent, so loading the same demo twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

from parcours.demo.simulate import simulate_chunks
from parcours.maps import JourneyMap
from parcours.store import IngestReport, Store

DEMO_MAP = "retail.yaml"

# What the history says of the demo map's version, in the map's language (the demo's own
# words: this layer reads no words table).
VERSION_MESSAGE = {"fr": "carte de la démo", "en": "demo map"}


def demo_map() -> JourneyMap:
    """The journey map of the demo retailer (``parcours/demo/retail.yaml``)."""
    text = resources.files("parcours.demo").joinpath(DEMO_MAP).read_text(encoding="utf-8")
    return JourneyMap.loads(text, source=f"parcours/demo/{DEMO_MAP}")


def demo_map_text() -> str:
    return resources.files("parcours.demo").joinpath(DEMO_MAP).read_text(encoding="utf-8")


@dataclass
class DemoLoad:
    """What loading the demo did, table by table."""

    persons: int
    seed: int
    map_id: str
    map_version: int
    reports: dict[str, list[IngestReport]] = field(default_factory=dict)

    def total(self, target: str, what: str = "accepted") -> int:
        return sum(getattr(r, what) for r in self.reports.get(target, []))


def load_demo(
    ws: Store,
    persons: int = 50_000,
    seed: int = 7,
    *,
    chunk_persons: int = 20_000,
    on_chunk: Callable[[int, int], None] | None = None,
    message: str | None = None,
) -> DemoLoad:
    """Simulate the demo retailer and ingest it into ``ws``; save its map, its version
    described by ``message`` (by default :data:`VERSION_MESSAGE` in the map's language, the
    language its history is read in)."""
    jm = demo_map()
    load = DemoLoad(persons=persons, seed=seed, map_id=jm.map, map_version=0)
    done = 0
    for chunk in simulate_chunks(persons, seed, chunk_persons=chunk_persons):
        load.reports.setdefault("events", []).append(ws.ingest_events(chunk.events))
        load.reports.setdefault("customers", []).append(ws.ingest_customers(chunk.customers))
        load.reports.setdefault("feedback", []).append(ws.ingest_feedback(chunk.feedback))
        done += len(chunk.truth)
        if on_chunk:
            on_chunk(done, persons)
    load.map_version, _ = ws.save_map_if_changed(
        jm, message=VERSION_MESSAGE[jm.lang] if message is None else message
    )
    ws.resolve_identities()
    return load
