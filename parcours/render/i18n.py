"""The one i18n layer of parcours: every word a user reads, in French and English, and the
way numbers, percentages, dates and durations are written in the reader's locale (Babel).

One table, key -> {fr, en}: the report and chart words below, the dashboard's words
(:mod:`parcours.render._dashboard_words`) and the words of the analyses' results: figure
labels, column headers, parameters, notes (:mod:`parcours.render._result_words`), and the
analyses' and the API's error messages (:mod:`parcours.render._error_words`), and the
command line's own sentences (:mod:`parcours.render._cli_words`).
:func:`t` looks a key up and fills its ``{placeholders}``; a key missing in a language falls
back to English, then French (tests/render/test_i18n.py keeps every key in both).
The dashboard, the report, the canvas and the CLI all read it.

>>> t("section.frictions", "fr")
'Points de friction'
>>> t("funnel.lost", "en")
'lost'
>>> pct(0.283, "en"), number(25201, "en"), duration(40, "en")
('28%', '25,201', '40\xa0s')
>>> pct(0.283, "fr"), number(25201, "fr"), duration(5400, "fr")
('28\xa0%', '25\u202f201', '1,5\xa0h')
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, SupportsFloat, SupportsIndex

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup

from parcours.currency import amount, locale_of
from parcours.render._cli_words import CLI
from parcours.render._dashboard_words import DASHBOARD
from parcours.render._error_words import ERRORS
from parcours.render._experience_words import EXPERIENCE
from parcours.render._help_words import EXAMPLE, HELP_FR
from parcours.render._result_words import RESULTS

LANGS = ("fr", "en")

STRINGS: dict[str, dict[str, str]] = {
    # -- report frame -----------------------------------------------------------------------
    "report.title": {"fr": "Rapport de parcours client", "en": "Customer journey report"},
    "report.generated": {
        "fr": "Généré le {date} par parcours, à partir de {persons} personnes et {journeys} parcours.",
        "en": "Generated on {date} by parcours, from {persons} persons and {journeys} journeys.",
    },
    "report.contents": {"fr": "Sommaire", "en": "Contents"},
    "report.unavailable": {"fr": "Non disponible", "en": "Not available"},
    "report.details": {"fr": "Définitions et précautions", "en": "Definitions and caveats"},
    "report.more_rows": {
        "fr": "{shown} lignes sur {total} affichées.",
        "en": "{shown} of {total} rows shown.",
    },
    # -- sections ---------------------------------------------------------------------------
    "section.summary": {"fr": "En bref", "en": "At a glance"},
    "section.frictions": {"fr": "Points de friction", "en": "Friction points"},
    "section.canvas": {"fr": "La carte du parcours", "en": "The journey map"},
    "section.funnel": {"fr": "Entonnoir de conversion", "en": "Conversion funnel"},
    "section.paths": {"fr": "Chemins des clients", "en": "Customer paths"},
    "section.process": {"fr": "Carte des enchaînements", "en": "Process map"},
    "section.conformance": {
        "fr": "Conformité au parcours prévu",
        "en": "Conformance to the designed journey",
    },
    "section.channels": {"fr": "Canaux", "en": "Channels"},
    "section.attribution": {"fr": "Attribution", "en": "Attribution"},
    "section.voice": {"fr": "Voix du client", "en": "Voice of the customer"},
    "section.retention": {"fr": "Fidélisation", "en": "Retention and loyalty"},
    "section.personas": {"fr": "Personas", "en": "Personas"},
    "section.kpis": {"fr": "Indicateurs", "en": "KPIs"},
    "section.compare": {"fr": "Comparer", "en": "Compare"},
    # -- explanations: one short paragraph per section or figure ----------------------------
    "explain.summary": {
        "fr": "Les chiffres clés du parcours mesuré sur les données, puis les points de friction "
        "classés par nombre de clients perdus.",
        "en": "The key figures of the journey as measured on the data, then the friction points "
        "ranked by how many customers they lose.",
    },
    "explain.frictions": {
        "fr": "Là où les clients hésitent et abandonnent. Le score compte les parcours perdus au-delà "
        "de ce qu'on attendrait à cette étape (sorties, rebonds, appels au service client, avis "
        "négatifs), seulement quand l'écart est statistiquement sûr. « Prévu » : la carte "
        "l'annonçait ; « découvert » : les données le révèlent.",
        "en": "Where customers doubt and abandon. The score counts the journeys lost beyond what this "
        "stage would normally lose (exits, bounces, calls for help, negative feedback), only when "
        "the gap is statistically sure. 'Declared': the map expected it; 'discovered': the data "
        "shows it.",
    },
    "explain.canvas": {
        "fr": "La carte telle qu'elle a été conçue (étapes en colonnes, canaux en lignes), avec ce que "
        "les clients ont vraiment fait : portée, conversion et taux de sortie de chaque point de "
        "contact, objectifs atteints (vert) ou manqués (rouge), courbe d'émotion prévue et "
        "mesurée, frictions (⚠) et opportunités.",
        "en": "The map as designed (stages in columns, channels in lanes), with what customers really "
        "did: reach, conversion and exit rate of each touchpoint, goals met (green) or missed "
        "(red), the designed and measured emotion curve, friction points (⚠) and opportunities.",
    },
    "explain.funnel": {
        "fr": "Combien de personnes franchissent chaque étape, dans l'ordre, dans un délai de {window}. "
        "La partie claire de chaque barre montre les personnes perdues depuis l'étape précédente ; "
        "sous chaque étape, le délai médian pour y arriver.",
        "en": "How many persons get through each step, in order, within {window}. The light part of "
        "each bar shows the persons lost since the previous step; under each step, the median time "
        "it took to get there.",
    },
    "explain.paths": {
        "fr": "Les enchaînements réels de points de contact, étape par étape : l'épaisseur d'un flux "
        "est le nombre de parcours qui le suivent. Seuls les flux les plus fréquents sont dessinés. "
        "Un parcours est rarement linéaire : {nonlinear} reviennent en arrière, bouclent ou sautent "
        "une étape.",
        "en": "The real sequences of touchpoints, step by step: the thickness of a flow is the number "
        "of journeys that follow it. Only the most frequent flows are drawn. Journeys are rarely "
        "linear: {nonlinear} go back, loop or skip a stage.",
    },
    "explain.process": {
        "fr": "Qui suit quoi, de gauche à droite dans l'ordre des étapes de la carte. Une flèche épaisse "
        "est un enchaînement fréquent ; sa couleur dit le temps médian entre les deux (du clair, "
        "rapide, au foncé, lent) ; la taille d'un point, le nombre de passages.",
        "en": "What follows what, left to right in the order of the map's stages. A thick arrow is a "
        "frequent transition; its colour is the median time between the two (light is fast, dark is "
        "slow); the size of a dot is the number of passages.",
    },
    "explain.conformance": {
        "fr": "La part des parcours qui suivent les enchaînements d'étapes prévus par la carte, et les "
        "écarts les plus fréquents : retour en arrière, saut d'étape, point de contact utilisé sur un "
        "autre canal que prévu.",
        "en": "The share of journeys that follow the stage transitions the map designed, and the most "
        "common deviations: going back, skipping a stage, a touchpoint used on another channel than "
        "designed.",
    },
    "explain.channels": {
        "fr": "Sur quels canaux se passe chaque étape, et combien de clients passent d'un canal à "
        "l'autre (recherche en ligne puis achat en magasin, click & collect...).",
        "en": "Which channels each stage happens on, and how many customers move from one channel to "
        "another (research online then buy in store, click & collect...).",
    },
    "explain.attribution": {
        "fr": "Quelle part des conversions revient à chaque {level} selon plusieurs modèles : premier "
        "contact, dernier contact, linéaire, en U, décroissance dans le temps, Markov (effet de "
        "retrait) et Shapley. Quand les modèles divergent, le canal joue un rôle différent en début "
        "et en fin de parcours.",
        "en": "How much of the conversions each {level} earns under several models: first touch, last "
        "touch, linear, position-based, time decay, Markov (removal effect) and Shapley. Where the "
        "models disagree, the channel plays a different role early and late in the journey.",
    },
    "explain.voice": {
        "fr": "Ce que disent les clients : NPS (% de promoteurs 9–10 moins % de détracteurs 0–6), "
        "satisfaction (CSAT, part des notes 4–5) et effort (CES, 1–7, bas c'est mieux) par étape, "
        "avec leur intervalle de confiance.",
        "en": "What customers say: NPS (% promoters 9–10 minus % detractors 0–6), satisfaction (CSAT, "
        "share of 4–5 answers) and effort (CES, 1–7, low is better) per stage, with their "
        "confidence interval.",
    },
    "explain.emotion": {
        "fr": "L'émotion prévue par la carte (pointillés) et celle que mesurent les enquêtes (trait "
        "plein), de −2 (très négative) à +2 (très positive).",
        "en": "The emotion the map designed (dashed) and the one surveys measure (solid), from −2 "
        "(very negative) to +2 (very positive).",
    },
    "explain.themes": {
        "fr": "Les thèmes qui reviennent dans les commentaires négatifs.",
        "en": "The themes that come back in negative comments.",
    },
    "explain.retention": {
        "fr": "Chaque ligne est une cohorte de clients groupés par mois de première conversion ; "
        "chaque case, la part d'entre eux qui revient k mois plus tard.",
        "en": "Each row is a cohort of customers grouped by the month of their first conversion; "
        "each cell, the share of them who come back k months later.",
    },
    "explain.rfm": {
        "fr": "Segments RFM (récence, fréquence, montant) et valeur future prévue de leurs "
        "clients (voir les notes).",
        "en": "RFM segments (recency, frequency, monetary) and the predicted future value of "
        "their customers (see the notes).",
    },
    "explain.personas": {
        "fr": "Les personas déclarés dans la carte, mesurés sur les données, puis les groupes de "
        "comportement que les données font apparaître d'elles-mêmes.",
        "en": "The personas the map declares, measured on the data, then the behaviour groups the "
        "data shows by itself.",
    },
    "explain.kpis": {
        "fr": "Portée, conversion et taux de sortie de chaque point de contact, face aux "
        "objectifs de la carte.",
        "en": "Reach, conversion and exit rate of each touchpoint, against the map's goals.",
    },
    "explain.compare": {
        "fr": "Le dernier mois complet dont les parcours ont eu le temps de finir (B) face au "
        "mois d'avant (A) : conversion, points de friction et NPS, avec leur significativité.",
        "en": "The last full month whose journeys have had the time to end (B) against the "
        "month before (A): conversion, friction points and NPS, with their significance.",
    },
    # -- summary figures --------------------------------------------------------------------
    "kpis.goals": {
        "fr": "{met} objectifs atteints sur {measured} mesurés.",
        "en": "{met} of the {measured} goals measured are met.",
    },
    "compare.headline": {
        "fr": "Conversion des parcours : {rate_a} {a} (A), {rate_b} {b} (B) ; {significant}.",
        "en": "Journey conversion: {rate_a} {a} (A), {rate_b} {b} (B); {significant}.",
    },
    "compare.period": {"fr": "du {first} au {last}", "en": "from {first} to {last}"},
    "compare.row.all": {"fr": "Tous les parcours : conversion", "en": "All journeys: conversion"},
    "compare.row.reach": {
        "fr": "{stage} : parcours qui l'atteignent",
        "en": "{stage}: journeys reaching it",
    },
    "compare.row.conversion": {
        "fr": "{stage} : conversion après l'étape",
        "en": "{stage}: conversion after the stage",
    },
    "compare.row.funnel": {
        "fr": "Entonnoir, étape {step} : {name}",
        "en": "Funnel step {step}: {name}",
    },
    "compare.axis": {"fr": "Part des parcours (A et B)", "en": "Share of journeys (A and B)"},
    "compare.star": {
        "fr": "★ écart significatif entre A et B",
        "en": "★ significant change between A and B",
    },
    "compare.significant": {
        "fr": "un écart significatif",
        "en": "a significant change",
    },
    "compare.not_significant": {
        "fr": "un écart qui peut tenir au hasard",
        "en": "a change that may be chance",
    },
    "label.all_journeys": {"fr": "Tous les parcours", "en": "All journeys"},
    "label.yes": {"fr": "oui", "en": "yes"},
    "label.no": {"fr": "non", "en": "no"},
    "col.stage": {"fr": "Étape", "en": "Stage"},
    "col.channel": {"fr": "Canal", "en": "Channel"},
    "col.reach": {"fr": "Portée", "en": "Reach"},
    "col.exit_rate": {"fr": "Taux de sortie", "en": "Exit rate"},
    "col.journeys_a": {"fr": "Parcours A", "en": "Journeys A"},
    "col.journeys_b": {"fr": "Parcours B", "en": "Journeys B"},
    "col.conversion_a": {"fr": "Conversion A", "en": "Conversion A"},
    "col.conversion_b": {"fr": "Conversion B", "en": "Conversion B"},
    "col.change_points": {"fr": "Écart", "en": "Change"},
    "col.significant": {"fr": "Significatif", "en": "Significant"},
    "summary.persons": {"fr": "Personnes", "en": "Persons"},
    "summary.journeys": {"fr": "Parcours", "en": "Journeys"},
    "summary.conversion": {"fr": "Parcours convertis", "en": "Journeys converting"},
    "summary.goals": {"fr": "Objectifs atteints", "en": "Goals met"},
    "summary.nps": {"fr": "NPS", "en": "NPS"},
    "summary.repeat": {"fr": "Taux de retour", "en": "Return rate"},
    "summary.top_friction": {"fr": "Friction n° 1", "en": "Top friction"},
    # -- table headers ----------------------------------------------------------------------
    "col.rank": {"fr": "Rang", "en": "Rank"},
    "col.touchpoint": {"fr": "Point de contact", "en": "Touchpoint"},
    "col.status": {"fr": "Statut", "en": "Status"},
    "col.score": {"fr": "Score", "en": "Score"},
    "col.signal": {"fr": "Signal", "en": "Signal"},
    "col.explanation": {"fr": "Explication", "en": "Explanation"},
    "col.path": {"fr": "Chemin", "en": "Path"},
    "col.journeys": {"fr": "Parcours", "en": "Journeys"},
    "col.share": {"fr": "Part", "en": "Share"},
    "col.conversion": {"fr": "Conversion", "en": "Conversion"},
    "col.kind": {"fr": "Écart", "en": "Deviation"},
    "col.from": {"fr": "De", "en": "From"},
    "col.to": {"fr": "Vers", "en": "To"},
    "col.pattern": {"fr": "Comportement", "en": "Pattern"},
    "col.level": {"fr": "Niveau", "en": "Level"},
    "col.persons": {"fr": "Personnes", "en": "Persons"},
    "col.definition": {"fr": "Définition", "en": "Definition"},
    "col.theme": {"fr": "Thème", "en": "Theme"},
    "col.keywords": {"fr": "Mots-clés", "en": "Keywords"},
    "col.example": {"fr": "Exemple", "en": "Example"},
    "col.verbatims": {"fr": "Commentaires", "en": "Comments"},
    "col.segment": {"fr": "Segment", "en": "Segment"},
    "col.revenue": {"fr": "Chiffre d'affaires", "en": "Revenue"},
    "col.persona": {"fr": "Persona", "en": "Persona"},
    "col.main_channel": {"fr": "Canal principal", "en": "Main channel"},
    "col.revenue_per_person": {"fr": "CA par personne", "en": "Revenue per person"},
    "col.cluster": {"fr": "Groupe", "en": "Group"},
    "col.description": {"fr": "Description", "en": "Description"},
    "col.occurrences": {"fr": "Occurrences", "en": "Occurrences"},
    # -- values -----------------------------------------------------------------------------
    "status.declared": {"fr": "prévu", "en": "declared"},
    "status.discovered": {"fr": "découvert", "en": "discovered"},
    "signal.exits": {"fr": "sorties", "en": "exits"},
    "signal.bounces": {"fr": "rebonds", "en": "bounces"},
    "signal.contacts": {"fr": "appels à l'aide", "en": "calls for help"},
    "signal.feedback": {"fr": "avis négatifs", "en": "negative feedback"},
    "kind.skip": {"fr": "saut d'étape", "en": "skipped stage"},
    "kind.reverse": {"fr": "retour en arrière", "en": "going back"},
    "kind.undesigned": {"fr": "non prévu", "en": "not designed"},
    "kind.off_channel": {"fr": "autre canal", "en": "other channel"},
    # -- charts -----------------------------------------------------------------------------
    "funnel.persons": {"fr": "personnes", "en": "persons"},
    "funnel.lost": {"fr": "perdues", "en": "lost"},
    # a Sankey column of paths: the n-th point of the path (not a stage of the map, "étape")
    "paths.position": {"fr": "Position {n}", "en": "Position {n}"},
    "funnel.median": {"fr": "médiane {time}", "en": "median {time}"},
    "funnel.of_first": {"fr": "{pct} du départ", "en": "{pct} of start"},
    "label.conversion": {"fr": "Conversion ({event})", "en": "Conversion ({event})"},
    "label.no_persona": {"fr": "(sans persona)", "en": "(no persona)"},
    "process.median_time": {"fr": "temps médian", "en": "median time"},
    "process.transitions": {"fr": "enchaînements", "en": "transitions"},
    "process.events": {"fr": "passages", "en": "passages"},
    "process.cases": {"fr": "cas", "en": "cases"},
    "process.starts": {"fr": "débuts", "en": "starts"},
    "process.ends": {"fr": "fins", "en": "ends"},
    "process.repeats": {"fr": "répétitions", "en": "repeats"},
    "attribution.conversions": {"fr": "conversions attribuées", "en": "conversions credited"},
    "model.first_touch": {"fr": "premier contact", "en": "first touch"},
    "model.last_touch": {"fr": "dernier contact", "en": "last touch"},
    "model.linear": {"fr": "linéaire", "en": "linear"},
    "model.position": {"fr": "en U", "en": "position-based"},
    "model.time_decay": {"fr": "décroissance", "en": "time decay"},
    "model.markov": {"fr": "Markov", "en": "Markov"},
    "model.shapley": {"fr": "Shapley", "en": "Shapley"},
    "retention.cohort": {"fr": "cohorte (1re conversion)", "en": "cohort (first conversion)"},
    "retention.month": {"fr": "mois {k}", "en": "month {k}"},
    "retention.week": {"fr": "semaine {k}", "en": "week {k}"},
    "retention.day": {"fr": "jour {k}", "en": "day {k}"},
    # the axis of a heatmap too wide to name each column: its numbers alone, then this
    "retention.since.m": {"fr": "mois depuis l'entrée", "en": "months since joining"},
    "retention.since.w": {"fr": "semaines depuis l'entrée", "en": "weeks since joining"},
    "retention.since.d": {"fr": "jours depuis l'entrée", "en": "days since joining"},
    "retention.rebuy": {"fr": "part qui revient", "en": "share coming back"},
    "voice.no_feedback": {
        "fr": "aucune réponse d'enquête dans l'espace de travail : chargez-les avec "
        "`parcours ingest feedback FICHIER` pour voir NPS, CSAT et CES",
        "en": "no survey answer in the workspace: load them with "
        "`parcours ingest feedback FILE` to see NPS, CSAT and CES",
    },
    "voice.no_answer": {"fr": "pas de réponse", "en": "no answer"},
    "voice.nps": {"fr": "NPS (−100 à 100)", "en": "NPS (−100 to 100)"},
    "voice.csat": {"fr": "CSAT (part de 4–5)", "en": "CSAT (share of 4–5)"},
    "voice.ces": {
        "fr": "CES (effort, 1–7, bas c'est mieux)",
        "en": "CES (effort, 1–7, low is better)",
    },
    "emotion.designed": {"fr": "prévue", "en": "designed"},
    "emotion.measured": {"fr": "mesurée", "en": "measured"},
    "emotion.axis": {"fr": "émotion (−2 à +2)", "en": "emotion (−2 to +2)"},
    "channels.share": {"fr": "part des événements", "en": "share of events"},
    "fitness.axis": {"fr": "conformité du parcours", "en": "journey fitness"},
    "fitness.share": {"fr": "part des parcours", "en": "share of journeys"},
}


def _merged(*parts: dict[str, dict[str, str]]) -> None:
    for part in parts:
        twice = sorted(set(part) & set(STRINGS))
        if twice:
            raise RuntimeError(f"i18n keys defined twice: {twice}")
        STRINGS.update(part)


_merged(DASHBOARD, RESULTS, EXPERIENCE, ERRORS, CLI)


def lang_of(lang: str | None) -> str:
    """``lang`` if it is a language of the report, else English."""
    return lang if lang in LANGS else "en"


def negotiate(accept_language: str | None, default: str = "en") -> str:
    """The first of our languages in an HTTP ``Accept-Language`` header, by its q-value
    (``default`` when it names none): the dashboard's default is French, the API's English.

    >>> negotiate("en-GB,en;q=0.9,fr;q=0.8"), negotiate("fr-CA,fr;q=0.9"), negotiate(None)
    ('en', 'fr', 'en')
    """
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        piece = part.strip().split(";")
        tag = piece[0].strip().lower().split("-")[0]
        q = 1.0
        for param in piece[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag in LANGS and q > 0:
            ranked.append((-q, index, tag))
    return min(ranked)[2] if ranked else default


def t(key: str, lang: str | None, **values: object) -> str:
    """The text of ``key`` in ``lang`` with its ``{placeholders}`` filled."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(lang_of(lang)) or entry.get("en") or entry.get("fr") or key
    return text.format(**values) if values else text


# French puts a space before ; : ! ? % » and after «: a no-break one, so that no line of a
# paragraph starts with the sign (the browser and Rich break at any other space).
_GLUED = re.compile(r" (?=[;:!?%»])|(?<=«) ")
_TAG = re.compile(r"(<[^>]*>)")


def typeset(text: str, lang: str | None) -> str:
    """``text`` (plain, or HTML whose text between tags is set) with French no-break spaces.

    >>> typeset("Conversion : 42 % ; « Achat »", "fr").replace("\xa0", "~")
    'Conversion~: 42~%~; «~Achat~»'
    """
    if lang_of(lang) != "fr":
        return text
    if "<" not in text:
        return _GLUED.sub("\u00a0", text)
    if "<script" in text or "<style" in text:  # code, not prose
        return text
    parts = _TAG.split(text)
    return "".join(p if i % 2 else _GLUED.sub("\u00a0", p) for i, p in enumerate(parts))


class Script(Markup):
    """Code a page writes as it is (a script): never typeset."""


class AsWritten(str):
    """A user's own text a page writes back into a form (the map's YAML in the editor, a
    value typed in a field): never typeset, so that it comes back as it was sent; escaped as
    any text."""


def as_written(value: Any) -> Any:
    """The Jinja filter ``as_written``: ``value`` kept from the typesetting."""
    return AsWritten(value) if isinstance(value, str) else value


def typeset_output(context: Any, value: Any) -> Any:
    """A Jinja ``finalize`` (with ``pass_context``): every value a French page writes,
    typeset; escaped HTML (a Markup) stays so; a :class:`Script` is left alone."""
    if not isinstance(value, str) or isinstance(value, Script | AsWritten):
        return value
    if context.get("lang") != "fr":
        return value
    set_text = typeset(value, "fr")
    return type(value)(set_text) if set_text is not value else value


def labelled(label: str, value: object, lang: str | None) -> str:
    """``Label: value`` as its reader writes it: French puts a no-break space before the
    colon.

    >>> labelled("Conversion", "63 %", "fr"), labelled("Conversion", "63%", "en")
    ('Conversion\xa0: 63 %', 'Conversion: 63%')
    """
    colon = "\u00a0: " if lang_of(lang) == "fr" else ": "
    return f"{label}{colon}{value}"


def help_text(english: str | None, lang: str | None) -> str | None:
    """A command's or an option's help, written in English where Typer reads it, in
    ``lang``: paragraph by paragraph, the French of :mod:`parcours.render._help_words`; a
    paragraph of commands alone (``Example: `...```) keeps them and says its first word in
    ``lang``.

    >>> help_text("Port to listen on.\\n\\nExample: `parcours serve`", "fr")
    "Port d'écoute.\\n\\nExemple : `parcours serve`"
    """
    if not english or lang_of(lang) != "fr":
        return english
    said = []
    for paragraph in english.split("\n\n"):
        folded = " ".join(paragraph.split())
        example = EXAMPLE.fullmatch(folded)
        if example:
            said.append(t("cmd.help.example", lang) + " " + example[1])
        else:
            said.append(HELP_FR.get(folded, paragraph))
    return "\n\n".join(said)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _float(value: object) -> float:
    """``float(value)``, for what ``float()`` takes; it raises the same TypeError otherwise."""
    if isinstance(value, SupportsFloat | SupportsIndex | str | bytes | bytearray | memoryview):
        return float(value)
    raise TypeError(
        f"float() argument must be a string or a real number, not '{type(value).__name__}'"
    )


def _locale(lang: str | None) -> str:
    return locale_of(lang_of(lang))


def _unsigned_zero(value: float, digits: int) -> float:
    """``value``, or 0 when it is written 0 with ``digits`` decimals: a number is never
    written "-0" (-0.0, -0.3 rounded, a mean a rounding error left below 0)."""
    return 0.0 if round(value, digits) == 0 else value


def pct(value: object, lang: str | None, digits: int = 0) -> str:
    """A share as a percentage in the reader's locale (Babel): 28 %, 28%."""
    if _missing(value):
        return "–"
    pattern = Locale.parse(_locale(lang)).percent_formats[None].pattern
    if digits:
        pattern = pattern.replace("0", "0." + "0" * digits, 1)
    share = _float(value)
    return format_percent(_unsigned_zero(share, digits + 2), format=pattern, locale=_locale(lang))


def points(value: object, lang: str | None, digits: int = 1) -> str:
    """A change between two shares, in percentage points, signed: +5,1 pt, −5.1 pt."""
    if _missing(value):
        return "–"
    hundred = 100 * _float(value)
    sign = "" if round(hundred, digits) == 0 else "+" if hundred > 0 else "−"
    return f"{sign}{number(abs(hundred), lang, digits)}\u00a0pt"


def signed(value: object, lang: str | None, digits: int = 0) -> str:
    """A difference of scores (an NPS's), signed: +12, −2,4."""
    if _missing(value):
        return "–"
    text = number(abs(_float(value)), lang, digits)
    sign = "" if round(_float(value), digits) == 0 else "+" if _float(value) > 0 else "−"
    return sign + text


def number(value: object, lang: str | None, digits: int = 0) -> str:
    """A number with the locale's thousands separator and decimal mark (Babel)."""
    if _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(
        _unsigned_zero(_float(value), digits), format=pattern, locale=_locale(lang)
    )


def typed(value: float, lang: str | None) -> str:
    """A decimal number as its reader types it in a form's box (Babel): the locale's decimal
    mark, no thousands separator, one decimal at least; :func:`untyped` reads it back.

    >>> typed(0.95, "fr"), typed(1.0, "fr"), typed(0.95, "en"), typed(1e-05, "en")
    ('0,95', '1,0', '0.95', '0.00001')
    """
    return format_decimal(value, format="0.0##############", locale=_locale(lang))


def untyped(text: str) -> str:
    """A number typed in a form's box, written as Python and the command line read it: a
    comma is the decimal mark when there is no dot (0,95 or 0.95; 1,000.5 stays as it is).

    >>> untyped("0,95"), untyped("0.95"), untyped("1,000.5")
    ('0.95', '0.95', '1,000.5')
    """
    return text.replace(",", ".") if text.count(",") == 1 and "." not in text else text


def money(value: object, lang: str | None, currency: str | None, digits: int = 0) -> str:
    """An amount of money with its currency, as the reader's locale writes it (Babel):
    694 224 €, €694,224; a plain :func:`number` when the map names no currency."""
    if currency is None or _missing(value):
        return number(value, lang, digits)
    return amount(_float(value), currency, lang_of(lang), digits)


# A count's noun in each language, singular then plural; which one a count takes is the
# locale's plural rule (Babel): "0 étape", "1 étape" in French, "0 stages", "1 stage" in English.
NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "stage": {"fr": ("étape", "étapes"), "en": ("stage", "stages")},
    "touchpoint": {
        "fr": ("point de contact", "points de contact"),
        "en": ("touchpoint", "touchpoints"),
    },
    "persona": {"fr": ("persona", "personas"), "en": ("persona", "personas")},
    "channel": {"fr": ("canal", "canaux"), "en": ("channel", "channels")},
}


def plural_form(count: int, lang: str | None) -> str:
    """The language's plural category of ``count`` (Babel, CLDR): ``one`` or ``other`` in
    French and English; French says 0 and 1 in the singular.

    >>> plural_form(0, "fr"), plural_form(0, "en"), plural_form(1, "en")
    ('one', 'other', 'one')
    """
    return str(Locale.parse(_locale(lang)).plural_form(count))


def counted(count: int, noun: str, lang: str | None) -> str:
    """``count`` and its noun (:data:`NOUNS`) in the reader's number: 1 étape, 3 canaux."""
    one, other = NOUNS[noun][lang_of(lang)]
    return f"{number(count, lang)} {one if plural_form(count, lang) == 'one' else other}"


def date(value: object, lang: str | None) -> str:
    """A day in the reader's words (Babel): 9 mai 2026, 9 May 2026."""
    if _missing(value) or value == "":
        return "–"
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    if isinstance(day, dt.datetime):
        day = day.date()
    return format_date(
        day, format="long" if lang_of(lang) == "fr" else "d MMM y", locale=_locale(lang)
    )


def period(first: object, last: object, lang: str | None) -> str:
    """A period from its first to its last day, in the reader's words.

    >>> period("2026-05-01", "2026-05-31", "fr"), period("2026-05-01", "2026-05-31", "en")
    ('du 1 mai 2026 au 31 mai 2026', 'from 1 May 2026 to 31 May 2026')
    """
    return t("compare.period", lang, first=date(first, lang), last=date(last, lang))


def month(value: object, lang: str | None) -> str:
    """A month (``2026-01``, or a day of it) in the reader's words (Babel): janvier 2026,
    Jan 2026.

    >>> month("2026-01", "fr"), month("2026-09", "en")
    ('janvier 2026', 'Sept 2026')
    """
    if _missing(value) or value == "":
        return "–"
    first = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:7] + "-01")
    return format_date(
        first, format="MMMM y" if lang_of(lang) == "fr" else "MMM y", locale=_locale(lang)
    )


def period_name(label: object, lang: str | None) -> str:
    """A retention period's label in words: a month (2026-01) as janvier 2026, a day or a
    week's Monday (2026-01-05) as 5 janvier 2026; any other label as it is.

    >>> period_name("2026-07", "fr"), period_name("2026-01-05", "en"), period_name("x", "fr")
    ('juillet 2026', '5 Jan 2026', 'x')
    """
    text = str(label)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return month(text, lang)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date(text, lang)
    return text


# A day and its time, as each language writes them; the workspace keeps UTC, and says so.
MOMENT_FORMATS = {"fr": "d MMMM y 'à' HH:mm 'UTC'", "en": "d MMM y, HH:mm 'UTC'"}


def moment(value: object, lang: str | None) -> str:
    """A time of the workspace (UTC, without zone) in the reader's words (Babel).

    >>> moment("2026-05-09 14:05:31", "fr"), moment("2026-05-09T14:05:31", "en")
    ('9 mai 2026 à 14:05 UTC', '9 May 2026, 14:05 UTC')
    """
    if _missing(value) or value == "" or str(value) == "NaT":
        return "–"
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return format_datetime(when, format=MOMENT_FORMATS[lang_of(lang)], locale=_locale(lang))


def duration(seconds: object, lang: str | None) -> str:
    """A duration in plain words: 45 s, 13 min, 5 h, 3 d (3 j in French)."""
    if _missing(seconds):
        return "–"
    s = _float(seconds)
    day = "j" if lang_of(lang) == "fr" else "d"
    for size, unit in ((86400, day), (3600, "h"), (60, "min")):
        if s >= size:
            value = s / size
            shown = number(value, lang, 0 if value >= 10 else 1)
            return f"{shown}\u00a0{unit}"
    return f"{number(s, lang)}\u00a0s"
