"""Starter journey maps for the frameworks of the French marketing articles.

A marketer rarely starts from a blank page: ``parcours init`` copies one of these maps, already
filled with the stages, touchpoints, personas, emotions and frictions the articles name, and
commented so that each part can be edited in place. Every template uses the shared event
vocabulary (``product_view``, ``checkout_payment``, ``purchase``, ...) so it measures the demo
data as it is. Titles exist in French and English; ``lang`` picks the one shown.

>>> text = render_template("5a", lang="en")
>>> text.splitlines()[0]
'# parcours journey map: the 5A (aware, appeal, ask, act, advocate).'
"""

from __future__ import annotations

import re
from importlib import resources

from parcours.errors import InputError

_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "cinq-phases": {
        "fr": "cinq phases (découverte, considération, décision, service client, fidélisation)",
        "en": "five phases (discovery, consideration, decision, customer service, loyalty)",
    },
    "digital-4": {
        "fr": "les quatre étapes du parcours digital (sensibilisation, engagement, transaction, rétention)",
        "en": "the four digital stages (awareness, engagement, transaction, retention)",
    },
    "5a": {
        "fr": "les 5A (notoriété, attrait, demande, action, recommandation)",
        "en": "the 5A (aware, appeal, ask, act, advocate)",
    },
    "multicanal-5": {
        "fr": "les cinq temps forts du parcours multicanal (recherche et comparaison, préparation "
        "de la visite, expérience en magasin, achat, après-achat)",
        "en": "the five multichannel highlights (research and comparison, visit preparation, "
        "in-store experience, purchase, after purchase)",
    },
}

TEMPLATES: dict[str, str] = {name: text["en"] for name, text in _DESCRIPTIONS.items()}
"""Template name -> what it lays out (English; ``render_template`` writes either language)."""

LANGS = ("fr", "en")

_HEADER = {
    "fr": (
        "# Carte de parcours client (parcours) : {description}.\n"
        "# Modifiez-la librement : étapes, personas, points de contact, objectifs, frictions.\n"
        "# Vérifiez-la avec `parcours validate` ; chaque erreur indique la ligne et ce qui est permis.\n"
    ),
    "en": (
        "# parcours journey map: {description}.\n"
        "# Edit it freely: stages, personas, touchpoints, goals, frictions.\n"
        "# Check it with `parcours validate`; each error gives the line and what is allowed.\n"
    ),
}
_LANG_LINE = re.compile(r"^lang: fr\b", re.MULTILINE)


def render_template(name: str, lang: str = "fr") -> str:
    """The YAML text of template ``name``, with ``lang:`` set and a header in that language."""
    if name not in TEMPLATES:
        raise InputError(f"unknown template {name!r}; templates: {', '.join(TEMPLATES)}")
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}; languages: {', '.join(LANGS)}")
    source = resources.files("parcours.maps").joinpath("templates", f"{name}.yaml")
    body = _LANG_LINE.sub(f"lang: {lang}", source.read_text(encoding="utf-8"), count=1)
    description = _DESCRIPTIONS[name][lang]
    return _HEADER[lang].format(description=description[0].lower() + description[1:]) + body
