"""The journeys of the benchmark generator, as templates: one row of steps per kind of journey.

A journey is a trigger (ad, social post, search, newsletter or nothing), then a body by kind
(online with delivery, click & collect, store, research online purchase offline, browsing
only), with or without a second browsing session. Each of these 50 combinations is one
template: a sequence of steps, each with its event, channel, how the event identifies the
person, the idle time before it, the chance it happens and the chance the journey goes on
after it (drop-off). ``TEMPLATES`` holds them as padded numpy arrays, so a chunk of journeys is
expanded into events with a handful of vectorised operations (see ``generate.py``).

The vocabulary (events, channels, page types, stores, campaigns, payment methods) is the demo
simulator's (``parcours.demo``), so the demo map (``parcours.demo.load.demo_map``) maps them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from parcours.demo import planted as P
from parcours.demo.behaviour import ONLINE_PAY, RETURN_REASONS, STORE_PAY
from parcours.demo.journeys import DAY, HOUR, MINUTE
from parcours.demo.log import ANON, CALL, LOGGED, MAIL, PICKUP, SIGNUP, TABLET, TILL, VISIT

DIGITAL = -1  # channel: the journey's web or app
SESSION = -1  # identity: the cookie, with the account once logged in during the session
START = -2  # event: page_view (home page) on the web, app_open in the app
VIRTUAL = -1  # event: a decision point that emits nothing (a drop-off without a trace)

PAGES = ("accueil", "produit", "connexion", "avis", "panier", "atterrissage", "magasins",
         "commande", "paiement", "confirmation")  # fmt: skip
REASONS = ("product", "payment", "delivery", "return", *RETURN_REASONS)
FULFILMENTS = ("delivery", "click_collect", "in_store")
PAYMENTS = tuple(dict.fromkeys(ONLINE_PAY + STORE_PAY))
ONLINE_PAY_P = (0.62, 0.18, 0.12, 0.08)
STORE_PAY_P = (0.45, 0.40, 0.10, 0.05)
NEWSLETTERS = tuple(f"newsletter_s{w:02d}" for w in range(100))
CAMPAIGN_NAMES = P.CAMPAIGNS + NEWSLETTERS

# Idle time before a step, in seconds (low, high).
GAPS: dict[str, tuple[int, int]] = {
    "none": (0, 0),
    "instant": (2, 20),
    "click": (5, 120),
    "view": (20, 180),
    "think": (10, 600),
    "social": (30, 4 * HOUR),
    "app": (HOUR, 30 * HOUR),  # the app is opened later in the day
    "days": (12 * HOUR, 3 * DAY),  # a second session
    "store": (2 * HOUR, 4 * DAY),
    "minutes": (5 * MINUTE, 40 * MINUTE),
    "ship": (6 * HOUR, 30 * HOUR),
    "deliver": (DAY, 3 * DAY),  # plus 3 to 7 days when the parcel is late
    "call": (HOUR, 70 * HOUR),
    "after": (2 * DAY, 14 * DAY),
}
GAP_NAMES = tuple(GAPS)

# Who a step needs: a requirement on the person, else the step does not happen.
REQUIRES = ("none", "account", "card", "card_flagship", "contactable")

TRIGGERS = P.TRIGGERS  # ad, social, search, newsletter, direct
KINDS = P.KINDS  # online, store, ropo, click_collect, browse
LANDING = {"ad", "search", "newsletter"}  # triggers that land on a web page


@dataclass(frozen=True)
class Step:
    event: str | None  # None: a decision point (VIRTUAL); "start": page_view or app_open
    channel: str = "digital"
    ident: int = SESSION
    gap: str = "click"
    p: float = 1.0  # chance the step happens once the journey reaches it
    go_on: float = 1.0  # chance the journey goes on after it (web)
    go_on_app: float | None = None  # same in the app (default: as on the web)
    repeat: float = 0.0  # mean number of extra repetitions (Poisson)
    requires: str = "none"
    page: str | None = None
    category: bool = False
    order: int = 0  # 1: the journey's order id, 2: an extra in-store order
    store: bool = False
    fulfilment: str | None = None
    late: bool = False  # carries the delivery's lateness
    reason: str | None = None  # a reason, or "return" for a return reason drawn at random
    campaign: int = 0  # 1: the journey's ad campaign, 2: the week's newsletter
    pay: int = 0  # 1: online payment method, 2: in-store payment method
    revenue: int = 0  # 1: the basket, 2: a refund, 3: an extra basket
    phone: bool = False  # seen on the smartphone whatever the journey's device
    bounce: bool = False  # going on after it depends on the ad campaign
    login: bool = False  # a login (the session is identified from here on)
    login_if_needed: bool = False  # happens only if the session is not logged in yet
    start: bool = False  # opens a session (logged out)


def _trigger(name: str) -> list[Step]:
    social = {"channel": "reseaux_sociaux", "ident": ANON, "phone": True}
    if name == "ad":
        return [
            Step("ad_impression", gap="none", campaign=1, **social),
            Step("page_view", "web", ANON, "click", campaign=1, page="atterrissage", phone=True,
                 bounce=True, start=True),
        ]  # fmt: skip
    if name == "social":
        return [Step("social_post_view", gap="none", **social)]
    if name == "search":
        return [
            Step("search_click", "web", ANON, "none", start=True),
            Step("page_view", "web", ANON, "instant", page="produit"),
        ]
    if name == "newsletter":
        return [
            Step("newsletter_open", "email", MAIL, "none", campaign=2, go_on=0.6,
                 requires="contactable"),
            Step("email_click", "email", MAIL, "think", campaign=2, requires="contactable"),
            Step("page_view", "web", ANON, "instant", campaign=2, page="atterrissage",
                 start=True),
        ]  # fmt: skip
    return []


def _session(first: bool, trigger: str, ropo: bool, checkout_next: bool) -> list[Step]:
    """A browsing session; before a checkout, the journey may end after its product pages."""
    steps = []
    if not (first and trigger in LANDING):
        # In the app, the first session's "click" becomes "app" (see generate.py).
        gap = "days" if not first else "social" if trigger == "social" else "click"
        steps.append(Step("start", gap=gap, start=True))
    steps += [
        Step("login", gap="click", p=0.4, requires="account", page="connexion", login=True),
        Step("product_view", gap="view", repeat=(2.5 if ropo else 1.6) - (not first),
             page="produit", category=True, go_on=P.P_ADD_TO_CART if checkout_next else 1.0),
        Step("review_read", gap="think", p=0.6 if ropo else 0.3, page="avis", category=True),
        Step("chat_contact", gap="instant", p=0.03, reason="product"),
    ]  # fmt: skip
    return steps


def _after(online: bool) -> list[Step]:
    """Returns, reviews and referrals after a purchase."""
    ret = Step("return_request", "digital" if online else "magasin", LOGGED if online else VISIT,
               "after", p=0.12 if online else 0.05, requires="account" if online else "card",
               reason="return", order=1, revenue=2)  # fmt: skip
    return [
        ret,
        Step("call_center_contact", "service_client", CALL, "call", p=0.015, reason="return"),
        Step("review_post", ident=LOGGED, gap="after", p=0.03, requires="account", page="avis",
             category=True),
        Step("referral_share", "app", LOGGED, "call", p=0.03, requires="account", phone=True),
    ]  # fmt: skip


def _checkout(collect: bool) -> list[Step]:
    steps = []
    if collect:
        steps.append(Step("store_locator", gap="think", p=0.5, page="magasins", category=True))
    steps += [
        Step("add_to_cart", gap="think", page="panier", category=True, go_on=0.78),
        Step("login", gap="click", requires="account", page="connexion", login=True,
             login_if_needed=True),
        Step("checkout_start", ident=LOGGED, gap="click", page="commande", category=True,
             go_on=0.88),
        Step("checkout_payment", ident=LOGGED, gap="think", page="paiement", category=True,
             pay=1, go_on=P.P_PAY_SUCCESS["web"], go_on_app=P.P_PAY_SUCCESS["app"]),
        Step("purchase", ident=LOGGED, gap="click", page="confirmation", category=True, pay=1,
             revenue=1, order=1, store=collect,
             fulfilment="click_collect" if collect else "delivery"),
    ]  # fmt: skip
    if collect:
        steps += [
            Step("click_collect_pickup", "magasin", PICKUP, "store", order=1, store=True),
            Step("purchase", "magasin", TILL, "minutes", p=0.15, revenue=3, order=2, store=True,
                 fulfilment="in_store", pay=2),
        ]  # fmt: skip
    else:
        steps += [
            Step("delivery_shipped", "email", MAIL, "ship", order=1),
            Step("delivery_delivered", "email", MAIL, "deliver", order=1, late=True),
            Step("call_center_contact", "service_client", CALL, "call", p=0.12,
                 reason="delivery"),
            Step("chat_contact", ident=LOGGED, gap="call", p=0.02, requires="account",
                 reason="delivery"),
        ]  # fmt: skip
    return steps + _after(online=True)


def _store(ropo: bool) -> list[Step]:
    steps = []
    if ropo:
        steps.append(Step("store_locator", gap="think", p=P.P_LOCATOR_ROPO, page="magasins",
                          category=True, go_on=1 - P.P_LOCATOR_EXIT["ropo_with_locator"]))  # fmt: skip
    else:
        steps.append(Step("store_locator", gap="click", p=0.10, page="magasins", category=True))
    steps += [
        Step("store_visit", "magasin", VISIT, "store", p=0.5, requires="card", store=True),
        Step("product_view", "magasin", TABLET, "minutes", p=P.P_TABLET,
             requires="card_flagship", store=True, page="produit", category=True),
        Step(None, gap="minutes", go_on=P.P_STORE_PURCHASE["ropo" if ropo else "store"]),
        Step("purchase", "magasin", TILL, "none", revenue=1, order=1, store=True,
             fulfilment="in_store", pay=2, category=True),
        Step("loyalty_signup", "magasin", SIGNUP, "instant", p=0.03, requires="card",
             store=True),
    ]  # fmt: skip
    return steps + _after(online=False)


def template(trigger: str, kind: str, second_session: bool) -> list[Step]:
    """The steps of one kind of journey, from its trigger to what follows the purchase."""
    steps = _trigger(trigger)
    if kind == "store":
        return steps + _store(ropo=False)
    checkout = kind in ("online", "click_collect")
    steps += _session(True, trigger, kind == "ropo", checkout and not second_session)
    if second_session:
        steps += _session(False, trigger, kind == "ropo", checkout)
    if kind == "ropo":
        return steps + _store(ropo=True)
    if kind in ("online", "click_collect"):
        return steps + _checkout(collect=kind == "click_collect")
    return steps + [Step("add_to_cart", gap="think", p=0.2, page="panier", category=True)]


def template_id(trigger: np.ndarray, kind: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The row of ``TEMPLATES`` of each journey (codes into TRIGGERS and KINDS, 0/1)."""
    return (trigger * len(KINDS) + kind) * 2 + second


@dataclass
class Templates:
    """Every template as arrays of shape (templates, longest); ``length`` per template."""

    length: np.ndarray
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.arrays[name]
        except KeyError:
            raise AttributeError(name) from None


def _code(value: object, vocabulary: tuple) -> int:
    return -1 if value is None else vocabulary.index(value)


def build() -> Templates:
    rows = [
        template(t, k, bool(s))
        for t in TRIGGERS
        for k in KINDS
        for s in (0, 1)
    ]  # fmt: skip
    width = max(len(r) for r in rows)
    names = [f.name for f in fields(Step)]
    arrays = {n: np.zeros((len(rows), width), np.float64) for n in names}
    for n in ("event", "channel", "page", "fulfilment", "reason"):
        arrays[n][:] = -1
    arrays["p"][:] = 0.0  # padding never happens
    for i, steps in enumerate(rows):
        for k, s in enumerate(steps):
            event = VIRTUAL if s.event is None else START if s.event == "start" else None
            arrays["event"][i, k] = P.EVENT_CODE[s.event] if event is None else event
            arrays["channel"][i, k] = DIGITAL if s.channel == "digital" else P.CHANNELS.index(s.channel)  # fmt: skip
            arrays["gap"][i, k] = GAP_NAMES.index(s.gap)
            arrays["requires"][i, k] = REQUIRES.index(s.requires)
            arrays["page"][i, k] = _code(s.page, PAGES)
            arrays["fulfilment"][i, k] = _code(s.fulfilment, FULFILMENTS)
            arrays["reason"][i, k] = -2 if s.reason == "return" else _code(s.reason, REASONS)
            arrays["go_on_app"][i, k] = s.go_on if s.go_on_app is None else s.go_on_app
            for n in ("ident", "p", "go_on", "repeat", "category", "order", "store", "late",
                      "campaign", "pay", "revenue", "phone", "bounce", "login",
                      "login_if_needed", "start"):  # fmt: skip
                arrays[n][i, k] = float(getattr(s, n))
    ints = set(names) - {"p", "go_on", "go_on_app", "repeat"}
    for n in ints:
        arrays[n] = arrays[n].astype(np.int16)
    return Templates(np.array([len(r) for r in rows]), arrays)


TEMPLATES = build()
