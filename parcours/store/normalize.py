"""Normalisation of identifiers before they are stored and matched.

Emails are trimmed and lower-cased; phone numbers are parsed with ``phonenumbers`` and
written in E.164 (``+33612345678``), the region given for numbers without a country code.
Optionally every identifier is replaced by a salted SHA-256 hash, so the workspace never
holds a raw email or phone number while rows of one person still match.
"""

from __future__ import annotations

from functools import lru_cache

import ibis
import ibis.expr.types as ir
import phonenumbers


def clean_text(value: ir.Value) -> ir.StringValue:
    """Text with surrounding blanks removed; an empty string becomes NULL."""
    return value.cast("string").strip().nullif("")


def normalize_email(value: ir.Value) -> ir.StringValue:
    return clean_text(value).lower()


@lru_cache(maxsize=1_000_000)
def normalize_phone(raw: str, region: str = "FR") -> str | None:
    """E.164 form of a phone number, or None when it is not a possible number.

    >>> normalize_phone("06 12 34 56 78")
    '+33612345678'
    >>> normalize_phone("0033 6 12 34 56 78")
    '+33612345678'
    """
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def hash_identifier(value: ir.StringValue, kind: str, salt: str) -> ir.StringValue:
    """Salted SHA-256 of a normalised identifier; the kind is mixed in so that equal
    strings of different kinds never collide."""
    return (ibis.literal(f"{salt}:{kind}:") + value).hexdigest("sha256")
