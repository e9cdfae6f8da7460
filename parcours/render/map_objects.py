"""What the canvas draws of opportunities, sub-maps and comments (see :mod:`.canvas`).

* Opportunities are listed under their stage column, in rank order (what is at stake, from
  :mod:`parcours.analyses._opportunities`; the file's order when no ranking is given), each
  with its status; the tooltip gives owner, friction points, journeys lost, what is at
  stake and the expected effect.
* A stage or touchpoint that opens a sub-map carries a "↳" mark, a link to that map when
  the canvas knows its address (the dashboard's ``/?map=<id>``); its rolled-up figures
  (:mod:`parcours.analyses._nested`) are in the tooltip and, for a stage, under its column.
* An element with comments carries their count in a small bubble; the report lists them
  (:func:`comments_html`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from parcours.analyses._opportunities import conversion_value, rank
from parcours.maps import JourneyMap, text_of
from parcours.maps.opportunities import opportunities_of, stage_of
from parcours.render.i18n import date, labelled, money, number, pct, t

if TYPE_CHECKING:
    from parcours.analyses import Context, Result
    from parcours.store.comments import Comment

LINK_COLOUR = "#1f5fa8"
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


@dataclass
class MapObjects:
    """What the workspace knows of a map besides the analyses, for its canvas: the sub-maps'
    rolled-up figures (``Workspace.nested_figures``), the address of a sub-map by map id
    (the dashboard's links; None: no links, as in a report file), comments per element; for
    the report, the comments themselves and the versions marked as-is and to-be
    (``{"as-is": 3, "to-be": 5}``, those found) with ``compare`` measuring them side by side
    (:func:`parcours.analyses._experience.state_comparison`) when both exist."""

    submaps: pd.DataFrame | None = None
    link: Callable[[str], str] | None = None
    comments: dict[str, int] = field(default_factory=dict)
    comment_list: list[Comment] = field(default_factory=list)
    marked: dict[str, int] = field(default_factory=dict)
    compare: Callable[[], pd.DataFrame] | None = None


def report_objects(ws: Any, jm: JourneyMap, lang: str | None) -> MapObjects:
    """What the report shows of ``jm`` besides the analyses, read from the workspace ``ws``:
    sub-maps' figures, comments (those the latest saved version of the map shows; none for a
    map never saved) and the as-is and to-be versions."""
    from collections import Counter

    from parcours.analyses._experience import state_comparison
    from parcours.maps import nesting
    from parcours.maps.experience import MAP_STATES, marked_versions

    submaps = ws.nested_figures(jm, lang) if nesting.links(jm) else None
    if jm.map not in set(ws.maps().map_id):
        return MapObjects(submaps=submaps)
    listed = list(ws.comments(jm.map))
    versions = ws.map_versions(jm.map).version.tolist()
    marked = marked_versions((v, ws.map_record(jm.map, v)["yaml"]) for v in versions)

    def compare() -> pd.DataFrame:
        contexts = [ws.context(ws.load_map(jm.map, marked[s]), lang) for s in MAP_STATES]
        return state_comparison(*contexts)

    return MapObjects(
        submaps=submaps,
        comments=dict(Counter(c.element for c in listed)),
        comment_list=listed,
        marked=marked,
        compare=compare if all(s in marked for s in MAP_STATES) else None,
    )


def comments_html(jm: JourneyMap, listed: list[Comment], lang: str) -> str:
    """The comments as a table (element, author, day, text; oldest first), every text
    escaped; a line saying there are none, and where to write one, when there are none."""
    from parcours.store.comments import elements

    if not listed:
        return f"<p class='explain'>{_esc(t('report.no_comments', lang, map=jm.map))}</p>"
    titles = elements(jm, lang)
    head = "".join(
        f"<th>{_esc(t(k, lang))}</th>" for k in ("col.element", "col.author", "col.date",
                                                  "col.comment")
    )  # fmt: skip
    rows = "".join(
        f"<tr><td>{_esc(titles.get(c.element, c.element))}</td><td>{_esc(c.author)}</td>"
        f"<td>{_esc(date(c.created_at, lang))}</td><td class='comment'>{_esc(c.text)}</td></tr>"
        for c in sorted(listed, key=lambda c: c.created_at)
    )
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def ranked_opportunities(ctx: Context, frictions: Result | Exception | None) -> pd.DataFrame:
    """The map's opportunities ranked from the frictions result (touchpoint level) and the
    conversions' mean revenue in ``ctx``; in the file's order, unranked figures, when the
    frictions analysis failed."""
    from parcours.analyses.frictions import FrictionsResult

    if not isinstance(frictions, FrictionsResult):
        return rank(ctx.map, pd.DataFrame({"id": [], "score": []}), None, lang=ctx.language).assign(
            journeys_lost=None, at_stake=None, value=None
        )
    level = str(frictions.params.get("level", "touchpoint"))
    value = conversion_value(ctx.journeys)
    return rank(ctx.map, frictions.table, value, level, ctx.language)


def value_words(value: float | None, lang: str, currency: str | None = None) -> str:
    """What one conversion is worth, in words, for the opportunities' explanation."""
    if value is None or pd.isna(value):
        return t("opportunities.value_none", lang)
    return t("opportunities.value_revenue", lang, value=money(value, lang, currency, 2))


def opportunity_notes(
    jm: JourneyMap, ranked: pd.DataFrame | None, stage_id: str, lang: str
) -> list[tuple[str, str]]:
    """``(line, tooltip)`` for each opportunity drawn under ``stage_id`` (one without a
    stage goes under the first), in rank order."""
    first = jm.stages[0].id
    rows: list[dict[str, Any]]
    if ranked is None or ranked.empty:
        rows = [
            {
                "rank": None,
                "id": o.id,
                "title": text_of(o.title, lang),
                "stage": stage_of(o, jm),
                "status": o.status,
                "owner": o.owner,
                "frictions": [],
                "journeys_lost": None,
                "at_stake": None,
                "effect": text_of(o.effect, lang) if o.effect else None,
            }
            for o in opportunities_of(jm)
        ]
    else:
        rows = ranked.to_dict(orient="records")
    notes = []
    for row in rows:
        if (row.get("stage") or first) != stage_id:
            continue
        status = t(f"opportunity.{row['status']}", lang)
        rank = f"#{row['rank']} " if row.get("rank") is not None else ""
        stake = row.get("at_stake")
        line = f"+ {rank}{row['title']} ({status})"
        details = [f"{rank}{row['title']}", status]
        if row.get("owner"):
            details.append(labelled(t("col.owner", lang), row["owner"], lang))
        if row.get("frictions"):
            titles = {x.id: text_of(x.title, lang) for x in jm.touchpoints}
            titles |= {x.id: text_of(x.title, lang) for x in jm.stages}
            named = ", ".join(titles.get(str(k)) or str(k) for k in row["frictions"])
            details.append(labelled(t("col.frictions", lang), named, lang))
        if stake is not None and not pd.isna(stake):
            lost = number(row["journeys_lost"], lang)  # whole journeys
            details.append(labelled(t("col.journeys_lost", lang), lost, lang))
            details.append(labelled(t("col.at_stake", lang), money(stake, lang, jm.currency), lang))
        if row.get("effect"):
            details.append(labelled(t("col.effect", lang), row["effect"], lang))
        notes.append((line, " · ".join(details)))
    return notes


def _figures_of(submaps: pd.DataFrame | None, kind: str, element: str) -> dict[str, Any] | None:
    if submaps is None or submaps.empty:
        return None
    rows = submaps[(submaps.kind == kind) & (submaps.element == element)]
    return None if rows.empty else rows.iloc[0].to_dict()


def submap_text(
    jm: JourneyMap, kind: str, element: str, submaps: pd.DataFrame | None, lang: str
) -> str | None:
    """ "Sub-journey: <title> — 120 of the 300 persons enter it, 80 convert in it" (the
    figures when measured); None when the element opens no sub-map."""
    item = jm.stage(element) if kind == "stage" else jm.touchpoint(element)
    if item.submap is None:
        return None
    figures = _figures_of(submaps, kind, element)
    title = figures["submap_title"] if figures else (item.submap.map or item.submap.file)
    text = f"{t('drawing.submap', lang)}{' :' if lang == 'fr' else ':'} {title}"
    if figures:
        rate = figures.get("sub_conversion")
        converted = number(figures["sub_converted"], lang)
        if rate is not None and not pd.isna(rate):
            converted += f" ({pct(rate, lang)})"
        text += " — " + t(
            "drawing.submap_figures",
            lang,
            sub=number(figures["sub_persons"], lang),
            persons=number(figures["persons"], lang),
            converted=converted,
        )
    return text


def submap_mark(
    jm: JourneyMap,
    kind: str,
    element: str,
    x: float,
    y: float,
    submaps: pd.DataFrame | None,
    link: Callable[[str], str] | None,
    lang: str,
    colour: str = LINK_COLOUR,
) -> str:
    """The "↳ <sub-map>" mark at ``(x, y)`` (text baseline), a link when ``link`` gives
    the sub-map's address; empty when the element opens no sub-map."""
    text = submap_text(jm, kind, element, submaps, lang)
    if text is None:
        return ""
    item = jm.stage(element) if kind == "stage" else jm.touchpoint(element)
    target = item.submap
    assert target is not None  # submap_text said it exists
    label = target.map or target.file or ""
    figures = _figures_of(submaps, kind, element)
    name = str(figures["submap_title"]) if figures else label  # its title once measured
    shown = name if len(name) <= 24 else name[:23] + "…"
    mark = (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" font-weight="bold" fill="{colour}" '
        f'font-family="{FONT}" text-decoration="underline"><title>{_esc(text)}</title>'
        f"↳ {_esc(shown)}</text>"
    )
    if link is not None and target.map is not None:
        mark = f'<a class="submap" href="{_esc(link(target.map))}" target="_top">{mark}</a>'
    return f'<g class="submap-link" data-map="{_esc(label)}">{mark}</g>'


def comment_mark(count: int, x: float, y: float, lang: str) -> str:
    """A bubble with the number of comments on an element; empty when there are none."""
    if count <= 0:
        return ""
    words = t("drawing.comments", lang)
    return (
        f'<g class="comments"><title>{count} {_esc(words)}</title>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="18" height="13" rx="4" fill="#6c5ce7"/>'
        f'<path d="M{x + 4:.1f} {y + 13:.1f} l0 4 l4 -4 z" fill="#6c5ce7"/>'
        f'<text x="{x + 9:.1f}" y="{y + 10:.1f}" font-size="9" font-weight="bold" fill="#fff" '
        f'text-anchor="middle" font-family="{FONT}">{count}</text></g>'
    )
