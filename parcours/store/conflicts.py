"""What becomes of each valid row of an ingest, given its key (``event_id``, ``feedback_id``).

    new        the key is not stored yet: the row is inserted
    duplicate  the same key with the same content is stored, or given earlier in the source
    conflict   the same key with other content (another time, another event): the row is not
               inserted and goes to ``rejected``, its reason naming the key and what differs
    replace    (``on_conflict: latest`` only) the row is the latest version of a stored key
               whose content differs: the stored row goes to ``rejected``, this one replaces it

Which version is kept is a policy, ``on_conflict``: ``first`` (default) keeps the version
stored or met first, so that a replayed old export never overwrites what is there;
``latest`` keeps the last one received (the lowest row of the file, the latest ingest), so a
corrected export replaces what it corrects. Either way nothing is lost: every version not
kept is in ``rejected``. A key derived from the row's content never conflicts: two rows of one
such key are the same row. The content compared is every stored field (``properties`` as
name/value pairs, so ``{"items": 3}`` from Parquet equals ``{"items": "3"}`` from a CSV).
Everything is one engine expression: a window per key and two joins, no Python per row.
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

POLICIES = ("first", "latest")
JSON_FIELDS = ("properties", "attributes")  # JSON objects, compared as name/value pairs
SHOWN_FIELDS = ("ts", "updated_at", "channel", "event", "revenue", "kind", "score")

_ENTRIES = dt.Array(dt.Struct({"key": dt.string, "value": dt.string}))


@ibis.udf.scalar.builtin(name="json_transform")
def _as_map(doc: str, shape: str) -> dt.Map(dt.string, dt.string):  # type: ignore[valid-type]
    """DuckDB: a JSON object as a map of name to value text (numbers and booleans too)."""


@ibis.udf.scalar.builtin(name="map_entries")
def _entries(value: dt.Map(dt.string, dt.string)) -> _ENTRIES:  # type: ignore[valid-type]
    """DuckDB: a map's (key, value) pairs."""


@ibis.udf.scalar.builtin(name="list_sort")
def _sorted(value: _ENTRIES) -> _ENTRIES:  # type: ignore[valid-type]
    """DuckDB: a list in ascending order."""


def _pairs(doc: ir.StringValue) -> ir.Value:
    return _sorted(_entries(_as_map(doc, '"MAP(VARCHAR, VARCHAR)"')))


def _same(name: str, a: ir.Value, b: ir.Value) -> ir.BooleanValue:
    if name in JSON_FIELDS:  # the same text, else the same name/value pairs
        return ibis.cases((a.identical_to(b), True), else_=_pairs(a).identical_to(_pairs(b)))
    return a.identical_to(b)


def _shown(value: ir.Value) -> ir.StringValue:
    text = value.cast("string")
    return ibis.ifelse(text.isnull(), "empty", "'" + text.substr(0, 40) + "'")


def differences(
    t: ir.Table, compared: tuple[str, ...], prefix: str, label: str = "kept"
) -> ir.StringValue:
    """``ts 'a' (kept: 'b'), email``: the compared fields where a row (``__field``) and
    another version (``prefix + field``) differ; identifiers and JSON objects named only."""
    parts = []
    for name in compared:
        mine, other = t[f"__{name}"], t[f"{prefix}{name}"]
        if name in SHOWN_FIELDS:
            text = name + " " + _shown(mine) + f" ({label}: " + _shown(other) + ")"
        else:
            text = ibis.literal(name)
        parts.append(ibis.ifelse(_same(name, mine, other), ibis.null("string"), text))
    return ibis.literal(", ").join(parts)


def judge(
    valid: ir.Table, stored: ir.Table, key: str, compared: tuple[str, ...], policy: str
) -> ir.Table:
    """``valid`` (staged rows: ``__row``, ``__<field>``) with ``__fate`` (see the module
    docstring), ``__why`` (for a conflict: the reason) and ``__replaces`` (for a replace:
    what differs from the stored version, which is then set aside)."""
    k = f"__{key}"
    order = valid.__row if policy == "first" else valid.__row.desc()
    ranked = valid.mutate(__rank=ibis.row_number().over(group_by=valid[k], order_by=order))
    old = stored.select(__o=stored[key], **{f"__o_{f}": stored[f] for f in compared})
    if not compared:  # a key derived from the content: the same key is the same row
        j = ranked.left_join(old, ranked[k] == old.__o)
        fate = ibis.ifelse(j.__o.notnull() | (j.__rank > 0), "duplicate", "new")
        nothing = ibis.null("string")
        return j.mutate(__fate=fate, __why=nothing, __replaces=nothing).drop("__o", "__rank")

    # The version kept within the source, for the keys given more than once only (few):
    # a small table to join the rows to.
    ranked = ranked.mutate(__n=ranked[k].count().over(group_by=ranked[k]))
    kept = ranked.filter((ranked.__n > 1) & (ranked.__rank == 0)).select(
        __k=ranked[k], __krow=ranked.__row, **{f"__k_{f}": ranked[f"__{f}"] for f in compared}
    )
    j = ranked.left_join(kept, ranked[k] == kept.__k).left_join(old, ranked[k] == old.__o)
    is_stored, first = j.__o.notnull(), j.__rank == 0
    same_old = ibis.and_(*[_same(f, j[f"__{f}"], j[f"__o_{f}"]) for f in compared])
    same_kept = ibis.and_(*[_same(f, j[f"__{f}"], j[f"__k_{f}"]) for f in compared])
    # Nested conditions: a costly comparison runs only on rows whose key is met twice.
    in_file = ibis.ifelse(same_kept, "duplicate", "conflict")
    quoted = "'" + j[k].substr(0, 60) + "'"
    if policy == "first":
        fate = ibis.ifelse(
            is_stored,
            ibis.ifelse(same_old, "duplicate", "conflict"),
            ibis.ifelse(first, "new", in_file),
        )
        why = (
            ibis.ifelse(
                is_stored,
                f"{key} "
                + quoted
                + " is already stored with another "
                + differences(j, compared, "__o_"),
                f"{key} "
                + quoted
                + " is already given by row "
                + j.__krow.cast("string")
                + " with another "
                + differences(j, compared, "__k_"),
            )
            + "; the first version is kept (on_conflict: latest keeps the last)"
        )
    else:
        fate = ibis.ifelse(
            first,
            ibis.ifelse(is_stored, ibis.ifelse(same_old, "duplicate", "replace"), "new"),
            in_file,
        )
        why = (
            f"{key} "
            + quoted
            + " is given again by row "
            + j.__krow.cast("string")
            + " with another "
            + differences(j, compared, "__k_")
            + "; the latest version is kept (on_conflict: first keeps the first)"
        )
    return j.mutate(
        __fate=fate,
        __why=ibis.ifelse(fate == "conflict", why, ibis.null("string")),
        __replaces=ibis.ifelse(
            fate == "replace", differences(j, compared, "__o_", "was"), ibis.null("string")
        ),
    ).drop(
        "__rank",
        "__n",
        "__k",
        "__krow",
        "__o",
        *[f"__k_{f}" for f in compared],
        *[f"__o_{f}" for f in compared],
    )
