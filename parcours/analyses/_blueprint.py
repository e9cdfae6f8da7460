"""The measured figures of the service blueprint's backstage items that match events.

For each backstage item with a ``match`` rule (:mod:`parcours.maps.blueprint`), over the
journey table (every event, whatever touchpoint it maps to):

* events: the events that meet the item's rule;
* persons and journeys: those with at least one such event;
* median duration: per journey, the time from the item's first event to its last (a work
  item scheduled, started and completed spans that long in that journey), the median over
  the journeys that have two of its events or more, in seconds. A single event says nothing
  of how long the work took: counted as 0 s, journeys of one event made the median of a
  step done at once "0 s". With no journey of two events, there is no duration.

One aggregate per item, stacked into one query: the engine does the work, Python receives
one row per item.

    >>> from parcours.analyses._blueprint import COLUMNS
    >>> COLUMNS[:4]
    ('stage', 'id', 'title', 'events')
"""

from __future__ import annotations

import ibis
import pandas as pd

from parcours.analyses.base import Context
from parcours.maps.blueprint import measured_items
from parcours.maps.model import text_of
from parcours.store.engine import epoch_seconds, json_text

COLUMNS = ("stage", "id", "title", "events", "persons", "journeys", "median_duration_s")


def backstage_figures(ctx: Context) -> pd.DataFrame:
    """One row per measured backstage item of ``ctx.map`` (see the module docstring), in
    map order; an item that no event meets has 0 events and no duration."""
    items = list(measured_items(ctx.map))
    lang = ctx.language
    if not items:
        return pd.DataFrame(columns=list(COLUMNS))
    j = ctx.journeys
    parts = []
    for order, (_, item) in enumerate(items):
        assert item.match is not None  # measured_items yields matched items only
        rule = item.match.to_ibis(j.event, j.channel, lambda key: json_text(j.properties, key))
        met = j.filter(rule)
        spans = met.group_by("journey_id").aggregate(
            person_id=met.person_id.max(),
            n=met.count(),
            span=epoch_seconds(met.ts.max()) - epoch_seconds(met.ts.min()),
        )
        parts.append(
            spans.aggregate(
                events=spans.n.sum(),
                persons=spans.person_id.nunique(),
                journeys=spans.count(),
                # The span of journeys of two events or more; not median(where=...): Spark's
                # percentile wants a constant percentage, and Ibis makes it conditional too.
                median_duration_s=ibis.ifelse(
                    spans.n > 1, spans.span, ibis.null("float64")
                ).median(),
            ).mutate(order=ibis.literal(order, "int64"))
        )
    found = ibis.union(*parts).to_pandas().set_index("order")
    rows = []
    for order, (stage, item) in enumerate(items):
        row = found.loc[order] if order in found.index else None
        events = row["events"] if row is not None else None
        rows.append(
            {
                "stage": stage,
                "id": item.id,
                "title": text_of(item.title, lang),
                "events": int(events) if events is not None and pd.notna(events) else 0,
                "persons": int(row["persons"]) if row is not None else 0,
                "journeys": int(row["journeys"]) if row is not None else 0,
                "median_duration_s": float(row["median_duration_s"])
                if row is not None and pd.notna(row["median_duration_s"])
                else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))
