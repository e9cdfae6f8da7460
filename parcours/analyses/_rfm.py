"""RFM scores and named segments, as Ibis expressions over one row per buyer.

Scores: each of recency (days since the last purchase, lower is better), frequency
(purchase days) and monetary (total revenue) gets a score from 1 to ``bins``:

    score = min(bins, 1 + floor(bins * percent_rank))

where ``percent_rank`` is the share of the other buyers with a strictly worse value
(SQL's PERCENT_RANK). Buyers with equal values share a score, so when many buyers bought
only once they all get frequency score 1 and some scores stay empty; that is the honest
reading of the data, not a quantile cut that splits equal customers at random.

Named segments come from the recency and frequency scores on the 1-5 scale (with other
``bins`` a score s is first put on that scale as ceil(5 s / bins)), following the usual
RF grid; the monetary score is shown alongside but does not change the segment:

==================  ==========  ===========  ==============================================
segment             R           F            who they are
==================  ==========  ===========  ==============================================
champions           5           4-5          bought recently and often
loyal               3-4         4-5          buy often, still fairly recent
potential_loyalist  4-5         2-3          recent, already came back a few times
new                 5           1            first purchase just now
promising           4           1            recent single purchase
need_attention      3           3            average on both: a nudge keeps them
about_to_sleep      3           1-2          fading after few purchases
at_risk             1-2         3-4          used to buy regularly, not seen for a while
cant_lose           1-2         5            best customers of the past, gone quiet
hibernating         1-2         1-2          few purchases, long ago
==================  ==========  ===========  ==============================================

    >>> [s.id for s in SEGMENTS][:3]
    ['champions', 'loyal', 'potential_loyalist']
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir


@dataclass(frozen=True)
class Segment:
    id: str
    recency: tuple[int, int]  # inclusive range of the R score (1-5 scale)
    frequency: tuple[int, int]  # inclusive range of the F score (1-5 scale)
    en: str
    fr: str
    description: str  # who they are, in English
    description_fr: str  # and in French

    @property
    def rule(self) -> str:
        def span(lo: int, hi: int) -> str:
            return str(lo) if lo == hi else f"{lo}-{hi}"

        return f"R {span(*self.recency)}, F {span(*self.frequency)}"


SEGMENTS: tuple[Segment, ...] = (
    Segment(
        "champions",
        (5, 5),
        (4, 5),
        "Champions",
        "Champions",
        "bought recently and often",
        "ont acheté récemment et souvent",
    ),
    Segment(
        "loyal",
        (3, 4),
        (4, 5),
        "Loyal",
        "Fidèles",
        "buy often, still fairly recent",
        "achètent souvent, encore assez récemment",
    ),
    Segment(
        "potential_loyalist",
        (4, 5),
        (2, 3),
        "Potential loyalists",
        "Fidèles en devenir",
        "recent, already came back a few times",
        "récents, déjà revenus quelques fois",
    ),
    Segment(
        "new",
        (5, 5),
        (1, 1),
        "New customers",
        "Nouveaux clients",
        "first purchase just now",
        "premier achat tout récent",
    ),
    Segment(
        "promising",
        (4, 4),
        (1, 1),
        "Promising",
        "Prometteurs",
        "recent single purchase",
        "un seul achat, récent",
    ),
    Segment(
        "need_attention",
        (3, 3),
        (3, 3),
        "Need attention",
        "À surveiller",
        "average recency and frequency",
        "récence et fréquence moyennes",
    ),
    Segment(
        "about_to_sleep",
        (3, 3),
        (1, 2),
        "About to sleep",
        "En train de s'endormir",
        "fading after few purchases",
        "s'éloignent après peu d'achats",
    ),
    Segment(
        "at_risk",
        (1, 2),
        (3, 4),
        "At risk",
        "À risque",
        "used to buy regularly, not seen for a while",
        "achetaient régulièrement, plus revus depuis un moment",
    ),
    Segment(
        "cant_lose",
        (1, 2),
        (5, 5),
        "Can't lose them",
        "À ne pas perdre",
        "best customers of the past, gone quiet",
        "les meilleurs clients d'hier, devenus silencieux",
    ),
    Segment(
        "hibernating",
        (1, 2),
        (1, 2),
        "Hibernating",
        "En sommeil",
        "few purchases, long ago",
        "peu d'achats, il y a longtemps",
    ),
)


def score(value: ir.NumericValue, bins: int, higher_is_better: bool = True) -> ir.IntegerValue:
    """1..bins from the percent rank of ``value`` over all rows (ties share a score)."""
    order = value if higher_is_better else ibis.desc(value)
    rank = ibis.percent_rank().over(order_by=order)
    return ibis.least(bins, (rank * bins).floor() + 1).cast("int64")


def on_five(score_value: ir.IntegerValue, bins: int) -> ir.IntegerValue:
    """A score on 1..bins put on the 1..5 scale: ceil(5 s / bins)."""
    if bins == 5:
        return score_value
    return ((score_value * 5 + bins - 1) // bins).cast("int64")


def segment_of(r5: ir.IntegerValue, f5: ir.IntegerValue) -> ir.StringValue:
    """The segment id of each (R, F) pair on the 1..5 scale (the grid covers all 25)."""
    cases = [
        (r5.between(*s.recency) & f5.between(*s.frequency), ibis.literal(s.id)) for s in SEGMENTS
    ]
    return ibis.cases(*cases, else_=ibis.null("string"))


def add_scores(people: ir.Table, bins: int) -> ir.Table:
    """``people`` (with recency_days, frequency, monetary) plus r, f, m scores and segment."""
    scored = people.mutate(
        r=score(people.recency_days, bins, higher_is_better=False),
        f=score(people.frequency, bins),
        m=score(people.monetary, bins),
    )
    return scored.mutate(segment=segment_of(on_five(scored.r, bins), on_five(scored.f, bins)))
