"""The map's currency: its ISO 4217 code checked, and an amount written with it as the
reader's locale writes it (Babel): 694 224 € in French, €694,224 in English. At the bottom
of the package (Babel only, imported when used): the map's model checks a code with it, an
analysis and the rendering write amounts with it, and `parcours --help` pays nothing for it.

    >>> amount(694224.4, "EUR", "en")
    '€694,224'
    >>> amount(74.054, "GBP", "en", digits=2)
    '£74.05'
"""

from __future__ import annotations

from typing import Any

from parcours.errors import InputError


def locale_of(lang: str) -> str:
    """The Babel locale a reader of ``lang`` (fr, en) reads figures in."""
    return "fr_FR" if lang == "fr" else "en_GB"


def currency_code(code: Any) -> str:
    """``code`` as an ISO 4217 code Babel knows (``eur`` -> ``EUR``); else InputError."""
    from babel.numbers import is_currency  # here: only a map with a currency needs it

    written = code.strip().upper() if isinstance(code, str) else ""
    if not is_currency(written):
        raise InputError(
            f"currency {code!r} is not known: write an ISO 4217 code such as EUR, USD or GBP"
        )
    return written


def amount(value: float, currency: str, lang: str, digits: int = 0) -> str:
    """``value`` in ``currency`` with ``digits`` decimals, in the locale of ``lang``."""
    from babel import Locale
    from babel.numbers import format_currency

    locale = locale_of(lang)
    standard = Locale.parse(locale).currency_formats["standard"].pattern  # #,##0.00 ¤
    decimals = "0." + "0" * digits if digits else "0"
    pattern = standard.split(";")[0].replace("0.00", decimals)
    if round(value, digits) == 0:  # -0.3 is written 0 €, never -0 €
        value = 0.0
    return format_currency(value, currency, format=pattern, locale=locale, currency_digits=False)
