"""The shipped templates: each renders in both languages, validates, round-trips, and only
uses the shared event vocabulary."""

from __future__ import annotations

import pytest

from parcours.errors import InputError
from parcours.maps import TEMPLATES, JourneyMap, render_template, text_of

# The events the simulator emits (parcours.demo); templates must map exactly these.
VOCABULARY = {
    "ad_impression", "social_post_view", "search_click", "newsletter_open", "email_click",
    "page_view", "product_view", "review_read", "store_locator", "add_to_cart",
    "checkout_start", "checkout_payment", "purchase", "click_collect_pickup", "store_visit",
    "delivery_shipped", "delivery_delivered", "call_center_contact", "chat_contact",
    "return_request", "review_post", "loyalty_signup", "app_open", "login", "referral_share",
}  # fmt: skip
CHANNELS = ["web", "app", "magasin", "email", "reseaux_sociaux", "service_client"]
STAGES = {
    "cinq-phases": ["decouverte", "consideration", "decision", "service_client", "fidelisation"],
    "digital-4": ["sensibilisation", "engagement", "transaction", "retention"],
    "5a": ["notoriete", "attrait", "demande", "action", "recommandation"],
    "multicanal-5": [
        "recherche_comparaison",
        "preparation_visite",
        "experience_magasin",
        "achat",
        "apres_achat",
    ],
}
PARAMS = [(name, lang) for name in TEMPLATES for lang in ("fr", "en")]


@pytest.mark.parametrize(("name", "lang"), PARAMS, ids=[f"{n}-{lang}" for n, lang in PARAMS])
def test_template_renders_validates_and_round_trips(name: str, lang: str) -> None:
    text = render_template(name, lang)
    journey_map = JourneyMap.loads(text, f"{name}.yaml")
    assert journey_map.dumps() == text
    assert journey_map.lang == lang
    assert text.startswith("# ")
    assert ("# Carte de parcours client" in text) == (lang == "fr")


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_template_content(name: str) -> None:
    journey_map = JourneyMap.loads(render_template(name))
    assert journey_map.map == name
    assert journey_map.stage_ids == STAGES[name]
    assert [c.id for c in journey_map.channels] == CHANNELS
    assert journey_map.conversion.events == ["purchase"]
    assert journey_map.journey.timeout == "30d"
    assert journey_map.flow and len(journey_map.personas) >= 3
    for stage in journey_map.stages:
        assert journey_map.touchpoints_of(stage.id), f"stage {stage.id} has no touchpoint"
    titled = [journey_map.title, *(s.title for s in journey_map.stages)]
    titled += [p.title for p in journey_map.personas] + [c.title for c in journey_map.channels]
    titled += [t.title for t in journey_map.touchpoints]
    for title in titled:
        assert isinstance(title, dict) and set(title) == {"fr", "en"}, title
    events = {e for t in journey_map.touchpoints for e in t.match.events}
    assert events <= VOCABULARY
    payment = journey_map.touchpoint("paiement_web")
    assert text_of(payment.frictions[0], "fr") == "Peur du piratage au paiement"
    assert payment.emotion == "negative"
    assert all(p.parsed_rule is not None for p in journey_map.personas)


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_each_event_maps_to_at_most_one_touchpoint(name: str) -> None:
    journey_map = JourneyMap.loads(render_template(name))
    for event in VOCABULARY:
        for channel in CHANNELS:
            for fulfilment in ("delivery", "click_collect", "in_store", None):
                props = {"fulfilment": fulfilment}
                hits = [
                    t.id for t in journey_map.touchpoints if t.match.matches(event, channel, props)
                ]
                assert len(hits) <= 1, (event, channel, fulfilment, hits)


def test_unknown_template_lists_the_names() -> None:
    with pytest.raises(
        InputError,
        match="unknown template 'six'; templates: cinq-phases, digital-4, 5a, multicanal-5",
    ):
        render_template("six")


def test_unknown_language_lists_the_languages() -> None:
    with pytest.raises(InputError, match="unknown language 'de'; languages: fr, en"):
        render_template("5a", "de")
