"""Opportunities as objects: the model's checks, the free-text form read as objects, and the
ranking by journeys lost at the friction points they address × a conversion's mean value,
hand-computed on the shop log of test_frictions (27 persons)."""

from __future__ import annotations

import pandas as pd
import pytest

import parcours
from parcours.analyses import _stats, get
from parcours.analyses._opportunities import conversion_value, rank
from parcours.errors import MapError
from parcours.maps import JourneyMap
from parcours.maps.opportunities import opportunities_of
from tests.analyses.test_frictions import MAP, shop_timelines
from tests.timelines import context_from_timelines

OPPORTUNITIES = """\
opportunities:
  - id: one-click
    title: {fr: Paiement en un clic, en: One-click payment}
    touchpoints: [paiement]
    frictions: [paiement]
    owner: Équipe e-commerce
    status: planned
    effect: {fr: "−20 % d'abandons au paiement", en: "−20% exits at payment"}
  - {id: checkout-stage, title: Refonte du tunnel, frictions: [decision], status: idea}
  - {id: landing-copy, title: Nouveau texte d'accueil, frictions: [landing], status: in_progress}
"""

# The free-text form on a touchpoint, as the first maps wrote it.
SHOP = (
    MAP.replace(
        "  - {id: panier, stage: decision, channel: web, match: {event: add_to_cart}}",
        "  - {id: panier, stage: decision, channel: web, match: {event: add_to_cart}, "
        'opportunities: ["Panier persistant"]}',
    ).lstrip()
    + OPPORTUNITIES
)

# Purchases carry a revenue: 10 buyers at 50, 5 direct buyers at 80 -> mean 900 / 15 = 60.
REVENUE = {"buyer": 50.0, "direct": 80.0}


def _with_revenue(timelines: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    out = {}
    for name, steps in timelines.items():
        worth = next((v for k, v in REVENUE.items() if name.startswith(k)), None)
        out[name] = [(*step[:4], worth) if step[2] == "purchase" else step for step in steps]
    return out


@pytest.fixture(scope="module")
def shop():
    ws = parcours.open(":memory:")
    ctx = context_from_timelines(ws, SHOP, _with_revenue(shop_timelines()))
    yield ws, ctx
    ws.close()


def test_free_text_opportunities_load_as_objects():
    jm = JourneyMap.loads(SHOP)
    found = {o.id: o for o in opportunities_of(jm)}
    assert list(found) == ["one-click", "checkout-stage", "landing-copy", "panier-opportunity-1"]
    converted = found["panier-opportunity-1"]
    assert (converted.title, converted.status, converted.owner) == (
        "Panier persistant",
        "idea",
        None,
    )
    assert (converted.touchpoints, converted.frictions) == (["panier"], ["panier"])
    assert jm.dumps() == SHOP  # the file is not rewritten


def test_unknown_references_and_status_are_refused_with_what_is_allowed():
    broken = SHOP.replace("frictions: [landing]", "frictions: [landingg]").replace(
        "status: planned", "status: someday"
    )
    with pytest.raises(MapError) as caught:
        JourneyMap.loads(broken, "shop.yaml")
    text = str(caught.value)
    assert "opportunity 'landing-copy' names unknown friction 'landingg'" in text
    assert "landing, fiche, panier" in text  # the touchpoints that can be named
    assert "'someday' is not allowed for status; allowed: 'idea', 'planned', 'in_progress'" in text
    twice = SHOP + "  - {id: one-click, title: Again}\n"
    with pytest.raises(MapError, match="duplicate opportunity id 'one-click'"):
        JourneyMap.loads(twice)


def test_conversion_value_is_the_mean_revenue_of_conversions(shop):
    _, ctx = shop
    assert conversion_value(ctx.journeys) == pytest.approx(60.0)


def test_ranking_hand_computed(shop):
    _, ctx = shop
    frictions = get("frictions")(ctx, min_journeys=5)
    # test_frictions: paiement is the one friction point, 2 calls of 21 passages against
    # none of the 83 elsewhere, at the lower bound of Newcombe's interval.
    low, _ = _stats.newcombe_interval(2, 21, 0, 83)
    lost = round(21 * float(low), 1)
    assert frictions.table.set_index("id").score.get("paiement") == pytest.approx(lost)
    ranked = rank(ctx.map, frictions.table, conversion_value(ctx.journeys))
    assert ranked[["rank", "id", "frictions"]].values.tolist() == [
        # paiement's loss, at stake 60 each; planned before idea on the tie
        [1, "one-click", ["paiement"]],
        # the decision stage names panier, paiement and achat: only paiement lost journeys
        [2, "checkout-stage", ["panier", "paiement", "achat"]],
        # nothing measured at stake: in progress, then ideas
        [3, "landing-copy", ["landing"]],
        [4, "panier-opportunity-1", ["panier"]],
    ]
    assert ranked.journeys_lost.tolist() == pytest.approx([lost, lost, 0, 0])
    assert ranked.at_stake.tolist() == pytest.approx([round(lost * 60, 2)] * 2 + [0, 0])
    assert ranked.value.tolist() == pytest.approx([60.0] * 4)
    assert ranked.converted.tolist() == [False, False, False, True]
    one = ranked.iloc[0]
    assert (one.owner, one.status, one.effect) == (
        "Équipe e-commerce",
        "planned",
        "−20 % d'abandons au paiement",
    )


def test_without_revenue_the_stake_is_in_journeys():
    jm = JourneyMap.loads(SHOP)
    scores = pd.DataFrame({"id": ["paiement", "landing"], "score": [4.0, 1.5]})
    ranked = rank(jm, scores, None)
    assert ranked.set_index("id").at_stake.to_dict() == {
        "one-click": 4.0,
        "checkout-stage": 4.0,
        "landing-copy": 1.5,
        "panier-opportunity-1": 0.0,
    }
    assert ranked.value.isna().all()
    # at stage level a touchpoint names its stage
    by_stage = rank(jm, pd.DataFrame({"id": ["decision"], "score": [7.0]}), 2.0, level="stage")
    assert by_stage.set_index("id").at_stake.to_dict()["panier-opportunity-1"] == 14.0


def test_workspace_opportunities_use_the_kept_frictions_result(shop):
    ws, ctx = shop
    ranked = ws.opportunities(ctx.map)
    # the default min_journeys (30) tests no touchpoint of 27 persons: nothing at stake,
    # the order is then by status, then id
    assert ranked.id.tolist() == [
        "landing-copy",
        "one-click",
        "checkout-stage",
        "panier-opportunity-1",
    ]
    assert ranked.at_stake.tolist() == [0, 0, 0, 0]
    assert ranked.value.tolist() == pytest.approx([60.0] * 4)
