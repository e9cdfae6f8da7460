"""How customers use and combine channels: mix, switches, ROPO, showrooming, click & collect.

Which channels are physical (*offline*) comes from the ``offline`` parameter (default
``magasin, store``); every other channel seen in the data is *online* (digital: web, app,
email, social, call centre...). All the rules below are read on the journey table, where a
journey ends at its conversion (the conversion is its last event).

* **channel mix**: per stage, the share of the stage's events and persons on each channel;
* **channels per journey / person**: a journey (person) *mixes channels* when its events
  use two channels or more;
* **switch**: two consecutive events of one journey on different channels (from -> to);
* **ROPO** (research online, purchase offline): a converted journey whose conversion is on an
  offline channel and which holds at least one *research* event before it. By default a
  research event is an online event *near the purchase*: on a touchpoint of the purchase's
  stage or of the stage just before it (product pages, reviews, store finder), so that a
  newsletter read at discovery is not research; when the purchase is on no stage, any
  online event. ``research`` replaces the rule with touchpoints, stages, events or channels;
* **showrooming**: a converted journey whose conversion is online and which holds an earlier
  offline event near the purchase (a store visit, an in-store tablet), pick-ups excluded;
* **click & collect**: an online conversion whose ``fulfilment`` property is one of
  ``collect``, or that is followed by a pick-up (an event or touchpoint named in ``collect``)
  before the person's next online conversion. The pick-up usually falls in the next journey
  (the purchase closed the journey): the journey counted is the one of the purchase.

Multichannel, cross-channel and omnichannel (the seeds' *multicanal, cross-canal,
omnicanal*), read on each person's behaviour, each level including the one before:

* **single-channel**: every event of the person is on one channel;
* **multichannel** (channels in silos): the person uses several channels, but each journey
  stays on one channel;
* **cross-channel**: at least one journey moves from one channel to another (one switch);
* **omnichannel**: at least one journey goes back and forth between digital and physical:
  two crossings of the online/offline border or more (web -> store -> app...).

The brand's reading is the highest level reached by at least ``threshold`` of its persons
(levels counted cumulatively). *Stitched* is the share of persons seen offline who are also
seen online: the brand recognises them as one customer across channels (identity
resolution), the condition for any cross-channel or omnichannel reading.

    >>> import pandas as pd, parcours
    >>> from parcours.demo.load import demo_map
    >>> ws = parcours.open(":memory:")
    >>> log = pd.DataFrame({
    ...     "event_id": ["e1", "e2", "e3", "e4"],
    ...     "ts": ["2026-03-01 10:00", "2026-03-03 15:00", "2026-03-03 15:20", "2026-03-09 20:00"],
    ...     "customer_id": ["julien"] * 4,
    ...     "channel": ["web", "magasin", "magasin", "app"],
    ...     "event": ["store_locator", "store_visit", "purchase", "product_view"]})
    >>> ws.ingest_events(log).accepted
    4
    >>> result = ws.channels(map=demo_map())
    >>> result.journeys, result.ropo_journeys
    (2, 1)
    >>> result.switches[["from_channel", "to_channel", "switches"]].values.tolist()
    [['web', 'magasin', 1]]
    >>> result.reading  # the app visit after the purchase starts a new journey
    'cross-channel'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import ibis
import ibis.expr.types as ir
import pandas as pd

from parcours.analyses.base import Context, Result, figure, table
from parcours.analyses.registry import Analysis
from parcours.config import NONE_LABEL, OFFLINE_CHANNELS
from parcours.errors import InputError
from parcours.store.engine import Scratch, json_text
from parcours.store.journeys import UNMAPPED

DEFAULT_OFFLINE = OFFLINE_CHANNELS
DEFAULT_COLLECT = ("click_collect", "click_collect_pickup", "pickup", "store_pickup")
LEVELS = ("single-channel", "multichannel", "cross-channel", "omnichannel")
LEVEL_DEFINITIONS = {
    "single-channel": "every event on one channel",
    "multichannel": "several channels, but each journey stays on one (silos)",
    "cross-channel": "at least one journey moves from one channel to another",
    "omnichannel": "at least one journey goes back and forth between digital and physical",
}


def _check(
    ctx: Context,
    offline: list[str] | None,
    research: list[str] | None,
    threshold: float,
    seen: list[str],
    events: list[str],
) -> tuple[list[str], list[str]]:
    """The offline channel list, and notes about it."""
    if not 0 < threshold <= 1:
        raise InputError(f"channels: threshold must be in (0, 1]; got {threshold}")
    jm = ctx.map
    if research:
        known_names = {t.id for t in jm.touchpoints} | set(jm.stage_ids) | set(events)
        known_names |= set(seen) | {c.id for c in jm.channels}
        unknown = [name for name in research if name not in known_names]
        if unknown:
            raise InputError(
                f"channels: research names {', '.join(unknown)}, not a touchpoint, stage, "
                f"event or channel; touchpoints: {', '.join(t.id for t in jm.touchpoints)}; "
                f"stages: {', '.join(jm.stage_ids)}; channels: {', '.join(seen)}"
            )
    notes: list[str] = []
    if offline is None:
        chosen = list(DEFAULT_OFFLINE)
    else:
        chosen = [c for c in offline if c]
        known = set(seen) | {c.id for c in ctx.map.channels}
        if not chosen or not set(chosen) & known:
            raise InputError(
                f"channels: offline names {', '.join(chosen) or 'no channel'}, none of which "
                f"is a channel of the map or the data; channels: {', '.join(sorted(known))}"
            )
    if not set(chosen) & set(seen):
        notes.append(
            f"no event on an offline channel ({', '.join(chosen)}): ROPO, showrooming and the "
            f"omnichannel level need --offline; channels seen: {', '.join(seen)}."
        )
    return chosen, notes


def _offline_note(chosen: list[str], ctx: Context) -> str:
    """The offline channels the map declares (a default name the map lacks, ``store`` on a
    map with ``magasin``, is no channel a reader knows)."""
    declared = {c.id for c in ctx.map.channels}
    shown = [c for c in chosen if c in declared]
    if not shown:
        return "no offline (physical) channel in the map: every channel is online."
    return f"offline (physical) channels: {', '.join(shown)}; every other channel is online."


def _among(t: ir.Table, names: list[str]) -> ir.BooleanValue:
    """Events whose touchpoint, stage, event name or channel is one of ``names``."""
    return (
        t.touchpoint.isin(names)
        | t.stage.fill_null("").isin(names)
        | t.event.isin(names)
        | t.channel.fill_null("").isin(names)
    )


def _marked(
    journeys: ir.Table,
    offline: list[str],
    research: list[str] | None,
    collect: list[str],
    fulfilment: str,
) -> ir.Table:
    """The events with what each rule reads on the event alone: side (online/offline),
    pick-up, collect (an online conversion whose fulfilment is one of ``collect``) and,
    when ``research`` is given, the research rule."""
    t = journeys
    on = (t.channel.notnull() & ~t.channel.isin(offline)).fill_null(False)
    conv_on = t.is_conversion & on
    # the fulfilment property is read on online conversions only
    collected = ibis.ifelse(conv_on, json_text(t.properties, fulfilment).isin(collect), False)
    return t.select(
        "person_id",
        "journey_id",
        "step",
        "ts",
        "event_id",
        "channel",
        "touchpoint",
        "stage",
        "stage_index",
        "is_conversion",
        "persona",
        _off=t.channel.isin(offline).fill_null(False),
        _on=on,
        _pickup=_among(t, collect) & ~t.is_conversion,  # NULL for an event with no name
        _collect=collected.fill_null(False),
        _researching=_among(t, research) if research else ibis.null("boolean"),
    )


def _flagged(t: ir.Table, research: bool) -> ir.Table:
    """The events of :func:`_marked` with switch and border flags, research and showroom
    marks (``research``: the research rule was given): one pass over each journey in time
    order."""
    in_journey = ibis.window(group_by=t.journey_id, order_by=t.step)
    # the whole journey, in the same order: the engine sorts the events once for both
    whole = ibis.window(group_by=t.journey_id, order_by=t.step, rows=(None, None))
    prev_channel = t.channel.lag().over(in_journey)
    prev_off = t._off.lag().over(in_journey)
    conv_stage = ibis.ifelse(t.is_conversion, t.stage_index, ibis.null("int64")).max().over(whole)
    t = t.mutate(
        _prev_channel=prev_channel,
        _switch=(prev_channel.notnull() & (prev_channel != t.channel)).fill_null(False),
        _border=(prev_off.notnull() & (prev_off != t._off)).fill_null(False),
        _conv_stage=conv_stage,
    )
    # "near the purchase": the purchase's stage or the stage just before it; any event when
    # the purchase is on no stage. Research: near the purchase unless research names it.
    near = t._conv_stage.isnull() | t.stage_index.between(t._conv_stage - 1, t._conv_stage)
    research_rule = t._researching if research else near
    return t.select(
        "person_id",
        "journey_id",
        "channel",
        "is_conversion",
        "persona",
        "_on",
        "_off",
        "_prev_channel",
        "_switch",
        "_border",
        "_collect",
        _research=(research_rule & t._on & ~t.is_conversion).fill_null(False),
        _showroom=(t._off & near & ~t._pickup & ~t.is_conversion).fill_null(False),
    )


def _picked(marked: ir.Table) -> ir.Table:
    """``journey_id, picked``: the journeys holding an online conversion that a pick-up
    collects. Each person's online conversions are numbered in time order; the events
    after the g-th one (until the next) belong to order g, and a pick-up among them
    collects it. The pick-up usually falls in a later journey."""
    conv_on = marked.is_conversion & marked._on
    t = marked.filter(conv_on | marked._pickup.fill_null(False))  # the only events that count
    is_order = t.is_conversion & t._on
    by_person = ibis.cumulative_window(group_by=t.person_id, order_by=[t.ts, t.event_id])
    ordered = t.select(
        "person_id",
        "journey_id",
        _is_order=is_order,
        _pickup=t._pickup.fill_null(False),
        _order=is_order.cast("int64").sum().over(by_person),
    )
    picked = (
        ordered.filter(ordered._pickup & (ordered._order > 0))
        .group_by(["person_id", "_order"])
        .aggregate(_picked=ibis.literal(True))
    )
    orders = ordered.filter(ordered._is_order).select("person_id", "journey_id", "_order")
    orders = orders.left_join(picked, ["person_id", "_order"]).select(
        "journey_id", picked=picked._picked.fill_null(False)
    )
    return orders.group_by("journey_id").aggregate(picked=orders.picked.any())


def _journey_table(t: ir.Table, picked: ir.Table) -> ir.Table:
    """One row per journey with its channel figures and its ROPO / showrooming / C&C flags.

    ``_cmin`` and ``_cmax``, its first and last channel in alphabetical order, tell whether
    it uses two channels or more (and, taken over a person's journeys, whether the person
    does) without counting distinct values."""
    conv_on = t.is_conversion & t._on
    per = t.group_by(["person_id", "journey_id"]).aggregate(
        persona=t.persona.max(),
        _cmin=t.channel.min(),
        _cmax=t.channel.max(),
        switches=t._switch.cast("int64").sum(),
        borders=t._border.cast("int64").sum(),
        online=t._on.any(),
        offline=t._off.any(),
        converted=t.is_conversion.any(),
        conv_online=conv_on.any(),
        conv_offline=(t.is_conversion & t._off).any(),
        research=t._research.any(),
        showroom=t._showroom.any(),
        collect_flag=t._collect.any(),
    )
    per = per.left_join(picked, "journey_id").select(per, picked=picked.picked.fill_null(False))
    return per.mutate(
        mixes=(per._cmin < per._cmax).fill_null(False),
        ropo=per.conv_offline & per.research,
        showrooming=per.conv_online & per.showroom,
        click_collect=per.conv_online & (per.collect_flag | per.picked),
        back_and_forth=per.borders >= 2,
    )


def journey_table(
    journeys: ir.Table,
    offline: list[str],
    research: list[str] | None,
    collect: list[str],
    fulfilment: str,
) -> ir.Table:
    """One row per journey with its channel figures and its ROPO / showrooming / click &
    collect flags (what :func:`channels` counts), as an expression."""
    marked = _marked(journeys, offline, research, collect, fulfilment)
    return _journey_table(_flagged(marked, bool(research)), _picked(marked))


def _person_table(per_journey: ir.Table) -> ir.Table:
    """One row per person, from their journeys, with their level (see module doc)."""
    js = per_journey.group_by("person_id").aggregate(
        persona=per_journey.persona.max(),
        _cmin=per_journey._cmin.min(),
        _cmax=per_journey._cmax.max(),
        online=per_journey.online.any(),
        offline=per_journey.offline.any(),
        cross=(per_journey.switches > 0).any(),
        omni=per_journey.back_and_forth.any(),
        buyer=per_journey.converted.any(),
        ropo=per_journey.ropo.any(),
        showrooming=per_journey.showrooming.any(),
        click_collect=per_journey.click_collect.any(),
    )
    js = js.mutate(several=(js._cmin < js._cmax).fill_null(False))
    level = ibis.cases(
        (js.omni, "omnichannel"),
        (js.cross, "cross-channel"),
        (js.several, "multichannel"),
        else_="single-channel",
    )
    return js.mutate(level=level)


def _scalar(expr: ir.Scalar) -> Any:
    return expr.to_pyarrow().as_py()


def _share(part: float, whole: float) -> float:
    return float(part) / float(whole) if whole else float("nan")


def _mix(t: ir.Table, jm_stages: list[str]) -> pd.DataFrame:
    """Per stage and channel: mapped events and persons (read on the journey table)."""
    mapped = t.filter((t.touchpoint != UNMAPPED) & t.stage.notnull())
    per = mapped.group_by(["stage", "channel"]).aggregate(
        events=mapped.count(), persons=mapped.person_id.nunique()
    )
    stage_tot = mapped.group_by("stage").aggregate(
        stage_events=mapped.count(), stage_persons=mapped.person_id.nunique()
    )
    frame = per.join(stage_tot, "stage").to_pandas()
    frame["share_events"] = frame.events / frame.stage_events
    frame["share_persons"] = frame.persons / frame.stage_persons
    order = {s: i for i, s in enumerate(jm_stages)}
    frame["_o"] = frame.stage.map(order)
    frame = frame.sort_values(["_o", "events", "channel"], ascending=[True, False, True])
    columns = ["stage", "channel", "events", "persons", "share_events", "share_persons"]
    return frame[columns].reset_index(drop=True)


def _switches(t: ir.Table) -> pd.DataFrame:
    s = t.filter(t._switch)
    frame = (
        s.group_by([s._prev_channel.name("from_channel"), s.channel.name("to_channel")])
        .aggregate(
            switches=s.count(), journeys=s.journey_id.nunique(), persons=s.person_id.nunique()
        )
        .to_pandas()
    )
    total = frame.switches.sum()
    frame["share"] = frame.switches / total if total else 0.0
    frame = frame.sort_values(
        ["switches", "from_channel", "to_channel"], ascending=[False, True, True]
    )
    return frame.reset_index(drop=True)


PATTERNS = {
    "ROPO": "ropo",
    "showrooming": "showrooming",
    "click & collect": "click_collect",
}


@dataclass(kw_only=True, repr=False)
class ChannelsResult(Result):
    """Channel mix per stage (``table``: stage, channel, events, persons, share_events,
    share_persons)."""

    analysis: ClassVar[str] = "channels"
    persons: int = figure("persons")
    journeys: int = figure("journeys")
    converted_journeys: int = figure("converted journeys")
    multichannel_person_share: float = figure("persons using more than one channel")
    mixing_journey_share: float = figure("journeys mixing channels")
    channel_switches: int = figure("channel switches")
    ropo_journeys: int = figure("ROPO journeys")
    showrooming_journeys: int = figure("showrooming journeys")
    click_collect_journeys: int = figure("click & collect journeys")
    stitched_share: float = figure("stitched (offline persons also seen online)")
    reading: str = figure("reading")
    switches: pd.DataFrame = table()  # from_channel, to_channel, switches, journeys, persons, share
    patterns: pd.DataFrame = table()  # pattern, journeys, share_of_converted_journeys, persons, ...
    levels: pd.DataFrame = table()  # level, persons, share, reached, definition
    by_persona: pd.DataFrame = table()  # persona, persons, journeys, converted, mixing, ...


def channels(
    ctx: Context,
    offline: list[str] | None = None,
    research: list[str] | None = None,
    collect: list[str] | None = None,
    fulfilment: str = "fulfilment",
    threshold: float = 0.2,
) -> ChannelsResult:
    """Channel mix per stage, channel switches, ROPO, showrooming, click & collect, and a
    multichannel / cross-channel / omnichannel reading.

    offline: physical channels (default magasin, store); every other channel is online.
    research: touchpoints, stages, events or channels that count as online research for ROPO (default: online events in the purchase's stage or the stage before).
    collect: fulfilment values and pick-up events or touchpoints that mark click & collect (default click_collect, click_collect_pickup, pickup, store_pickup).
    fulfilment: the purchase property holding the fulfilment mode.
    threshold: share of persons a level must reach to be the brand's reading (default 0.2).
    """
    journeys = ctx.journeys
    pairs = journeys.select("event", "channel").distinct().to_pandas()
    seen = sorted(c for c in pairs.channel.unique() if c is not None)
    events = sorted(e for e in pairs.event.unique() if e is not None)
    chosen, notes = _check(ctx, offline, research, threshold, seen, events)
    collect_names = list(collect) if collect else list(DEFAULT_COLLECT)
    marked = _marked(
        journeys, chosen, list(research) if research else None, collect_names, fulfilment
    )
    # Computed once and read several times: the events with their flags (one pass in time
    # order over each journey), the journeys, the persons.
    scratch = Scratch("channels")
    try:
        t = scratch.keep(_flagged(marked, bool(research)), "events")
        per_journey = scratch.keep(_journey_table(t, _picked(marked)), "journeys")
        per_person = scratch.keep(_person_table(per_journey), "persons")
        return _result(
            ctx,
            t,
            per_journey,
            per_person,
            chosen,
            notes,
            research,
            collect_names,
            fulfilment,
            threshold,
        )
    finally:
        scratch.release()


def _result(
    ctx: Context,
    t: ir.Table,
    per_journey: ir.Table,
    per_person: ir.Table,
    chosen: list[str],
    notes: list[str],
    research: list[str] | None,
    collect_names: list[str],
    fulfilment: str,
    threshold: float,
) -> ChannelsResult:

    jagg = per_journey.aggregate(
        journeys=per_journey.count(),
        mixing=per_journey.mixes.cast("int64").sum(),
        converted=per_journey.converted.cast("int64").sum(),
        switches=per_journey.switches.sum(),
        ropo=per_journey.ropo.cast("int64").sum(),
        showrooming=per_journey.showrooming.cast("int64").sum(),
        click_collect=per_journey.click_collect.cast("int64").sum(),
    ).to_pandas()
    pagg = per_person.aggregate(
        persons=per_person.count(),
        multi=per_person.several.cast("int64").sum(),
        buyers=per_person.buyer.cast("int64").sum(),
        offline=per_person.offline.cast("int64").sum(),
        stitched=(per_person.offline & per_person.online).cast("int64").sum(),
        ropo=per_person.ropo.cast("int64").sum(),
        showrooming=per_person.showrooming.cast("int64").sum(),
        click_collect=per_person.click_collect.cast("int64").sum(),
    ).to_pandas()
    j, p = jagg.iloc[0].fillna(0), pagg.iloc[0].fillna(0)

    patterns = pd.DataFrame(
        [
            {
                "pattern": label,
                "journeys": int(j[col]),
                "share_of_converted_journeys": _share(j[col], j.converted),
                "persons": int(p[col]),
                "share_of_buyers": _share(p[col], p.buyers),
            }
            for label, col in PATTERNS.items()
        ]
    )

    level_counts = (
        per_person.group_by("level").aggregate(persons=per_person.count()).to_pandas()
    ).set_index("level")
    levels = pd.DataFrame({"level": list(LEVELS)})
    levels["persons"] = [int(level_counts.persons.get(lv, 0)) for lv in LEVELS]
    levels["share"] = [_share(n, p.persons) for n in levels.persons]
    levels["reached"] = levels.share[::-1].cumsum()[::-1].values  # this level or higher
    levels["definition"] = [LEVEL_DEFINITIONS[lv] for lv in LEVELS]
    reached = levels[levels.reached >= threshold]
    reading = reached.level.iloc[-1] if len(reached) else "single-channel"

    by_persona = _by_persona(per_journey, per_person)
    notes += [
        _offline_note(chosen, ctx),
        "ROPO: a journey converting offline after online research; showrooming: a journey "
        "converting online after a store contact; click & collect: an online purchase "
        f"with {fulfilment} in ({', '.join(collect_names)}) or followed by such a pick-up.",
        "reading: the highest of single-channel < multichannel < cross-channel < omnichannel "
        f"reached by at least {threshold:.0%} of persons (see the levels table).",
        "channel mix counts mapped events only; switches count every event of a journey.",
        "by_persona: mixing = share of journeys on two channels or more; ropo, showrooming, "
        "click_collect = shares of converted journeys; cross_channel, omnichannel = shares "
        "of persons at that level or higher (cross_channel) / at it (omnichannel).",
    ]
    return ChannelsResult(
        title="Channels",
        table=_mix(ctx.journeys, ctx.map.stage_ids),
        params={
            "offline": chosen,
            "research": list(research) if research else None,
            "collect": collect_names,
            "fulfilment": fulfilment,
            "threshold": threshold,
        },
        persons=int(p.persons),
        journeys=int(j.journeys),
        converted_journeys=int(j.converted),
        multichannel_person_share=_share(p.multi, p.persons),
        mixing_journey_share=_share(j.mixing, j.journeys),
        channel_switches=int(j.switches),
        ropo_journeys=int(j.ropo),
        showrooming_journeys=int(j.showrooming),
        click_collect_journeys=int(j.click_collect),
        stitched_share=_share(p.stitched, p.offline),
        reading=reading,
        switches=_switches(t),
        patterns=patterns,
        levels=levels,
        by_persona=by_persona,
        notes=notes,
    )


def _by_persona(per_journey: ir.Table, per_person: ir.Table) -> pd.DataFrame:
    """Per declared persona: journeys mixing channels, the three patterns, the levels."""
    jp = per_journey.mutate(persona=per_journey.persona.fill_null(NONE_LABEL))
    journeys = jp.group_by("persona").aggregate(
        journeys=jp.count(),
        converted=jp.converted.cast("int64").sum(),
        mixing=jp.mixes.cast("int64").sum(),
        ropo=jp.ropo.cast("int64").sum(),
        showrooming=jp.showrooming.cast("int64").sum(),
        click_collect=jp.click_collect.cast("int64").sum(),
    )
    pp = per_person.mutate(persona=per_person.persona.fill_null(NONE_LABEL))
    persons = pp.group_by("persona").aggregate(
        persons=pp.count(),
        cross=(pp.level.isin(["cross-channel", "omnichannel"])).cast("int64").sum(),
        omni=(pp.level == "omnichannel").cast("int64").sum(),
    )
    frame = journeys.join(persons, "persona").to_pandas()
    converted = frame.converted.where(frame.converted > 0)
    out = pd.DataFrame(
        {
            "persona": frame.persona,
            "persons": frame.persons,
            "journeys": frame.journeys,
            "converted": frame.converted,
            "mixing": frame.mixing / frame.journeys,
            "ropo": frame.ropo / converted,
            "showrooming": frame.showrooming / converted,
            "click_collect": frame.click_collect / converted,
            "cross_channel": frame.cross / frame.persons,
            "omnichannel": frame.omni / frame.persons,
        }
    )
    return out.sort_values("persona").reset_index(drop=True)


ANALYSIS = Analysis(
    "channels",
    channels,
    example="parcours channels --offline magasin --research consideration",
)
