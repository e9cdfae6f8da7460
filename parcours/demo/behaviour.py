"""What the simulated persons do: journeys, phase by phase, vectorised over journeys.

A journey is one need, from a trigger (ad, social post, search, newsletter or nothing) to a
purchase and what follows it (delivery or pick-up, calls, returns, reviews), or to the point
where the person gives up. Every phase takes the journeys still alive and returns the ones
that go on, with their current time in seconds since the start of the window.
"""

from __future__ import annotations

from typing import TypedDict, Unpack

import numpy as np

from parcours.demo import planted as P
from parcours.demo.identities import Persons
from parcours.demo.journeys import CATEGORIES, DAY, HOUR, MINUTE, Journeys
from parcours.demo.log import ANON, CALL, LOGGED, MAIL, PICKUP, TABLET, TILL, VISIT, Log

BASKET = (65.0, 70.0, 95.0, 38.0, 45.0, 48.0)  # median basket in euros
ONLINE_PAY = ("carte_bancaire", "paypal", "apple_pay", "paiement_3x")
STORE_PAY = ("carte_bancaire", "sans_contact", "especes", "carte_cadeau")
RETURN_REASONS = ("taille", "defaut", "ne_correspond_pas")


class _WebProperties(TypedDict, total=False):
    """The properties a web or app event may carry besides its product category."""

    page_type: str
    payment_method: np.ndarray


def _pick(rng: np.random.Generator, n: int, options: tuple, p: tuple | None = None) -> np.ndarray:
    return np.array(options, dtype=object)[rng.choice(len(options), n, p=p)]


def _later(rng: np.random.Generator, t: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return t + rng.integers(int(lo), int(hi) + 1, len(t))


def _sequence(
    rng: np.random.Generator, counts: np.ndarray, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, time offsets and total duration of ``counts[i]`` events spaced lo..hi seconds apart."""
    rows = np.repeat(np.arange(len(counts)), counts)
    gaps = rng.integers(lo, hi, len(rows))
    run = np.cumsum(gaps)
    first = np.cumsum(counts) - counts
    offset = run - np.repeat(run[first] - gaps[first], counts)
    total = np.zeros(len(counts), np.int64)
    total[counts > 0] = offset[np.cumsum(counts) - 1][counts > 0]
    return rows, offset, total


def _store_hours(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """Move each time to a moment when stores are open (10h-19h), never earlier."""
    at = (t // DAY) * DAY + rng.integers(10 * HOUR, 19 * HOUR, len(t))
    return np.where(at < t, at + DAY, at)


class Simulation:
    """Runs the phases of every journey of one block of persons into a ``Log``."""

    def __init__(self, rng: np.random.Generator, people: Persons, journeys: Journeys):
        self.rng, self.people, self.J, self.log = rng, people, journeys, Log()
        self.app_user = journeys.app.copy()  # before landings on the web override it
        self.landing = np.zeros(len(journeys.person), bool)  # journeys that reached a landing page

    def run(self) -> Log:
        J = self.J
        j, t = self._trigger(np.arange(len(J.person)), J.start.copy())
        store = J.kind[j] == P.STORE
        self._store(j[store], t[store], ropo=False)
        j, t = j[~store], t[~store]
        j, t = self._browse(j, t)
        ropo = J.kind[j] == P.ROPO
        self._store(j[ropo], t[ropo], ropo=True)
        buying = np.isin(J.kind[j], (P.ONLINE, P.CC))
        self._checkout(j[buying], t[buying])
        browse = J.kind[j] == P.BROWSE
        jb, tb = j[browse], t[browse]
        cart = self.rng.random(len(jb)) < 0.2
        self._digital(jb[cart], _later(self.rng, tb[cart], 30, 600), "add_to_cart")
        return self.log

    # -- helpers -------------------------------------------------------------------------
    def _channel(self, j: np.ndarray) -> np.ndarray:
        return np.where(self.J.app[j], P.APP, P.WEB)

    def _digital(
        self, j: np.ndarray, t: np.ndarray, event: str, **props: Unpack[_WebProperties]
    ) -> None:
        """A web or app event, identified by login state."""
        J = self.J
        self.log.emit(
            j,
            t,
            event,
            self._channel(j),
            np.where(J.logged[j], LOGGED, ANON),
            product_category=self._category(j),
            **props,
        )

    def _category(self, j: np.ndarray) -> np.ndarray:
        return np.array(CATEGORIES, dtype=object)[self.J.category[j]]

    def _call(self, j: np.ndarray, t: np.ndarray, reason: str) -> None:
        self.log.emit(j, t, "call_center_contact", P.SERVICE, CALL, reason=reason)

    def _orders(self, j: np.ndarray, suffix: str = "") -> np.ndarray:
        persons = self.people.index[self.J.person[j]]
        return np.array(
            [
                f"CMD-{p:07d}-{n:02d}{suffix}"
                for p, n in zip(persons, self.J.number[j], strict=True)
            ],
            dtype=object,
        )

    def _basket(self, j: np.ndarray) -> np.ndarray:
        median = np.take(BASKET, self.J.category[j])
        return np.round(median * self.rng.lognormal(0.0, 0.45, len(j)), 2)

    # -- phases --------------------------------------------------------------------------
    def _trigger(self, j: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Discovery: the event that starts the journey, and the landing page if any."""
        rng, J, people = self.rng, self.J, self.people
        persona = people.persona[J.person[j]]
        cum = np.cumsum(np.asarray(P.TRIGGER_MIX), axis=1)
        trig = (rng.random(len(j))[:, None] > cum[persona]).sum(axis=1)
        trig[(trig == 3) & ~people.opt_in[J.person[j]]] = 4  # no newsletter without opt-in
        alive = np.ones(len(j), bool)
        landing = np.zeros(len(j), bool)
        # Ads and social posts are seen on the smartphone.
        ad = trig == 0
        campaign = _pick(rng, int(ad.sum()), P.CAMPAIGNS, P.CAMPAIGN_SHARE)
        zero = np.zeros(int(ad.sum()), np.int8)
        self.log.emit(j[ad], t[ad], "ad_impression", P.SOCIAL, ANON, dev=zero, campaign=campaign)
        t[ad] = _later(rng, t[ad], 5, 90)
        self.log.emit(
            j[ad],
            t[ad],
            "page_view",
            P.WEB,
            ANON,
            dev=zero,
            campaign=campaign,
            page_type="atterrissage",
        )
        bounce_p = np.where(
            campaign == "soldes_tiktok", P.BOUNCE["soldes_tiktok"], P.BOUNCE["other"]
        )
        alive[np.flatnonzero(ad)[rng.random(len(campaign)) < bounce_p]] = False
        landing |= ad
        J.device[j[ad]] = 0
        J.app[j[ad]] = False  # the session goes on where the ad landed: mobile web

        social = trig == 1
        js = j[social]
        self.log.emit(
            js, t[social], "social_post_view", P.SOCIAL, ANON, dev=np.zeros(len(js), np.int8)
        )
        t[social] = _later(rng, t[social], 30, 4 * HOUR)

        search = trig == 2
        self.log.emit(j[search], t[search], "search_click", P.WEB, ANON)
        t[search] = _later(rng, t[search], 2, 20)
        self.log.emit(j[search], t[search], "page_view", P.WEB, ANON, page_type="produit")
        landing |= search
        J.app[j[search]] = False

        mail = trig == 3
        week = (t[mail] // (7 * DAY)).astype(int)
        news = np.array([f"newsletter_s{w:02d}" for w in week], dtype=object)
        self.log.emit(j[mail], t[mail], "newsletter_open", P.EMAIL, MAIL, campaign=news)
        click = rng.random(len(week)) < 0.55
        mj, mt = j[mail][click], _later(rng, t[mail][click], 10, 300)
        self.log.emit(mj, mt, "email_click", P.EMAIL, MAIL, campaign=news[click])
        mt = _later(rng, mt, 2, 10)
        self.log.emit(
            mj, mt, "page_view", P.WEB, ANON, campaign=news[click], page_type="atterrissage"
        )
        t[np.flatnonzero(mail)[click]] = mt
        landing[np.flatnonzero(mail)[click]] = True
        J.app[mj] = False
        self.landing[j[landing]] = True
        return j[alive], t[alive]

    def _browse(self, j: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Consideration: one session of product pages, sometimes a second one on another device."""
        rng, J, people = self.rng, self.J, self.people
        t = self._session(j, t, first=True)
        again = rng.random(len(j)) < np.where(J.kind[j] == P.BROWSE, 0.2, 0.35)
        j2 = j[again]
        two = people.two_devices[J.person[j2]]
        J.device[j2] = np.where(two, 1 - J.device[j2], J.device[j2])
        J.app[j2] = self.app_user[j2] & (J.device[j2] == 0)  # the second device has no app
        t[again] = self._session(j2, _later(rng, t[again], 12 * HOUR, 3 * DAY), first=False)
        return j, t

    def _session(self, j: np.ndarray, t: np.ndarray, first: bool) -> np.ndarray:
        rng, J = self.rng, self.J
        J.logged[j] = False
        app = J.app[j]
        landed = self.landing[j] & first
        t = np.where(app, _later(rng, t, HOUR, 30 * HOUR), _later(rng, t, 5, 120))
        self.log.emit(j[app], t[app], "app_open", P.APP, ANON)
        home = ~app & ~landed
        self.log.emit(j[home], t[home], "page_view", P.WEB, ANON, page_type="accueil")
        account = self.people.has_account[J.person[j]]
        early = account & (rng.random(len(j)) < np.where(app, 0.75, 0.25))
        t = _later(rng, t, 5, 60)
        self.log.emit(
            j[early], t[early], "login", self._channel(j[early]), LOGGED, page_type="connexion"
        )
        J.logged[j[early]] = True
        ropo = J.kind[j] == P.ROPO
        views = np.maximum(1 + rng.poisson(np.where(ropo, 2.5, 1.6)) - (not first), 1)
        rows, offset, total = _sequence(rng, views, 20, 180)
        self._digital(j[rows], t[rows] + offset, "product_view", page_type="produit")
        t = _later(rng, t + total, 10, 120)
        read = rng.random(len(j)) < np.where(ropo, 0.6, 0.3)
        self._digital(j[read], t[read], "review_read", page_type="avis")
        chat = rng.random(len(j)) < 0.03
        jc = j[chat]
        self.log.emit(
            jc,
            t[chat] + 30,
            "chat_contact",
            self._channel(jc),
            np.where(J.logged[jc], LOGGED, ANON),
            reason="product",
        )
        return t

    def _checkout(self, j: np.ndarray, t: np.ndarray) -> None:
        """Decision online: cart, login, payment and purchase, then delivery or pick-up."""
        rng, J = self.rng, self.J
        cc = J.kind[j] == P.CC
        loc = cc & (rng.random(len(j)) < 0.5)
        t = _later(rng, t, 20, 300)
        self._digital(j[loc], t[loc], "store_locator", page_type="magasins")
        cart = rng.random(len(j)) < P.P_ADD_TO_CART
        j, t = j[cart], _later(rng, t[cart], 20, 600)
        self._digital(j, t, "add_to_cart", page_type="panier")
        go = rng.random(len(j)) < P.P_CHECKOUT_START
        j, t = j[go], _later(rng, t[go], 10, 300)
        need = ~J.logged[j]
        self.log.emit(
            j[need], t[need], "login", self._channel(j[need]), LOGGED, page_type="connexion"
        )
        J.logged[j] = True
        t = _later(rng, t, 10, 90)
        self._digital(j, t, "checkout_start", page_type="commande")
        pay = rng.random(len(j)) < P.P_PAYMENT_STEP
        j, t = j[pay], _later(rng, t[pay], 30, 400)
        method = _pick(rng, len(j), ONLINE_PAY, (0.62, 0.18, 0.12, 0.08))
        self._digital(j, t, "checkout_payment", page_type="paiement", payment_method=method)
        ok_p = np.where(J.app[j], P.P_PAY_SUCCESS["app"], P.P_PAY_SUCCESS["web"])
        ok = rng.random(len(j)) < ok_p
        failed = ~ok & (rng.random(len(j)) < P.P_CALL_AFTER_PAYMENT_FAIL)
        self._call(j[failed], _later(rng, t[failed], 10 * MINUTE, 20 * HOUR), "payment")
        j, t, method = j[ok], _later(rng, t[ok], 3, 40), method[ok]
        cc = J.kind[j] == P.CC
        store = np.where(cc, self.people.home_store[J.person[j]], None)
        revenue = self._basket(j)
        self.log.emit(
            j,
            t,
            "purchase",
            self._channel(j),
            LOGGED,
            revenue=revenue,
            product_category=self._category(j),
            page_type="confirmation",
            payment_method=method,
            order_id=self._orders(j),
            store_id=store,
            fulfilment=np.where(cc, "click_collect", "delivery").astype(object),
        )
        self._deliver(j[~cc], t[~cc], revenue[~cc])
        self._pickup(j[cc], t[cc], revenue[cc])

    def _deliver(self, j: np.ndarray, t: np.ndarray, revenue: np.ndarray) -> None:
        rng = self.rng
        orders = self._orders(j)
        t = _later(rng, t, 6 * HOUR, 30 * HOUR)
        self.log.emit(j, t, "delivery_shipped", P.EMAIL, MAIL, order_id=orders)
        late = rng.random(len(j)) < P.P_LATE
        t = _later(rng, t, DAY, 3 * DAY) + np.where(late, rng.integers(3 * DAY, 7 * DAY, len(j)), 0)
        self.log.emit(
            j, t, "delivery_delivered", P.EMAIL, MAIL, order_id=orders, late=late.astype(object)
        )
        call_p = np.where(late, P.P_CALL_DELIVERY["late"], P.P_CALL_DELIVERY["on_time"])
        call = rng.random(len(j)) < call_p
        self._call(j[call], _later(rng, t[call], HOUR, 70 * HOUR), "delivery")
        chat = late & (rng.random(len(j)) < 0.10)
        self.log.emit(
            j[chat],
            _later(rng, t[chat], HOUR, 48 * HOUR),
            "chat_contact",
            P.WEB,
            LOGGED,
            reason="delivery",
        )
        self._after(j, t, revenue, "online", late)

    def _pickup(self, j: np.ndarray, t: np.ndarray, revenue: np.ndarray) -> None:
        rng, J = self.rng, self.J
        store = self.people.home_store[J.person[j]]
        t = _store_hours(rng, _later(rng, t, 20 * HOUR, 4 * DAY))
        self.log.emit(
            j,
            t,
            "click_collect_pickup",
            P.MAGASIN,
            PICKUP,
            order_id=self._orders(j),
            store_id=store,
        )
        more = rng.random(len(j)) < 0.15
        self.log.emit(
            j[more],
            t[more] + rng.integers(5 * MINUTE, 30 * MINUTE, int(more.sum())),
            "purchase",
            P.MAGASIN,
            TILL,
            revenue=self._basket(j[more]),
            order_id=self._orders(j[more], "-M"),
            store_id=store[more],
            fulfilment="in_store",
            payment_method=_pick(rng, int(more.sum()), STORE_PAY),
        )
        self._after(j, t, revenue, "online", np.zeros(len(j), bool))

    def _store(self, j: np.ndarray, t: np.ndarray, ropo: bool) -> None:
        """A store visit, prepared or not with the store locator; maybe a purchase."""
        rng, J, people = self.rng, self.J, self.people
        p_loc = P.P_LOCATOR_ROPO if ropo else 0.10
        loc = rng.random(len(j)) < p_loc
        if not ropo:
            J.app[j] = rng.random(len(j)) < 0.3
            J.logged[j] = False
        tl = _later(rng, t, 20, 600)
        self._digital(j[loc], tl[loc], "store_locator", page_type="magasins")
        t = np.where(loc, tl, t)
        exit_p = np.where(
            loc, P.P_LOCATOR_EXIT["ropo_with_locator"], P.P_LOCATOR_EXIT["ropo_without_locator"]
        )
        if not ropo:
            exit_p = np.full(len(j), 0.05)
        stay = rng.random(len(j)) >= exit_p
        j, t = j[stay], _store_hours(rng, _later(rng, t[stay], 2 * HOUR, 4 * DAY))
        person = J.person[j]
        card = people.has_card[person]
        buy = rng.random(len(j)) < (
            P.P_STORE_PURCHASE["ropo"] if ropo else P.P_STORE_PURCHASE["store"]
        )
        visit = card & (buy | (rng.random(len(j)) < P.P_CARD_SCAN_NO_PURCHASE))
        store = people.home_store[person]
        self.log.emit(j[visit], t[visit], "store_visit", P.MAGASIN, VISIT, store_id=store[visit])
        flagship = np.isin(store, P.FLAGSHIP_STORES)
        tab = card & flagship & (rng.random(len(j)) < P.P_TABLET)
        t = t + rng.integers(3 * MINUTE, 15 * MINUTE, len(j))
        self.log.emit(
            j[tab],
            t[tab],
            "product_view",
            P.MAGASIN,
            TABLET,
            store_id=store[tab],
            page_type="produit",
            product_category=self._category(j[tab]),
        )
        j, t, store = (
            j[buy],
            t[buy] + rng.integers(5 * MINUTE, 40 * MINUTE, int(buy.sum())),
            store[buy],
        )
        revenue = self._basket(j)
        self.log.emit(
            j,
            t,
            "purchase",
            P.MAGASIN,
            TILL,
            revenue=revenue,
            order_id=self._orders(j),
            store_id=store,
            fulfilment="in_store",
            payment_method=_pick(rng, len(j), STORE_PAY, (0.45, 0.4, 0.1, 0.05)),
            product_category=self._category(j),
        )
        self._after(j, t, revenue, "store", np.zeros(len(j), bool))

    def _after(
        self, j: np.ndarray, t: np.ndarray, revenue: np.ndarray, where: str, late: np.ndarray
    ) -> None:
        """After the purchase: returns, reviews and referrals."""
        rng, J, people = self.rng, self.J, self.people
        ret = rng.random(len(j)) < P.P_RETURN[where] * np.where(late, 1.5, 1.0)
        jr, tr = j[ret], _later(rng, t[ret], 2 * DAY, 14 * DAY)
        full = rng.random(len(jr)) < 0.7
        amount = -np.round(revenue[ret] * np.where(full, 1.0, rng.uniform(0.3, 0.8, len(jr))), 2)
        reason = _pick(rng, len(jr), RETURN_REASONS, (0.55, 0.2, 0.25))
        in_store = (J.kind[jr] != P.ONLINE) & (people.has_card[J.person[jr]])
        self.log.emit(
            jr[in_store],
            _store_hours(rng, tr[in_store]),
            "return_request",
            P.MAGASIN,
            VISIT,
            revenue=amount[in_store],
            reason=reason[in_store],
            order_id=self._orders(jr[in_store]),
        )
        online = ~in_store & people.has_account[J.person[jr]]
        J.logged[jr[online]] = True
        self.log.emit(
            jr[online],
            tr[online],
            "return_request",
            self._channel(jr[online]),
            LOGGED,
            revenue=amount[online],
            reason=reason[online],
            order_id=self._orders(jr[online]),
        )
        call = online & (rng.random(len(jr)) < 0.12)
        self._call(jr[call], tr[call] + rng.integers(HOUR, 2 * DAY, int(call.sum())), "return")

        account = people.has_account[J.person[j]]
        review = account & (rng.random(len(j)) < P.P_REVIEW_POST * np.where(late, 2.0, 1.0))
        jv, tv = j[review], _later(rng, t[review], DAY, 10 * DAY)
        J.logged[jv] = True
        self.log.emit(
            jv,
            tv,
            "review_post",
            self._channel(jv),
            LOGGED,
            page_type="avis",
            product_category=self._category(jv),
        )
        share = account & (rng.random(len(j)) < np.take(P.P_REFERRAL, people.persona[J.person[j]]))
        self.log.emit(
            j[share],
            _later(rng, t[share], HOUR, 5 * DAY),
            "referral_share",
            P.APP,
            LOGGED,
            dev=np.zeros(int(share.sum()), np.int8),
        )
