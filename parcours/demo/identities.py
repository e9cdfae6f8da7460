"""Who the simulated persons are: persona, CRM attributes and identifiers with their variants.

Every person owns an email and a mobile phone; whether the brand ever sees them depends on
behaviour. Identifiers are written in several formats on purpose (the same person typing
"Alice.Martin@Orange.fr " at login and "alice.martin@orange.fr" at the till), so identity
resolution has to normalise before matching.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from parcours.demo import planted as P

AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
AGE_MIX = (
    (0.30, 0.42, 0.18, 0.07, 0.02, 0.01),
    (0.02, 0.08, 0.17, 0.28, 0.27, 0.18),
    (0.08, 0.27, 0.32, 0.20, 0.09, 0.04),
    (0.10, 0.33, 0.32, 0.16, 0.07, 0.02),
)
PREFERRED = ("web", "app", "magasin", "email")
PREFERRED_MIX = (
    (0.25, 0.70, 0.03, 0.02),
    (0.05, 0.02, 0.78, 0.15),
    (0.35, 0.10, 0.50, 0.05),
    (0.80, 0.12, 0.06, 0.02),
)
GOLD_SHARE = (0.10, 0.55, 0.20, 0.20)
B2B_SHARE = (0.01, 0.06, 0.02, 0.03)
OPT_IN = (0.55, 0.80, 0.60, 0.65)
REGIONS = (
    ("Île-de-France", 0.19),
    ("Auvergne-Rhône-Alpes", 0.12),
    ("Nouvelle-Aquitaine", 0.09),
    ("Occitanie", 0.09),
    ("Hauts-de-France", 0.09),
    ("Grand Est", 0.08),
    ("Provence-Alpes-Côte d'Azur", 0.08),
    ("Pays de la Loire", 0.06),
    ("Normandie", 0.05),
    ("Bretagne", 0.05),
    ("Bourgogne-Franche-Comté", 0.04),
    ("Centre-Val de Loire", 0.04),
    ("Corse", 0.02),
)
OTHER_STORES = tuple(
    f"MAG-{c}-0{i}" for c in ("PAR", "LYO", "NAN", "TLS", "NIC", "STR") for i in (2, 3)
)
FEMALE = "Camille Léa Manon Chloé Inès Sarah Julie Emma Claire Alice Sophie Nathalie Isabelle Élodie Aurélie Céline Hélène Margaux Lucie Anaïs Zoé Maëlle Yasmine Fatou"
MALE = "Lucas Hugo Thomas Nicolas Julien Maxime Antoine Karim Mehdi Pierre Louis Théo Romain Alexandre Mathieu Sébastien Yanis Olivier Jérôme Baptiste"
LAST = "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèbvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert Bonnet François Martinez Benali Nguyen Diallo Rousseau Blanc Guérin Faure Chevalier"
DOMAINS = (
    "gmail.com",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "hotmail.fr",
    "sfr.fr",
    "yahoo.fr",
    "outlook.fr",
)


@dataclass
class Persons:
    """One block of persons; every array has one entry per person (local index)."""

    index: np.ndarray  # global person number
    persona: np.ndarray  # code into P.PERSONAS
    has_account: np.ndarray
    has_card: np.ndarray
    card_in_window: np.ndarray
    email_on_file: np.ndarray
    phone_on_file: np.ndarray
    opt_in: np.ndarray
    non_buyer: np.ndarray
    two_devices: np.ndarray
    home_store: np.ndarray  # store id strings
    app_os: np.ndarray
    attributes: pd.DataFrame  # CRM attributes, one row per person
    email_variants: np.ndarray  # (n, 4) object
    phone_variants: np.ndarray  # (n, 5) object
    email: np.ndarray  # normalised
    phone: np.ndarray  # E.164
    customer_id: np.ndarray  # None without account
    loyalty_id: np.ndarray  # None without card
    anonymous_ids: np.ndarray  # (n, 2) object; column 1 is None with one device

    @property
    def size(self) -> int:
        return len(self.index)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _choice(rng: np.random.Generator, persona: np.ndarray, table: tuple) -> np.ndarray:
    """Draw one option per person from the row of ``table`` that belongs to its persona."""
    cum = np.cumsum(np.asarray(table, dtype=float), axis=1)
    cum /= cum[:, -1:]
    return (rng.random(len(persona))[:, None] > cum[persona]).sum(axis=1)


def make_persons(rng: np.random.Generator, first: int, n: int, start: pd.Timestamp) -> Persons:
    """Draw ``n`` persons numbered from ``first``; CRM signup dates fall before ``start``."""
    idx = np.arange(first, first + n)
    persona = rng.choice(len(P.PERSONAS), size=n, p=P.PERSONA_SHARES)
    u = rng.random((n, 12))
    has_account = u[:, 0] < np.take(P.HAS_ACCOUNT, persona)
    has_card = u[:, 1] < np.take(P.HAS_CARD, persona)
    card_in_window = has_card & (u[:, 2] < P.CARD_IN_WINDOW)
    email_on_file = has_account | (has_card & (u[:, 3] < 0.7))
    phone_on_file = (has_account & (u[:, 4] < 0.65)) | (has_card & (u[:, 4] < 0.85))
    opt_in = email_on_file & (u[:, 5] < np.take(OPT_IN, persona))
    non_buyer = u[:, 6] < np.take(P.NON_BUYER, persona)
    two_devices = u[:, 7] < P.TWO_DEVICES
    flagship = np.array(P.FLAGSHIP_STORES, dtype=object)
    others = np.array(OTHER_STORES, dtype=object)
    home_store = np.where(
        u[:, 8] < P.P_HOME_FLAGSHIP,
        flagship[rng.integers(0, len(flagship), n)],
        others[rng.integers(0, len(others), n)],
    )
    app_os = np.where(u[:, 9] < 0.55, "ios", "android").astype(object)

    female = u[:, 10] < 0.62
    gender = np.where(female, "F", np.where(u[:, 11] < 0.97, "M", "X")).astype(object)
    fem, mal, last = FEMALE.split(), MALE.split(), LAST.split()
    firsts = np.where(
        female,
        np.array(fem, dtype=object)[rng.integers(0, len(fem), n)],
        np.array(mal, dtype=object)[rng.integers(0, len(mal), n)],
    )
    lasts = np.array(last, dtype=object)[rng.integers(0, len(last), n)]
    domains = np.array(DOMAINS, dtype=object)[rng.integers(0, len(DOMAINS), n)]
    digits = (idx * 7919 + 12_345_678) % 100_000_000  # a bijection: phones never collide
    mobile = np.where(rng.random(n) < 0.8, 6, 7)
    email_variants = np.empty((n, 4), dtype=object)
    phone_variants = np.empty((n, 5), dtype=object)
    email = np.empty(n, dtype=object)
    phone = np.empty(n, dtype=object)
    for i in range(n):
        f, la, d = _ascii(firsts[i]), _ascii(lasts[i]).replace(" ", ""), domains[i]
        local = f"{f}.{la}{idx[i]}"
        email[i] = f"{local}@{d}"
        email_variants[i] = (
            email[i],
            f"{f.capitalize()}.{la.capitalize()}{idx[i]}@{d.capitalize()} ",
            f"{local}@{d.upper()}",
            f" {email[i]}",
        )
        nat = f"{mobile[i]}{digits[i]:08d}"
        pairs = " ".join(nat[k : k + 2] for k in range(1, 9, 2))
        phone[i] = f"+33{nat}"
        phone_variants[i] = (
            f"0{nat[0]} {pairs}",
            f"+33 {nat[0]} {pairs}",
            f"0033{nat}",
            f"0{nat}",
            phone[i],
        )

    hexes = rng.integers(0, 2**63, size=(n, 2), dtype=np.int64)
    anonymous_ids = np.array([[f"{a:016x}", f"{b:016x}"] for a, b in hexes], dtype=object)
    anonymous_ids[~two_devices, 1] = None
    customer_id = np.where(  # type: ignore[call-overload]  # numpy's stubs reject None as where's fill value
        has_account, np.char.add("C", np.char.zfill((idx + 1).astype(str), 8)), None
    )
    loyalty_id = np.where(  # type: ignore[call-overload]  # numpy's stubs reject None as where's fill value
        has_card,
        np.char.add("ML", np.char.zfill(((idx * 7919 + 31) % 10**10).astype(str), 10)),
        None,
    )

    region_names = np.array([r for r, _ in REGIONS], dtype=object)
    region_p = np.array([w for _, w in REGIONS])
    tier = np.where(rng.random(n) < np.take(GOLD_SHARE, persona), "gold", "silver").astype(object)
    tier[~has_card] = "none"
    signup = start.tz_localize(None) - pd.to_timedelta(rng.integers(20, 2500, n), unit="D")
    attributes = pd.DataFrame(
        {
            "segment": np.where(rng.random(n) < np.take(B2B_SHARE, persona), "B2B", "B2C"),
            "age_band": np.array(AGE_BANDS, dtype=object)[_choice(rng, persona, AGE_MIX)],
            "region": region_names[
                rng.choice(len(region_names), size=n, p=region_p / region_p.sum())
            ],
            "gender": gender,
            "loyalty_tier": tier,
            "preferred_channel": np.array(PREFERRED, dtype=object)[
                _choice(rng, persona, PREFERRED_MIX)
            ],
            "signup_date": signup,
            "opt_in_email": opt_in,
        }
    )
    return Persons(
        index=idx,
        persona=persona,
        has_account=has_account,
        has_card=has_card,
        card_in_window=card_in_window,
        email_on_file=email_on_file,
        phone_on_file=phone_on_file,
        opt_in=opt_in,
        non_buyer=non_buyer,
        two_devices=two_devices,
        home_store=home_store,
        app_os=app_os,
        attributes=attributes,
        email_variants=email_variants,
        phone_variants=phone_variants,
        email=email,
        phone=phone,
        customer_id=customer_id,
        loyalty_id=loyalty_id,
        anonymous_ids=anonymous_ids,
    )


def customers_frame(
    people: Persons, card_signup: np.ndarray, start: pd.Timestamp, rng: np.random.Generator
) -> pd.DataFrame:
    """CRM rows: one per person with an account or a loyalty card.

    ``card_signup`` holds the signup timestamp (seconds since start, NaN if none) of persons who
    join the loyalty programme during the window; their CRM signup_date is that day.
    """
    keep = people.has_account | people.has_card
    # CRM emails and phones are stored as typed at signup, so they vary too.
    e_var = np.where(rng.random(people.size) < 0.2, rng.integers(1, 4, people.size), 0)
    p_var = np.where(rng.random(people.size) < 0.6, 0, rng.integers(1, 5, people.size))
    rows = np.arange(people.size)
    attrs = people.attributes.copy()
    joined = ~np.isnan(card_signup)
    in_window = start.tz_localize(None) + pd.to_timedelta(np.nan_to_num(card_signup), unit="s")
    attrs.loc[joined, "signup_date"] = in_window[joined].normalize()
    frame = pd.DataFrame(
        {
            "customer_id": people.customer_id,
            "email": np.where(people.email_on_file, people.email_variants[rows, e_var], None),  # type: ignore[call-overload]  # numpy's stubs reject None as where's fill value
            "phone": np.where(people.phone_on_file, people.phone_variants[rows, p_var], None),  # type: ignore[call-overload]  # numpy's stubs reject None as where's fill value
            "loyalty_id": people.loyalty_id,
        }
    )
    frame = pd.concat([frame, attrs], axis=1)
    return frame[keep].reset_index(drop=True)
