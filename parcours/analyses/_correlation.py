"""Funnel correlation: what goes with converting, and what goes with dropping out.

As PostHog's correlation analysis of a funnel: the persons who entered the funnel are split
into those who converted (reached the last step) and those who dropped out; for each feature
of a person's funnel attempt, the 2x2 table (has the feature or not, converted or not) gives
an odds ratio of converting with the feature against without it. Above 1 the feature goes
with converting, below 1 with dropping out.

Features (``correlation``):

* ``event``: an event name met during the attempt (``event=call_center_contact``);
* ``touchpoint``: a touchpoint met during the attempt (events on no touchpoint left out);
* ``property:KEY``: a value of the property KEY on an event of the attempt;
* ``persona``: the person's persona.

The attempt is the one the funnel kept for the person: from its first step to its last step
for a person who converted, to the end of its window for the others. The events of the
funnel's own steps are not features (each converted person has them), as in PostHog.

Statistics (:func:`parcours.analyses._stats.odds_ratio`): the odds ratio with 0.5 added to
each cell when one is zero (Haldane-Anscombe), Woolf's 95 % interval, Fisher's exact
p-value, and the Benjamini-Hochberg q-value over the features tested; a feature is
``significant`` when its q-value is below 0.05. Features met by every person, or by no one
on one side and the other, are kept: their table says so. The engine counts persons per
feature; Python only tests the small table.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from parcours.analyses import _stats
from parcours.analyses._steps import Step
from parcours.errors import InputError
from parcours.store.engine import epoch_whole_seconds, json_text
from parcours.store.journeys import UNMAPPED

KINDS = ("event", "touchpoint", "persona")
SIGNIFICANCE = 0.05
COLUMNS = [
    "feature",
    "value",
    "persons",
    "converted",
    "dropped",
    "conversion_with",
    "conversion_without",
    "odds_ratio",
    "odds_ratio_low",
    "odds_ratio_high",
    "p_value",
    "q_value",
    "significant",
    "goes_with",
]


def check_features(features: list[str]) -> list[str]:
    """The features asked, checked: event, touchpoint, persona or property:KEY."""
    out = []
    for text in features:
        name = text.strip()
        kind, _, key = name.partition(":")
        if (kind in KINDS and not key) or (kind == "property" and key.strip()):
            out.append(name if kind != "property" else f"property:{key.strip()}")
        else:
            raise InputError(
                f"funnel: correlation {text!r} is not known; allowed: event, touchpoint, "
                "persona, property:KEY"
            )
    return list(dict.fromkeys(out))


def funnel_correlation(
    journeys: ir.Table,
    persons: ir.Table,
    steps: list[Step],
    seconds: int,
    features: list[str],
) -> pd.DataFrame:
    """Odds ratios of converting per feature (see the module doc); ``persons`` is the
    funnel's table of persons (``person_id, K, start, d2..dN``)."""
    n = len(steps)
    took = sum(persons[f"d{k}"].fill_null(0) for k in range(2, n + 1)) if n > 1 else 0
    complete = ibis.and_(*[persons[f"d{k}"].notnull() for k in range(2, n + 1)])
    converted = n <= persons.K
    end = ibis.ifelse(converted & complete, persons.start + took, persons.start + seconds)
    who = persons.select(_pid=persons.person_id, _conv=converted, _start=persons.start, _end=end)
    j = journeys
    epoch = epoch_whole_seconds(j.ts)  # the funnel's seconds (_start, _end)
    inside = j.inner_join(who, j.person_id == who._pid)
    inside = inside.filter((epoch >= inside._start) & (epoch <= inside._end))
    not_step = ~ibis.or_(*[step.predicate(inside) for step in steps])
    parts: list[ir.Table] = []
    for feature in features:
        kind, _, key = feature.partition(":")
        rows = inside.filter(not_step) if kind in ("event", "touchpoint") else inside
        if kind == "touchpoint":
            rows = rows.filter(rows.touchpoint != UNMAPPED)
        value = json_text(rows.properties, key) if kind == "property" else rows[kind]
        parts.append(
            rows.filter(value.notnull()).select(
                "_pid", "_conv", feature=ibis.literal(feature), value=value.cast("string")
            )
        )
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    met = (parts[0] if len(parts) == 1 else ibis.union(*parts)).distinct()  # once a person
    counts = (
        met.group_by(["feature", "value"])
        .aggregate(persons=met.count(), converted=met._conv.cast("int64").sum())
        .to_pandas()
    )
    totals = persons.aggregate(total=persons.count(), won=converted.cast("int64").sum())
    total_row = totals.to_pandas().iloc[0]
    total, won = int(total_row.total or 0), int(total_row.won or 0)
    if counts.empty or total == 0:
        return pd.DataFrame(columns=COLUMNS)
    counts["dropped"] = counts.persons - counts.converted
    a, b = counts.converted, counts.dropped
    c = won - a
    d = (total - won) - b
    tests = [
        _stats.odds_ratio(int(w), int(x), int(y), int(z))
        for w, x, y, z in zip(a, b, c, d, strict=True)
    ]
    without = (c + d).where(c + d > 0)
    counts = counts.assign(
        conversion_with=a / counts.persons,
        conversion_without=c / without,
        odds_ratio=[t.odds_ratio for t in tests],
        odds_ratio_low=[t.low for t in tests],
        odds_ratio_high=[t.high for t in tests],
        p_value=[t.p_value for t in tests],
    )
    counts["q_value"] = _stats.adjust_p_values(counts.p_value.to_numpy())
    counts["significant"] = counts.q_value < SIGNIFICANCE
    counts["goes_with"] = np.where(
        counts.odds_ratio > 1, "converting", np.where(counts.odds_ratio < 1, "dropping", "")
    )
    # |log odds ratio|, rounded so that a ratio and its inverse tie (then by name)
    counts["strength"] = np.round(np.abs(np.log(counts.odds_ratio.astype("float64"))), 9)
    counts = counts.sort_values(
        ["strength", "feature", "value"], ascending=[False, True, True], na_position="last"
    )
    return counts[COLUMNS].reset_index(drop=True)
