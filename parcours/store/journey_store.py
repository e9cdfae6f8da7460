"""The journey table kept in the workspace, and brought up to date person by person.

Building the journey table of 10M events costs about a minute; every CLI command, every
server start and every analysis needs it. So it is stored, once per set of *journey rules*
(what decides its rows: touchpoint matching, stages, conversion, timeout, persona rules;
not titles, emotions or other wording), as ``journeys_<rules key>``, with the identity
version it reflects (``journey_tables``).

When the identities move on (an ingest, then :meth:`Store.resolve_identities`), only the
persons they changed are recomputed: their rows are deleted and their journeys computed
again from their events, in one transaction. A person's journeys depend on that person's
events and CRM rows only, so the result is the table a full build would give. Those events
are the person's rows already in the table (found by ``person_id``) and the rows of the
batches folded in since; each row keeps the ``set_id`` of its identifier set (hidden from
readers), whose person :mod:`parcours.store.identity` keeps current, so no row is placed
again from the events table, whose identifier columns an update never scans. A full
build happens for a new set of rules, or when identity resolution started over (an
erasure, an identifier newly shared: see :mod:`parcours.store.identity`).

A ``spark:DIR`` workspace stores it too, as Parquet parts of its warehouse
(:mod:`parcours.store.warehouse`), with the same record in ``journey_tables``, and keeps
its identifier sets as DuckDB does (:mod:`parcours.store.identity_warehouse`): it is
brought up to date by the same steps. Only the write differs, its files not being
updated in place: the rows of an update are a new part, and the stored rows they replace
are listed in a second table, ``<name>_superseded`` (their set, from which journey, up to
which write), that readers leave out (:func:`_visible`); every :data:`MAX_PARTS` parts the
table is written again as one, its superseded rows left out for good
(:func:`_replace_in_warehouse`). So a batch writes the batch's rows, not the history's.
Other engines, whose tables cannot be updated in place, compute it once per connection
and keep it as a temporary table.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from parcours import config
from parcours.config import IDENTIFIERS
from parcours.maps import JourneyMap
from parcours.store import identity, journeys
from parcours.store.engine import (
    UPDATABLE,
    Scratch,
    epoch_seconds,
    in_part,
    materialize,
    transaction,
    writing,
)
from parcours.store.schema import DERIVED
from parcours.store.warehouse import WarehouseTables

# Bump when parcours.store.journeys changes what it computes: stored tables are then rebuilt.
RULES_FORMAT = 2

# The stored table's own column: the identifier set of the row (see module doc).
SET = "set_id"
# A warehouse's table's own column too: the identity version whose update wrote the row,
# so that a row superseded by a later write is told from the one that superseded it.
WRITTEN = "written_at"

# What a journey row keeps of its event: enough to compute its journeys again.
EVENT_COLUMNS = ("ts", "seq", "event_id", "channel", "event", "revenue", "properties")

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
        "conversion": jm.conversion.model_dump(mode="json", exclude={"title"}),
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
    if not isinstance(con, WarehouseTables) and con.name not in UPDATABLE:
        return _per_connection(store, jm, identities)
    name = table_name(jm)
    version = identity.identity_version(con)
    record = _record(con, name)
    if record is not None and _holds_sets(con, name):
        built_at = int(record["identity_version"])
        if built_at == version:
            return _public(_visible(con, name))
        persons = identity.changed_persons(con, since=built_at)
        if persons is not None:
            _update(store, jm, name, identities, persons, built_at, version)
            return _public(_visible(con, name))
    _build(store, jm, name, identities, version)
    return _public(_visible(con, name))


def _holds_sets(con: Any, name: str) -> bool:
    """Is table ``name`` stored, with the set of each row? (A warehouse's tables stored
    before it kept its identifier sets, or the version that wrote each row, lack them:
    they are built again.)"""
    if name not in con.list_tables():
        return False
    needed = {SET, WRITTEN} if isinstance(con, WarehouseTables) else {SET}
    return needed <= set(con.table(name).columns)


def superseded_name(name: str) -> str:
    """The table listing the superseded rows of a warehouse's journey table ``name``."""
    return f"{name}_superseded"


SUPERSEDED_SCHEMA = ibis.schema({SET: "int64", "from_seq": "int64", WRITTEN: "int64"})


def _visible(con: Any, name: str) -> ir.Table:
    """The rows of stored table ``name`` that no later update superseded: on a warehouse,
    a row of set ``s`` from journey ``from_seq`` on, written before the update listed in
    ``<name>_superseded`` that replaced those journeys, is left out."""
    stored = con.table(name)
    if not isinstance(con, WarehouseTables):
        return stored
    over = superseded_name(name)
    if over not in con.catalog or not con.catalog.parts(over):  # none since the last write
        return stored
    gone = con.table(over)
    return stored.anti_join(
        gone,
        [
            stored[SET] == gone[SET],
            stored.journey_seq >= gone.from_seq,
            stored[WRITTEN] < gone[WRITTEN],
        ],
    )


def _written(version: int) -> ir.IntegerValue:
    """``version`` as a BIGINT on every engine: an int64 literal is a bare number in
    Spark's SQL, an INT there, and Ibis leaves out a cast to the type it already has."""
    return ibis.literal(str(version)).cast("int64")


def _public(table: ir.Table) -> ir.Table:
    return table.drop(*(c for c in (SET, WRITTEN) if c in table.columns))


def _per_connection(store: Any, jm: JourneyMap, identities: ir.Table) -> ir.Table:
    stamp = f"{rules_key(jm)}|{identity.identity_version(store.con)}"
    key = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    if key not in store._journey_cache:
        expr = journeys.journey_table(store.events, identities, jm, store.customers)
        store._journey_cache[key] = materialize(expr, f"_journeys_{key}")
    table: ir.Table = store._journey_cache[key]
    return table


_RECORD_SCHEMA = DERIVED["journey_tables"].to_pyarrow()


def _record(con: Any, name: str) -> dict[str, Any] | None:
    if isinstance(con, WarehouseTables):  # a few rows, read without an engine job
        rows = [r for r in con.read_arrow("journey_tables").to_pylist() if r["name"] == name]
    else:
        kept = con.table("journey_tables")
        rows = kept.filter(kept.name == name).to_pyarrow().to_pylist()
    return rows[0] if rows else None


def _write_record(con: Any, name: str, jm: JourneyMap, version: int) -> None:
    """Record table ``name`` as built for identity ``version`` (inside the write's
    transaction); on a warehouse, drop the tables past :data:`KEEP_TABLES` in it too."""
    rows = _count(_visible(con, name))
    now = datetime.now(UTC).replace(tzinfo=None)
    if isinstance(con, WarehouseTables):
        _write_warehouse_record(con, [name, rules_key(jm), version, now, rows])
        return
    con.raw_sql("DELETE FROM journey_tables WHERE name = ?", parameters=[name])
    con.raw_sql(
        "INSERT INTO journey_tables VALUES (?, ?, ?, ?, ?)",
        parameters=[name, rules_key(jm), version, now, rows],
    )
    # The lists of changed persons every stored table has caught up with are no longer read.
    con.raw_sql(
        "DELETE FROM person_changes WHERE identity_version <= "
        "(SELECT min(identity_version) FROM journey_tables)"
    )


def _write_warehouse_record(con: WarehouseTables, values: list[Any]) -> None:
    """:func:`_write_record` on a warehouse: its small tables are read and written again
    whole in this process; the oldest journey tables are dropped, their files with them."""
    record = dict(zip(_RECORD_SCHEMA.names, values, strict=True))
    others = [
        r for r in con.read_arrow("journey_tables").to_pylist() if r["name"] != record["name"]
    ]
    kept, dropped = _kept_and_dropped([record, *others])
    for old in dropped:
        _drop_warehouse_table(con, old["name"])
    con.write_arrow("journey_tables", pa.Table.from_pylist(kept, schema=_RECORD_SCHEMA))
    if "person_changes" in con.list_tables():  # see _write_record
        changes = con.read_arrow("person_changes")
        caught_up = min(r["identity_version"] for r in kept)
        later = changes.filter(pc.greater(changes["identity_version"], caught_up))
        if later.num_rows < changes.num_rows:
            con.write_arrow("person_changes", later)


def _build(store: Any, jm: JourneyMap, name: str, identities: ir.Table, version: int) -> None:
    """The whole table, from every event (replacing a stored one), in :func:`parts`.

    Cutting journeys holds all the rows it reads (twice: two passes of windows); past
    DuckDB's memory limit that spills to disk slowly, and at 100M events it failed. A
    person's journeys need only that person's events, so the persons are split by ranges
    of their id into parts that each fit, and each part is cut and appended in turn, in
    one transaction: the same table, in bounded memory, its rows grouped by part, so that
    the analyses that run in the same parts (``Context.journey_parts``) read only their
    part's row groups. The rows an update appends (:func:`_update`) are read by every
    part until the next full build: a day's batch, about 1 % of the table. A warehouse
    builds it in one part: Spark bounds its memory itself, spilling by partition."""
    con = store.con
    events = store.events
    warehouse = isinstance(con, WarehouseTables)
    if warehouse:
        count = 1
    else:
        count = parts(_count(events), config.memory_bytes(store.settings.memory_limit))
    every_set = con.table("identifier_sets")
    with writing(con):
        for part in range(count):
            # Every event holds a kept set once the identities are current (they are:
            # stored_journeys resolved them), so placing among a part's sets loses none.
            sets = every_set.filter(in_part(every_set.person_id, count, part))
            among = sets if count > 1 else None  # one part: every set, no hash to compute
            placed = identity.place_events(con, events, with_set=True, among=among)
            expr = journeys.journeys_of_placed(
                placed, identities, jm, store.customers, carry=(SET,)
            )
            if warehouse:
                expr = expr.mutate(**{WRITTEN: _written(version)})
            if part == 0:
                con.create_table(name, expr, overwrite=True)
            else:
                con.insert(name, expr)
        if warehouse and superseded_name(name) in con.list_tables():
            con.drop_table(superseded_name(name), force=True)
        _write_record(con, name, jm, version)
    if not warehouse:  # a warehouse dropped them in the commit (_write_record)
        _drop_oldest(con)


# What a row of the build holds while its journeys are cut, twice over, with DuckDB's own
# overheads: 10M demo events fit in one part under the 2.5 GB default (built in one part
# at 2.5GB they peaked at 2.7 GB resident, for the same CPU as at 3GB).
BYTES_PER_ROW = 240


def parts(rows: int, memory_bytes: int) -> int:
    """How many parts of persons the build cuts in turn for ``rows`` events to fit in
    ``memory_bytes`` (1: all at once)."""
    per_part = max(memory_bytes // BYTES_PER_ROW, 1)
    return max(-(-rows // per_part), 1)


def _count(table: ir.Table) -> int:
    return int(table.count().to_pyarrow().as_py())


def _update(
    store: Any,
    jm: JourneyMap,
    name: str,
    identities: ir.Table,
    persons: ir.Table,
    built_at: int,
    version: int,
) -> None:
    """Recompute the journeys of ``persons`` (their ``person_id``, old or new) only.

    Their events are their rows in the stored table (every row of a set whose person is
    one of them: its old person was listed too) and the events of the batches folded in
    after identity version ``built_at``, each placed by its set's current person; their
    CRM rows are those holding one of their identifiers. Nothing here reads more than the
    persons touched and the new batches, except one scan of the customers.

    Most persons of a day's batch are customers coming back: same person, same persona,
    new events after all their stored ones. Journeys are cut from the past only (a gap
    since the previous event, a conversion before it), so such a person's journeys before
    the last are final; theirs are computed again from the start of the last journey,
    numbered on from there. When the last journey is closed too (it converted, or the new
    events come more than the timeout after it: 94 % of the persons coming back in the
    benchmark's day at 10M events), only their new events are computed, numbered on after it,
    and none of their stored rows is rewritten. Any other person (merged, persona
    changed, an event arriving late) is computed again whole."""
    con = store.con
    scratch = Scratch("journeys_update")
    try:
        changed = scratch.keep(persons.select("person_id").distinct(), "persons")
        theirs = scratch.keep(identities.semi_join(changed, "person_id"), "identities")
        # Their sets: every row of theirs, stored or new, holds one of these.
        sets = con.table("identifier_sets")
        sets = scratch.keep(sets.filter(sets.person_id.isin(changed.person_id)), "sets")
        # Their rows already stored, found by set (an integer: cheaper than by person),
        # each set giving the row's current person.
        stored = _visible(con, name)
        kept = stored.filter(stored[SET].isin(sets[SET]))
        kept = kept.select(
            *EVENT_COLUMNS, SET, "journey_seq", "persona", "converted", was=kept.person_id
        )
        kept = scratch.keep(kept.join(sets.select(SET, "person_id"), SET), "kept")
        # The events of the batches folded in since the table was stored.
        folded = con.table("identity_batches")
        batches = folded.filter(folded.identity_version > built_at).batch_id
        events = store.events.filter(store.events.batch_id.isin(batches))
        new = identity.place_events(con, events, with_set=True, among=sets)
        new = scratch.keep(new.select(*EVENT_COLUMNS, SET, "person_id"), "new")
        customers = _rows_holding(store.customers, theirs)
        persona_of = journeys.personas(customers, theirs, jm)
        timeout = int(jm.journey.timeout_delta.total_seconds())  # as journeys_of_placed
        plan = scratch.keep(_plan(kept, new, persona_of, timeout), "plan")
        # Each person's rows from the journey computed again on: stored and new.
        again = kept.join(plan, "person_id").filter(lambda t: t.journey_seq >= t.from_seq)
        columns = [*EVENT_COLUMNS, SET, "person_id"]
        placed = scratch.keep(again.select(*columns).union(new.select(*columns)), "events")
        expr = journeys.journeys_of_placed(placed, theirs, jm, customers, carry=(SET,))
        expr = expr.filter(expr.person_id.isin(changed.person_id))
        expr = expr.left_join(plan.select("person_id", "from_seq"), "person_id")
        seq = expr.journey_seq + expr.from_seq.fill_null(1) - 1
        expr = expr.mutate(journey_seq=seq, journey_id=journeys.journey_id_of(expr.person_id, seq))
        warehouse = isinstance(con, WarehouseTables)
        if warehouse:
            expr = expr.mutate(**{WRITTEN: _written(version)})
        fresh = scratch.keep(expr.select(*stored.columns), "rows")
        # Every stored row of these sets from its person's first journey computed again:
        # none for a person whose stored journeys all stay (from_seq after the last one),
        # nor for a newcomer (no plan, no stored row).
        redone = plan.filter(plan.from_seq <= plan.last_seq)
        doomed = sets.select(SET, "person_id").join(redone, "person_id")
        doomed = scratch.keep(doomed.select(SET, "from_seq"), "doomed")
        with writing(con):
            if warehouse:
                _replace_in_warehouse(con, name, doomed, fresh, version)
            else:
                con.raw_sql(
                    f'DELETE FROM "{name}" USING ({con.compile(doomed)}) d '
                    f'WHERE "{name}".{SET} = d.{SET} AND "{name}".journey_seq >= d.from_seq'
                )
                con.insert(name, fresh)
            _write_record(con, name, jm, version)
    finally:
        scratch.release()


# Parts a warehouse's journey table may hold before an update writes it again as one.
MAX_PARTS = 16


def _replace_in_warehouse(
    con: WarehouseTables, name: str, doomed: ir.Table, fresh: ir.Table, version: int
) -> None:
    """:func:`_update`'s DELETE and INSERT on a warehouse, whose Parquet files are not
    updated in place: the fresh rows are a new part of the table, and the doomed rows
    (``set_id``, ``from_seq``) are listed as superseded by this ``version``'s write (see
    :func:`_visible`). Past :data:`MAX_PARTS` parts the table is written again as one (its
    visible rows less the doomed ones, with the fresh ones) and the list is dropped: a read
    then joins nothing, and the rows hidden are gone from the files. That reads and writes
    every row, but cuts no journey: the cost of cutting them all is what a build pays."""
    over = superseded_name(name)
    if len(con.catalog.parts(name)) < MAX_PARTS:
        con.insert(name, fresh)
        if _count(doomed):
            gone = doomed.mutate(**{WRITTEN: _written(version)})
            if over in con.list_tables():
                con.insert(over, gone)
            else:
                con.create_table(over, gone.select(*SUPERSEDED_SCHEMA.names))
        return
    stored = _visible(con, name)
    hit = [stored[SET] == doomed[SET], stored.journey_seq >= doomed.from_seq]
    con.insert(name, stored.anti_join(doomed, hit).union(fresh), overwrite=True)
    if over in con.list_tables():
        con.drop_table(over, force=True)


def _plan(
    kept: ir.Table, new: ir.Table, persona_of: ir.Table | None, timeout_seconds: int
) -> ir.Table:
    """``(person_id, last_seq, from_seq)``: each person of ``kept``, the number of their last
    stored journey, and the journey from which they are computed again (see
    :func:`_update`): when nothing but later events came, their last, or the one after it
    when the last is closed (the next event starts a journey whatever it is:
    :func:`parcours.store.journeys.cut_journeys`); else 1."""
    mine = kept.group_by("person_id").aggregate(
        merged=(kept.was != kept.person_id).any(),
        personas=kept.persona.nunique(),
        persona=kept.persona.max(),
        last_seq=kept.journey_seq.max(),
        last_ts=kept.ts.max(),
        # A journey's rows share its flag; a conversion can only be its last event.
        last_converted=kept.converted.argmax(kept.journey_seq),
    )
    first = new.group_by("person_id").aggregate(first_ts=new.ts.min())
    plan = mine.left_join(first, "person_id")
    same_persona = plan.personas <= 1
    if persona_of is not None:
        plan = plan.left_join(persona_of.rename(now="persona"), "person_id")
        same_persona &= plan.persona.identical_to(plan.now)
    later = plan.first_ts.isnull() | (plan.first_ts > plan.last_ts)
    appended = ~plan.merged & same_persona & later
    # The gap as cut_journeys measures it, so that both agree to the microsecond.
    gap = epoch_seconds(plan.first_ts) - epoch_seconds(plan.last_ts)
    closed = plan.last_converted | (gap > timeout_seconds).fill_null(False)
    from_seq = ibis.cases(
        (appended & closed, plan.last_seq + 1), (appended, plan.last_seq), else_=1
    )
    return plan.select("person_id", "last_seq", from_seq=from_seq)


def _rows_holding(table: ir.Table, identities: ir.Table) -> ir.Table:
    """The rows of ``table`` (events, customers) holding one of ``identities``."""
    holds = [
        table[kind].isin(identities.filter(identities.kind == kind).value)
        for kind in IDENTIFIERS
        if kind in table.columns
    ]
    return table.filter(ibis.or_(*holds))


def _drop_warehouse_table(con: WarehouseTables, name: str) -> None:
    """Drop stored table ``name`` and its list of superseded rows, their files with them."""
    for table in (name, superseded_name(name)):
        if table in con.list_tables():
            con.drop_table(table, force=True)


def _kept_and_dropped(
    records: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The records of stored tables to keep (the :data:`KEEP_TABLES` built last) and to drop."""
    newest = sorted(records, key=lambda r: r["built_at"], reverse=True)
    return newest[:KEEP_TABLES], newest[KEEP_TABLES:]


def _drop_oldest(con: Any) -> None:
    rows = con.table("journey_tables").select("name", "built_at").to_pyarrow().to_pylist()
    for row in _kept_and_dropped(rows)[1]:
        with transaction(con):
            con.drop_table(row["name"], force=True)
            con.raw_sql("DELETE FROM journey_tables WHERE name = ?", parameters=[row["name"]])


def forget_person(con: Any, person_id: str) -> int:
    """Delete an erased person's rows from every stored journey table (inside the erasure's
    transaction); the number of rows deleted. A warehouse's tables are dropped instead, their
    files with them: the erasure starts identity resolution over, so they would be built
    again whole anyway (see module doc)."""
    if isinstance(con, WarehouseTables) and "journey_tables" in con.list_tables():
        for row in con.read_arrow("journey_tables").to_pylist():
            _drop_warehouse_table(con, row["name"])
        con.write_arrow("journey_tables", _RECORD_SCHEMA.empty_table())
        return 0
    if con.name not in UPDATABLE or "journey_tables" not in con.list_tables():
        return 0
    deleted = 0
    for row in con.table("journey_tables").select("name").to_pyarrow().to_pylist():
        table = con.table(row["name"])
        deleted += int(table.filter(table.person_id == person_id).count().to_pyarrow().as_py())
        con.raw_sql(f'DELETE FROM "{row["name"]}" WHERE person_id = ?', parameters=[person_id])
    return deleted
