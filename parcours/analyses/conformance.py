"""Conformance: how far real journeys follow the map's designed ``flow``.

The map's ``flow`` lists the designed stage transitions (``[decouverte, consideration]``).
A journey's moves are the changes of stage between its consecutive mapped events (events
matching no touchpoint are left out; staying in the same stage is always allowed, so repeats
within a stage are not moves).

* fitness of a journey = its designed moves / its moves (1 when it never changes stage);
* a journey fits when its fitness is 1; the result gives the share that fits, the mean and
  median fitness and their distribution;
* every undesigned move is a deviation, of exactly one kind, by the map's stage order:

  - ``skip``: forward over at least one stage (decouverte -> decision, when not designed);
  - ``reverse``: back to an earlier stage;
  - ``undesigned``: forward to the next stage, but the flow does not have it;

* ``off_channel``: an event on a touchpoint whose channel is not the channel the map gives
  that touchpoint (a login in the app on a touchpoint designed for the web). It is an event,
  not a move: it is listed with the deviations but does not lower fitness.

Deviations come with their number, the journeys concerned and a few example journey ids.

Why not pm4py's token-based replay? The flow of a journey map is a set of allowed
transitions between stages, a directly-follows model, not a Petri net: replaying tokens
would first need a net with invented start and end places and silent transitions, and its
fitness (missing and remaining tokens) would depend on that construction and be hard to
explain to the map's owner. Transition-based fitness is exact for the model the map states,
reads as "3 of the 4 moves were designed", is 1 exactly when every move is designed, and
costs one window and one GROUP BY on any engine. It is closest to pm4py's footprints
conformance (directly-follows relations of the log against those of the model).

>>> import pandas as pd, parcours
>>> ws = parcours.open(":memory:")
>>> _ = ws.ingest_events(pd.DataFrame({
...     "customer_id": ["ana", "ana", "ana", "bob", "bob", "bob"],
...     "ts": pd.to_datetime(["2026-03-01 10:00", "2026-03-01 10:05", "2026-03-01 10:20",
...         "2026-03-02 09:00", "2026-03-02 09:10", "2026-03-02 09:12"], utc=True),
...     "channel": "web",
...     "event": ["product_view", "add_to_cart", "purchase",
...               "product_view", "add_to_cart", "product_view"]}))
>>> jm = parcours.JourneyMap.loads(
...     "{map: m, title: M, channels: [web], conversion: {event: purchase}, "
...     "stages: [{id: consideration, title: C}, {id: decision, title: D}], "
...     "flow: [[consideration, decision]], touchpoints: ["
...     "{id: vue, stage: consideration, channel: web, match: {event: product_view}}, "
...     "{id: panier, stage: decision, channel: web, match: {event: add_to_cart}}, "
...     "{id: achat, stage: decision, channel: web, match: {event: purchase}}]}")
>>> result = ws.conformance(map=jm)
>>> result.fit_share, result.mean_fitness
(0.5, 0.75)
>>> result.table[["kind", "source", "target", "journeys"]].values.tolist()
[['reverse', 'decision', 'consideration', 1]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import ibis
import ibis.expr.types as ir
import pandas as pd

from parcours.analyses.base import Context, Result, figure, table
from parcours.analyses.process import activity_log, count_or_zero
from parcours.analyses.registry import Analysis
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.store.journeys import UNMAPPED

KINDS = {
    "skip": "forward over at least one stage of the map's order",
    "reverse": "back to an earlier stage",
    "undesigned": "forward to the next stage, not in the flow",
    "off_channel": "touchpoint used on another channel than the one the map gives it",
}
BINS = ["1 (fits)", "0.75-1", "0.5-0.75", "0.25-0.5", "0-0.25"]


def moves(journeys: ir.Table, jm: JourneyMap) -> ir.Table:
    """Every change of stage: ``journey_id, source, target, designed, kind``."""
    log = activity_log(journeys, "stage", collapse=True)
    in_journey = ibis.window(group_by=log.journey_id, order_by=log.step)
    t = log.select(
        "journey_id",
        source=log.activity.lag().over(in_journey),
        source_index=log.stage_index.lag().over(in_journey),
        target=log.activity,
        target_index=log.stage_index,
    )
    t = t.filter(t.source.notnull())
    designed = [f"{a}>{b}" for a, b in jm.flow]
    key = t.source + ibis.literal(">") + t.target
    is_designed = key.isin(designed) if designed else ibis.literal(False)
    kind = ibis.cases(
        (is_designed, ibis.null("string")),
        (t.target_index < t.source_index, "reverse"),
        (t.target_index > t.source_index + 1, "skip"),
        else_="undesigned",
    )
    return t.select("journey_id", "source", "target", designed=is_designed, kind=kind)


def off_channel(journeys: ir.Table, jm: JourneyMap) -> ir.Table:
    """Events on a touchpoint whose channel differs from its designed one:
    ``journey_id, kind, source (touchpoint), target (channel used)``."""
    t = journeys.filter(journeys.touchpoint != UNMAPPED)
    if not jm.touchpoints:
        return t.select("journey_id", source=t.touchpoint, target=t.channel).limit(0)
    # `channel: any`: the designed channel is the event's own, never off channel
    designed = ibis.cases(
        *[
            (t.touchpoint == tp.id, t.channel if tp.any_channel else tp.channel)
            for tp in jm.touchpoints
        ]
    )
    t = t.filter(t.channel != designed)
    return t.select("journey_id", source=t.touchpoint, target=t.channel)


def _deviations(rows: ir.Table, examples: int) -> pd.DataFrame:
    """Per (kind, source, target): occurrences, journeys, a few example journey ids."""
    per_journey = rows.group_by(["kind", "source", "target", "journey_id"]).aggregate(
        occurrences=rows.count()
    )
    groups = per_journey.group_by(["kind", "source", "target"]).aggregate(
        occurrences=per_journey.occurrences.sum(), journeys=per_journey.count()
    )
    ranked = per_journey.mutate(
        _rank=ibis.row_number().over(
            group_by=["kind", "source", "target"], order_by=per_journey.journey_id
        )
    )
    sample = ranked.filter(ranked._rank < examples).select("kind", "source", "target", "journey_id")
    frame = groups.to_pandas()
    picked = sample.to_pandas().sort_values("journey_id")
    joined = picked.groupby(["kind", "source", "target"]).journey_id.agg(", ".join)
    frame = frame.join(joined.rename("examples"), on=["kind", "source", "target"])
    return frame


@dataclass(kw_only=True, repr=False)
class ConformanceResult(Result):
    """Deviations from the flow (``table``: kind, source, target, occurrences, journeys,
    share, examples)."""

    analysis: ClassVar[str] = "conformance"
    journeys: int = figure("journeys")
    fit_share: float = figure("fit")
    mean_fitness: float = figure("mean fitness")
    median_fitness: float = figure("median fitness")
    moves: int = figure("moves")
    designed_share: float = figure("designed moves")
    skips: int = figure("skip")
    reverses: int = figure("reverse")
    undesigned_moves: int = figure("undesigned")
    off_channel_events: int = figure("off_channel")
    fitness: pd.DataFrame = table()  # fitness (bin), journeys, share
    transitions: pd.DataFrame = table()  # source, target, designed, moves, journeys


def conformance(ctx: Context, top: int = 20, examples: int = 3) -> ConformanceResult:
    """How far journeys follow the map's designed flow: fitness and the main deviations.

    top: number of deviations listed.
    examples: example journey ids given per deviation.
    """
    jm = ctx.map
    if not jm.flow:
        raise InputError(
            "conformance: the map has no flow; add the designed stage transitions, e.g. "
            "flow: [[" + ", ".join(jm.stage_ids[:2]) + "]]"
        )
    if top < 1:
        raise InputError(f"conformance: top must be at least 1, got {top}")
    if examples < 0:
        raise InputError(f"conformance: examples must be 0 or more, got {examples}")

    stages = activity_log(ctx.journeys, "stage").select("journey_id").distinct()
    moved = moves(ctx.journeys, jm)
    per_journey = moved.group_by("journey_id").aggregate(
        moves=moved.count(), designed=moved.designed.cast("int64").sum()
    )
    fitness = stages.left_join(per_journey, "journey_id").select(
        "journey_id",
        moves=per_journey.moves.fill_null(0),
        fitness=ibis.ifelse(
            per_journey.moves.fill_null(0) == 0,
            1.0,
            per_journey.designed.cast("float64") / per_journey.moves.cast("float64"),
        ),
    )
    binned = fitness.mutate(
        bin=ibis.cases(
            (fitness.fitness >= 1, BINS[0]),
            (fitness.fitness >= 0.75, BINS[1]),
            (fitness.fitness >= 0.5, BINS[2]),
            (fitness.fitness >= 0.25, BINS[3]),
            else_=BINS[4],
        )
    )
    distribution = binned.group_by("bin").aggregate(journeys=binned.count()).to_pandas()
    distribution = pd.DataFrame({"fitness": BINS}).merge(
        distribution.rename(columns={"bin": "fitness"}), on="fitness", how="left"
    )
    distribution["journeys"] = distribution.journeys.fillna(0).astype("int64")
    total = int(distribution.journeys.sum())
    distribution["share"] = distribution.journeys / max(total, 1)

    headline = fitness.aggregate(
        mean=fitness.fitness.mean(),
        median=fitness.fitness.median(),
        still=(fitness.moves == 0).cast("int64").sum(),
    ).to_pandas()
    counted = moved.aggregate(moves=moved.count(), designed=moved.designed.cast("int64").sum())
    counted = counted.to_pandas()

    deviating = moved.filter(~moved.designed).select("journey_id", "kind", "source", "target")
    channels = off_channel(ctx.journeys, jm)
    channels = channels.select(
        "journey_id", kind=ibis.literal("off_channel"), source="source", target="target"
    )
    table = _deviations(deviating.union(channels), examples)
    table["share"] = table.journeys / max(total, 1)
    table["kind_order"] = table.kind.map(list(KINDS).index)
    table = table.sort_values(
        ["occurrences", "kind_order", "source", "target"], ascending=[False, True, True, True]
    )
    kinds = (
        table.groupby("kind")[["occurrences"]].sum().reindex(list(KINDS), fill_value=0).occurrences
    )
    table = table.head(top)[
        ["kind", "source", "target", "occurrences", "journeys", "share"]
        + (["examples"] if examples else [])
    ]

    transitions = moved.group_by(["source", "target", "designed"]).aggregate(
        moves=moved.count(), journeys=moved.journey_id.nunique()
    )
    transitions = transitions.to_pandas().sort_values(
        ["moves", "source", "target"], ascending=[False, True, True]
    )

    n_moves = count_or_zero(counted.moves.iloc[0])
    fits = int(distribution.journeys.iloc[0])
    return ConformanceResult(
        title="Conformance to the designed flow",
        table=table.reset_index(drop=True),
        params={"top": top, "examples": examples},
        journeys=total,
        fit_share=fits / max(total, 1),
        mean_fitness=float(headline["mean"].iloc[0]) if total else float("nan"),
        median_fitness=float(headline["median"].iloc[0]) if total else float("nan"),
        moves=n_moves,
        designed_share=count_or_zero(counted.designed.iloc[0]) / max(n_moves, 1),
        skips=int(kinds["skip"]),
        reverses=int(kinds["reverse"]),
        undesigned_moves=int(kinds["undesigned"]),
        off_channel_events=int(kinds["off_channel"]),
        fitness=distribution,
        transitions=transitions.reset_index(drop=True),
        notes=[
            "a move is a change of stage between consecutive mapped events; staying in a stage "
            "is always allowed.",
            "fitness of a journey = designed moves / moves (1 with no move); a journey fits "
            f"at 1. {count_or_zero(headline['still'].iloc[0])} journeys never change stage.",
            *(f"{kind}: {text}" for kind, text in KINDS.items()),
            "off_channel events are listed but do not lower fitness.",
        ],
    )


ANALYSIS = Analysis(
    "conformance",
    conformance,
    example="parcours conformance --top 10",
)
