"""Demo-like events at scale: N events as Parquet in minutes, in bounded memory.

    python benchmarks/generate.py 10M                  # benchmarks/data/events_10000000_s7.parquet
    python benchmarks/generate.py 10M --increment 1%   # and 1 % more events, later in time

The demo's per-person simulator (:mod:`parcours.demo`) plants frictions for the tests and
takes minutes per million events; this generator only has to look the same to the engine. Its
events have the demo's columns, types and vocabulary (the demo map maps them all), identifiers
shared the way real ones are (:mod:`persons`), journeys drawn from templates with drop-off
(:mod:`journey_templates`), purchases with revenue, sessions separated by idle gaps, over a
year. Persons are drawn in chunks (one Parquet row group each, rows in time order within it),
each chunk with its own random generator seeded by ``(seed, chunk)``: the output depends on
the seed and the size only, whatever the number of processes (``--jobs``).

An increment (``--increment 1%``) holds 1 % more events, all after the base file's last day
and spread over 1 % of its span: 85 % of its journeys are existing persons' (same identifiers,
now and then a new cookie), the rest new persons'. Ingesting it measures a day's update.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
for _path in (HERE, HERE.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import journey_templates as JT  # noqa: E402
from persons import (  # noqa: E402
    DEVICES,
    MAX_COOKIES,
    STORES,
    Persons,
    numbered,
    order_ids,
    pick,
    suffixed,
)

from parcours.demo import planted as P  # noqa: E402
from parcours.demo.behaviour import BASKET  # noqa: E402
from parcours.demo.journeys import CATEGORIES, CATEGORY_P, HOURS  # noqa: E402
from parcours.demo.simulate import EVENT_COLUMNS, IDENTIFIERS  # noqa: E402

VERSION = 3  # bump when the output changes: cached files of another version are rewritten
START = "2025-10-01"  # UTC; a year of events before "now" (an ingest rejects future times)
DAYS = 365
CHUNK_PERSONS = 20_000
EXTRA_JOURNEYS = (4.6, 3.0, 3.0, 4.0)  # per persona, Poisson mean of journeys after the first
P_BROWSE = 0.15  # journeys of buyers that are browsing only
NEW_PERSONS = 0.15  # an increment's journeys from persons not seen before
NEW_COOKIE = 0.10  # an increment's web journeys on a cookie not seen before
INCREMENT_NUMBER = 90  # journey numbers (in order ids) of increments start here
JOBS = min(2, os.cpu_count() or 1)  # processes drawing chunks for large files

TYPES = {"ts": pa.timestamp("ns", tz="UTC"), "revenue": pa.float64(), "late": pa.bool_()}
SCHEMA = pa.schema([(c, TYPES.get(c, pa.string())) for c in EVENT_COLUMNS])


# -- journeys ------------------------------------------------------------------------------------


@dataclass
class Journeys:
    person: np.ndarray  # position in the Persons
    start: np.ndarray  # seconds since the origin
    number: np.ndarray  # the person's journey number (in order ids)
    new_cookie: np.ndarray  # on a cookie not seen before (increments)


def base_journeys(rng: np.random.Generator, people: Persons, days: int) -> Journeys:
    """A year of journeys per person: the first in the first 60 % of the year, the next ones
    4 days plus an exponential gap apart; those that would start on the last day are cut."""
    extra = np.where(people.non_buyer, 0.6, np.take(EXTRA_JOURNEYS, people.persona))
    count = 1 + rng.poisson(extra)
    person = np.repeat(np.arange(people.size), count)
    first_row = np.repeat(np.cumsum(count) - count, count)
    number = np.arange(len(person)) - first_row
    gaps = np.where(number == 0, 0.0, 4 * JT.DAY + rng.exponential(30 * JT.DAY, len(person)))
    run = np.cumsum(gaps)
    day = np.floor(rng.uniform(0, days * 0.6, people.size)[person] + (run - run[first_row]) / JT.DAY)  # fmt: skip
    start = time_of_day(rng, day)
    keep = start < (days - 1) * JT.DAY
    return Journeys(person[keep], start[keep], number[keep], np.zeros(int(keep.sum()), bool))


def time_of_day(rng: np.random.Generator, day: np.ndarray) -> np.ndarray:
    """A start time on each day, at the hours digital sessions peak (seconds)."""
    hour = rng.choice(24, len(day), p=HOURS)
    return (day * JT.DAY + hour * JT.HOUR + rng.integers(0, JT.HOUR, len(day))).astype(np.int64)


@dataclass
class Plan:
    """What each journey is: its template and what stays the same along it."""

    template: np.ndarray
    app: np.ndarray  # digital sessions in the app (else on the web)
    slot: np.ndarray  # the cookie of its web sessions
    category: np.ndarray
    campaign: np.ndarray  # the ad's campaign
    late: np.ndarray  # the delivery is late
    basket: np.ndarray  # euros
    online_pay: np.ndarray  # code into JT.PAYMENTS
    store_pay: np.ndarray


def plan(rng: np.random.Generator, people: Persons, J: Journeys) -> Plan:
    nj, pp = len(J.person), J.person
    persona = people.persona[pp]
    kind = np.minimum((rng.random(nj)[:, None] > np.cumsum(P.KIND_MIX, axis=1)[persona]).sum(1), 3)  # fmt: skip
    no_account = ~people.account[pp] & np.isin(kind, (P.ONLINE, P.CC))
    kind[no_account] = np.where(persona[no_account] == 1, P.STORE, P.ROPO)
    kind[people.non_buyer[pp] | (rng.random(nj) < P_BROWSE)] = P.BROWSE
    trigger = (rng.random(nj)[:, None] > np.cumsum(P.TRIGGER_MIX, axis=1)[persona]).sum(1)
    trigger = np.minimum(trigger, len(JT.TRIGGERS) - 1)
    trigger[(trigger == 3) & ~people.opt_in[pp]] = 4  # no newsletter without opt-in
    landed = np.isin(trigger, (0, 2, 3))
    app = (rng.random(nj) < np.take(P.APP_SESSION, persona)) & ~landed
    second = rng.random(nj) < np.where(kind == P.BROWSE, 0.2, 0.35)
    # The app and an ad's landing page are on the smartphone (cookie 0).
    on_phone = app | (trigger == 0)
    slot = np.where(on_phone, 0, (rng.random(nj) * people.cookies[pp]).astype(np.int64))
    slot = np.where(J.new_cookie & ~on_phone, MAX_COOKIES - 1, slot)
    category = pick(rng.random(nj), CATEGORY_P)
    online = np.array([JT.PAYMENTS.index(m) for m in JT.ONLINE_PAY])
    store = np.array([JT.PAYMENTS.index(m) for m in JT.STORE_PAY])
    return Plan(
        template=JT.template_id(trigger, kind, second.astype(np.int64)),
        app=app,
        slot=slot,
        category=category,
        campaign=pick(rng.random(nj), P.CAMPAIGN_SHARE),
        late=rng.random(nj) < P.P_LATE,
        basket=np.round(np.take(BASKET, category) * rng.lognormal(0.0, 0.45, nj), 2),
        online_pay=online[pick(rng.random(nj), JT.ONLINE_PAY_P)],
        store_pay=store[pick(rng.random(nj), JT.STORE_PAY_P)],
    )


def steps_taken(
    rng: np.random.Generator, people: Persons, J: Journeys, pl: Plan
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One row per event: its journey, its step in the template, whether logged in then.

    A step happens by its chance if the person meets its requirement; the journey goes on
    after a step that happened by the step's go-on chance (drop-off); a login lasts until
    the session ends; a step repeats a Poisson number of times."""
    T, tpl = JT.TEMPLATES, pl.template
    nj, width = len(tpl), T.p.shape[1]
    account, card = people.account[J.person], people.card[J.person]
    meets = np.stack([np.ones(nj, bool), account, card, card & people.flagship[J.person], account | card], 1)  # fmt: skip
    happens = rng.random((nj, width)) < T.p[tpl]
    happens &= np.take_along_axis(meets, T.requires[tpl].astype(np.int64), axis=1)
    logged = _logged_in(happens, tpl)
    before = np.zeros_like(logged)
    before[:, 1:] = logged[:, :-1]
    happens &= ~(T.login_if_needed[tpl].astype(bool) & before)
    logged = _logged_in(happens, tpl)
    go_on = np.where(pl.app[:, None], T.go_on_app[tpl], T.go_on[tpl])
    tiktok = pl.campaign == P.CAMPAIGNS.index("soldes_tiktok")
    stay = 1 - np.where(tiktok, P.BOUNCE["soldes_tiktok"], P.BOUNCE["other"])
    go_on = np.where(T.bounce[tpl].astype(bool), stay[:, None], go_on)
    passed = ~happens | (rng.random((nj, width)) < go_on)
    alive = np.ones((nj, width), bool)
    alive[:, 1:] = np.logical_and.accumulate(passed, axis=1)[:, :-1]
    jj, kk = np.nonzero(happens & alive & (T.event[tpl] != JT.VIRTUAL))
    times = 1 + rng.poisson(np.maximum(T.repeat[tpl[jj], kk], 0.0))
    jj, kk = np.repeat(jj, times), np.repeat(kk, times)
    return jj, kk, logged[jj, kk]


def _logged_in(happens: np.ndarray, tpl: np.ndarray) -> np.ndarray:
    """Whether each step happens logged in: after a login since the session's start."""
    T = JT.TEMPLATES
    logins = np.cumsum(happens & T.login[tpl].astype(bool), axis=1)
    starts = np.where(T.start[tpl].astype(bool), np.arange(happens.shape[1]), 0)
    return logins > np.take_along_axis(logins, np.maximum.accumulate(starts, axis=1), axis=1)


def times(rng: np.random.Generator, J: Journeys, pl: Plan, jj: np.ndarray, kk: np.ndarray) -> np.ndarray:  # fmt: skip
    """Each event's time: the journey's start plus the idle gaps of the steps so far."""
    T = JT.TEMPLATES
    tj = pl.template[jj]
    code = T.gap[tj, kk].astype(np.int64)
    app_start = (T.event[tj, kk] == JT.START) & pl.app[jj] & (code == JT.GAP_NAMES.index("click"))
    code = np.where(app_start, JT.GAP_NAMES.index("app"), code)  # the app is opened later
    lo, hi = np.array([JT.GAPS[g] for g in JT.GAP_NAMES]).T
    gap = lo[code] + (rng.random(len(jj)) * (hi[code] - lo[code])).astype(np.int64)
    late = T.late[tj, kk].astype(bool) & pl.late[jj]
    gap += np.where(late, rng.integers(3 * JT.DAY, 7 * JT.DAY, len(jj)), 0)
    first = np.ones(len(jj), bool)
    first[1:] = jj[1:] != jj[:-1]
    gap[first] = 0
    run = np.cumsum(gap)
    head = np.maximum.accumulate(np.where(first, np.arange(len(jj)), 0))
    return J.start[jj] + run - run[head]


# -- events --------------------------------------------------------------------------------------


@dataclass
class Rows:
    """Per event row: journey, step, time, and how the event identifies its person."""

    jj: np.ndarray
    kk: np.ndarray
    t: np.ndarray
    person: np.ndarray
    channel: np.ndarray
    ident: np.ndarray
    phone_at_till: np.ndarray

    def take(self, at: np.ndarray) -> Rows:
        return Rows(*(getattr(self, f.name)[at] for f in fields(self)))


@dataclass
class Events:
    table: pa.Table  # event_id left null: the caller numbers the events
    journey: np.ndarray  # per row
    person: np.ndarray  # per row, position in the Persons


def expand(
    rng: np.random.Generator, people: Persons, J: Journeys, origin_ns: int, end: int | None
) -> Events:
    """The events of journeys ``J``, in time order; those at or after ``end`` (s) are cut,
    as are those that show no identifier (a purchase in store without card or phone)."""
    T = JT.TEMPLATES
    pl = plan(rng, people, J)
    jj, kk, logged = steps_taken(rng, people, J, pl)
    t = times(rng, J, pl, jj, kk)
    tj = pl.template[jj]
    channel = T.channel[tj, kk].astype(np.int64)
    channel = np.where(channel == JT.DIGITAL, np.where(pl.app[jj], P.APP, P.WEB), channel)
    ident = T.ident[tj, kk].astype(np.int64)
    ident = np.where(ident == JT.SESSION, np.where(logged, JT.LOGGED, JT.ANON), ident)
    person = J.person[jj]
    acc, crd = people.account[person], people.card[person]
    phone_at_till = (ident == JT.TILL) & (rng.random(len(jj)) < P.P_PHONE_AT_TILL)
    seen = (
        np.isin(ident, (JT.ANON, JT.LOGGED, JT.CALL))
        | (acc & np.isin(ident, (JT.MAIL, JT.PICKUP, JT.SIGNUP)))
        | (crd & np.isin(ident, (JT.VISIT, JT.TILL, JT.TABLET, JT.SIGNUP, JT.MAIL)))
        | phone_at_till
    )
    keep = seen if end is None else seen & (t < end)
    at = np.flatnonzero(keep)
    rows = Rows(jj, kk, t, person, channel, ident, phone_at_till).take(
        at[np.argsort(t[at], kind="stable")]
    )
    columns = _identifiers(rng, people, pl, rows) | _properties(rng, people, J, pl, rows)
    columns["ts"] = pa.array(origin_ns + rows.t * 1_000_000_000, type=SCHEMA.field("ts").type)
    columns["event_id"] = pa.nulls(len(rows.t), pa.string())
    table = pa.Table.from_arrays([columns[c] for c in SCHEMA.names], schema=SCHEMA)
    return Events(table, rows.jj, rows.person)


def _identifiers(rng: np.random.Generator, people: Persons, pl: Plan, r: Rows) -> dict[str, pa.Array]:  # fmt: skip
    """What each event shows of its person, by identity mode (see parcours.demo.log)."""
    T, n, size, ident, person = JT.TEMPLATES, len(r.t), people.size, r.ident, r.person
    acc, crd = people.account[person], people.card[person]
    on_phone = T.phone[pl.template[r.jj], r.kk].astype(bool) | (r.channel == P.APP)
    cookie = np.where(on_phone, 0, pl.slot[r.jj]) * size + person
    tablet = ident == JT.TABLET
    cookie = np.where(tablet, MAX_COOKIES * size + people.store[person], cookie)
    typed = np.where(rng.random(n) < 0.7, 0, rng.integers(1, 4, n))  # as typed at login
    spelling = np.select([ident == JT.MAIL, ident == JT.SIGNUP], [np.where(rng.random(n) < 0.85, 0, typed), 0], typed)  # fmt: skip
    shown = {
        "customer_id": acc & np.isin(ident, (JT.LOGGED, JT.MAIL, JT.CALL, JT.PICKUP, JT.SIGNUP)),
        "anonymous_id": np.isin(ident, (JT.ANON, JT.LOGGED)) | (tablet & crd),
        "email": np.isin(ident, (JT.LOGGED, JT.MAIL)) | ((ident == JT.SIGNUP) & acc),
        "phone": r.phone_at_till | (ident == JT.CALL),
        "loyalty_id": crd
        & (np.isin(ident, (JT.VISIT, JT.TILL, JT.TABLET, JT.PICKUP, JT.SIGNUP)) | ((ident == JT.CALL) & ~acc)),
    }  # fmt: skip
    at = {
        "customer_id": person,
        "anonymous_id": cookie,
        "email": spelling * size + person,
        "phone": rng.integers(0, 5, n) * size + person,
        "loyalty_id": person,
    }
    values = people.identifiers()
    return {k: values[k].take(pa.array(at[k], mask=~shown[k])) for k in shown}


def _properties(rng: np.random.Generator, people: Persons, J: Journeys, pl: Plan, r: Rows) -> dict[str, pa.Array]:  # fmt: skip
    """Event, channel, revenue and the properties the demo's events carry."""
    T, n, jj = JT.TEMPLATES, len(r.t), r.jj

    def step(name: str) -> np.ndarray:
        return getattr(T, name)[pl.template[jj], r.kk].astype(np.int64)

    event, web = step("event"), r.channel == P.WEB
    start = event == JT.START
    event = np.where(start, np.where(web, P.EVENT_CODE["page_view"], P.EVENT_CODE["app_open"]), event)  # fmt: skip
    revenue_kind, basket = step("revenue"), pl.basket[jj]
    refund = -np.round(basket * np.where(rng.random(n) < 0.7, 1.0, rng.uniform(0.3, 0.8, n)), 2)
    extra = np.round(basket * rng.uniform(0.3, 1.0, n), 2)
    revenue = np.select([revenue_kind == 1, revenue_kind == 2, revenue_kind == 3], [basket, refund, extra], np.nan)  # fmt: skip
    reason = step("reason")
    reason = np.where(reason == -2, 4 + pick(rng.random(n), (0.55, 0.2, 0.25)), reason)
    campaign_kind = step("campaign")
    week = np.minimum(r.t // (7 * JT.DAY), len(JT.NEWSLETTERS) - 1)
    campaign = np.select([campaign_kind == 1, campaign_kind == 2], [pl.campaign[jj], len(P.CAMPAIGNS) + week], -1)  # fmt: skip
    device = np.where(web, np.where(pl.slot[jj] == 0, 0, 1), -1)
    device = np.where(step("phone").astype(bool) & web, 0, device)
    device = np.where(r.channel == P.APP, people.app_os[r.person], device)
    pay_kind = step("pay")
    payment = np.select([pay_kind == 1, pay_kind == 2], [pl.online_pay[jj], pl.store_pay[jj]], -1)
    late = step("late").astype(bool)
    return {
        "channel": _coded(r.channel, P.CHANNELS),
        "event": _coded(event, P.VOCABULARY),
        "revenue": pa.array(revenue, mask=np.isnan(revenue)),
        "page_type": _coded(np.where(start & web, JT.PAGES.index("accueil"), step("page")), JT.PAGES),
        "product_category": _coded(np.where(step("category") > 0, pl.category[jj], -1), CATEGORIES),
        "order_id": _order_ids(people, J, jj, step("order")),
        "store_id": _coded(np.where(step("store") > 0, people.store[r.person], -1), STORES),
        "fulfilment": _coded(step("fulfilment"), JT.FULFILMENTS),
        "late": pa.array(pl.late[jj] & late, mask=~late),
        "reason": _coded(reason, JT.REASONS),
        "campaign": _coded(campaign, JT.CAMPAIGN_NAMES),
        "device": _coded(device, DEVICES),
        "payment_method": _coded(payment, JT.PAYMENTS),
    }  # fmt: skip


def _coded(codes: np.ndarray, vocabulary: tuple[str, ...]) -> pa.Array:
    """Strings of ``vocabulary`` by code; a negative code is null."""
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(vocabulary)).dictionary_decode()


def _order_ids(people: Persons, J: Journeys, jj: np.ndarray, kind: np.ndarray) -> pa.Array:
    """The journey's order id; an extra in-store purchase after a pick-up adds ``-M``."""
    used = np.unique(jj[kind > 0])
    if len(used) == 0:
        return pa.nulls(len(jj), pa.string())
    orders = order_ids(people.idx[J.person[used]], J.number[used])
    both = pa.concat_arrays([orders, suffixed(orders, "-M")])
    at = np.searchsorted(used, jj) + np.where(kind == 2, len(used), 0)
    return both.take(pa.array(at, mask=kind == 0))


# -- chunks --------------------------------------------------------------------------------------


def base_chunk(seed: int, chunk: int, chunk_persons: int) -> tuple[pa.Table, np.ndarray]:
    """The events of persons ``chunk * chunk_persons`` onwards, and each row's person (local)."""
    origin = np.datetime64(START, "ns").astype(np.int64)
    rng = np.random.default_rng([seed, chunk])
    idx = np.arange(chunk * chunk_persons, (chunk + 1) * chunk_persons, dtype=np.int64)
    people = Persons.of(seed, idx)
    out = expand(rng, people, base_journeys(rng, people, DAYS), origin, DAYS * JT.DAY)
    # Event ids as in the demo: ev, the person's number, the event's rank in its timeline.
    counts = np.bincount(out.person, minlength=people.size)
    order = np.argsort(out.person, kind="stable")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order)) - (np.cumsum(counts) - counts)[out.person[order]]
    ids = numbered("ev", idx[out.person] * 100_000 + rank, 13)
    return out.table.set_column(0, "event_id", ids), out.person


def base_chunks(
    events: int, seed: int = 7, chunk_persons: int = CHUNK_PERSONS, jobs: int = 1
) -> Iterator[tuple[pa.Table, int]]:
    """Base events, chunk by chunk, until ``events`` rows (cut after the person who reaches
    it); with each chunk, the number of persons drawn so far."""
    written = 0
    tasks = ((seed, chunk, chunk_persons) for chunk in itertools.count())
    for chunk, (table, person) in enumerate(_in_order(base_chunk, tasks, jobs)):
        persons = chunk_persons
        if written + table.num_rows >= events:
            per_person = np.bincount(person, minlength=chunk_persons)
            persons = int(np.searchsorted(written + np.cumsum(per_person), events)) + 1
            table = table.filter(pa.array(person < persons))
        written += table.num_rows
        yield table, chunk * chunk_persons + persons
        if written >= events:
            return


def _in_order(func: Callable, tasks: Iterator[tuple], jobs: int) -> Iterator:
    """``func(*task)`` for each task, in order; with ``jobs`` > 1 in as many processes, at
    most ``jobs + 1`` results ahead of the consumer (memory stays bounded)."""
    if jobs <= 1:
        yield from (func(*task) for task in tasks)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn"))
    try:
        ahead = collections.deque(pool.submit(func, *t) for t in itertools.islice(tasks, jobs + 1))
        while ahead:
            result = ahead.popleft().result()
            ahead.extend(pool.submit(func, *t) for t in itertools.islice(tasks, 1))
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def increment_chunks(meta: dict, fraction: float, seed: int = 7) -> Iterator[pa.Table]:
    """``fraction`` of the base file's events, after its end, over ``fraction`` of its span."""
    target = max(1, round(meta["events"] * fraction))
    origin = np.datetime64(meta["start"], "ns").astype(np.int64)
    span = max(fraction * meta["days"], 1.0)  # days
    per_journey = 6.0  # events, about; only sizes the batches
    written, batch, new_next = 0, 0, meta["persons"]
    while written < target:
        rng = np.random.default_rng([seed, 1_000_003, round(fraction * 1e6), batch])
        nj = int(np.clip((target - written) / per_journey * 1.2, 100, 200_000))
        new = rng.random(nj) < NEW_PERSONS
        who = rng.integers(0, meta["persons"], nj)
        who[new] = new_next + np.arange(int(new.sum()))
        new_next += int(new.sum())
        idx, person = np.unique(who, return_inverse=True)
        start = time_of_day(rng, meta["days"] + np.floor(rng.uniform(0, span, nj)))
        number = np.full(nj, INCREMENT_NUMBER + batch % 10)
        journeys = Journeys(person, start, number, ~new & (rng.random(nj) < NEW_COOKIE))
        out = expand(rng, Persons.of(seed, idx), journeys, origin, None)
        rows = np.cumsum(np.bincount(out.journey, minlength=nj))
        kept = max(1, int(np.searchsorted(rows, target - written, side="right")))
        table = out.table.filter(pa.array(out.journey < kept))
        # After every base id: ev9 and a running number (base ids run ev0... to ev8...).
        ids = numbered("ev", 9 * 10**12 + written + np.arange(table.num_rows), 13)
        table = table.set_column(0, "event_id", ids)
        written += table.num_rows
        batch += 1
        yield table


# -- files ---------------------------------------------------------------------------------------


def _write(path: Path, tables: Iterator[pa.Table]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    rows = 0
    # Dictionaries for the columns of few values, statistics for the time only: a third
    # less work for the writer than its defaults, which is the one serial part.
    dictionary = [c for c in SCHEMA.names if c not in (*IDENTIFIERS, "event_id", "ts", "revenue", "order_id")]  # fmt: skip
    with pq.ParquetWriter(
        tmp, SCHEMA, use_dictionary=dictionary, write_statistics=["ts"]
    ) as writer:
        for table in tables:
            writer.write_table(table, row_group_size=max(table.num_rows, 1))
            rows += table.num_rows
    tmp.replace(path)
    return rows


def write_events(
    path: Path, events: int, seed: int = 7, chunk_persons: int = CHUNK_PERSONS, jobs: int = 1
) -> dict:
    """Write about ``events`` events to ``path``; its meta (also written beside it, .json)."""
    drawn = [0]

    def tables() -> Iterator[pa.Table]:
        for table, persons in base_chunks(events, seed, chunk_persons, jobs):
            drawn[0] = persons
            yield table

    rows = _write(path, tables())
    meta = {"version": VERSION, "events": rows, "persons": drawn[0], "seed": seed,
            "start": START, "days": DAYS, "chunk_persons": chunk_persons}  # fmt: skip
    path.with_suffix(".json").write_text(json.dumps(meta, indent=1))
    return meta


def write_increment(path: Path, base: Path, fraction: float, seed: int = 7) -> dict:
    """Write the increment of ``fraction`` on the file ``base`` (see increment_chunks)."""
    meta = json.loads(base.with_suffix(".json").read_text())
    rows = _write(path, increment_chunks(meta, fraction, seed))
    out = {**meta, "events": rows, "base": base.name, "fraction": fraction}
    path.with_suffix(".json").write_text(json.dumps(out, indent=1))
    return out


def events_file(events: int, seed: int = 7, *, jobs: int = JOBS, verbose: bool = False) -> Path:
    """The file of ``events`` events under benchmarks/data/, written on first use."""
    path = DATA / f"events_{events}_s{seed}.parquet"
    if not _cached(path, seed):
        # Small files in small chunks; processes only where they pay for their start.
        chunk = int(np.clip(events // 100, 500, CHUNK_PERSONS))
        jobs = jobs if events >= 5_000_000 else 1
        _timed(lambda: write_events(path, events, seed, chunk, jobs), path, verbose)
    return path


def increment_file(
    events: int, fraction: float, seed: int = 7, *, jobs: int = JOBS, verbose: bool = False
) -> Path:
    """The increment of ``fraction`` (0.01: 1 %) on the file of ``events`` events."""
    base = events_file(events, seed, jobs=jobs, verbose=verbose)
    path = DATA / f"events_{events}_s{seed}_inc{fraction * 100:g}pct.parquet"
    if not _cached(path, seed):
        _timed(lambda: write_increment(path, base, fraction, seed), path, verbose)
    return path


def _cached(path: Path, seed: int) -> bool:
    meta = path.with_suffix(".json")
    if not (path.exists() and meta.exists()):
        return False
    m = json.loads(meta.read_text())
    return m.get("version") == VERSION and m.get("seed") == seed


def _timed(write: Callable[[], dict], path: Path, verbose: bool) -> None:
    wall, cpu = time.perf_counter(), _cpu()
    meta = write()
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    if verbose:
        print(
            f"{path.name}: {meta['events']:,} events, {meta['persons']:,} persons, "
            f"{path.stat().st_size / 2**20:,.0f} MiB in {wall:.1f} s "
            f"({meta['events'] / wall:,.0f} rows/s; {cpu:.1f} s CPU, processes included)",
            flush=True,
        )


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def parse_size(text: str) -> int:
    """``1M`` -> 1_000_000; ``20k`` -> 20_000; ``2500`` -> 2500."""
    text = text.strip().upper()
    scale = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("KMG")) * scale)


def parse_fraction(text: str) -> float:
    """``1%`` -> 0.01; ``0.01`` -> 0.01."""
    text = text.strip()
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("events", help="number of events, e.g. 1M, 10M, 100M")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--increment", help="also write an increment, e.g. 1%%")
    parser.add_argument("--jobs", type=int, default=JOBS, help="processes (default: %(default)s)")
    parser.add_argument("--force", action="store_true", help="write again even if cached")
    args = parser.parse_args()
    events = parse_size(args.events)
    if args.force:
        for p in DATA.glob(f"events_{events}_s{args.seed}[._]*"):
            p.unlink()
    print(events_file(events, args.seed, jobs=args.jobs, verbose=True))
    if args.increment:
        fraction = parse_fraction(args.increment)
        print(increment_file(events, fraction, args.seed, jobs=args.jobs, verbose=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
