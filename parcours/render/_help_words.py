"""The command line's help in French: a part of the one catalogue of :mod:`parcours.render.i18n`.

The English help is written once, where Typer reads it (a command's docstring, an option's
``help=``, an analysis' docstring); as a gettext ``msgid`` is, that English paragraph, its
spaces folded, is the key of its French here. A paragraph of commands alone (:data:`EXAMPLE`)
needs no entry: only its first word is translated (``cmd.help.example``). tests/cli/test_help_lang.py keeps
every paragraph of every command's help in this table, and no entry that none uses.
"""

from __future__ import annotations

import re

# A paragraph of commands alone, ``Example: `a`, `b```: its word is said, its commands kept.
EXAMPLE = re.compile(r"Example: (`[^`]*`(?:, `[^`]*`)*)")

_APP: dict[str, str] = {
    "Customer journey maps as code, measured against real omnichannel data.": (
        "Des cartes de parcours client écrites comme du code, mesurées sur les vraies données "
        "omnicanales."
    ),
    "Start with `parcours demo`, then `parcours status`.": (
        "Commencez par `parcours demo`, puis `parcours status`."
    ),
    "fr or en: the language every command prints in (or $PARCOURS_LANG; default: the map's, "
    "then the locale's). An analysis or report's own --lang wins.": (
        "fr ou en : la langue dans laquelle toute commande écrit (ou $PARCOURS_LANG ; par "
        "défaut : celle de la carte, puis celle du système). Le --lang d'une analyse ou du "
        "rapport l'emporte."
    ),
    "fr or en: the language the command prints in (default: the map's, then the locale's).": (
        "fr ou en : la langue dans laquelle la commande écrit (par défaut : celle de la carte, "
        "puis celle du système)."
    ),
    "Analyses": "Analyses",
}

# Options shared by many commands (parcours/cli/options.py, parcours/cli/analyses.py).
_COMMON: dict[str, str] = {
    "Workspace file (or $PARCOURS_WORKSPACE).": (
        "Fichier de l'espace de travail (ou $PARCOURS_WORKSPACE)."
    ),
    "Workspace file.": "Fichier de l'espace de travail.",
    "table, json or csv.": "table, json ou csv.",
    "Journey map YAML (default: the workspace's latest saved map).": (
        "Carte du parcours en YAML (par défaut : la dernière carte enregistrée dans l'espace "
        "de travail)."
    ),
    "fr or en (default: the map's).": "fr ou en (par défaut : celle de la carte).",
    "Compute again, even if the workspace keeps this result for the same map, data and "
    "parameters.": (
        "Calculer à nouveau, même si l'espace de travail garde ce résultat pour la même carte, "
        "les mêmes données et les mêmes paramètres."
    ),
    "Accept a result the workspace keeps from less than this long ago (10m, 1h), even if data "
    "arrived since; the output says how old it is.": (
        "Accepter un résultat que l'espace de travail garde depuis moins que cette durée (10m, "
        "1h), même si des données sont arrivées depuis ; la sortie dit de quand il date."
    ),
    "Split by a journey column (persona, channel, stage...): one result per value, stacked.": (
        "Découper selon une colonne des parcours (persona, canal, étape…) : un résultat par "
        "valeur, les uns sous les autres."
    ),
    "Print every table of the result.": "Afficher toutes les tables du résultat.",
    "The journey map YAML file.": "Le fichier YAML de la carte du parcours.",
    "File to write.": "Fichier à écrire.",
}

_COMMANDS: dict[str, str] = {
    # init
    "Write a journey map from a template, or draft one from the workspace's events.": (
        "Écrire une carte de parcours à partir d'un modèle, ou l'esquisser à partir des "
        "événements de l'espace de travail."
    ),
    "Example: `parcours init --template 5a --lang en --out journey.yaml`, or from the events "
    "already loaded: `parcours init --from-data --out journey.yaml -w bpic.duckdb`": (
        "Exemple : `parcours init --template 5a --lang en --out journey.yaml`, ou à partir des "
        "événements déjà chargés : `parcours init --from-data --out journey.yaml -w bpic.duckdb`"
    ),
    "Which framework to start from.": "Le modèle de départ.",
    "Draft the map from the workspace's events (stages, touchpoints, channels, conversion, "
    "personas) instead of a template.": (
        "Esquisser la carte à partir des événements de l'espace de travail (étapes, points de "
        "contact, canaux, conversion, personas) au lieu d'un modèle."
    ),
    "Language of the titles shown.": "Langue des titres affichés.",
    "Overwrite an existing file.": "Écraser un fichier existant.",
    # validate
    "Check a journey map; every problem is listed with its line and what is allowed.": (
        "Vérifier une carte de parcours ; chaque problème est listé avec sa ligne et ce qui est "
        "permis."
    ),
    "Sub-map files (submap: {file: ...}) are checked too: found, valid, no cycle.": (
        "Les fichiers des sous-cartes (submap: {file: ...}) sont vérifiés aussi : trouvés, "
        "valides, sans cycle."
    ),
    "Also look up the sub-maps named by id (submap: livraison) in this workspace.": (
        "Chercher aussi dans cet espace de travail les sous-cartes nommées par leur identifiant "
        "(submap: livraison)."
    ),
    # ingest, rejected
    "Load a file into the workspace; bad rows are kept in `rejected` with their reason.": (
        "Charger un fichier dans l'espace de travail ; les lignes invalides sont gardées dans "
        "`rejected` avec leur raison."
    ),
    "events, customers or feedback.": (
        "events (événements), customers (fiches clients) ou feedback (réponses d'enquête)."
    ),
    "CSV, Parquet, NDJSON/JSON or XES file; on a spark: workspace also a URI (s3a://, "
    "hdfs://, abfss://) the Spark session reads.": "Fichier CSV, Parquet, NDJSON/JSON ou XES ; "
    "sur un espace spark:, aussi une URI (s3a://, hdfs://, abfss://) que la session Spark lit.",
    "Column mapping YAML file.": "Fichier YAML de correspondance des colonnes.",
    "Zone of naive timestamps (default Europe/Paris).": (
        "Fuseau des horodatages sans fuseau (par défaut Europe/Paris)."
    ),
    "An event_id (feedback_id) already stored or given with other content: keep the first "
    "version (default) or the latest; the other goes to `rejected`.": (
        "Un event_id (feedback_id) déjà enregistré ou donné avec un autre contenu : garder la "
        "première version (par défaut) ou la dernière ; l'autre va dans `rejected`."
    ),
    "Show rejected input rows with their reason, source and row number.": (
        "Montrer les lignes refusées avec leur raison, leur fichier et leur numéro de ligne."
    ),
    "How many rows to show.": "Nombre de lignes affichées.",
    # status, identities, forget, compact
    "What the workspace holds: rows per table, persons, maps, events in the collector's spool.": (
        "Ce que contient l'espace de travail : lignes par table, personnes, cartes, événements "
        "reçus par le collecteur et pas encore chargés."
    ),
    "Resolve persons again and list the over-shared identifiers (not used to merge).": (
        "Relier à nouveau les personnes et lister les identifiants trop partagés (non utilisés "
        "pour relier)."
    ),
    "Erase a person (RGPD) from every table, found by any of their identifiers, and out of "
    "the workspace file's bytes (the file is rewritten; see docs/privacy.md).": (
        "Effacer une personne (RGPD) de toutes les tables, retrouvée par n'importe lequel de "
        "ses identifiants, et des octets du fichier de l'espace de travail (le fichier est "
        "réécrit ; voir docs/privacy.md)."
    ),
    "Every identifier stitched to the person goes too. One audit line is kept, with no "
    "personal data (a salted hash and the rows deleted per table).": (
        "Tous les identifiants reliés à la personne partent aussi. Une ligne d'audit est "
        "gardée, sans donnée personnelle (une empreinte salée et les lignes effacées par table)."
    ),
    "kind:value, e.g. email:alice@example.fr": "type:valeur, par ex. email:alice@example.fr",
    "Do not ask for confirmation.": "Ne pas demander de confirmation.",
    "Rewrite the workspace file with its live rows only, giving back the space of deleted "
    "rows and of ingests that did not finish (killed, or interrupted by an error or "
    "Ctrl-C).": (
        "Réécrire le fichier de l'espace de travail avec ses seules lignes vivantes, pour rendre "
        "la place des lignes effacées et des chargements inachevés (tués, ou interrompus par "
        "une erreur ou Ctrl-C)."
    ),
    "A kill at any moment leaves the old file or the new one, never a broken one.": (
        "Un arrêt brutal à tout moment laisse l'ancien fichier ou le nouveau, jamais un fichier "
        "abîmé."
    ),
    # coverage, export
    "How many events of each name and channel the map's touchpoints cover.": (
        "Combien d'événements de chaque nom et de chaque canal les points de contact de la "
        "carte couvrent."
    ),
    "Export the journey table: an XES event log for process-mining tools (pm4py, ProM, "
    "Disco), or a CSV file, one row per event.": (
        "Exporter la table des parcours : un journal d'événements XES pour les outils de "
        "process mining (pm4py, ProM, Disco), ou un fichier CSV, une ligne par événement."
    ),
    "File to write (a .gz name is gzipped).": (
        "Fichier à écrire (compressé en gzip si son nom finit par .gz)."
    ),
    "xes (an event log) or csv.": "xes (un journal d'événements) ou csv.",
    "XES: a trace per person or per journey.": "XES : une trace par personne ou par parcours.",
    "XES: an event's concept:name: touchpoint, stage, channel or event.": (
        "XES : le concept:name d'un événement : point de contact, étape, canal ou événement."
    ),
    # demo
    "Simulate Maison Lumière, an omnichannel retailer, and load it into the workspace.": (
        "Simuler Maison Lumière, un commerçant omnicanal, et la charger dans l'espace de travail."
    ),
    "How many persons to simulate.": "Nombre de personnes simulées.",
    "Random seed: the same seed gives the same data.": (
        "Graine aléatoire : la même graine donne les mêmes données."
    ),
    "Serve the dashboard at the end.": "Servir le tableau de bord à la fin.",
    "Where to write the demo's journey map.": "Où écrire la carte du parcours de la démo.",
    "Port of the dashboard served at the end.": "Port du tableau de bord servi à la fin.",
    # maps
    "Journey maps saved in the workspace: save, list, history, show.": (
        "Les cartes de parcours enregistrées dans l'espace de travail : enregistrer, lister, "
        "historique, afficher."
    ),
    "Save a new version of a map in the workspace.": (
        "Enregistrer une nouvelle version d'une carte dans l'espace de travail."
    ),
    "What changed.": "Ce qui a changé.",
    "List the maps of the workspace with their latest version.": (
        "Lister les cartes de l'espace de travail avec leur dernière version."
    ),
    "The versions of one map.": "Les versions d'une carte.",
    "What changed between two versions of a map: per stage, touchpoint, persona and "
    "channel, then the text diff of the YAML.": (
        "Ce qui a changé entre deux versions d'une carte : par étape, point de contact, persona "
        "et canal, puis les différences du texte YAML."
    ),
    "The older version.": "La version la plus ancienne.",
    "The newer version (default: latest).": (
        "La version la plus récente (par défaut : la dernière)."
    ),
    "Print one version of a map as YAML.": "Afficher une version d'une carte en YAML.",
    "Version (default: latest).": "Version (par défaut : la dernière).",
    # keys, serve
    "API keys of the REST server: create, list, revoke.": (
        "Les clés d'API du serveur REST : créer, lister, révoquer."
    ),
    "Create an API key and print its token, once: only its hash is stored.": (
        "Créer une clé d'API et afficher son jeton, une seule fois : seule son empreinte est "
        "enregistrée."
    ),
    "read: maps and analyses; write: send events and upload files only; admin: everything, "
    "including editing maps and keys.": (
        "read : cartes et analyses ; write : envoyer des événements et déposer des fichiers "
        "seulement ; admin : tout, y compris modifier les cartes et les clés."
    ),
    "What the key is for.": "À quoi sert la clé.",
    "List the API keys (never their tokens).": "Lister les clés d'API (jamais leurs jetons).",
    "Show revoked keys too.": "Montrer aussi les clés révoquées.",
    "Revoke an API key: requests that send it are refused from now on.": (
        "Révoquer une clé d'API : les requêtes qui l'envoient sont refusées dès maintenant."
    ),
    "The key id, e.g. pk_1a2b3c4d.": "L'identifiant de la clé, par ex. pk_1a2b3c4d.",
    "Serve the dashboard, the REST API and its OpenAPI page (/docs) over the workspace.": (
        "Servir le tableau de bord, l'API REST et sa page OpenAPI (/docs) sur l'espace de travail."
    ),
    "Prints the dashboard's address with a login token, made at start: it logs one browser "
    'in, once (another browser: an API key, or "Login link" in a logged-in dashboard). The '
    "server holds the workspace file while it runs; meanwhile every `parcours` command and "
    "`parcours.open()` on it go through the server (it writes `<workspace>.server` beside "
    "it).": (
        "Affiche l'adresse du tableau de bord avec un jeton de connexion créé au démarrage : il "
        "connecte un navigateur, une fois (un autre navigateur : une clé d'API, ou « Lien de "
        "connexion » dans un tableau de bord connecté). Le serveur tient le fichier de l'espace "
        "de travail tant qu'il tourne ; pendant ce temps, toute commande `parcours` et tout "
        "`parcours.open()` sur ce fichier passent par le serveur (il écrit "
        "`<workspace>.server` à côté)."
    ),
    "Example: `parcours serve --port 8765`, then open the address it prints": (
        "Exemple : `parcours serve --port 8765`, puis ouvrez l'adresse affichée"
    ),
    "Address to listen on; 0.0.0.0 exposes it to the network.": (
        "Adresse d'écoute ; 0.0.0.0 l'ouvre au réseau."
    ),
    "Port to listen on.": "Port d'écoute.",
    # report
    "Write the report: summary, friction points, the journey map, then every analysis.": (
        "Écrire le rapport : synthèse, points de friction, carte du parcours, puis chaque analyse."
    ),
    "File to write: .html (offline, self-contained), .pdf or .png.": (
        "Fichier à écrire : .html (autonome, lisible hors ligne), .pdf ou .png."
    ),
    "Write the journey map canvas with measured figures, frictions and the emotion curve.": (
        "Écrire la carte du parcours avec les chiffres mesurés, les frictions et la courbe "
        "d'émotion."
    ),
    "File to write: .html, .svg, .png or .pdf.": "Fichier à écrire : .html, .svg, .png ou .pdf.",
    "Persona id of the map: the figures are measured on its journeys only, and its header "
    "is shown.": (
        "Identifiant d'un persona de la carte : les chiffres sont mesurés sur ses seuls "
        "parcours, et son en-tête est affiché."
    ),
}

# The analyses: their summary (parcours/analyses/__init__.py SUMMARIES) and parameters, as
# their docstrings write them; a list parameter's help ends with "(comma-separated)".
_ANALYSES: dict[str, str] = {
    # frictions
    "Friction points ranked: exits beyond the stage's baseline, bounces, calls for help, "
    "negative feedback.": (
        "Les points de friction classés : sorties au-delà de la normale de l'étape, rebonds, "
        "appels à l'aide, avis négatifs."
    ),
    "touchpoint or stage.": "point de contact ou étape.",
    "a web or app session ends after this long without an event, e.g. 30m.": (
        "une visite web ou appli se termine après ce délai sans événement, par ex. 30m."
    ),
    "channels whose single-event sessions are bounces (default web, app). (comma-separated)": (
        "canaux où une visite d'un seul événement est un rebond (par défaut web, app). "
        "(séparés par des virgules)"
    ),
    "touchpoints, stages or channels that are calls for help (default service_client). "
    "(comma-separated)": (
        "points de contact, étapes ou canaux qui sont des appels à l'aide (par défaut "
        "service_client). (séparés par des virgules)"
    ),
    "confidence level of the intervals and tests, e.g. 0.95.": (
        "niveau de confiance des intervalles et des tests, par ex. 0.95."
    ),
    "touchpoints met by fewer journeys (or sessions) are not tested.": (
        "les points de contact vus par moins de parcours (ou de visites) ne sont pas testés."
    ),
    "exits compared with the stage's other touchpoints on the same channel (stage_channel) "
    "or with all of them (stage).": (
        "sorties comparées aux autres points de contact de l'étape sur le même canal "
        "(stage_channel) ou à tous ceux de l'étape (stage)."
    ),
    "keep the first N friction points.": "garder les N premiers points de friction.",
    "measure which properties, earlier touchpoints and personas go with abandoning.": (
        "mesurer quelles propriétés, quels points de contact antérieurs et quels personas "
        "accompagnent l'abandon."
    ),
    # kpis
    "Reach, conversion and exit rate per touchpoint or stage, against the map's goals.": (
        "Portée, conversion et taux de sortie par point de contact ou par étape, face aux "
        "objectifs de la carte."
    ),
    # funnel
    "Persons reaching each step in order within a conversion window.": (
        "Combien de personnes franchissent chaque étape, dans l'ordre, dans un délai de conversion."
    ),
    "touchpoint ids, stage ids or event names, with optional filters: "
    "purchase[fulfilment=click_collect], panier[channel=web]; a step ending with ? is "
    "optional (debut_commande?): it may be skipped, except the first and the last": (
        "identifiants de points de contact ou d'étapes, ou noms d'événements, avec des filtres "
        "facultatifs : purchase[fulfilment=click_collect], panier[channel=web] ; une étape "
        "finie par ? est facultative (debut_commande?) : elle peut être sautée, sauf la "
        "première et la dernière"
    ),
    "conversion window counted from the first step, e.g. 14d, 1h (an event exactly at its "
    "end counts)": (
        "délai de conversion compté depuis la première étape, par ex. 14j, 1h (un événement "
        "pile à son terme compte)"
    ),
    "ordered (other events allowed between steps), strict (none) or unordered": (
        "ordered (d'autres événements permis entre les étapes), strict (aucun) ou unordered "
        "(dans n'importe quel ordre)"
    ),
    "EVENT:FROM:TO (1-based steps) or EVENT for the whole funnel: an event that stops an "
    "attempt between those steps (comma-separated)": (
        "ÉVÉNEMENT:DE:À (étapes comptées à partir de 1) ou ÉVÉNEMENT pour tout l'entonnoir : un "
        "événement qui arrête une tentative entre ces étapes (séparés par des virgules)"
    ),
    "drop (the attempt does not count at all) or cut (it counts up to the last step before "
    "the excluded event)": (
        "drop (la tentative ne compte pas du tout) ou cut (elle compte jusqu'à la dernière "
        "étape avant l'événement exclu)"
    ),
    "channel, touchpoint, stage, event, persona, property:KEY or customer:KEY": (
        "channel, touchpoint, stage, event, persona, property:CLÉ ou customer:CLÉ (canal, "
        "point de contact, étape, événement, persona, propriété ou fiche client)"
    ),
    "where an event-level breakdown value is read: first_touch, last_touch or step:N": (
        "où se lit une valeur de ventilation propre à l'événement : first_touch (premier "
        "contact), last_touch (dernier contact) ou step:N (étape N)"
    ),
    "period of the conversion-over-time table: day, week or month": (
        "période de la table de conversion dans le temps : day (jour), week (semaine) ou "
        "month (mois)"
    ),
    "keep each attempt inside one journey (default: the person's whole stream)": (
        "garder chaque tentative dans un seul parcours (par défaut : tout l'historique de la "
        "personne)"
    ),
    "end of the data, e.g. 2026-03-31 or 2026-03-31T18:00 (UTC; default: the latest event): "
    "a person not converted whose window ends after it is still in window, not lost": (
        "fin des données, par ex. 2026-03-31 ou 2026-03-31T18:00 (UTC ; par défaut : le "
        "dernier événement) : une personne non convertie dont le délai finit après est encore "
        "dans le délai, pas perdue"
    ),
    "with breakdown_attribution step:N, keep the (none) group of the persons who stopped "
    "before step N": (
        "avec breakdown_attribution step:N, garder le groupe (aucun) des personnes arrêtées "
        "avant l'étape N"
    ),
    "what goes with converting or dropping out: event, touchpoint, persona, property:KEY"
    " (odds ratios, Fisher's test) (comma-separated)": (
        "ce qui accompagne la conversion ou l'abandon : event, touchpoint, persona, "
        "property:CLÉ (rapports de cotes, test exact de Fisher) (séparés par des virgules)"
    ),
    "N=DURATION: step N counts only within DURATION of the step before it, besides the "
    "overall window, e.g. 2=1h,4=30m (comma-separated)": (
        "N=DURÉE : l'étape N ne compte que dans la DURÉE qui suit l'étape d'avant, en plus du "
        "délai d'ensemble, par ex. 2=1h,4=30m (séparés par des virgules)"
    ),
    "what is counted once: persons (furthest step of any attempt), journeys (each journey "
    "once), attempts (every conversion: an attempt ends at each event of the last step)": (
        "ce qui est compté une fois : persons (personnes : l'étape la plus loin de toutes leurs "
        "tentatives), journeys (parcours : chaque parcours une fois), attempts (tentatives : "
        "chaque conversion ; une tentative finit à chaque événement de la dernière étape)"
    ),
    # paths
    "Top paths, Sankey flows step to step, and how often journeys loop, go back or skip.": (
        "Les chemins les plus fréquents, les flux d'une étape à l'autre, et la part des "
        "parcours qui bouclent, reviennent en arrière ou sautent une étape."
    ),
    "touchpoint, stage, channel or event: what a step is.": (
        "touchpoint, stage, channel ou event : ce qu'est une étape du chemin (point de "
        "contact, étape, canal ou événement)."
    ),
    "paths begin at the first occurrence of this value.": (
        "les chemins commencent à la première occurrence de cette valeur."
    ),
    "paths stop at the first occurrence of this value (after start).": (
        "les chemins s'arrêtent à la première occurrence de cette valeur (après le début)."
    ),
    "number of steps shown; longer paths are cut and marked with an ellipsis.": (
        "nombre d'étapes affichées ; les chemins plus longs sont coupés et marqués de points "
        "de suspension."
    ),
    "number of paths listed.": "nombre de chemins listés.",
    "merge consecutive repeats of the same value into one step.": (
        "fusionner en une étape les répétitions consécutives d'une même valeur."
    ),
    "keep events that match no touchpoint (as 'unmapped').": (
        "garder les événements qui ne correspondent à aucun point de contact (comme « unmapped »)."
    ),
    # process
    "What follows what: the transitions between touchpoints, their times and the journey variants.": (
        "Qui suit quoi : les enchaînements entre points de contact, leurs délais et les "
        "variantes de parcours."
    ),
    "touchpoint, stage, channel or event: what an activity is.": (
        "touchpoint, stage, channel ou event : ce qu'est une activité (point de contact, étape, "
        "canal ou événement)."
    ),
    "person (default), journey, or a column or event property: what a case is.": (
        "person (personne, par défaut), journey (parcours), ou une colonne ou une propriété "
        "d'événement : ce qu'est un cas."
    ),
    "keep the cases of the most frequent variants (or edges) covering this share.": (
        "garder les cas des variantes (ou des enchaînements) les plus fréquentes qui couvrent "
        "cette part."
    ),
    "variants or edges: what coverage keeps.": (
        "variants (variantes) ou edges (enchaînements) : ce que garde la couverture."
    ),
    "merge consecutive repeats of an activity (no self-loops).": (
        "fusionner les répétitions consécutives d'une activité (pas de boucle sur elle-même)."
    ),
    "number of variants listed.": "nombre de variantes listées.",
    # conformance
    "How far journeys follow the map's designed flow: fitness and the main deviations.": (
        "À quel point les parcours suivent les enchaînements prévus par la carte, et les "
        "écarts les plus fréquents."
    ),
    "number of deviations listed.": "nombre d'écarts listés.",
    "example journey ids given per deviation.": (
        "nombre de parcours donnés en exemple pour chaque écart."
    ),
    # channels
    "Channel mix per stage, channel switches, ROPO, showrooming, click & collect, and a "
    "multichannel / cross-channel / omnichannel reading.": (
        "Les canaux de chaque étape, les passages d'un canal à l'autre, le ROPO, le "
        "showrooming, le click & collect, et le niveau multicanal, cross-canal ou omnicanal."
    ),
    "physical channels (default magasin, store); every other channel is online. "
    "(comma-separated)": (
        "canaux physiques (par défaut magasin, store) ; tous les autres sont en ligne. "
        "(séparés par des virgules)"
    ),
    "touchpoints, stages, events or channels that count as online research for ROPO "
    "(default: online events in the purchase's stage or the stage before). "
    "(comma-separated)": (
        "points de contact, étapes, événements ou canaux qui comptent comme recherche en ligne "
        "pour le ROPO (par défaut : les événements en ligne de l'étape de l'achat ou de l'étape "
        "d'avant). (séparés par des virgules)"
    ),
    "fulfilment values and pick-up events or touchpoints that mark click & collect "
    "(default click_collect, click_collect_pickup, pickup, store_pickup). "
    "(comma-separated)": (
        "modes de livraison et événements ou points de contact de retrait qui signalent le "
        "click & collect (par défaut click_collect, click_collect_pickup, pickup, "
        "store_pickup). (séparés par des virgules)"
    ),
    "the purchase property holding the fulfilment mode.": (
        "la propriété de l'achat qui porte le mode de livraison."
    ),
    "share of persons a level must reach to be the brand's reading (default 0.2).": (
        "part des personnes qu'un niveau doit atteindre pour qualifier la marque (par défaut 0.2)."
    ),
    # attribution
    "Credit of each channel or touchpoint for conversions and revenue (multi-touch attribution).": (
        "La part des conversions et du chiffre d'affaires due à chaque canal ou point de "
        "contact (attribution multi-contact)."
    ),
    "channel (the touch's event channel) or touchpoint.": (
        "channel (le canal de l'événement du contact) ou touchpoint (point de contact)."
    ),
    "first_touch, last_touch, linear, position, time_decay, markov, shapley (default: all). "
    "(comma-separated)": (
        "first_touch (premier contact), last_touch (dernier contact), linear (linéaire), "
        "position (en U), time_decay (décroissance dans le temps), markov, shapley (par "
        "défaut : tous). (séparés par des virgules)"
    ),
    "order of the Markov chain, 1 to 4.": "ordre de la chaîne de Markov, de 1 à 4.",
    "position-based share of the first touch (default 0.4).": (
        "modèle en U : part du premier contact (par défaut 0.4)."
    ),
    "position-based share of the last touch (default 0.4).": (
        "modèle en U : part du dernier contact (par défaut 0.4)."
    ),
    "time decay half-life, e.g. 7d or 12h.": (
        "demi-vie de la décroissance dans le temps, par ex. 7j ou 12h."
    ),
    "unordered, or ordered (also splits each channel's value by position).": (
        "unordered (sans ordre), ou ordered (partage aussi la valeur de chaque canal selon sa "
        "position)."
    ),
    "touchpoints or channels never credited (left out of the paths). (comma-separated)": (
        "points de contact ou canaux jamais crédités (retirés des chemins). (séparés par des "
        "virgules)"
    ),
    "a CSV of aggregated paths (path, conversions, value, nulls) to use instead of the journeys.": (
        "un CSV de chemins agrégés (path, conversions, value, nulls) à utiliser au lieu des "
        "parcours."
    ),
    # voice
    "NPS, CSAT, CES and sentiment per touchpoint and stage; themes; emotion curve.": (
        "NPS, satisfaction, effort et ton des commentaires par étape et point de contact ; "
        "thèmes ; courbe d'émotion."
    ),
    "touchpoint, stage or both.": (
        "touchpoint (point de contact), stage (étape) ou both (les deux)."
    ),
    "level of the confidence intervals, between 0 and 1 (0.95).": (
        "niveau des intervalles de confiance, entre 0 et 1 (0.95)."
    ),
    "how many themes to group negative verbatims into (1 to 20).": (
        "en combien de thèmes regrouper les verbatims négatifs (de 1 à 20)."
    ),
    "how many verbatims to list with their sentiment, most frequent first (0: every verbatim).": (
        "combien de verbatims lister avec leur ton, les plus fréquents d'abord (0 : tous les "
        "verbatims)."
    ),
    # retention
    "Repeat purchases, cohort retention, lifecycle, stickiness, RFM segments and customer "
    "lifetime value.": (
        "Achats répétés, fidélité des cohortes, cycle de vie, assiduité, segments RFM et "
        "valeur vie client."
    ),
    "last day (YYYY-MM-DD) whose purchases are analysed; later ones are a holdout. Default: "
    "the last day with an event.": (
        "dernier jour (AAAA-MM-JJ) dont les achats sont analysés ; les suivants servent de "
        "contrôle. Par défaut : le dernier jour avec un événement."
    ),
    "CLV horizon in months.": "horizon de la valeur vie client, en mois.",
    "monthly discount rate of future revenue, e.g. 0.01.": (
        "taux d'actualisation mensuel du chiffre d'affaires futur, par ex. 0.01."
    ),
    "number of RFM score levels (5 gives the usual 1-5 scores).": (
        "nombre de niveaux des scores RFM (5 donne les scores habituels de 1 à 5)."
    ),
    "how many buyers to list by predicted CLV.": (
        "combien d'acheteurs lister, par valeur vie client prévue."
    ),
    "events or touchpoints that put a person in a cohort (default: conversions). "
    "(comma-separated)": (
        "événements ou points de contact qui font entrer une personne dans une cohorte (par "
        "défaut : les conversions). (séparés par des virgules)"
    ),
    "events or touchpoints that count as coming back, for cohorts, lifecycle and stickiness "
    "(default: conversions). (comma-separated)": (
        "événements ou points de contact qui comptent comme un retour, pour les cohortes, le "
        "cycle de vie et l'assiduité (par défaut : les conversions). (séparés par des virgules)"
    ),
    "cohort and lifecycle period: day, week (ISO, Monday first) or month.": (
        "période des cohortes et du cycle de vie : day (jour), week (semaine ISO, commençant "
        "le lundi) ou month (mois)."
    ),
    "days active counted per week or per month.": (
        "jours d'activité comptés par semaine ou par mois."
    ),
    # personas
    "Declared personas measured, data-driven personas found by clustering, two compared.": (
        "Les personas de la carte mesurés sur les données, les groupes de comportement que les "
        "données font apparaître, et deux personas comparés."
    ),
    "number of behaviour clusters (2 to 20); by default the best silhouette from 2 to 8.": (
        "nombre de groupes de comportement (de 2 à 20) ; par défaut, le nombre de 2 à 8 qui "
        "sépare le mieux les groupes."
    ),
    "two persona ids (declared, or cluster_N) to put side by side. (comma-separated)": (
        "deux identifiants de personas (de la carte, ou cluster_N) à mettre côte à côte. "
        "(séparés par des virgules)"
    ),
    "cluster only the persons who converted at least once.": (
        "ne grouper que les personnes qui ont converti au moins une fois."
    ),
    # compare
    "Two periods, segments or map versions side by side: conversion, frictions, NPS, with "
    "significance.": (
        "Deux périodes, deux segments ou deux versions de la carte côte à côte : conversion, "
        "frictions, NPS, avec leur significativité."
    ),
    "first period, FIRST..LAST days, e.g. 2026-01-01..2026-03-31 (journeys by their start); "
    "with no pair given, the month before period_b's.": (
        "première période, jours PREMIER..DERNIER, par ex. 2026-01-01..2026-03-31 (les "
        "parcours selon leur début) ; sans paire donnée, le mois qui précède celui de period_b."
    ),
    "second period, same form; with no pair given, the last full calendar month whose "
    "journeys have had one journey timeout to end before the data's last event.": (
        "seconde période, même forme ; sans paire donnée, le dernier mois complet dont les "
        "parcours ont eu un délai d'inactivité pour finir avant le dernier événement des "
        "données."
    ),
    "first segment, key=value joined with ',' (keys persona, channel, touchpoint, stage), "
    "e.g. persona=ropo.": (
        "premier segment, clé=valeur séparés par « , » (clés persona, channel, touchpoint, "
        "stage), par ex. persona=ropo."
    ),
    "second segment, same form.": "second segment, même forme.",
    "first saved version of the map.": "première version enregistrée de la carte.",
    "second saved version of the map.": "seconde version enregistrée de la carte.",
    "funnel steps to compare too (touchpoint ids, stage ids or event names), run by the "
    "funnel analysis. (comma-separated)": (
        "étapes d'entonnoir à comparer aussi (identifiants de points de contact ou d'étapes, "
        "ou noms d'événements), calculées par l'analyse de l'entonnoir. (séparés par des "
        "virgules)"
    ),
    "touchpoints met by fewer journeys are not tested in the friction ranking.": (
        "les points de contact vus par moins de parcours ne sont pas testés dans le classement "
        "des frictions."
    ),
}

HELP_FR: dict[str, str] = {**_APP, **_COMMON, **_COMMANDS, **_ANALYSES}
