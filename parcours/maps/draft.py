"""A journey map drafted from the data: what ``parcours init --from-data`` writes.

Two steps, so that the decisions can be read and tested apart from any engine:

* :func:`profile` runs a few aggregate queries over a journey table (the events of each person
  cut into journeys, every event on the one catch-all touchpoint of a scaffold map) and an
  optional CRM table; only per-event-name figures come back to Python, never the events.
* :func:`draft_map` turns that :class:`Profile` into the YAML text of a map, with comments
  saying what was inferred and how sure it is. It is pure.

How the map is drafted:

* **Touchpoints** are the frequent event names, biggest first, until they hold
  ``TARGET_COVERAGE`` of the events; names rarer than ``MIN_SHARE`` beyond that are left out
  (and listed in a comment). Names sharing a leading word (``T07-1 …``, ``T07-2 …``) form one
  family touchpoint matched by prefix when there are at least three of them (or two minor
  ones), none is a major event and they sit close together in the journeys.
* **Stages** come from where events fall in journeys: each name's median relative position
  (0 = a journey's first event, 1 = its last) is cut into 2 to 6 groups by one-dimensional
  k-means, with as few groups as leave under ``STAGE_SSE`` of the spread unexplained.
* **Channels** are the data's; a touchpoint sits on the channel of at least ``CHANNEL_SHARE``
  of its events, or on ``any`` (its lane is then each event's own channel).
* **The conversion** is the event name carrying revenue most often when some events carry
  revenue, else the most common final event of completed journeys (ended longer than the
  journey timeout before the data's last event); it is asked as a question in a comment.
* **The journey timeout** is the first of 30, 60, 90, 180 or 365 days above 98 % of the idle
  gaps between a person's consecutive events (a case log's cases stay whole).
* **Personas** are stubbed from one CRM attribute with 2 to 6 values, one persona per value.

>>> stats = [
...     EventStats("Insert ticket", 100, 0.0, 0.0, 0.0, {"helpdesk": 100}, 0),
...     EventStats("Resolve ticket", 90, 0.6, 0.5, 0.7, {"helpdesk": 90}, 0),
...     EventStats("Closed", 95, 1.0, 1.0, 1.0, {"helpdesk": 95}, 0),
... ]
>>> text = draft_map(Profile(stats, 285, 100, 100, [("Closed", 95)], 100), "en", "helpdesk")
>>> from parcours.maps.model import JourneyMap
>>> jm = JourneyMap.loads(text)
>>> [t.match.events for t in jm.touchpoints], jm.conversion.events
([['Insert ticket'], ['Resolve ticket'], ['Closed']], ['Closed'])
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from parcours.maps.checks import ANY_CHANNEL

if TYPE_CHECKING:  # Ibis is only in the signatures of profile(): draft_map() is pure
    import ibis.expr.types as ir

TARGET_COVERAGE = 0.97  # touchpoints are added, biggest first, until they hold this share
MIN_SHARE = 0.002  # beyond the target, a name (or family) rarer than this is left out
MAX_TOUCHPOINTS = 40  # what the canvas shows without crowding
MAJOR_SHARE = 0.10  # a name this frequent is its own touchpoint, never in a family
MINOR_SHARE = 0.01  # two names this rare sharing a prefix are a family
FAMILY_SPREAD = 0.3  # a family's members' median positions lie within this span
STAGE_SSE = 0.08  # stages: fewest groups leaving under this share of the positions' spread
MAX_STAGES = 6
CHANNEL_SHARE = 0.9  # a touchpoint is on a channel holding this share of its events, else any
CHANNEL_EVENTS = 30  # ... when it has this many events: fewer say little about its channel
CLEAR_GAP = 0.1  # stages further apart than this (in relative position) are a clear cut
TOP_NAMES = 500  # names profiled, most frequent first; the rest only count in the total
PERSONA_VALUES = (2, 6)  # a CRM attribute with this many values stubs one persona per value
GAP_QUANTILE = 0.98  # the journey timeout is above this share of a person's idle gaps
TIMEOUTS = (("30d", 30), ("60d", 60), ("90d", 90), ("180d", 180), ("365d", 365))

_SEPARATORS = re.compile(r"[\s_\-./:]+")
_SLUG = re.compile(r"[^a-z0-9]+")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_ACCENTS = str.maketrans("àâäéèêëîïôöùûüçÀÂÄÉÈÊËÎÏÔÖÙÛÜÇ", "aaaeeeeiioouuucAAAEEEEIIOOUUUC")


@dataclass(frozen=True)
class EventStats:
    """The figures of one event name over the journeys."""

    name: str
    events: int
    position: (
        float | None
    )  # median relative position in its journeys; None: one-event journeys only
    q1: float | None
    q3: float | None
    channels: dict[str, int]
    revenue_events: int


@dataclass(frozen=True)
class Profile:
    """What :func:`draft_map` reads: per-name figures, journey endings, CRM attributes."""

    events: list[EventStats]  # the TOP_NAMES most frequent names, most frequent first
    total_events: int
    persons: int
    journeys: int
    endings: list[tuple[str, int]]  # final event of completed journeys, most frequent first
    completed: int  # journeys ended longer than the timeout before the data's last event
    crm: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # attribute -> values
    crm_rows: int = 0
    timeout: str = "30d"
    gap_days: float | None = None  # the GAP_QUANTILE quantile of idle gaps, in days
    endings_of_all: bool = False  # endings counted over all journeys: under half completed


def idle_timeout(journeys: ir.Table) -> tuple[str, float | None]:
    """The journey timeout to draft: the first of ``TIMEOUTS`` at or above the
    ``GAP_QUANTILE`` quantile of the idle gaps between a person's consecutive events (in
    days; None when no person has two events), computed in the engine."""
    import ibis

    j = journeys
    by_person = ibis.window(group_by=j.person_id, order_by=[j.ts, j.seq, j.event_id])
    epoch = j.ts.epoch_seconds()
    gaps = j.mutate(_gap=(epoch - epoch.lag().over(by_person)) / 86400)
    value = gaps.aggregate(q=gaps._gap.quantile(GAP_QUANTILE)).to_pyarrow().to_pylist()[0]["q"]
    if value is None:
        return TIMEOUTS[0][0], None
    days = float(value)
    return next((text for text, limit in TIMEOUTS if limit >= days), TIMEOUTS[-1][0]), days


def profile(
    journeys: ir.Table,
    timeout: timedelta,
    customers: ir.Table | None = None,
    attribute: Callable[[str], ir.StringValue] | None = None,
    timeout_text: str = "30d",
    gap_days: float | None = None,
) -> Profile:
    """The :class:`Profile` of a journey table (``journey_id``, ``person_id``, ``step``,
    ``ts``, ``event``, ``channel``, ``revenue``), computed in its engine.

    ``customers`` with ``attribute(key)`` (the text of one CRM attribute of its rows) adds
    the CRM attributes and their most common values."""
    import ibis

    j = journeys
    length = j.step.max().over(ibis.window(group_by=j.journey_id))
    j = j.mutate(_n=length)
    relative = ibis.ifelse(j._n > 1, (j.step - 1) / (j._n - 1), ibis.null("float64"))
    # Kept in the engine (a temporary table) for the queries below: the journeys are cut once.
    j = (
        j.mutate(_rel=relative)
        .select(
            "journey_id", "person_id", "step", "ts", "event", "channel", "revenue", "_n", "_rel"
        )
        .cache()
    )
    per_name = (
        j.group_by("event")
        .aggregate(
            events=j.count(),
            position=j._rel.median(),
            q1=j._rel.quantile(0.25),
            q3=j._rel.quantile(0.75),
            revenue_events=(j.revenue.fill_null(0) > 0).cast("int64").sum(),
        )
        .order_by([ibis.desc("events"), "event"])
        .limit(TOP_NAMES)
        .to_pyarrow()
        .to_pylist()
    )
    names = [row["event"] for row in per_name]
    top = j.filter(j.event.isin(names))
    mix = top.group_by(["event", "channel"]).aggregate(n=top.count()).to_pyarrow().to_pylist()
    channels: dict[str, dict[str, int]] = {}
    for row in mix:
        channels.setdefault(row["event"], {})[str(row["channel"])] = int(row["n"])
    totals = (
        j.aggregate(
            events=j.count(),
            persons=j.person_id.nunique(),
            journeys=j.journey_id.nunique(),
            last=j.ts.max(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    finals = j.filter(j.step == j._n)
    ends = finals
    if totals["last"] is not None:
        ends = finals.filter(finals.ts <= ibis.literal(totals["last"] - timeout))
    completed = int(ends.count().to_pyarrow().as_py())
    endings_of_all = completed < 0.5 * int(totals["journeys"])
    if endings_of_all:  # most journeys may still go on (or the log stops with its cases)
        ends = finals
    endings = (
        ends.group_by("event")
        .aggregate(n=ends.count())
        .order_by([ibis.desc("n"), "event"])
        .limit(10)
        .to_pyarrow()
        .to_pylist()
    )
    crm, crm_rows = _crm(customers, attribute) if customers is not None and attribute else ({}, 0)

    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    stats = [
        EventStats(
            str(row["event"]),
            int(row["events"]),
            number(row["position"]),
            number(row["q1"]),
            number(row["q3"]),
            channels.get(row["event"], {}),
            int(row["revenue_events"] or 0),
        )
        for row in per_name
    ]
    return Profile(
        stats,
        int(totals["events"]),
        int(totals["persons"]),
        int(totals["journeys"]),
        [(str(r["event"]), int(r["n"])) for r in endings],
        completed,
        crm,
        crm_rows,
        timeout_text,
        gap_days,
        endings_of_all,
    )


def _crm(
    customers: ir.Table, attribute: Callable[[str], ir.StringValue]
) -> tuple[dict[str, list[tuple[str, int]]], int]:
    """CRM attributes (keys seen in a sample of rows) and their most common values."""
    import ibis

    rows = int(customers.count().to_pyarrow().as_py())
    if not rows:
        return {}, 0
    keys: list[str] = []
    sample = customers.select("attributes").limit(500).to_pyarrow().column("attributes")
    for doc in sample.to_pylist():
        try:
            parsed = json.loads(doc) if doc else {}
        except ValueError:
            continue
        keys += [k for k in parsed if isinstance(k, str) and k not in keys]
    out: dict[str, list[tuple[str, int]]] = {}
    for key in keys[:20]:
        value = attribute(key)
        counted = (
            customers.mutate(_v=value)
            .filter(ibis._._v.notnull())
            .group_by("_v")
            .aggregate(n=ibis._.count())
            .order_by([ibis.desc("n"), "_v"])
            .limit(PERSONA_VALUES[1] + 1)
            .to_pyarrow()
            .to_pylist()
        )
        out[key] = [(str(r["_v"]), int(r["n"])) for r in counted]
    return out, rows


# -- the decisions, pure ----------------------------------------------------------------------


@dataclass
class _Unit:
    """One drafted touchpoint: an event name, or a family of names sharing a prefix."""

    names: list[str]
    events: int
    position: float | None
    spread: float | None  # interquartile range of the position (families: of member medians)
    channels: dict[str, int]
    prefix: str | None = None  # a family's prefix (with its separator)
    bare: str | None = None  # the family's prefix is also a name of its own

    @property
    def title(self) -> str:
        return self.names[0] if self.prefix is None else f"{self.prefix.rstrip(' -_./:')}…"


def _slug(text: str, fallback: str, width: int = 40) -> str:
    """An id from a name: lowercase words joined by _, cut at a word within ``width``.

    >>> _slug("T05 Print and send confirmation of receipt", "x", 24)
    't05_print_and_send'
    """
    slug = _SLUG.sub("_", text.translate(_ACCENTS).lower()).strip("_")
    if len(slug) > width:
        cut = slug[: width + 1]
        slug = cut[: cut.rfind("_")] if "_" in cut else slug[:width]
    return slug.strip("_") or fallback


def _unique(ident: str, taken: set[str]) -> str:
    out, n = ident, 2
    while out in taken:
        out = f"{ident}_{n}"
        n += 1
    taken.add(out)
    return out


def _families(stats: Sequence[EventStats], total: int) -> list[_Unit]:
    """Families of names sharing a leading word (see module doc); each name in one at most."""
    by_name = {s.name: s for s in stats}
    candidates: dict[str, list[str]] = {}
    for s in stats:
        for m in _SEPARATORS.finditer(s.name):
            if m.start() > 0 and m.end() < len(s.name):
                head = s.name[: m.start()] + s.name[m.start()]  # the word and its separator
                candidates.setdefault(head, [])
    for head in candidates:
        candidates[head] = [s.name for s in stats if s.name.startswith(head)]
    taken: set[str] = set()
    units = []
    for head in sorted(candidates, key=lambda h: (len(h), h)):
        bare = head[:-1] if head[:-1] in by_name else None
        members = [*([bare] if bare else []), *candidates[head]]
        if any(n in taken for n in members) or len(members) < 2:
            continue
        shares = [by_name[n].events / total for n in members]
        if max(shares) >= MAJOR_SHARE:
            continue
        if len(members) < 3 and max(shares) >= MINOR_SHARE:
            continue
        positions = [p for n in members if (p := by_name[n].position) is not None]
        if positions and max(positions) - min(positions) > FAMILY_SPREAD:
            continue
        taken.update(members)
        events = sum(by_name[n].events for n in members)
        channels: dict[str, int] = {}
        for n in members:
            for ch, k in by_name[n].channels.items():
                channels[ch] = channels.get(ch, 0) + k
        weighted = [(by_name[n].position, by_name[n].events) for n in members]
        known = [(p, w) for p, w in weighted if p is not None]
        position = sum(p * w for p, w in known) / sum(w for _, w in known) if known else None
        spread = max(positions) - min(positions) if positions else None
        units.append(_Unit(members, events, position, spread, channels, head, bare))
    return units


def _units(stats: Sequence[EventStats], total: int) -> tuple[list[_Unit], list[EventStats]]:
    """The touchpoints to draft (biggest first) and the names left out."""
    families = _families(stats, total)
    in_family = {n for u in families for n in u.names}
    singles = [
        _Unit(
            [s.name],
            s.events,
            s.position,
            None if s.q1 is None or s.q3 is None else s.q3 - s.q1,
            s.channels,
        )
        for s in stats
        if s.name not in in_family
    ]
    ranked = sorted(families + singles, key=lambda u: (-u.events, u.title))
    kept: list[_Unit] = []
    covered = 0
    for unit in ranked:
        if len(kept) >= MAX_TOUCHPOINTS:
            break
        if covered / total >= TARGET_COVERAGE and unit.events / total < MIN_SHARE:
            continue
        kept.append(unit)
        covered += unit.events
    kept_names = {n for u in kept for n in u.names}
    left = [s for s in stats if s.name not in kept_names]
    return kept, left


def _kmeans_1d(values: Sequence[float], k: int) -> tuple[list[int], float]:
    """Optimal 1-D k-means of sorted ``values``: the start index of each group, and the SSE."""
    n = len(values)
    prefix, squares = [0.0], [0.0]
    for v in values:
        prefix.append(prefix[-1] + v)
        squares.append(squares[-1] + v * v)

    def cost(i: int, j: int) -> float:  # values[i:j]
        s, q, m = prefix[j] - prefix[i], squares[j] - squares[i], j - i
        return q - s * s / m

    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(k + 1)]
    cut = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for g in range(1, k + 1):
        for j in range(g, n + 1):
            for i in range(g - 1, j):
                c = best[g - 1][i] + cost(i, j)
                if c < best[g][j]:
                    best[g][j], cut[g][j] = c, i
    starts, j = [], n
    for g in range(k, 0, -1):
        j = cut[g][j]
        starts.append(j)
    return starts[::-1], best[k][n]


def _stages(units: Sequence[_Unit]) -> list[list[_Unit]]:
    """Units grouped into stages by their position (see module doc), in journey order."""
    placed = sorted(units, key=lambda u: (u.position if u.position is not None else 0.0, -u.events))
    values = [u.position if u.position is not None else 0.0 for u in placed]
    n = len(values)
    if n <= 1:
        return [list(placed)]
    total = _kmeans_1d(values, 1)[1]
    k_min = min(3, n)
    chosen = _kmeans_1d(values, k_min)[0]
    for k in range(k_min, min(MAX_STAGES, n) + 1):
        starts, sse = _kmeans_1d(values, k)
        chosen = starts
        if total == 0 or sse <= STAGE_SSE * total:
            break
    bounds = [*chosen, n]
    return [placed[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


# -- writing the YAML -------------------------------------------------------------------------

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Parcours tiré des données",
        "stage": "Étape {n} : {name}",
        "family": "{prefix} ({n} événements)",
        "head": "Carte esquissée par `parcours init --from-data` à partir de {events} événements, "
        "{persons} personnes, {journeys} parcours (un parcours s'arrête après {timeout} sans "
        "événement). C'est un brouillon : renommez les étapes, fusionnez ou scindez les points "
        "de contact, puis `parcours validate` et `parcours coverage`.",
        "coverage": "Couverture : ces points de contact reconnaissent {covered} des {events} "
        "événements ({share}).",
        "how_stages": "Étapes : chaque nom d'événement a une position médiane dans ses "
        "parcours (0 = premier événement, 1 = dernier) ; ces positions sont coupées en {k} "
        "groupes (k-moyennes à une dimension).",
        "how_touchpoints": "Points de contact : les noms d'événements les plus fréquents ; "
        "les noms qui partagent un premier mot forment une famille reconnue par préfixe.",
        "how_channels": "Canaux : ceux des données ; un point de contact d'au moins "
        "{least} événements est sur le canal d'au moins {share} d'entre eux, sinon sur `any` "
        "(chaque événement dans le couloir de son canal).",
        "left_out": "Laissés de côté (rares, {events} événements) : {names}.",
        "stage_note": "positions {low}–{high} ; {sure}",
        "clear": "coupure nette ({gap} avant l'étape suivante)",
        "close": "proche de l'étape suivante ({gap} d'écart) : à vérifier",
        "last": "dernière étape",
        "tp_note": "{events} événements ({share}), position médiane {pos}",
        "tp_note_one": "{events} événement ({share}), position médiane {pos}",
        "tp_spread": " ; dispersé dans les parcours ({spread}) : étape incertaine",
        "tp_alone": " ; seul dans son parcours",
        "tp_any": " ; canaux : {mix}",
        "members": " ; famille : {names}",
        "conversion_q": "« {name} » est-il la conversion ? {why}",
        "why_revenue": "C'est l'événement qui porte le plus souvent un chiffre d'affaires "
        "({n} événements).",
        "currency_q": "En quelle devise est le chiffre d'affaires ? Écrivez son code ISO 4217 "
        "(currency: EUR, USD, GBP…) : les montants s'affichent alors avec son symbole, sinon "
        "en nombres seuls.",
        "why_end": "Il termine {n} des {completed} parcours achevés ({share}).",
        "why_any": "Il termine {n} des {journeys} parcours ({share}) ; seuls {completed} "
        "parcours ont fini plus de {timeout} avant le dernier événement, trop peu pour "
        "distinguer les parcours achevés des parcours en cours.",
        "other_ends": "Autres fins fréquentes : {ends}.",
        "personas": "Personas ébauchés depuis l'attribut CRM « {attr} » ({rows} lignes) ; "
        "autres attributs utilisables dans une règle : {others}.",
        "no_personas": "Pas de persona : le CRM ({rows} lignes) n'a pas d'attribut à 2–6 "
        "valeurs ; écrivez-en avec une règle (rule: \"segment == 'B2C'\").",
        "flow": "Flux prévu : les étapes dans l'ordre, à ajuster.",
        "timeout": "Délai d'inactivité : {timeout}, au-dessus de {q} des écarts entre deux "
        "événements d'une personne ({days} jours).",
        "persona_title": "{attr} = {value}",
    },
    "en": {
        "title": "Journey drafted from the data",
        "stage": "Stage {n}: {name}",
        "family": "{prefix} ({n} events)",
        "head": "Map drafted by `parcours init --from-data` from {events} events, {persons} "
        "persons, {journeys} journeys (a journey ends after {timeout} without an event). It is "
        "a draft: rename the stages, merge or split touchpoints, then run `parcours validate` "
        "and `parcours coverage`.",
        "coverage": "Coverage: these touchpoints match {covered} of the {events} events ({share}).",
        "how_stages": "Stages: each event name has a median position in its journeys (0 = "
        "first event, 1 = last); these positions are cut into {k} groups (one-dimensional "
        "k-means).",
        "how_touchpoints": "Touchpoints: the most frequent event names; names sharing a first "
        "word form a family matched by prefix.",
        "how_channels": "Channels: the data's; a touchpoint of at least {least} events sits on "
        "the channel of at least {share} of them, else on `any` (each event in its own "
        "channel's lane).",
        "left_out": "Left out (rare, {events} events): {names}.",
        "stage_note": "positions {low}–{high}; {sure}",
        "clear": "clear cut ({gap} before the next stage)",
        "close": "close to the next stage ({gap} apart): check it",
        "last": "last stage",
        "tp_note": "{events} events ({share}), median position {pos}",
        "tp_note_one": "{events} event ({share}), median position {pos}",
        "tp_spread": "; spread over journeys ({spread}): stage uncertain",
        "tp_alone": "; alone in its journey",
        "tp_any": "; channels: {mix}",
        "members": "; family: {names}",
        "conversion_q": "Is '{name}' the conversion? {why}",
        "why_revenue": "It is the event that most often carries revenue ({n} events).",
        "currency_q": "What currency is the revenue in? Write its ISO 4217 code (currency: "
        "EUR, USD, GBP…): amounts are then shown with its symbol, else as plain numbers.",
        "why_end": "It ends {n} of the {completed} completed journeys ({share}).",
        "why_any": "It ends {n} of the {journeys} journeys ({share}); only {completed} journeys "
        "ended more than {timeout} before the last event, too few to tell completed journeys "
        "from ongoing ones.",
        "other_ends": "Other frequent endings: {ends}.",
        "personas": "Personas stubbed from the CRM attribute '{attr}' ({rows} rows); other "
        "attributes a rule can use: {others}.",
        "no_personas": "No persona: the CRM ({rows} rows) has no attribute with 2–6 values; "
        "write some with a rule (rule: \"segment == 'B2C'\").",
        "flow": "Designed flow: the stages in order, to adjust.",
        "timeout": "Idle timeout: {timeout}, above {q} of the gaps between two events of a "
        "person ({days} days).",
        "persona_title": "{attr} = {value}",
    },
}


def _q(value: Any) -> str:
    """A YAML scalar: JSON text is valid YAML."""
    return json.dumps(value, ensure_ascii=False)


# French puts a space before these marks: they stay on the line of the word they follow.
_CLINGING = (":", ";", "?", "!", "»")


def _wrap(text: str, indent: str = "", width: int = 96) -> list[str]:
    """``text`` as comment lines of at most ``width`` characters; no line starts with a
    mark French spaces from its word (``C'est un brouillon :`` stays whole).

    >>> _wrap("un brouillon : renommez", width=18)
    ['# un brouillon :', '# renommez']
    """
    words: list[str] = []
    for word in text.split():
        if words and word in _CLINGING:
            words[-1] += " " + word
        else:
            words.append(word)
    lines, line = [], ""
    for word in words:
        if line and len(indent) + 2 + len(line) + 1 + len(word) > width:
            lines.append(f"{indent}# {line}")
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(f"{indent}# {line}")
    return lines


def _persona_attribute(crm: dict[str, list[tuple[str, int]]]) -> str | None:
    """The CRM attribute to stub personas from: 2 to 6 values, a name a rule can read."""
    low, high = PERSONA_VALUES
    usable = [
        key
        for key, values in crm.items()
        if low <= len(values) <= high
        and key.isidentifier()
        and not keyword.iskeyword(key)
        and key.lower() not in ("true", "false", "null", "none")
    ]
    preferred = [k for k in usable if "segment" in k.lower()]
    chosen = preferred or usable
    return chosen[0] if chosen else None


def draft_map(profile: Profile, lang: str = "fr", map_id: str = "brouillon") -> str:
    """The YAML text of a map drafted from ``profile`` (see module doc), in ``lang``."""
    words = WORDS[lang if lang in WORDS else "en"]
    total = max(profile.total_events, 1)

    def num(n: float) -> str:
        text = f"{n:,}"
        return text.replace(",", "\u202f") if lang == "fr" else text

    def pct(x: float) -> str:
        text = f"{x:.1%}" if x < 0.995 else f"{x:.2%}"
        return text.replace(".", ",").replace("%", "\u202f%") if lang == "fr" else text

    def pos(x: float | None) -> str:
        return "—" if x is None else (f"{x:.2f}".replace(".", ",") if lang == "fr" else f"{x:.2f}")

    units, left = _units(profile.events, total)
    stages = _stages(units) if units else []
    covered = sum(u.events for u in units)

    # channels: the data's, as ids
    counts: dict[str, int] = {}
    for s in profile.events:
        for ch, k in s.channels.items():
            counts[ch] = counts.get(ch, 0) + k
    channel_ids: dict[str, str] = {}
    taken: set[str] = {ANY_CHANNEL}
    channel_lines = []
    for ch, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        ident = ch if _ID.match(ch) and ch != ANY_CHANNEL else _unique(_slug(ch, "canal"), taken)
        taken.add(ident)
        channel_ids[ch] = ident
        channel_lines.append(
            f"  - {ident}" if ident == ch else f"  - {{id: {ident}, title: {_q(ch)}}}"
        )
    if not channel_lines:
        channel_lines.append("  - web")

    out: list[str] = []
    out += _wrap(
        words["head"].format(
            events=num(profile.total_events),
            persons=num(profile.persons),
            journeys=num(profile.journeys),
            timeout=profile.timeout,
        )
    )
    out += _wrap(
        words["coverage"].format(
            covered=num(covered), events=num(total), share=pct(covered / total)
        )
    )
    out += _wrap("- " + words["how_stages"].format(k=len(stages)))
    out += _wrap("- " + words["how_touchpoints"])
    out += _wrap(
        "- " + words["how_channels"].format(least=CHANNEL_EVENTS, share=pct(CHANNEL_SHARE))
    )
    if left:
        shown = ", ".join(f"{s.name} ({num(s.events)})" for s in left[:12])
        more = f", … (+{len(left) - 12})" if len(left) > 12 else ""
        out += _wrap(
            "- "
            + words["left_out"].format(events=num(sum(s.events for s in left)), names=shown + more)
        )
    out.append(f"map: {_q(map_id)}")
    out.append(f"lang: {lang}")
    if any(s.revenue_events for s in profile.events):
        out += _wrap(words["currency_q"])
        out.append("# currency: EUR")
    out.append(f"title: {{fr: {_q(WORDS['fr']['title'])}, en: {_q(WORDS['en']['title'])}}}")

    # stages
    stage_ids: list[str] = []
    taken_stages: set[str] = set()
    out.append("stages:")
    for n, group in enumerate(stages, start=1):
        ident = _unique(f"{'etape' if lang == 'fr' else 'stage'}_{n}", taken_stages)
        stage_ids.append(ident)
        lead = max(group, key=lambda u: u.events).title
        positions = [u.position if u.position is not None else 0.0 for u in group]
        if n < len(stages):
            nxt = min(u.position if u.position is not None else 0.0 for u in stages[n])
            gap = nxt - max(positions)
            sure = (words["clear"] if gap >= CLEAR_GAP else words["close"]).format(gap=pos(gap))
        else:
            sure = words["last"]
        note = words["stage_note"].format(
            low=pos(min(positions)), high=pos(max(positions)), sure=sure
        )
        out += _wrap(note, "  ")
        title = {code: WORDS[code]["stage"].format(n=n, name=lead) for code in ("fr", "en")}
        out.append(f"  - id: {ident}")
        out.append(f"    title: {{fr: {_q(title['fr'])}, en: {_q(title['en'])}}}")

    # personas
    attr = _persona_attribute(profile.crm)
    if profile.crm_rows:
        if attr is None:
            out += _wrap(words["no_personas"].format(rows=num(profile.crm_rows)))
        else:
            others = [k for k in profile.crm if k != attr]
            out += _wrap(
                words["personas"].format(
                    attr=attr, rows=num(profile.crm_rows), others=", ".join(others) or "—"
                )
            )
            out.append("personas:")
            taken_personas: set[str] = set()
            for value, n in profile.crm[attr]:
                ident = _unique(_slug(f"{attr}_{value}", "persona"), taken_personas)
                out.append(f"  - id: {ident}  # {num(n)}")
                out.append(
                    f"    title: {_q(words['persona_title'].format(attr=attr, value=value))}"
                )
                text = f"'{value}'" if "'" not in value else json.dumps(value, ensure_ascii=False)
                out.append(f"    rule: {_q(f'{attr} == {text}')}")

    out.append("channels:")
    out += channel_lines

    # touchpoints, stage by stage
    out.append("touchpoints:")
    taken_tps: set[str] = set()
    for stage_id, group in zip(stage_ids, stages, strict=True):
        for unit in sorted(
            group, key=lambda u: (u.position if u.position is not None else 0.0, -u.events)
        ):
            base = _slug(unit.title.rstrip("…"), "point")
            ident = _unique(base, taken_tps)
            channel = _channel_of(unit, counts, channel_ids)
            note = words["tp_note_one" if unit.events == 1 else "tp_note"].format(
                events=num(unit.events), share=pct(unit.events / total), pos=pos(unit.position)
            )
            if unit.position is None:
                note += words["tp_alone"]
            elif unit.spread is not None and unit.spread > 0.4:
                note += words["tp_spread"].format(spread=pos(unit.spread))
            if channel == ANY_CHANNEL and unit.channels:
                mix = sorted(unit.channels.items(), key=lambda item: -item[1])[:4]
                note += words["tp_any"].format(
                    mix=", ".join(f"{c} {pct(k / unit.events)}" for c, k in mix)
                )
            if unit.prefix is not None:
                note += words["members"].format(names=", ".join(unit.names))
            out += _wrap(note, "  ")
            out.append(f"  - id: {ident}")
            if unit.prefix is None:
                out.append(f"    title: {_q(unit.title)}")
                out.append(f"    stage: {stage_id}")
                out.append(f"    channel: {channel}")
                out.append(f"    match: {{event: {_q(unit.names[0])}}}")
            else:
                family = {
                    code: WORDS[code]["family"].format(prefix=unit.title, n=len(unit.names))
                    for code in ("fr", "en")
                }
                out.append(f"    title: {{fr: {_q(family['fr'])}, en: {_q(family['en'])}}}")
                out.append(f"    stage: {stage_id}")
                out.append(f"    channel: {channel}")
                rule = f"{{prefix: {_q(unit.prefix)}}}"
                if unit.bare:
                    rule = f"[{_q(unit.bare)}, {rule}]"
                out.append(f"    match: {{event: {rule}}}")

    # conversion
    conversion, why = _conversion(profile, words, num, pct)
    out += _wrap(words["conversion_q"].format(name=conversion, why=why))
    if profile.endings[1:4]:
        ends = ", ".join(
            f"{name} ({num(n)})" for name, n in profile.endings[1:4] if name != conversion
        )
        if ends:
            out += _wrap(words["other_ends"].format(ends=ends))
    out.append(f"conversion: {{event: {_q(conversion)}}}")
    if profile.gap_days is not None:
        days = f"{profile.gap_days:.1f}"
        out += _wrap(
            words["timeout"].format(
                timeout=profile.timeout,
                q=pct(GAP_QUANTILE),
                days=days.replace(".", ",") if lang == "fr" else days,
            )
        )
    out.append(f"journey: {{timeout: {profile.timeout}}}")
    if len(stage_ids) > 1:
        out += _wrap(words["flow"])
        out.append("flow:")
        out += [f"  - [{a}, {b}]" for a, b in zip(stage_ids, stage_ids[1:], strict=False)]
    return "\n".join(out) + "\n"


def _channel_of(unit: _Unit, counts: dict[str, int], ids: dict[str, str]) -> str:
    """The touchpoint's channel: the data's only channel; else the channel of at least
    ``CHANNEL_SHARE`` of its (at least ``CHANNEL_EVENTS``) events when that is well above the
    channel's share of all events (a case log whose channel is the case's puts every activity
    on ``any``)."""
    valid = {raw: ident for raw, ident in ids.items() if raw == ident}
    if len(counts) == 1:
        only = next(iter(counts))
        return valid.get(only, ANY_CHANNEL)
    main, n = max(unit.channels.items(), key=lambda item: (item[1], item[0]), default=("", 0))
    overall = counts.get(main, 0) / max(sum(counts.values()), 1)
    share = n / unit.events if unit.events else 0.0
    enough = unit.events >= CHANNEL_EVENTS
    if main in valid and enough and share >= CHANNEL_SHARE and share >= overall + 0.05:
        return valid[main]
    return ANY_CHANNEL


def _conversion(
    profile: Profile,
    words: dict[str, str],
    num: Callable[[float], str],
    pct: Callable[[float], str],
) -> tuple[str, str]:
    """The proposed conversion event and why (see module doc)."""
    with_revenue = [s for s in profile.events if s.revenue_events]
    if with_revenue:
        best = max(with_revenue, key=lambda s: (s.revenue_events, s.name))
        return best.name, words["why_revenue"].format(n=num(best.revenue_events))
    if profile.endings and not profile.endings_of_all:
        name, n = profile.endings[0]
        share = pct(n / max(profile.completed, 1))
        return name, words["why_end"].format(
            n=num(n), completed=num(profile.completed), share=share
        )
    if profile.endings:
        name, n = profile.endings[0]
        why = words["why_any"].format(
            n=num(n),
            journeys=num(profile.journeys),
            share=pct(n / max(profile.journeys, 1)),
            completed=num(profile.completed),
            timeout=profile.timeout,
        )
        return name, why
    return (profile.events[0].name if profile.events else "conversion"), ""
