"""Friction points measured from data: where customers abandon, bounce, call for help or
complain, beyond what is usual for the map, ranked.

For each touchpoint (or stage) the analysis measures four signals, each against a baseline
and with a confidence interval; a *passage* is one journey that meets the touchpoint (a
journey counts once however often it meets it):

* **exits** — passages whose journey ends there without converting (the touchpoint holds the
  journey's last mapped event). The baseline is the exit rate of the *other* touchpoints of
  the same stage on the same channel when at least two exist (``baseline=stage_channel``,
  the default: a store visit and a web page do not lose customers the same way), else of
  the other touchpoints of the stage (``baseline=stage``); of the other stages at stage level. Exits are counted only up to the stage
  where conversions happen: a journey that ends after its purchase (delivery, review) did not
  abandon; touchpoints made of conversion events never count as exits either.
  ``drop_off`` = exit rate - baseline, with Newcombe's interval and a two-proportion test.
* **bounces** — sessions (one person's events on one channel of ``bounce_channels``, cut
  after ``session_timeout`` without an event) that start there and hold a single event,
  against the bounce rate of every other session on those channels.
* **contacts** — passages directly followed by a call for help (the next event of the journey
  is a ``contacts`` touchpoint: by default those of the ``service_client`` stage or channel),
  against the rate of every other touchpoint.
* **negative feedback** — answers attached to the touchpoint (``feedback.touchpoint``, or
  ``feedback.stage`` at stage level) that are negative: NPS 0-6 (detractors), CSAT 1-2 (of
  5), CES 5-7 (of 7, high effort), review 1-2 stars; against every other answer.

Each signal's *excess* is the number of passages (sessions for bounces) lost beyond the
baseline, at the lower bound of the interval: ``n * max(0, low(rate - baseline))``. It is 0
unless the difference is significant at the ``confidence`` level, so significance weighs in.
The **score** ranks the friction points: ``max(excess exits + excess contacts, excess
bounces, excess negative)`` — exits and calls are different lost passages and add up; a
bounce that ends a journey is also an exit, and a complaint often comes from someone who
left, so those are not added again.

What correlates with abandoning (exit or call for help) there is measured as PostHog's
funnel correlation does: for each feature of a passage — a property value of its events at
the touchpoint (``campaign = soldes_tiktok``), a touchpoint met before in the journey, the
persona — the odds ratio of abandoning with the feature against without it, here with its
interval and Fisher's exact p-value (Benjamini-Hochberg adjusted per touchpoint). Features
seen on fewer than min(25, 2 %) of the passages are not tested, as in PostHog.

Friction points the map declares (``frictions:`` on a touchpoint) are marked ``declared``;
the others the data shows are ``discovered``. A declared one that the data does not show is
listed with score 0, and counted: ``friction_points`` is the length of the table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar, Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from parcours.analyses import _stats
from parcours.analyses._friction_words import explain
from parcours.analyses._scores import NEGATIVE, is_detractor, is_promoter
from parcours.analyses.base import Context, Result, figure, table
from parcours.analyses.registry import Analysis
from parcours.config import ONLINE_CHANNELS
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.maps.duration import parse_duration
from parcours.maps.model import text_of
from parcours.store.engine import Scratch, epoch_seconds, json_text
from parcours.store.journeys import UNMAPPED

SIGNALS = ("exits", "bounces", "contacts", "feedback")
# NEGATIVE (kind -> test of a negative answer on the score) comes from _scores.
DEFAULT_CONTACTS = ("service_client",)
MIN_BASELINE_ANSWERS = 30  # fewer answers of a kind elsewhere: compare with every answer
PROPERTY_SAMPLE = 5_000  # events read to discover property names
MAX_PROPERTY_VALUES = 60  # property names with more distinct values are identifiers, skipped
# Correlations read at most this many journeys: beyond, a fixed sample (by a hash of the
# journey id, the same on every engine and every run) gives odds ratios whose intervals are
# already narrow, at a fraction of the cost on a 10M-event log.
CORRELATION_JOURNEYS = 250_000
MIN_FEATURE_COUNT, MIN_FEATURE_SHARE = 25, 0.02  # PostHog's minimum support


# -- checks -----------------------------------------------------------------------------------


def _check_level(level: str) -> None:
    if level not in ("touchpoint", "stage"):
        raise InputError(f"frictions: level '{level}' is not known; allowed: touchpoint, stage")


def _check_confidence(confidence: float) -> None:
    if not 0.5 <= confidence < 1:
        raise InputError(
            f"frictions: confidence {confidence} is not allowed; give a level from 0.5 to "
            "below 1, e.g. 0.95"
        )


def _check_contacts(jm: JourneyMap, contacts: list[str] | None) -> list[str]:
    """Touchpoint ids that are calls for help."""
    stages, channels = set(jm.stage_ids), {c.id for c in jm.channels}
    touchpoints = {t.id for t in jm.touchpoints}
    names = list(contacts) if contacts is not None else list(DEFAULT_CONTACTS)
    if contacts is not None:
        unknown = [n for n in names if n not in stages | channels | touchpoints]
        if unknown:
            raise InputError(
                f"frictions: contacts {', '.join(unknown)} not in the map; give touchpoint, "
                f"stage or channel ids: touchpoints {', '.join(sorted(touchpoints))}; stages "
                f"{', '.join(jm.stage_ids)}; channels {', '.join(sorted(channels))}"
            )
    return [t.id for t in jm.touchpoints if t.id in names or t.stage in names or t.channel in names]


# -- measures in the engine -------------------------------------------------------------------


def _events(journeys: ir.Table, key: str, contact_ids: list[str]) -> ir.Table:
    """Mapped events with what happens next in their journey (next event, end, contact)."""
    t = journeys.filter((journeys.touchpoint != UNMAPPED) & journeys[key].notnull())
    t = t.mutate(
        _key=t[key],
        _contact=t.touchpoint.isin(contact_ids) if contact_ids else ibis.literal(False),
    )
    ordered = ibis.window(group_by=t.journey_id, order_by=[t.step])
    whole = ibis.window(group_by=t.journey_id)
    t = t.mutate(
        _next_contact=t._contact.lead().over(ordered).fill_null(False),
        _next_ts=t.ts.lead().over(ordered),
        _last=t.step == t.step.max().over(whole),
        _start=t.ts.min().over(whole),
    )
    epoch = epoch_seconds(t.ts)
    return t.select(
        "person_id",
        "journey_id",
        "event_id",
        "step",
        "_key",
        "stage_index",
        "is_conversion",
        "persona",
        "_next_contact",
        _exit=t._last & ~t.converted,
        _dwell=epoch_seconds(t._next_ts) - epoch,
        _spent=epoch - epoch_seconds(t._start),
    )


def _per_key(events: ir.Table) -> pd.DataFrame:
    passages = events.group_by(["_key", "journey_id"]).aggregate(
        exit=events._exit.any(), contact=events._next_contact.any()
    )
    per_passage = passages.group_by("_key").aggregate(
        journeys=passages.count(),
        exits=passages.exit.cast("int64").sum(),
        contacts=passages.contact.cast("int64").sum(),
    )
    per_event = events.group_by("_key").aggregate(
        events=events.count(),
        persons=events.person_id.nunique(),
        conversions=events.is_conversion.cast("int64").sum(),
        stage_index=events.stage_index.min(),
        median_hours_dwell=events._dwell.median() / 3600,
        median_hours_lost=ibis.ifelse(events._exit, events._spent, ibis.null("float64")).median()
        / 3600,
    )
    return (
        per_event.join(per_passage, "_key")
        .select(per_event, *[per_passage[c] for c in ("journeys", "exits", "contacts")])
        .to_pandas()
        .rename(columns={"_key": "id"})
    )


def _sessions(journeys: ir.Table, key: str, channels: list[str], timeout: int) -> pd.DataFrame:
    """Sessions starting at each key, and how many of them hold a single event."""
    t = journeys.filter(journeys.channel.isin(channels))
    by = ibis.window(group_by=[t.person_id, t.channel], order_by=[t.ts, t.event_id])
    epoch = epoch_seconds(t.ts)
    before = epoch - epoch.lag().over(by)
    after = epoch.lead().over(by) - epoch
    entry = before.isnull() | (before > timeout)
    alone = entry & (after.isnull() | (after > timeout))
    t = t.mutate(_key=t[key], _entry=entry.cast("int64"), _bounce=alone.cast("int64"))
    t = t.filter(t._entry == 1)
    frame = (
        t.group_by("_key")
        .aggregate(sessions=t._entry.sum(), bounces=t._bounce.sum())
        .to_pandas()
        .rename(columns={"_key": "id"})
    )
    return frame[frame.id.notna() & (frame.id != UNMAPPED)]


def _feedback(feedback: ir.Table | None, jm: JourneyMap, level: str) -> pd.DataFrame:
    """Answers and negative answers per key and kind of feedback; NPS counts."""
    columns = ["id", "kind", "answers", "negative", "promoters", "detractors"]
    if feedback is None:
        return pd.DataFrame(columns=columns)
    f = feedback.filter(feedback.score.notnull() & feedback.kind.isin(list(NEGATIVE)))
    if level == "touchpoint":
        key = f.touchpoint
    else:
        stage_of = [(f.touchpoint == t.id, t.stage) for t in jm.touchpoints]
        of_touchpoint = (
            ibis.cases(*stage_of, else_=ibis.null("string")) if stage_of else ibis.null("string")
        )
        key = ibis.coalesce(f.stage, of_touchpoint)
    negative = ibis.cases(*[(f.kind == k, test(f.score)) for k, test in NEGATIVE.items()])
    f = f.mutate(
        _key=key,
        _neg=negative.cast("int64"),
        _pro=is_promoter(f.score).cast("int64"),
        _det=is_detractor(f.score).cast("int64"),
    ).filter(lambda t: t._key.notnull())
    frame = f.group_by(["_key", "kind"]).aggregate(
        answers=f.count(), negative=f._neg.sum(), promoters=f._pro.sum(), detractors=f._det.sum()
    )
    return frame.to_pandas().rename(columns={"_key": "id"})[columns]


def _feedback_signal(answers: pd.DataFrame, journeys: pd.Series, confidence: float) -> pd.DataFrame:
    """Per key, the kind of feedback whose negative share exceeds its baseline the most.

    The baseline of a kind is the other answers of the same kind (every other answer when
    fewer than 30 of that kind are given elsewhere): a CES and a CSAT do not read the same
    way."""
    frame = answers.reset_index(drop=True).copy()
    for column in ("answers", "negative"):
        frame[column] = frame[column].astype("int64")
    _versus_others(
        frame,
        "negative",
        "answers",
        frame.answers > 0,
        frame.kind,
        confidence,
        "negative",
        min_other=MIN_BASELINE_ANSWERS,
    )
    # negative answers stand for the passages they were asked about
    frame["negative_excess"] = (
        (frame.id.map(journeys).fillna(0) * frame.negative_low.clip(lower=0)).fillna(0).round()
    )
    frame = frame.sort_values(["negative_excess", "answers"], ascending=False)
    best = frame.groupby("id").head(1).rename(columns={"kind": "feedback_kind"})
    nps = answers[answers.kind == "nps"].groupby("id")[["answers", "promoters", "detractors"]].sum()
    best = best.drop(columns=["promoters", "detractors"]).set_index("id")
    best["nps_answers"] = nps.answers.reindex(best.index).fillna(0).astype("int64")
    best["nps"] = _stats.nps(
        nps.promoters.reindex(best.index), nps.detractors.reindex(best.index), best.nps_answers
    )
    # a key with NPS answers but whose worst kind is another one keeps its NPS too
    return best.reset_index()


# -- statistics on the small table ------------------------------------------------------------


def _others(x: pd.Series, n: pd.Series, group: pd.Series | None) -> tuple[pd.Series, pd.Series]:
    """Hits and totals of the other rows of each row's group (of every other row)."""
    if group is None:
        return x.sum() - x, n.sum() - n
    return x.groupby(group).transform("sum") - x, n.groupby(group).transform("sum") - n


def _compare(
    frame: pd.DataFrame,
    prefix: str,
    x: pd.Series,
    n: pd.Series,
    other_x: pd.Series,
    other_n: pd.Series,
    eligible: pd.Series,
    confidence: float,
) -> None:
    """Add rate, baseline, difference with interval, p-value and excess of one signal."""
    x, n = x.where(eligible, 0).astype(float), n.where(eligible, 0).astype(float)
    ok = eligible & (n > 0) & (other_n > 0)
    rate = (x / n).where(eligible & (n > 0))
    baseline = (other_x / other_n).where(ok)
    low, high = _stats.newcombe_interval(x, n, other_x, other_n, confidence)
    _, p = _stats.two_proportion_test(x, n, other_x, other_n)
    frame[f"{prefix}_rate"] = rate
    frame[f"{prefix}_baseline"] = baseline
    frame[f"{prefix}_diff"] = (rate - baseline).where(ok)
    frame[f"{prefix}_low"] = pd.Series(low, frame.index).where(ok)
    frame[f"{prefix}_high"] = pd.Series(high, frame.index).where(ok)
    frame[f"{prefix}_p"] = pd.Series(p, frame.index).where(ok)
    frame[f"{prefix}_excess"] = (n * frame[f"{prefix}_low"].clip(lower=0)).fillna(0)


def _versus_others(
    frame: pd.DataFrame,
    hits: str,
    total: str,
    eligible: pd.Series,
    group: pd.Series | None,
    confidence: float,
    prefix: str,
    min_other: float = 1,
) -> None:
    """One signal against the other eligible rows of the group; against every other eligible
    row where the group holds less than ``min_other`` in total elsewhere."""
    x = frame[hits].where(eligible, 0).astype(float)
    n = frame[total].where(eligible, 0).astype(float)
    other_x, other_n = _others(x, n, group)
    if group is not None:
        all_x, all_n = _others(x, n, None)
        thin = other_n < min_other
        other_x, other_n = other_x.where(~thin, all_x), other_n.where(~thin, all_n)
    _compare(frame, prefix, x, n, other_x, other_n, eligible, confidence)


def measure(
    ctx: Context,
    level: str = "touchpoint",
    session_timeout: str = "30m",
    bounce_channels: list[str] | None = None,
    contacts: list[str] | None = None,
    confidence: float = 0.95,
    min_journeys: int = 30,
    baseline: str = "stage_channel",
    *,
    scratch: Scratch,
) -> tuple[pd.DataFrame, ir.Table, list[str]]:
    """Every signal for every touchpoint or stage (see module doc), unranked.

    Returns the measures, the prepared event table (materialised in ``scratch``: valid
    until the caller releases it) and the ids where exits count."""
    jm = ctx.map
    _check_level(level)
    _check_confidence(confidence)
    if baseline not in ("stage_channel", "stage"):
        raise InputError(
            f"frictions: baseline '{baseline}' is not known; allowed: stage_channel, stage"
        )
    if min_journeys < 1:
        raise InputError(f"frictions: min_journeys {min_journeys} is not allowed; give 1 or more")
    timeout = int(parse_duration(session_timeout).total_seconds())
    channels = list(bounce_channels) if bounce_channels is not None else list(ONLINE_CHANNELS)
    contact_ids = _check_contacts(jm, contacts)

    if level == "touchpoint":
        meta = pd.DataFrame(
            {
                "id": [t.id for t in jm.touchpoints],
                "title": [text_of(t.title, ctx.language) or t.id for t in jm.touchpoints],
                "stage": [t.stage for t in jm.touchpoints],
                "channel": [t.channel for t in jm.touchpoints],
                "declared": [
                    [text_of(f, ctx.language) for f in t.frictions] for t in jm.touchpoints
                ],
            }
        )
    else:
        meta = pd.DataFrame(
            {
                "id": jm.stage_ids,
                "title": [text_of(s.title, ctx.language) for s in jm.stages],
                "stage": jm.stage_ids,
                "channel": [None] * len(jm.stages),
                "declared": [
                    [text_of(f, ctx.language) for t in jm.touchpoints_of(s.id) for f in t.frictions]
                    for s in jm.stages
                ],
            }
        )
    events = scratch.keep(_events(ctx.journeys, level, contact_ids), "events")
    frame = meta.merge(_per_key(events), on="id", how="left")
    frame = frame.merge(_sessions(ctx.journeys, level, channels, timeout), on="id", how="left")
    counts = [
        "events",
        "persons",
        "conversions",
        "journeys",
        "exits",
        "contacts",
        "sessions",
        "bounces",
    ]
    for column in counts:
        frame[column] = frame[column].fillna(0).astype("int64")

    converting = frame.loc[frame.conversions > 0, "stage_index"]
    last_stage = converting.max() if len(converting) else np.inf
    stage_index = frame.stage.map({s: i for i, s in enumerate(jm.stage_ids)})
    enough = frame.journeys >= min_journeys
    before_end = stage_index <= last_stage
    exit_ok = enough & before_end & (frame.conversions < frame.events)
    bounce_ok = (frame.sessions >= min_journeys) & before_end
    contact_ok = enough & ~frame.id.isin(contact_ids if level == "touchpoint" else [])
    x = frame.exits.where(exit_ok, 0).astype(float)
    n = frame.journeys.where(exit_ok, 0).astype(float)
    if level == "stage":
        other_x, other_n = _others(x, n, None)
        group = pd.Series("map", frame.index)
    else:
        other_x, other_n = _others(x, n, frame.stage)
        group = frame.stage
        if baseline == "stage_channel":
            # the stage's touchpoints on the same channel, when at least two others exist
            fine = frame.stage + "/" + frame.channel
            fine_x, fine_n = _others(x, n, fine)
            use = fine.map(fine.where(exit_ok).value_counts()).fillna(0) >= 3
            other_x, other_n = other_x.where(~use, fine_x), other_n.where(~use, fine_n)
            group = group.where(~use, fine)
        thin = other_n <= 0  # alone in its stage: against every other touchpoint
        all_x, all_n = _others(x, n, None)
        other_x, other_n = other_x.where(~thin, all_x), other_n.where(~thin, all_n)
        group = group.where(~thin, "map")
    _compare(frame, "exit", x, n, other_x, other_n, exit_ok, confidence)
    frame["exit_group"] = group
    _versus_others(frame, "contacts", "journeys", contact_ok, None, confidence, "contact")
    _versus_others(frame, "bounces", "sessions", bounce_ok, None, confidence, "bounce")
    signal = _feedback_signal(
        _feedback(ctx.feedback, jm, level), frame.set_index("id").journeys, confidence
    )
    frame = frame.merge(signal, on="id", how="left")
    for column in ("answers", "negative", "nps_answers"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["negative_excess"] = frame.negative_excess.fillna(0)
    exit_ids = frame.loc[exit_ok, "id"].tolist()
    return frame, events, exit_ids


def _score(frame: pd.DataFrame) -> None:
    lost = frame.exit_excess + frame.contact_excess
    options = pd.DataFrame(
        {"exits": lost, "bounces": frame.bounce_excess, "feedback": frame.negative_excess}
    )
    frame["score"] = options.max(axis=1).round(1)
    signal = options.idxmax(axis=1)
    signal = signal.where(
        ~((signal == "exits") & (frame.contact_excess > frame.exit_excess)), "contacts"
    )
    frame["signal"] = signal.where(frame.score > 0)


# -- correlations -----------------------------------------------------------------------------


def _property_names(journeys: ir.Table) -> list[str]:
    """Property names found on a sample of events, without the identifiers (too many values)."""
    sample = journeys.filter(journeys.properties.notnull()).select("properties")
    texts = sample.limit(PROPERTY_SAMPLE).to_pyarrow().column(0).to_pylist()
    names: set[str] = set()
    for text in texts:
        try:
            doc = json.loads(text)
        except (TypeError, ValueError):
            continue
        if isinstance(doc, dict):
            names.update(
                k for k, v in doc.items() if v is not None and not isinstance(v, dict | list)
            )
    names_list = sorted(n for n in names if n.replace("_", "").isalnum())
    if not names_list:
        return []
    distinct = journeys.aggregate(
        **{f"n{i}": json_text(journeys.properties, n).nunique() for i, n in enumerate(names_list)}
    ).to_pandas()  # on the (sampled) journeys the correlations read
    return [n for i, n in enumerate(names_list) if distinct[f"n{i}"].iloc[0] <= MAX_PROPERTY_VALUES]


def correlations(
    ctx: Context,
    events: ir.Table,
    keys: list[str],
    exit_ids: list[str],
    level: str = "touchpoint",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Odds ratios of abandoning (exit or call for help) per feature, for ``keys``."""
    columns = [
        "id",
        "feature",
        "name",
        "value",
        "journeys",
        "abandoned",
        "abandon_rate",
        "abandon_rate_without",
        "odds_ratio",
        "odds_ratio_low",
        "odds_ratio_high",
        "p_value",
        "q_value",
    ]
    if not keys:
        return pd.DataFrame(columns=columns)
    j = ctx.journeys
    total = j.journey_id.nunique().to_pyarrow().as_py() or 0
    if total > CORRELATION_JOURNEYS:
        # Keep journeys whose md5 starts below a threshold: a share of about
        # CORRELATION_JOURNEYS / total of them, chosen the same way every time.
        cut = f"{int(0x10000 * CORRELATION_JOURNEYS / total):04x}"
        j = j.filter(j.journey_id.hexdigest("md5").substr(0, 4) < cut)
        events = events.filter(events.journey_id.hexdigest("md5").substr(0, 4) < cut)
    e = events.filter(events._key.isin(keys))
    exits_count = e._key.isin(exit_ids) if exit_ids else ibis.literal(False)
    fail = (e._exit & exits_count) | e._next_contact
    passages = e.group_by(["_key", "journey_id"]).aggregate(
        _fail=fail.any(), _first=e.step.min(), _persona=e.persona.arbitrary()
    )
    at = j.filter((j.touchpoint != UNMAPPED) & j[level].isin(keys))
    parts: list[ir.Table] = []
    for name in _property_names(j):
        value = json_text(at.properties, name)
        parts.append(
            at.filter(value.notnull()).select(
                at.journey_id,
                _key=at[level],
                feature=ibis.literal("property"),
                name=ibis.literal(name),
                value=value,
            )
        )
    parts.append(
        passages.filter(passages._persona.notnull()).select(
            "_key",
            "journey_id",
            feature=ibis.literal("persona"),
            name=ibis.literal("persona"),
            value=passages._persona,
        )
    )
    everything = j.filter((j.touchpoint != UNMAPPED) & j[level].notnull())
    met = everything.group_by(["journey_id", everything[level].name("_other")]).aggregate(
        _other_first=everything.step.min()
    )
    before = passages.join(
        met,
        (passages.journey_id == met.journey_id)
        & (met._other_first < passages._first)
        & (met._other != passages._key),
    )
    parts.append(
        before.select(
            passages._key,
            passages.journey_id,
            feature=ibis.literal("preceded_by"),
            name=ibis.literal(level),
            value=met._other,
        )
    )
    columns_order = ["_key", "journey_id", "feature", "name", "value"]
    features = ibis.union(*[p.select(*columns_order) for p in parts], distinct=True)
    joined = features.join(passages, ["_key", "journey_id"])
    counts = (
        joined.group_by(["_key", "feature", "name", "value"])
        .aggregate(journeys=joined.count(), abandoned=joined._fail.cast("int64").sum())
        .to_pandas()
    )
    totals = (
        passages.group_by("_key")
        .aggregate(total=passages.count(), total_abandoned=passages._fail.cast("int64").sum())
        .to_pandas()
    )
    counts = counts.merge(totals, on="_key").rename(columns={"_key": "id"})
    support = np.minimum(MIN_FEATURE_COUNT, MIN_FEATURE_SHARE * counts.total)
    counts = counts[(counts.journeys >= support) & (counts.journeys < counts.total)]
    counts = counts[(counts.total_abandoned > 0) & (counts.total_abandoned < counts.total)]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    a = counts.abandoned
    b = counts.journeys - a
    c = counts.total_abandoned - a
    d = counts.total - counts.journeys - c
    tests = [
        _stats.odds_ratio(int(w), int(x), int(y), int(z), confidence)
        for w, x, y, z in zip(a, b, c, d, strict=True)
    ]
    counts = counts.assign(
        abandon_rate=a / counts.journeys,
        abandon_rate_without=c / (c + d),
        odds_ratio=[t.odds_ratio for t in tests],
        odds_ratio_low=[t.low for t in tests],
        odds_ratio_high=[t.high for t in tests],
        p_value=[t.p_value for t in tests],
    )
    counts["q_value"] = counts.groupby("id").p_value.transform(_stats.adjust_p_values)
    # Ties broken by the feature itself, so the same data always gives the same order.
    order = ["id", "odds_ratio", "feature", "name", "value"]
    result = counts.sort_values(order, ascending=[True, False, True, True, True])[columns]
    result = result.reset_index(drop=True)
    result.attrs["journeys"] = total
    return result


# -- the analysis -----------------------------------------------------------------------------


@dataclass(kw_only=True, repr=False)
class FrictionsResult(Result):
    """Friction points ranked (``table``: rank, id, status, score, signal, journeys, exit_rate,
    exit_baseline, drop_off_low, drop_off_high, explanation)."""

    analysis: ClassVar[str] = "frictions"
    friction_points: int = figure("friction points")
    declared_points: int = figure("declared")
    discovered_points: int = figure("discovered")
    journeys_lost_beyond_baseline: float = figure("journeys lost beyond baseline (score total)")
    explanations: pd.DataFrame = table()  # id, explanation (the long one)
    measures: pd.DataFrame = table()  # every signal of every touchpoint (or stage)
    correlations: pd.DataFrame = table()  # odds ratio of abandoning per feature


def frictions(
    ctx: Context,
    level: Literal["touchpoint", "stage"] = "touchpoint",
    session_timeout: str = "30m",
    bounce_channels: list[str] | None = None,
    contacts: list[str] | None = None,
    confidence: float = 0.95,
    min_journeys: int = 30,
    baseline: Literal["stage_channel", "stage"] = "stage_channel",
    top: int | None = None,
    correlate: bool = True,
) -> FrictionsResult:
    """Friction points ranked: exits beyond the stage's baseline, bounces, calls for help, negative feedback.

    level: touchpoint or stage.
    session_timeout: a web or app session ends after this long without an event, e.g. 30m.
    bounce_channels: channels whose single-event sessions are bounces (default web, app).
    contacts: touchpoints, stages or channels that are calls for help (default service_client).
    confidence: confidence level of the intervals and tests, e.g. 0.95.
    min_journeys: touchpoints met by fewer journeys (or sessions) are not tested.
    baseline: exits compared with the stage's other touchpoints on the same channel (stage_channel) or with all of them (stage).
    top: keep the first N friction points.
    correlate: measure which properties, earlier touchpoints and personas go with abandoning.
    """
    if top is not None and top < 1:
        raise InputError(f"frictions: top {top} is not allowed; give 1 or more")
    scratch = Scratch("frictions")
    try:
        frame, events, exit_ids = measure(
            ctx,
            level,
            session_timeout,
            bounce_channels,
            contacts,
            confidence,
            min_journeys,
            baseline,
            scratch=scratch,
        )
        _score(frame)
        frame["declared_by_map"] = frame.declared.map(bool)
        listed = frame[(frame.score > 0) | frame.declared_by_map].copy()
        listed = listed.sort_values(
            ["score", "declared_by_map", "journeys"], ascending=[False, False, False]
        )
        if top is not None:
            listed = listed.head(top)
        keys = listed.id.tolist() if correlate else []
        corr = correlations(ctx, events, keys, exit_ids, level, confidence)
    finally:
        scratch.release()
    alpha = 1 - confidence
    raising = corr[(corr.q_value < alpha) & (corr.odds_ratio > 1)]
    # the two strongest features of different names, per friction point
    best = (
        raising.sort_values("odds_ratio_low", ascending=False, kind="stable")
        .drop_duplicates(["id", "name"])
        .groupby("id")
        .head(2)
    )
    lang = ctx.language
    stage_titles = {s.id: text_of(s.title, lang) for s in ctx.map.stages}
    titles = {t.id: text_of(t.title, lang) or t.id for t in ctx.map.touchpoints} | stage_titles
    titles |= {p.id: text_of(p.title, lang) or p.id for p in ctx.map.personas}
    channel_titles = {c.id: text_of(c.title, lang) or c.id for c in ctx.map.channels}
    property_titles = {key: ctx.map.property_title(key, lang) for key in ctx.map.property_titles}
    listed["status"] = np.where(listed.declared_by_map, "declared", "discovered")
    for column, short in (("explanation", True), ("details", False)):
        listed[column] = [
            explain(
                row,
                stage_titles,
                best[best.id == row["id"]],
                titles,
                level,
                lang,
                short,
                channel_titles,
                property_titles,
            )
            for _, row in listed.iterrows()
        ]
    listed.insert(0, "rank", range(1, len(listed) + 1))
    table = listed[
        [
            "rank",
            "id",
            "status",
            "score",
            "signal",
            "journeys",
            "exit_rate",
            "exit_baseline",
            "exit_low",
            "exit_high",
            "explanation",
        ]
    ].rename(columns={"exit_low": "drop_off_low", "exit_high": "drop_off_high"})
    measures = frame.drop(columns=["declared_by_map"]).copy()
    measures["declared"] = measures.declared.map(lambda d: "; ".join(d) if d else None)
    return FrictionsResult(
        title=f"Friction points per {level}",
        table=table.reset_index(drop=True),
        params={
            "level": level,
            "session_timeout": session_timeout,
            "bounce_channels": bounce_channels or list(ONLINE_CHANNELS),
            "contacts": contacts or list(DEFAULT_CONTACTS),
            "confidence": confidence,
            "min_journeys": min_journeys,
            "top": top,
            "correlate": correlate,
        },
        # every row of the table, a declared point the data does not show included, so
        # that the count above a table is the table's length
        friction_points=len(listed),
        declared_points=int((listed.status == "declared").sum()),
        discovered_points=int((listed.status == "discovered").sum()),
        journeys_lost_beyond_baseline=round(float(listed.score.sum()), 1),
        explanations=listed[["id", "details"]].rename(columns={"details": "explanation"}),
        measures=measures,
        correlations=corr,
        notes=[
            "score = max(excess exits + excess calls for help, excess bounces, excess negative "
            "feedback); an excess is the passages lost beyond the baseline at the lower bound "
            f"of the {100 * confidence:g}% interval (0 when not significant).",
            "exit baseline: the other touchpoints of the same stage (on the same channel when "
            "at least two exist, baseline=stage_channel); exits count only up to the "
            "stage where conversions happen. Bounce, call and feedback baselines: the rest of "
            "the map.",
            "median_hours_lost: median time from the journey's start to its exit there, in "
            "hours. Negative feedback: NPS 0-6, CSAT 1-2, CES 5-7, reviews 1-2 stars.",
            "table correlations: odds ratio of abandoning (exit or call) there with each "
            "property value, earlier touchpoint and persona (Fisher's exact test, "
            "Benjamini-Hochberg adjusted q-value); explanations name the two strongest at the "
            "lower bound of their interval. Table measures: every signal of every touchpoint.",
            *(
                [
                    f"correlations read a fixed sample of about {CORRELATION_JOURNEYS:,} of the "
                    f"{corr.attrs['journeys']:,} journeys (chosen by a hash of the journey id)."
                ]
                if corr.attrs.get("journeys", 0) > CORRELATION_JOURNEYS
                else []
            ),
        ],
    )


ANALYSIS = Analysis(
    "frictions",
    frictions,
    example="parcours frictions --top 10",
    needs=("feedback",),
    overview=lambda _: {"level": "touchpoint"},
)
