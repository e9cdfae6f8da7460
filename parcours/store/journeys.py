"""The journey table: every event, on its person, on its touchpoint, in its journey.

This one Ibis expression is what every analysis reads:

    person_id, journey_id, journey_seq, step, ts, seq, event_id, channel, event,
    touchpoint, stage, stage_index, revenue, is_conversion, converted, properties, persona

* Events are put on persons by identity resolution (:mod:`parcours.store.identity`).
* Each event is mapped to the first touchpoint of the map whose match rule it meets
  (first match wins); an event that meets none is ``unmapped`` with no stage.
* A person's events, in time order (events of one instant in their order of arrival,
  ``seq``, then by event id), are cut into journeys: a new
  journey starts after a conversion and after an idle gap longer than the map's timeout.
  A conversion ends the journey it belongs to.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from parcours.maps import JourneyMap, Rule
from parcours.store.engine import epoch_seconds, json_text
from parcours.store.identity import assign_persons, latest_customer_rows

UNMAPPED = "unmapped"


def _property_getter(properties: ir.StringValue) -> Callable[[str], ir.StringValue]:
    return lambda key: json_text(properties, key)


def map_touchpoints(events: ir.Table, jm: JourneyMap) -> ir.Table:
    """Events with ``touchpoint``, ``stage``, ``stage_index`` and ``is_conversion``."""
    prop = _property_getter(events.properties)
    rules = [(tp.match.to_ibis(events.event, events.channel, prop), tp.id) for tp in jm.touchpoints]
    touchpoint = ibis.cases(*rules, else_=UNMAPPED) if rules else ibis.literal(UNMAPPED)
    conversion = jm.conversion.to_ibis(events.event, events.channel, prop).fill_null(False)
    matched = events.mutate(touchpoint=touchpoint, is_conversion=conversion)
    if not jm.touchpoints:
        return matched.mutate(stage=ibis.null("string"), stage_index=ibis.null("int64"))
    # A simple CASE on the touchpoint column: the matching rules above are written once in
    # the query, not once per touchpoint.
    tp = matched.touchpoint
    stage = tp.cases(*[(t.id, t.stage) for t in jm.touchpoints], else_=ibis.null("string"))
    index = tp.cases(
        *[(t.id, jm.stage_index(t.stage)) for t in jm.touchpoints], else_=ibis.null("int64")
    )
    return matched.mutate(stage=stage, stage_index=index.cast("int64"))


def cut_journeys(mapped: ir.Table, timeout_seconds: int) -> ir.Table:
    """Number each person's journeys and the steps within them (see module doc).

    Two passes over each person's events in time order, every window of a pass sharing its
    partition and order (the engine sorts once per pass): the first flags where journeys
    start; the second numbers journeys and steps and finds whether a conversion comes
    before the next start (a conversion ends its journey, so that is "the journey
    converted") without partitioning by journey again."""
    order = [mapped.ts, mapped.seq, mapped.event_id]
    by_person = ibis.window(group_by=mapped.person_id, order_by=order)
    epoch = epoch_seconds(mapped.ts)
    gap = epoch - epoch.lag().over(by_person)
    after_conversion = mapped.is_conversion.lag().over(by_person).fill_null(False)
    starts = gap.isnull() | (gap > timeout_seconds) | after_conversion
    f = mapped.mutate(_starts=starts, _rn=ibis.row_number().over(by_person))

    def frame(preceding: int | None, following: int | None) -> ir.Window:
        return ibis.window(
            group_by=f.person_id,
            order_by=[f.ts, f.seq, f.event_id],
            rows=(preceding, following),
        )

    so_far, from_here, after = frame(None, 0), frame(0, None), frame(1, None)
    nothing = ibis.null("int64")
    start_rn = ibis.ifelse(f._starts, f._rn, nothing).max().over(so_far)
    next_conversion = ibis.ifelse(f.is_conversion, f._rn, nothing).min().over(from_here)
    next_start = ibis.ifelse(f._starts, f._rn, nothing).min().over(after)
    numbered = f.mutate(
        journey_seq=f._starts.cast("int64").sum().over(so_far).cast("int64"),
        step=(f._rn - start_rn + 1).cast("int64"),
        converted=next_conversion.notnull()
        & (next_start.isnull() | (next_conversion < next_start)),
    )
    journey_id = journey_id_of(numbered.person_id, numbered.journey_seq)
    return numbered.mutate(journey_id=journey_id).drop("_starts", "_rn")


def journey_id_of(person_id: ir.StringValue, journey_seq: ir.IntegerValue) -> ir.StringValue:
    """A journey's id: its person and its number among the person's journeys."""
    return person_id + ibis.literal(":") + journey_seq.cast("string")


def personas(customers: ir.Table, identities: ir.Table, jm: JourneyMap) -> ir.Table | None:
    """``(person_id, persona)``: the first persona whose rule the person's CRM attributes
    meet (the most recently updated CRM row of the person counts)."""
    declared = [p for p in jm.personas if p.rule]
    if not declared:
        return None
    one = latest_customer_rows(customers, identities)
    attr = _property_getter(one.attributes)
    cases = [(Rule.parse(rule).to_ibis(attr), p.id) for p in declared if (rule := p.rule)]
    return one.select("person_id", persona=ibis.cases(*cases, else_=ibis.null("string")))


def journey_table(
    events: ir.Table,
    identities: ir.Table,
    jm: JourneyMap,
    customers: ir.Table | None = None,
) -> ir.Table:
    """The journey table of ``jm`` over ``events`` (see module doc)."""
    return journeys_of_placed(assign_persons(events, identities), identities, jm, customers)


def journeys_of_placed(
    placed: ir.Table,
    identities: ir.Table,
    jm: JourneyMap,
    customers: ir.Table | None = None,
    carry: tuple[str, ...] = (),
) -> ir.Table:
    """:func:`journey_table` of events already given their ``person_id`` (see
    :func:`parcours.store.identity.place_events`); the columns ``carry`` of ``placed``
    follow each row to the end."""
    # Events of one instant keep their order of arrival (rows from before schema 3 have none).
    placed = placed.mutate(
        seq=placed.seq.fill_null(0) if "seq" in placed.columns else ibis.literal(0)
    )
    mapped = map_touchpoints(placed, jm)
    journeys = cut_journeys(mapped, int(jm.journey.timeout_delta.total_seconds()))
    persona_of = personas(customers, identities, jm) if customers is not None else None
    if persona_of is not None:
        journeys = journeys.left_join(persona_of, "person_id")
    else:
        journeys = journeys.mutate(persona=ibis.null("string"))
    return journeys.select(
        "person_id",
        "journey_id",
        "journey_seq",
        "step",
        "ts",
        "seq",
        "event_id",
        "channel",
        "event",
        "touchpoint",
        "stage",
        "stage_index",
        "revenue",
        "is_conversion",
        "converted",
        "properties",
        "persona",
        *carry,
    )


def mapping_coverage(journeys: ir.Table) -> ir.Table:
    """Per event name and channel: events, how many are mapped, and the mapped share."""
    mapped = (journeys.touchpoint != UNMAPPED).cast("int64")
    agg = journeys.group_by(["event", "channel"]).aggregate(
        events=journeys.count(), mapped=mapped.sum()
    )
    return agg.mutate(share=agg.mapped / agg.events).order_by(
        [agg.mapped / agg.events, ibis.desc("events")]
    )
