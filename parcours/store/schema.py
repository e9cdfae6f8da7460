"""The workspace tables, their schema version, and the migrations between versions.

A workspace records its schema version in the ``meta`` table. Opening a workspace applies,
in order, every migration newer than that version, each in its own transaction, so an
existing workspace follows the code without losing data. A workspace written by a newer
parcours than this one is refused rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import ibis
import pyarrow as pa
from ibis.backends import BaseBackend

from parcours.errors import WorkspaceError
from parcours.store.engine import PARAMETERISED, first_row, temp_name
from parcours.store.warehouse import WarehouseTables

IDENTIFIER_COLUMNS = {
    "customer_id": "string",
    "anonymous_id": "string",
    "email": "string",
    "phone": "string",
    "loyalty_id": "string",
}

TABLES: dict[str, ibis.Schema] = {
    "meta": ibis.schema({"key": "!string", "value": "string"}),
    "events": ibis.schema(
        {
            "event_id": "!string",
            "ts": "!timestamp",  # UTC, without zone
            **IDENTIFIER_COLUMNS,
            "channel": "!string",
            "event": "!string",
            "properties": "string",  # a JSON object, as text (portable across engines)
            "revenue": "float64",
            "source": "string",
            "batch_id": "string",
            # Order of arrival (added in version 3): breaks ties between events of one instant.
            "seq": "int64",
        }
    ),
    "customers": ibis.schema(
        {
            "customer_row_id": "!string",
            **IDENTIFIER_COLUMNS,
            "attributes": "string",  # a JSON object of CRM attributes, values as text
            "updated_at": "timestamp",
            "source": "string",
            "batch_id": "string",
        }
    ),
    "feedback": ibis.schema(
        {
            "feedback_id": "!string",
            "ts": "!timestamp",
            **IDENTIFIER_COLUMNS,
            "touchpoint": "string",
            "stage": "string",
            "kind": "!string",  # nps | csat | ces | review
            "score": "float64",
            "verbatim": "string",
            "language": "string",
            "properties": "string",
            "source": "string",
            "batch_id": "string",
        }
    ),
    "rejected": ibis.schema(
        {
            "batch_id": "!string",
            "target": "!string",  # events | customers | feedback
            "source": "string",
            "row_number": "int64",  # 1-based data row in the source (header not counted)
            "reason": "!string",
            "record": "string",  # the row as received, a JSON object
            # hash of target, source, input, row number and record: one input row is kept
            # once however often it is ingested (see parcours.store.ingest.rejected_rows)
            "record_id": "string",
            "rejected_at": "timestamp",
        }
    ),
    "batches": ibis.schema(
        {
            "batch_id": "!string",
            "target": "!string",
            "source": "string",
            "started_at": "timestamp",
            "finished_at": "timestamp",
            "rows": "int64",
            "accepted": "int64",
            "duplicates": "int64",
            "rejected": "int64",
        }
    ),
    "maps": ibis.schema(
        {
            "map_id": "!string",
            "version": "!int64",
            "saved_at": "!timestamp",
            "yaml": "!string",
            "message": "string",
        }
    ),
    # Derived by identity resolution; rebuilt whenever events or customers change.
    "identities": ibis.schema(
        {
            "identifier": "!string",  # kind:value, e.g. email:alice@example.fr
            "kind": "!string",
            "value": "!string",
            "person_id": "!string",
            "shared": "!boolean",  # over-shared: not used to merge persons
            "persons": "int64",  # for shared identifiers, how many persons it touched
        }
    ),
}

# Added in version 2: the API keys of the REST server (see parcours.store.keys). Kept apart
# from TABLES, which lists the data tables (what `status` counts and RGPD erasure walks).
API_KEYS = ibis.schema(
    {
        "key_id": "!string",  # the public part of the token, shown in lists: pk_1a2b3c4d
        "name": "string",
        "scope": "!string",  # read | write | admin
        "token_sha256": "!string",  # hex SHA-256 of the whole token; the token is never stored
        "created_at": "!timestamp",
        "revoked_at": "timestamp",
    }
)

# Added in version 3: one line per RGPD erasure, holding no personal data.
AUDIT = ibis.schema(
    {
        "at": "!timestamp",
        "action": "!string",  # forget
        "subject": "!string",  # salted hash of the erased person's id, never the identifier
        "rows": "!string",  # JSON: rows deleted per table
    }
)

# Added in version 4: what parcours derives from the data and keeps between runs, so that
# nothing is computed twice. Each can be dropped and derived again; none is a source of
# truth, and RGPD erasure clears what they hold of the person (parcours.store.privacy).
DERIVED: dict[str, ibis.Schema] = {
    # Journey tables kept in the workspace (parcours.store.journey_store): one row per
    # stored table, with the map rules and the identity version it was built from.
    "journey_tables": ibis.schema(
        {
            "name": "!string",  # the stored table: journeys_<rules key>
            "rules_key": "!string",  # digest of the map's journey rules
            "identity_version": "!int64",  # identities it was built (or last updated) at
            "built_at": "!timestamp",
            "rows": "int64",
        }
    ),
    # Analysis results kept for a map, data version and parameters (parcours.store.results).
    "results": ibis.schema(
        {
            "key": "!string",  # digest of analysis, parameters, map and data version
            # the same digest without the data version: the answers to one request
            "request": "string",
            "analysis": "!string",
            "data_version": "!int64",
            "created_at": "!timestamp",
            "payload": "!binary",
        }
    ),
    # Phone numbers met by ingestion and their E.164 form (parcours.store.ingest), so that
    # each value is parsed once (phonenumbers, in Python), then looked up. Personal data:
    # erasure deletes the person's numbers; a hashed workspace keeps salted hashes only.
    "phone_numbers": ibis.schema(
        {
            "raw": "!string",  # as written, trimmed; hashed like the phone column when salted
            "region": "!string",  # the default region it was read with (FR)
            "e164": "!string",  # the phone as stored in the tables (hashed when salted)
        }
    ),
    # Identity resolution kept between runs (parcours.store.identity_incremental): every
    # identifier with an integer code (append-only) and its components, every distinct
    # identifier set of the events and CRM rows, and the batches already folded in.
    # Personal data: erasure deletes the person's identifiers and sets.
    "identity_nodes": ibis.schema(
        {
            "code": "!int64",
            "kind": "!string",  # kind:value is its identifier, as in identities
            "value": "!string",
            "core": "int64",  # core person (person-level identifiers): its smallest code
            "persons": "!int64",  # core persons seen with it
            "shared": "!boolean",
            "component": "!int64",  # person: the smallest code of its component
            "person_id": "!string",
        }
    ),
    "identifier_sets": ibis.schema(
        {
            "set_id": "!int64",  # append-only
            **IDENTIFIER_COLUMNS,  # the set as the rows hold it (NULL: not on the row)
            **{f"{name}_code": "int64" for name in IDENTIFIER_COLUMNS},
            "core": "int64",  # core person of its person-level identifiers
            "person_id": "!string",  # the person of its rows (identity.assign_persons)
        }
    ),
    "identity_batches": ibis.schema(
        {
            "batch_id": "!string",  # an events or customers batch folded into the sets
            "identity_version": "!int64",
        }
    ),
    # The persons whose journey rows may have changed at each identity version; after a
    # full recompute (meta identity_rebuilt_at), everything may have changed.
    "person_changes": ibis.schema({"identity_version": "!int64", "person_id": "!string"}),
}

# Added in version 5: comments on the elements of a map (parcours.store.comments). Kept by
# element id across the map's versions; authors are staff names, texts are free: see that
# module for what erasure does with them.
COMMENTS = ibis.schema(
    {
        "comment_id": "!string",
        "map_id": "!string",
        "element": "!string",  # kind:id, e.g. stage:livraison (map:<map id> for the whole map)
        "map_version": "!int64",  # the version it was written on
        "author": "!string",  # the API key's name, or the dashboard user's
        "created_at": "!timestamp",  # UTC
        "text": "!string",
    }
)

SCHEMA_VERSION = 7

# Version 7: on DuckDB, `identities` is a view of `identity_nodes`, which identity resolution
# keeps (parcours.store.identity_incremental): derived from it row for row, it is never
# written, so a day's resolution does not rewrite its rows in every row group (nor does DuckDB
# checkpoint those row groups again). Other engines keep the table their resolution writes.
IDENTITIES_VIEW = (
    "SELECT kind || ':' || value AS identifier, kind, value, person_id, shared, persons "
    "FROM identity_nodes"
)


def identities_is_view(con: BaseBackend) -> bool:
    """Is ``identities`` a view of ``identity_nodes`` on this connection (schema 7)?"""
    return con.name == "duckdb" and not isinstance(con, WarehouseTables)


def _create_v1(con: BaseBackend) -> None:
    existing = set(con.list_tables())
    for name, schema in TABLES.items():
        if name not in existing:
            con.create_table(name, schema=schema)


def _add_api_keys(con: BaseBackend) -> None:
    if "api_keys" not in con.list_tables():
        con.create_table("api_keys", schema=API_KEYS)


def _add_audit_and_event_order(con: BaseBackend) -> None:
    if "audit" not in con.list_tables():
        con.create_table("audit", schema=AUDIT)
    # Events of the same instant keep the order they were received in (as pm4py and the
    # source file have them); rows ingested before version 3 have no order number.
    if "seq" not in con.table("events").columns:
        con.raw_sql("ALTER TABLE events ADD COLUMN seq BIGINT")


def _add_derived_tables(con: BaseBackend) -> None:
    existing = set(con.list_tables())
    for name, table_schema in DERIVED.items():
        if name not in existing:
            con.create_table(name, schema=table_schema)


def _add_comments(con: BaseBackend) -> None:
    if "comments" not in con.list_tables():
        con.create_table("comments", schema=COMMENTS)


def _add_result_requests(con: BaseBackend) -> None:
    # The kept results are a cache: made again with the request column rather than altered
    # (the results of the previous code would not be read anyway: see results.code_version).
    con.drop_table("results", force=True)
    con.create_table("results", schema=DERIVED["results"])


def _identities_as_view(con: BaseBackend) -> None:
    if not identities_is_view(con):
        return
    con.raw_sql("DROP TABLE IF EXISTS identities")
    con.raw_sql(f"CREATE VIEW identities AS {IDENTITIES_VIEW}")
    # Resolve again before the next read: a workspace of an older parcours may hold
    # identities that its identity_nodes did not (resolved before version 4 kept them).
    con.raw_sql("DELETE FROM meta WHERE key = 'identities_current'")


# version -> the step that brings a workspace from version-1 to version.
MIGRATIONS: dict[int, Callable[[BaseBackend], None]] = {
    1: _create_v1,
    2: _add_api_keys,
    3: _add_audit_and_event_order,
    4: _add_derived_tables,
    5: _add_comments,
    6: _add_result_requests,
    7: _identities_as_view,
}


def read_meta(con: BaseBackend, key: str) -> str | None:
    if con.name in PARAMETERISED:
        try:
            row = first_row(con, "SELECT value FROM meta WHERE key = ?", [key])
        except duckdb.CatalogException:  # a new workspace: no meta table yet
            return None
        return None if row is None else row[0]
    if "meta" not in con.list_tables():
        return None
    if isinstance(con, WarehouseTables):  # read without an engine job
        found = [r["value"] for r in con.read_arrow("meta").to_pylist() if r["key"] == key]
        return found[0] if found else None
    meta = con.table("meta")
    rows = meta.filter(meta.key == key).select("value").to_pyarrow().column(0).to_pylist()
    return rows[0] if rows else None


def write_meta(con: BaseBackend, key: str, value: str) -> None:
    meta = con.table("meta")
    if isinstance(con, WarehouseTables):  # a few rows: rewritten without an engine job
        rows = [row for row in con.read_arrow("meta").to_pylist() if row["key"] != key]
        rows.append({"key": key, "value": value})
        con.write_arrow("meta", pa.Table.from_pylist(rows, schema=TABLES["meta"].to_pyarrow()))
        return
    kept = meta.filter(meta.key != key)
    new = ibis.memtable({"key": [key], "value": [value]}, schema=TABLES["meta"])
    name = temp_name("meta_next")  # two writes at once must not share it
    try:
        con.create_table(name, kept.union(new), temp=True, overwrite=True)
        con.insert("meta", con.table(name), overwrite=True)
    finally:
        con.drop_table(name, force=True)


def data_version(con: BaseBackend) -> int:
    """A number that grows with every change of the workspace's data (events, customers,
    feedback: an ingest that stored rows, an erasure): what was derived from version n
    still holds while the number is n."""
    return int(read_meta(con, "data_version") or 0)


def bump_data_version(con: BaseBackend) -> int:
    """Record a change of the data (inside the writer's transaction); the new version."""
    version = data_version(con) + 1
    write_meta(con, "data_version", str(version))
    return version


def migrate(con: BaseBackend) -> int:
    """Bring the workspace behind ``con`` to SCHEMA_VERSION; return the version it had."""
    found = read_meta(con, "schema_version")
    current = int(found) if found is not None else 0
    if current > SCHEMA_VERSION:
        raise WorkspaceError(
            f"this workspace has schema version {current}, newer than this parcours "
            f"understands ({SCHEMA_VERSION}); upgrade parcours to open it"
        )
    for version in range(current + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[version](con)
        write_meta(con, "schema_version", str(version))
    return current
