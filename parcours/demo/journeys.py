"""The journeys of each person: how many, when, of which kind, on which device.

A journey is one need; its kind (online with delivery, store, ROPO, click & collect, or
browsing only) follows the person's persona most of the time, not always.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parcours.demo import planted as P
from parcours.demo.identities import Persons

DAY, HOUR, MINUTE = 86_400, 3_600, 60
CATEGORIES = ("mode_femme", "mode_homme", "maison", "beaute", "accessoires", "enfant")
CATEGORY_P = (0.32, 0.14, 0.24, 0.10, 0.12, 0.08)
# Digital sessions peak at lunch and in the evening.
HOURS = np.array(
    [1, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 8, 10, 10, 7, 6, 6, 7, 9, 11, 12, 11, 7, 3], float
)
HOURS /= HOURS.sum()


@dataclass
class Journeys:
    person: np.ndarray  # local person index
    kind: np.ndarray
    start: np.ndarray
    number: np.ndarray  # 0 for a person's first journey
    app: np.ndarray  # digital sessions of this journey happen in the app
    device: np.ndarray  # 0: smartphone (app and mobile web), 1: second device (desktop web)
    category: np.ndarray
    logged: np.ndarray  # current login state of the digital session


def make_journeys(rng: np.random.Generator, people: Persons, days: int) -> Journeys:
    """Draw each person's journeys, spaced in time, with the kind its persona favours."""
    persona = people.persona
    count = 1 + rng.poisson(np.take(P.EXTRA_JOURNEYS, persona))
    person = np.repeat(np.arange(people.size), count)
    first_row = np.repeat(np.cumsum(count) - count, count)
    number = np.arange(len(person)) - first_row
    gaps = np.where(number == 0, 0.0, 4 * DAY + rng.exponential(18 * DAY, len(person)))
    run = np.cumsum(gaps)
    offset = run - run[first_row]  # time since the person's first journey
    first_day = rng.uniform(0, days * 0.5, people.size)
    day = np.floor(first_day[person] + offset / DAY)
    start = (
        day * DAY + rng.choice(24, len(person), p=HOURS) * HOUR + rng.integers(0, HOUR, len(person))
    ).astype(np.int64)
    keep = start < (days - 1) * DAY
    person, number, start = person[keep], number[keep], start[keep]
    pp = persona[person]

    cum = np.cumsum(np.asarray(P.KIND_MIX), axis=1)
    kind = (rng.random(len(person))[:, None] > cum[pp]).sum(axis=1)
    no_account = ~people.has_account[person] & np.isin(kind, (P.ONLINE, P.CC))
    kind[no_account] = np.where(pp[no_account] == 1, P.STORE, P.ROPO)
    kind[people.non_buyer[person]] = P.BROWSE
    app = rng.random(len(person)) < np.take(P.APP_SESSION, pp)
    device = np.where(app | ~people.two_devices[person], 0, rng.integers(0, 2, len(person)))
    category = rng.choice(len(CATEGORIES), len(person), p=CATEGORY_P)
    return Journeys(person, kind, start, number, app, device, category, np.zeros(len(person), bool))
