"""What a sub-map's figures add to the stage or touchpoint that opens it, hand-counted on the
shop log of test_frictions (27 persons, one journey each):

* 10 buyers: landing, fiche, panier, paiement, achat;
* 5 direct buyers: fiche, panier, paiement, achat;
* 6 payment failures: landing, fiche, panier, paiement (2 then call the service);
* 2 cart abandons: landing, fiche, panier;
* 4 bounces: landing only.
"""

from __future__ import annotations

import pandas as pd
import pytest

import parcours
from parcours.maps import JourneyMap
from tests.analyses.test_frictions import MAP, shop_timelines
from tests.timelines import context_from_timelines

# The decision stage opens "commande", saved in the workspace; the payment touchpoint opens
# a map file of the calls for help.
PARENT = MAP.replace(
    "  - {id: decision, title: {fr: Décision, en: Decision}}",
    "  - {id: decision, title: {fr: Décision, en: Decision}, submap: commande}",
).replace('frictions: ["3D Secure"]', 'frictions: ["3D Secure"]\n    submap: {file: appels.yaml}')

# Visits (page_view), payments and purchases; the conversion is the purchase.
COMMANDE = """\
map: commande
title: {fr: Commande en détail, en: The order in detail}
channels: [web]
stages: [{id: payer, title: Payer}]
touchpoints:
  - {id: visite, stage: payer, channel: web, match: {event: page_view}}
  - {id: carte, stage: payer, channel: web, match: {event: checkout_payment}}
  - {id: achat, stage: payer, channel: web, match: {event: purchase}}
conversion: {event: purchase}
"""

APPELS = """\
map: appels
title: Appels
channels: [service_client]
stages: [{id: appel, title: Appel}]
touchpoints:
  - {id: appel, stage: appel, channel: service_client, match: {event: call_center_contact}}
conversion: {event: purchase}
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    folder = tmp_path_factory.mktemp("maps")
    (folder / "shop.yaml").write_text(PARENT.lstrip())
    (folder / "appels.yaml").write_text(APPELS)
    ws = parcours.open(":memory:")
    context_from_timelines(ws, COMMANDE, shop_timelines())
    ws.save_map(JourneyMap.loads(COMMANDE))
    yield ws, JourneyMap.load(folder / "shop.yaml")
    ws.close()


def test_rollup_counted_within_the_parent_elements_persons(shop):
    ws, jm = shop
    figures = ws.nested_figures(jm).set_index("element")
    stage = figures.loc["decision"]
    # 23 persons reach the decision stage (all but the 4 bounces): of them, all 23 meet the
    # sub-map (a visit or a payment; the 4 bounces also visit, but never reach decision);
    # the 15 buyers convert in it.
    assert (stage.kind, stage.submap, stage.submap_title) == (
        "stage",
        "commande",
        "Commande en détail",
    )
    assert (stage.persons, stage.sub_persons, stage.sub_converted, stage.sub_journeys) == (
        23,
        23,
        15,
        23,
    )
    assert stage.sub_conversion == pytest.approx(15 / 23)
    call = figures.loc["paiement"]
    # 21 persons pay; 2 of them call (the sub-map's only touchpoint), and none of those buy.
    assert (call.kind, call.submap) == ("touchpoint", "appels")
    assert (call.persons, call.sub_persons, call.sub_converted, call.sub_journeys) == (21, 2, 0, 2)
    assert call.sub_conversion == 0


def test_the_sub_maps_persons_outside_the_element_do_not_count(shop):
    ws, jm = shop
    # the sub-map on its own: the 27 persons visit or pay
    commande = ws.journey_table(ws.load_map("commande"))
    mapped = commande.filter(commande.touchpoint != "unmapped")
    assert mapped.person_id.nunique().to_pyarrow().as_py() == 27
    # opened from the landing touchpoint (22 persons), only those 22 count
    landing = JourneyMap.loads(
        PARENT.replace(
            "  - {id: landing, title: {fr: Accueil, en: Landing}, stage: decouverte, channel: web, match: {event: page_view}}",
            "  - {id: landing, title: {fr: Accueil, en: Landing}, stage: decouverte, channel: web, match: {event: page_view}, submap: commande}",
        )
        .replace("\n    submap: {file: appels.yaml}", "")
        .replace(", submap: commande}", "}", 1)
    )
    row = ws.nested_figures(landing).set_index("element").loc["landing"]
    assert (row.persons, row.sub_persons, row.sub_converted) == (22, 22, 10)


def test_no_submap_no_rows(shop):
    ws, _ = shop
    figures = ws.nested_figures(JourneyMap.loads(COMMANDE))
    assert isinstance(figures, pd.DataFrame) and figures.empty
