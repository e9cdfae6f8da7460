"""Normalisation of identifiers before they are stored and matched.

Emails are trimmed and lower-cased; phone numbers are parsed with ``phonenumbers`` and
written in E.164 (``+33612345678``), the region given for numbers without a country code.
Optionally every identifier is replaced by a salted SHA-256 hash, so the workspace never
holds a raw email or phone number while rows of one person still match.

Parsing a phone number is Python work (``phonenumbers``), so each value is parsed once per
workspace: the table ``phone_numbers`` keeps every number met, as written and in E.164,
and an ingest parses only the values it does not hold (:func:`lookup_phones`). It holds
personal data: erasing a person deletes their numbers there (:mod:`parcours.store.privacy`),
and in a hashed workspace it holds salted hashes only, of the value as written and of its
E.164 form (the phone as the tables store it), never a number in clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ibis
import ibis.expr.types as ir
import phonenumbers

from parcours.store.schema import DERIVED

PHONES = "phone_numbers"  # see parcours.store.schema.DERIVED


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


# -- phone numbers: parsed once per distinct value, kept in the workspace -------------------


@dataclass(frozen=True)
class Phones:
    """The phones of one source: ``lookup`` gives each distinct one (``__raw``, as written
    and trimmed) its stored form (``__stored``: E.164, hashed in a hashed workspace; NULL
    when it is no phone number); ``fresh`` holds the rows of ``phone_numbers`` to add (the
    numbers parsed by this ingest), or None."""

    lookup: ir.Table
    fresh: ir.Table | None


def phone_key(raw: ir.StringValue, salt: str | None) -> ir.StringValue:
    """A phone as written, as ``phone_numbers.raw`` holds it: hashed like the phone column
    in a hashed workspace, so that the table keeps no number in clear there."""
    return hash_identifier(raw, "phone", salt) if salt else raw


def lookup_phones(
    con: Any, phones: ir.StringValue, region: str, salt: str | None, name: str
) -> Phones | None:
    """The distinct values of the column ``phones`` (trimmed text), in their stored form
    (None when there are none), kept as the temporary table ``name``. Each value is looked
    up in ``phone_numbers`` first; only those not there are parsed, here in Python, and
    become ``fresh`` rows. A value that is no phone number is not kept: parsed again when
    met again (rare; and it may be anybody's typo)."""
    raws = phones.name("__raw").as_table()
    distinct = raws.filter(raws.__raw.notnull()).distinct()
    keyed = distinct.mutate(__key=phone_key(distinct.__raw, salt))
    if PHONES in con.list_tables():
        known = con.table(PHONES)
        known = known.filter(known.region == region).semi_join(keyed, known.raw == keyed.__key)
        # One row per value, should two writers have added it at once.
        known = known.group_by(__known=known.raw).aggregate(__e164=known.e164.max())
        joined = keyed.left_join(known, keyed.__key == known.__known)
        keyed = joined.select("__raw", "__e164")
    else:
        keyed = keyed.select("__raw", __e164=ibis.null("string"))
    looked = con.create_table(name, keyed, temp=True)
    found = looked.filter(looked.__e164.notnull()).select("__raw", __stored=looked.__e164)
    missing = looked.filter(looked.__e164.isnull()).__raw.to_pyarrow().to_pylist()
    if not missing:
        return Phones(found, None) if int(looked.count().to_pyarrow().as_py()) else None
    parsed = ibis.memtable(
        {"__raw": missing, "__e164": [normalize_phone(p, region) for p in missing]},
        schema={"__raw": "string", "__e164": "string"},
    )
    stored = hash_identifier(parsed.__e164, "phone", salt) if salt else parsed.__e164
    parsed = parsed.mutate(__stored=stored)
    lookup = found.union(parsed.select("__raw", "__stored"))
    fresh = parsed.filter(parsed.__stored.notnull()).select(
        raw=phone_key(parsed.__raw, salt), region=ibis.literal(region), e164=parsed.__stored
    )
    return Phones(lookup, fresh)


def remember_phones(con: Any, fresh: ir.Table) -> None:
    """Add the numbers an ingest parsed to ``phone_numbers`` (in its transaction); the
    table is made on first use in a workspace older than it."""
    if PHONES not in con.list_tables():
        con.create_table(PHONES, schema=DERIVED[PHONES])
    stored = con.table(PHONES)
    same = (fresh.raw == stored.raw) & (fresh.region == stored.region)
    con.insert(PHONES, fresh.anti_join(stored, same))
