"""Opportunities ranked by what the data says is at stake at the friction points they address.

For each opportunity (:func:`parcours.maps.opportunities.opportunities_of`, the free-text
form included):

* ``journeys_lost`` — the journeys lost beyond the baseline at the friction points it
  addresses: the sum of the frictions analysis' ``score`` over those points (each point
  once, however many times it is named; a stage names each of its touchpoints; a point the
  data does not show adds 0). The score is itself the excess at the lower bound of its
  interval, so only significant losses count;
* ``value`` — what one conversion is worth: the mean ``revenue`` of the conversion events
  that carry a revenue (:func:`conversion_value`); None when none does, and ``at_stake`` is
  then in journeys (a value of 1);
* ``at_stake`` = journeys_lost × value: what would be won if every journey lost there had
  converted — an upper bound that ranks opportunities, not a forecast.

Rank: ``at_stake``, highest first; ties (opportunities addressing no measured friction
point among them) by status (in_progress, planned, idea, done) then id.

    >>> import pandas as pd
    >>> from parcours.maps import JourneyMap
    >>> jm = JourneyMap.loads('''
    ... map: m
    ... title: M
    ... channels: [web]
    ... conversion: {event: buy}
    ... stages: [{id: s, title: S}]
    ... touchpoints:
    ...   - {id: cart, stage: s, channel: web, match: {event: cart}}
    ...   - {id: pay, stage: s, channel: web, match: {event: pay}}
    ... opportunities:
    ...   - {id: one-click, title: One click, frictions: [pay]}
    ...   - {id: whole-stage, title: Whole stage, frictions: [s]}
    ... ''')
    >>> scores = pd.DataFrame({"id": ["pay", "cart"], "score": [12.0, 3.0]})
    >>> rank(jm, scores, value=50.0)[["id", "journeys_lost", "at_stake"]].values.tolist()
    [['whole-stage', 15.0, 750.0], ['one-click', 12.0, 600.0]]
"""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from parcours.maps import JourneyMap, text_of
from parcours.maps.opportunities import friction_keys, opportunities_of, stage_of

STATUS_ORDER = {"in_progress": 0, "planned": 1, "idea": 2, "done": 3}
COLUMNS = [
    "rank",
    "id",
    "title",
    "stage",
    "status",
    "owner",
    "frictions",
    "journeys_lost",
    "value",
    "at_stake",
    "effect",
    "converted",
]


def conversion_value(journeys: ir.Table) -> float | None:
    """The mean revenue of the conversion events that carry a revenue; None when none does."""
    sold = journeys.filter(journeys.is_conversion & journeys.revenue.notnull())
    mean = sold.revenue.mean().to_pyarrow().as_py()
    return None if mean is None else float(mean)


def rank(
    jm: JourneyMap,
    scores: pd.DataFrame,
    value: float | None = None,
    level: str = "touchpoint",
    lang: str | None = None,
) -> pd.DataFrame:
    """The opportunities of ``jm`` ranked (see module doc). ``scores``: the frictions
    analysis' table (``id``, ``score``) at ``level``; ``value``: one conversion's worth
    (None: 1)."""
    lang = lang or jm.lang
    worth = 1.0 if value is None else float(value)
    score = {str(k): float(v) for k, v in zip(scores["id"], scores["score"].fillna(0), strict=True)}
    declared = {o.id for o in jm.opportunities}
    rows = []
    for opportunity in opportunities_of(jm):
        keys = friction_keys(opportunity, jm, level)
        lost = round(sum(score.get(k, 0.0) for k in keys), 1)
        rows.append(
            {
                "id": opportunity.id,
                "title": text_of(opportunity.title, lang),
                "stage": stage_of(opportunity, jm),
                "status": opportunity.status,
                "owner": opportunity.owner,
                "frictions": keys,
                "journeys_lost": lost,
                "value": value,
                "at_stake": round(lost * worth, 2),
                "effect": text_of(opportunity.effect, lang) if opportunity.effect else None,
                "converted": opportunity.id not in declared,
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS[1:])
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame["_status"] = frame.status.map(STATUS_ORDER)
    frame = frame.sort_values(["at_stake", "_status", "id"], ascending=[False, True, True])
    frame = frame.drop(columns="_status").reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame
