"""The workspace tables, their schema version, and the migrations between versions.

A workspace records its schema version in the ``meta`` table. Opening a workspace applies,
in order, every migration newer than that version, each in its own transaction, so an
existing workspace follows the code without losing data. A workspace written by a newer
parcours than this one is refused rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
from ibis.backends import BaseBackend

from parcours.errors import WorkspaceError
from parcours.store.engine import temp_name

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

SCHEMA_VERSION = 3


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


# version -> the step that brings a workspace from version-1 to version.
MIGRATIONS: dict[int, Callable[[BaseBackend], None]] = {
    1: _create_v1,
    2: _add_api_keys,
    3: _add_audit_and_event_order,
}


def read_meta(con: BaseBackend, key: str) -> str | None:
    if "meta" not in con.list_tables():
        return None
    meta = con.table("meta")
    rows = meta.filter(meta.key == key).select("value").to_pyarrow().column(0).to_pylist()
    return rows[0] if rows else None


def write_meta(con: BaseBackend, key: str, value: str) -> None:
    meta = con.table("meta")
    kept = meta.filter(meta.key != key)
    new = ibis.memtable({"key": [key], "value": [value]}, schema=TABLES["meta"])
    name = temp_name("meta_next")  # two writes at once must not share it
    try:
        con.create_table(name, kept.union(new), temp=True, overwrite=True)
        con.insert("meta", con.table(name), overwrite=True)
    finally:
        con.drop_table(name, force=True)


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
