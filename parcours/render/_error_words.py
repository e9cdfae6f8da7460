"""The error messages of the analyses and the API, in French and English: a part of the one
table of :mod:`parcours.render.i18n`.

An analysis raises :class:`parcours.errors.InputError` with an English message (the CLI's
``--format json``, logs and tests read it as written). Each entry here is ``key: (French,
English pattern)``: the English pattern is the message with ``{}`` where the analysis puts a
value, exactly as its source writes it (tests/render/test_error_words.py reads every
``raise InputError(...)`` of the analyses and checks that it has an entry); the French text
says the same with ``{0}``, ``{1}``... for the values, in any order, and ``{{``/``}}`` for a
literal brace. The values (field names, what is allowed, what was given) are shown as
written, so a reader can copy them into the command or the form.
:func:`parcours.render.present.error_text` puts a message into the reader's language.
"""

from __future__ import annotations

from parcours.render._reason_words import ROW_REASONS
from parcours.render._workspace_error_words import WORKSPACE_ERRORS

Pair = tuple[str, str]  # (fr, en pattern)

ANALYSIS_ERRORS: dict[str, Pair] = {
    # -- shared ---------------------------------------------------------------------------
    "unknown_analysis": (
        "analyse « {0} » inconnue ; analyses : {1}",
        "unknown analysis '{}'; analyses: {}",
    ),
    "unknown_parameter": (
        "{0} : paramètre inconnu {1} ; paramètres : {2}",
        "{}: unknown parameter {}; parameters: {}",
    ),
    "level": (
        "{0} : le niveau « {1} » n'existe pas ; possibles : {2}",
        "{}: level '{}' is not known; allowed: {}",
    ),
    "share": (
        "{0} : {1} doit être une part au-dessus de 0 et d'au plus 1, et non {2}",
        "{}: {} must be a share above 0 and at most 1, got {}",
    ),
    "confidence": (
        "le niveau de confiance {0} n'est pas permis : donnez un niveau entre 0 et 1",
        "confidence {} is not allowed: give a level between 0 and 1",
    ),
    "by_column": (
        "by : « {0} » n'est pas une colonne de la table des parcours ; colonnes : {1}",
        "by: '{}' is not a column of the journey table; columns: {}",
    ),
    "by_groups": (
        "by : « {0} » a {1} valeurs ; {2} groupes au plus sont permis",
        "by: '{}' has {} values; at most {} groups are allowed",
    ),
    "step_text": ("l'étape {0} n'est pas du texte ; écrivez {1}", "step {} is not text; write {}"),
    "step_read": ("l'étape {0} est illisible ; écrivez {1}", "step {} cannot be read; write {}"),
    "step_read_syntax": (
        "l'étape {0} est illisible ; écrivez l'identifiant d'un point de contact ou d'une étape, "
        "ou le nom d'un événement, précédé au besoin de touchpoint:, stage: ou event: et suivi "
        "de filtres comme [clé=valeur] ou [clé=v1|v2] (la clé channel filtre le canal de "
        "l'événement)",
        "step {} cannot be read; write a touchpoint id, a stage id or an event name, optionally "
        "prefixed with touchpoint:, stage: or event: and followed by filters such as [key=value] "
        "or [key=v1|v2] (the key channel filters the event's channel)",
    ),
    "step_filter": (
        "étape {0} : le filtre {1} est illisible ; écrivez [clé=valeur] ou [clé=valeur1|valeur2]",
        "step {}: filter {} cannot be read; write [key=value] or [key=value1|value2]",
    ),
    "step_unknown_step": (
        "l'étape {0} : {1} n'est ni un point de contact, ni une étape, ni un événement vu dans "
        "les données ; points de contact : {2} ; étapes : {3} ; événements : {4}",
        "step {}: {} is not a touchpoint, a stage or an event seen in the data; touchpoints: "
        "{}; stages: {}; events: {}",
    ),
    "step_unknown_exclusion": (
        "l'exclusion {0} : {1} n'est ni un point de contact, ni une étape, ni un événement vu "
        "dans les données ; points de contact : {2} ; étapes : {3} ; événements : {4}",
        "exclusion {}: {} is not a touchpoint, a stage or an event seen in the data; "
        "touchpoints: {}; stages: {}; events: {}",
    ),
    "step_unknown": (
        "{0} {1} : {2} n'est ni un point de contact, ni une étape, ni un événement vu dans les "
        "données ; points de contact : {3} ; étapes : {4} ; événements : {5}",
        "{} {}: {} is not a touchpoint, a stage or an event seen in the data; touchpoints: {}; "
        "stages: {}; events: {}",
    ),
    "duration_invalid": (
        "la durée {0} n'est pas valide : écrivez {1}",
        "duration {} is not valid: write {}",
    ),
    "duration_invalid_syntax": (
        "la durée {0} n'est pas valide : écrivez un nombre suivi de s, m, h, j (ou d) ou w, "
        "par ex. 30j, 12h, 45m ou 1j12h",
        "duration {} is not valid: write a number followed by s, m, h, d or w, e.g. 30d, 12h, "
        "45m or 1d12h",
    ),
    "duration_zero": ("la durée {0} est nulle : écrivez {1}", "duration {} is zero: write {}"),
    "currency": (
        "devise {0} inconnue : écrivez un code ISO 4217 comme EUR, USD ou GBP",
        "currency {} is not known: write an ISO 4217 code such as EUR, USD or GBP",
    ),
    "duration_zero_syntax": (
        "la durée {0} est nulle : écrivez un nombre suivi de s, m, h, j (ou d) ou w, par ex. "
        "30j, 12h, 45m ou 1j12h",
        "duration {} is zero: write a number followed by s, m, h, d or w, e.g. 30d, 12h, 45m or "
        "1d12h",
    ),
    "duration_long": (
        "la durée {0} dépasse 100 ans (36525j) : écrivez {1}",
        "duration {} is longer than 100 years (36525d): write {}",
    ),
    "duration_long_syntax": (
        "la durée {0} dépasse 100 ans (36525j) : écrivez un nombre suivi de s, m, h, j (ou d) "
        "ou w, par ex. 30j, 12h, 45m ou 1j12h",
        "duration {} is longer than 100 years (36525d): write a number followed by s, m, h, d "
        "or w, e.g. 30d, 12h, 45m or 1d12h",
    ),
    "duration_write": (
        "la durée {0} ne peut pas s'écrire : il faut un nombre positif de secondes",
        "duration {} cannot be written: it must be a positive number of seconds",
    ),
    # -- attribution ----------------------------------------------------------------------
    "attribution.models": (
        "attribution : modèles {0} inconnus ; possibles : {1}",
        "attribution: models {} not known; allowed: {}",
    ),
    "attribution.time_decay": (
        "attribution : le modèle time_decay a besoin de l'heure de chaque contact, qu'une "
        "table de chemins n'a pas ; possibles avec des chemins : {0}",
        "attribution: models time_decay needs the touches' timestamps, which a paths table "
        "does not hold; allowed with paths: {}",
    ),
    "attribution.order": (
        "attribution : l'ordre {0} n'est pas permis ; possibles : de 1 à {1}",
        "attribution: order {} not allowed; allowed: 1 to {}",
    ),
    "attribution.position": (
        "attribution : position_first {0} et position_last {1} ne sont pas permis ; il faut "
        "des parts >= 0 dont la somme fait au plus 1 (par ex. 0.4 et 0.4)",
        "attribution: position_first {} and position_last {} not allowed; allowed: shares >= 0 "
        "whose sum is at most 1 (e.g. 0.4 and 0.4)",
    ),
    "attribution.choice": (
        "attribution : {0} « {1} » n'existe pas ; possibles : {2}",
        "attribution: {} '{}' not known; allowed: {}",
    ),
    "attribution.paths_column": (
        "attribution : la table des chemins n'a pas de colonne {0} ; noms possibles : {1} "
        "(colonnes : {2})",
        "attribution: paths table has no {} column; allowed names: {} (columns: {})",
    ),
    "attribution.numbers": (
        "attribution : la colonne {0} de la table des chemins doit contenir des nombres >= 0 ; "
        "la ligne {1} contient {2}",
        "attribution: column {} of the paths table must hold numbers >= 0; row {} holds {}",
    ),
    "attribution.paths_file": (
        "attribution : paths_file {0} n'est pas un fichier",
        "attribution: paths_file {} is not a file",
    ),
    "attribution.paths": (
        "attribution : la colonne {0} de la table des chemins doit contenir des chemins : du "
        "texte comme « a {1} b », ou des listes de noms ({2})",
        "attribution: column {} of the paths table must hold paths; allowed: text such as "
        "'a {} b', or lists of names ({})",
    ),
    # -- channels -------------------------------------------------------------------------
    "channels.threshold": (
        "channels : threshold doit être dans ]0, 1] ; reçu {0}",
        "channels: threshold must be in (0, 1]; got {}",
    ),
    "channels.research": (
        "channels : research nomme {0}, ni point de contact, ni étape, ni événement, ni canal ; "
        "points de contact : {1} ; étapes : {2} ; canaux : {3}",
        "channels: research names {}, not a touchpoint, stage, event or channel; touchpoints: "
        "{}; stages: {}; channels: {}",
    ),
    "channels.offline": (
        "channels : offline nomme {0}, dont aucun n'est un canal de la carte ou des données ; "
        "canaux : {1}",
        "channels: offline names {}, none of which is a channel of the map or the data; "
        "channels: {}",
    ),
    # -- compare --------------------------------------------------------------------------
    "compare.one_pair": (
        "compare : donnez une seule paire à comparer : period_a et period_b "
        "(2026-01-01..2026-03-31), segment_a et segment_b (persona=ropo), ou map_version_a et "
        "map_version_b (versions enregistrées de la carte) ; reçu {0}",
        "compare: give exactly one pair to compare: period_a and period_b "
        "(2026-01-01..2026-03-31), segment_a and segment_b (persona=ropo), or map_version_a and "
        "map_version_b (saved map versions); got {}",
    ),
    "compare.both": (
        "compare : donnez {0}_a et {1}_b à la fois",
        "compare: give both {}_a and {}_b",
    ),
    "compare.period": (
        "compare : {0} {1} n'est pas une période ; écrivez PREMIER..DERNIER jour, par ex. "
        "2026-01-01..2026-03-31",
        "compare: {} {} is not a period; write FIRST..LAST days, e.g. 2026-01-01..2026-03-31",
    ),
    "compare.backwards": (
        "compare : {0} {1} finit avant de commencer",
        "compare: {} {} ends before it starts",
    ),
    "compare.no_day": (
        "compare : {0} {1} contient un jour qui n'existe pas",
        "compare: {} {} holds a day that does not exist",
    ),
    "compare.version": (
        "compare : {0} {1} : la carte « {2} » n'a pas cette version enregistrée ; versions : {3}",
        "compare: {} {}: map '{}' has no such saved version; versions: {}",
    ),
    "compare.identities": (
        "compare : comparer des versions de la carte demande les identités de l'espace de travail",
        "compare: map versions need the workspace's identities in the context",
    ),
    "compare.confidence": (
        "compare : le niveau de confiance {0} n'est pas permis ; donnez un niveau de 0.5 à "
        "moins de 1",
        "compare: confidence {} is not allowed; give a level from 0.5 to below 1",
    ),
    "compare.no_events": (
        "compare : aucun événement, donc aucune période à comparer",
        "compare: no events, so no periods to compare",
    ),
    "compare.default": (
        "compare : les données vont du {0} au {1} ; par défaut, la comparaison porte sur le "
        "dernier mois complet terminé au moins un délai d'inactivité ({2}) avant le dernier "
        "événement et sur le mois d'avant, et demande donc des données du {3} au {4} ; donnez "
        "period_a et period_b",
        "compare: the data runs from {} to {}; the default compares the last full calendar "
        "month that ended one journey timeout ({}) or more before the last event with the "
        "month before, so it needs data from {} to {}; give period_a and period_b",
    ),
    "compare.segment": (
        "compare : {0} {1} n'est pas un segment ; écrivez clé=valeur, séparés par des "
        "virgules, clés : {2} (par ex. persona=ropo)",
        "compare: {} {} is not a segment; write key=value joined with ',', keys: {} (e.g. "
        "persona=ropo)",
    ),
    "compare.segment_value": (
        "compare : {0} : {1} « {2} » n'est pas dans la carte ; {3} possibles : {4}",
        "compare: {}: {} '{}' is not in the map; {}s: {}",
    ),
    # -- conformance ----------------------------------------------------------------------
    "conformance.flow": (
        "conformance : la carte n'a pas de flow ; ajoutez les enchaînements d'étapes prévus, "
        "par ex. flow: [[{0}]]",
        "conformance: the map has no flow; add the designed stage transitions, e.g. flow: [[{}]]",
    ),
    "conformance.top": (
        "conformance : top doit valoir au moins 1, et non {0}",
        "conformance: top must be at least 1, got {}",
    ),
    "conformance.examples": (
        "conformance : examples doit valoir 0 ou plus, et non {0}",
        "conformance: examples must be 0 or more, got {}",
    ),
    # -- frictions ------------------------------------------------------------------------
    "frictions.level": (
        "frictions : le niveau « {0} » n'existe pas ; possibles : touchpoint, stage",
        "frictions: level '{}' is not known; allowed: touchpoint, stage",
    ),
    "frictions.confidence": (
        "frictions : le niveau de confiance {0} n'est pas permis ; donnez un niveau de 0.5 à "
        "moins de 1, par ex. 0.95",
        "frictions: confidence {} is not allowed; give a level from 0.5 to below 1, e.g. 0.95",
    ),
    "frictions.baseline": (
        "frictions : la référence « {0} » n'existe pas ; possibles : stage_channel, stage",
        "frictions: baseline '{}' is not known; allowed: stage_channel, stage",
    ),
    "frictions.min_journeys": (
        "frictions : min_journeys {0} n'est pas permis ; donnez 1 ou plus",
        "frictions: min_journeys {} is not allowed; give 1 or more",
    ),
    "frictions.top": (
        "frictions : top {0} n'est pas permis ; donnez 1 ou plus",
        "frictions: top {} is not allowed; give 1 or more",
    ),
    "frictions.contacts": (
        "frictions : contacts {0} n'est pas dans la carte ; donnez des identifiants de points de "
        "contact, d'étapes ou de canaux : points de contact {1} ; étapes {2} ; canaux {3}",
        "frictions: contacts {} not in the map; give touchpoint, stage or channel ids: "
        "touchpoints {}; stages {}; channels {}",
    ),
    # -- funnel ---------------------------------------------------------------------------
    "funnel.correlation": (
        "funnel : correlation {0} n'existe pas ; possibles : event, touchpoint, persona, "
        "property:CLÉ",
        "funnel: correlation {} is not known; allowed: event, touchpoint, persona, property:KEY",
    ),
    "funnel.breakdown_attribution": (
        "funnel : breakdown_attribution {0} n'existe pas ; possibles : first_touch, last_touch, "
        "step:N avec N de 1 à {1}",
        "funnel: breakdown_attribution {} is not known; allowed: first_touch, last_touch, "
        "step:N with N from 1 to {}",
    ),
    "funnel.breakdown": (
        "funnel : breakdown {0} n'existe pas ; possibles : channel, touchpoint, stage, event, "
        "persona, property:CLÉ (une propriété des événements), customer:CLÉ (un attribut du CRM)",
        "funnel: breakdown {} is not known; allowed: channel, touchpoint, stage, event, "
        "persona, property:KEY (an event property), customer:KEY (a CRM attribute)",
    ),
    "funnel.order": (
        "funnel : l'ordre {0} n'existe pas ; possibles : {1}",
        "funnel: order {} is not known; allowed: {}",
    ),
    "funnel.steps": (
        "funnel : steps demande au moins deux étapes (identifiants de points de contact, "
        "d'étapes ou noms d'événements)",
        "funnel: steps needs at least two steps (touchpoint ids, stage ids or event names)",
    ),
    "funnel.interval": (
        "funnel : l'intervalle {0} n'existe pas ; possibles : {1}",
        "funnel: interval {} is not known; allowed: {}",
    ),
    "funnel.unit": (
        "funnel : l'unité {0} n'existe pas ; possibles : {1}",
        "funnel: unit {} is not known; allowed: {}",
    ),
    "funnel.optional_first": (
        "funnel : l'étape 1 {0} ne peut pas être facultative : une tentative commence à "
        "l'étape 1 ; marquez d'un ? une étape suivante (par ex. panier debut_commande? paiement)",
        "funnel: step 1 {} cannot be optional: an attempt starts at step 1; mark a later step "
        "with ? (e.g. panier debut_commande? paiement)",
    ),
    "funnel.optional_last": (
        "funnel : la dernière étape {0} ne peut pas être facultative : l'atteindre, c'est "
        "convertir ; marquez d'un ? une étape entre la première et la dernière",
        "funnel: the last step {} cannot be optional: reaching it is the conversion; mark a "
        "step between the first and the last with ?",
    ),
    "funnel.optional_order": (
        "funnel : les étapes facultatives (étape?) ne sont permises que dans les entonnoirs "
        "ordered et strict ; retirez le ? ou utilisez --order ordered",
        "funnel: optional steps (step?) are allowed in ordered and strict funnels only; drop "
        "the ? or use --order ordered",
    ),
    "funnel.step_windows_order": (
        "funnel : step_windows n'est permis que dans les entonnoirs ordered et strict ; "
        "retirez --step-windows ou utilisez --order ordered",
        "funnel: step_windows are allowed in ordered and strict funnels only; drop "
        "--step-windows or use --order ordered",
    ),
    "funnel.exclusions_order": (
        "funnel : les exclusions ne sont permises que dans les entonnoirs ordered et strict ; "
        "retirez --exclusions ou utilisez --order ordered",
        "funnel: exclusions are allowed in ordered and strict funnels only; drop --exclusions "
        "or use --order ordered",
    ),
    "funnel.exclusion_mode": (
        "funnel : exclusion_mode {0} n'existe pas ; possibles : drop (la tentative ne compte "
        "pas), cut (elle compte jusqu'à l'événement exclu)",
        "funnel: exclusion_mode {} is not known; allowed: drop (the attempt does not count), "
        "cut (it counts up to the excluded event)",
    ),
    "funnel.correlation_unit": (
        "funnel : la corrélation compare des personnes ; elle n'est pas disponible avec l'unité "
        "{0} : retirez --correlation ou utilisez --unit persons",
        "funnel: correlation compares persons; it is not available with unit {}: drop "
        "--correlation or use --unit persons",
    ),
    "funnel.step_window": (
        "funnel : le délai d'étape {0} est illisible ; écrivez N=DURÉE, N un numéro d'étape de "
        "2 à {1} donné une fois (le temps permis depuis l'étape d'avant), par ex. 2=1h,4=30m",
        "funnel: step window {} cannot be read; write N=DURATION, N a step number from 2 to {} "
        "given once (the time allowed since the step before it), e.g. 2=1h,4=30m",
    ),
    "funnel.exclusion": (
        "funnel : exclusion {0} : les étapes {1}:{2} ne sont pas valides ; écrivez "
        "ÉVÉNEMENT:DE:À avec 1 <= DE < À <= {3}, ou ÉVÉNEMENT seul pour tout l'entonnoir",
        "funnel: exclusion {}: steps {}:{} are not valid; write EVENT:FROM:TO with 1 <= FROM < "
        "TO <= {}, or EVENT alone for the whole funnel",
    ),
    "funnel.customers": (
        "funnel : breakdown customer:CLÉ demande les fiches clients de l'espace de travail",
        "funnel: breakdown customer:KEY needs the workspace's customers",
    ),
    "funnel.unordered_breakdown": (
        "funnel : un entonnoir unordered lit les découpages par événement au premier contact "
        "seulement ; utilisez breakdown_attribution first_touch",
        "funnel: an unordered funnel reads event-level breakdowns on the first touch only; use "
        "breakdown_attribution first_touch",
    ),
    "funnel.as_of": (
        "funnel : as_of {0} n'est pas une date ; écrivez par ex. 2026-03-31 ou 2026-03-31T18:00",
        "funnel: as_of {} is not a date; write e.g. 2026-03-31 or 2026-03-31T18:00",
    ),
    # -- kpis, paths ----------------------------------------------------------------------
    "kpis.level": (
        "kpis : le niveau « {0} » n'existe pas ; possibles : touchpoint, stage",
        "kpis: level '{}' is not known; allowed: touchpoint, stage",
    ),
    "paths.point": (
        "paths : {0} « {1} » n'est pas un {2} de la carte ; possibles : {3}",
        "paths: {} '{}' is not a {} of the map; allowed: {}",
    ),
    "paths.length": (
        "paths : length doit valoir au moins 1, et non {0}",
        "paths: length must be at least 1, got {}",
    ),
    "paths.top": (
        "paths : top doit valoir au moins 1, et non {0}",
        "paths: top must be at least 1, got {}",
    ),
    # -- personas -------------------------------------------------------------------------
    "personas.few": (
        "personas : former des groupes demande au moins 3 personnes ; il y en a {0}",
        "personas: clustering needs at least 3 persons, found {}",
    ),
    "personas.k_persons": (
        "personas : k doit aller de 2 au nombre de personnes, et non {0}",
        "personas: k must be from 2 to the number of persons, not {}",
    ),
    "personas.k": (
        "personas : k doit aller de 2 à 20, et non {0}",
        "personas: k must be from 2 to 20, not {}",
    ),
    "personas.compare_two": (
        "personas : compare prend deux identifiants de personas différents ; reçu {0} : {1}",
        "personas: compare takes two different persona ids, got {}: {}",
    ),
    "personas.clusters": (
        "personas : comparer des groupes demande les groupes de ce calcul",
        "personas: comparing clusters needs the clusters of this run",
    ),
    "personas.unknown_cluster": (
        "personas : persona inconnu {0} dans compare ; possibles : {1} ou un groupe "
        "(cluster_1, cluster_2...)",
        "personas: unknown persona {} in compare; allowed: {} or a cluster id (cluster_1, "
        "cluster_2...)",
    ),
    "personas.unknown": (
        "personas : persona inconnu {0} dans compare ; possibles : {1}",
        "personas: unknown persona {} in compare; allowed: {}",
    ),
    # -- process --------------------------------------------------------------------------
    "process.case": (
        "process : « {0} » ne peut pas servir de cas ; possibles : person, journey, une colonne "
        "de la table des parcours autre que {1}, ou une propriété des événements",
        "process: case '{}' cannot be a case; allowed: person, journey, a column of the "
        "journey table other than {}, or an event property",
    ),
    "process.filter_by": (
        "process : filter_by « {0} » n'existe pas ; possibles : variants, edges",
        "process: filter_by '{}' is not known; allowed: variants, edges",
    ),
    "process.top": (
        "process : top doit valoir au moins 1, et non {0}",
        "process: top must be at least 1, got {}",
    ),
    "process.case_empty": (
        "process : case doit être person, journey, une colonne ou une propriété des événements",
        "process: case must be person, journey, a column or an event property",
    ),
    "process.case_values": (
        "process : aucun événement n'a de valeur pour le cas « {0} » ; possibles : person, "
        "journey, une colonne de la table des parcours ({1}) ou une propriété des événements",
        "process: no event has a value for case '{}'; allowed: person, journey, a column of the "
        "journey table ({}) or an event property",
    ),
    # -- retention ------------------------------------------------------------------------
    "retention.choice": (
        "retention : {0} « {1} » n'existe pas ; possibles : {2}",
        "retention: {} '{}' is not known; allowed: {}",
    ),
    "retention.horizon": (
        "retention : horizon_months {0} est hors limites ; possibles : de 1 à 240",
        "retention: horizon_months {} is out of range; allowed: 1 to 240",
    ),
    "retention.discount": (
        "retention : discount_rate {0} est hors limites ; possibles : 0 <= taux < 1 (par mois, "
        "par ex. 0.01)",
        "retention: discount_rate {} is out of range; allowed: 0 <= rate < 1 (per month, e.g. "
        "0.01)",
    ),
    "retention.rfm_bins": (
        "retention : rfm_bins {0} est hors limites ; possibles : de 2 à 10",
        "retention: rfm_bins {} is out of range; allowed: 2 to 10",
    ),
    "retention.top": (
        "retention : top {0} est négatif ; possibles : 0 ou plus",
        "retention: top {} is negative; allowed: 0 or more",
    ),
    "retention.calibration_end": (
        "retention : calibration_end « {0} » n'est pas une date ; possible : AAAA-MM-JJ (le "
        "dernier jour dont les achats sont analysés)",
        "retention: calibration_end '{}' is not a date; allowed: YYYY-MM-DD (the last day whose "
        "purchases are analysed)",
    ),
    # -- voice ----------------------------------------------------------------------------
    "voice.level": (
        "voice : le niveau « {0} » n'existe pas ; possibles : touchpoint, stage, both",
        "voice: level '{}' is not known; allowed: touchpoint, stage, both",
    ),
    "voice.confidence": (
        "voice : le niveau de confiance doit être entre 0 et 1 (par ex. 0.95), et non {0}",
        "voice: confidence must be between 0 and 1 (e.g. 0.95), not {}",
    ),
    "voice.themes": (
        "voice : themes doit aller de 1 à 20, et non {0}",
        "voice: themes must be from 1 to 20, not {}",
    ),
    "voice.top": (
        "voice : top doit valoir 0 (tous les commentaires) ou plus, et non {0}",
        "voice: top must be 0 (every verbatim) or more, not {}",
    ),
    "voice.feedback": (
        "voice : il faut la table des avis clients ; chargez-la avec `parcours ingest feedback`",
        "voice: needs the feedback table; ingest it with `parcours ingest feedback`",
    ),
}

# What the API answers in ``detail`` (parcours.api), and the dashboard's own refusals.
API_ERRORS: dict[str, Pair] = {
    "internal": (
        "{0} ; le journal du serveur a les détails",
        "{}; the server log has the details",
    ),
    "internal_page": (
        "erreur interne ({0}) ; le journal du serveur a les détails",
        "internal error ({}); the server log has the details",
    ),
    "malformed_json": (
        "JSON mal formé au caractère {0} : {1}",
        "malformed JSON at character {}: {}",
    ),
    "missing_key": (
        "envoyez une clé d'API en « Authorization: Bearer pk_... » ; créez-en une avec "
        "`parcours keys create --scope read|write|admin`",
        "send an API key as 'Authorization: Bearer pk_...'; create one with `parcours keys "
        "create --scope read|write|admin`",
    ),
    "invalid_key": (
        "cette clé d'API est inconnue ou a été révoquée",
        "this API key is unknown or was revoked",
    ),
    "scope_or_admin": (
        "il faut une clé de portée « {0} » ou « admin » ; la clé {1} a la portée « {2} » "
        "(permet : {3})",
        "this needs a key with scope '{}' or 'admin'; key {} has scope '{}' (allows: {})",
    ),
    "scope": (
        "il faut une clé de portée « {0} » ; la clé {1} a la portée « {2} » (permet : {3})",
        "this needs a key with scope '{}'; key {} has scope '{}' (allows: {})",
    ),
    "too_large": (
        "les corps {0} sont limités à {1} octets ; envoyez des lots plus petits ou relevez la "
        "limite (PARCOURS_API_BODY_LIMIT pour le JSON, PARCOURS_API_UPLOAD_LIMIT pour les "
        "fichiers)",
        "{} bodies are limited to {} bytes; send smaller batches or raise the limit "
        "(PARCOURS_API_BODY_LIMIT for JSON, PARCOURS_API_UPLOAD_LIMIT for uploads)",
    ),
    "not_utf8": ("la carte n'est pas du texte UTF-8", "the map is not UTF-8 text"),
    "json_body": (
        'un corps JSON s\'écrit {{"yaml": "<la carte en YAML>", "message": "ce qui a '
        'changé"}} : {0}',
        'a JSON body is {"yaml": "<the map as YAML>", "message": "what changed"}: {}',
    ),
    "media_type": (
        "envoyez la carte en {0} ou en application/json",
        "send the map as {} or application/json",
    ),
    "map_exists": (
        "la carte « {0} » existe ; envoyez une nouvelle version avec PUT /v1/maps/{1}",
        "map '{}' exists; send a new version with PUT /v1/maps/{}",
    ),
    "map_id": (
        "map.yaml : l'identifiant de la carte est « {0} » mais l'adresse nomme « {1} » ; ils "
        "doivent être les mêmes (pour renommer une carte, créez-la sous son nouvel identifiant)",
        "map.yaml: the map's id is '{}' but the address names '{}'; they must be the same (to "
        "rename a map, create it under its new id)",
    ),
    "map_version": (
        "la carte « {0} » n'a pas de version {1} ; versions : {2}",
        "map '{}' has no version {}; versions: {}",
    ),
    "no_map": (
        "pas de carte « {0} » dans cet espace de travail ; cartes : {1}",
        "no map '{}' in this workspace; maps: {}",
    ),
    "loopback": ("réservé à la boucle locale", "loopback only"),
    "local_credential": (
        "ce n'est pas l'accès local de ce serveur",
        "not this server's local credential",
    ),
}


# What the command line refuses before any analysis runs.
CLI_ERRORS: dict[str, Pair] = {
    "no_file": ("{0} : ce fichier n'existe pas", "{}: no such file"),
    "no_workspace": (
        "{0} : pas d'espace de travail ici ; créez-en un avec `parcours demo` ou `parcours ingest`",
        "{}: no workspace here; create one with `parcours demo` or `parcours ingest`",
    ),
    "lang": (
        "--lang « {0} » n'existe pas ; possibles : fr, en",
        "--lang '{}' is not known; allowed: fr, en",
    ),
    "persona": (
        "le persona « {0} » n'est pas un persona de la carte {1} ; possibles : {2}",
        "persona '{}' is not a persona of map {}; allowed: {}",
    ),
}


_DUPLICATE_NOUNS = (
    ("stage", "d'étape"),
    ("persona", "de persona"),
    ("channel", "de canal"),
    ("touchpoint", "de point de contact"),
    ("opportunity", "d'opportunité"),
    ("blueprint item", "d'élément du blueprint"),
)
# A metric's target as each language writes it (parcours.maps.model.METRICS).
TARGET_UNITS: dict[str, str] = {
    "a number of persons": "un nombre de personnes",
    "a rate from 0 to 1 (0.12 for 12%)": "un taux de 0 à 1 (0.12 pour 12 %)",
    "a rate from 0 to 1": "un taux de 0 à 1",
    "a score from -100 to 100": "un score de -100 à 100",
    "a share of satisfied answers from 0 to 1": "une part de réponses satisfaites de 0 à 1",
    "an average effort score from 1 to 7": "un score d'effort moyen de 1 à 7",
    "an amount of at least 0": "un montant d'au moins 0",
    "a number of days of at least 0": "un nombre de jours d'au moins 0",
}
# The stage or touchpoint that opens a sub-map (parcours.maps.nesting), as the sentence's subject.
_OPENERS = (("stage", "l'étape"), ("touchpoint", "le point de contact"))
_REGEX_EXAMPLE = "'^T0[2-4] '"

# What Typer refuses before a command runs (bad usage, a value that does not convert): its
# messages are English only (its vendored Click has no gettext), so parcours.cli says them
# through this table. Typer converts values with pydantic, whose words come through too.
USAGE_ERRORS: dict[str, Pair] = {
    "no_option": ("option inconnue : {0}", "No such option: {}"),
    "no_option_close": (
        "option inconnue : {0} (options proches : {1})",
        "No such option: {} (Possible options: {})",
    ),
    "no_command": ("commande {0} inconnue.", "No such command {}."),
    "missing_command": ("commande manquante.", "Missing command."),
    "missing_argument": ("argument {0} manquant.", "Missing argument {}."),
    "missing_option": ("option {0} manquante.", "Missing option {}."),
    "missing_argument_choose": (
        "argument {0} manquant. Choisissez parmi :\n\t{1}",
        "Missing argument {}. Choose from:\n\t{}",
    ),
    "missing_option_choose": (
        "option {0} manquante. Choisissez parmi :\n\t{1}",
        "Missing option {}. Choose from:\n\t{}",
    ),
    "missing_parameter": ("paramètre manquant : {0}", "Missing parameter: {}"),
    "invalid_for": ("valeur non valide pour {0} : {1}", "Invalid value for {}: {}"),
    "invalid": ("valeur non valide : {0}", "Invalid value: {}"),
    "value_error": ("{0}", "Value error, {}"),
    "not_one_of": ("{0} n'est pas l'un de {1}.", "{} is not one of {}."),
    "not_valid": ("la valeur {0} n'est pas un {1} valide.", "Value {} is not a valid {}."),
    "extra_arguments": ("argument(s) en trop ({0})", "Got unexpected extra argument(s) ({})"),
    "no_value": ("l'option {0} ne prend pas de valeur.", "Option {} does not take a value."),
    "needs_value": ("l'option {0} demande une valeur.", "Option {} requires an argument."),
    "needs_values": ("l'option {0} demande {1} valeurs.", "Option {} requires {} arguments."),
    "argument_values": ("l'argument {0} prend {1} valeurs.", "Argument {} takes {} values."),
    **{
        f"{kind}_{test}": (f"{french} {{0}} {verb}.", f"{kind} {{}} {english}.")
        for kind, french in (("file", "le fichier"), ("dir", "le dossier"), ("path", "le chemin"))
        for test, english, verb in (
            ("missing", "does not exist", "n'existe pas"),
            ("is_file", "is a file", "est un fichier"),
            ("is_dir", "is a directory", "est un dossier"),
            ("unreadable", "is not readable", "ne peut pas être lu"),
            ("unwritable", "is not writable", "ne peut pas être écrit"),
        )
    },
    "int": (
        "il faut un nombre entier",
        "Input should be a valid integer, unable to parse string as an integer",
    ),
    "int_fraction": (
        "il faut un nombre entier",
        "Input should be a valid integer, got a number with a fractional part",
    ),
    "float": (
        "il faut un nombre",
        "Input should be a valid number, unable to parse string as a number",
    ),
    "bool": (
        "il faut true ou false",
        "Input should be a valid boolean, unable to interpret input",
    ),
}

# A journey map that does not validate (parcours.maps.checks): the head of the message,
# then one problem per line, each translated on its own by present.error_text.
# What a persona rule may hold (parcours.maps.rules.ALLOWED, copied: this catalogue imports no
# map code, so that `parcours --help` stays light; tests/render/test_error_words.py keeps the
# two equal).
RULE_ALLOWED = (
    "attribute names, values ('text', numbers, true, false, None), lists of values, "
    "comparisons (== != < <= > >= in, not in), and, or, not, parentheses"
)
RULE_ALLOWED_FR = (
    "des noms d'attributs, des valeurs ('texte', nombres, true, false, None), des listes de "
    "valeurs, des comparaisons (== != < <= > >= in, not in), and, or, not, des parenthèses"
)

MAP_ERRORS: dict[str, Pair] = {
    # A persona rule refused (parcours.maps.rules): the rule, what was found, where.
    "rule_refused": (
        "règle {0} : interdit ici : {1} (colonne {2} : {3}) ; permis : " + RULE_ALLOWED_FR,
        "rule {}: {} is not allowed (column {}: {}); allowed: " + RULE_ALLOWED,
    ),
    "rule_empty": (
        "la règle {0} est vide ; écrivez une condition, par ex. segment == 'B2C'",
        "rule {} is empty; write a condition such as segment == 'B2C'",
    ),
    "rule_unreadable": (
        "la règle {0} est illisible (colonne {1} : {2}) ; permis : " + RULE_ALLOWED_FR,
        "rule {} cannot be read (column {}: {}); allowed: " + RULE_ALLOWED,
    ),
    "rule_not_condition": (
        "{0} là où une condition est attendue",
        "{} where a condition is expected",
    ),
    "rule_is": ("la comparaison « is »", "the comparison 'is'"),
    "rule_before": ("{0} avant « {1} »", "{} before '{}'"),
    "rule_after": ("{0} après « {1} » (écrivez une liste)", "{} after '{}' (use a list)"),
    "rule_no_attribute": ("une comparaison sans attribut", "a comparison without an attribute"),
    "rule_two_attributes": (
        "une comparaison entre deux attributs",
        "a comparison between two attributes",
    ),
    "rule_ordering": (
        "un ordre ({0}) avec true, false ou None",
        "ordering ({}) with true, false or None",
    ),
    "rule_as_value": ("{0} comme valeur", "{} as a value"),
    "rule_call": ("un appel de fonction", "a function call"),
    "rule_attribute_access": ("l'accès à un attribut (a.b)", "attribute access (a.b)"),
    "rule_arithmetic": ("un calcul (+ - * /)", "arithmetic (+ - * /)"),
    "rule_lambda": ("une fonction lambda", "a lambda function"),
    "rule_indexing": ("un accès par indice (a[0])", "indexing (a[0])"),
    "rule_attribute": ("un nom d'attribut", "an attribute name"),
    "rule_bare_value": ("une valeur seule", "a bare value"),
    "rule_list": ("une liste de valeurs", "a list of values"),
    "invalid": ("la carte de parcours n'est pas valide", "journey map is not valid"),
    "at_field": ("(champ {0})", "(field {})"),
    "not_mapping_empty": (
        "une carte de parcours est un dictionnaire YAML (map:, title:, stages:, ...), pas un "
        "fichier vide",
        "a journey map is a YAML mapping (map:, title:, stages:, ...), not an empty file",
    ),
    "not_mapping_list": (
        "une carte de parcours est un dictionnaire YAML (map:, title:, stages:, ...), pas une "
        "liste",
        "a journey map is a YAML mapping (map:, title:, stages:, ...), not a list",
    ),
    "not_mapping_value": (
        "une carte de parcours est un dictionnaire YAML (map:, title:, stages:, ...), pas une "
        "valeur seule",
        "a journey map is a YAML mapping (map:, title:, stages:, ...), not a single value",
    ),
    "missing_example": (
        "champ obligatoire « {0} » absent, par ex. {1}",
        "missing required field '{}', e.g. {}",
    ),
    "missing": ("champ obligatoire « {0} » absent", "missing required field '{}'"),
    "unknown_field": (
        "champ « {0} » inconnu ; champs permis : {1}",
        "unknown field '{}'; allowed fields: {}",
    ),
    "literal": (
        "{0} n'est pas permis pour {1} ; possibles : {2}",
        "{} is not allowed for {}; allowed: {}",
    ),
    **{
        f"duplicate_{noun}_line": (
            f"identifiant {french} « {{0}} » en double (déjà pris par {{1}}, ligne {{2}}) ; "
            "donnez à chacun le sien, par ex. {3}",
            f"duplicate {noun} id '{{}}' (already used by {{}}, line {{}}); give each its own "
            "id, e.g. {}",
        )
        for noun, french in _DUPLICATE_NOUNS
    },
    **{
        f"duplicate_{noun}": (
            f"identifiant {french} « {{0}} » en double (déjà pris par {{1}}) ; donnez à chacun "
            "le sien, par ex. {2}",
            f"duplicate {noun} id '{{}}' (already used by {{}}); give each its own id, e.g. {{}}",
        )
        for noun, french in _DUPLICATE_NOUNS
    },
    "touchpoint_stage": (
        "le point de contact « {0} » renvoie à l'étape inconnue « {1} » ; étapes permises : {2}",
        "touchpoint '{}' points to unknown stage '{}'; allowed stages: {}",
    ),
    "touchpoint_channel": (
        "le point de contact « {0} » utilise le canal « {1} », qui n'est pas déclaré dans "
        "channels ; canaux déclarés : {2}, ou any (tous les canaux, par ex. un journal dont le "
        "canal est celui du dossier)",
        "touchpoint '{}' uses channel '{}', which is not declared in channels; declared "
        "channels: {}, or any (every channel, e.g. a log whose channel is the case's)",
    ),
    "match_any": (
        "le point de contact « {0} » filtre le canal « any » : retirez match.channel pour "
        "retenir les événements de tous les canaux, par ex. match: {{event: Closed}}",
        "touchpoint '{}' matches channel 'any': leave match.channel out to match events of "
        "every channel, e.g. match: {event: Closed}",
    ),
    "match_channel": (
        "le point de contact « {0} » filtre le canal « {1} », qui n'est pas déclaré dans "
        "channels ; canaux déclarés : {2}",
        "touchpoint '{}' matches channel '{}', which is not declared in channels; declared "
        "channels: {}",
    ),
    "any_channel": (
        "« any » ne peut pas être l'identifiant d'un canal : les points de contact écrivent "
        "channel: any pour être sur tous les canaux ; nommez le canal autrement, par ex. autre",
        "'any' cannot be a channel id: touchpoints use channel: any to be on every channel; "
        "name the channel otherwise, e.g. autre",
    ),
    "conversion_name": (
        "la conversion doit nommer au moins un événement exact en plus de ses motifs (les "
        "entonnoirs s'y arrêtent), par ex. {{event: [purchase, {{prefix: purchase_}}]}}",
        "the conversion needs at least one exact event name besides its patterns (funnels "
        "end at it), e.g. {event: [purchase, {prefix: purchase_}]}",
    ),
    "flow_stage": (
        "le flux [{0}] nomme l'étape inconnue « {1} » ; étapes permises : {2}",
        "flow [{}] names unknown stage '{}'; allowed stages: {}",
    ),
    # -- one field's own value (parcours.maps.model, experience, blueprint) -----------------
    "id": (
        "{0} n'est pas un identifiant valide : utilisez des minuscules, des chiffres, - et _, "
        "en commençant par une lettre ou un chiffre (par ex. decouverte, fiche_produit)",
        "{} is not a valid id: use lowercase letters, digits, - and _, starting with a letter "
        "or digit (e.g. decouverte, fiche_produit)",
    ),
    "text": (
        "{0} n'est pas un texte : écrivez une chaîne, ou une chaîne par langue comme "
        "{{fr: Découverte, en: Discovery}}",
        "{} is not a text: write a string, or one string per language such as {fr: "
        "Découverte, en: Discovery}",
    ),
    "names": (
        "{0} n'est pas permis : écrivez un nom ou une liste de noms, par ex. [web, app]",
        "{} is not allowed: write one name or a list of names, e.g. [web, app]",
    ),
    "regex_unreadable": (
        "la regex « {0} » est illisible ({1}) ; écrivez une expression régulière, par ex. "
        f"{_REGEX_EXAMPLE} pour les noms qui commencent par T02, T03 ou T04",
        "regex '{}' cannot be read ({}); write a regular expression, e.g. '^T0[2-4] ' for the "
        "names starting T02, T03 or T04",
    ),
    "regex_lookaround": (
        "la regex « {0} » utilise une assertion (?= (?! (?<= (?<!, que les moteurs (DuckDB, "
        f"Spark) ne lisent pas tous ; écrivez-la sans, par ex. {_REGEX_EXAMPLE}",
        "regex '{}' uses a lookaround (?= (?! (?<= (?<!, which the engines (DuckDB, Spark) do "
        "not all read; write it without, e.g. '^T0[2-4] '",
    ),
    "regex_backreference": (
        "la regex « {0} » utilise une référence arrière (\\1), que les moteurs (DuckDB, "
        f"Spark) ne lisent pas tous ; écrivez-la sans, par ex. {_REGEX_EXAMPLE}",
        "regex '{}' uses a backreference (\\1), which the engines (DuckDB, Spark) do not all "
        "read; write it without, e.g. '^T0[2-4] '",
    ),
    "regex_named_backreference": (
        "la regex « {0} » utilise une référence arrière nommée, que les moteurs (DuckDB, "
        f"Spark) ne lisent pas tous ; écrivez-la sans, par ex. {_REGEX_EXAMPLE}",
        "regex '{}' uses a named backreference, which the engines (DuckDB, Spark) do not all "
        "read; write it without, e.g. '^T0[2-4] '",
    ),
    "pattern_key": (
        "clé {0} inconnue dans le motif {1} ; un motif a prefix ou regex, par ex. "
        "{{prefix: T07}} ou {{regex: '^T0[2-4] '}}",
        "unknown key {} in the pattern {}; a pattern has prefix or regex, e.g. {prefix: T07} "
        "or {regex: '^T0[2-4] '}",
    ),
    "pattern_one": (
        "un motif a soit prefix, soit regex, par ex. {{prefix: T07}} ou {{regex: '^T0[2-4] '}}",
        "a pattern has either prefix or regex, e.g. {prefix: T07} or {regex: '^T0[2-4] '}",
    ),
    "event_rule": (
        "{0} n'est pas permis pour un événement : écrivez un nom, une liste de noms, "
        "{{prefix: T07}} (ou une liste de préfixes), {{regex: '^T0[2-4] '}}, ou une liste "
        "qui les mêle, par ex. [Closed, {{prefix: T07}}]",
        "{} is not allowed for an event: write a name, a list of names, {prefix: T07} (or a "
        "list of prefixes), {regex: '^T0[2-4] '}, or a list mixing them, e.g. [Closed, "
        "{prefix: T07}]",
    ),
    "property": (
        "{0} n'est pas permis : une propriété retient une valeur (texte, nombre, true, false), "
        "une liste de valeurs, {{prefix: texte}} ou {{regex: motif}}, par ex. {{late: true}}",
        "{} is not allowed: a property matches a value (text, number, true, false), a list of "
        "values, {prefix: text} or {regex: pattern}, e.g. {late: true}",
    ),
    "no_stage": (
        "une carte de parcours a besoin d'au moins une étape, par ex. stages: [{{id: "
        "decouverte, title: Découverte}}]",
        "a journey map needs at least one stage, e.g. stages: [{id: decouverte, title: "
        "Découverte}]",
    ),
    "no_channel": (
        "une carte de parcours a besoin d'au moins un canal, par ex. channels: [web]",
        "a journey map needs at least one channel, e.g. channels: [web]",
    ),
    **{
        f"target_{n}": (
            f"la cible {{0}} est hors des limites de {{1}} : écrivez {french}",
            f"target {{}} is out of range for {{}}: write {english}",
        )
        for n, (english, french) in enumerate(TARGET_UNITS.items(), 1)
    },
    "submap": (
        "{0} n'est pas une sous-carte : écrivez l'identifiant d'une carte (submap: livraison) "
        "ou un fichier (submap: {{file: livraison.yaml}})",
        "{} is not a sub-map: write a map id (submap: livraison) or a file (submap: {file: "
        "livraison.yaml})",
    ),
    "submap_one": (
        "une sous-carte a soit map, soit file, par ex. submap: livraison ou "
        "submap: {{file: livraison.yaml}}",
        "a sub-map has either map or file, e.g. submap: livraison or submap: {file: "
        "livraison.yaml}",
    ),
    "channel": (
        "{0} n'est pas un canal : écrivez un identifiant (web) ou {{id: web, title: Web}}",
        "{} is not a channel: write an id (web) or {id: web, title: Web}",
    ),
    "emotion": (
        "{0} n'est pas une émotion : écrivez un score de -2 (très négative) à +2 (très "
        "positive), par ex. emotion: -1, ou l'un des libellés negative (-1), neutral (0), "
        "positive (+1)",
        "{} is not an emotion: write a score from -2 (very negative) to +2 (very positive), "
        "e.g. emotion: -1, or one of the labels negative (-1), neutral (0), positive (+1)",
    ),
    "unknown_stage": ("étape {0} inconnue ; étapes : {1}", "unknown stage {}; stages: {}"),
    "unknown_touchpoint": (
        "point de contact {0} inconnu ; points de contact : {1}",
        "unknown touchpoint {}; touchpoints: {}",
    ),
    "cannot_read": ("impossible de lire la carte : {0}", "cannot read the map: {}"),
    "unknown_template": (
        "modèle {0} inconnu ; modèles : {1}",
        "unknown template {}; templates: {}",
    ),
    "unknown_language": (
        "langue {0} inconnue ; langues : {1}",
        "unknown language {}; languages: {}",
    ),
    # -- the service blueprint and the designed experience ---------------------------------
    "blueprint_item": (
        "{0} n'est pas un élément du blueprint : écrivez un texte (Appel du conseiller) ou "
        "{{id: validation, title: Validation du dossier, match: {{event: W_Valideren "
        "aanvraag}}}}",
        "{} is not a blueprint item: write a text (Appel du conseiller) or {id: validation, "
        "title: Validation du dossier, match: {event: W_Valideren aanvraag}}",
    ),
    "blueprint_id": (
        "un élément du blueprint qui retient des événements a besoin d'un identifiant, sous "
        "lequel ses chiffres sont gardés, par ex. {{id: validation, title: Validation, "
        "match: {{event: W_Valideren aanvraag}}}}",
        "a blueprint item that matches events needs an id, under which its figures are kept, "
        "e.g. {id: validation, title: Validation, match: {event: W_Valideren aanvraag}}",
    ),
    "blueprint_lane": (
        "l'élément « {0} » du couloir {1} a un match : seuls les éléments de backstage "
        "retiennent des événements (les points de contact sont ce que le client rencontre) ; "
        "déplacez-le dans backstage, ou faites-en un point de contact",
        "item '{}' of the {} lane has a match: only backstage items match events (touchpoints "
        "are what the customer meets); move it to backstage, or make it a touchpoint",
    ),
    "blueprint_touchpoint_id": (
        "l'identifiant d'élément du blueprint « {0} » est aussi celui d'un point de contact ; "
        "donnez à l'élément le sien, par ex. {1}_backstage",
        "blueprint item id '{}' is also a touchpoint's id; give the item its own id, e.g. "
        "{}_backstage",
    ),
    "emotion_persona": (
        "emotions nomme le persona inconnu « {0} » ; personas permis : {1}, par ex. "
        "emotions: {{{2}: -1}}",
        "emotions names unknown persona '{}'; allowed personas: {}, e.g. emotions: {{}: -1}",
    ),
    "emotion_no_persona": (
        "emotions nomme le persona inconnu « {0} » ; la carte ne déclare aucun persona : "
        "déclarez-les d'abord sous personas:",
        "emotions names unknown persona '{}'; the map declares no personas: declare them "
        "under personas: first",
    ),
    # -- opportunities -----------------------------------------------------------------------
    "opportunity_stage": (
        "l'opportunité « {0} » nomme l'étape inconnue « {1} » ; étapes permises : {2}",
        "opportunity '{}' names unknown stage '{}'; allowed stages: {}",
    ),
    "opportunity_touchpoint": (
        "l'opportunité « {0} » nomme le point de contact inconnu « {1} » ; points de contact "
        "permis : {2}",
        "opportunity '{}' names unknown touchpoint '{}'; allowed touchpoints: {}",
    ),
    "opportunity_no_touchpoint": (
        "l'opportunité « {0} » nomme le point de contact inconnu « {1} » ; la carte ne déclare "
        "aucun point de contact",
        "opportunity '{}' names unknown touchpoint '{}'; the map declares no touchpoints",
    ),
    "opportunity_friction": (
        "l'opportunité « {0} » nomme la friction inconnue « {1} » ; un point de friction se "
        "nomme par son point de contact (ou par une étape, pour tous ses points de contact) : "
        "{2}",
        "opportunity '{}' names unknown friction '{}'; a friction point is named by its "
        "touchpoint (or a stage, for all of its touchpoints): {}",
    ),
    # -- sub-maps (parcours.maps.nesting) ---------------------------------------------------
    **{
        key: pair
        for english, french in _OPENERS
        for key, pair in {
            f"submap_not_saved_{english}": (
                f"{french} « {{0}} » ouvre la carte « {{1}} », qui n'est pas enregistrée dans "
                "cet espace de travail ({2}) ; enregistrez-la d'abord (parcours maps save "
                "{3}.yaml), ou nommez un fichier : submap: {{file: {4}.yaml}}",
                f"{english} '{{}}' opens map '{{}}', which is not saved in this workspace ({{}}); "
                "save it first (parcours maps save {}.yaml), or name a file: submap: {file: "
                "{}.yaml}",
            ),
            f"submap_file_by_id_{english}": (
                f"{french} « {{0}} » ouvre le fichier « {{1}} », mais une carte enregistrée dans "
                "un espace de travail n'ouvre ses sous-cartes que par identifiant ; enregistrez "
                "aussi la sous-carte et écrivez son identifiant, par ex. submap: livraison",
                f"{english} '{{}}' opens file '{{}}', but a map saved in a workspace opens "
                "sub-maps by id only; save the sub-map too and write its id, e.g. submap: "
                "livraison",
            ),
            f"submap_no_file_{english}": (
                f"{french} « {{0}} » ouvre le fichier « {{1}} », qui n'existe pas (cherché : "
                "{2}) ; écrivez le chemin d'un fichier de carte relatif au dossier de cette "
                "carte, par ex. submap: {{file: livraison.yaml}}",
                f"{english} '{{}}' opens file '{{}}', which does not exist (looked for {{}}); "
                "write a map file's path relative to this map's folder, e.g. submap: {file: "
                "livraison.yaml}",
            ),
            f"submap_invalid_{english}": (
                f"{french} « {{0}} » ouvre le fichier « {{1}} », qui n'est pas une carte "
                "valide : {2}",
                f"{english} '{{}}' opens file '{{}}', which is not a valid map: {{}}",
            ),
            f"submap_cycle_{english}": (
                f"{french} « {{0}} » ouvre la carte « {{1}} », déjà ouverte au-dessus d'elle "
                "({2}) : une sous-carte ne peut pas contenir la carte qui l'ouvre ; désignez "
                "une autre carte",
                f"{english} '{{}}' opens map '{{}}', which is already open above it ({{}}): a "
                "sub-map cannot contain the map that opens it; point to another map",
            ),
        }.items()
    },
    # -- the YAML text itself (parcours.maps.yaml_io, within parcours.config.YAML_LIMITS) ----
    "yaml_syntax_at": (
        "erreur de syntaxe YAML : {0} ({1}, ligne {2})",
        "YAML syntax error: {} ({} at line {})",
    ),
    "yaml_syntax": ("erreur de syntaxe YAML : {0}", "YAML syntax error: {}"),
    "yaml_size": (
        "le document fait {0} octets ; {1} au plus sont permis",
        "the document is {} bytes; at most {} are allowed",
    ),
    "yaml_size_more": (
        "le document fait plus de {0} octets ; {1} au plus sont permis",
        "the document is more than {} bytes; at most {} are allowed",
    ),
    "yaml_seconds": (
        "la lecture a pris plus de {0} s de calcul ; {1} s au plus sont permises (le document "
        "est trop grand ou trop complexe)",
        "reading took more than {} s of CPU; at most {} s are allowed (the document is too "
        "large or too complex)",
    ),
    "yaml_aliases": (
        "plus de {0} alias (*nom) ; {1} au plus sont permis",
        "more than {} aliases (*name); at most {} are allowed",
    ),
    "yaml_recursive_alias": (
        "l'alias *{0} est à l'intérieur du nœud qu'il nomme ; les alias récursifs ne sont pas "
        "permis",
        "alias *{} is inside the node it names; recursive aliases are not allowed",
    ),
    "yaml_depth": (
        "dictionnaires et listes imbriqués sur plus de {0} niveaux ; {1} au plus sont permis",
        "mappings and lists nested deeper than {} levels; at most {} are allowed",
    ),
    "yaml_expanded": (
        "les alias déploient le document en plus de {0} valeurs ; {1} au plus sont permises",
        "the aliases expand the document to more than {} values; at most {} are allowed",
    ),
    "yaml_values": (
        "plus de {0} valeurs ; {1} au plus sont permises",
        "more than {} values; at most {} are allowed",
    ),
}


def _positional(english: str, french: str) -> Pair:
    """A sentence written with named values (``{name}``, ``{got}``) as a catalogue pair: the
    English pattern with ``{}`` for each value, the French numbered in the English order."""
    import string

    order = [name for _, name, _, _ in string.Formatter().parse(english) if name is not None]
    pattern = "".join(
        text.replace("{", "{{").replace("}", "}}").replace("{{", "{").replace("}}", "}")
        + ("{}" if name is not None else "")
        for text, name, _, _ in string.Formatter().parse(english)
    )
    numbered = french.format(**{name: f"{{{order.index(name)}}}" for name in order})
    return numbered, pattern


# One field's value of the wrong kind, in the words of parcours.maps.field_errors (the map's
# checks and the API's 422 answers), by pydantic error kind: (French, English) with the
# same {names}; the English is the module's own sentence (tests/render/test_error_words.py
# keeps the two the same; the catalogue does not import the maps, for a fast start).
FIELD_WORDS: dict[str, Pair] = {
    "extra_forbidden": (
        "champ « {name} » inconnu ; ce champ n'est pas pris ici",
        "unknown field '{name}'; this field is not taken here",
    ),
    "string_type": (
        "{name} : il faut un texte (reçu {got})",
        "{name}: expected a text (got {got})",
    ),
    "string_too_short": (
        "{name} : il faut au moins {min_length} caractère(s) (reçu {got})",
        "{name}: expected at least {min_length} character(s) (got {got})",
    ),
    "string_too_long": (
        "{name} : il faut au plus {max_length} caractère(s) (reçu {got})",
        "{name}: expected at most {max_length} character(s) (got {got})",
    ),
    "string_pattern_mismatch": (
        "{name} : {got} n'a pas la forme attendue ({pattern})",
        "{name}: {got} does not have the expected form ({pattern})",
    ),
    "int_type": (
        "{name} : il faut un nombre entier (reçu {got})",
        "{name}: expected a whole number (got {got})",
    ),
    "float_type": (
        "{name} : il faut un nombre (reçu {got})",
        "{name}: expected a number (got {got})",
    ),
    "finite_number": (
        "{name} : il faut un nombre fini (reçu {got})",
        "{name}: expected a finite number (got {got})",
    ),
    "bool_type": (
        "{name} : il faut true ou false (reçu {got})",
        "{name}: expected true or false (got {got})",
    ),
    "list_type": (
        "{name} : il faut une liste, par ex. [a, b] (reçu {got})",
        "{name}: expected a list, e.g. [a, b] (got {got})",
    ),
    "dict_type": (
        "{name} : il faut un dictionnaire, par ex. {{{{clé: valeur}}}} (reçu {got})",
        "{name}: expected a mapping, e.g. {{key: value}} (got {got})",
    ),
    "too_short": (
        "{name} : il faut au moins {min_length} élément(s) (reçu {actual_length})",
        "{name}: expected at least {min_length} item(s) (got {actual_length})",
    ),
    "too_long": (
        "{name} : il faut au plus {max_length} élément(s) (reçu {actual_length})",
        "{name}: expected at most {max_length} item(s) (got {actual_length})",
    ),
    "greater_than": (
        "{name} : il faut un nombre supérieur à {gt} (reçu {got})",
        "{name}: expected a number above {gt} (got {got})",
    ),
    "greater_than_equal": (
        "{name} : il faut un nombre d'au moins {ge} (reçu {got})",
        "{name}: expected a number of at least {ge} (got {got})",
    ),
    "less_than": (
        "{name} : il faut un nombre inférieur à {lt} (reçu {got})",
        "{name}: expected a number below {lt} (got {got})",
    ),
    "less_than_equal": (
        "{name} : il faut un nombre d'au plus {le} (reçu {got})",
        "{name}: expected a number of at most {le} (got {got})",
    ),
    "date_type": (
        "{name} : il faut une date comme 2026-03-01 (reçu {got})",
        "{name}: expected a date such as 2026-03-01 (got {got})",
    ),
    "datetime_type": (
        "{name} : il faut une date et une heure comme 2026-03-01T10:00:00 (reçu {got})",
        "{name}: expected a date and time such as 2026-03-01T10:00:00 (got {got})",
    ),
    "other": (
        "{name} : {got} n'est pas une valeur possible ici",
        "{name}: {got} is not a valid value here",
    ),
}


def _field_errors() -> dict[str, Pair]:
    """FIELD_WORDS as catalogue pairs."""
    return {f"field.{kind}": _positional(en, fr) for kind, (fr, en) in FIELD_WORDS.items()}


# What a mapping option takes (parcours.store.mapping.OPTION_KINDS), as each language says it.
OPTION_KINDS: dict[str, tuple[str, str]] = {
    "timezone": (
        "an IANA time zone name such as Europe/Paris or UTC",
        "un nom de fuseau horaire IANA comme Europe/Paris ou UTC",
    ),
    "timestamp_format": (
        "a strptime format such as '%d/%m/%Y %H:%M', or epoch_s / epoch_ms",
        "un format strptime comme '%d/%m/%Y %H:%M', ou epoch_s / epoch_ms",
    ),
    "ignore": ("a list of column names", "une liste de noms de colonnes"),
    "phone_region": (
        "a two-letter region code such as FR",
        "un code de région en deux lettres comme FR",
    ),
    "delimiter": (
        "one character (such as ';' or '|') or 'whitespace'",
        "un caractère (comme ';' ou '|') ou 'whitespace'",
    ),
    "duplicate_rows": ("drop or keep", "drop ou keep"),
    "on_conflict": ("first or latest", "first ou latest"),
}

# A source that cannot be read, a mapping that does not fit it (parcours.store: sources,
# mapping, ingest, xes, salvage, boundary); tests/render/test_error_words.py checks that
# every message raised there is here.
INGEST_ERRORS: dict[str, Pair] = {
    "not_a_source": (
        "impossible d'ingérer un {0} ; donnez le chemin d'un fichier (CSV, Parquet, "
        "NDJSON/JSON, XES), un DataFrame pandas ou une table Arrow",
        "cannot ingest a {}; give a file path (CSV, Parquet, NDJSON/JSON, XES), a pandas "
        "DataFrame or an Arrow table",
    ),
    "file_type": (
        "{0} : type de fichier inconnu ; terminaisons permises : {1}",
        "{}: unknown file type; allowed endings: {}",
    ),
    "empty_file": (
        "{0} est vide : ni ligne d'en-tête, ni lignes ; rien à ingérer",
        "{} is empty: no header line, no rows; nothing to ingest",
    ),
    "empty_header": (
        "{0} : la première ligne doit nommer les colonnes ; elle est vide",
        "{}: the first line should name the columns; it is empty",
    ),
    "header_unreadable": (
        "{0} : la ligne 1 doit nommer les colonnes et elle est illisible ({1})",
        "{}: line 1 should name the columns and cannot be read ({})",
    ),
    "header_unreadable_plain": (
        "{0} : la ligne 1 doit nommer les colonnes et elle est illisible",
        "{}: line 1 should name the columns and cannot be read",
    ),
    "column_twice": (
        "{0} : la colonne « {1} » est donnée deux fois ; renommez-en une",
        "{}: column '{}' is given twice; rename one",
    ),
    "column_case": (
        "{0} : les colonnes « {1} » et « {2} » ne diffèrent que par la casse, que le moteur ne "
        "distingue pas ; renommez-en une",
        "{}: columns '{}' and '{}' differ only in case, which the engine does not tell apart; "
        "rename one",
    ),
    "unreadable": ("{0} : illisible : {1}", "{}: cannot be read: {}"),
    "uri_not_spark": (
        "{0} : une URI de fichier est lue par les systèmes de fichiers de Spark, par un espace "
        "de travail spark: ; cet espace lit des fichiers locaux : donnez le chemin du fichier",
        "{}: a file URI is read through Spark's file systems, by a spark: workspace; this "
        "workspace reads local files: give the file's path",
    ),
    "uri_spark_connect": (
        "{0} : les fichiers du stockage du cluster sont lus par le système de fichiers Hadoop "
        "de la session Spark, que Spark Connect garde sur le serveur ; copiez le fichier sur "
        "cette machine et ingérez la copie",
        "{}: files on the cluster's storage are read through the Spark session's Hadoop file "
        "system, which Spark Connect keeps on the server; copy the file to this machine and "
        "ingest the copy",
    ),
    "uri_directory": (
        "{0} : est un dossier ; donnez un fichier (CSV, Parquet, NDJSON/JSON ou XES), ou le "
        "dossier à `parcours ingest`, qui en ingère chaque fichier",
        "{}: is a directory; give one file (CSV, Parquet, NDJSON/JSON or XES), or the "
        "directory to `parcours ingest`, which ingests each of its files",
    ),
    "spark_format": (
        "timestamp_format {0} : %{1} n'a pas de forme Spark ; un espace de travail spark: lit {2}",
        "timestamp_format {}: %{} has no Spark form; a spark: workspace reads {}",
    ),
    "kept_column_name": (
        "{0} : une colonne s'appelle {1}, un nom que parcours se réserve ; renommez-la",
        "{}: a column is named {}, a name parcours keeps; rename it",
    ),
    "folder_unknown": (
        "{0} : contient des fichiers d'un type inconnu ({1}) ; un dossier est ingéré en "
        "entier, chaque fichier en un lot : n'y gardez que des fichiers finissant par {2}",
        "{}: holds files of unknown type ({}); a folder is ingested whole, each file one "
        "batch: keep there only files ending in {}",
    ),
    "folder_empty": ("{0} : ne contient aucun fichier à ingérer", "{}: holds no file to ingest"),
    "uri_file_system": (
        "{0} : ce Spark n'a pas de système de fichiers pour {1}:// ; ajoutez son connecteur à "
        "la session (pour s3a://, le paquet hadoop-aws et ses réglages) ou copiez le fichier "
        "sur cette machine",
        "{}: this Spark has no file system for {}://; add its connector to the session (for "
        "s3a://, the hadoop-aws package and its settings), or copy the file to this machine",
    ),
    "json": (
        "{0} : ne contient ni un objet JSON par ligne ni un tableau d'objets JSON ; donnez un "
        "objet par ligne (NDJSON) ou un seul tableau d'objets",
        "{}: holds no JSON object per line nor an array of JSON objects; give one object per "
        "line (NDJSON), or one array of objects",
    ),
    "json_lines": (
        "{0} : aucune ligne ne contient d'objet JSON ({1} lignes) ; la première : {2}",
        "{}: no line holds a JSON object ({} lines); the first: {}",
    ),
    "xes_empty": (
        "{0} : le journal XES ne contient aucun événement",
        "{}: the XES log holds no event",
    ),
    "xes_unreadable": (
        "{0} : pas un fichier XES lisible : {1}",
        "{}: not a readable XES file: {}",
    ),
    "long_delimiter": (
        "{0} : DuckDB ne peut pas le lire et, avec le séparateur {1} (plusieurs caractères), il "
        "ne peut pas être lu ligne par ligne ; donnez un séparateur d'un caractère",
        "{}: DuckDB cannot read it and, with the delimiter {} (several characters), it cannot "
        "be read line by line; give a one-character delimiter",
    ),
    "mixed_kinds": (
        "{0} : la colonne « {1} » mêle plusieurs sortes de valeurs ({2}) ; une colonne n'en "
        "contient qu'une : convertissez-la d'abord (frame['{3}'].astype(str)) ou laissez-la de "
        "côté",
        "{}: column '{}' mixes kinds of values ({}); a column holds one kind: convert it first "
        "(frame['{}'].astype(str)) or leave it out",
    ),
    "not_a_table": (
        "{0} : ne peut pas devenir une table : {1} ; donnez à chaque colonne une seule sorte "
        "de valeur",
        "{}: cannot be turned into a table: {}; give each column one kind of value",
    ),
    # -- the mapping ------------------------------------------------------------------------
    "target": ("cible « {0} » inconnue ; possibles : {1}", "unknown target '{}'; allowed: {}"),
    "key": (
        "{0} : clé « {1} » inconnue pour {2} ; possibles : {3}",
        "{}: unknown key '{}' for {}; allowed: {}",
    ),
    "duplicate_rows": (
        "{0} : duplicate_rows « {1} » n'existe pas ; possibles : {2} (keep : les lignes "
        "identiques d'un fichier sont des événements distincts)",
        "{}: duplicate_rows '{}' is not known; allowed: {} (keep: identical rows of a file are "
        "distinct events)",
    ),
    "on_conflict": (
        "{0} : on_conflict « {1} » n'existe pas ; possibles : {2} (quelle version garder d'un "
        "event_id donné deux fois avec un autre contenu)",
        "{}: on_conflict '{}' is not known; allowed: {} (which version of an event_id given "
        "twice with other content is kept)",
    ),
    "feedback_only": (
        "{0} : l'option « {1} » met en forme des réponses d'enquête : elle ne vaut que pour "
        "feedback, pas pour {2}",
        "{}: option '{}' shapes survey answers: it is for feedback only, not {}",
    ),
    "recoded": (
        "{0} : le champ « {1} » est recodé (values, slug) ; seuls ceux-ci le sont : {2}",
        "{}: field '{}' is recoded (values, slug); only these are: {}",
    ),
    "unit_field": (
        "{0} : le champ « {1} » a une unité ; seule une date en a une ({2})",
        "{}: field '{}' has a unit; only a time has one ({})",
    ),
    "mapping_file": (
        "le fichier de correspondance {0} n'existe pas",
        "mapping file {} does not exist",
    ),
    "mapping_dict": (
        "{0} : une correspondance est un dictionnaire YAML champ: colonne",
        "{}: a mapping is a YAML dictionary of field: column",
    ),
    "default_ts": (
        "{0} : default_ts est la colonne {1}, que la source n'a pas ; ses colonnes : {2}",
        "{}: default_ts is column {}, which the source does not have; its columns are: {}",
    ),
    "field_column": (
        "{0} : le champ « {1} » correspond à la colonne {2}, que la source n'a pas ; ses "
        "colonnes : {3}",
        "{}: field '{}' is mapped to column {}, which the source does not have; its columns "
        "are: {}",
    ),
    "ignore": (
        "{0} : « ignore » nomme {1}, qui n'est pas une colonne de la source ; ses colonnes : {2}",
        "{}: 'ignore' names {}, not a column of the source; its columns are: {}",
    ),
    "nul": (
        "{0} : {1} contient un octet NUL ; écrivez du texte sans lui",
        "{}: {} holds a NUL byte; write text without it",
    ),
    "unit": (
        "{0} : l'unité {1} n'existe pas ; possibles : {2} depuis le 1970-01-01 UTC",
        "{}: unit {} is not known; allowed: {} since 1970-01-01 UTC",
    ),
    "source_shape": (
        "{0} : attendu un nom de colonne, {{column: NOM}}, {{column: NOM, unit: s|ms|us}}, "
        "{{value: CONSTANTE}} ou {{columns: [A, B], sep: ' '}} (une colonne peut être recodée : "
        "values: {{BRUT: ID}}, slug: true) ; reçu {1}",
        "{}: expected a column name, {column: NAME}, {column: NAME, unit: s|ms|us}, {value: "
        "CONSTANT} or {columns: [A, B], sep: ' '} (a column may be recoded: values: {RAW: ID}, "
        "slug: true); got {}",
    ),
    "slug": ("{0} : slug vaut true ou false ; reçu {1}", "{}: slug is true or false; got {}"),
    "recode_nothing": (
        "{0} : rien à recoder ; donnez values: {{BRUT: ID}} ou slug: true",
        "{}: nothing to recode; give values: {RAW: ID} or slug: true",
    ),
    "values_table": (
        "{0} : values est une table valeur brute: identifiant ; reçu {1}",
        "{}: values is a table of raw value: id; got {}",
    ),
    "values_text_yaml": (
        "{0} : values associe un texte à un texte ; reçu {1}: {2} (mettez yes, no, true, false "
        "et null entre guillemets en YAML)",
        "{}: values maps a text to a text; got {}: {} (quote yes, no, true, false and null in "
        "YAML)",
    ),
    "values_text": (
        "{0} : values associe un texte à un texte ; reçu {1}: {2}",
        "{}: values maps a text to a text; got {}: {}",
    ),
    "values_twice": (
        "{0} : values donne deux fois une valeur brute (une fois sans espaces autour)",
        "{}: values gives a raw value twice (once trimmed)",
    ),
    "unpivot_shape": (
        "{0} : attendu {{columns: [A, B] ou {{A: id, B: id}}, into: touchpoint, value: score, "
        "slug: true}} ; reçu {1}",
        "{}: expected {columns: [A, B] or {A: id, B: id}, into: touchpoint, value: score, "
        "slug: true}; got {}",
    ),
    "unpivot_into": (
        "{0} : into {1} n'existe pas ; possibles : {2} (le champ que donne le nom de chaque "
        "colonne)",
        "{}: into {} is not known; allowed: {} (the field each column's name gives)",
    ),
    "unpivot_value": (
        "{0} : value {1} n'existe pas ; possibles : {2} (le champ que donne chaque cellule)",
        "{}: value {} is not known; allowed: {} (the field each cell gives)",
    ),
    "unpivot_field": (
        "{0} : le champ « {1} » vient des colonnes dépivotées ; ne le faites pas correspondre "
        "aussi",
        "{}: field '{}' comes from the unpivoted columns; do not map it too",
    ),
    "unpivot_columns": (
        "{0} : columns est une liste de noms de colonnes ; reçu {1}",
        "{}: columns is a list of column names; got {}",
    ),
    "unpivot_twice": (
        "{0} : columns nomme deux fois une colonne",
        "{}: columns names a column twice",
    ),
    "unpivot_missing": (
        "{0} : unpivot nomme {1}, qui n'est pas une colonne de la source ; ses colonnes : {2}",
        "{}: unpivot names {}, not a column of the source; its columns are: {}",
    ),
    "na_kind": (
        "{0} : la sorte {1} n'existe pas ; possibles : {2}",
        "{}: kind {} is not known; allowed: {}",
    ),
    "na_value": (
        "{0} : une valeur signifiant « sans objet » est un nombre ou un texte ; reçu {1}",
        "{}: a value meaning not applicable is a number or a text; got {}",
    ),
    "na_empty": (
        "{0} : un texte vide signifie « pas de note », pas « sans objet »",
        "{}: an empty text means no score, not N/A",
    ),
    "ingest_time": (
        "{0} : attendu {1} (l'heure de l'ingestion, UTC) ou {{column: NOM}} (une colonne du "
        "fichier) ; reçu {2}",
        "{}: expected {} (the time of the ingest, UTC) or {column: NAME} (a column of the "
        "file); got {}",
    ),
    "no_column_feedback": (
        "{0} : aucune colonne pour « {1} » ; faites-en correspondre une (par ex. {2}: "
        "ma_colonne) parmi : {3} ; ou datez chaque ligne avec default_ts",
        "{}: no column for '{}'; map one (e.g. {}: my_column) among: {}; or date every row "
        "with default_ts",
    ),
    "no_column": (
        "{0} : aucune colonne pour « {1} » ; faites-en correspondre une (par ex. {2}: "
        "ma_colonne) parmi : {3}",
        "{}: no column for '{}'; map one (e.g. {}: my_column) among: {}",
    ),
    "column_no_name": (
        "{0} : une colonne n'a pas de nom ({1}) ; nommez chaque colonne avec du texte",
        "{}: a column has no name ({}); name every column with text",
    ),
    "column_nul": (
        "{0} : une colonne a un octet NUL dans son nom ({1}) ; nommez chaque colonne avec du texte",
        "{}: a column has a NUL in its name ({}); name every column with text",
    ),
    "internal_target": ("cible {0} inconnue", "unknown target {}"),
    **{
        f"option_{option}": (
            f"{{0}} : l'option « {option} » est {french} ; reçu {{1}}",
            f"{{}}: option '{option}' is {english}; got {{}}",
        )
        for option, (english, french) in OPTION_KINDS.items()
    },
    "no_column_constant": (
        "{0} : aucune colonne pour « {1} » ; faites correspondre une colonne ou une constante "
        "(par ex. {2}: {{value: web}}) parmi : {3}",
        "{}: no column for '{}'; map a column or a constant (e.g. {}: {value: web}) among: {}",
    ),
}


def _numbered(pattern: str) -> str:
    """An English pattern as a text to format: ``{}`` numbered, literal braces doubled."""
    parts = [part.replace("{", "{{").replace("}", "}}") for part in pattern.split("{}")]
    return "".join(
        part + (f"{{{i}}}" if i < len(parts) - 1 else "") for i, part in enumerate(parts)
    )


_ALL = {
    **ANALYSIS_ERRORS,
    **API_ERRORS,
    **CLI_ERRORS,
    **{f"usage.{key}": pair for key, pair in USAGE_ERRORS.items()},
    **{f"map.{key}": pair for key, pair in MAP_ERRORS.items()},
    **{f"map.{key}": pair for key, pair in _field_errors().items()},
    **{f"ingest.{key}": pair for key, pair in INGEST_ERRORS.items()},
    **{f"workspace.{key}": pair for key, pair in WORKSPACE_ERRORS.items()},
    **{f"reason.{key}": pair for key, pair in ROW_REASONS.items()},
}
# key -> English pattern, for present.error_text to recognise a message
ERROR_PATTERNS: dict[str, str] = {f"refused.{key}": en for key, (_, en) in _ALL.items()}
ERRORS: dict[str, dict[str, str]] = {
    f"refused.{key}": {"fr": fr, "en": _numbered(en)} for key, (fr, en) in _ALL.items()
}
