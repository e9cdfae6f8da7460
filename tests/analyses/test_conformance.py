"""Conformance to the designed flow: each person is a timeline computed by hand.

Stages in the map's order: decouverte (pub), consideration (vue, avis), decision (panier,
achat), fidelisation (avis_poste). Designed flow: decouverte -> consideration ->
decision, the shortcut decouverte -> decision, and the loop fidelisation -> decouverte;
decision -> fidelisation is NOT designed. ``vue`` is designed for the web but matches app
events too.
"""

from __future__ import annotations

import doctest
import textwrap

import pytest

import parcours
from parcours.analyses import Context
from parcours.analyses import conformance as module
from parcours.analyses.conformance import conformance
from parcours.errors import InputError
from parcours.maps import JourneyMap

from ..timelines import context_from_timelines

MAP = textwrap.dedent(
    """
    map: conformance-test
    title: {fr: Test, en: Test}
    stages:
      - {id: decouverte, title: Découverte}
      - {id: consideration, title: Considération}
      - {id: decision, title: Décision}
      - {id: fidelisation, title: Fidélisation}
    channels: [web, app, reseaux_sociaux]
    touchpoints:
      - {id: pub, stage: decouverte, channel: reseaux_sociaux, match: {event: ad_impression}}
      - {id: vue, stage: consideration, channel: web, match: {event: product_view, channel: [web, app]}}
      - {id: avis, stage: consideration, channel: web, match: {event: review_read}}
      - {id: panier, stage: decision, channel: web, match: {event: add_to_cart}}
      - {id: achat, stage: decision, channel: web, match: {event: purchase}}
      - {id: avis_poste, stage: fidelisation, channel: web, match: {event: review_post}}
    conversion: {event: purchase}
    journey: {timeout: 30d}
    flow:
      - [decouverte, consideration]
      - [consideration, decision]
      - [decouverte, decision]
      - [fidelisation, decouverte]
    """
)
JM = JourneyMap.loads(MAP)
EVENT = {
    "pub": ("reseaux_sociaux", "ad_impression"),
    "vue": ("web", "product_view"),
    "vue_app": ("app", "product_view"),
    "avis": ("web", "review_read"),
    "panier": ("web", "add_to_cart"),
    "achat": ("web", "purchase"),
    "avis_poste": ("web", "review_post"),
}


def journey(*touchpoints: str) -> list[tuple]:
    return [(f"2026-03-02 10:{5 * i:02d}", *EVENT[name]) for i, name in enumerate(touchpoints)]


FITTING = {
    "fits": journey("pub", "vue", "panier", "achat"),
    "designed_shortcut": journey("pub", "panier"),
    "stays_in_one_stage": journey("vue", "avis", "vue"),
    "designed_loop": journey("avis_poste", "pub", "vue"),
}
DEVIATING = {
    "skip": journey("vue", "avis_poste"),  # consideration -> fidelisation: fitness 0
    "reverse": journey("vue", "panier", "vue"),  # designed, then back: 1/2
    "undesigned": journey("panier", "avis_poste"),  # next stage, not designed: 0
    "off_channel": journey("vue_app", "panier"),  # fits; vue used in the app
    "mostly": journey("pub", "vue", "panier", "vue", "panier"),  # one reverse of 4: 3/4
}


@pytest.fixture(scope="module")
def everyone():
    workspace = parcours.open(":memory:")
    yield context_from_timelines(workspace, JM, {**FITTING, **DEVIATING})
    workspace.close()


def only(ctx: Context, persons) -> Context:
    ids = ctx.identities
    mine = ids.filter((ids.kind == "customer_id") & ids.value.isin(list(persons)))
    return Context(
        journeys=ctx.journeys.filter(ctx.journeys.person_id.isin(mine.person_id)), map=JM
    )


def journey_id(ctx: Context, person: str) -> str:
    return only(ctx, [person]).journeys.journey_id.to_pandas().iloc[0]


def test_a_log_that_fits_perfectly_has_fitness_one(everyone):
    got = conformance(only(everyone, FITTING))
    assert got.summary["fit"] == 1.0
    assert got.summary["mean fitness"] == 1.0
    assert got.summary["designed moves"] == 1.0
    assert len(got.table) == 0
    assert got.tables["fitness"].journeys.tolist() == [4, 0, 0, 0, 0]


def test_each_deviation_kind_is_counted(everyone):
    got = conformance(everyone)
    rows = [
        tuple(r) for r in got.table[["kind", "source", "target", "occurrences", "journeys"]].values
    ]
    assert rows == [
        ("reverse", "decision", "consideration", 2, 2),
        ("skip", "consideration", "fidelisation", 1, 1),
        ("undesigned", "decision", "fidelisation", 1, 1),
        ("off_channel", "vue", "app", 1, 1),
    ]
    assert {k: got.summary[k] for k in ("skip", "reverse", "undesigned", "off_channel")} == {
        "skip": 1,
        "reverse": 2,
        "undesigned": 1,
        "off_channel": 1,
    }


def test_deviations_name_example_journeys(everyone):
    got = conformance(everyone).table.set_index("kind").examples
    expected = sorted([journey_id(everyone, "reverse"), journey_id(everyone, "mostly")])
    assert got["reverse"] == ", ".join(expected)
    assert got["skip"] == journey_id(everyone, "skip")
    assert got["off_channel"] == journey_id(everyone, "off_channel")
    assert conformance(everyone, examples=1).table.examples.str.count(",").max() == 0
    assert "examples" not in conformance(everyone, examples=0).table


def test_fitness_per_journey_and_its_distribution(everyone):
    got = conformance(everyone)
    # fitness: 5 journeys at 1, mostly 0.75, reverse 0.5, skip 0, undesigned 0
    assert got.summary["journeys"] == 9
    assert got.summary["fit"] == pytest.approx(5 / 9)
    assert got.summary["mean fitness"] == pytest.approx((5 + 0.75 + 0.5) / 9)
    assert got.summary["median fitness"] == 1.0
    assert got.summary["moves"] == 14
    assert got.summary["designed moves"] == pytest.approx(10 / 14)
    distribution = got.tables["fitness"]
    assert distribution.fitness.tolist() == ["1 (fits)", "0.75-1", "0.5-0.75", "0.25-0.5", "0-0.25"]
    assert distribution.journeys.tolist() == [5, 1, 1, 0, 2]


def test_transitions_are_marked_designed_or_not(everyone):
    transitions = conformance(everyone).tables["transitions"].set_index(["source", "target"])
    assert transitions.loc[("consideration", "decision")].tolist() == [True, 5, 4]
    assert transitions.loc[("fidelisation", "decouverte")].tolist() == [True, 1, 1]
    assert not transitions.loc[("decision", "consideration"), "designed"]


def test_a_map_without_flow_is_refused(everyone):
    bare = JM.model_copy(update={"flow": []})
    with pytest.raises(InputError, match="the map has no flow"):
        conformance(Context(journeys=everyone.journeys, map=bare))


@pytest.mark.parametrize(
    "params, message",
    [({"top": 0}, "top must be at least 1"), ({"examples": -1}, "examples must be 0 or more")],
)
def test_bad_parameters_say_what_is_allowed(everyone, params, message):
    with pytest.raises(InputError, match=message):
        conformance(everyone, **params)


def test_demo_journeys_deviate_where_the_demo_goes_back(demo_journeys, demo_map):
    """On the demo, every undesigned move is explained by the stage order, and the counts
    agree with the transitions table."""
    got = conformance(Context(journeys=demo_journeys, map=demo_map), top=1000)
    transitions = got.tables["transitions"]
    undesigned = transitions[~transitions.designed].moves.sum()
    moves = got.table[got.table.kind != "off_channel"].occurrences.sum()
    assert (
        moves
        == undesigned
        == got.summary["moves"] - round(got.summary["designed moves"] * got.summary["moves"])
    )
    assert 0 < got.summary["fit"] < 1


def test_docstring_example_runs():
    assert doctest.testmod(module).failed == 0
