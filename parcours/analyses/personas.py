"""Personas: the declared ones (the map's rules over CRM attributes) and the ones the data shows.

* declared: the journey table's ``persona`` column (the first persona of the map whose
  ``rule`` the person's latest CRM row meets; :func:`parcours.store.journeys.personas`),
  measured: persons, journeys per person, conversion, revenue, main channel.
* data-driven: persons clustered on behaviour with k-means (scikit-learn, fixed seed) over
  standardised features: channel mix (share of the person's events, and of their
  conversions, on each channel of the map), furthest stage reached, frequency (log of 1 + purchases), value (log of 1 + revenue)
  and tenure (days between first and last event). ``k`` is chosen by the best silhouette
  from 2 to 8 unless given. Each cluster is described in words by its features furthest from
  the average (in standard deviations), in the map's language.
* compare: two personas side by side (declared ids, or ``cluster_N`` ids): share of persons
  reaching each stage, top stage paths of their journeys, channel mix and NPS.

>>> sorted(FEATURES)
['frequency', 'furthest', 'tenure', 'value']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from parcours.analyses._scores import is_detractor, is_promoter
from parcours.analyses.base import Context, Result, figure, table
from parcours.analyses.registry import Analysis
from parcours.config import NONE_LABEL
from parcours.currency import amount
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.maps.model import text_of
from parcours.store.engine import epoch_seconds
from parcours.store.journeys import UNMAPPED

FEATURES = ("furthest", "frequency", "value", "tenure")
SEED = 0
SAMPLE = 5_000  # persons used to fit and score k-means; the rest are only assigned
K_RANGE = range(2, 9)

PHRASES = {  # feature -> {(lang, direction): template}
    "channel": {
        ("en", 1): "uses {name} a lot ({value} of events)",
        ("en", -1): "little {name} ({value} of events)",
        ("fr", 1): "utilise beaucoup : {name} ({value} des événements)",
        ("fr", -1): "peu de {name} ({value} des événements)",
    },
    "buy": {
        ("en", 1): "buys on {name} ({value} of purchases)",
        ("en", -1): "seldom buys on {name} ({value} of purchases)",
        ("fr", 1): "achète sur : {name} ({value} des achats)",
        ("fr", -1): "achète peu sur : {name} ({value} des achats)",
    },
    "furthest": {
        ("en", 1): "goes far in the journey (up to {name})",
        ("en", -1): "stops early in the journey ({name})",
        ("fr", 1): "va loin dans le parcours (jusqu'à {name})",
        ("fr", -1): "s'arrête tôt dans le parcours ({name})",
    },
    "frequency": {
        ("en", 1): "buys often ({value} purchases)",
        ("en", -1): "rarely buys ({value} purchases)",
        ("fr", 1): "achète souvent ({value} achats)",
        ("fr", -1): "achète peu ({value} achats)",
        ("en", 0): "does not buy",
        ("fr", 0): "n'achète pas",
    },
    "value": {
        ("en", 1): "high value (revenue of {value} per person)",
        ("en", -1): "low value (revenue of {value} per person)",
        ("fr", 1): "forte valeur (CA de {value} par personne)",
        ("fr", -1): "faible valeur (CA de {value} par personne)",
        ("en", 0): "no revenue",
        ("fr", 0): "aucun chiffre d'affaires",
    },
    "tenure": {
        ("en", 1): "long-standing ({value} days active)",
        ("en", -1): "recent or brief ({value} days active)",
        ("fr", 1): "présent depuis longtemps ({value} jours d'activité)",
        ("fr", -1): "récent ou de passage ({value} jours d'activité)",
    },
}


def person_features(journeys: ir.Table, jm: JourneyMap) -> pd.DataFrame:
    """One row per person: declared persona and the behaviour features (see module doc)."""
    j = journeys
    shares = {f"share_{c.id}": (j.channel == c.id).cast("float64").mean() for c in jm.channels}
    buys = {
        f"buy_{c.id}": ibis.ifelse(j.is_conversion & (j.channel == c.id), 1, 0).sum()
        for c in jm.channels
    }
    per = j.group_by("person_id").aggregate(
        persona=j.persona.max(),
        events=j.count(),
        journeys=j.journey_id.nunique(),
        purchases=j.is_conversion.cast("int64").sum(),
        revenue=j.revenue.fill_null(0).sum(),
        furthest=j.stage_index.max(),
        tenure=(epoch_seconds(j.ts.max()) - epoch_seconds(j.ts.min())) / 86_400,
        **shares,
        **buys,
    )
    frame = per.order_by("person_id").to_pandas()
    for c in jm.channels:  # the share of the person's conversions made on each channel
        frame[f"buy_{c.id}"] = frame[f"buy_{c.id}"] / frame.purchases.where(frame.purchases > 0)
        frame[f"buy_{c.id}"] = frame[f"buy_{c.id}"].fillna(0.0)
    frame["furthest"] = frame.furthest.fillna(-1).astype(float)
    frame["frequency"] = np.log1p(frame.purchases.astype(float))
    frame["value"] = np.log1p(frame.revenue.astype(float).clip(lower=0))
    return frame


def _feature_columns(jm: JourneyMap) -> list[str]:
    channels = [c.id for c in jm.channels]
    return [f"share_{c}" for c in channels] + [f"buy_{c}" for c in channels] + list(FEATURES)


def cluster_persons(
    ctx: Context, k: int | None = None, buyers: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, float]]:
    """``(persons, centres, silhouettes)``: each person's ``cluster`` (``cluster_1`` is the
    largest), the clusters' mean features, and the silhouette of each k tried. With
    ``buyers``, only persons with at least one conversion are clustered."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    persons = person_features(ctx.journeys, ctx.map)
    if buyers:
        persons = persons[persons.purchases > 0].reset_index(drop=True)
    columns = _feature_columns(ctx.map)
    if len(persons) < 3:
        raise InputError(f"personas: clustering needs at least 3 persons, found {len(persons)}")
    x = StandardScaler().fit_transform(persons[columns].to_numpy(dtype=float))
    x = np.nan_to_num(x)
    rng = np.random.default_rng(SEED)
    fit_rows = rng.choice(len(x), size=min(SAMPLE, len(x)), replace=False)
    sample = x[np.sort(fit_rows)]
    tried: dict[int, float] = {}
    if k is None:
        distinct = len(np.unique(sample.round(9), axis=0))
        for candidate in K_RANGE:
            if candidate >= min(len(sample), distinct + 1):
                break
            model = KMeans(n_clusters=candidate, n_init=4, random_state=SEED).fit(sample)
            if len(set(model.labels_)) > 1:
                tried[candidate] = float(silhouette_score(sample, model.labels_))
        k = max(tried, key=lambda c: tried[c]) if tried else 2
    if not 2 <= k <= len(sample):
        raise InputError(f"personas: k must be from 2 to the number of persons, not {k}")
    model = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit(sample)
    labels = model.predict(x)
    sizes = np.bincount(labels, minlength=k)
    rank = {old: new for new, old in enumerate(np.argsort(-sizes, kind="stable"))}
    persons["cluster"] = [f"cluster_{rank[label] + 1}" for label in labels]
    z = pd.DataFrame(x, columns=columns).assign(cluster=persons.cluster.to_numpy())
    centres = z.groupby("cluster")[columns].mean()
    return persons, centres, tried


def _describe(means: pd.Series, z: pd.Series, jm: JourneyMap, lang: str, strongest: int = 3) -> str:
    lang = "fr" if lang == "fr" else "en"
    parts = []
    for feature in z.abs().sort_values(ascending=False).index[:strongest]:
        direction = 1 if z[feature] > 0 else -1
        value = float(means[feature])
        if feature.startswith(("share_", "buy_")):
            kind, channel_id = feature.split("_", 1)
            channel = next(c for c in jm.channels if c.id == channel_id)
            name = text_of(channel.title, lang) or channel.id
            phrase = PHRASES["channel" if kind == "share" else "buy"][(lang, direction)]
            parts.append(phrase.format(name=name, value=_shown(value, "pct", lang)))
        elif feature == "furthest":
            index = int(np.clip(round(value), 0, len(jm.stages) - 1))
            name = text_of(jm.stages[index].title, lang)
            parts.append(PHRASES["furthest"][(lang, direction)].format(name=name, value=value))
        else:
            shown = {"frequency": np.expm1(value), "value": np.expm1(value)}.get(feature, value)
            spec = "decimal" if feature == "frequency" else "whole"
            text = _shown(shown, spec, lang)
            if feature in ("frequency", "value") and text.strip("0,.") == "":
                direction = 0  # "n'achète pas", never "achète peu (0,0 achats)"
            elif feature == "value" and jm.currency:  # "CA de 104 € par personne"
                text = amount(max(float(shown), 0.0), jm.currency, lang)
            parts.append(PHRASES[feature][(lang, direction)].format(value=text, name=""))
    return " ; ".join(parts) if lang == "fr" else "; ".join(parts)


def _shown(value: float, spec: str, lang: str) -> str:
    """A description's number in the reader's writing: 12 %, 1,5, 1 234 in French (this
    layer renders nothing, so the few formats it needs live here)."""
    value = float(value) if value > 0 else 0.0  # non-negative features: never "-0"
    if spec == "pct":
        text = f"{100 * value:.0f}"
        return f"{text}\u00a0%" if lang == "fr" else f"{text}%"
    text = f"{value:,.1f}" if spec == "decimal" else f"{value:,.0f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def _cluster_table(persons: pd.DataFrame, centres: pd.DataFrame, jm: JourneyMap, lang: str):
    rows = []
    total = len(persons)
    for cluster, group in persons.groupby("cluster", sort=False):
        raw = group.assign(frequency=group.purchases, value=group.revenue)
        means = raw[_feature_columns(jm)].mean()
        means["frequency"], means["value"] = (
            np.log1p(group.purchases.mean()),
            np.log1p(group.revenue.mean()),
        )
        declared = group.persona.fillna(NONE_LABEL).value_counts()
        rows.append(
            {
                "cluster": cluster,
                "persons": len(group),
                "share": len(group) / total,
                "description": _describe(means, centres.loc[cluster], jm, lang),
                "declared": declared.index[0],
                "declared_share": declared.iloc[0] / len(group),
                "purchases": group.purchases.mean(),
                "revenue": group.revenue.mean(),
                "tenure_days": group.tenure.mean(),
                **{
                    c: group[c].mean()
                    for c in persons.columns
                    if c.startswith(("share_", "buy_")) and c not in ("buy_",)
                },
            }
        )
    table = pd.DataFrame(rows)
    order = table.cluster.str.removeprefix("cluster_").astype(int)
    return table.assign(_o=order).sort_values("_o").drop(columns="_o").reset_index(drop=True)


def _declared_table(journeys: ir.Table, jm: JourneyMap, lang: str) -> pd.DataFrame:
    j = journeys.mutate(persona=journeys.persona.fill_null(NONE_LABEL))
    per = j.group_by("persona").aggregate(
        persons=j.person_id.nunique(),
        journeys=j.journey_id.nunique(),
        converted=ibis.ifelse(j.converted, j.journey_id, ibis.null("string")).nunique(),
        buyers=ibis.ifelse(j.is_conversion, j.person_id, ibis.null("string")).nunique(),
        revenue=j.revenue.fill_null(0).sum(),
    )
    channel = j.group_by(["persona", "channel"]).aggregate(n=j.count())
    frame = per.to_pandas()
    top = (
        channel.to_pandas()
        .sort_values(["persona", "n", "channel"], ascending=[True, False, True])
        .groupby("persona")
        .head(1)
        .set_index("persona")
        .channel
    )
    titles = {p.id: text_of(p.title, lang) for p in jm.personas}
    order = {p.id: n for n, p in enumerate(jm.personas)}
    frame["title"] = frame.persona.map(titles).fillna("")
    frame["rule"] = frame.persona.map({p.id: p.rule for p in jm.personas})
    frame["share"] = frame.persons / frame.persons.sum()
    frame["journeys_per_person"] = frame.journeys / frame.persons
    frame["conversion"] = frame.converted / frame.journeys
    frame["buyers"] = frame.buyers / frame.persons
    frame["revenue_per_person"] = frame.revenue / frame.persons
    frame["main_channel"] = frame.persona.map(top)
    frame["_o"] = frame.persona.map(order).fillna(len(order))
    columns = [
        "persona", "title", "persons", "share", "journeys_per_person", "conversion",
        "buyers", "revenue_per_person", "main_channel",
    ]  # fmt: skip
    return frame.sort_values(["_o", "persona"])[columns].reset_index(drop=True)


def _nps(
    feedback: ir.Table | None, identities: ir.Table | None, who: ir.Table
) -> dict[Any, float] | float:
    """NPS of the answers of the persons in ``who`` (person_id, group), per group; NaN
    without feedback or identities."""
    if feedback is None or identities is None:
        return np.nan
    from parcours.store.identity import assign_persons

    fb = assign_persons(feedback.filter(feedback.kind.lower() == "nps"), identities)
    fb = fb.filter(fb.score.notnull()).inner_join(who, "person_id")
    agg = fb.group_by("group").aggregate(
        n=fb.count(),
        p=ibis.ifelse(is_promoter(fb.score), 1, 0).sum(),
        d=ibis.ifelse(is_detractor(fb.score), 1, 0).sum(),
    )
    frame = agg.to_pandas().set_index("group")
    return {g: 100 * (r.p - r.d) / r.n if r.n else np.nan for g, r in frame.iterrows()}


def _compare(ctx: Context, ids: list[str], assignment: pd.DataFrame | None, lang: str):
    jm, j = ctx.map, ctx.journeys
    if any(i.startswith("cluster_") for i in ids):
        if assignment is None:
            raise InputError("personas: comparing clusters needs the clusters of this run")
        memo = ibis.memtable(
            assignment[["person_id", "cluster"]].rename(columns={"cluster": "group"})
        )
        j = j.inner_join(memo, "person_id")
        j = j.mutate(group=ibis.ifelse(j.group.isin(ids), j.group, j.persona))
    else:
        j = j.mutate(group=j.persona)
    j = j.filter(j.group.isin(ids))
    persons = j.group_by("group").aggregate(persons=j.person_id.nunique()).to_pandas()
    persons = persons.set_index("group").persons
    rows = [{"metric": "persons", **{i: float(persons.get(i, 0)) for i in ids}}]
    mapped = j.filter(j.touchpoint != UNMAPPED)
    reach = mapped.group_by(["group", "stage"]).aggregate(n=mapped.person_id.nunique()).to_pandas()
    reach = reach.set_index(["group", "stage"]).n
    for stage in jm.stages:
        rows.append(
            {
                "metric": f"reach: {text_of(stage.title, lang)}",
                **{
                    i: reach.get((i, stage.id), 0) / persons[i] if persons.get(i) else np.nan
                    for i in ids
                },
            }
        )
    mix = j.group_by(["group", "channel"]).aggregate(n=j.count()).to_pandas()
    mix["share"] = mix.n / mix.groupby("group").n.transform("sum")
    mix = mix.set_index(["group", "channel"]).share
    for channel in jm.channels:
        rows.append(
            {
                "metric": f"channel: {text_of(channel.title, lang) or channel.id}",
                **{i: float(mix.get((i, channel.id), 0.0)) for i in ids},
            }
        )
    journeys = j.group_by(["group", "journey_id"]).aggregate(c=j.converted.max())
    conv = journeys.group_by("group").aggregate(rate=journeys.c.cast("float64").mean()).to_pandas()
    conv = conv.set_index("group").rate
    rows.append({"metric": "conversion", **{i: float(conv.get(i, np.nan)) for i in ids}})
    who = j.select("person_id", "group").distinct()
    nps = _nps(ctx.feedback, ctx.identities, who)
    rows.append(
        {
            "metric": "NPS",
            **{i: (nps.get(i, np.nan) if isinstance(nps, dict) else np.nan) for i in ids},
        }
    )
    table = pd.DataFrame(rows)

    by_step = ibis.window(group_by=mapped.journey_id, order_by=[mapped.step])
    changes = mapped.filter(
        mapped.stage.lag().over(by_step).isnull()
        | (mapped.stage != mapped.stage.lag().over(by_step))
    )
    paths = changes.group_by(["group", "journey_id"]).aggregate(
        path=changes.stage.collect(order_by=changes.step).join(" > ")
    )
    counts = paths.group_by(["group", "path"]).aggregate(journeys=paths.count()).to_pandas()
    counts["share"] = counts.journeys / counts.groupby("group").journeys.transform("sum")
    top = []
    for i in ids:
        best = counts[counts.group == i].sort_values(["journeys", "path"], ascending=[False, True])
        top.append(best.head(5).reset_index(drop=True).assign(rank=lambda f: f.index + 1))
    paths_table = pd.concat(top, ignore_index=True)[["group", "rank", "path", "journeys", "share"]]
    return table, paths_table.rename(columns={"group": "persona"})


@dataclass(kw_only=True, repr=False)
class PersonasResult(Result):
    """The declared personas measured (``table``: persona, title, persons, share,
    journeys_per_person, conversion, buyers, revenue_per_person, main_channel)."""

    analysis: ClassVar[str] = "personas"
    persons: int = figure("persons")
    declared_personas: int = figure("declared personas")
    share_without_persona: float = figure("without persona")
    cluster_count: int = figure("clusters")
    clusters: pd.DataFrame = table()  # cluster, persons, share, description, declared...
    cluster_channels: pd.DataFrame = table()  # cluster, then its share_* and buy_* columns
    silhouette: pd.DataFrame = table()  # k, silhouette (when k was searched)
    compare: pd.DataFrame = table()  # metric, then one column per compared persona
    compare_paths: pd.DataFrame = table()  # persona, rank, path, journeys, share


def personas(
    ctx: Context, k: int | None = None, compare: list[str] | None = None, buyers: bool = False
) -> PersonasResult:
    """Declared personas measured, data-driven personas found by clustering, two compared.

    k: number of behaviour clusters (2 to 20); by default the best silhouette from 2 to 8.
    compare: two persona ids (declared, or cluster_N) to put side by side.
    buyers: cluster only the persons who converted at least once.
    """
    jm, lang = ctx.map, ctx.language
    if k is not None and not 2 <= k <= 20:
        raise InputError(f"personas: k must be from 2 to 20, not {k}")
    declared_ids = [p.id for p in jm.personas]
    if compare is not None and (len(compare) != 2 or compare[0] == compare[1]):
        raise InputError(
            f"personas: compare takes two different persona ids, got {len(compare)}: "
            f"{', '.join(compare)}"
        )
    if compare is not None:
        odd = [c for c in compare if c not in declared_ids and not c.startswith("cluster_")]
        if odd:
            raise InputError(
                f"personas: unknown persona {', '.join(odd)} in compare; allowed: "
                f"{', '.join(declared_ids)} or a cluster id (cluster_1, cluster_2...)"
            )
    table = _declared_table(ctx.journeys, jm, lang)
    persons, centres, tried = cluster_persons(ctx, k, buyers)
    clusters = _cluster_table(persons, centres, jm, lang)
    mix = [c for c in clusters.columns if c.startswith(("share_", "buy_"))]
    profiles = clusters[["cluster", *[c for c in mix if clusters[c].abs().sum() > 0]]]
    silhouette = None
    if tried:
        silhouette = pd.DataFrame({"k": list(tried), "silhouette": list(tried.values())})
    compared, compared_paths = None, None
    if compare is not None:
        allowed = declared_ids + list(clusters.cluster)
        unknown = [c for c in compare if c not in allowed]
        if unknown:
            raise InputError(
                f"personas: unknown persona {', '.join(unknown)} in compare; "
                f"allowed: {', '.join(allowed)}"
            )
        compared, compared_paths = _compare(ctx, compare, persons, lang)
    notes = [
        f"declared: the map's persona rules over each person's latest CRM row; {NONE_LABEL} = "
        "no rule met.",
        f"clusters: k-means on standardised channel mix, furthest stage, log purchases, "
        f"log revenue and tenure (seed {SEED}) of {'buyers' if buyers else 'all persons'}; "
        f"k = {centres.shape[0]}" + (" chosen by the best silhouette." if tried else " as asked."),
        "descriptions name each cluster's three features furthest from the average.",
    ]
    return PersonasResult(
        title="Personas",
        table=table,
        params={"k": k, "compare": compare, "buyers": buyers},
        persons=int(len(persons)),
        declared_personas=int((table.persona != NONE_LABEL).sum()),
        share_without_persona=float(table.loc[table.persona == NONE_LABEL, "share"].sum()),
        cluster_count=int(centres.shape[0]),
        clusters=clusters.drop(columns=mix),
        cluster_channels=profiles,
        silhouette=silhouette,
        compare=compared,
        compare_paths=compared_paths,
        notes=notes,
    )


ANALYSIS = Analysis(
    "personas",
    personas,
    example="parcours personas --compare ropo,store_loyalist",
    overview=lambda _: {"k": 4},  # the silhouette search over k = 2..8 is slow on large data
)
