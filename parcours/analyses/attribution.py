"""Credit for conversions and revenue per channel or touchpoint: multi-touch attribution.

Which journeys count (built in the engine, one row per distinct path):

* a journey's *path* is the ordered list of its mapped touchpoints (or their event's
  channel, with ``level="channel"``) before the conversion. The conversion event itself is
  never a touchpoint to credit (rows with ``is_conversion`` are left out), nor are unmapped
  events, nor the touchpoints or channels listed in ``exclude``;
* a journey that ends with a conversion is *converted*: it counts once in ``conversions``,
  and the revenue of its conversion event in ``value``;
* any other journey is a *null*, including the last journey of a person still open when the
  data end (ChannelAttribution's convention: a path that has not converted yet is a null);
* a converted journey with no touchpoint before its conversion (a walk-in purchase) has
  nothing to credit: it is counted in the summary, not in the models.

The models then run on the aggregated paths, as vectorised numpy and scipy.sparse code (see
:mod:`parcours.analyses._attribution_models`): first touch, last touch, linear,
position-based (``position_first`` / ``position_last``, 40/20/40 by default), time decay
(each touch weighted by 2^(-age / half_life), its age being the time to the conversion;
computed in the engine, so it needs the journeys, not a paths file), Markov chain removal
effect (order 1 to 4, exact) and Shapley values (unordered, or ordered by position).

Paths can also come from a file with :func:`attribute_paths` (or ``paths_file``), as
ChannelAttribution's example data: ``path`` ("a > b > c"), conversions, value, nulls.

>>> frame = pd.DataFrame({"path": ["a > b", "a", "b"], "conversions": [1, 0, 1],
...                       "value": [10.0, 0, 4], "nulls": [0, 1, 0]})
>>> attribute_paths(frame, models=["last_touch", "linear"]).table.to_dict("list")
{'channel': ['a', 'b'], 'last_touch': [0.0, 2.0], 'linear': [0.5, 1.5]}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from parcours.analyses import _attribution_models as models_
from parcours.analyses.base import Context, Result, figure, table
from parcours.analyses.registry import Analysis
from parcours.config import NONE_LABEL
from parcours.errors import InputError
from parcours.maps import parse_duration
from parcours.store.engine import Scratch, epoch_seconds
from parcours.store.journeys import UNMAPPED

MODELS = (
    "first_touch",
    "last_touch",
    "linear",
    "position",
    "time_decay",
    "markov",
    "shapley",
)
LEVELS = ("channel", "touchpoint")
MAX_ORDER = 4
ALIASES = {  # accepted column names of a paths frame, ChannelAttribution's included
    "path": ("path",),
    "conversions": ("conversions", "total_conversions"),
    "value": ("value", "total_conversion_value", "revenue"),
    "nulls": ("nulls", "total_null", "total_nulls"),
}


# -- named checks ---------------------------------------------------------------------------


def _check_models(models: list[str] | None, from_journeys: bool) -> list[str]:
    if models is None:
        return [m for m in MODELS if from_journeys or m != "time_decay"]
    unknown = [m for m in models if m not in MODELS]
    if unknown or not models:
        raise InputError(
            f"attribution: models {', '.join(unknown) or NONE_LABEL} not known; "
            f"allowed: {', '.join(MODELS)}"
        )
    if not from_journeys and "time_decay" in models:
        raise InputError(
            "attribution: models time_decay needs the touches' timestamps, which a paths "
            "table does not hold; allowed with paths: "
            + ", ".join(m for m in MODELS if m != "time_decay")
        )
    return [m for m in MODELS if m in models]


def _check_order(order: int) -> None:
    if not isinstance(order, int) or not 1 <= order <= MAX_ORDER:
        raise InputError(f"attribution: order {order!r} not allowed; allowed: 1 to {MAX_ORDER}")


def _check_position(first: float, last: float) -> None:
    if first < 0 or last < 0 or first + last > 1 + 1e-12:
        raise InputError(
            f"attribution: position_first {first} and position_last {last} not allowed; "
            "allowed: shares >= 0 whose sum is at most 1 (e.g. 0.4 and 0.4)"
        )


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InputError(f"attribution: {name} '{value}' not known; allowed: {', '.join(allowed)}")


# -- paths in, credits out ------------------------------------------------------------------


def _path_array(column: pd.Series | pa.ChunkedArray, sep: str) -> pa.Array | pa.ChunkedArray:
    """A paths table's path column as a list array: from text ("a > b", split on ``sep``) or
    from lists of names."""
    array = column
    if isinstance(column, pd.Series):
        text = pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty")
        try:
            array = pa.array(column, type=pa.string() if text else None, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
            raise InputError(
                f"attribution: column {column.name} of the paths table must hold paths; "
                f"allowed: text such as 'a {sep.strip()} b', or lists of names ({e})"
            ) from None
    if pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
        return array
    return pc.split_pattern(array.cast(pa.string()), sep)


def read_paths(frame: pd.DataFrame | pa.Table, sep: str = ">") -> models_.Paths:
    """A paths table (pandas or Arrow) as :class:`~parcours.analyses._attribution_models.Paths`.

    ``path`` may be text ("a > b", split on ``sep``) or a list of names; value and nulls may
    be missing (0). ChannelAttribution's column names are accepted.
    """
    columns = list(frame.columns) if isinstance(frame, pd.DataFrame) else frame.column_names
    found = {}
    for name, options in ALIASES.items():
        found[name] = next((c for c in options if c in columns), None)
    for required in ("path", "conversions"):
        if found[required] is None:
            raise InputError(
                f"attribution: paths table has no {required} column; allowed names: "
                f"{', '.join(ALIASES[required])} (columns: {', '.join(map(str, columns))})"
            )
    if isinstance(frame, pa.Table):
        path = _path_array(frame.column(found["path"]), sep)
        numbers = frame.select([c for c in found.values() if c and c != found["path"]]).to_pandas()
    else:
        path = _path_array(frame[found["path"]], sep)
        numbers = frame
    counts = {}
    for name in ("conversions", "value", "nulls"):
        column = found[name]
        values = numbers[column] if column else pd.Series(0.0, index=numbers.index)
        number = pd.to_numeric(values, errors="coerce")
        bad = number.isna() | (number < 0)
        if bad.any():
            raise InputError(
                f"attribution: column {column} of the paths table must hold numbers >= 0; "
                f"row {int(bad.to_numpy().argmax()) + 1} holds {values[bad].iloc[0]}"
            )
        counts[name] = number.to_numpy(dtype=float)
    return models_.Paths.from_arrow(path, **counts)


def _wide(credits: dict[str, pd.DataFrame], column: str, order: list[str]) -> pd.DataFrame:
    table = pd.DataFrame({"channel": order})
    for model, frame in credits.items():
        series = frame.set_index("channel")[column]
        table[model] = table["channel"].map(series).fillna(0.0).astype(float)
    return table


def _top_paths(paths: models_.Paths, n: int) -> pd.DataFrame:
    """The ``n`` paths with the most conversions, then the most journeys."""
    numbers = pd.DataFrame(
        {"conversions": paths.conversions, "value": paths.value, "nulls": paths.nulls}
    )
    numbers["journeys"] = numbers["conversions"] + numbers["nulls"]
    top = numbers.sort_values(["conversions", "journeys"], ascending=False).head(n)
    top.insert(0, "path", paths.label(top.index.to_numpy()))
    return top.reset_index(drop=True)


def _whole(number: float) -> float:
    """A count read as a float, shown as an int when it is one (3.0 -> 3)."""
    return int(number) if float(number).is_integer() else number


@dataclass(kw_only=True, repr=False)
class AttributionResult(Result):
    """Conversions credited per channel or touchpoint (``table``: the channel or touchpoint,
    then one column per model)."""

    analysis: ClassVar[str] = "attribution"
    distinct_paths: int = figure("paths")
    journeys: float = figure("journeys")
    conversions_credited: float = figure("conversions credited")
    value_credited: float = figure("value credited")
    conversions_without_touchpoint: float = figure("conversions with no touchpoint")
    markov_conversion_probability: float | None = figure(
        "markov conversion probability", default=None
    )
    markov_states: int | None = figure("markov states", default=None)
    value: pd.DataFrame = table()  # value credited: the same columns as ``table``
    removal_effects: pd.DataFrame = table()  # the Markov chain's removal effect per channel
    transitions: pd.DataFrame = table()  # the Markov chain's transition probabilities
    shapley_positions: pd.DataFrame = table()  # ordered Shapley value by position
    paths: pd.DataFrame = table()  # the 50 most frequent paths


def attribute_paths(
    paths: pd.DataFrame | pa.Table | models_.Paths,
    models: list[str] | None = None,
    order: int = 1,
    position_first: float = 0.4,
    position_last: float = 0.4,
    shapley: Literal["unordered", "ordered"] = "unordered",
    sep: str = ">",
    extra: dict[str, pd.DataFrame] | None = None,
) -> AttributionResult:
    """Run the attribution models on aggregated paths (see the module doc).

    paths: one row per distinct path: path, conversions, value, nulls (see :func:`read_paths`),
    or paths already read.
    extra: credits computed elsewhere (the engine's time decay), added as model columns.

    The main table holds conversions credited per channel and model; ``value`` the value
    credited; ``removal_effects``, ``transitions`` the Markov chain; ``shapley_positions``
    the ordered Shapley value; ``paths`` the most frequent paths.
    """
    chosen = _check_models(models, from_journeys=extra is not None)
    _check_order(order)
    _check_position(position_first, position_last)
    _check_choice("shapley", shapley, ("unordered", "ordered"))
    frame = paths if isinstance(paths, models_.Paths) else read_paths(paths, sep=sep)
    empty = frame.lengths == 0
    touches = models_.touches(frame)

    credits: dict[str, pd.DataFrame] = {}
    chain: models_.MarkovResult | None = None
    positions: pd.DataFrame | None = None
    for model in chosen:
        if model == "first_touch":
            credits[model] = models_.first_touch(touches)
        elif model == "last_touch":
            credits[model] = models_.last_touch(touches)
        elif model == "linear":
            credits[model] = models_.linear(touches)
        elif model == "position":
            credits[model] = models_.position_based(touches, position_first, position_last)
        elif model == "time_decay":
            credits[model] = (extra or {})["time_decay"]
        elif model == "markov":
            chain = models_.markov(frame, order=order)
            credits[model] = chain.credit
        elif model == "shapley":
            credit, by_position = models_.shapley(touches, ordered=shapley == "ordered")
            credits[model] = credit
            if shapley == "ordered":
                positions = by_position

    names = sorted(set(touches.names).union(*(c["channel"] for c in credits.values())))
    table = _wide(credits, "conversions", names)
    value = _wide(credits, "value", names)
    notes = [
        "Credit is in conversions (value in the 'value' table); every model's column adds "
        "up to the conversions credited.",
    ]
    # one definition per model chosen (first_touch, last_touch, linear and position as
    # ChannelAttribution's heuristic_models); the dashboard says each in plain words
    heuristics = {
        "first_touch": "first_touch: all the credit to the first touch of the path.",
        "last_touch": "last_touch: all the credit to the last touch before the conversion.",
        "linear": "linear: the credit shared equally by the touches of the path (a channel "
        "met twice gets two shares).",
        "position": f"position: {100 * position_first:g}% to the first touch, "
        f"{100 * position_last:g}% to the last, the rest shared equally by the touches in "
        "between (a path of one touch gives it all).",
    }
    notes += [heuristics[m] for m in chosen if m in heuristics]
    if "markov" in chosen:
        notes.append(
            f"markov: order-{order} Markov chain removal effect, computed exactly on the "
            "absorbing chain (no simulation); credit = removal effect / sum of removal effects "
            "x conversions."
        )
    if "shapley" in chosen:
        notes.append(
            "shapley: v(S) = conversions of the journeys whose channels all belong to S "
            "(Zhao et al. 2018); exact at any number of channels (each path is shared equally "
            "by its distinct channels, which is what the coalition formula gives)."
        )
    return AttributionResult(
        title="Attribution",
        table=table,
        params={
            "models": chosen,
            "order": order,
            "position_first": position_first,
            "position_last": position_last,
            "shapley": shapley,
        },
        distinct_paths=len(frame),
        journeys=_whole(float(frame.conversions.sum() + frame.nulls.sum())),
        conversions_credited=_whole(float(frame.conversions[~empty].sum())),
        value_credited=_whole(float(frame.value[~empty].sum())),
        conversions_without_touchpoint=_whole(float(frame.conversions[empty].sum())),
        markov_conversion_probability=_whole(chain.conversion_probability) if chain else None,
        markov_states=chain.states if chain else None,
        value=value,
        removal_effects=chain.removal if chain else None,
        transitions=chain.transitions if chain else None,
        shapley_positions=positions,
        paths=_top_paths(frame, 50),
        notes=notes,
    )


# -- paths from the journey table (engine) -------------------------------------------------


def _is_touch(journeys: ir.Table, level: str, exclude: list[str] | None) -> ir.BooleanValue:
    """Whether an event is a touchpoint to credit: mapped, not the conversion, not excluded."""
    key = journeys[level]
    touch = (journeys.touchpoint != UNMAPPED) & ~journeys.is_conversion & key.notnull()
    return touch & ~key.isin(exclude) if exclude else touch


def _touches(journeys: ir.Table, level: str, exclude: list[str] | None) -> ir.Table:
    """The events that are touchpoints to credit, their name in ``key``."""
    t = journeys.filter(_is_touch(journeys, level, exclude))
    return t.mutate(key=t[level])


def _outcome(journeys: ir.Table) -> dict[str, ir.Value]:
    """Per journey (aggregates): converted, the conversion's revenue."""
    conv = journeys.is_conversion
    return {
        "converted": conv.any(),
        "value": ibis.ifelse(conv, journeys.revenue.fill_null(0.0), 0.0).sum(),
    }


def _outcomes(journeys: ir.Table) -> ir.Table:
    """Per journey: converted, the conversion's revenue and time."""
    conv = journeys.is_conversion
    return journeys.group_by("journey_id").aggregate(
        **_outcome(journeys),
        conv_ts=ibis.ifelse(conv, journeys.ts, ibis.null("timestamp")).max(),
    )


def build_paths(
    journeys: ir.Table, level: str = "channel", exclude: list[str] | None = None
) -> ir.Table:
    """The aggregated paths of a journey table, as an Ibis expression: ``path`` (array of
    names in time order; null for a journey with no touch), ``conversions``, ``value``,
    ``nulls``.

    Two aggregations, no join: per journey its touches, outcome and revenue, then per path.
    The touches are collected as (step, name) pairs and sorted after the aggregation, which
    DuckDB does about 3 times faster than an ordered aggregate (``collect(order_by=...)``).
    """
    j = journeys
    pairs = ibis.struct({"step": j.step, "key": j[level]})
    per_journey = j.group_by("journey_id").aggregate(
        path=pairs.collect(where=_is_touch(j, level, exclude)).sort().map(lambda p: p.key),
        **_outcome(j),
    )
    return per_journey.group_by("path").aggregate(
        conversions=per_journey.converted.cast("int64").sum(),
        value=per_journey.value.sum(),
        nulls=(~per_journey.converted).cast("int64").sum(),
    )


def time_decay_credit(
    journeys: ir.Table, level: str, half_life_seconds: float, exclude: list[str] | None = None
) -> pd.DataFrame:
    """Time decay credit, computed in the engine: in each converted journey every touch
    weighs 2^(-age / half_life), age being the time from the touch to the conversion; the
    weights are normalised to 1 per journey."""
    return time_decay_table(journeys, level, half_life_seconds, exclude).to_pandas()


def time_decay_table(
    journeys: ir.Table, level: str, half_life_seconds: float, exclude: list[str] | None = None
) -> ir.Table:
    """:func:`time_decay_credit` as an Ibis expression: ``channel, conversions, value``."""
    t = _touches(journeys, level, exclude)
    outcome = _outcomes(journeys).filter(lambda o: o.converted)
    j = t.join(outcome, "journey_id")
    age = epoch_seconds(j.conv_ts) - epoch_seconds(j.ts)
    w = j.mutate(w=ibis.literal(0.5) ** (age / half_life_seconds))
    w = w.mutate(share=w.w / w.w.sum().over(group_by=w.journey_id))
    return w.group_by(channel=w.key).aggregate(
        conversions=w.share.sum(), value=(w.share * w.value).sum()
    )


def _per_part(
    ctx: Context, scratch: Scratch, outputs: dict[str, Callable[[ir.Table], ir.Table]]
) -> dict[str, ir.Table]:
    """Each output over the journeys, summed again by the caller: at once when they fit in
    memory, else part by part of persons (each journey is one person's: its path and its
    time decay need no other part), the parts' rows kept and added up."""
    parts = ctx.journey_parts()
    if len(parts) == 1:
        return {name: output(parts[0]) for name, output in outputs.items()}
    return scratch.keep_parts(parts, False, **outputs)


def attribution(
    ctx: Context,
    level: Literal["channel", "touchpoint"] = "channel",
    models: list[str] | None = None,
    order: int = 1,
    position_first: float = 0.4,
    position_last: float = 0.4,
    half_life: str = "7d",
    shapley: Literal["unordered", "ordered"] = "unordered",
    exclude: list[str] | None = None,
    paths_file: str | None = None,
) -> AttributionResult:
    """Credit of each channel or touchpoint for conversions and revenue (multi-touch attribution).

    level: channel (the touch's event channel) or touchpoint.
    models: first_touch, last_touch, linear, position, time_decay, markov, shapley (default: all).
    order: order of the Markov chain, 1 to 4.
    position_first: position-based share of the first touch (default 0.4).
    position_last: position-based share of the last touch (default 0.4).
    half_life: time decay half-life, e.g. 7d or 12h.
    shapley: unordered, or ordered (also splits each channel's value by position).
    exclude: touchpoints or channels never credited (left out of the paths).
    paths_file: a CSV of aggregated paths (path, conversions, value, nulls) to use instead of the journeys.
    """
    _check_choice("level", level, LEVELS)
    if paths_file is not None:
        path = Path(paths_file)
        if not path.is_file():
            raise InputError(f"attribution: paths_file {paths_file} is not a file")
        result = attribute_paths(
            pd.read_csv(path),
            models=models,
            order=order,
            position_first=position_first,
            position_last=position_last,
            shapley=shapley,
        )
        result.params["paths_file"] = str(path)
        result.title = f"Attribution of the paths in {path.name}"
        return result

    chosen = _check_models(models, from_journeys=True)
    outputs = {"paths": lambda part: build_paths(part, level, exclude)}
    if "time_decay" in chosen:
        seconds = parse_duration(half_life).total_seconds()
        outputs["time_decay"] = lambda part: time_decay_table(part, level, seconds, exclude)
    extra: dict[str, pd.DataFrame] = {}
    scratch = Scratch("attribution")
    try:
        built = _per_part(ctx, scratch, outputs)
        if "time_decay" in built:
            td = built["time_decay"]
            extra["time_decay"] = (
                td.group_by("channel")
                .aggregate(conversions=td.conversions.sum(), value=td.value.sum())
                .to_pandas()
            )
        p = built["paths"]
        # Ordered, so that the models read the paths (and sum their floats) in the same
        # order on every run: an engine's group-by returns its groups in any order.
        paths = (
            p.group_by("path")
            .aggregate(conversions=p.conversions.sum(), value=p.value.sum(), nulls=p.nulls.sum())
            .order_by("path")
            .to_pyarrow()
        )
    finally:
        scratch.release()
    result = attribute_paths(
        paths,
        models=chosen,
        order=order,
        position_first=position_first,
        position_last=position_last,
        shapley=shapley,
        extra=extra,
    )
    result.table = result.table.rename(columns={"channel": level})
    result.value = result.value.rename(columns={"channel": level})
    result.title = f"Attribution per {level}"
    result.params.update(level=level, half_life=half_life, exclude=exclude or [])
    if "time_decay" in chosen:  # said in the models' order: before markov and shapley
        later = [
            n for n, note in enumerate(result.notes) if note.startswith(("markov:", "shapley:"))
        ]
        result.notes.insert(
            later[0] if later else len(result.notes),
            f"time_decay: each touch weighs 2^(-age / {half_life}), age = time to the "
            "conversion; weights add up to 1 per converted journey.",
        )
    result.notes.insert(  # what a touch is, before the models that share credit among them
        1,
        "Paths: mapped touchpoints before the conversion (the conversion event is not "
        "credited); journeys that did not convert, open ones included, are nulls.",
    )
    return result


ANALYSIS = Analysis(
    "attribution",
    attribution,
    example="parcours attribution --level channel --models linear,markov,shapley --order 2",
)
