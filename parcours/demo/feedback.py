"""Voice of the customer: survey answers and reviews, drawn from what each person lived.

A survey follows an event (a delivery, a store purchase, a pick-up, a payment, a call); the
score depends on how that moment went (a late delivery gives a detractor), and the verbatim
names the moment's pain or pleasure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parcours.demo import planted as P
from parcours.demo.identities import Persons
from parcours.demo.verbatims import write

STAGE_OF = {
    "livraison_domicile": "livraison",
    "retrait_click_collect": "livraison",
    "achat_magasin": "decision",
    "paiement_web": "decision",
    "paiement_app": "decision",
    "appel_service_client": "service_client",
    "avis_poste": "fidelisation",
}
SCALE = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "review": (1, 5)}
CSAT_STORE = (0.02, 0.04, 0.10, 0.34, 0.50)
CSAT_PICKUP = (0.03, 0.05, 0.12, 0.35, 0.45)
CSAT_CALL = {"delivery": (0.25, 0.25, 0.25, 0.15, 0.10), "payment": (0.30, 0.25, 0.20, 0.15, 0.10)}
CSAT_CALL_OTHER = (0.10, 0.15, 0.25, 0.30, 0.20)
CES_WEB_FAIL = (0.02, 0.03, 0.05, 0.10, 0.20, 0.28, 0.32)
CES_WEB_OK = (0.15, 0.25, 0.20, 0.15, 0.12, 0.08, 0.05)
CES_APP_OK = (0.35, 0.35, 0.15, 0.08, 0.04, 0.02, 0.01)
STARS_LATE = (0.35, 0.25, 0.20, 0.12, 0.08)
STARS = (0.03, 0.05, 0.12, 0.35, 0.45)
DAY, HOUR = 86_400, 3_600


def _scores(rng: np.random.Generator, probs: np.ndarray, low: int) -> np.ndarray:
    """One score per row from its own distribution (rows of ``probs``), starting at ``low``."""
    cum = np.cumsum(probs, axis=1)
    return low + (rng.random(len(probs))[:, None] > cum / cum[:, -1:]).sum(axis=1)


def _tone(kind: str, score: np.ndarray) -> np.ndarray:
    neg, pos = {"nps": (6, 9), "csat": (2, 4), "review": (2, 4)}.get(kind, (0, 0))
    if kind == "ces":  # effort: high is bad
        return np.where(score >= 5, "neg", np.where(score <= 2, "pos", "mid")).astype(object)
    return np.where(score <= neg, "neg", np.where(score >= pos, "pos", "mid")).astype(object)


def make_feedback(
    rng: np.random.Generator, events: pd.DataFrame, people: Persons, end: int
) -> pd.DataFrame:
    """Survey answers and reviews for one block; ``events`` carries internal ``_person``, ``_t``, ``_j``."""
    ev = events
    answers = []

    def add(
        rows: pd.DataFrame,
        touchpoint: str,
        kind: str,
        score: np.ndarray,
        theme,
        delay: tuple[int, int],
    ):
        t = rows["_t"].to_numpy() + rng.integers(delay[0], delay[1] + 1, len(rows))
        answers.append(
            pd.DataFrame(
                {
                    "_person": rows["_person"].to_numpy(),
                    "_t": t,
                    "touchpoint": touchpoint,
                    "kind": kind,
                    "score": score,
                    "_theme": theme,
                    "_tone": _tone(kind, score),
                    "_store": rows["channel"].to_numpy() == "magasin",
                }
            )
        )

    def sample(mask: pd.Series, rate: float) -> pd.DataFrame:
        rows = ev[mask.to_numpy()]
        return rows[rng.random(len(rows)) < rate]

    rows = sample(ev["event"] == "delivery_delivered", P.P_ANSWER["delivery"])
    late = rows["late"].to_numpy() == True  # noqa: E712 - object column of bools and None
    probs = np.where(late[:, None], np.array(P.NPS_LATE), np.array(P.NPS_ON_TIME))
    add(
        rows,
        "livraison_domicile",
        "nps",
        _scores(rng, probs, 0),
        np.where(late, "delivery_late", "delivery"),
        (2 * HOUR, 3 * DAY),
    )

    rows = sample((ev["event"] == "purchase") & (ev["channel"] == "magasin"), P.P_ANSWER["store"])
    add(
        rows,
        "achat_magasin",
        "csat",
        _scores(rng, np.tile(CSAT_STORE, (len(rows), 1)), 1),
        "store",
        (HOUR, 2 * DAY),
    )

    rows = sample(ev["event"] == "click_collect_pickup", P.P_ANSWER["pickup"])
    add(
        rows,
        "retrait_click_collect",
        "csat",
        _scores(rng, np.tile(CSAT_PICKUP, (len(rows), 1)), 1),
        "pickup",
        (HOUR, 2 * DAY),
    )

    bought = ev.loc[ev["event"] == "purchase", "_j"].unique()
    pay = ev[ev["event"] == "checkout_payment"]
    failed = ~pay["_j"].isin(bought).to_numpy()
    web = pay["channel"].to_numpy() == "web"
    rate = np.where(
        failed & web, P.P_ANSWER["payment_fail_web"], np.where(failed, 0.0, P.P_ANSWER["payment"])
    )
    keep = rng.random(len(pay)) < rate
    rows, web, failed = pay[keep], web[keep], failed[keep]
    probs = np.where(
        (failed & web)[:, None],
        np.array(CES_WEB_FAIL),
        np.where(web[:, None], CES_WEB_OK, CES_APP_OK),
    )
    add(rows, "paiement_web", "ces", _scores(rng, probs, 1), "payment", (10 * 60, DAY))
    answers[-1].loc[~web, "touchpoint"] = "paiement_app"

    rows = sample(ev["event"] == "call_center_contact", P.P_ANSWER["call"])
    reason = rows["reason"].to_numpy()
    probs = np.array([CSAT_CALL.get(r, CSAT_CALL_OTHER) for r in reason]).reshape(len(rows), 5)
    add(rows, "appel_service_client", "csat", _scores(rng, probs, 1), "call", (10 * 60, DAY))

    rows = ev[ev["event"] == "review_post"]
    late_j = ev.loc[(ev["event"] == "delivery_delivered") & (ev["late"] == True), "_j"]  # noqa: E712
    late = rows["_j"].isin(late_j).to_numpy()
    probs = np.where(late[:, None], np.array(STARS_LATE), np.array(STARS))
    add(rows, "avis_poste", "review", _scores(rng, probs, 1), "review", (0, 0))

    fb = pd.concat(answers, ignore_index=True)
    fb = fb[fb["_t"] < end].reset_index(drop=True)
    n = len(fb)
    lang = np.where(rng.random(n) < P.P_ENGLISH, "en", "fr").astype(object)
    verbatim = write(rng, fb["_theme"].to_numpy(), fb["_tone"].to_numpy(), lang)
    silent = (rng.random(n) < P.P_NO_VERBATIM) & (fb["kind"].to_numpy() != "review")
    verbatim[silent] = None

    person = fb["_person"].to_numpy()
    store = fb["_store"].to_numpy()
    # Email surveys carry the account; receipts in store carry the loyalty card.
    customer_id = np.where(store, None, people.customer_id[person])
    email_known = people.email_on_file[person] | people.has_account[person]
    variant = np.where(rng.random(n) < 0.85, 0, rng.integers(1, 4, n))
    email = np.where(email_known, people.email_variants[person, variant], None)
    loyalty = np.where(store, people.loyalty_id[person], None)
    fb = fb.assign(
        customer_id=customer_id, email=email, loyalty_id=loyalty, language=lang, verbatim=verbatim
    )
    fb["stage"] = fb["touchpoint"].map(STAGE_OF)
    has_id = fb[["customer_id", "email", "loyalty_id"]].notna().any(axis=1)
    return fb[has_id].reset_index(drop=True)
