"""Identity resolution: which identifiers belong to one person.

Identifiers seen together on one row (an event, a CRM row) are linked; persons are the
connected components of that graph, found by label propagation written as Ibis
expressions, so the same code runs on DuckDB and on PySpark.

An identifier shared by many persons (a store tablet's cookie, a family email) would glue
strangers together. To find them without knowing the persons yet, a first pass resolves
only the person-level identifiers (customer id, loyalty card, email, phone) into *core
persons*; an identifier seen on rows of more than ``max_persons`` core persons is then
*shared*: it is kept, reported, and given a person of its own, but never used to merge.
The second pass resolves every other identifier.

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

import ibis
import ibis.expr.types as ir

from parcours.config import IDENTIFIERS, PERSON_LEVEL_IDENTIFIERS
from parcours.errors import ParcoursError
from parcours.store.engine import materialize, release

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


def _star_edges(links: ir.Table) -> ir.Table:
    """Each row's identifiers linked to the row's smallest one (both directions)."""
    anchored = links.mutate(anchor=links.node.min().over(group_by=links.row))
    edges = anchored.select(a=anchored.node, b=anchored.anchor).distinct()
    return edges.union(edges.select(a=edges.b, b=edges.a), distinct=True)


def connected_components(nodes: ir.Table, edges: ir.Table) -> ir.Table:
    """``(node, label)``: each node labelled with the smallest node of its component.

    Min-label propagation: each round, a node takes the smallest label among itself and its
    neighbours. It stops when no label changes; each round is materialised (:func:`materialize`) so the
    expression does not grow with the number of rounds.
    """
    tag = uuid.uuid4().hex[:8]
    labels = materialize(nodes.select("node", label=nodes.node).distinct(), f"_cc_{tag}_0")
    for round_ in range(1, MAX_ITERATIONS + 1):
        offered = edges.join(labels, edges.b == labels.node).select(
            node=edges.a, label=labels.label
        )
        candidates = labels.union(offered, distinct=False)
        best = candidates.group_by("node").aggregate(label=candidates.label.min())
        # Shortcut: also take the label of one's label, which halves long chains each round.
        hop = best.join(labels, best.label == labels.node).select(best.node, hop=labels.label)
        nxt = materialize(
            best.left_join(hop, best.node == hop.node).select(
                node=best.node,
                label=ibis.least(best.label, hop.hop.fill_null(best.label)),
            ),
            f"_cc_{tag}_{round_}",
        )
        changed = (
            nxt.join(labels, nxt.node == labels.node)
            .filter(lambda t: t.label != t.label_right)
            .count()
            .to_pyarrow()
            .as_py()
        )
        release(labels, f"_cc_{tag}_{round_ - 1}")
        labels = nxt
        if changed == 0:
            return labels
    raise ParcoursError(f"identity resolution did not converge in {MAX_ITERATIONS} rounds")


def person_id(label: ir.StringValue) -> ir.StringValue:
    """A stable, opaque person id derived from the component's smallest identifier."""
    return ibis.literal("p_") + label.hexdigest("md5").substr(0, 16)


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
