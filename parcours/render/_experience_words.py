"""The words of the service blueprint and of the experience views (canvas, report, dashboard),
merged into the one i18n table of :mod:`parcours.render.i18n`."""

from __future__ import annotations

EXPERIENCE: dict[str, dict[str, str]] = {
    # -- the blueprint band of the canvas ----------------------------------------------------
    "blueprint.title": {"fr": "PLAN DE SERVICE", "en": "SERVICE BLUEPRINT"},
    "blueprint.lane_evidence": {"fr": "Preuves physiques", "en": "Physical evidence"},
    "blueprint.lane_customer": {"fr": "Actions du client", "en": "Customer actions"},
    "blueprint.lane_frontstage": {"fr": "Front-office (visible)", "en": "Frontstage (visible)"},
    "blueprint.lane_backstage": {
        "fr": "Back-office (équipes et systèmes)",
        "en": "Backstage (staff and systems)",
    },
    "blueprint.lane_support": {"fr": "Processus de support", "en": "Support processes"},
    "blueprint.line_interaction": {"fr": "ligne d'interaction", "en": "line of interaction"},
    "blueprint.line_visibility": {"fr": "ligne de visibilité", "en": "line of visibility"},
    "blueprint.line_internal": {
        "fr": "ligne d'interaction interne",
        "en": "line of internal interaction",
    },
    "blueprint.events": {"fr": "{n} évén.", "en": "{n} events"},
    "blueprint.persons": {"fr": "{n} pers.", "en": "{n} persons"},
    "blueprint.median": {"fr": "médiane {duration}", "en": "median {duration}"},
    # -- report sections ---------------------------------------------------------------------
    "section.blueprint": {"fr": "Plan de service", "en": "Service blueprint"},
    "explain.blueprint": {
        "fr": "Ce qui se passe autour des points de contact, étape par étape : preuves "
        "physiques, actions du client, front-office, puis sous la ligne de visibilité le "
        "back-office (équipes et systèmes) et les processus de support. Les éléments du "
        "back-office reliés à des événements sont mesurés : événements, personnes, parcours "
        "et durée médiane (dans un parcours, du premier au dernier de leurs événements, "
        "parmi les parcours qui en ont au moins deux).",
        "en": "What happens around the touchpoints, stage by stage: physical evidence, customer "
        "actions, frontstage, then below the line of visibility the backstage (staff and "
        "systems) and the support processes. Backstage items that match events are measured: "
        "events, persons, journeys and median duration (within a journey, from the first of "
        "their events to the last, over the journeys that have two or more).",
    },
    "blueprint.none": {
        "fr": "la carte n'a pas encore de plan de service : il s'écrit sous chaque étape, dans "
        "l'éditeur de la carte (« blueprint »)",
        "en": "the map has no service blueprint yet: it is written under each stage, in the "
        'map\'s editor ("blueprint")',
    },
    "col.item": {"fr": "Élément", "en": "Item"},
    "col.events": {"fr": "Événements", "en": "Events"},
    "col.median_duration": {"fr": "Durée médiane", "en": "Median duration"},
    "section.experience": {"fr": "Expérience vécue", "en": "Experience"},
    "explain.experience": {
        "fr": "L'émotion prévue par la carte et celle que mesurent les retours des clients "
        "(notes, sinon sentiment des commentaires), étape par étape et par persona, de −2 "
        "(très négative) à +2 (très positive).",
        "en": "The emotion the map designed and the one customers' feedback measures (scores, "
        "else the sentiment of comments), stage by stage and per persona, from −2 (very "
        "negative) to +2 (very positive).",
    },
    "experience.everyone": {"fr": "Tous les clients", "en": "All customers"},
    "experience.cell": {
        "fr": "prévue {designed} · mesurée {measured}",
        "en": "designed {designed} · measured {measured}",
    },
    "experience.answers": {"fr": "{n} réponses", "en": "{n} answers"},
    "experience.answer": {"fr": "{n} réponse", "en": "{n} answer"},
    "experience.sentiment": {"fr": "d'après le sentiment", "en": "from sentiment"},
    "experience.no_identities": {
        "fr": "Les retours ne peuvent être rattachés aux personas sans les identités : seule "
        "l'émotion prévue est donnée par persona.",
        "en": "Feedback cannot be put on personas without identities: only the designed "
        "emotion is given per persona.",
    },
    # -- as-is / to-be -----------------------------------------------------------------------
    "state.as-is": {"fr": "actuel", "en": "as-is"},
    "state.to-be": {"fr": "cible", "en": "to-be"},
    "states.title": {"fr": "Actuel et cible", "en": "As-is and to-be"},
    "states.explain": {
        "fr": "Deux versions de la carte, le parcours actuel (celui d'aujourd'hui) et le "
        "parcours cible (celui qu'on vise), mesurées sur les mêmes données, étape par étape.",
        "en": "Two versions of the map, the journey as it is today and the journey aimed for, "
        "measured on the same data, stage by stage.",
    },
    "states.missing": {
        "fr": "Pour comparer, enregistrez une version de la carte marquée comme actuelle et une "
        "autre comme cible : une ligne « state: as-is » ou « state: to-be » en tête de la "
        "carte, dans l'éditeur (versions marquées : {found}).",
        "en": "To compare, save one version of the map marked as the journey today and one as "
        'the target: a line "state: as-is" or "state: to-be" at the top of the map, in the '
        "editor (versions marked: {found}).",
    },
    "states.version": {"fr": "{state} : version {version}", "en": "{state}: version {version}"},
    "states.none": {"fr": "aucune", "en": "none"},
    "states.absent": {"fr": "absente", "en": "absent"},
    "states.designed": {"fr": "Émotion prévue", "en": "Designed emotion"},
    "states.measured": {"fr": "Émotion mesurée", "en": "Measured emotion"},
    "states.touchpoints": {"fr": "Points de contact", "en": "Touchpoints"},
    "nav.experience": {"fr": "Expérience", "en": "Experience"},
    "experience.lead": {
        "fr": "Le plan de service et les émotions que prévoit la carte, face à ce que mesurent "
        "les données. Ils s'écrivent dans la carte, sous chaque étape :",
        "en": "The service blueprint and the emotions the map designs, against what the data "
        "measure. They are written in the map, under each stage:",
    },
    "editor.blueprint_help": {
        "fr": "Plan de service et émotions : sous une étape, blueprint: {evidence, customer, "
        "frontstage, backstage, support} (un élément du back-office peut avoir id et match, "
        "comme un point de contact) ; emotion: de -2 à +2, emotions: {persona: score} ; en "
        "tête de carte, state: as-is ou to-be.",
        "en": "Blueprint and emotions: under a stage, blueprint: {evidence, customer, "
        "frontstage, backstage, support} (a backstage item may have an id and a match, like "
        "a touchpoint); emotion: from -2 to +2, emotions: {persona: score}; at the top of the "
        "map, state: as-is or to-be.",
    },
}
