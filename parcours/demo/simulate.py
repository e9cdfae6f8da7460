"""Maison Lumière, a simulated French fashion & home retailer, as four pandas frames.

Persons are simulated in fixed blocks of ``BLOCK`` persons, each block with its own random
generator seeded by ``(seed, block)``; so the data do not depend on how they are requested
(whole or in chunks of any size), and asking for more persons only appends new ones.

>>> data = simulate(persons=500, days=60)
>>> sorted(data.events["channel"].unique())[:3]
['app', 'email', 'magasin']
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from parcours.demo import planted as P
from parcours.demo.behaviour import Simulation
from parcours.demo.feedback import make_feedback
from parcours.demo.identities import Persons, customers_frame, make_persons
from parcours.demo.journeys import DAY, Journeys, make_journeys
from parcours.demo.log import ANON, CALL, LOGGED, MAIL, PICKUP, SIGNUP, TABLET, TILL, VISIT, Log

BLOCK = 2_000
IDENTIFIERS = ("customer_id", "anonymous_id", "email", "phone", "loyalty_id")
EVENT_COLUMNS = (
    "event_id", "ts", *IDENTIFIERS, "channel", "event", "revenue",
    "page_type", "product_category", "order_id", "store_id", "fulfilment", "late", "reason",
    "campaign", "device", "payment_method",
)  # fmt: skip
FEEDBACK_COLUMNS = (
    "feedback_id", "ts", "customer_id", "email", "loyalty_id",
    "touchpoint", "stage", "kind", "score", "verbatim", "language",
)  # fmt: skip


@dataclass
class DemoData:
    """The demo retailer: what the brand can ingest, plus the ground truth for tests."""

    events: pd.DataFrame  # one row per event
    customers: pd.DataFrame  # CRM rows
    feedback: pd.DataFrame  # survey answers and reviews
    truth: pd.DataFrame  # person_key -> persona, true identifiers (never ingested)


def simulate(
    persons: int = 50_000, seed: int = 7, start: str = "2026-01-05", days: int = 180
) -> DemoData:
    """Simulate ``persons`` persons over ``days`` days from ``start`` (UTC midnight)."""
    parts = list(
        simulate_chunks(persons, seed, chunk_persons=max(persons, 1), start=start, days=days)
    )
    return parts[0]


def simulate_chunks(
    persons: int,
    seed: int = 7,
    chunk_persons: int = 20_000,
    start: str = "2026-01-05",
    days: int = 180,
) -> Iterator[DemoData]:
    """The data of ``simulate(persons, seed, start, days)``, in batches of ``chunk_persons`` persons.

    Concatenating the batches' frames gives exactly the frames of ``simulate``.
    """
    if persons < 1 or chunk_persons < 1 or days < 2:
        raise ValueError("persons and chunk_persons must be >= 1 and days >= 2")
    origin = pd.Timestamp(start, tz="UTC")
    for lo in range(0, persons, chunk_persons):
        hi = min(lo + chunk_persons, persons)
        blocks = [_block(seed, b, origin, days) for b in range(lo // BLOCK, (hi - 1) // BLOCK + 1)]
        yield _concat([_persons_between(d, lo, hi) for d in blocks])


def _concat(parts: list[DemoData]) -> DemoData:
    frames = [
        pd.concat([getattr(p, name) for p in parts], ignore_index=True)
        for name in DemoData.__annotations__
    ]
    return DemoData(*frames)


def _persons_between(data: DemoData, lo: int, hi: int) -> DemoData:
    """Keep the persons numbered lo..hi-1 of one block (the edges of a chunk cut blocks)."""

    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        n = frame["_n"]
        return frame[(n >= lo) & (n < hi)].drop(columns="_n").reset_index(drop=True)

    return DemoData(*(keep(getattr(data, name)) for name in DemoData.__annotations__))


def _block(seed: int, block: int, origin: pd.Timestamp, days: int) -> DemoData:
    """Everything about persons ``block * BLOCK`` .. ``(block + 1) * BLOCK - 1``."""
    rng = np.random.default_rng([seed, block])
    people = make_persons(rng, block * BLOCK, BLOCK, origin)
    journeys = make_journeys(rng, people, days)
    sim = Simulation(rng, people, journeys)
    cols = sim.run().columns(journeys.device)
    cols, signup = _loyalty_signups(cols, people, journeys)
    # Card holders who never join during the window have no card after all.
    never = people.card_in_window & np.isnan(signup)
    people.has_card &= ~never
    people.loyalty_id[never] = None
    people.attributes.loc[never, "loyalty_tier"] = "none"
    end = days * DAY
    events = _events(rng, cols, people, journeys, signup, origin, end)
    feedback = make_feedback(rng, events, people, end)
    feedback = _finish_feedback(feedback, people, origin)
    customers = customers_frame(people, signup, origin, rng)
    customers["_n"] = np.flatnonzero(people.has_account | people.has_card) + people.index[0]
    truth = _truth(people, events, customers, feedback)
    events = events.drop(columns=["_person", "_t", "_j"])
    feedback = feedback.drop(columns="_person")
    return DemoData(events, customers, feedback, truth)


def _loyalty_signups(cols: dict, people: Persons, J: Journeys) -> tuple[dict, np.ndarray]:
    """Persons who join the loyalty programme do it at their first purchase (till or online)."""
    person = J.person[cols["j"]]
    mask = (cols["event"] == P.EVENT_CODE["purchase"]) & people.card_in_window[person]
    rows = np.flatnonzero(mask)
    rows = rows[np.lexsort((cols["t"][rows], person[rows]))]
    first = rows[np.unique(person[rows], return_index=True)[1]]
    signup = np.full(people.size, np.nan)
    signup[person[first]] = cols["t"][first] + 60
    extra = Log()
    extra.emit(
        cols["j"][first],
        cols["t"][first] + 60,
        "loyalty_signup",
        cols["channel"][first],
        SIGNUP,
        dev=cols["dev"][first],
        store_id=cols["store_id"][first],
    )
    if not extra.parts:
        return cols, signup
    more = extra.columns(J.device)
    return {k: np.concatenate([cols[k], more[k]]) for k in cols}, signup


def _events(
    rng: np.random.Generator, cols: dict, people: Persons, J: Journeys, signup: np.ndarray,
    origin: pd.Timestamp, end: int,
) -> pd.DataFrame:  # fmt: skip
    """Fill identifiers per identity mode, drop what the brand cannot see, sort and name."""
    person, t, mode, dev = J.person[cols["j"]], cols["t"], cols["ident"], cols["dev"]
    n = len(t)
    ids = {name: np.full(n, None, dtype=object) for name in IDENTIFIERS}
    account = people.has_account[person]
    card_from = np.where(people.card_in_window, signup, -1.0)
    card = people.has_card[person] & (t >= np.nan_to_num(card_from[person], nan=np.inf))
    email_var = np.where(rng.random(n) < 0.7, 0, rng.integers(1, 4, n))
    typed_email = people.email_variants[person, email_var]
    typed_phone = people.phone_variants[person, rng.integers(0, 5, n)]
    cookie = people.anonymous_ids[person, dev]

    def put(name: str, where: np.ndarray, values: np.ndarray) -> None:
        ids[name][where] = values[where]

    web = np.isin(mode, (ANON, LOGGED))
    put("anonymous_id", web, cookie)
    logged = mode == LOGGED
    put("email", logged, typed_email)
    put("customer_id", logged | ((mode == MAIL) & account), people.customer_id[person])
    put("email", mode == MAIL, np.where(rng.random(n) < 0.85, people.email[person], typed_email))
    put(
        "loyalty_id",
        np.isin(mode, (VISIT, TILL, TABLET, PICKUP, SIGNUP)) & card,
        people.loyalty_id[person],
    )
    till_phone = (mode == TILL) & (rng.random(n) < P.P_PHONE_AT_TILL)
    put("phone", till_phone | (mode == CALL), typed_phone)
    store_ids = cols["store_id"]
    tablet = np.array(
        [
            P.TABLETS[P.FLAGSHIP_STORES.index(s)] if s in P.FLAGSHIP_STORES else None
            for s in store_ids[mode == TABLET]
        ],
        dtype=object,
    )
    ids["anonymous_id"][mode == TABLET] = np.where(card[mode == TABLET], tablet, None)  # type: ignore[call-overload]  # numpy's stubs reject None as where's fill value
    put("customer_id", np.isin(mode, (CALL, PICKUP)) & account, people.customer_id[person])
    put("customer_id", (mode == SIGNUP) & account, people.customer_id[person])
    put("email", (mode == SIGNUP) & people.email_on_file[person], people.email[person])
    put("loyalty_id", (mode == CALL) & ~account & card, people.loyalty_id[person])

    channel = np.array(P.CHANNELS, dtype=object)[cols["channel"]]
    device = np.full(n, None, dtype=object)
    is_web, is_app = channel == "web", channel == "app"
    device[is_web] = np.where(dev[is_web] == 0, "mobile", "desktop")
    device[is_app] = people.app_os[person[is_app]]
    seen = np.zeros(n, bool)
    for name in IDENTIFIERS:
        seen |= ids[name] != None  # noqa: E711 - elementwise on object arrays
    keep = seen & (t < end)
    order = np.flatnonzero(keep)[np.lexsort((t[keep], person[keep]))]
    late = cols["late"]
    frame = pd.DataFrame(
        {
            **{name: ids[name][order] for name in IDENTIFIERS},
            "channel": channel[order],
            "event": np.array(P.VOCABULARY, dtype=object)[cols["event"][order]],
            "revenue": cols["revenue"][order],
            **{
                k: cols[k][order]
                for k in ("page_type", "product_category", "order_id", "store_id", "fulfilment")
            },
            "late": late[order],
            **{k: cols[k][order] for k in ("reason", "campaign")},
            "device": device[order],
            "payment_method": cols["payment_method"][order],
            "_person": person[order],
            "_t": t[order],
            "_j": cols["j"][order],
        }
    )
    number = people.index[frame["_person"].to_numpy()]
    seq = frame.groupby("_person").cumcount().to_numpy()
    frame.insert(0, "ts", origin + pd.to_timedelta(frame["_t"].to_numpy(), unit="s"))
    frame.insert(0, "event_id", [f"ev{p:08d}{s:05d}" for p, s in zip(number, seq, strict=True)])
    frame["_n"] = number
    return frame


def _finish_feedback(fb: pd.DataFrame, people: Persons, origin: pd.Timestamp) -> pd.DataFrame:
    fb = fb.sort_values(["_person", "_t"], kind="stable").reset_index(drop=True)
    number = people.index[fb["_person"].to_numpy()]
    seq = fb.groupby("_person").cumcount().to_numpy()
    fb["feedback_id"] = [f"fb{p:08d}{s:03d}" for p, s in zip(number, seq, strict=True)]
    fb["ts"] = origin + pd.to_timedelta(fb["_t"].to_numpy(), unit="s")
    fb["score"] = fb["score"].astype("int64")
    out = fb[list(FEEDBACK_COLUMNS)].copy()
    out["_person"] = fb["_person"].to_numpy()
    out["_n"] = number
    return out


def _truth(
    people: Persons, events: pd.DataFrame, customers: pd.DataFrame, feedback: pd.DataFrame
) -> pd.DataFrame:
    """Each person's true identifiers, normalised, limited to those the brand ever sees."""
    seen: dict[str, set] = {name: set() for name in IDENTIFIERS}
    ev_people = events["_person"].to_numpy()
    for name in IDENTIFIERS:
        if name != "anonymous_id":
            seen[name] = set(ev_people[events[name].notna().to_numpy()])
            seen[name] |= (
                set(feedback["_person"][feedback[name].notna()]) if name in feedback else set()
            )
    crm_people = customers["_n"].to_numpy() - people.index[0]
    for name in ("customer_id", "email", "phone", "loyalty_id"):
        seen[name] |= set(crm_people[customers[name].notna().to_numpy()])
    cookies = events[["_person", "anonymous_id"]].dropna()
    cookies = cookies[~cookies["anonymous_id"].isin(P.TABLETS)].drop_duplicates()
    devices = cookies.groupby("_person")["anonymous_id"].agg(sorted).to_dict()
    count = np.bincount(ev_people, minlength=people.size)
    rows = []
    for i in range(people.size):
        one = {
            "customer_id": people.customer_id[i] if i in seen["customer_id"] else None,
            "email": people.email[i] if i in seen["email"] else None,
            "phone": people.phone[i] if i in seen["phone"] else None,
            "loyalty_id": people.loyalty_id[i] if i in seen["loyalty_id"] else None,
        }
        anon = devices.get(i, [])
        idents = [f"{k}:{v}" for k, v in one.items() if v is not None] + [
            f"anonymous_id:{a}" for a in anon
        ]
        if idents:
            rows.append(
                {
                    "_n": people.index[i],
                    "person_key": f"P{people.index[i]:08d}",
                    "persona": P.PERSONAS[people.persona[i]],
                    **one,
                    "anonymous_ids": anon,
                    "identifiers": idents,
                    "events": int(count[i]),
                }
            )
    return pd.DataFrame(rows)
