"""Identity resolution: which identifiers belong to one person.

Identifiers seen together on one row (an event, a CRM row) are linked; persons are the
connected components of that graph. This module finds them by label propagation written as
Ibis expressions, so the same code runs on any engine (PySpark included).

An identifier shared by many persons (a store tablet's cookie, a family email) would glue
strangers together. To find them without knowing the persons yet, a first pass resolves
only the person-level identifiers (customer id, loyalty card, email, phone) into *core
persons*; an identifier seen on rows of more than ``max_persons`` core persons is then
*shared*: it is kept, reported, and given a person of its own, but never used to merge.
The second pass resolves every other identifier.

Persons depend only on the distinct *identifier sets* of the rows. On DuckDB the workspace
keeps them and resolves incrementally with scipy
(:mod:`parcours.store.identity_incremental`), and so does a ``spark:DIR`` workspace, Spark
reading the rows (:mod:`parcours.store.identity_warehouse`); on other engines
:func:`resolve_everything` runs these expressions over the distinct sets. Both keep meta ``identity_version`` and the
``person_changes`` that :func:`changed_persons` reads, and :func:`place_events` gives rows
their person.

    >>> import ibis
    >>> rows = ibis.memtable({"row": ["e1", "e2"], "email": ["a@x.fr", "a@x.fr"],
    ...                       "anonymous_id": ["c1", "c2"]})
    >>> ids = resolve_identities(rows_with_identifiers([rows], "row"), max_persons=5)
    >>> ids.person_id.nunique().to_pyarrow().as_py()
    1
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.config import IDENTIFIERS, PERSON_LEVEL_IDENTIFIERS
from parcours.errors import ParcoursError
from parcours.store import schema
from parcours.store.engine import PERSON_PREFIX, Scratch, materialize, release, writing
from parcours.store.warehouse import WarehouseTables

MAX_ITERATIONS = 100


def rows_with_identifiers(tables: Iterable[ir.Table], key: str | Iterable[str]) -> ir.Table:
    """Long table ``(row, kind, value, node)``: one line per identifier present on a row.

    ``key`` names each table's row key (one name for all, or one per table); row keys are
    prefixed with the table's position so keys of different tables never collide.
    """
    tables = list(tables)
    keys = [key] * len(tables) if isinstance(key, str) else list(key)
    parts = []
    for position, (table, row_key) in enumerate(zip(tables, keys, strict=True)):
        for kind in IDENTIFIERS:
            if kind not in table.columns:
                continue
            part = table.filter(table[kind].notnull()).select(
                row=ibis.literal(f"{position}/") + table[row_key].cast("string"),
                kind=ibis.literal(kind),
                value=table[kind],
            )
            parts.append(part)
    links = ibis.union(*parts, distinct=False)
    return links.mutate(node=links.kind + ibis.literal(":") + links.value)


def distinct_sets(tables: Iterable[ir.Table]) -> ir.Table:
    """The distinct identifier sets of the rows of ``tables``: the :data:`IDENTIFIERS`
    columns (NULL where absent) and ``set_key``, a text that tells the sets apart (each
    value written with its length, so no two sets share a key)."""
    parts = [
        t.select(*[t[k] if k in t.columns else ibis.null("string").name(k) for k in IDENTIFIERS])
        for t in tables
    ]
    sets = ibis.union(*parts, distinct=True)
    sets = sets.filter(ibis.or_(*[sets[k].notnull() for k in IDENTIFIERS]))
    pieces = [
        ibis.ifelse(sets[k].isnull(), "-", sets[k].length().cast("string") + ":" + sets[k])
        for k in IDENTIFIERS
    ]
    return sets.mutate(set_key=ibis.literal("|").join(pieces))


def _star_edges(links: ir.Table) -> ir.Table:
    """Each row's identifiers linked to the row's smallest one (both directions)."""
    anchored = links.mutate(anchor=links.node.min().over(group_by=links.row))
    edges = anchored.select(a=anchored.node, b=anchored.anchor).distinct()
    return edges.union(edges.select(a=edges.b, b=edges.a), distinct=True)


def connected_components(nodes: ir.Table, edges: ir.Table) -> ir.Table:
    """``(node, label)``: each node labelled with the smallest node of its component.

    Min-label propagation: each round, a node takes the smallest label among itself and its
    neighbours. It stops when no label changes. The edges are computed once, and each round
    is materialised (:func:`materialize`) with whether the node's label moved, so that no
    round reads the rows the edges come from again, the expression does not grow with the
    rounds, and telling whether to go on is a count of the round's own result.
    """
    tag = uuid.uuid4().hex[:8]
    edges = materialize(edges, f"_cc_{tag}_edges")
    labels = materialize(nodes.select("node", label=nodes.node).distinct(), f"_cc_{tag}_0")
    try:
        for round_ in range(1, MAX_ITERATIONS + 1):
            offered = edges.join(labels, edges.b == labels.node).select(
                node=edges.a, label=labels.label, own=ibis.null("string")
            )
            candidates = labels.select("node", "label", own=labels.label).union(
                offered, distinct=False
            )
            best = candidates.group_by("node").aggregate(
                label=candidates.label.min(), own=candidates.own.max()
            )
            # Shortcut: also take the label of one's label, which halves long chains each
            # round.
            hop = best.join(labels, best.label == labels.node).select(best.node, hop=labels.label)
            step = best.left_join(hop, best.node == hop.node).select(
                node=best.node,
                label=ibis.least(best.label, hop.hop.fill_null(best.label)),
                own=best.own,
            )
            nxt = materialize(
                step.select("node", "label", moved=step.label != step.own),
                f"_cc_{tag}_{round_}",
            )
            changed = nxt.filter(nxt.moved).count().to_pyarrow().as_py()
            release(labels, f"_cc_{tag}_{round_ - 1}")
            labels = nxt.select("node", "label")
            if changed == 0:
                return labels
    finally:
        release(edges, f"_cc_{tag}_edges")
    raise ParcoursError(f"identity resolution did not converge in {MAX_ITERATIONS} rounds")


def person_id(label: ir.StringValue) -> ir.StringValue:
    """A stable, opaque person id derived from the component's smallest identifier."""
    return ibis.literal(PERSON_PREFIX) + label.hexdigest("md5").substr(0, 16)


def resolve_identities(links: ir.Table, max_persons: int = 5) -> ir.Table:
    """``(identifier, kind, value, person_id, shared, persons)`` for every identifier.

    ``links`` is the output of :func:`rows_with_identifiers`. ``persons`` counts the core
    persons an identifier was seen with; ``shared`` marks those over ``max_persons``.
    """
    nodes = links.select("node", "kind", "value").distinct()

    # Pass 1: core persons from person-level identifiers only.
    personal = links.filter(links.kind.isin(PERSON_LEVEL_IDENTIFIERS))
    core = connected_components(personal.select("node"), _star_edges(personal))
    on_row = personal.join(core, "node").select("row", core_label=core.label)
    seen = links.join(on_row, "row")
    persons = seen.group_by("node").aggregate(persons=seen.core_label.nunique())
    scored = nodes.left_join(persons, "node").select(
        "node", "kind", "value", persons=persons.persons.fill_null(0)
    )
    shared_nodes = scored.filter(scored.persons > max_persons).select("node")

    # Pass 2: every identifier, shared ones excluded from merging.
    usable = links.anti_join(shared_nodes, "node")
    components = connected_components(usable.select("node"), _star_edges(usable))
    resolved = scored.left_join(components, "node")
    return resolved.select(
        identifier=resolved.node,
        kind=resolved.kind,
        value=resolved.value,
        # A shared identifier is a person of its own: its events stay apart from everyone's.
        person_id=person_id(resolved.label.fill_null(resolved.node)),
        shared=resolved.persons > max_persons,
        persons=resolved.persons.cast("int64"),
    )


def resolve_everything(con: Any, max_persons: int) -> ir.Table:
    """Resolve every event and CRM row with the expressions above (engines other than
    DuckDB), store the identities, and record a full recompute (``identity_rebuilt_at``)."""
    sets = distinct_sets([con.table("events"), con.table("customers")])
    scratch = Scratch("identities_next")  # two resolutions at once must not share it
    try:
        # Computed once: each pass and each of its rounds reads the links (else every
        # round would read the events again to find their distinct sets).
        links = scratch.keep(rows_with_identifiers([sets], "set_key"), "links")
        next_ = scratch.keep(resolve_identities(links, max_persons), "all")
        with writing(con):
            con.insert("identities", next_, overwrite=True)
            version = str(identity_version(con) + 1)
            schema.write_meta(con, "identity_version", version)
            schema.write_meta(con, "identity_rebuilt_at", version)
            schema.write_meta(con, "identities_current", datetime.now(UTC).isoformat())
    finally:
        scratch.release()
    return con.table("identities")


def identity_version(con: Any) -> int:
    """The workspace's identity version: +1 at each resolution that changed anything."""
    return int(schema.read_meta(con, "identity_version") or 0)


def changed_persons(con: Any, since: int) -> ir.Table | None:
    """``(person_id)``: the persons whose journey rows may have changed after identity
    version ``since`` (the persons of rows folded in since, and every old and new person
    of identifiers that moved); None when a full recompute happened since (rebuild all)."""
    if int(schema.read_meta(con, "identity_rebuilt_at") or 0) > since:
        return None
    changes = con.table("person_changes")
    return changes.filter(changes.identity_version > since).select("person_id").distinct()


# Engines on which the workspace keeps the identifier sets with their person (the others
# place rows with assign_persons), besides a warehouse (spark:DIR), which keeps them too.
KEPT_SETS = {"duckdb"}


def keeps_sets(con: Any) -> bool:
    """Does ``con`` hold the kept identifier sets (``identifier_sets``) with their person?"""
    return con.name in KEPT_SETS or isinstance(con, WarehouseTables)


def place_events(
    source: Any, events: ir.Table, *, with_set: bool = False, among: ir.Table | None = None
) -> ir.Table:
    """``events`` with ``person_id``, by the rule of :func:`assign_persons`, in one join.

    ``source`` is a store (its identities are brought up to date first) or a connection
    whose resolution is current. Where the sets are kept (:func:`keeps_sets`) the rows
    meet them, each holding its person, on their five identifier columns (NULL matching
    NULL); rows of batches not yet resolved get no person. Elsewhere it is
    :func:`assign_persons`.

    ``with_set`` (where the sets are kept) adds the row's ``set_id``: the stored journey table keeps it
    so that an update can place its rows again without reading the events. ``among`` (some
    rows of ``identifier_sets``) places the rows among those sets only, dropping the others:
    an update knows which sets its new rows fall in, and the join is then a small one."""
    is_store = hasattr(source, "identities")  # a Store; else an Ibis backend
    con = source.con if is_store else source
    identities = source.identities() if is_store else con.table("identities")
    if not keeps_sets(con):
        return assign_persons(events, identities)
    sets = con.table("identifier_sets") if among is None else among
    sets = sets.select(
        **{f"_set_{k}": sets[k] for k in IDENTIFIERS},
        _set_person=sets.person_id,
        _set_id=sets.set_id,
    )
    same = [
        events[k].identical_to(sets[f"_set_{k}"])
        if k in events.columns
        else sets[f"_set_{k}"].isnull()
        for k in IDENTIFIERS
    ]
    joined = events.join(sets, same, how="left" if among is None else "inner")
    kept_set = {"set_id": joined._set_id} if with_set else {}
    return joined.select(*events.columns, person_id=joined._set_person, **kept_set)


def assign_persons(table: ir.Table, identities: ir.Table) -> ir.Table:
    """``table`` with a ``person_id`` column: the person of its most personal identifier
    that is not shared; when every identifier is shared, the person of the first one."""
    result = table
    picks = []
    for kind in IDENTIFIERS:
        if kind not in table.columns:
            continue
        ids = identities.filter(identities.kind == kind)
        ids = ids.select(
            **{f"_v_{kind}": ids.value, f"_p_{kind}": ids.person_id, f"_s_{kind}": ids.shared}
        )
        result = result.left_join(ids, result[kind] == ids[f"_v_{kind}"]).drop(f"_v_{kind}")
        picks.append(kind)
    unshared = [
        ibis.ifelse(result[f"_s_{k}"], ibis.null("string"), result[f"_p_{k}"]) for k in picks
    ]
    anyone = [result[f"_p_{k}"] for k in picks]
    helper_columns = [f"_{c}_{k}" for k in picks for c in ("p", "s")]
    return result.mutate(person_id=ibis.coalesce(*unshared, *anyone)).drop(*helper_columns)


def latest_customer_rows(customers: ir.Table, identities: ir.Table) -> ir.Table:
    """The CRM row that counts for each person: ``customers`` with ``person_id``, one row per
    person, the most recently updated (on a tie, the greatest ``customer_row_id``).

    Every reading of a person's CRM attributes (declared personas, ``customer:KEY``
    breakdowns) goes through this one rule."""
    placed = assign_persons(customers, identities)
    latest = ibis.window(
        group_by=placed.person_id,
        order_by=[ibis.desc(placed.updated_at), ibis.desc(placed.customer_row_id)],
    )
    ranked = placed.mutate(_latest=ibis.row_number().over(latest))
    return ranked.filter(ranked._latest == 0).drop("_latest")
