"""The words of the analyses' results, in French and English: a part of the one table of
:mod:`parcours.render.i18n`.

``about.<analysis>``: what an analysis answers (the dashboard's cards and page leads);
``param.<name>`` and ``param.<name>.help``: a parameter's label and help; ``option.<value>``:
a choice's value; ``figure.<field>``: a headline figure's label; ``column.<name>``: a table
header; ``table.<name>``: a secondary table's heading; ``value.<value>``: a category shown in
a cell (deviation kinds, channel levels, RFM segments...); ``note.<analysis>.<n>``: the
analyses' notes, the English text being the pattern of the note an analysis writes
(``{}`` stands for a value it fills in).

The columns and figures that have no entry here are model internals: the dashboard shows
them only under "For analysts" (:mod:`parcours.render.present`).
"""

from __future__ import annotations

Pair = tuple[str, str]  # (fr, en)


def _part(prefix: str, table: dict[str, Pair]) -> dict[str, dict[str, str]]:
    return {f"{prefix}.{key}": {"fr": fr, "en": en} for key, (fr, en) in table.items()}


ABOUT: dict[str, Pair] = {
    "frictions": (
        "Les points de friction classés : sorties au-delà de la normale de l'étape, rebonds, "
        "appels à l'aide, avis négatifs.",
        "Friction points ranked: exits beyond the stage's usual level, bounces, calls for "
        "help, negative feedback.",
    ),
    "kpis": (
        "Portée, conversion et taux de sortie par point de contact ou par étape, face aux "
        "objectifs de la carte.",
        "Reach, conversion and exit rate per touchpoint or stage, against the map's goals.",
    ),
    "funnel": (
        "Combien de personnes franchissent chaque étape, dans l'ordre, dans un délai donné.",
        "How many persons get through each step, in order, within a given time.",
    ),
    "paths": (
        "Les chemins les plus fréquents, les flux d'une étape à l'autre, et les parcours qui "
        "bouclent, reviennent en arrière ou sautent une étape.",
        "The most frequent paths, the flows from step to step, and the journeys that loop, go "
        "back or skip a stage.",
    ),
    "process": (
        "Qui suit quoi : les enchaînements entre points de contact, leurs délais et les "
        "variantes de parcours.",
        "What follows what: the transitions between touchpoints, their times and the journey "
        "variants.",
    ),
    "conformance": (
        "À quel point les parcours suivent les enchaînements prévus par la carte, et les "
        "écarts les plus fréquents.",
        "How far journeys follow the transitions the map designed, and the most common deviations.",
    ),
    "channels": (
        "Les canaux de chaque étape, les passages d'un canal à l'autre, le ROPO, le "
        "showrooming, le click & collect, et le niveau multicanal, cross-canal ou omnicanal.",
        "The channels of each stage, the moves from one channel to another, ROPO, "
        "showrooming, click & collect, and the multichannel, cross-channel or omnichannel "
        "level.",
    ),
    "attribution": (
        "La part des conversions et du chiffre d'affaires due à chaque canal ou point de contact.",
        "How much of the conversions and revenue each channel or touchpoint earns.",
    ),
    "voice": (
        "NPS, satisfaction, effort et ton des commentaires par étape et point de contact ; "
        "thèmes ; courbe d'émotion.",
        "NPS, satisfaction, effort and tone of the comments per stage and touchpoint; themes; "
        "emotion curve.",
    ),
    "retention": (
        "Conversions répétées, fidélité des cohortes, segments RFM et valeur vie client.",
        "Repeat conversions, cohort retention, RFM segments and customer lifetime value.",
    ),
    "personas": (
        "Les personas de la carte mesurés sur les données, et les groupes de comportement que "
        "les données font apparaître.",
        "The map's personas measured on the data, and the behaviour groups the data shows.",
    ),
    "compare": (
        "Deux périodes, deux segments ou deux versions de la carte côte à côte : conversion, "
        "frictions, NPS, avec leur significativité.",
        "Two periods, segments or map versions side by side: conversion, frictions, NPS, with "
        "their significance.",
    ),
}

PARAMS: dict[str, Pair] = {
    "level": ("Niveau", "Level"),
    "session_timeout": ("Fin de visite après", "Visit ends after"),
    "bounce_channels": ("Canaux des rebonds", "Bounce channels"),
    "contacts": ("Appels à l'aide", "Calls for help"),
    "confidence": ("Niveau de confiance", "Confidence level"),
    "min_journeys": ("Parcours minimum", "Minimum journeys"),
    "baseline": ("Comparer à", "Compare with"),
    "top": ("Nombre affiché", "How many"),
    "correlate": ("Chercher ce qui accompagne l'abandon", "Look for what goes with abandoning"),
    "steps": ("Étapes", "Steps"),
    "window": ("Délai", "Time allowed"),
    "order": ("Ordre", "Order"),
    "attribution.order": ("Mémoire des chemins", "Path memory"),
    "exclusions": ("Exclusions", "Exclusions"),
    "exclusion_mode": ("Une exclusion", "An exclusion"),
    "correlation": ("Ce qui accompagne la conversion", "What goes with converting"),
    "breakdown": ("Ventiler par", "Break down by"),
    "breakdown_attribution": ("Valeur de ventilation lue", "Break-down value read at"),
    "interval": ("Période", "Period"),
    "within_journey": ("Dans un seul parcours", "Within one journey"),
    "start": ("Début", "Start"),
    "end": ("Fin", "End"),
    "length": ("Longueur", "Length"),
    "collapse": ("Fusionner les répétitions", "Merge repeats"),
    "unmapped": ("Garder les événements hors carte", "Keep events off the map"),
    "case": ("Un cas est", "A case is"),
    "coverage": ("Couverture", "Coverage"),
    "filter_by": ("Couvrir par", "Cover by"),
    "examples": ("Exemples", "Examples"),
    "offline": ("Canaux physiques", "Physical channels"),
    "research": ("Recherche en ligne", "Online research"),
    "collect": ("Click & collect", "Click & collect"),
    "fulfilment": ("Mode de livraison", "Fulfilment"),
    "threshold": ("Seuil", "Threshold"),
    "models": ("Modèles", "Models"),
    "position_first": ("Part du premier contact", "First touch share"),
    "position_last": ("Part du dernier contact", "Last touch share"),
    "half_life": ("Demi-vie", "Half-life"),
    "shapley": ("Shapley", "Shapley"),
    "exclude": ("Jamais crédités", "Never credited"),
    "themes": ("Thèmes", "Themes"),
    "calibration_end": ("Dernier jour analysé", "Last day analysed"),
    "horizon_months": ("Horizon (mois)", "Horizon (months)"),
    "discount_rate": ("Taux d'actualisation", "Discount rate"),
    "rfm_bins": ("Niveaux RFM", "RFM levels"),
    "k": ("Nombre de groupes", "Number of groups"),
    "compare": ("Comparer", "Compare"),
    "buyers": ("Acheteurs seulement", "Buyers only"),
    "period_a": ("Période A", "Period A"),
    "period_b": ("Période B", "Period B"),
    "segment_a": ("Segment A", "Segment A"),
    "segment_b": ("Segment B", "Segment B"),
    "map_version_a": ("Version A de la carte", "Map version A"),
    "map_version_b": ("Version B de la carte", "Map version B"),
    "as_of": ("Données jusqu'au", "Data up to"),
    "keep_none": ("Garder ceux qui s'arrêtent avant", "Keep those who stop before"),
    "step_windows": ("Délai par étape", "Time allowed per step"),
    "unit": ("Compter", "Count"),
    "start_event": ("Entrée dans une cohorte", "Entering a cohort"),
    "return_event": ("Retour", "Coming back"),
    "period": ("Période", "Period"),
    "stickiness": ("Assiduité", "Stickiness"),
}

PARAM_HELP: dict[str, Pair] = {
    "level": (
        "ce que chaque ligne du résultat représente.",
        "what each row of the result stands for.",
    ),
    "session_timeout": (
        "une visite web ou appli se termine après ce délai sans événement, par ex. 30m.",
        "a web or app visit ends after this long without an event, e.g. 30m.",
    ),
    "bounce_channels": (
        "canaux où une visite d'un seul événement est un rebond (par défaut : web et application).",
        "channels where a one-event visit is a bounce (default: web and app).",
    ),
    "contacts": (
        "points de contact, étapes ou canaux qui sont des appels à l'aide.",
        "touchpoints, stages or channels that are calls for help.",
    ),
    "confidence": (
        "niveau de confiance des intervalles, de 0 à 1 : par ex. 0,95 pour 95 %.",
        "confidence level of the intervals, from 0 to 1: e.g. 0.95 for 95%.",
    ),
    "min_journeys": (
        "les points de contact vus par moins de parcours ne sont pas testés.",
        "touchpoints met by fewer journeys are not tested.",
    ),
    "baseline": (
        "comparer les sorties aux autres points de contact de l'étape sur le même canal, ou à "
        "tous ceux de l'étape.",
        "compare exits with the stage's other touchpoints on the same channel, or with all of "
        "the stage's.",
    ),
    "top": ("garder les N premiers.", "keep the first N."),
    "correlate": (
        "chercher quelles propriétés, quels points de contact et personas accompagnent l'abandon.",
        "look for the properties, touchpoints and personas that go with abandoning.",
    ),
    "steps": (
        "points de contact ou étapes, dans l'ordre du parcours ; chaque choix ouvre une "
        "case de plus.",
        "touchpoints or stages, in the journey's order; each choice opens one more box.",
    ),
    "step_windows": (
        "N=DÉLAI : l'étape N compte seulement dans ce délai après l'étape d'avant, en plus du "
        "délai global, par ex. 2=1h,4=30m.",
        "N=DURATION: step N counts only within that time of the step before it, besides the "
        "overall window, e.g. 2=1h,4=30m.",
    ),
    "unit": (
        "les personnes (une fois chacune), les parcours, ou les tentatives (chaque conversion).",
        "persons (once each), journeys, or attempts (every conversion).",
    ),
    "window": (
        "délai compté depuis la première étape, par ex. 14j, 1h.",
        "time counted from the first step, e.g. 14d, 1h.",
    ),
    "attribution.order": (
        "combien de points de contact précédents le modèle de Markov retient, de 1 à 4.",
        "how many earlier touchpoints the Markov model remembers, 1 to 4.",
    ),
    "order": (
        "dans l'ordre (autres événements permis entre les étapes), strict ou dans le désordre.",
        "in order (other events allowed between steps), strict, or in any order.",
    ),
    "exclusions": (
        "un événement qui, entre deux étapes, fait ne pas compter la tentative.",
        "an event that, between two steps, makes an attempt not count.",
    ),
    "breakdown": (
        "ce qui sépare les groupes : canal, point de contact, étape, événement, persona ou un "
        "champ des données.",
        "what splits the groups: channel, touchpoint, stage, event, persona or a data field.",
    ),
    "breakdown_attribution": (
        "où lire la valeur de ventilation : premier contact, dernier contact ou une étape.",
        "where the break-down value is read: first touch, last touch or one step.",
    ),
    "interval": (
        "période du tableau de conversion dans le temps.",
        "period of the conversion-over-time table.",
    ),
    "within_journey": (
        "chaque tentative reste dans un seul parcours (sinon, toute l'histoire de la personne).",
        "each attempt stays inside one journey (else the person's whole history).",
    ),
    "start": ("les chemins commencent à ce point.", "paths begin at this point."),
    "end": ("les chemins s'arrêtent à ce point.", "paths stop at this point."),
    "length": (
        "nombre de positions montrées dans chaque chemin.",
        "number of positions shown in each path.",
    ),
    "collapse": (
        "fusionner les répétitions successives d'un même point.",
        "merge consecutive repeats of the same point.",
    ),
    "unmapped": (
        "garder les événements qu'aucun point de contact ne décrit.",
        "keep the events no touchpoint describes.",
    ),
    "case": (
        "une personne (par défaut), un parcours, ou une colonne ou propriété (n° de commande...).",
        "a person (default), a journey, or a column or property (an order id...).",
    ),
    "correlation": (
        "chercher quels événements, points de contact, personas ou propriétés accompagnent la "
        "conversion ou l'abandon.",
        "look for the events, touchpoints, personas or properties that go with converting or "
        "dropping out.",
    ),
    "exclusion_mode": (
        "la tentative ne compte pas du tout, ou elle compte jusqu'à l'événement exclu.",
        "the attempt does not count at all, or it counts up to the excluded event.",
    ),
    "coverage": (
        "garder les variantes les plus fréquentes jusqu'à cette part.",
        "keep the most frequent variants up to this share.",
    ),
    "filter_by": (
        "ce que la couverture garde : variantes ou enchaînements.",
        "what the coverage keeps: variants or transitions.",
    ),
    "examples": (
        "nombre d'exemples de parcours par écart.",
        "number of example journeys per deviation.",
    ),
    "offline": (
        "canaux physiques (par défaut magasin) ; les autres sont en ligne.",
        "physical channels (default store); the others are online.",
    ),
    "research": (
        "ce qui compte comme recherche en ligne pour le ROPO.",
        "what counts as online research for ROPO.",
    ),
    "collect": (
        "modes de livraison ou retraits qui signalent le click & collect.",
        "fulfilment values or pick-ups that mark click & collect.",
    ),
    "fulfilment": (
        "la propriété de l'achat qui donne le mode de livraison.",
        "the purchase property holding the fulfilment mode.",
    ),
    "threshold": (
        "part des personnes qu'un niveau doit atteindre, de 0 à 1 (par défaut 0,2, soit 20 %).",
        "share of persons a level must reach, from 0 to 1 (default 0.2, that is 20%).",
    ),
    "models": ("modèles d'attribution (par défaut tous).", "attribution models (default all)."),
    "position_first": (
        "part du premier contact dans le modèle en U.",
        "first touch's share in the position-based model.",
    ),
    "position_last": (
        "part du dernier contact dans le modèle en U.",
        "last touch's share in the position-based model.",
    ),
    "half_life": ("demi-vie de la décroissance, par ex. 7j.", "time-decay half-life, e.g. 7d."),
    "shapley": ("sans ordre, ou ordonné.", "unordered, or ordered."),
    "exclude": (
        "points de contact ou canaux jamais crédités.",
        "touchpoints or channels never credited.",
    ),
    "themes": (
        "nombre de thèmes pour les commentaires négatifs (1 à 20).",
        "how many themes for the negative comments (1 to 20).",
    ),
    "calibration_end": (
        "dernier jour (AAAA-MM-JJ) analysé ; les suivants servent de contrôle.",
        "last day (YYYY-MM-DD) analysed; later ones are a holdout.",
    ),
    "horizon_months": (
        "horizon de la valeur future prévue, en mois.",
        "horizon of the predicted future value, in months.",
    ),
    "discount_rate": (
        "taux mensuel d'actualisation, de 0 à 1 : par ex. 0,01 pour 1 %.",
        "monthly discount rate, from 0 to 1: e.g. 0.01 for 1%.",
    ),
    "rfm_bins": (
        "nombre de niveaux des scores RFM (5 : scores de 1 à 5).",
        "number of RFM score levels (5 gives scores 1 to 5).",
    ),
    "k": (
        "nombre de groupes de comportement (2 à 20) ; par défaut, le meilleur.",
        "number of behaviour groups (2 to 20); by default the best.",
    ),
    "compare": ("deux personas à mettre côte à côte.", "two personas to put side by side."),
    "buyers": (
        "ne grouper que les personnes qui ont converti.",
        "group only the persons who converted.",
    ),
    "period_a": (
        "première période, PREMIER..DERNIER jour, par ex. 2026-01-01..2026-03-31 ; par défaut, "
        "le mois qui précède la seconde période.",
        "first period, FIRST..LAST day, e.g. 2026-01-01..2026-03-31; by default, the month "
        "before the second period.",
    ),
    "period_b": (
        "seconde période, même forme ; par défaut, le dernier mois complet dont les parcours "
        "ont eu le temps de finir (un délai d'inactivité avant la fin des données).",
        "second period, same form; by default, the last full month whose journeys have had "
        "the time to end (one journey timeout before the data's end).",
    ),
    "segment_a": ("premier segment, par ex. persona=ropo.", "first segment, e.g. persona=ropo."),
    "segment_b": ("second segment, même forme.", "second segment, same form."),
    "map_version_a": (
        "première version enregistrée de la carte.",
        "first saved version of the map.",
    ),
    "map_version_b": (
        "seconde version enregistrée de la carte.",
        "second saved version of the map.",
    ),
    "as_of": (
        "fin des données, par ex. 2026-03-31 (par défaut : le dernier événement) ; une "
        "personne encore dans son délai n'est pas comptée comme perdue.",
        "end of the data, e.g. 2026-03-31 (default: the latest event); a person still within "
        "the time allowed is not counted as lost.",
    ),
    "start_event": (
        "événements ou points de contact qui font entrer une personne dans une cohorte "
        "(par défaut : les conversions).",
        "events or touchpoints that put a person in a cohort (default: conversions).",
    ),
    "return_event": (
        "événements ou points de contact qui comptent comme un retour (par défaut : les "
        "conversions).",
        "events or touchpoints that count as coming back (default: conversions).",
    ),
    "period": (
        "période des cohortes : jour, semaine ou mois.",
        "cohort period: day, week or month.",
    ),
    "stickiness": (
        "jours d'activité comptés par semaine ou par mois.",
        "days active counted per week or per month.",
    ),
    "keep_none": (
        "en ventilant sur une étape, garder le groupe des personnes arrêtées avant elle.",
        "when breaking down on a step, keep the group of the persons who stopped before it.",
    ),
}

OPTIONS: dict[str, Pair] = {
    "touchpoint": ("point de contact", "touchpoint"),
    "stage": ("étape", "stage"),
    "channel": ("canal", "channel"),
    "event": ("événement", "event"),
    "persona": ("persona", "persona"),
    "stage_channel": ("étape et canal", "stage and channel"),
    "true": ("oui", "yes"),
    "false": ("non", "no"),
    "ordered": ("dans l'ordre", "in order"),
    "strict": ("strict", "strict"),
    "unordered": ("dans le désordre", "any order"),
    "day": ("jour", "day"),
    "week": ("semaine", "week"),
    "month": ("mois", "month"),
    "first_touch": ("premier contact", "first touch"),
    "last_touch": ("dernier contact", "last touch"),
    "person": ("personne", "person"),
    "journey": ("parcours", "journey"),
    "variants": ("variantes", "variants"),
    "edges": ("enchaînements", "transitions"),
    "both": ("les deux", "both"),
    "drop": ("retirer la tentative", "drop the attempt"),
    "cut": ("couper la tentative", "cut the attempt"),
    "persons": ("les personnes", "persons"),
    "journeys": ("les parcours", "journeys"),
    "attempts": ("les tentatives", "attempts"),
}

# Headline figures a user reads; the others (model parameters, p-values) are for analysts.
FIGURES: dict[str, Pair] = {
    "friction_points": ("Points de friction", "Friction points"),
    "declared_points": ("Prévus par la carte", "Declared in the map"),
    "discovered_points": ("Découverts", "Discovered"),
    "journeys_lost_beyond_baseline": (
        "Parcours perdus au-delà de la normale",
        "Journeys lost beyond the usual",
    ),
    "goals_measured": ("Objectifs mesurés", "Goals measured"),
    "goals_met": ("Objectifs atteints", "Goals met"),
    "entered": ("Personnes entrées", "Persons who entered"),
    "converted": ("Personnes arrivées au bout", "Persons who made it through"),
    "conversion": ("Conversion", "Conversion"),
    "biggest_drop_off": ("Plus forte perte", "Biggest drop-off"),
    "still_in_window": ("Personnes encore dans le délai", "Persons still in window"),
    "conversion_closed": ("Conversion, délais écoulés", "Conversion, windows closed"),
    "journeys": ("Parcours", "Journeys"),
    "distinct_paths": ("Chemins différents", "Different paths"),
    "non_linear_share": ("Parcours non linéaires", "Non-linear journeys"),
    "loop_share": ("Qui bouclent", "Looping"),
    "back_share": ("Qui reviennent en arrière", "Going back"),
    "skip_share": ("Qui sautent une étape", "Skipping a stage"),
    "cases": ("Cas", "Cases"),
    "distinct_variants": ("Variantes", "Variants"),
    "cases_shown": ("Cas montrés", "Cases shown"),
    "variants_shown": ("Variantes montrées", "Variants shown"),
    "activities": ("Points de contact", "Touchpoints"),
    "edge_count": ("Enchaînements différents", "Different transitions"),
    "transitions": ("Passages d'un point à l'autre", "Moves from one point to another"),
    "fit_share": ("Parcours conformes", "Journeys that fit"),
    "mean_fitness": ("Conformité moyenne", "Average fitness"),
    "median_fitness": ("Conformité médiane", "Median fitness"),
    "moves": ("Changements d'étape", "Stage changes"),
    "designed_share": ("Changements prévus", "Designed changes"),
    "skips": ("Sauts d'étape", "Skipped stages"),
    "reverses": ("Retours en arrière", "Steps back"),
    "undesigned_moves": ("Enchaînements non prévus", "Undesigned moves"),
    "off_channel_events": ("Sur un autre canal que prévu", "On another channel than designed"),
    "persons": ("Personnes", "Persons"),
    "converted_journeys": ("Parcours convertis", "Converted journeys"),
    "multichannel_person_share": ("Personnes sur plusieurs canaux", "Persons on several channels"),
    "mixing_journey_share": ("Parcours qui mêlent les canaux", "Journeys mixing channels"),
    "channel_switches": ("Changements de canal", "Channel switches"),
    "ropo_journeys": ("Recherche en ligne, achat en magasin", "Research online, buy in store"),
    "showrooming_journeys": ("Showrooming", "Showrooming"),
    "click_collect_journeys": ("Click & collect", "Click & collect"),
    "stitched_share": ("Clients en magasin vus aussi en ligne", "Store customers also seen online"),
    "reading": ("Niveau atteint", "Level reached"),
    "paths": ("Chemins", "Paths"),
    "conversions_credited": ("Conversions attribuées", "Conversions credited"),
    "value_credited": ("Valeur attribuée", "Value credited"),
    "conversions_without_touchpoint": (
        "Conversions sans point de contact",
        "Conversions with no touchpoint",
    ),
    "answers": ("Réponses", "Answers"),
    "nps": ("NPS", "NPS"),
    "csat": ("Satisfaction (CSAT)", "Satisfaction (CSAT)"),
    "ces": ("Effort (CES, 1–7)", "Effort (CES, 1–7)"),
    "answers_with_verbatim": ("Commentaires", "Comments"),
    "negative_verbatim_share": ("Commentaires négatifs", "Negative comments"),
    "calibration_end": ("Données jusqu'au", "Data up to"),
    "buyers": ("Clients", "Customers"),
    "repeat_buyers": ("Clients revenus", "Returning customers"),
    "repeat_purchase_rate": ("Taux de retour", "Return rate"),
    "purchases": ("Conversions", "Conversions"),
    "revenue": ("Chiffre d'affaires", "Revenue"),
    "median_days_between_purchases": (
        "Délai médian entre deux conversions",
        "Median time between two conversions",
    ),
    # what the BG/NBD and Gamma-Gamma models predict for the next N months (the horizon):
    # not the revenue a customer has brought so far; ``.horizon`` says N
    "expected_revenue_over_horizon": ("Chiffre d'affaires attendu", "Expected revenue"),
    "expected_revenue_over_horizon.horizon": (
        "Chiffre d'affaires attendu ({months} prochains mois)",
        "Expected revenue (next {months} months)",
    ),
    "mean_clv_per_buyer": (
        "Valeur future prévue moyenne par client",
        "Average predicted future value per customer",
    ),
    "mean_clv_per_buyer.horizon": (
        "Valeur future prévue moyenne par client ({months} mois)",
        "Average predicted future value per customer ({months} months)",
    ),
    "declared_personas": ("Personas de la carte", "The map's personas"),
    "share_without_persona": ("Sans persona", "Without persona"),
    "cluster_count": ("Groupes de comportement", "Behaviour groups"),
    "label_a": ("A", "A"),
    "label_b": ("B", "B"),
    "journeys_a": ("Parcours A", "Journeys A"),
    "journeys_b": ("Parcours B", "Journeys B"),
    "conversion_a": ("Conversion A", "Conversion A"),
    "conversion_b": ("Conversion B", "Conversion B"),
    "conversion_change": ("Écart de conversion", "Conversion change"),
    "conversion_change_significant": ("Écart significatif", "Significant change"),
    "nps_a": ("NPS A", "NPS A"),
    "nps_b": ("NPS B", "NPS B"),
}

COLUMNS: dict[str, Pair] = {
    "rank": ("Rang", "Rank"),
    # the retention lifecycle: who came back in a period, and how
    "new": ("Nouveaux", "New"),
    "returning": ("Toujours actifs", "Returning"),
    "resurrecting": ("Revenus après une pause", "Back after a break"),
    "dormant": ("Endormis", "Dormant"),
    "days_active": ("Jours d'activité", "Days active"),
    "id": ("Point", "Point"),
    "title": ("Nom", "Name"),
    "status": ("Statut", "Status"),
    "score": ("Score", "Score"),
    "signal": ("Signal", "Signal"),
    "journeys": ("Parcours", "Journeys"),
    "exit_rate": ("Taux de sortie", "Exit rate"),
    "exit_baseline": ("Sortie habituelle", "Usual exit rate"),
    "explanation": ("Explication", "Explanation"),
    "stage": ("Étape", "Stage"),
    "channel": ("Canal", "Channel"),
    "events": ("Événements", "Events"),
    "persons": ("Personnes", "Persons"),
    "conversions": ("Conversions", "Conversions"),
    "exits": ("Sorties", "Exits"),
    "contacts": ("Appels à l'aide", "Calls for help"),
    "sessions": ("Visites", "Visits"),
    "bounces": ("Rebonds", "Bounces"),
    "bounce_rate": ("Taux de rebond", "Bounce rate"),
    "contact_rate": ("Taux d'appel à l'aide", "Call-for-help rate"),
    "answers": ("Réponses", "Answers"),
    "negative": ("Négatifs", "Negative"),
    "negative_rate": ("Part négative", "Negative share"),
    "nps": ("NPS", "NPS"),
    "reach": ("Portée", "Reach"),
    "conversion": ("Conversion", "Conversion"),
    "metric": ("Indicateur", "Metric"),
    "target": ("Objectif", "Target"),
    "met": ("Atteint", "Met"),
    "step": ("Étape", "Step"),
    "from_previous": ("Depuis l'étape d'avant", "From the step before"),
    "drop_off": ("Sorties", "Dropped off"),
    "drop_off_rate": ("Taux de perte", "Drop-off rate"),
    "still_in_window": ("Encore dans le délai", "Still in window"),
    "lost": ("Perdues", "Lost"),
    "persons_closed": ("Personnes, délai écoulé", "Persons, window closed"),
    "optional": ("Facultative", "Optional"),
    "conversion_with": ("Conversion avec", "Conversion with it"),
    "conversion_without": ("Conversion sans", "Conversion without it"),
    "goes_with": ("Va avec", "Goes with"),
    "median_time_s": ("Délai médian", "Median time"),
    "avg_time_s": ("Délai moyen", "Average time"),
    "mean_time_s": ("Délai moyen", "Average time"),
    "median_hours_lost": ("Délai médian avant la sortie", "Median time before the exit"),
    "period": ("Période", "Period"),
    "entered": ("Entrées", "Entered"),
    "converted": ("Convertis", "Converted"),
    "path": ("Chemin", "Path"),
    "path.empty": ("(aucun contact avant)", "(no touch before)"),  # a path of no touch
    # attribution's Markov model: the share of conversions (of value) lost without a channel
    "removal_effect": ("Conversions perdues sans lui", "Conversions lost without it"),
    "removal_effect_value": ("Valeur perdue sans lui", "Value lost without it"),
    "state_from": ("De", "From"),
    "state_to": ("Vers", "To"),
    "probability": ("Probabilité", "Probability"),
    "steps": ("Étapes", "Steps"),
    "share": ("Part", "Share"),
    "conversion_rate": ("Conversion", "Conversion"),
    "source": ("De", "From"),
    "target_to": ("Vers", "To"),
    "origin": ("Origine", "Origin"),
    "kind": ("Type", "Kind"),
    "definition": ("Définition", "Definition"),
    "frequency": ("Nombre", "Count"),
    "touchpoint": ("Point de contact", "Touchpoint"),
    "cases": ("Cas", "Cases"),
    "starts": ("Débuts", "Starts"),
    "ends": ("Fins", "Ends"),
    "variant": ("Variante", "Variant"),
    "length": ("Longueur", "Length"),
    "cumulative_share": ("Part cumulée", "Cumulative share"),
    "label": ("Délai", "Time"),
    "path_position": ("Position", "Position"),  # a flow's step in paths (present.column_label)
    "sentiment_label": ("Ton en mots", "Tone in words"),  # a verbatim's positive / negative
    "transitions": ("Passages", "Moves"),
    "occurrences": ("Occurrences", "Occurrences"),
    "fitness": ("Conformité", "Fitness"),
    "designed": ("Prévu", "Designed"),
    "moves": ("Changements", "Moves"),
    "share_events": ("Part des événements", "Share of events"),
    "share_persons": ("Part des personnes", "Share of persons"),
    "from_channel": ("Du canal", "From channel"),
    "to_channel": ("Vers le canal", "To channel"),
    "switches": ("Changements", "Switches"),
    "pattern": ("Comportement", "Pattern"),
    "share_of_converted_journeys": ("Part des parcours convertis", "Share of converted journeys"),
    "share_of_buyers": ("Part des clients", "Share of customers"),
    "level": ("Niveau", "Level"),
    "reached": ("Atteint par", "Reached by"),
    "persona": ("Persona", "Persona"),
    "mixing": ("Plusieurs canaux", "Several channels"),
    "ropo": ("ROPO", "ROPO"),
    "showrooming": ("Showrooming", "Showrooming"),
    "click_collect": ("Click & collect", "Click & collect"),
    "cross_channel": ("Cross-canal", "Cross-channel"),
    "omnichannel": ("Omnicanal", "Omnichannel"),
    "first_touch": ("Premier contact", "First touch"),
    "last_touch": ("Dernier contact", "Last touch"),
    "linear": ("Linéaire", "Linear"),
    "position": ("En U", "Position-based"),
    "time_decay": ("Décroissance", "Time decay"),
    "markov": ("Markov", "Markov"),
    "shapley": ("Shapley", "Shapley"),
    "csat": ("Satisfaction", "Satisfaction"),
    "ces": ("Effort", "Effort"),
    "rating": ("Note", "Rating"),
    "sentiment": ("Ton", "Tone"),
    "negative_share": ("Part négative", "Negative share"),
    "theme": ("Thème", "Theme"),
    "keywords": ("Mots-clés", "Keywords"),
    "verbatims": ("Commentaires", "Comments"),
    "touchpoints": ("Points de contact", "Touchpoints"),
    "example": ("Exemple", "Example"),
    "designed_value": ("Émotion prévue", "Designed emotion"),
    "measured": ("Émotion mesurée", "Measured emotion"),
    "curve": ("Courbe", "Curve"),
    "verbatim": ("Commentaire", "Comment"),
    "language": ("Langue", "Language"),
    "reviews": ("Avis", "Reviews"),
    "segment": ("Segment", "Segment"),
    "rule": ("Règle", "Rule"),
    "recency_days": ("Jours depuis la dernière", "Days since the last"),
    "monetary": ("Montant moyen", "Average amount"),
    "revenue": ("Chiffre d'affaires", "Revenue"),
    "clv": ("Valeur future prévue", "Predicted future value"),  # not past revenue
    "clv.horizon": (
        "Valeur future prévue ({months} mois)",
        "Predicted future value ({months} months)",
    ),
    "cohort": ("Cohorte", "Cohort"),
    "interval": ("Intervalle", "Interval"),
    "gaps": ("Écarts", "Gaps"),
    "cumulative": ("Cumulé", "Cumulative"),
    "description": ("Description", "Description"),
    "journeys_per_person": ("Parcours par personne", "Journeys per person"),
    "buyers": ("Part d'acheteurs", "Share who buy"),  # a persona's persons who converted
    "revenue_per_person": ("CA par personne", "Revenue per person"),
    "main_channel": ("Canal principal", "Main channel"),
    "cluster": ("Groupe", "Group"),
    "declared_share": ("Part d'un persona", "Share with a persona"),
    "purchases": ("Conversions", "Conversions"),
    "tenure_days": ("Ancienneté (jours)", "Tenure (days)"),
    "change": ("Écart", "Change"),
    "significant": ("Significatif", "Significant"),
    "rate_a": ("Taux A", "Rate A"),
    "rate_b": ("Taux B", "Rate B"),
    "rank_a": ("Rang A", "Rank A"),
    "rank_b": ("Rang B", "Rank B"),
    "score_a": ("Score A", "Score A"),
    "score_b": ("Score B", "Score B"),
    "journeys_a": ("Parcours A", "Journeys A"),
    "journeys_b": ("Parcours B", "Journeys B"),
    "exit_rate_a": ("Sortie A", "Exits A"),
    "exit_rate_b": ("Sortie B", "Exits B"),
    "answers_a": ("Réponses A", "Answers A"),
    "answers_b": ("Réponses B", "Answers B"),
    "nps_a": ("NPS A", "NPS A"),
    "nps_b": ("NPS B", "NPS B"),
    "name": ("Nom", "Name"),
    "breakdown": ("Groupe", "Group"),
    "value": ("Valeur", "Value"),
    "abandoned": ("Abandons", "Abandons"),
    "abandon_rate": ("Taux d'abandon", "Abandon rate"),
    "abandon_rate_without": ("Taux d'abandon sans", "Abandon rate without"),
    "feature": ("Caractéristique", "Feature"),
}

TABLES: dict[str, Pair] = {
    "explanations": ("Explications", "Explanations"),
    "measures": ("Toutes les mesures", "Every measure"),
    "correlations": ("Ce qui accompagne l'abandon", "What goes with abandoning"),
    "goals": ("Objectifs", "Goals"),
    "over_time": ("Conversion dans le temps", "Conversion over time"),
    "flows": ("Flux d'une position à la suivante", "Flows from one position to the next"),
    "nonlinear": ("Parcours non linéaires", "Non-linear journeys"),
    "nodes": ("Points de contact", "Touchpoints"),
    "variants": ("Variantes", "Variants"),
    # after the heading of a table of the most frequent variants (present.table_count)
    "variants.top": ("les {rows} plus fréquentes sur {of}", "the {rows} most frequent of {of}"),
    "durations": ("Délais", "Times"),
    "time_to_convert": ("Délais de conversion", "Time to convert"),
    "correlation": (
        "Ce qui accompagne la conversion ou l'abandon",
        "What goes with converting or dropping out",
    ),
    "fitness": ("Conformité des parcours", "Journey fitness"),
    "transitions": ("Changements d'étape", "Stage changes"),
    "switches": ("Changements de canal", "Channel switches"),
    "patterns": ("Comportements cross-canal", "Cross-channel patterns"),
    "levels": ("Niveaux", "Levels"),
    "by_persona": ("Par persona", "By persona"),
    "value": ("Valeur attribuée", "Value credited"),
    "removal_effects": ("Effet de retrait", "Removal effect"),
    # the same name in another analysis (transitions: conformance's stage changes)
    "attribution.transitions": (
        "Passages d'un point à l'autre (Markov)",
        "Moves from one point to another (Markov)",
    ),
    "paths": ("Chemins", "Paths"),
    "themes": ("Thèmes", "Themes"),
    "emotion_curve": ("Courbe d'émotion", "Emotion curve"),
    "verbatims": ("Commentaires", "Comments"),
    "counts": ("Réponses par type", "Answers by kind"),
    "cohorts": ("Cohortes", "Cohorts"),
    "inter_purchase": ("Délai entre deux conversions", "Time between two conversions"),
    "segments": ("Segments", "Segments"),
    "predictions": ("Prévisions par client", "Forecast per customer"),
    "lifecycle": (
        "Clients nouveaux, toujours actifs, revenus ou endormis",
        "New, returning, back and dormant customers",
    ),
    "stickiness": ("Jours d'activité par période", "Days active per period"),
    "clusters": ("Groupes de comportement", "Behaviour groups"),
    "silhouette": (
        "Netteté des groupes selon leur nombre",
        "How distinct the groups are, by their number",
    ),
    "compare": ("Personas côte à côte", "Personas side by side"),
    "compare_paths": ("Chemins des personas comparés", "Paths of the compared personas"),
    "shapley_positions": ("Part selon la position dans le parcours", "Credit by position"),
    "cluster_channels": ("Canaux des groupes", "Channels of the groups"),
    "frictions": ("Points de friction", "Friction points"),
    "nps": ("NPS", "NPS"),
}

VALUES: dict[str, Pair] = {
    # the journey fitness bins of conformance (its table and chart)
    "1 (fits)": ("100 % (conforme)", "100% (fits)"),
    "0.75-1": ("75 à 100 %", "75–100%"),
    "0.5-0.75": ("50 à 75 %", "50–75%"),
    "0.25-0.5": ("25 à 50 %", "25–50%"),
    "0-0.25": ("0 à 25 %", "0–25%"),
    "declared": ("prévu", "declared"),
    "discovered": ("découvert", "discovered"),
    "exits": ("sorties", "exits"),
    "bounces": ("rebonds", "bounces"),
    "contacts": ("appels à l'aide", "calls for help"),
    "feedback": ("avis négatifs", "negative feedback"),
    "loop": ("boucle", "loop"),
    "back": ("retour en arrière", "going back"),
    "skip": ("saut d'étape", "skipped stage"),
    "reverse": ("retour en arrière", "going back"),
    "undesigned": ("non prévu", "not designed"),
    "off_channel": ("autre canal", "other channel"),
    "single-channel": ("un seul canal", "single channel"),
    "multichannel": ("multicanal", "multichannel"),
    "cross-channel": ("cross-canal", "cross-channel"),
    "omnichannel": ("omnicanal", "omnichannel"),
    "ROPO": ("recherche en ligne, achat en magasin", "research online, buy in store"),
    "showrooming": ("showrooming", "showrooming"),
    "click_collect": ("click & collect", "click & collect"),
    "champions": ("Champions", "Champions"),
    "loyal": ("Fidèles", "Loyal"),
    "potential_loyalist": ("Fidèles en devenir", "Potential loyalists"),
    "new": ("Nouveaux clients", "New customers"),
    "promising": ("Prometteurs", "Promising"),
    "need_attention": ("À surveiller", "Need attention"),
    "about_to_sleep": ("En train de s'endormir", "About to sleep"),
    "at_risk": ("À risque", "At risk"),
    "cant_lose": ("À ne pas perdre", "Can't lose them"),
    "hibernating": ("En sommeil", "Hibernating"),
    "(none)": ("(sans persona)", "(no persona)"),
    "(other)": ("(autres)", "(other)"),
    "unmapped": ("(hors carte)", "(off the map)"),
    "measured": ("mesurée", "measured"),
    "nps": ("NPS", "NPS"),
    "csat": ("satisfaction", "satisfaction"),
    "ces": ("effort", "effort"),
    "review": ("avis", "review"),
    "touchpoint": ("point de contact", "touchpoint"),
    "stage": ("étape", "stage"),
    "reach": ("portée", "reach"),
    "conversion": ("conversion", "conversion"),
    "conversion (all journeys)": ("conversion (tous les parcours)", "conversion (all journeys)"),
    "(all journeys)": ("(tous les parcours)", "(all journeys)"),
    "funnel": ("entonnoir", "funnel"),
    "designed": ("prévue", "designed"),
    "positive": ("positive", "positive"),
    "neutral": ("neutre", "neutral"),
    "negative": ("négative", "negative"),
    # definitions the analyses put in their tables (channels' levels, paths' non-linear kinds)
    "every event on one channel": (
        "tous les événements sur un seul canal",
        "every event on one channel",
    ),
    "several channels, but each journey stays on one (silos)": (
        "plusieurs canaux, mais chaque parcours reste sur un seul (en silos)",
        "several channels, but each journey stays on one (silos)",
    ),
    "at least one journey moves from one channel to another": (
        "au moins un parcours passe d'un canal à l'autre",
        "at least one journey moves from one channel to another",
    ),
    "at least one journey goes back and forth between digital and physical": (
        "au moins un parcours fait des allers-retours entre le digital et le physique",
        "at least one journey goes back and forth between digital and physical",
    ),
    "a touchpoint comes back after another one (a > b > a)": (
        "un point de contact revient après un autre (a › b › a)",
        "a touchpoint comes back after another one (a › b › a)",
    ),
    "a step back to an earlier stage of the map": (
        "un retour vers une étape antérieure de la carte",
        "a step back to an earlier stage of the map",
    ),
    "a step forward over at least one stage of the map": (
        "un pas en avant par-dessus au moins une étape de la carte",
        "a step forward over at least one stage of the map",
    ),
}

# The columns a table leaves to analysts (model internals, intervals, tests), named in the
# note that lists them under a table (present.dropped_label); shown whole by the API and the
# CLI's --format json/csv: ``analyst.<name>``.
ANALYST_COLUMNS: dict[str, Pair] = {
    "drop_off_low": ("Taux de sortie (borne basse)", "Exit rate (low bound)"),
    "drop_off_high": ("Taux de sortie (borne haute)", "Exit rate (high bound)"),
    "nps_low": ("NPS (borne basse)", "NPS (low bound)"),
    "nps_high": ("NPS (borne haute)", "NPS (high bound)"),
    "csat_low": ("Satisfaction (borne basse)", "Satisfaction (low bound)"),
    "csat_high": ("Satisfaction (borne haute)", "Satisfaction (high bound)"),
    "ces_low": ("Effort (borne basse)", "Effort (low bound)"),
    "ces_high": ("Effort (borne haute)", "Effort (high bound)"),
    "change_low": ("Écart (borne basse)", "Change (low bound)"),
    "change_high": ("Écart (borne haute)", "Change (high bound)"),
    "small": ("Moins de 30 réponses", "Fewer than 30 answers"),
    "examples": ("Parcours en exemple", "Example journeys"),
    "n_a": ("Base du taux A", "Rate base A"),
    "x_a": ("Comptés dans le taux A", "Counted in rate A"),
    "n_b": ("Base du taux B", "Rate base B"),
    "x_b": ("Comptés dans le taux B", "Counted in rate B"),
    "odds_ratio": ("Rapport de cotes", "Odds ratio"),
    "odds_ratio_low": ("Rapport de cotes (borne basse)", "Odds ratio (low bound)"),
    "odds_ratio_high": ("Rapport de cotes (borne haute)", "Odds ratio (high bound)"),
    "p_value": ("Valeur p", "p-value"),
    "q_value": ("Valeur q (ajustée)", "q-value (adjusted)"),
}

# What a correlation's feature is (frictions: what goes with abandoning; a funnel: with
# converting or dropping out), in the "feature" column: ``feature.<kind>``.
FEATURES: dict[str, Pair] = {
    "property": ("Propriété de l'événement", "Event property"),
    "preceded_by": ("Précédé de", "Preceded by"),
    "persona": ("Persona", "Persona"),
    "event": ("Événement", "Event"),
    "touchpoint": ("Point de contact", "Touchpoint"),
}

# The funnel's figures and columns named after persons, when it counts journeys or attempts
# (``unit``): ``figure.<field>.<unit>``, ``column.<name>.<unit>``.
BY_UNIT: dict[str, dict[str, Pair]] = {
    "journeys": {
        "figure.entered": ("Parcours entrés", "Journeys that entered"),
        "figure.converted": ("Parcours arrivés au bout", "Journeys that made it through"),
        "figure.still_in_window": ("Parcours encore dans le délai", "Journeys still in window"),
        "column.persons": ("Parcours", "Journeys"),
        "column.lost": ("Perdus", "Lost"),
        "column.persons_closed": ("Parcours, délai écoulé", "Journeys, window closed"),
    },
    "attempts": {
        "figure.entered": ("Tentatives", "Attempts"),
        "figure.converted": ("Tentatives arrivées au bout", "Attempts that made it through"),
        "figure.still_in_window": (
            "Tentatives encore dans le délai",
            "Attempts still in window",
        ),
        "column.persons": ("Tentatives", "Attempts"),
        "column.lost": ("Perdues", "Lost"),
        "column.persons_closed": ("Tentatives, délai écoulé", "Attempts, window closed"),
    },
}

RESULTS: dict[str, dict[str, str]] = {
    **{
        f"{key}.{unit}": {"fr": fr, "en": en}
        for unit, words in BY_UNIT.items()
        for key, (fr, en) in words.items()
    },
    **_part("about", ABOUT),
    **_part("param", PARAMS),
    **{f"param.{k}.help": {"fr": fr, "en": en} for k, (fr, en) in PARAM_HELP.items()},
    **_part("option", OPTIONS),
    **_part("figure", FIGURES),
    **_part("column", COLUMNS),
    **_part("table", TABLES),
    **_part("value", VALUES),
    **_part("feature", FEATURES),
    **_part("analyst", ANALYST_COLUMNS),
    "present.analysts": {"fr": "Pour les analystes", "en": "For analysts"},
    "present.analysts_help": {
        "fr": "Les paramètres des modèles, les intervalles et les tests, tels que calculés.",
        "en": "The models' parameters, the intervals and the tests, as computed.",
    },
    "present.no_answers": {"fr": "pas encore de réponse", "en": "no answers yet"},
    "present.rows_dropped": {
        "fr": "Colonnes pour les analystes non montrées : {columns}.",
        "en": "Columns for analysts not shown: {columns}.",
    },
    "present.conversion": {"fr": "conversion", "en": "conversion"},
    # a kpis goal on a metric another analysis measures (parcours.analyses.kpis)
    "present.measured_in": {"fr": "mesuré dans « {analysis} »", "en": "measured in “{analysis}”"},
    # the canvas' words (parcours.render.canvas)
    "metric.bounce_rate": {"fr": "taux de rebond", "en": "bounce rate"},
    "metric.nps": {"fr": "NPS", "en": "NPS"},
    "metric.csat": {"fr": "CSAT", "en": "CSAT"},
    "metric.ces": {"fr": "CES", "en": "CES"},
    "metric.conversion": {"fr": "conversion", "en": "conversion"},
    "metric.drop_off": {"fr": "abandon", "en": "drop-off"},
    "metric.exit_rate": {"fr": "taux de sortie", "en": "exit rate"},
    "metric.reach": {"fr": "portée", "en": "reach"},
    "metric.repeat_purchase_rate": {"fr": "réachat", "en": "repeat purchase"},
    "metric.revenue": {"fr": "chiffre d'affaires", "en": "revenue"},
    "metric.time_to_convert": {"fr": "délai", "en": "time to convert"},
    "drawing.reach": {"fr": "portée", "en": "reach"},
    "drawing.conversion": {"fr": "conversion", "en": "conversion"},
    "drawing.exit_rate": {"fr": "sortie", "en": "exit"},
    "drawing.emotion": {"fr": "Émotion", "en": "Emotion"},
    "drawing.designed": {"fr": "prévue", "en": "designed"},
    "drawing.measured": {"fr": "mesurée", "en": "measured"},
    "drawing.frictions": {"fr": "Points de friction", "en": "Friction points"},
    "drawing.opportunities": {"fr": "Opportunités", "en": "Opportunities"},
    "drawing.goal": {"fr": "objectif", "en": "goal"},
    "drawing.persona": {"fr": "Persona", "en": "Persona"},
    "drawing.any_channel": {"fr": "Tous canaux", "en": "Any channel"},
    # opportunities, sub-maps and comments (parcours.render.map_objects, the report, the dashboard)
    "drawing.submap": {"fr": "Sous-parcours", "en": "Sub-journey"},
    "drawing.submap_figures": {
        "fr": "{sub} des {persons} personnes y entrent, {converted} y convertissent",
        "en": "{sub} of the {persons} persons enter it, {converted} convert in it",
    },
    "drawing.at_stake": {"fr": "en jeu", "en": "at stake"},
    "drawing.comments": {"fr": "commentaires", "en": "comments"},
    "section.comments": {"fr": "Commentaires", "en": "Comments"},
    "explain.comments": {
        "fr": "Les commentaires de l'équipe sur les éléments de cette version de la carte "
        "(écrits sur elle ou sur une version antérieure), du plus ancien au plus récent.",
        "en": "The team's comments on the elements of this version of the map (written on it "
        "or on an earlier version), oldest first.",
    },
    "report.no_comments": {
        "fr": "Aucun commentaire sur cette version de la carte. On en écrit sur la page « Carte "
        "du parcours » du tableau de bord ou par l'API (POST /v1/maps/{map}/comments).",
        "en": "No comments on this version of the map. Write them on the dashboard's “Journey "
        "map” page or through the API (POST /v1/maps/{map}/comments).",
    },
    "col.element": {"fr": "Élément", "en": "Element"},
    "col.author": {"fr": "Auteur", "en": "Author"},
    "col.date": {"fr": "Date", "en": "Date"},
    "col.comment": {"fr": "Commentaire", "en": "Comment"},
    "opportunity.idea": {"fr": "idée", "en": "idea"},
    "opportunity.planned": {"fr": "prévue", "en": "planned"},
    "opportunity.in_progress": {"fr": "en cours", "en": "in progress"},
    "opportunity.done": {"fr": "faite", "en": "done"},
    "section.opportunities": {"fr": "Opportunités", "en": "Opportunities"},
    "explain.opportunities": {
        "fr": "Les pistes d'amélioration de la carte, classées par ce que les données disent être "
        "en jeu : les parcours perdus au-delà de la normale aux points de friction qu'elles "
        "traitent, multipliés par la valeur moyenne d'une conversion ({value}). C'est un "
        "plafond qui sert à classer, pas une prévision.",
        "en": "The map's improvement ideas, ranked by what the data says is at stake: the "
        "journeys lost beyond the baseline at the friction points they address, times the "
        "mean value of a conversion ({value}). It is a ceiling that ranks them, not a forecast.",
    },
    "opportunities.value_revenue": {
        "fr": "{value} par conversion, d'après le chiffre d'affaires des conversions",
        "en": "{value} per conversion, from the conversions' revenue",
    },
    "opportunities.value_none": {
        "fr": "les conversions ne portent pas de chiffre d'affaires : l'enjeu est en parcours",
        "en": "conversions carry no revenue: the stake is in journeys",
    },
    "opportunities.none": {
        "fr": "Cette carte n'a pas encore d'opportunité (opportunities: dans le fichier).",
        "en": "This map has no opportunity yet (opportunities: in the file).",
    },
    "col.title": {"fr": "Opportunité", "en": "Opportunity"},
    "col.owner": {"fr": "Responsable", "en": "Owner"},
    "col.journeys_lost": {"fr": "Parcours perdus", "en": "Journeys lost"},
    "col.at_stake": {"fr": "En jeu", "en": "At stake"},
    "col.effect": {"fr": "Effet attendu", "en": "Expected effect"},
    "col.frictions": {"fr": "Frictions traitées", "en": "Frictions addressed"},
    "cli.more_tables": {
        "fr": "Autres tableaux avec --all : {tables}.",
        "en": "More tables with --all: {tables}.",
    },
    "cli.dropped": {
        "fr": "Colonnes qui ne tiennent pas à cette largeur : {columns} (--format csv les donne "
        "toutes).",
        "en": "Columns that do not fit this width: {columns} (--format csv gives them all).",
    },
    # the title of a table's columns printed under it when they do not fit beside the others
    "cli.continued": {"fr": "{title} (suite)", "en": "{title} (continued)"},
    "cli.internals": {
        "fr": "Paramètres des modèles et définitions détaillées : --format json.",
        "en": "Model parameters and detailed definitions: --format json.",
    },
    "voice.no_answer_yet": {
        "fr": "Pas encore de réponse pour : {stages}.",
        "en": "No answers yet for: {stages}.",
    },
}

# The analyses' notes a reader needs, in plain words: the pattern of the note an analysis
# writes ({} is a value it fills in) -> the key of its plain text in both languages. The
# notes without an entry (formulas, peers' names) are shown to analysts only, as written.
NOTE_PATTERNS: dict[str, str] = {
    "note.frictions.score": "score = max(excess exits + excess calls for help, excess bounces, "
    "excess negative feedback); an excess is the passages lost beyond the baseline at the lower "
    "bound of the {} interval (0 when not significant).",
    "note.kpis.reach": "reach = persons who met it / persons with a journey; conversion and exit "
    "rate are shares of the journeys that passed through it.",
    "note.funnel.window": "{} funnel, window {} counted from the attempt's first step; a person "
    "counts once, at the furthest step reached by any attempt.",
    "note.funnel.window_journeys": "{} funnel, window {} counted from the attempt's first step; "
    "a journey counts once, at the furthest step reached by an attempt inside it; the columns "
    "named persons count journeys.",
    "note.funnel.window_attempts": "{} funnel, window {} counted from the attempt's first step; "
    "every conversion counts: an attempt ends at each event of the last step (converting or "
    "not), the next starts at the next event of step 1, and each counts once, at the furthest "
    "step reached in it; the columns named persons count attempts.",
    "note.funnel.optional": "optional steps: {}; a person may skip them: an optional step counts "
    "the persons who did it (after the steps before it, within the window), the step after it "
    "the persons who got there with or without it; from_previous and drop_off are counted from "
    "the last required step before; on an optional step, drop_off is the persons who skipped it.",
    "note.funnel.step_window": "step window: {} counts within {} of the step before it.",
    "note.paths.conversion": "conversion_rate = share of the journeys on this path that converted.",
    "note.paths.nonlinear": "non-linear: loop = a touchpoint comes back after another one "
    "(a > b > a); back = a step back to an earlier stage of the map; skip = a step forward over "
    "at least one stage of the map (over the whole journeys, in the map's stage order).",
    "note.conformance.move": "a move is a change of stage between consecutive mapped events; "
    "staying in a stage is always allowed.",
    "note.conformance.fitness": "fitness of a journey = designed moves / moves (1 with no move); "
    "a journey fits at 1. {} journeys never change stage.",
    "note.channels.offline": "offline (physical) channels: {}; every other channel is online.",
    "note.channels.all_online": "no offline (physical) channel in the map: every channel is "
    "online.",
    "note.channels.reading": "reading: the highest of single-channel < multichannel < "
    "cross-channel < omnichannel reached by at least {} of persons (see the levels table).",
    "note.voice.small": "{} group(s) with fewer than 30 answers (wide or degenerate intervals): {}.",
    "note.retention.purchase": "A purchase is a conversion event; a person's purchases on one UTC "
    "day count as one.",
    "note.retention.repeat": "Repeat purchase rate = buyers with 2 purchase days or more / buyers.",
    "note.retention.partial": "Cells and periods marked * (column partial): the period is not "
    "over yet.",
    "note.retention.clv": "CLV = expected revenue of the next {} months after the calibration end "
    "(past purchases left out), month m discounted by (1 + discount_rate)^m; expected_value = "
    "Gamma-Gamma expected value of a purchase.",
    "note.personas.declared": "declared: the map's persona rules over each person's latest CRM "
    "row; (none) = no rule met.",
    "note.compare.default": "no pair given: the last full calendar month that ended one journey "
    "timeout or more before the data's last event (B: its journeys have had the time to end) "
    "against the month before (A).",
    "note.compare.periods": "a period's journeys are those that start in it; the latest ones have "
    "had less time to convert (compare periods that ended long enough ago, e.g. one journey "
    "timeout).",
    "note.attribution.credit": "Credit is in conversions (value in the 'value' table); every "
    "model's column adds up to the conversions credited.",
    "note.attribution.paths": "Paths: mapped touchpoints before the conversion (the conversion "
    "event is not credited); journeys that did not convert, open ones included, are nulls.",
    "note.attribution.first_touch": "first_touch: all the credit to the first touch of the path.",
    "note.attribution.last_touch": "last_touch: all the credit to the last touch before the "
    "conversion.",
    "note.attribution.linear": "linear: the credit shared equally by the touches of the path (a "
    "channel met twice gets two shares).",
    "note.attribution.position": "position: {} to the first touch, {} to the last, the rest shared "
    "equally by the touches in between (a path of one touch gives it all).",
    "note.attribution.time_decay": "time_decay: each touch weighs 2^(-age / {}), age = time to the "
    "conversion; weights add up to 1 per converted journey.",
    "note.attribution.markov": "markov: order-{} Markov chain removal effect, computed exactly on "
    "the absorbing chain (no simulation); credit = removal effect / sum of removal effects x "
    "conversions.",
    "note.attribution.shapley": "shapley: v(S) = conversions of the journeys whose channels all "
    "belong to S (Zhao et al. 2018); exact at any number of channels (each path is shared equally "
    "by its distinct channels, which is what the coalition formula gives).",
    "note.process.case_person": "case = person (all of a person's events, whatever the map's "
    "journey cuts); activity = {}; timestamp = ts. frequency = transitions source -> target (a "
    "case passing twice counts twice), as pm4py's discover_dfg on that log.",
    "note.process.case_journey": "case = journey (a person's events cut at conversions and idle "
    "timeouts); activity = {}; timestamp = ts. frequency = transitions source -> target (a case "
    "passing twice counts twice), as pm4py's discover_dfg on that log.",
    "note.process.case_column": "case = the value of '{}'; activity = {}; timestamp = ts. "
    "frequency = transitions source -> target (a case passing twice counts twice), as pm4py's "
    "discover_dfg on that log.",
    "note.process.share": "share = part of the source's outgoing transitions; times are between "
    "the two events; the durations table gives each edge's transitions per time bin.",
    "note.process.variant": "variant = a case's whole sequence of activities, start to end; two "
    "cases through the same activities in the same order have the same variant.",
    "note.process.coverage": "coverage = share of the cases the graph draws: those of the most "
    "frequent variants (or edges, filter_by) holding at least that share; 100% draws every case.",
    "note.process.kept_variants": "coverage {}: the graph of the cases taking only the {} most "
    "frequent variants.",
    "note.process.kept_edges": "coverage {}: the graph of the cases taking only the {} most "
    "frequent edges.",
    "note.voice.nps": "NPS = % 9–10 minus % 0–6 (0–10 scale), from -100 to 100; normal interval "
    "for a difference of proportions.",
    "note.voice.csat": "CSAT = share of 4–5 answers (1–5 scale); Wilson interval.",
    "note.voice.ces": "CES = mean effort (1–7 scale, high is bad); t interval.",
    "note.voice.rating": "rating = mean review rating (1–5 stars); NaN = no answer of that kind.",
    "note.voice.sentiment": "sentiment: verbatims scored -1..1 offline (French lexicon with "
    "negation, VADER for English) after removing links and @handles; a verbatim without a "
    "language is given French or English by py3langid (column scored_in); |score| < {} is "
    "neutral. Verbatims without a score are scored and in the themes.",
    "note.voice.emotion": "emotion curve: answers (or else twice the mean sentiment) mapped to "
    "-2..2 beside the map's designed emotion; curve = measured when there is one, designed "
    "otherwise.",
}

NOTES: dict[str, Pair] = {
    "frictions.score": (
        "Le score d'un point compte les passages perdus au-delà de ce que perd d'habitude son "
        "étape (sorties et appels à l'aide, rebonds, ou avis négatifs), au bas de l'intervalle "
        "de confiance à {0} : 0 quand l'écart peut tenir au hasard.",
        "A point's score counts the passages lost beyond what its stage usually loses (exits "
        "and calls for help, bounces, or negative feedback), at the low end of the {0} "
        "confidence interval: 0 when the gap may be chance.",
    ),
    "kpis.reach": (
        "Portée : part des personnes qui passent par ce point ; conversion et taux de sortie : "
        "parts des parcours qui y passent.",
        "Reach: share of the persons who pass through this point; conversion and exit rate: "
        "shares of the journeys that pass through it.",
    ),
    "funnel.window": (
        "Chaque personne a {1} depuis la première étape ; elle compte une fois, à l'étape la "
        "plus lointaine atteinte.",
        "Each person has {1} from the first step; they count once, at the furthest step reached.",
    ),
    "funnel.window_journeys": (
        "Chaque parcours a {1} depuis la première étape ; il compte une fois, à l'étape la plus "
        "lointaine atteinte ; les colonnes « personnes » comptent des parcours.",
        "Each journey has {1} from the first step; it counts once, at the furthest step "
        "reached; the columns named persons count journeys.",
    ),
    "funnel.window_attempts": (
        "Chaque conversion compte : une tentative s'arrête à chaque événement de la dernière "
        "étape ; elle a {1} depuis sa première étape et compte une fois, à l'étape la plus "
        "lointaine atteinte ; les colonnes « personnes » comptent des tentatives.",
        "Every conversion counts: an attempt ends at each event of the last step; it has {1} "
        "from its first step and counts once, at the furthest step reached; the columns named "
        "persons count attempts.",
    ),
    "funnel.optional": (
        "Étapes facultatives : {0}. On peut les sauter : l'étape suivante compte aussi ceux qui "
        "les ont sautées, et se compare à la dernière étape obligatoire.",
        "Optional steps: {0}. They may be skipped: the next step also counts those who skipped "
        "them, and is compared with the last required step.",
    ),
    "funnel.step_window": (
        "{0} compte seulement dans un délai de {1} après l'étape d'avant.",
        "{0} counts only within {1} of the step before it.",
    ),
    "paths.conversion": (
        "Conversion : part des parcours qui suivent ce chemin et arrivent au bout.",
        "Conversion: share of the journeys on this path that get to the end.",
    ),
    "paths.nonlinear": (
        "Boucle : un point de contact revient après un autre ; retour en arrière : vers une "
        "étape antérieure de la carte ; saut : par-dessus au moins une étape.",
        "Loop: a touchpoint comes back after another one; going back: to an earlier stage of "
        "the map; skip: over at least one stage.",
    ),
    "conformance.move": (
        "Un changement d'étape est le passage d'une étape à une autre entre deux événements ; "
        "rester dans une étape est toujours permis.",
        "A stage change is a move from one stage to another between two events; staying in a "
        "stage is always allowed.",
    ),
    "conformance.fitness": (
        "Conformité d'un parcours : part de ses changements d'étape prévus par la carte (1 s'il "
        "n'en a aucun) ; {0} parcours ne changent jamais d'étape.",
        "A journey's fitness: the share of its stage changes the map designed (1 with none); "
        "{0} journeys never change stage.",
    ),
    "channels.offline": (
        "Canaux physiques : {0} ; tous les autres sont en ligne.",
        "Physical channels: {0}; every other channel is online.",
    ),
    "channels.all_online": (
        "Aucun canal physique dans la carte : tous les canaux sont en ligne.",
        "No physical channel in the map: every channel is online.",
    ),
    "channels.reading": (
        "Niveau atteint : le plus haut de un seul canal, multicanal, cross-canal et omnicanal "
        "qu'atteignent au moins {0} des personnes.",
        "Level reached: the highest of single channel, multichannel, cross-channel and "
        "omnichannel that at least {0} of persons reach.",
    ),
    "voice.small": (
        "{0} groupes ont moins de 30 réponses : leurs chiffres sont fragiles.",
        "{0} groups have fewer than 30 answers: their figures are fragile.",
    ),
    "voice.small.one": (  # the note said of one group (present.notes)
        "1 groupe a moins de 30 réponses : ses chiffres sont fragiles.",
        "1 group has fewer than 30 answers: its figures are fragile.",
    ),
    "retention.purchase": (
        "Une conversion par personne et par jour au plus.",
        "At most one conversion per person and day.",
    ),
    "retention.repeat": (
        "Taux de retour : part des clients qui reviennent au moins un autre jour.",
        "Return rate: share of the customers who come back on at least one other day.",
    ),
    # the cohort and lifecycle tables' and the heatmap's mark: a period holding the data's
    # last day
    "retention.partial": ("* période en cours : pas encore terminée", "* period not over yet"),
    "retention.clv": (
        "Valeur future prévue : le chiffre d'affaires qu'un client devrait encore apporter dans "
        "les {0} prochains mois, selon un modèle de ses achats (BG/NBD) et de leur montant "
        "(Gamma-Gamma), actualisé ; ce qu'il a déjà dépensé n'y est pas. Le modèle tient un "
        "client qui n'a acheté qu'une fois pour toujours actif, et lit un long silence après des "
        "achats fréquents comme un départ probable : un bon client devenu silencieux peut y "
        "valoir moins qu'un nouveau.",
        "Predicted future value: the revenue a customer is expected to bring in the next {0} "
        "months, from a model of their purchases (BG/NBD) and of their amounts (Gamma-Gamma), "
        "discounted; what they have already spent is not in it. The model takes a customer who "
        "bought once as still active, and reads a long silence after frequent purchases as a "
        "likely departure: a good customer gone quiet may be worth less there than a new one.",
    ),
    "personas.declared": (
        "Personas : les règles de la carte appliquées à la dernière fiche client de chaque "
        "personne ; (sans persona) : aucune règle ne s'applique.",
        "Personas: the map's rules applied to each person's latest customer record; (no "
        "persona): no rule applies.",
    ),
    "compare.default": (
        "Par défaut : le dernier mois complet terminé au moins un délai d'inactivité avant le "
        "dernier événement (B : ses parcours ont eu le temps de finir), face au mois d'avant "
        "(A).",
        "By default: the last full month that ended one journey timeout or more before the "
        "last event (B: its journeys have had the time to end), against the month before (A).",
    ),
    "compare.periods": (
        "Les parcours d'une période sont ceux qui y commencent ; les plus récents ont eu moins "
        "de temps pour convertir.",
        "A period's journeys are those that start in it; the latest ones have had less time "
        "to convert.",
    ),
    # attribution: what each model credits, in words ("contact": a touchpoint, or its channel)
    "attribution.credit": (
        "Chaque modèle partage autrement les mêmes conversions entre les canaux ou points de "
        "contact : chaque colonne fait le total des conversions attribuées.",
        "Each model shares the same conversions differently among the channels or "
        "touchpoints: each column adds up to the conversions credited.",
    ),
    "attribution.paths": (
        "Contacts : les points de contact (ou leurs canaux) d'un parcours avant sa conversion, "
        "qui elle-même n'est jamais créditée ; les parcours sans conversion, même en cours, "
        "comptent comme non convertis.",
        "Touches: a journey's touchpoints (or their channels) before its conversion, which is "
        "never credited itself; journeys without a conversion, open ones included, count as "
        "not converted.",
    ),
    "attribution.first_touch": (
        "Premier contact : toute la conversion revient au premier contact du parcours.",
        "First touch: the whole conversion goes to the journey's first touch.",
    ),
    "attribution.last_touch": (
        "Dernier contact : toute la conversion revient au dernier contact avant elle.",
        "Last touch: the whole conversion goes to the last touch before it.",
    ),
    "attribution.linear": (
        "Linéaire : la conversion est partagée à parts égales entre tous les contacts du "
        "parcours (un canal rencontré deux fois reçoit deux parts).",
        "Linear: the conversion is shared equally by all the touches of the journey (a "
        "channel met twice gets two shares).",
    ),
    "attribution.position": (
        "En U : {0} de la conversion au premier contact, {1} au dernier, le reste partagé à "
        "parts égales entre les contacts du milieu.",
        "Position-based: {0} of the conversion to the first touch, {1} to the last, the rest "
        "shared equally by the touches in between.",
    ),
    "attribution.time_decay": (
        "Décroissance : la conversion est partagée entre les contacts, d'autant plus largement "
        "qu'ils en sont proches ; la demi-vie ({0}) est le délai avant la conversion au bout "
        "duquel le poids d'un contact est divisé par deux.",
        "Time decay: the conversion is shared among the touches, the more so the closer they "
        "are to it; the half-life ({0}) is the time before the conversion after which a "
        "touch's weight is halved.",
    ),
    "attribution.markov": (
        "Markov : chaque canal ou point de contact reçoit une part des conversions à la mesure de celles qu'on "
        "perdrait si on le retirait des parcours ; la mémoire des chemins ({0}) est le nombre "
        "de contacts précédents dont le modèle tient compte pour prévoir le suivant.",
        "Markov: each channel or touchpoint gets a share of the conversions in proportion to those that "
        "would be lost if it were taken out of the journeys; the path memory ({0}) is how "
        "many earlier touches the model takes into account to foresee the next one.",
    ),
    "attribution.markov.one": (
        "Markov : chaque canal ou point de contact reçoit une part des conversions à la mesure de celles qu'on "
        "perdrait si on le retirait des parcours ; la mémoire des chemins (1) veut dire que le "
        "modèle prévoit chaque contact d'après le précédent seulement.",
        "Markov: each channel or touchpoint gets a share of the conversions in proportion to those that "
        "would be lost if it were taken out of the journeys; a path memory of 1 means the "
        "model foresees each touch from the one before only.",
    ),
    "attribution.shapley": (
        "Shapley : chaque conversion est partagée à parts égales entre les canaux (ou points de "
        "contact) différents de son parcours, que chacun y revienne une fois ou plusieurs (le "
        "partage équitable d'un gain entre coéquipiers).",
        "Shapley: each conversion is shared equally by the distinct channels (or touchpoints) "
        "of its journey, whether each comes back once or more (the fair sharing of a gain "
        "between team-mates).",
    ),
    # process map: its process-mining words
    "process.case_person": (
        "Cas : ce que le graphe suit du début à la fin ; ici une personne, avec tous ses "
        "événements, quel que soit le découpage de ses parcours.",
        "Case: what the graph follows from start to end; here a person, with all their "
        "events, however their journeys are cut.",
    ),
    "process.case_journey": (
        "Cas : ce que le graphe suit du début à la fin ; ici un parcours, c'est-à-dire les "
        "événements d'une personne jusqu'à une conversion ou une longue pause.",
        "Case: what the graph follows from start to end; here a journey, that is a person's "
        "events up to a conversion or a long pause.",
    ),
    "process.case_column": (
        "Cas : ce que le graphe suit du début à la fin ; ici les événements qui ont la même "
        "valeur de « {0} » (un numéro de commande ou de dossier, par exemple).",
        "Case: what the graph follows from start to end; here the events that share one "
        "value of '{0}' (an order or file number, for instance).",
    ),
    "process.share": (
        "Nombre : les passages directs d'un point au suivant (un cas qui le fait deux fois "
        "compte deux fois) ; part : leur part parmi tous les passages qui quittent ce point.",
        "Count: the direct moves from one point to the next (a case doing it twice counts "
        "twice); share: their part of all the moves leaving that point.",
    ),
    "process.variant": (
        "Variante : la suite complète des points par lesquels passe un cas, du début à la "
        "fin ; deux cas qui passent par les mêmes points dans le même ordre suivent la même "
        "variante.",
        "Variant: the whole sequence of points a case goes through, start to end; two cases "
        "through the same points in the same order follow the same variant.",
    ),
    "process.coverage": (
        "Couverture : la part des cas que le graphe dessine ; à 100 %, tous ; en dessous, "
        "seulement ceux des variantes (ou des enchaînements) les plus fréquentes qui en "
        "réunissent au moins cette part.",
        "Coverage: the share of the cases the graph draws; at 100%, all of them; below, only "
        "those of the most frequent variants (or transitions) that hold at least that share.",
    ),
    "process.kept_variants": (
        "Couverture de {0} : le graphe dessine les cas des {1} variantes les plus fréquentes.",
        "Coverage of {0}: the graph draws the cases of the {1} most frequent variants.",
    ),
    "process.kept_edges": (
        "Couverture de {0} : le graphe dessine les cas qui ne passent que par les {1} "
        "enchaînements les plus fréquents.",
        "Coverage of {0}: the graph draws the cases that take only the {1} most frequent "
        "transitions.",
    ),
    # voice of the customer: what each score is and which way is good
    "voice.nps": (
        "NPS : part des notes 9 et 10 moins part des notes 0 à 6 (sur 10), de −100 à +100 ; "
        "plus il est haut, mieux c'est.",
        "NPS: share of 9 and 10 answers minus share of 0 to 6 (out of 10), from −100 to +100; "
        "the higher, the better.",
    ),
    "voice.csat": (
        "Satisfaction (CSAT) : part des réponses 4 ou 5 sur une échelle de 1 à 5 ; plus elle "
        "est haute, mieux c'est.",
        "Satisfaction (CSAT): share of 4 or 5 answers on a 1 to 5 scale; the higher, the better.",
    ),
    "voice.ces": (
        "Effort (CES) : l'effort moyen que les clients disent avoir fourni, de 1 (faible) à 7 "
        "(fort) ; plus il est bas, mieux c'est.",
        "Effort (CES): the mean effort customers say they made, from 1 (low) to 7 (high); the "
        "lower, the better.",
    ),
    "voice.rating": (
        "Note : la note moyenne des avis, de 1 à 5 étoiles ; une case vide : aucune réponse de "
        "ce type.",
        "Rating: the mean rating of the reviews, from 1 to 5 stars; an empty cell: no answer "
        "of that kind.",
    ),
    "voice.sentiment": (
        "Ton : le ton des commentaires, lu dans leurs mots, de −1 (très négatif) à +1 (très "
        "positif), neutre autour de 0 ; part négative : part des commentaires au ton négatif.",
        "Tone: the tone of the comments, read from their words, from −1 (very negative) to +1 "
        "(very positive), neutral around 0; negative share: share of the comments with a "
        "negative tone.",
    ),
    "voice.emotion": (
        "Courbe d'émotion : à chaque étape, l'émotion mesurée de −2 à +2 (les notes, ou à "
        "défaut le ton des commentaires, ramenés à cette échelle) à côté de celle que prévoit "
        "la carte, qui la remplace quand rien n'est mesuré.",
        "Emotion curve: at each stage, the emotion measured from −2 to +2 (the scores, or else "
        "the tone of the comments, brought to that scale) beside the one the map designed, "
        "which stands in when nothing is measured.",
    ),
}

RESULTS.update(_part("note", NOTES))

# A result read from the store that was computed on earlier data (Result.as_of: asked with
# --max-age, or on a dashboard page); {age} "3 min", {moment} "1 décembre 2026 à 14:05 UTC".
AS_OF: dict[str, Pair] = {
    "many": (
        "Calculé il y a {age} ({moment}) sur les données d'alors : {events} événements sont "
        "arrivés depuis.",
        "Computed {age} ago ({moment}) on the data of then: {events} events have arrived since.",
    ),
    "one": (
        "Calculé il y a {age} ({moment}) sur les données d'alors : 1 événement est arrivé depuis.",
        "Computed {age} ago ({moment}) on the data of then: 1 event has arrived since.",
    ),
    "other": (  # the data moved on without new events (customers, feedback)
        "Calculé il y a {age} ({moment}), avant les dernières données chargées.",
        "Computed {age} ago ({moment}), before the latest data was loaded.",
    ),
    # the same in a report, read long after it was written: no age, the moment only
    "written.many": (
        "Calculé le {moment} sur les données d'alors : {events} événements étaient arrivés "
        "depuis quand ce rapport a été écrit.",
        "Computed on {moment} on the data of then: {events} events had arrived since when "
        "this report was written.",
    ),
    "written.one": (
        "Calculé le {moment} sur les données d'alors : 1 événement était arrivé depuis quand "
        "ce rapport a été écrit.",
        "Computed on {moment} on the data of then: 1 event had arrived since when this report "
        "was written.",
    ),
    "written.other": (
        "Calculé le {moment}, avant les dernières données chargées quand ce rapport a été écrit.",
        "Computed on {moment}, before the latest data loaded when this report was written.",
    ),
}
RESULTS.update(_part("as_of", AS_OF))
