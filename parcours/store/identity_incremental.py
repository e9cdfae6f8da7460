"""Identity resolution kept in the workspace and updated for what a batch touches (DuckDB).

Persons depend only on the *distinct identifier sets* of the rows (a person's twenty events
carry two or three), so the workspace keeps them, derived and rebuildable
(:data:`parcours.store.schema.DERIVED`):

=====================  =====================================================================
``identity_nodes``     every identifier: an integer ``code`` (append-only), its core person
                       (pass 1), how many core persons it was seen with, ``shared``, its
                       component (pass 2: the smallest code in it) and its ``person_id``
``identifier_sets``    every distinct set, as the rows hold it and as codes, with its core
                       person and the person of its rows (the rule of ``assign_persons``)
``identity_batches``   the events and customers batches already folded into the sets
``person_changes``     per identity version, the persons whose journey rows may have changed
=====================  =====================================================================

``identities`` is a view of ``identity_nodes`` (:data:`parcours.store.schema.IDENTITIES_VIEW`):
a resolution writes the nodes only.

A resolution reads only the rows of batches not folded in yet (a day's batch costs a day's
work), adds their new sets, then runs the two passes of :mod:`parcours.store.identity` on
what the new sets touch. Components only merge when sets are added, so each pass works on
*units*: a component found earlier counts as one node, labelled by its smallest code, and
:func:`parcours.store.identity_graph.merged_labels` (scipy) links the units the new sets
hold; nothing already resolved is read again. The exceptions:

- an identifier that crosses the shared threshold upwards (a cookie now seen with more
  than ``max_persons`` core persons) no longer holds its component together: that
  component is dissolved into its identifiers and its sets are read again;
- one that falls back under it (core persons merged) links again: its sets are read again;
- a **full recompute** (the kept tables are emptied and every row folded in again) happens
  at the first resolution, after an erasure (:func:`erase`), when rows already folded in
  were deleted or replaced (``on_conflict: latest``: components may split), when
  ``max_persons_per_identifier`` changed, or when asked (``full=True``). It is the same
  code with nothing kept, and over distinct sets it stays cheap.

Each resolution that folds rows in or changes anything bumps meta ``identity_version`` and
lists in ``person_changes`` the persons of the rows folded in (events and CRM rows) and the
old and new person of every identifier and set whose person changed. A full recompute sets
meta ``identity_rebuilt_at`` to its version instead (everything may have changed) and
clears the older lists. See :func:`parcours.store.identity.changed_persons`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import ibis
import numpy as np
import pyarrow as pa

from parcours.config import IDENTIFIERS, PERSON_LEVEL_IDENTIFIERS
from parcours.store import schema
from parcours.store.engine import temp_name, transaction
from parcours.store.identity import assign_persons, person_id
from parcours.store.identity_graph import NONE, merged_labels

KEPT = ("identity_nodes", "identifier_sets", "identity_batches", "person_changes")
COLUMNS = ", ".join(IDENTIFIERS)
CODES = [f"{kind}_code" for kind in IDENTIFIERS]
IDENTIFIER = "kind || ':' || value"  # of a node
TOTAL_ROWS = "(SELECT count(*) FROM events) + (SELECT count(*) FROM customers)"
PERSONAL_CODES = [f"{kind}_code" for kind in IDENTIFIERS if kind in PERSON_LEVEL_IDENTIFIERS]


@dataclass
class Resolution:
    """What one resolution did."""

    version: int  # meta identity_version after it
    full: str | None  # why everything was recomputed, or None when incremental
    rows: int = 0  # event and CRM rows folded in
    new_sets: int = 0
    new_identifiers: int = 0
    changed_persons: int = 0  # persons listed in person_changes (0 after a full one)


def ensure_tables(con: Any) -> None:
    """Create the kept tables a version-4 workspace made before they existed."""
    existing = set(con.list_tables())
    for name in KEPT:
        if name not in existing:
            con.create_table(name, schema=schema.DERIVED[name])


def resolve(con: Any, max_persons: int, *, full: bool = False) -> Resolution:
    """Fold the rows of new batches into the kept sets and update them (module doc)."""
    ensure_tables(con)
    run = Resolver(con, max_persons)
    try:
        with transaction(con):
            return run.execute(full)
    finally:
        run.drop_scratch()


def erase(con: Any, by_kind: dict[str, list[str]]) -> None:
    """Delete the identifiers ``by_kind`` (kind -> stored values) and every set holding one
    from the kept tables, and make the next resolution a full one (RGPD erasure; call it
    inside the erasure's transaction)."""
    ensure_tables(con)
    for kind, values in by_kind.items():
        if kind not in IDENTIFIERS or not values:
            continue
        marks = ", ".join("?" for _ in values)
        con.raw_sql(
            f"DELETE FROM identity_nodes WHERE kind = ? AND value IN ({marks})",
            parameters=[kind, *values],
        )
        con.raw_sql(f"DELETE FROM identifier_sets WHERE {kind} IN ({marks})", parameters=values)
    # Older lists may name the person's former ids; a full recompute follows anyway.
    con.raw_sql("DELETE FROM person_changes")
    con.raw_sql("DELETE FROM identity_batches")
    con.raw_sql("DELETE FROM meta WHERE key = 'identity_rows'")


def _any_present(alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return " OR ".join(f"{prefix}{kind} IS NOT NULL" for kind in IDENTIFIERS)


def _same_set(a: str, b: str) -> str:
    return " AND ".join(f"{a}.{kind} IS NOT DISTINCT FROM {b}.{kind}" for kind in IDENTIFIERS)


def _sets_holding(codes: str) -> str:
    """The set ids of the kept sets holding one of the codes of table ``codes``."""
    return " UNION ".join(
        f"SELECT set_id FROM identifier_sets WHERE {c} IN (SELECT code FROM {codes})" for c in CODES
    )


def _codes_of(sets: str) -> str:
    """``(code)``: every code of the kept sets whose ids are in table ``sets``."""
    return " UNION ".join(
        f"SELECT {c} AS code FROM identifier_sets WHERE {c} IS NOT NULL "
        f"AND set_id IN (SELECT set_id FROM {sets})"
        for c in CODES
    )


class Resolver:
    """One resolution: its scratch tables and its steps, in order (see :meth:`execute`)."""

    def __init__(self, con: Any, max_persons: int):
        self.con = con
        self.max_persons = int(max_persons)
        self.scratch: list[str] = []
        self.rows = ""  # the distinct identifier sets of the rows to fold in, with counts
        self.incremental = False  # a resolution on kept tables (not a full recompute)

    # -- plumbing -------------------------------------------------------------------------

    def sql(self, text: str) -> None:
        self.con.raw_sql(text)

    def keep(self, label: str, query: str) -> str:
        """Run ``query`` into a new temporary table; its name."""
        name = temp_name(f"ids_{label}")
        self.scratch.append(name)
        self.sql(f'CREATE TEMP TABLE "{name}" AS {query}')
        return f'"{name}"'

    def nodes_of(self, sets: str) -> str:
        """The rows of ``identity_nodes`` held by the sets of query ``sets`` (``set_id``), as
        a temporary table: joining a few sets' codes to these rather than to every node
        keeps a day's resolution from reading every identifier (five times)."""
        held = self.keep("held_sets", sets)
        return self.keep("nodes", f"SELECT * FROM identity_nodes WHERE code IN ({_codes_of(held)})")

    def update(self, table: str, source: str, condition: str, **values: str) -> None:
        """Set ``values`` (column -> expression) in the rows of ``table`` (alias ``t``)
        joined to ``source`` on ``condition``, which gives each row one match at most.

        A resolution on kept tables deletes those rows and inserts them again changed
        rather than updating them: DuckDB's next checkpoint rewrites every column segment
        an update touched, and a day's updates touch nearly every segment of the columns
        they change (4,000 scattered ``person_id`` of 1.3M nodes: 0.6 s of CPU), where a
        deleted row costs a mark and an inserted one its own bytes. A full recompute
        updates the rows it has just inserted itself: nothing is rewritten for those."""
        if not self.incremental:
            assigned = ", ".join(f"{column} = {value}" for column, value in values.items())
            self.sql(f"UPDATE {table} AS t SET {assigned} FROM {source} WHERE {condition}")
            return
        replaced = ", ".join(f"{value} AS {column}" for column, value in values.items())
        rows = self.keep(
            "replaced",
            f"SELECT t.rowid AS replaced_row, t.* REPLACE ({replaced}) "
            f"FROM {table} t JOIN {source} ON {condition}",
        )
        self.sql(f"DELETE FROM {table} WHERE rowid IN (SELECT replaced_row FROM {rows})")
        self.sql(f"INSERT INTO {table} SELECT * EXCLUDE (replaced_row) FROM {rows}")

    def keep_expr(self, label: str, expr: Any) -> str:
        """Compute an Ibis expression or an Arrow table into a new temporary table."""
        name = temp_name(f"ids_{label}")
        self.scratch.append(name)
        self.con.create_table(name, expr, temp=True)
        return f'"{name}"'

    def table(self, name: str) -> Any:
        return self.con.table(name.strip('"'))

    def value(self, query: str) -> Any:
        return self.con.raw_sql(query).fetchone()[0]

    def columns(self, query: str) -> list[np.ndarray]:
        """The integer columns of a query's rows, NULL as ``NONE`` (fetched as NumPy
        arrays: nothing small goes through Python objects)."""
        found = self.con.raw_sql(f"SELECT coalesce(COLUMNS(*), {NONE}) FROM ({query})")
        return [np.asarray(c, dtype=np.int64) for c in found.fetchnumpy().values()]

    def label_map(self, label: str, sets: list[np.ndarray], names: tuple[str, str]) -> str:
        """:func:`merged_labels` of ``sets`` (their columns) as a temporary table ``names``:
        (label, smallest label of its component)."""
        labels, smallest = merged_labels(sets)
        return self.keep_expr(label, pa.table({names[0]: labels, names[1]: smallest}))

    def drop_scratch(self) -> None:
        while self.scratch:
            self.sql(f'DROP TABLE IF EXISTS "{self.scratch.pop()}"')

    # -- the steps ------------------------------------------------------------------------

    def execute(self, forced: bool) -> Resolution:
        meta = dict(self.con.raw_sql("SELECT key, value FROM meta").fetchall())
        version = int(meta.get("identity_version") or 0)
        total = int(self.value(f"SELECT {TOTAL_ROWS}"))
        reason = "asked" if forced else self.state_reason(meta)
        if reason is None:
            batches, count = self.new_rows(everything=False)
            if total - count != int(meta["identity_rows"]):
                reason = "rows already folded in were deleted or replaced"
        if reason is not None:
            for name in KEPT:
                self.sql(f"DELETE FROM {name}")
            batches, count = self.new_rows(everything=True)
        self.incremental = reason is None
        last_set = int(self.value("SELECT coalesce(max(set_id), 0) FROM identifier_sets"))
        last_code = int(self.value("SELECT coalesce(max(code), 0) FROM identity_nodes"))
        matched = self.add_sets(last_set, last_code)
        result = Resolution(
            version=version,
            full=reason,
            rows=count,
            new_sets=int(
                self.value(f"SELECT count(*) FROM identifier_sets WHERE set_id > {last_set}")
            ),
            new_identifiers=int(
                self.value(f"SELECT count(*) FROM identity_nodes WHERE code > {last_code}")
            ),
        )
        written = {
            "identity_rows": str(total),
            "identity_max_persons": str(self.max_persons),
            "identities_current": datetime.now(UTC).isoformat(),
        }
        if count or reason:
            recount = self.count_persons(last_set, last_code)
            # `identities` is a view of identity_nodes (schema 7): nothing more to write.
            moved = self.merge_components(last_set, recount)
            set_moves = self.place_sets(last_set, recount, moved)
            result.version = version + 1
            written["identity_version"] = str(result.version)
            if reason:
                self.sql("DELETE FROM person_changes")
                written["identity_rebuilt_at"] = str(result.version)
            else:
                result.changed_persons = self.record_changes(
                    result.version, matched, last_set, last_code, moved, set_moves
                )
        self.sql(f"INSERT INTO identity_batches SELECT batch_id, {result.version} FROM {batches}")
        self.write_meta(written)
        return result

    def write_meta(self, values: dict[str, str]) -> None:
        """Set these keys of ``meta`` (one statement each way, not one per key)."""
        marks = ", ".join("?" for _ in values)
        self.con.raw_sql(f"DELETE FROM meta WHERE key IN ({marks})", parameters=list(values))
        pairs = ", ".join("(?, ?)" for _ in values)
        flat = [part for item in values.items() for part in item]
        self.con.raw_sql(f"INSERT INTO meta (key, value) VALUES {pairs}", parameters=flat)

    def state_reason(self, meta: dict[str, str]) -> str | None:
        """Why the kept state cannot be updated in place, if it cannot (before reading rows)."""
        if meta.get("identity_rows") is None:
            return "nothing kept yet (first resolution, or after an erasure)"
        if meta.get("identity_max_persons") != str(self.max_persons):
            return "max_persons_per_identifier changed"
        return None

    def new_rows(self, *, everything: bool) -> tuple[str, int]:
        """``(batches, rows)``: the batches not folded in yet and how many rows they hold
        (``everything``: every row, batch or not); the rows' distinct identifier sets go to
        ``self.rows``."""
        batches = self.keep(
            "batches",
            "SELECT DISTINCT batch_id FROM batches WHERE target IN ('events', 'customers') "
            "AND batch_id NOT IN (SELECT batch_id FROM identity_batches)",
        )
        self.rows = self.keep("rows", self.sets_of_rows(batches, everything))
        return batches, int(self.value(f"SELECT coalesce(sum(n), 0) FROM {self.rows}"))

    def sets_of_rows(self, batches: str, everything: bool) -> str:
        """The query of the distinct identifier sets (with their count ``n``) of the
        events and CRM rows of ``batches`` (a table), or of every row."""
        where = "" if everything else f"WHERE batch_id IN (SELECT batch_id FROM {batches})"
        return (
            f"SELECT {COLUMNS}, count(*) AS n FROM (SELECT {COLUMNS} FROM events {where} "
            f"UNION ALL SELECT {COLUMNS} FROM customers {where}) GROUP BY ALL"
        )

    def add_sets(self, last_set: int, last_code: int) -> str:
        """Add the new sets and their new identifiers (codes after ``last_code``); return
        the table of the rows' sets with their ``set_id`` (NULL for the new ones)."""
        matched = self.keep(
            "matched",
            f"SELECT r.*, s.set_id FROM {self.rows} r LEFT JOIN identifier_sets s "
            f"ON {_same_set('r', 's')} WHERE {_any_present('r')}",
        )
        found = " UNION ".join(
            f"SELECT '{kind}' AS kind, {kind} AS value FROM {matched} "
            f"WHERE set_id IS NULL AND {kind} IS NOT NULL"
            for kind in IDENTIFIERS
        )
        fresh = self.con.sql(
            f"SELECT f.kind, f.value FROM ({found}) f WHERE NOT EXISTS "
            "(SELECT 1 FROM identity_nodes n WHERE n.kind = f.kind AND n.value = f.value)"
        )
        fresh = fresh.mutate(identifier=fresh.kind + ":" + fresh.value)
        code = ibis.row_number().over(order_by=fresh.identifier) + (last_code + 1)
        personal = fresh.kind.isin(PERSON_LEVEL_IDENTIFIERS)
        nodes = fresh.select(
            code=code,
            kind=fresh.kind,
            value=fresh.value,
            core=ibis.ifelse(personal, code, ibis.null("int64")),
            persons=ibis.literal(0, "int64"),
            shared=ibis.literal(False),
            component=code,
            person_id=person_id(fresh.identifier),
        )
        self.con.insert("identity_nodes", nodes)
        joins = " ".join(
            f"LEFT JOIN identity_nodes n{i} ON n{i}.kind = '{kind}' AND n{i}.value = m.{kind}"
            for i, kind in enumerate(IDENTIFIERS)
        )
        codes = ", ".join(f"n{i}.code" for i in range(len(IDENTIFIERS)))
        self.sql(
            f"INSERT INTO identifier_sets (set_id, {COLUMNS}, {', '.join(CODES)}, core, person_id) "
            f"SELECT {last_set} + row_number() OVER (), "
            f"{', '.join(f'm.{k}' for k in IDENTIFIERS)}, {codes}, NULL, '' "
            f"FROM {matched} m {joins} WHERE m.set_id IS NULL"
        )
        return matched

    def merge_cores(self, last_set: int) -> str:
        """Pass 1 on units: core persons (person-level identifiers only) the new sets link;
        return the table of ``(old, new)`` core labels that changed."""
        personal = PERSONAL_CODES
        nodes = self.nodes_of(f"SELECT set_id FROM identifier_sets WHERE set_id > {last_set}")
        joins = " ".join(
            f"LEFT JOIN {nodes} n{i} ON n{i}.code = s.{c}" for i, c in enumerate(personal)
        )
        cores = self.columns(
            f"SELECT {', '.join(f'n{i}.core AS k{i}' for i in range(len(personal)))} "
            f"FROM identifier_sets s {joins} WHERE s.set_id > {last_set}"
        )
        merged = self.label_map("core_merged", cores, ("old", "new"))
        return self.keep("core_map", f"SELECT old, new FROM {merged} WHERE old <> new")

    def count_persons(self, last_set: int, last_code: int) -> str:
        """Pass 1, then the core persons of every identifier the new sets or the merged cores
        touch, and whether it is shared; return that table ``(code, persons, shared,
        was_shared, existed)``."""
        core_map = self.merge_cores(last_set)
        touched_sets = self.keep(
            "touched_sets",
            f"SELECT set_id FROM identifier_sets WHERE set_id > {last_set} "
            f"OR core IN (SELECT old FROM {core_map})",
        )
        for table in ("identity_nodes", "identifier_sets"):
            self.update(table, f"{core_map} m", "t.core = m.old", core="m.new")
        personal = PERSONAL_CODES
        # The new sets only, rows of this transaction: an UPDATE rewrites nothing kept.
        self.sql(
            "UPDATE identifier_sets SET core = n.core FROM identity_nodes n "
            f"WHERE identifier_sets.set_id > {last_set} "
            f"AND n.code = coalesce({', '.join(f'identifier_sets.{c}' for c in personal)})"
        )
        touched = self.keep("touched", _codes_of(touched_sets))
        seen = " UNION ALL ".join(
            f"SELECT {c} AS code, core FROM identifier_sets WHERE core IS NOT NULL "
            f"AND {c} IN (SELECT code FROM {touched})"
            for c in CODES
        )
        recount = self.keep(
            "recount",
            f"WITH counted AS (SELECT code, count(DISTINCT core) AS persons FROM ({seen}) "
            "GROUP BY code) "
            "SELECT n.code, coalesce(c.persons, 0) AS persons, "
            f"coalesce(c.persons, 0) > {self.max_persons} AS shared, n.shared AS was_shared, "
            "n.persons AS was_persons, "
            f"n.code <= {last_code} AS existed "
            f"FROM identity_nodes n JOIN {touched} t ON t.code = n.code "
            "LEFT JOIN counted c ON c.code = n.code",
        )
        # Only what changed (see update).
        self.update(
            "identity_nodes",
            f"{recount} r",
            "t.code = r.code AND (r.persons <> r.was_persons OR r.shared <> r.was_shared)",
            persons="r.persons",
            shared="r.shared",
        )
        return recount

    def merge_components(self, last_set: int, recount: str) -> str:
        """Pass 2 on units: the components the new sets link, the components of newly
        shared identifiers dissolved, the links of no-longer-shared ones read again; update
        ``component`` and ``person_id``; return the table ``(code, old, new)`` of the
        identifiers whose person changed."""
        dissolved = self.keep(
            "dissolved",
            "SELECT code FROM identity_nodes WHERE component IN (SELECT n.component FROM "
            f"identity_nodes n JOIN {recount} r ON r.code = n.code "
            "WHERE r.existed AND r.shared AND NOT r.was_shared)",
        )
        relinked = self.keep(
            "relinked",
            f"SELECT code FROM {dissolved} UNION "
            f"SELECT code FROM {recount} WHERE existed AND was_shared AND NOT shared",
        )
        linking = self.keep(
            "linking",
            f"SELECT set_id FROM identifier_sets WHERE set_id > {last_set} "
            f"UNION {_sets_holding(relinked)}",
        )
        nodes = self.nodes_of(f"SELECT set_id FROM {linking}")
        joins = " ".join(
            f"LEFT JOIN {nodes} n{i} ON n{i}.code = s.{c} "
            f"LEFT JOIN {dissolved} d{i} ON d{i}.code = s.{c}"
            for i, c in enumerate(CODES)
        )
        units = ", ".join(
            f"CASE WHEN n{i}.shared THEN NULL WHEN d{i}.code IS NOT NULL THEN n{i}.code "
            f"ELSE n{i}.component END AS u{i}"
            for i in range(len(CODES))
        )
        pulled = self.columns(
            f"SELECT {units} FROM identifier_sets s {joins} "
            f"WHERE s.set_id IN (SELECT set_id FROM {linking})"
        )
        unit_map = self.label_map("unit_map", pulled, ("unit", "merged"))
        relabel = self.keep(
            "relabel",
            f"SELECT n.code, m.merged AS component FROM identity_nodes n JOIN {unit_map} m "
            "ON n.component = m.unit WHERE m.merged <> m.unit "
            f"AND n.code NOT IN (SELECT code FROM {dissolved}) "
            f"UNION ALL SELECT d.code, coalesce(m.merged, d.code) FROM {dissolved} d "
            f"LEFT JOIN {unit_map} m ON m.unit = d.code",
        )
        self.update(
            "identity_nodes",
            f"{relabel} r",
            "t.code = r.code AND t.component <> r.component",
            component="r.component",
        )
        nodes = self.con.table("identity_nodes")
        components = self.table(relabel).component
        members = nodes.filter(nodes.component.isin(components))
        members = members.mutate(identifier=members.kind + ":" + members.value)
        smallest_id = members.group_by("component").aggregate(label=members.identifier.min())
        named = self.keep_expr(
            "named", smallest_id.select("component", person_id=person_id(smallest_id.label))
        )
        moved = self.keep(
            "moved",
            "SELECT n.code, n.person_id AS old, p.person_id AS new "
            f"FROM identity_nodes n JOIN {named} p ON p.component = n.component "
            "WHERE n.person_id <> p.person_id",
        )
        self.update("identity_nodes", f"{moved} m", "t.code = m.code", person_id="m.new")
        return moved

    def place_sets(self, last_set: int, recount: str, moved: str) -> str:
        """Give the new sets, and those holding an identifier whose person or shared flag
        changed, the person of their rows; return ``(set_id, old, new)`` of the changes."""
        flipped = self.keep(
            "flipped",
            f"SELECT code FROM {moved} UNION SELECT code FROM {recount} WHERE shared <> was_shared",
        )
        again = self.keep(
            "again",
            f"SELECT set_id FROM identifier_sets WHERE set_id > {last_set} "
            f"UNION {_sets_holding(flipped)}",
        )
        sets = self.con.table("identifier_sets")
        chosen = sets.filter(sets.set_id.isin(self.table(again).set_id))
        # Only the identifiers these sets hold (as identities: the rule reads those).
        identities = self.table(self.nodes_of(f"SELECT set_id FROM {again}"))
        placed = assign_persons(chosen.select("set_id", *IDENTIFIERS), identities).select(
            "set_id", "person_id"
        )
        placed_name = self.keep_expr("placed", placed)
        set_moves = self.keep(
            "set_moves",
            "SELECT s.set_id, s.person_id AS old, p.person_id AS new FROM identifier_sets s "
            f"JOIN {placed_name} p ON p.set_id = s.set_id WHERE s.person_id <> p.person_id",
        )
        self.update("identifier_sets", f"{set_moves} m", "t.set_id = m.set_id", person_id="m.new")
        return set_moves

    def record_changes(
        self, version: int, matched: str, last_set: int, last_code: int, moved: str, set_moves: str
    ) -> int:
        """List in ``person_changes`` the persons of the rows folded in and the old and new
        person of every identifier and set whose person changed; how many."""
        self.sql(
            "INSERT INTO person_changes SELECT DISTINCT "
            f"CAST({version} AS BIGINT), person_id FROM ("
            "SELECT person_id FROM identifier_sets WHERE set_id > "
            f"{last_set} OR set_id IN (SELECT set_id FROM {matched}) "
            f"UNION ALL SELECT new FROM {moved} "
            f"UNION ALL SELECT old FROM {moved} WHERE code <= {last_code} "
            f"UNION ALL SELECT new FROM {set_moves} "
            f"UNION ALL SELECT old FROM {set_moves} WHERE set_id <= {last_set})"
        )
        return int(
            self.value(f"SELECT count(*) FROM person_changes WHERE identity_version = {version}")
        )
