"""RGPD / GDPR erasure: forget one person across every table.

Given any one identifier of a person (an email, a phone, a loyalty card, a customer id, a
cookie), the person is resolved first, so that every identifier stitched to them goes too:
their events, CRM rows, survey answers, rejected rows and map comments whose text carries
one of their identifiers,
their lines in the identity table and in the tables identity resolution keeps (the next
resolution is then a full one), their phone numbers as ingestion keeps them (to parse
each once), and every analysis result the workspace keeps (a result can quote them:
:mod:`parcours.store.results`). One audit line records the erasure without any
personal data: a salted hash of the person id, and how many rows each table lost.

Deleting is not erasing: DuckDB keeps a deleted row's bytes in the file's freed blocks. So
in a workspace file the erasure ends by rewriting the file with its live rows only
(:mod:`parcours.store.compact`); after it, no byte of the person is in the file, and the
file has no WAL beside it. The deletion writes ``erasure_pending`` in the same transaction
and the rewrite drops it: a rewrite interrupted by a kill is finished at the next open. An
in-memory workspace writes nothing to disk: deleting the rows is enough. In a ``spark:DIR``
warehouse (:mod:`parcours.store.warehouse`) each table that held the person is written again
without them as a new Parquet part, all in one commit of the catalog; the files that held
them are removed once it is committed. On another engine the rows are deleted, and the
result says that erasing their bytes needs a DuckDB file.

Shared identifiers (a store tablet's cookie) belong to nobody: they are never erased, and
events that carry one stay unless they also carry an identifier of the person.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from parcours.config import IDENTIFIERS
from parcours.errors import InputError, WorkspaceError
from parcours.store import comments, compact, journey_store, results, schema
from parcours.store.compact import Compaction
from parcours.store.engine import release, writing
from parcours.store.normalize import PHONES, hash_identifier, normalize_phone
from parcours.store.warehouse import WarehouseTables

PERSONAL_TABLES = ("events", "customers", "feedback")


@dataclass
class Erasure:
    """What ``forget`` removed: rows per table, and the identifiers the person had."""

    subject: str  # salted hash of the person id, as written in the audit table
    identifiers: int
    rows: dict[str, int] = field(default_factory=dict)
    # The rewrite of the workspace file that took the person's bytes out of it, if any.
    compaction: Compaction | None = None
    # Where the person's bytes are gone from, or why they may remain.
    physical: str = ""

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {t}" for t, n in self.rows.items())
        return f"Erasure({self.identifiers} identifiers; deleted {counts}; {self.physical})"


def _clear(kind: str, value: str, ws: Any) -> str:
    """The identifier normalised as ingestion does, before any hashing."""
    text = value.strip()
    if kind == "email":
        text = text.lower()
    elif kind == "phone":
        text = normalize_phone(text, ws.settings.phone_region) or text
    return text


def normalized(kind: str, value: str, ws: Any) -> str:
    """The identifier as the workspace stores it (normalised, and hashed when configured)."""
    text = _clear(kind, value, ws)
    if ws.settings.hash_salt:
        return (
            ibis.literal(text)
            .pipe(hash_identifier, kind, ws.settings.hash_salt)
            .to_pyarrow()
            .as_py()
        )
    return text


def forget(ws: Any, identifier: str, kind: str | None = None, *, rewrite: bool = True) -> Erasure:
    """Erase the person holding ``identifier`` (``kind:value``, or ``value`` with ``kind``);
    with ``rewrite=False`` a workspace file is left for a later rewrite (see module doc)."""
    if kind is None:
        kind, sep, value = identifier.partition(":")
        if not sep or kind not in IDENTIFIERS:
            raise InputError(
                f"'{identifier}': write the identifier as kind:value, kind one of "
                f"{', '.join(IDENTIFIERS)} (e.g. email:alice@example.fr)"
            )
    else:
        value = identifier
        if kind not in IDENTIFIERS:
            raise InputError(f"unknown kind '{kind}'; allowed: {', '.join(IDENTIFIERS)}")
    stored = normalized(kind, value, ws)
    ids = ws.resolve_identities()
    found = ids.filter((ids.kind == kind) & (ids.value == stored)).to_pyarrow().to_pylist()
    if not found:
        raise InputError(f"no person has {kind} '{value}' in this workspace; nothing erased")
    if found[0]["shared"]:
        raise InputError(
            f"{kind} '{value}' is shared by {found[0]['persons']} persons (not anyone's own "
            "identifier); erase each person by one of their own identifiers"
        )
    person = found[0]["person_id"]
    own = (
        ids.filter((ids.person_id == person) & ~ids.shared)
        .select("kind", "value")
        .to_pyarrow()
        .to_pylist()
    )
    by_kind: dict[str, list[str]] = {}
    for row in own:
        by_kind.setdefault(row["kind"], []).append(row["value"])

    salt = schema.read_meta(ws.con, "audit_salt")
    file = compact.database_file(ws.con)
    rows: dict[str, int] = {}
    with writing(ws.con):  # a DuckDB transaction, or one commit of a warehouse
        if salt is None:
            salt = secrets.token_hex(16)
            schema.write_meta(ws.con, "audit_salt", salt)
        if file is not None:
            schema.write_meta(ws.con, compact.PENDING, datetime.now(UTC).isoformat())
        for table in PERSONAL_TABLES:
            rows[table] = _delete_matching(ws.con, table, by_kind)
        # Rejected rows hold the row as received, in clear even when identifiers are
        # hashed: match the identifier as given too (the hashes cannot be matched there).
        given = {kind: sorted({value.strip(), _clear(kind, value, ws)})}
        rows["rejected"] = _delete_rejected(ws.con, _merged(by_kind, given))
        # Comments are free text that may name a customer (parcours.store.comments).
        mentioned = [v for values in _merged(by_kind, given).values() for v in values]
        rows["comments"] = comments.erase_mentions(ws.con, mentioned)
        # Where identities is a view of identity_nodes (DuckDB), its rows go with theirs.
        held = "identity_nodes" if schema.identities_is_view(ws.con) else "identities"
        rows["identities"] = _delete(
            ws.con, held, lambda t: t.person_id == person, "person_id = ?", [person]
        )
        # The kept identifier sets hold the person too. A warehouse empties them (its files
        # would be written again anyway); the next resolution recomputes them.
        if isinstance(ws.con, WarehouseTables):
            from parcours.store import identity_warehouse

            identity_warehouse.erase(ws.con)
        elif ws.con.name == "duckdb":
            from parcours.store.identity_incremental import erase

            erase(ws.con, by_kind)
        journey_store.forget_person(ws.con, person)  # derived rows: not counted in the audit
        _forget_phones(ws.con, by_kind.get("phone", []))  # derived too: not counted
        subject = hashlib.sha256(f"{salt}:{person}".encode()).hexdigest()
        _audit(ws.con, subject, rows)
        _drop_meta(ws.con, "identities_current")
        erased = schema.bump_data_version(ws.con)
        results.clear(ws.con)  # kept results can hold the person (verbatims, person ids)
        # ...and one computed before, still running, must not be kept after (results.save).
        schema.write_meta(ws.con, results.ERASED, str(erased))
    _drop_cached_journeys(ws)
    erasure = Erasure(subject=subject, identifiers=len(own), rows=rows)
    if isinstance(ws.con, WarehouseTables):
        erasure.physical = (
            f"the Parquet files of {ws.con.catalog.root} that held them were written again "
            "without them, and the old files removed"
        )
    elif file is None:
        erasure.physical = (
            "in memory: nothing was written to disk, deleting the rows is enough"
            if ws.con.name == "duckdb"
            else f"rows deleted on {ws.con.name}; erasing their bytes from storage needs a "
            "DuckDB workspace file (or the engine's own purge of old files and snapshots)"
        )
    elif not rewrite:
        erasure.physical = (
            f"rows deleted; {file} still holds their bytes until it is rewritten "
            "(`parcours compact`, or the next open)"
        )
    else:
        try:
            erasure.compaction = ws.compact()
        except WorkspaceError as exc:
            raise WorkspaceError(
                f"the person is deleted from every table (audit line written) but not yet "
                f"out of the file's bytes; the next open finishes it. {exc}"
            ) from None
        erasure.physical = f"{file} rewritten without their bytes, no WAL beside it"
    return erasure


def _merged(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, list[str]]:
    return {k: sorted(set(a.get(k, [])) | set(b.get(k, []))) for k in a.keys() | b.keys()}


def _delete(
    con: Any,
    table: str,
    condition: Callable[[ir.Table], ir.BooleanValue],
    where: str,
    params: list[Any],
) -> int:
    """Delete the rows of ``table`` meeting ``condition``, the same test as the SQL
    ``where`` with ``params``; the number deleted. DuckDB deletes in place; a warehouse
    writes the table's other rows again as a new part, only when some rows match (the
    files of a table that never held the person stay as they are)."""
    if isinstance(con, WarehouseTables):
        if not con.catalog.parts(table):  # no file: no row
            return 0
        rows = con.table(table)
        count = int(rows.filter(condition(rows).fill_null(False)).count().to_pyarrow().as_py())
        if count:
            con.delete_rows(table, condition)
        return count
    before = con.raw_sql(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    con.raw_sql(f'DELETE FROM "{table}" WHERE {where}', parameters=params)
    deleted: int = before - con.raw_sql(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    return deleted


def _delete_matching(con: Any, table: str, by_kind: dict[str, list[str]]) -> int:
    clauses, params = [], []
    for kind, values in by_kind.items():
        clauses.append(f'"{kind}" IN ({", ".join("?" for _ in values)})')
        params += values
    if not clauses:
        return 0

    def holds(rows: ir.Table) -> ir.BooleanValue:
        return ibis.or_(*[rows[kind].isin(values) for kind, values in by_kind.items()])

    return _delete(con, table, holds, " OR ".join(clauses), params)


def _forget_phones(con: Any, phones: list[str]) -> None:
    """The person's numbers in ``phone_numbers`` (:mod:`parcours.store.ingest`): each as
    written, with its E.164 form, matched on that form as the tables store it (hashed in a
    hashed workspace)."""
    if phones and PHONES in con.list_tables():
        marks = ", ".join("?" for _ in phones)
        _delete(con, PHONES, lambda t: t.e164.isin(phones), f"e164 IN ({marks})", phones)


def _delete_rejected(con: Any, by_kind: dict[str, list[str]]) -> int:
    """Rejected rows hold the row as received: match each identifier in its text, ignoring
    case (an email may have been written in capitals); a phone is matched on its national
    digits whatever the spacing it was written with ("06 12 34 56 78" for +33612345678)."""
    clauses, params, needles, digits = [], [], [], []
    for kind, values in by_kind.items():
        for value in values:
            clauses.append("contains(lower(record), lower(?))")
            params.append(value)
            needles.append(value)
            if kind == "phone" and value.startswith("+") and len(value) > 9:
                clauses.append("contains(regexp_replace(record, '[^0-9]', '', 'g'), ?)")
                params.append(value[-9:])
                digits.append(value[-9:])
    if not clauses:
        return 0

    def quotes(rows: ir.Table) -> ir.BooleanValue:
        text = rows.record
        return ibis.or_(
            *[text.lower().contains(ibis.literal(v).lower()) for v in needles],
            *[text.re_replace("[^0-9]", "").contains(d) for d in digits],
        )

    return _delete(con, "rejected", quotes, " OR ".join(clauses), params)


def _audit(con: Any, subject: str, rows: dict[str, int]) -> None:
    """The erasure's audit line: when, the salted hash of the person, rows per table."""
    at = datetime.now(UTC).replace(tzinfo=None)
    if isinstance(con, WarehouseTables):
        line = {"at": [at], "action": ["forget"], "subject": [subject], "rows": [json.dumps(rows)]}
        con.insert("audit", ibis.memtable(line, schema=schema.AUDIT))
        return
    con.raw_sql(
        "INSERT INTO audit VALUES (?, 'forget', ?, ?)",
        parameters=[at, subject, json.dumps(rows)],
    )


def _drop_meta(con: Any, key: str) -> None:
    if isinstance(con, WarehouseTables):  # a few rows, rewritten without an engine job
        kept = [row for row in con.read_arrow("meta").to_pylist() if row["key"] != key]
        con.write_arrow(
            "meta", pa.Table.from_pylist(kept, schema=schema.TABLES["meta"].to_pyarrow())
        )
        return
    con.raw_sql("DELETE FROM meta WHERE key = ?", parameters=[key])


def _drop_cached_journeys(ws: Any) -> None:
    """Let go of the journey tables an engine that cannot store them computed for this
    connection (:mod:`parcours.store.journey_store`): they hold the person's rows."""
    for table in ws._journey_cache.values():
        release(table, table.get_name())
    ws._journey_cache.clear()
