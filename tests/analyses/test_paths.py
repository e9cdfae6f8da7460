"""Paths: each test is a timeline computed by hand and named after the rule it pins; the
contract tests check that paths and process discovery agree on the demo journeys.

The map has four stages in this order: decouverte (pub), consideration (vue, avis), decision
(panier, achat), fidelisation (avis_poste). A purchase converts and ends the journey.
"""

from __future__ import annotations

import doctest
import textwrap

import pytest

import parcours
from parcours.analyses import Context
from parcours.analyses import paths as module
from parcours.analyses.paths import paths
from parcours.analyses.process import process
from parcours.errors import InputError
from parcours.maps import JourneyMap

from ..timelines import context_from_timelines

MAP = textwrap.dedent(
    """
    map: paths-test
    title: {fr: Test, en: Test}
    stages:
      - {id: decouverte, title: Découverte}
      - {id: consideration, title: Considération}
      - {id: decision, title: Décision}
      - {id: fidelisation, title: Fidélisation}
    channels: [web, reseaux_sociaux]
    touchpoints:
      - {id: pub, stage: decouverte, channel: reseaux_sociaux, match: {event: ad_impression}}
      - {id: vue, stage: consideration, channel: web, match: {event: product_view}}
      - {id: avis, stage: consideration, channel: web, match: {event: review_read}}
      - {id: panier, stage: decision, channel: web, match: {event: add_to_cart}}
      - {id: achat, stage: decision, channel: web, match: {event: purchase}}
      - {id: avis_poste, stage: fidelisation, channel: web, match: {event: review_post}}
    conversion: {event: purchase}
    journey: {timeout: 30d}
    """
)
JM = JourneyMap.loads(MAP)
EVENT = {
    "pub": ("reseaux_sociaux", "ad_impression"),
    "vue": ("web", "product_view"),
    "avis": ("web", "review_read"),
    "panier": ("web", "add_to_cart"),
    "achat": ("web", "purchase"),
    "avis_poste": ("web", "review_post"),
    "scroll": ("web", "page_scroll"),  # matches no touchpoint
}


def journey(day: int, *touchpoints: str) -> list[tuple]:
    """One journey on 2026-03-<day>, a touchpoint every five minutes."""
    return [
        (f"2026-03-{day:02d} 10:{5 * i:02d}", *EVENT[name]) for i, name in enumerate(touchpoints)
    ]


SCENARIOS: dict[str, dict[str, list[tuple]]] = {
    "top": {
        "a": journey(1, "vue", "panier", "achat"),
        "b": journey(2, "vue", "panier", "achat"),
        "c": journey(3, "vue", "panier"),
        "d": journey(4, "pub", "vue"),
    },
    "linear": {"a": journey(1, "pub", "vue", "avis", "panier", "achat")},
    "repeat_is_not_loop": {"a": journey(1, "vue", "vue", "scroll", "vue", "panier")},
    "loop": {"a": journey(1, "vue", "avis", "vue", "panier")},
    "back": {"a": journey(1, "vue", "panier", "avis")},
    "skip": {"a": journey(1, "pub", "panier")},
    "skip_then_back": {"a": journey(1, "vue", "avis_poste", "pub")},
}


@pytest.fixture(scope="module")
def scenarios():
    """``scenarios(name)``: a context holding only the persons of scenario ``name``."""
    workspace = parcours.open(":memory:")
    everyone = {
        f"{name}.{person}": steps
        for name, timelines in SCENARIOS.items()
        for person, steps in timelines.items()
    }
    ctx = context_from_timelines(workspace, JM, everyone)

    def of(name: str) -> Context:
        ids = ctx.identities
        mine = ids.filter((ids.kind == "customer_id") & ids.value.startswith(f"{name}."))
        journeys = ctx.journeys.filter(ctx.journeys.person_id.isin(mine.person_id))
        return Context(journeys=journeys, map=JM)

    yield of
    workspace.close()


def rows(result) -> list[tuple]:
    return [tuple(r) for r in result.table[["path", "journeys", "converted"]].values]


def test_top_paths_count_journeys_and_conversion(scenarios):
    got = paths(scenarios("top"))
    assert rows(got) == [
        ("vue > panier > achat", 2, 2),
        ("pub > vue", 1, 0),
        ("vue > panier", 1, 0),
    ]
    assert got.table.conversion_rate.tolist() == [1.0, 0.0, 0.0]
    assert got.table.share.tolist() == [0.5, 0.25, 0.25]
    assert got.summary["journeys"] == 4 and got.summary["distinct paths"] == 3


def test_flows_step_to_step(scenarios):
    flows = paths(scenarios("top")).tables["flows"]
    assert [tuple(r) for r in flows.values] == [
        (1, "vue", "panier", 3),
        (1, "pub", "vue", 1),
        (2, "panier", "achat", 2),
    ]


def test_collapse_merges_consecutive_repeats_and_skips_unmapped(scenarios):
    ctx = scenarios("repeat_is_not_loop")
    assert rows(paths(ctx)) == [("vue > panier", 1, 0)]
    assert rows(paths(ctx, collapse=False)) == [("vue > vue > vue > panier", 1, 0)]
    assert rows(paths(ctx, unmapped=True)) == [("vue > unmapped > vue > panier", 1, 0)]


def test_length_cuts_and_marks_the_cut(scenarios):
    got = paths(scenarios("linear"), length=3)
    assert rows(got) == [("pub > vue > avis > …", 1, 1)]
    assert got.table.steps.tolist() == [3]
    assert got.tables["flows"].step.tolist() == [1, 2]


def test_start_point_begins_paths_and_drops_journeys_without_it(scenarios):
    assert rows(paths(scenarios("linear"), start="avis")) == [("avis > panier > achat", 1, 1)]
    got = paths(scenarios("top"), start="pub")
    assert rows(got) == [("pub > vue", 1, 0)]
    assert got.summary["journeys"] == 1


def test_end_point_shows_the_steps_leading_to_it(scenarios):
    got = paths(scenarios("linear"), end="panier", length=2)
    assert rows(got) == [("… > avis > panier", 1, 1)]
    assert rows(paths(scenarios("linear"), end="panier")) == [("pub > vue > avis > panier", 1, 1)]


def test_start_and_end_take_the_first_end_after_the_start(scenarios):
    ctx = scenarios("loop")  # vue avis vue panier
    assert rows(paths(ctx, start="vue", end="panier")) == [("vue > avis > vue > panier", 1, 0)]
    assert rows(paths(ctx, start="vue", end="vue")) == [("vue > avis > vue", 1, 0)]
    assert rows(paths(ctx, start="avis", end="avis")) == []


def test_stage_level(scenarios):
    got = paths(scenarios("linear"), level="stage")
    assert rows(got) == [("decouverte > consideration > decision", 1, 1)]
    channels = paths(scenarios("linear"), level="channel", collapse=False)
    assert rows(channels) == [("reseaux_sociaux > web > web > web > web", 1, 1)]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("linear", {"loop": 0, "back": 0, "skip": 0, "any": 0}),
        ("repeat_is_not_loop", {"loop": 0, "back": 0, "skip": 0, "any": 0}),
        ("loop", {"loop": 1, "back": 0, "skip": 0, "any": 1}),
        ("back", {"loop": 0, "back": 1, "skip": 0, "any": 1}),
        ("skip", {"loop": 0, "back": 0, "skip": 1, "any": 1}),
        ("skip_then_back", {"loop": 0, "back": 1, "skip": 1, "any": 1}),
    ],
)
def test_nonlinearity(scenarios, name, expected):
    got = paths(scenarios(name))
    counts = got.tables["nonlinear"].set_index("kind").journeys.to_dict()
    assert counts == expected
    assert got.summary["non-linear"] == expected["any"]


def test_nonlinearity_share_over_the_journeys_of_the_analysis(scenarios):
    got = paths(scenarios("top"))  # d: pub > vue is linear; nothing loops, goes back or skips
    assert got.summary["non-linear"] == 0.0
    assert got.tables["nonlinear"].share.tolist() == [0.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"level": "person"}, "allowed: touchpoint, stage, channel, event"),
        ({"start": "caisse"}, "start 'caisse' is not a touchpoint of the map; allowed: pub, vue"),
        ({"level": "stage", "end": "vue"}, "end 'vue' is not a stage of the map; allowed: deco"),
        ({"length": 0}, "length must be at least 1"),
        ({"top": 0}, "top must be at least 1"),
    ],
)
def test_bad_parameters_say_what_is_allowed(scenarios, params, message):
    with pytest.raises(InputError, match=message):
        paths(scenarios("top"), **params)


# -- contracts: paths and process discovery agree ------------------------------------------


@pytest.mark.parametrize("level, collapse", [("touchpoint", True), ("stage", False)])
def test_flows_summed_over_steps_equal_the_dfg(demo_journeys, demo_map, level, collapse):
    ctx = Context(journeys=demo_journeys, map=demo_map)
    flows = paths(ctx, level=level, collapse=collapse, length=10_000).tables["flows"]
    summed = flows.groupby(["source", "target"]).journeys.sum().to_dict()
    dfg = process(ctx, level=level, case="journey", collapse=collapse).table
    assert summed == {(s, t): f for s, t, f in dfg[["source", "target", "frequency"]].values}
    assert len(summed) > 20


def test_variants_equal_top_paths_at_full_length(demo_journeys, demo_map):
    ctx = Context(journeys=demo_journeys, map=demo_map)
    top = paths(ctx, collapse=False, length=10_000, top=1_000_000).table
    variants = process(ctx, case="journey", top=1_000_000).tables["variants"]
    assert dict(zip(top.path, top.journeys, strict=True)) == dict(
        zip(variants.variant, variants.cases, strict=True)
    )
    assert len(top) > 100


def test_docstring_example_runs():
    assert doctest.testmod(module).failed == 0


def test_planted_store_locator_ends_journeys(demo_journeys, demo_map):
    """PLANTED.md, friction 3: after the store locator, a third of ROPO journeys end with no
    store visit. Paths starting there end at once far more often than from other pages."""
    ctx = Context(journeys=demo_journeys, map=demo_map)

    def ends_at_once(touchpoint: str) -> float:
        table = paths(ctx, start=touchpoint, length=1).table.set_index("path")
        return float(table.share.get(touchpoint, 0.0))

    locator = ends_at_once("store_locator")
    assert locator > 0.25
    for other in ("avis_clients", "fiche_produit_web", "fiche_produit_app"):
        assert locator > 2.5 * ends_at_once(other)
