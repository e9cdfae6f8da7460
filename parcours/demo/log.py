"""A columnar event log that journeys append to, many journeys at a time.

Each ``emit`` call adds one event to every journey of an index array, so a whole phase of
the simulation is a handful of numpy operations instead of a Python loop per person.
Identifiers are not written here: an event records *how* the brand recognises the person
(an identity mode) and the identifiers are filled in once, at the end, per mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from parcours.demo.planted import EVENT_CODE

# How an event identifies its person.
ANON = 0  # the device cookie only
LOGGED = 1  # cookie + email as typed at login + customer_id
MAIL = 2  # email + customer_id (newsletters, delivery notices)
VISIT = 3  # loyalty card scanned
TILL = 4  # loyalty card, sometimes a phone for the e-receipt
TABLET = 5  # the store's shared tablet cookie + loyalty card
CALL = 6  # caller's phone + customer_id found by the agent
PICKUP = 7  # customer_id of the order + loyalty card if any
SIGNUP = 8  # new loyalty card + account identifiers

PROPERTIES = (
    "page_type",
    "product_category",
    "order_id",
    "store_id",
    "fulfilment",
    "late",
    "reason",
    "campaign",
    "payment_method",
)  # "device" is derived at the end from the device that emitted the event


@dataclass
class Log:
    """Events appended phase by phase; ``columns`` concatenates them."""

    parts: list[dict] = field(default_factory=list)

    def emit(
        self,
        journeys: np.ndarray,
        t: np.ndarray,
        event: str,
        channel: int | np.ndarray,
        ident: int | np.ndarray,
        dev: np.ndarray | None = None,
        revenue: np.ndarray | None = None,
        **props: object,
    ) -> None:
        """Add ``event`` at time ``t`` (seconds since start) to each of ``journeys``.

        ``dev`` is the person's device (0 smartphone, 1 second device) when it is not the
        journey's current one.
        """
        n = len(journeys)
        if n == 0:
            return
        unknown = set(props) - set(PROPERTIES)
        if unknown:
            raise ValueError(f"unknown properties {sorted(unknown)}; allowed: {PROPERTIES}")
        self.parts.append(
            {
                "j": np.asarray(journeys, dtype=np.int64),
                "t": np.asarray(t, dtype=np.int64),
                "event": np.full(n, EVENT_CODE[event], dtype=np.int16),
                "channel": np.broadcast_to(np.asarray(channel, dtype=np.int8), n),
                "ident": np.broadcast_to(np.asarray(ident, dtype=np.int8), n),
                "dev": dev,
                "revenue": revenue,
                "props": props,
            }
        )

    def columns(self, journey_device: np.ndarray) -> dict[str, np.ndarray]:
        """All events as flat arrays; properties are object arrays with None where absent."""
        if not self.parts:
            raise ValueError("the log is empty")
        out: dict[str, np.ndarray] = {}
        for key in ("j", "t", "event", "channel", "ident"):
            out[key] = np.concatenate([p[key] for p in self.parts])
        out["dev"] = np.concatenate(
            [journey_device[p["j"]] if p["dev"] is None else p["dev"] for p in self.parts]
        ).astype(np.int8)
        out["revenue"] = np.concatenate(
            [
                np.full(len(p["j"]), np.nan) if p["revenue"] is None else p["revenue"]
                for p in self.parts
            ]
        )
        for name in PROPERTIES:
            chunks = []
            for p in self.parts:
                col = np.full(len(p["j"]), None, dtype=object)
                if name in p["props"]:
                    col[:] = p["props"][name]
                chunks.append(col)
            out[name] = np.concatenate(chunks)
        return out
