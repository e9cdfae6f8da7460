"""The choice of the dashboard's language, and its words from the one i18n table
(:mod:`parcours.render.i18n`).

    >>> words("fr")["nav.map"], words("en")["nav.map"]
    ('Carte du parcours', 'Journey map')
    >>> negotiate("en-GB,en;q=0.9,fr;q=0.8"), negotiate("fr-CA,fr;q=0.9"), negotiate(None)
    ('en', 'fr', 'fr')

The language comes from ``?lang=`` (then kept in a cookie), else the cookie, else the
browser's ``Accept-Language``, else French (the language of the seeds and the demo).
Analysis titles are the headings of the report's sections (:mod:`parcours.render.i18n`).
"""

from __future__ import annotations

from parcours.render import i18n as report_words

LANGS = ("fr", "en")
DEFAULT = "fr"


def lang_of(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT


def words(lang: str | None) -> dict[str, str]:
    """Every UI string in ``lang`` (a missing one falls back to the other language)."""
    lang = lang_of(lang)
    other = "en" if lang == "fr" else "fr"
    return {key: entry.get(lang) or entry[other] for key, entry in report_words.STRINGS.items()}


def analysis_title(name: str, lang: str | None) -> str:
    """An analysis' title: the heading of its report section, in one home."""
    return report_words.t(f"section.{name}", lang_of(lang))


def negotiate(accept_language: str | None) -> str:
    """The first of our languages in an ``Accept-Language`` header, by its q-value."""
    return report_words.negotiate(accept_language, DEFAULT)
