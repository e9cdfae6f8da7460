"""Survey score bands: the one place that says which answer is a promoter, a satisfied
customer or a high effort.

Standard definitions, on the scales the feedback table holds (``kind``, ``score``):

* **NPS** (Net Promoter Score, Reichheld 2003), 0-10 "how likely are you to recommend us":
  promoters answer 9-10, passives 7-8, detractors 0-6. NPS = % promoters - % detractors.
* **CSAT** (customer satisfaction), 1-5: satisfied answers are 4-5 ("satisfied" and "very
  satisfied"; CSAT = their share); dissatisfied ones are 1-2.
* **CES** (customer effort score, CES 2.0), 1-7 "the company made it easy", read here as
  effort (high is bad): 5-7 is a high effort, 1-3 a low (good) one.
* **review**: 1-5 stars; 1-2 stars is negative.

The helpers take an Ibis numeric expression (the ``score`` column) and return a boolean
expression, so every analysis counts the same answers on any engine.

    >>> import ibis
    >>> t = ibis.memtable({"score": [0, 6, 7, 9, 10]})
    >>> t.select(p=is_promoter(t.score), d=is_detractor(t.score)).to_pandas().sum().tolist()
    [2, 2]
"""

from __future__ import annotations

from collections.abc import Callable

import ibis.expr.types as ir

# NPS, 0-10
NPS_PROMOTER_MIN = 9  # promoters: 9-10
NPS_DETRACTOR_MAX = 6  # detractors: 0-6 (passives 7-8 count in the total only)
# CSAT, 1-5
CSAT_SATISFIED_MIN = 4  # satisfied: 4-5
CSAT_DISSATISFIED_MAX = 2  # dissatisfied: 1-2
# CES, 1-7, high is more effort
CES_LOW_EFFORT_MAX = 3  # good: 1-3
CES_HIGH_EFFORT_MIN = 5  # high effort: 5-7
# reviews, 1-5 stars
REVIEW_NEGATIVE_MAX = 2  # negative: 1-2 stars


def is_promoter(score: ir.NumericValue) -> ir.BooleanValue:
    """NPS 9-10."""
    return score >= NPS_PROMOTER_MIN


def is_detractor(score: ir.NumericValue) -> ir.BooleanValue:
    """NPS 0-6."""
    return score <= NPS_DETRACTOR_MAX


def is_csat_satisfied(score: ir.NumericValue) -> ir.BooleanValue:
    """CSAT 4-5."""
    return score >= CSAT_SATISFIED_MIN


def is_csat_dissatisfied(score: ir.NumericValue) -> ir.BooleanValue:
    """CSAT 1-2."""
    return score <= CSAT_DISSATISFIED_MAX


def is_ces_low_effort(score: ir.NumericValue) -> ir.BooleanValue:
    """CES 1-3: the good band."""
    return score <= CES_LOW_EFFORT_MAX


def is_ces_high_effort(score: ir.NumericValue) -> ir.BooleanValue:
    """CES 5-7."""
    return score >= CES_HIGH_EFFORT_MIN


def is_negative_review(score: ir.NumericValue) -> ir.BooleanValue:
    """Reviews of 1-2 stars."""
    return score <= REVIEW_NEGATIVE_MAX


# kind -> test of a negative answer: NPS detractors, dissatisfied CSAT, high-effort CES,
# reviews of 1-2 stars.
NEGATIVE: dict[str, Callable[[ir.NumericValue], ir.BooleanValue]] = {
    "nps": is_detractor,
    "csat": is_csat_dissatisfied,
    "ces": is_ces_high_effort,
    "review": is_negative_review,
}
