"""Comments on the elements of a map, kept in the workspace (table ``comments``, schema 5).

An element is named ``kind:id``: ``stage:livraison``, ``touchpoint:paiement``,
``persona:digitale``, ``channel:web``, ``opportunity:paiement-express`` (free-text
opportunities by their converted id, :mod:`parcours.maps.opportunities`), or ``map:<map id>``
for the whole map. A comment records its author (the API key's name, or the dashboard
user's), its time (UTC) and the map version it was written on.

**Carried across versions.** Comments belong to an element, not to a version: version v of
a map shows every comment written on version v or before whose element (its kind and id)
exists in version v. A stage renamed keeps its comments while its id stays; an element
removed takes its comments out of view (they stay stored, and come back if a later
version has that id again).

**Personal data.** Authors are names of staff; a comment's text is free and may name a
customer ("Mme Martin, alice@example.fr, a appelé trois fois"). So the RGPD erasure of a
person (``parcours forget``, :mod:`parcours.store.privacy`) deletes every comment whose text
holds one of that person's identifiers (ignoring case), as it does for rejected rows; a
comment naming a customer otherwise (by name only) is found by no identifier: delete it
(``DELETE /v1/maps/{map}/comments/{id}``). Write about journeys, not about a person.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import ibis

from parcours.errors import InputError, NotFoundError
from parcours.maps import JourneyMap, text_of
from parcours.maps.opportunities import opportunities_of
from parcours.store.engine import UPDATABLE, writing
from parcours.store.schema import COMMENTS

TABLE = "comments"
KINDS = ("map", "stage", "touchpoint", "persona", "channel", "opportunity")
MAX_TEXT = 4000  # characters: a comment, not a document
MAX_AUTHOR = 120


@dataclass(frozen=True)
class Comment:
    comment_id: str
    map_id: str
    element: str
    map_version: int
    author: str
    created_at: datetime
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "created_at": self.created_at.isoformat()}


def elements(jm: JourneyMap, lang: str | None = None) -> dict[str, str]:
    """Every element of ``jm`` that can be commented on, ``kind:id`` -> its title."""
    lang = lang or jm.lang

    def title(item: Any) -> str:
        return text_of(item.title, lang) if getattr(item, "title", None) else item.id

    found = {f"map:{jm.map}": jm.title_of(lang)}
    found |= {f"stage:{s.id}": title(s) for s in jm.stages}
    found |= {f"touchpoint:{t.id}": title(t) for t in jm.touchpoints}
    found |= {f"persona:{p.id}": title(p) for p in jm.personas}
    found |= {f"channel:{c.id}": title(c) for c in jm.channels}
    found |= {f"opportunity:{o.id}": title(o) for o in opportunities_of(jm)}
    return found


def _check_element(jm: JourneyMap, element: str) -> None:
    kind = element.partition(":")[0]
    if kind not in KINDS:
        raise InputError(
            f"element '{element}': write kind:id, kind one of {', '.join(KINDS)} "
            f"(e.g. stage:{jm.stages[0].id})"
        )
    known = elements(jm)
    if element not in known:
        same_kind = [e for e in known if e.startswith(kind + ":")]
        raise InputError(
            f"map '{jm.map}' has no element '{element}'; {kind} elements: "
            f"{', '.join(same_kind) or 'none'}"
        )


def _check_text(text: str, author: str) -> tuple[str, str]:
    text, author = text.strip(), author.strip()
    if not text:
        raise InputError("a comment needs a text, e.g. 'Les clients appellent ici : à revoir'")
    if len(text) > MAX_TEXT:
        raise InputError(
            f"a comment has at most {MAX_TEXT:,} characters; this one has {len(text):,}"
        )
    if not author or len(author) > MAX_AUTHOR:
        raise InputError(f"a comment's author is a name of 1 to {MAX_AUTHOR} characters")
    return text, author


def add(con: Any, jm: JourneyMap, version: int, element: str, text: str, author: str) -> Comment:
    """Write a comment on ``element`` of version ``version`` of ``jm`` (InputError when the
    element is not in that version, or the text is empty or too long)."""
    _check_element(jm, element)
    text, author = _check_text(text, author)
    comment = Comment(
        comment_id=f"c_{secrets.token_hex(6)}",
        map_id=jm.map,
        element=element,
        map_version=int(version),
        author=author,
        created_at=datetime.now(UTC).replace(tzinfo=None),
        text=text,
    )
    row = {k: [v] for k, v in comment.__dict__.items()}
    with writing(con):
        con.insert(TABLE, ibis.memtable(row, schema=COMMENTS))
    return comment


def listed(con: Any, jm: JourneyMap, version: int, element: str | None = None) -> list[Comment]:
    """The comments version ``version`` of ``jm`` shows (see module doc), oldest first;
    ``element`` keeps one element's."""
    if element is not None:
        _check_element(jm, element)
    table = con.table(TABLE)
    rows = table.filter((table.map_id == jm.map) & (table.map_version <= int(version)))
    rows = rows.filter(table.element.isin([element] if element else list(elements(jm))))
    found = rows.order_by(["created_at", "comment_id"]).to_pyarrow().to_pylist()
    return [Comment(**row) for row in found]


def delete(con: Any, map_id: str, comment_id: str, author: str | None = None) -> Comment:
    """Delete one comment; with ``author``, only when that author wrote it (NotFoundError
    otherwise: another's comment is not shown as existing to someone who cannot delete it)."""
    table = con.table(TABLE)
    found = (
        table.filter((table.map_id == map_id) & (table.comment_id == comment_id))
        .to_pyarrow()
        .to_pylist()
    )
    if not found or (author is not None and found[0]["author"] != author):
        raise NotFoundError(
            f"map '{map_id}' has no comment '{comment_id}'"
            + (" written by you" if author is not None else "")
        )
    _delete_where(con, table.comment_id == comment_id, "comment_id = ?", [comment_id])
    return Comment(**found[0])


def erase_mentions(con: Any, values: list[str]) -> int:
    """Delete the comments whose text holds one of ``values`` (ignoring case): RGPD erasure
    of the person with those identifiers. The number deleted."""
    values = [v for v in values if v]
    if not values or TABLE not in con.list_tables():
        return 0
    table = con.table(TABLE)
    test = ibis.or_(*[table.text.lower().contains(v.lower()) for v in values])
    count = int(table.filter(test).count().to_pyarrow().as_py() or 0)
    if count:
        sql = " OR ".join("contains(lower(text), lower(?))" for _ in values)
        _delete_where(con, test, sql, values)
    return count


def _delete_where(con: Any, test: Any, sql: str, params: list[Any]) -> None:
    if con.name in UPDATABLE:
        con.raw_sql(f"DELETE FROM {TABLE} WHERE {sql}", parameters=params)
        return
    table = con.table(TABLE)
    kept = table.filter(~test).to_pyarrow()
    con.insert(TABLE, ibis.memtable(kept), overwrite=True)
