"""The service blueprint band of the canvas, under the touchpoint lanes.

    Physical evidence       [Accusé de réception]
    Customer actions        [Remplit le formulaire]
    ─ ─ line of interaction ─ ─
    Frontstage              [Conseiller au téléphone]
    ━━━ line of visibility ━━━   (the customer sees nothing below)
    Backstage               [Validation du dossier · 5,499 events · 3,254 persons · median 2 d]
    ─ ─ line of internal interaction ─ ─
    Support processes       [Scoring crédit]

Only the lanes some stage fills are drawn; a line is drawn between two drawn lanes it
separates. A measured backstage item shows its figures (:mod:`parcours.analyses._blueprint`).
"""

from __future__ import annotations

import pandas as pd

from parcours.maps import JourneyMap, text_of
from parcours.maps.blueprint import blueprint_lanes
from parcours.render._svg import CARD_W, COL_W, FONT, GAP, GUTTER, _esc, _text, wrap
from parcours.render.i18n import duration, number, t

ITEM_H, MEASURED_H = 42, 58
# lane -> (fill of its items, border); backstage items in the staff's blue-grey
STYLE = {
    "evidence": ("#fdf6e3", "#d9c89a"),
    "customer": ("#eef6ee", "#9cc29e"),
    "frontstage": ("#eef3fb", "#98b3d8"),
    "backstage": ("#f1f1f4", "#9aa0ad"),
    "support": ("#f7f3fa", "#b9a6c9"),
}
# the line drawn on top of a lane, and which lanes must be drawn above it for it to separate
LINES = {
    "frontstage": ("interaction", ("evidence", "customer")),
    "backstage": ("visibility", ("evidence", "customer", "frontstage")),
    "support": ("internal", ("evidence", "customer", "frontstage", "backstage")),
}
LINE_STYLE = {
    "interaction": ("#9aa0ad", "4 3", 1.2),
    "visibility": ("#c0392b", "8 4", 2.0),
    "internal": ("#7d6b8f", "4 3", 1.2),
}


def _figures_line(row: pd.Series, lang: str) -> str:
    parts = [
        t("blueprint.events", lang, n=number(row["events"], lang)),
        t("blueprint.persons", lang, n=number(row["persons"], lang)),
    ]
    if pd.notna(row["median_duration_s"]):
        parts.append(t("blueprint.median", lang, duration=duration(row["median_duration_s"], lang)))
    return " · ".join(parts)


def _item(x: float, y: float, lane: str, title: str, figures: str | None) -> str:
    fill, border = STYLE[lane]
    height = MEASURED_H if figures is not None else ITEM_H
    out = [
        f'<g class="blueprint-item" data-lane="{lane}">',
        f'<rect x="{x}" y="{y}" width="{CARD_W}" height="{height - 4}" rx="4" fill="{fill}" '
        f'stroke="{border}"/>',
        _text(x + 8, y + 15, wrap(title, CARD_W - 16, 10.5, 1 if figures else 2), 10.5, "bold",
              tooltip=title),
    ]  # fmt: skip
    if figures is not None:
        out.append(_text(x + 8, y + 30, wrap(figures, CARD_W - 16, 9.5, 2), 9.5, colour="#39414d"))
    out.append("</g>")
    return "".join(out)


def blueprint_band(
    jm: JourneyMap, figures: pd.DataFrame | None, y: float, width: int, lang: str
) -> tuple[list[str], float]:
    """The band's SVG parts from ``y`` down, and its height (0 when no stage has a blueprint)."""
    lanes = blueprint_lanes(jm)
    if not lanes:
        return [], 0.0
    measured = figures.set_index("id") if figures is not None and len(figures) else None
    parts: list[str] = []
    top = y
    for index, lane in enumerate(lanes):
        line = LINES.get(lane)
        if line is not None and any(above in lanes[:index] for above in line[1]):
            colour, dash, stroke = LINE_STYLE[line[0]]
            parts.append(
                f'<line class="line-{line[0]}" x1="0" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" '
                f'stroke="{colour}" stroke-width="{stroke}" stroke-dasharray="{dash}"/>'
            )
            parts.append(
                f'<text x="{width - GAP}" y="{y - 3:.1f}" font-size="9.5" font-style="italic" '
                f'fill="{colour}" text-anchor="end" font-family="{FONT}">'
                f"{_esc(t(f'blueprint.line_{line[0]}', lang))}</text>"
            )
        heights = []
        for stage in jm.stages:
            items = stage.blueprint.lane(lane) if stage.blueprint else []
            heights.append(
                sum(
                    MEASURED_H if item.id is not None and measured is not None
                    and item.id in measured.index else ITEM_H
                    for item in items
                )
            )  # fmt: skip
        lane_h = max(heights + [ITEM_H]) + 2 * GAP
        parts.append(
            f'<rect class="blueprint-lane" data-lane="{lane}" x="0" y="{y + 1:.1f}" '
            f'width="{width}" height="{lane_h - 2:.1f}" fill="#fcfcfd"/>'
        )
        label = t(f"blueprint.lane_{lane}", lang)
        parts.append(
            _text(GAP, y + lane_h / 2 + 4, wrap(label, GUTTER - 2 * GAP, 11, 2), 11, "bold",
                  "#243b55", tooltip=label)
        )  # fmt: skip
        for i, stage in enumerate(jm.stages):
            cy = y + GAP
            for item in stage.blueprint.lane(lane) if stage.blueprint else []:
                row = (
                    measured.loc[item.id]
                    if item.id is not None and measured is not None and item.id in measured.index
                    else None
                )
                text = _figures_line(row, lang) if row is not None else None
                title = text_of(item.title, lang)
                parts.append(_item(GUTTER + i * COL_W + GAP, cy, lane, title, text))
                cy += MEASURED_H if text is not None else ITEM_H
        y += lane_h
    header = [
        f'<line x1="0" y1="{top:.1f}" x2="{width}" y2="{top:.1f}" stroke="#243b55" '
        'stroke-width="1.5"/>',
        _text(GAP, top + 12, [t("blueprint.title", lang)], 9.5, "bold", "#8a8f98"),
    ]
    return header + parts, y - top
