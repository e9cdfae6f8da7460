"""The journey table kept in the workspace, and brought up to date person by person.

Building the journey table of 10M events costs about a minute; every CLI command, every
server start and every analysis needs it. So it is stored, once per set of *journey rules*
(what decides its rows: touchpoint matching, stages, conversion, timeout, persona rules;
not titles, emotions or other wording), as ``journeys_<rules key>``, with the identity
version it reflects (``journey_tables``).

When the identities move on (an ingest, then :meth:`Store.resolve_identities`), only the
persons they changed are recomputed: their rows are deleted and their journeys computed
again from their events, in one transaction. A person's journeys depend on that person's
events and CRM rows only, so the result is the table a full build would give. A full
build happens for a new set of rules, or when identity resolution started over (an
erasure, an identifier newly shared: see :mod:`parcours.store.identity`).

On engines whose tables cannot be updated in place (Spark), the journey table is computed
once per connection and kept as a temporary table instead.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.config import IDENTIFIERS
from parcours.maps import JourneyMap
from parcours.store import identity, journeys
from parcours.store.engine import UPDATABLE, Scratch, materialize, transaction

# Bump when parcours.store.journeys changes what it computes: stored tables are then rebuilt.
RULES_FORMAT = 1

# Stored journey tables kept at most (one per set of rules in use); the oldest go first.
KEEP_TABLES = 3


def rules_key(jm: JourneyMap) -> str:
    """Digest of what decides the journey table's rows (see module doc)."""
    rules = {
        "format": RULES_FORMAT,
        "stages": [s.id for s in jm.stages],
        "touchpoints": [
            [tp.id, tp.stage, tp.match.model_dump(mode="json")] for tp in jm.touchpoints
        ],
        "conversion": jm.conversion.model_dump(mode="json"),
        "timeout": jm.journey.timeout_delta.total_seconds(),
        "personas": [[p.id, p.rule] for p in jm.personas],
    }
    text = json.dumps(rules, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def table_name(jm: JourneyMap) -> str:
    return f"journeys_{rules_key(jm)}"


def stored_journeys(store: Any, jm: JourneyMap) -> ir.Table:
    """The journey table of ``jm`` for ``store`` (a :class:`parcours.store.Store`), built
    or brought up to date first when the identities moved on since it was stored."""
    con = store.con
    identities = store.identities()  # resolves new events and CRM rows first
    if con.name not in UPDATABLE:
        return _per_connection(store, jm, identities)
    name = table_name(jm)
    version = identity.identity_version(con)
    record = _record(con, name)
    if record is not None and name in con.list_tables():
        built_at = int(record["identity_version"])
        if built_at == version:
            return con.table(name)
        persons = identity.changed_persons(con, since=built_at)
        if persons is not None:
            _update(store, jm, name, identities, persons, version)
            return con.table(name)
    _build(store, jm, name, identities, version)
    return con.table(name)


def _per_connection(store: Any, jm: JourneyMap, identities: ir.Table) -> ir.Table:
    stamp = f"{rules_key(jm)}|{identity.identity_version(store.con)}"
    key = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    if key not in store._journey_cache:
        expr = journeys.journey_table(store.events, identities, jm, store.customers)
        store._journey_cache[key] = materialize(expr, f"_journeys_{key}")
    table: ir.Table = store._journey_cache[key]
    return table


def _record(con: Any, name: str) -> dict[str, Any] | None:
    kept = con.table("journey_tables")
    rows = kept.filter(kept.name == name).to_pyarrow().to_pylist()
    return rows[0] if rows else None


def _write_record(con: Any, name: str, jm: JourneyMap, version: int) -> None:
    rows = con.table(name).count().to_pyarrow().as_py()
    con.raw_sql("DELETE FROM journey_tables WHERE name = ?", parameters=[name])
    con.raw_sql(
        "INSERT INTO journey_tables VALUES (?, ?, ?, ?, ?)",
        parameters=[name, rules_key(jm), version, datetime.now(UTC).replace(tzinfo=None), rows],
    )
    # The lists of changed persons every stored table has caught up with are no longer read.
    con.raw_sql(
        "DELETE FROM person_changes WHERE identity_version <= "
        "(SELECT min(identity_version) FROM journey_tables)"
    )


def _build(store: Any, jm: JourneyMap, name: str, identities: ir.Table, version: int) -> None:
    """The whole table, from every event (replacing a stored one)."""
    con = store.con
    placed = identity.place_events(con, store.events)  # one join with the kept sets
    expr = journeys.journeys_of_placed(placed, identities, jm, store.customers)
    with transaction(con):
        con.create_table(name, expr, overwrite=True)
        _write_record(con, name, jm, version)
    _drop_oldest(con)


def _update(
    store: Any,
    jm: JourneyMap,
    name: str,
    identities: ir.Table,
    persons: ir.Table,
    version: int,
) -> None:
    """Recompute the journeys of ``persons`` (their ``person_id``, old or new) only.

    Their events and CRM rows are those holding one of their identifiers; placing those
    rows needs only these persons' identities (every unshared identifier of such a row is
    in the same person, and a shared one is a person of its own), so nothing here reads
    more than the persons touched, except one scan of events and customers."""
    con = store.con
    scratch = Scratch("journeys_update")
    try:
        changed = scratch.keep(persons.select("person_id").distinct(), "persons")
        theirs = scratch.keep(identities.semi_join(changed, "person_id"), "identities")
        events = _rows_holding(store.events, theirs)
        customers = _rows_holding(store.customers, theirs)
        expr = journeys.journey_table(events, theirs, jm, customers)
        fresh = scratch.keep(expr.filter(expr.person_id.isin(changed.person_id)), "rows")
        with transaction(con):
            con.raw_sql(
                f'DELETE FROM "{name}" WHERE person_id IN '
                f"(SELECT person_id FROM ({con.compile(changed)}))"
            )
            con.insert(name, fresh)
            _write_record(con, name, jm, version)
    finally:
        scratch.release()


def _rows_holding(table: ir.Table, identities: ir.Table) -> ir.Table:
    """The rows of ``table`` (events, customers) holding one of ``identities``."""
    holds = [
        table[kind].isin(identities.filter(identities.kind == kind).value)
        for kind in IDENTIFIERS
        if kind in table.columns
    ]
    return table.filter(ibis.or_(*holds))


def _drop_oldest(con: Any) -> None:
    kept = con.table("journey_tables")
    rows = kept.order_by(ibis.desc("built_at")).select("name").to_pyarrow().to_pylist()
    for row in rows[KEEP_TABLES:]:
        with transaction(con):
            con.drop_table(row["name"], force=True)
            con.raw_sql("DELETE FROM journey_tables WHERE name = ?", parameters=[row["name"]])


def forget_person(con: Any, person_id: str) -> int:
    """Delete an erased person's rows from every stored journey table (inside the erasure's
    transaction); the number of rows deleted."""
    if con.name not in UPDATABLE or "journey_tables" not in con.list_tables():
        return 0
    deleted = 0
    for row in con.table("journey_tables").select("name").to_pyarrow().to_pylist():
        table = con.table(row["name"])
        deleted += int(table.filter(table.person_id == person_id).count().to_pyarrow().as_py())
        con.raw_sql(f'DELETE FROM "{row["name"]}" WHERE person_id = ?', parameters=[person_id])
    return deleted
