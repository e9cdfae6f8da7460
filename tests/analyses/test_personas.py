"""Personas: declared rules, behaviour clusters, comparison, and running any analysis by persona."""

from __future__ import annotations

import pandas as pd
import pytest

import parcours
from parcours.analyses import get
from parcours.analyses._split import split_by
from parcours.analyses.personas import cluster_persons
from parcours.demo import simulate
from parcours.errors import InputError
from tests.conftest import DEMO_PERSONS
from tests.timelines import context_from_timelines

MAP = """
map: shop
lang: en
title: Shop
stages:
  - {id: discover, title: Discover}
  - {id: buy, title: Buy}
personas:
  - {id: young_app, title: Young app user, rule: "age_band == '18-24' and preferred_channel == 'app'"}
  - {id: store_fan, title: Store fan, rule: "preferred_channel == 'magasin'"}
channels: [app, magasin]
touchpoints:
  - {id: app_view, stage: discover, channel: app, match: {event: view, channel: app}}
  - {id: store_buy, stage: buy, channel: magasin, match: {event: purchase, channel: magasin}}
  - {id: app_buy, stage: buy, channel: app, match: {event: purchase, channel: app}}
conversion: {event: purchase}
"""


def _app_browser(day: int) -> list[tuple]:
    return [(f"2026-03-{day:02d} 10:0{i}", "app", "view") for i in range(5)]


def _store_buyer(day: int) -> list[tuple]:
    return [
        (f"2026-03-{day:02d} 11:00", "magasin", "purchase", {}, 80.0),
        (f"2026-03-{day + 7:02d} 11:00", "magasin", "purchase", {}, 120.0),
    ]


TIMELINES = {
    **{f"app{i}": _app_browser(1 + i) for i in range(6)},
    **{f"store{i}": _store_buyer(1 + i) for i in range(6)},
    "mixed": [
        ("2026-03-01 09:00", "app", "view"),
        ("2026-03-02 09:00", "magasin", "purchase", {}, 50.0),
    ],
}
CRM = pd.DataFrame(
    {
        "customer_id": ["app0", "app1", "app2", "store0", "store1", "mixed"],
        "age_band": ["18-24", "18-24", "35-44", "55-64", "18-24", "18-24"],
        "preferred_channel": ["app", "app", "app", "magasin", "magasin", "web"],
    }
)


@pytest.fixture(scope="module")
def ctx():
    """One small workspace for the module; tests only read it."""
    ws = parcours.open(":memory:")
    context = context_from_timelines(ws, MAP, TIMELINES)
    ws.ingest_customers(CRM)
    yield ws.context(context.map)
    ws.close()


def test_declared_personas_follow_the_rules_first_match_wins(ctx):
    table = get("personas")(ctx, k=2).table.set_index("persona")
    # app0, app1: young + app; app2 is 35-44 -> no rule; store1 is 18-24 but magasin -> store_fan
    assert table.loc["young_app", "persons"] == 2
    assert table.loc["store_fan", "persons"] == 2
    assert table.loc["(none)", "persons"] == 13 - 4
    assert table.loc["store_fan", "buyers"] == 1.0
    assert table.loc["store_fan", "revenue_per_person"] == pytest.approx(200.0)
    assert table.loc["young_app", "main_channel"] == "app"


def test_clusters_separate_behaviours_and_describe_them(ctx):
    result = get("personas")(ctx, k=2)
    persons, _, _ = cluster_persons(ctx, k=2)
    groups = persons.groupby("cluster").person_id.apply(len)
    by_kind = persons.assign(kind=persons.person_id.map(_truth_kind(ctx))).groupby("cluster").kind
    assert sorted(groups) == [6, 7]
    assert by_kind.nunique().max() <= 2 and {
        tuple(sorted(set(v))) for v in by_kind.apply(list)
    } >= {("app",)}
    clusters = result.tables["clusters"].set_index("cluster")
    described = " ".join(clusters.description)
    assert "Store" in described or "magasin" in described and "purchases" in described
    again = cluster_persons(ctx, k=2)[0]
    assert again.cluster.tolist() == persons.cluster.tolist()  # deterministic


def _truth_kind(ctx) -> dict[str, str]:
    ids = ctx.identities.to_pandas()
    ids = ids[ids.kind == "customer_id"]
    kind = {"app": "app", "sto": "store", "mix": "store"}
    return {p: kind[v[:3]] for p, v in zip(ids.person_id, ids.value, strict=True)}


def test_silhouette_chooses_k_when_not_given(ctx):
    result = get("personas")(ctx)
    tried = result.tables["silhouette"]
    assert (
        tried.k.min() == 2
        and result.summary["clusters"] == tried.loc[tried.silhouette.idxmax(), "k"]
    )


def test_compare_two_personas_side_by_side(ctx):
    result = get("personas")(ctx, k=2, compare=["young_app", "store_fan"])
    table = result.tables["compare"].set_index("metric")
    assert table.loc["persons"].tolist() == [2.0, 2.0]
    assert table.loc["reach: Discover"].tolist() == [1.0, 0.0]
    assert table.loc["reach: Buy"].tolist() == [0.0, 1.0]
    assert table.loc["channel: app"].tolist() == [1.0, 0.0]
    assert table.loc["conversion"].tolist() == [0.0, 1.0]
    paths = result.tables["compare_paths"]
    assert paths[paths.persona == "store_fan"].path.tolist() == ["buy"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"compare": ["young_app"]}, "two different persona ids"),
        ({"compare": ["young_app", "nobody"]}, "allowed: young_app, store_fan or a cluster"),
        ({"compare": ["young_app", "cluster_9"]}, "allowed: young_app, store_fan, cluster_1"),
        ({"k": 1}, "from 2 to 20"),
    ],
)
def test_bad_parameters_say_what_is_allowed(ctx, params, message):
    with pytest.raises(InputError, match=message):
        get("personas")(ctx, **params)


def test_split_by_persona_stacks_one_run_per_group(ctx):
    stacked = split_by(get("kpis"), ctx, "persona", level="stage")
    assert stacked.table.columns[0] == "persona"
    assert set(stacked.table.persona) == {"young_app", "store_fan", "(none)"}
    buy = stacked.table.set_index(["persona", "id"]).persons
    assert buy[("store_fan", "buy")] == 2 and buy[("young_app", "buy")] == 0
    alone = get("kpis")(_only(ctx, ["store0", "store1"]), level="stage").table.set_index("id")
    assert buy[("store_fan", "buy")] == alone.loc["buy", "persons"]
    with pytest.raises(InputError, match="not a column of the journey table"):
        split_by(get("kpis"), ctx, "age")


def _only(ctx, customers):
    ids = ctx.identities.filter(ctx.identities.value.isin(customers)).select("person_id")
    return type(ctx)(**{**ctx.__dict__, "journeys": ctx.journeys.semi_join(ids, "person_id")})


def test_demo_clustering_finds_the_ropo_persona(demo_ws, demo_map):
    """Among buyers, one behaviour cluster is mostly true ROPO persons (simulator's truth)."""
    ctx = demo_ws.context(demo_map)
    persons, _, _ = cluster_persons(ctx, k=8, buyers=True)
    truth = simulate(persons=DEMO_PERSONS, seed=7).truth
    owner = {
        i: p for p, idents in zip(truth.persona, truth.identifiers, strict=True) for i in idents
    }
    ids = demo_ws.identities().to_pandas()
    ids = ids[ids.identifier.isin(owner)]
    true = ids.assign(true=ids.identifier.map(owner)).groupby("person_id").true.first()
    persons["true"] = persons.person_id.map(true)
    share = pd.crosstab(persons.cluster, persons.true, normalize="index")
    best = share.ropo.idxmax()
    assert share.ropo.max() >= 0.55, share
    assert (persons.cluster == best).sum() >= 100
    ropo = persons[persons.cluster == best]
    assert (
        ropo.share_web.mean() > 0.3 and ropo.buy_magasin.mean() > 0.8
    )  # research web, buy in store


def test_a_group_that_never_buys_is_said_so():
    import numpy as np

    from parcours.analyses.personas import _describe
    from parcours.demo.load import demo_map

    jm = demo_map()
    means = pd.Series({"frequency": np.log1p(0.0), "value": np.log1p(0.0), "tenure": 3.0})
    z = pd.Series({"frequency": -1.2, "value": -1.1, "tenure": -0.2})
    assert _describe(means, z, jm, "fr") == (
        "n'achète pas ; aucun chiffre d'affaires ; récent ou de passage (3 jours d'activité)"
    )
    means["value"] = np.log1p(120.0)
    z["value"] = 2.0
    # in the map's currency (the demo's: EUR), a plain number when it names none
    assert "high value (revenue of €120 per person)" in _describe(means, z, jm, "en")
    assert "forte valeur (CA de 120\u00a0€ par personne)" in _describe(means, z, jm, "fr")
    plain = jm.model_copy(update={"currency": None})
    assert "high value (revenue of 120 per person)" in _describe(means, z, plain, "en")
