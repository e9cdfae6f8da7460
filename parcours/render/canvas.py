"""The journey map canvas: the map as drawn, with the journey as lived written on it.

    stage columns  →   Découverte        Considération       Décision
    persona header     Claire, 27 ans — goals
    lane per channel   [card: touchpoint, reach, conversion, exit rate, goal met/missed, ⚠]
    emotion curve      designed (dashed) and measured (solid), −1 … +1
    frictions / opportunities per stage

No charting library draws journey maps, so this one is laid out here, as SVG: columns and
lanes are sized from their content (cards stack inside a cell, long text wraps and is cut
with an ellipsis, the full text in a tooltip), so 2 to 8 stages and 1 to 40 touchpoints fit
without overlapping text. ``Canvas.save`` writes SVG, standalone HTML, PNG or PDF (CairoSVG).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from parcours.errors import InputError
from parcours.maps import ANY_CHANNEL, JourneyMap, text_of
from parcours.maps.experience import emotion_score
from parcours.render._svg import CARD_H, CARD_W, COL_W, FONT, GAP, GUTTER, _esc, _text, wrap
from parcours.render.i18n import LANGS, STRINGS, money, number
from parcours.render.i18n import pct as _pct_of
from parcours.render.map_objects import (
    LINK_COLOUR,
    comment_mark,
    opportunity_notes,
    submap_mark,
    submap_text,
)

COLOURS = {
    "met": "#1b7f3b",
    "missed": "#c0392b",
    "none": "#8a8f98",
    "positive": "#1b7f3b",
    "neutral": "#b7950b",
    "negative": "#c0392b",
    "stage": "#243b55",
    "lane": "#f4f6f9",
    "card": "#ffffff",
}
# Its words, from the one i18n table (parcours.render.i18n).
METRIC_WORDS = {
    lang: {k.split(".", 1)[1]: v[lang] for k, v in STRINGS.items() if k.startswith("metric.")}
    for lang in LANGS
}
LABELS = {
    lang: {k.split(".", 1)[1]: v[lang] for k, v in STRINGS.items() if k.startswith("drawing.")}
    for lang in LANGS
}


@dataclass
class Canvas:
    """A rendered canvas: ``svg`` text, with HTML, PNG and PDF exports."""

    svg: str
    width: int
    height: int
    title: str = ""

    def html(self) -> str:
        return (
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>{_esc(self.title)}</title>"
            "<style>body{margin:16px;background:#fff;font-family:sans-serif}</style>"
            f"</head><body>{self.svg}</body></html>"
        )

    def _repr_html_(self) -> str:
        return f'<div style="overflow-x:auto">{self.svg}</div>'

    def save(self, path: str | Path) -> Path:
        """Write the canvas; the format comes from the suffix: .svg, .html, .png or .pdf."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".svg":
            path.write_text(self.svg, encoding="utf-8")
        elif suffix in (".html", ".htm"):
            path.write_text(self.html(), encoding="utf-8")
        elif suffix in (".png", ".pdf"):
            import cairosvg

            convert = cairosvg.svg2png if suffix == ".png" else cairosvg.svg2pdf
            kwargs = {"scale": 2.0} if suffix == ".png" else {}
            convert(bytestring=self.svg.encode("utf-8"), write_to=str(path), **kwargs)
        else:
            raise InputError(f"{path}: unknown format '{suffix}'; allowed: .svg, .html, .png, .pdf")
        return path


@dataclass
class CanvasInput:
    """What the canvas shows besides the map; each part optional.

    kpis: the ``kpis`` result table (id, reach, conversion, exit_rate) and its ``goals``.
    emotion: per stage, ``measured`` and/or ``designed`` values on the −2..+2 scale
    (:mod:`parcours.maps.experience`); with ``persona``, that persona's.
    frictions: per touchpoint or stage id, a plain-language explanation.
    blueprint: the measured backstage items (:func:`parcours.analyses._blueprint.backstage_figures`).
    """

    kpis: pd.DataFrame | None = None
    goals: pd.DataFrame | None = None
    emotion: pd.DataFrame | None = None
    frictions: dict[str, str] = field(default_factory=dict)
    persona: str | None = None
    blueprint: pd.DataFrame | None = None
    # Opportunities ranked (parcours.analyses._opportunities), sub-maps' rolled-up figures
    # (parcours.analyses._nested), a sub-map's address by map id (the dashboard's links),
    # comments per element (kind:id -> count): drawn by parcours.render.map_objects.
    opportunities: pd.DataFrame | None = None
    submaps: pd.DataFrame | None = None
    link: Callable[[str], str] | None = None
    comments: dict[str, int] = field(default_factory=dict)


def journey_canvas(
    jm: JourneyMap, data: CanvasInput | None = None, lang: str | None = None
) -> Canvas:
    """Lay out the canvas of ``jm`` with the measured figures of ``data``."""
    data = data or CanvasInput()
    lang = lang or jm.lang
    words = LABELS.get(lang, LABELS["en"])
    stages = jm.stages
    channels = [c.id for c in jm.channels if any(t.channel == c.id for t in jm.touchpoints)]
    channel_titles = {c.id: text_of(c.title, lang) if c.title else c.id for c in jm.channels}
    if any(t.any_channel for t in jm.touchpoints):  # `channel: any`: one lane, last
        channels.append(ANY_CHANNEL)
        channel_titles[ANY_CHANNEL] = words["any_channel"]
    cells: dict[tuple[str, str], list] = {}
    for tp in jm.touchpoints:
        cells.setdefault((tp.stage, tp.channel), []).append(tp)
    lane_cards = {
        ch: max([len(cells.get((s.id, ch), [])) for s in stages] + [1]) for ch in channels
    }
    kpis = data.kpis.set_index("id") if data.kpis is not None and len(data.kpis) else None
    goals = (
        data.goals
        if data.goals is not None
        else pd.DataFrame(columns=["id", "metric", "target", "value", "met"])
    )

    width = GUTTER + COL_W * len(stages) + GAP
    parts: list[str] = []
    y = 20.0
    title = jm.title_of(lang)
    parts.append(_text(GAP, y + 8, wrap(title, width - 2 * GAP, 20, 1), 20, "bold", tooltip=title))
    y += 30

    persona = next((p for p in jm.personas if p.id == data.persona), None) if data.persona else None
    if persona is not None:
        goals_text = " · ".join(text_of(g, lang) for g in persona.goals)
        desc = text_of(persona.description, lang) if persona.description else ""
        lines = wrap(f"{text_of(persona.title, lang)} — {desc}", width - 2 * GAP, 12, 2)
        goal_lines = wrap(goals_text, width - 2 * GAP, 11, 2) if goals_text else []
        band = 14 + 15 * len(lines) + 14 * len(goal_lines)
        parts.append(
            f'<rect x="{GAP}" y="{y}" width="{width - 2 * GAP}" height="{band}" rx="6" fill="#eef3fb"/>'
        )
        parts.append(_text(GAP + 10, y + 18, lines, 12, "bold", "#243b55"))
        if goal_lines:
            parts.append(
                _text(GAP + 10, y + 18 + 15 * len(lines), goal_lines, 11, colour="#243b55")
            )
        y += band + GAP

    # Stage header row: a title on two lines at most (the row grows for them all).
    stage_titles = [text_of(stage.title, lang) for stage in stages]
    titles = [wrap(title, COL_W - 20, 14, 2) for title in stage_titles]
    title_h = 17.5 * (max(len(lines) for lines in titles) - 1)  # _text's line height at 14
    header_h = 58 + title_h + (14 if any(s.submap for s in stages) else 0)  # "↳ sub-map"
    for i, stage in enumerate(stages):
        x = GUTTER + i * COL_W
        parts.append(
            f'<rect x="{x + 3}" y="{y}" width="{COL_W - 6}" height="{header_h}" rx="6" fill="{COLOURS["stage"]}"/>'
        )
        parts.append(
            _text(x + COL_W / 2, y + 20, titles[i], 14, "bold", "#fff", "middle", stage_titles[i])
        )
        if stage.goal:
            goal = text_of(stage.goal, lang)
            parts.append(
                _text(
                    x + COL_W / 2,
                    y + 38 + title_h,
                    wrap(goal, COL_W - 20, 10, 2),
                    10,
                    colour="#dfe6ee",
                    anchor="middle",
                    tooltip=goal,
                )
            )
        parts.append(
            submap_mark(
                jm,
                "stage",
                stage.id,
                x + 12,
                y + header_h - 6,
                data.submaps,
                data.link,
                lang,
                "#ffd479",
            )
        )
        parts.append(comment_mark(data.comments.get(f"stage:{stage.id}", 0), x + 8, y + 4, lang))
    y += header_h + GAP

    # Lanes: one per channel, cards stacked inside each stage cell.
    for lane_index, channel in enumerate(channels):
        lane_h = lane_cards[channel] * (CARD_H + GAP) + GAP
        fill = COLOURS["lane"] if lane_index % 2 == 0 else "#fafbfc"
        parts.append(f'<rect x="0" y="{y}" width="{width}" height="{lane_h}" fill="{fill}"/>')
        label = channel_titles.get(channel, channel)
        parts.append(
            _text(
                GAP,
                y + lane_h / 2 + 4,
                wrap(label, GUTTER - 2 * GAP, 12, 2),
                12,
                "bold",
                "#243b55",
                tooltip=label,
            )
        )
        for i, stage in enumerate(stages):
            for k, tp in enumerate(cells.get((stage.id, channel), [])):
                cx = GUTTER + i * COL_W + GAP
                cy = y + GAP + k * (CARD_H + GAP)
                friction = data.frictions.get(tp.id)
                parts.append(_card(tp, cx, cy, kpis, goals, friction, words, lang, jm.currency))
                parts.append(
                    submap_mark(
                        jm, "touchpoint", tp.id, cx + 12, cy + 45, data.submaps, data.link, lang
                    )
                )
                count = data.comments.get(f"touchpoint:{tp.id}", 0)
                parts.append(comment_mark(count, cx + CARD_W - 44, cy + 4, lang))
        y += lane_h

    # Service blueprint lanes, under the line of visibility (parcours.maps.blueprint).
    from parcours.render._blueprint_canvas import blueprint_band
    from parcours.render._experience_canvas import BAND_H, emotion_band

    blueprint_parts, blueprint_h = blueprint_band(jm, data.blueprint, y, width, lang)
    parts.extend(blueprint_parts)
    y += blueprint_h

    # Emotion curve across stages (designed and measured, −2..+2).
    parts.append(emotion_band(jm, data.emotion, y + GAP, width, words, data.persona, lang))
    y += BAND_H + GAP

    # Frictions and opportunities per stage.
    band_parts, band_h = _notes_band(jm, data.frictions, y, words, lang, data)
    parts.extend(band_parts)
    y += band_h + GAP

    height = int(math.ceil(y + GAP))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}">'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>' + "".join(parts) + "</svg>"
    )
    return Canvas(svg=svg, width=width, height=height, title=title)


def _emotion_colour(emotion: int | str | None) -> str:
    """A designed emotion's colour: green above neutral, amber at 0, red below."""
    score = emotion_score(emotion)
    if score is None:
        return "#d0d4da"
    return COLOURS["positive" if score > 0 else "negative" if score < 0 else "neutral"]


def _card(
    tp,
    x: float,
    y: float,
    kpis,
    goals: pd.DataFrame,
    friction: str | None,
    words: dict,
    lang: str,
    currency: str | None = None,
) -> str:
    mine = goals[goals.id == tp.id] if len(goals) else goals
    measured = mine[mine.met.notna()] if len(mine) else mine
    status = "none"
    if len(measured):
        status = "met" if all(bool(m) for m in measured.met) else "missed"
    border = COLOURS[status]
    title = text_of(tp.title, lang) if tp.title else tp.id
    out = [
        f'<g class="touchpoint" data-id="{_esc(tp.id)}">',
        f'<rect x="{x}" y="{y}" width="{CARD_W}" height="{CARD_H}" rx="6" fill="{COLOURS["card"]}" '
        f'stroke="{border}" stroke-width="{2.2 if status != "none" else 1}"/>',
        f'<rect x="{x}" y="{y}" width="5" height="{CARD_H}" rx="2" fill="{_emotion_colour(tp.emotion)}"/>',
        _text(x + 12, y + 17, wrap(title, CARD_W - 40, 12, 2), 12, "bold", tooltip=title),
    ]
    if kpis is not None and tp.id in kpis.index:
        row = kpis.loc[tp.id]
        figures = f"{words['reach']} {_pct_of(row.get('reach'), lang)} · {words['conversion']} {_pct_of(row.get('conversion'), lang)}"
        out.append(_text(x + 12, y + 56, [figures], 10, colour="#39414d"))
        out.append(
            _text(
                x + 12,
                y + 70,
                [f"{words['exit_rate']} {_pct_of(row.get('exit_rate'), lang)}"],
                10,
                colour="#39414d",
            )
        )
    if len(mine):
        goal = mine.iloc[0]
        target = goal.target
        if target is None or pd.isna(target):
            shown = ""
        elif goal.metric == "revenue":  # an amount, in the map's currency
            shown = money(target, lang, currency)
        else:
            shown = _pct_of(target, lang) if abs(float(target)) <= 1 else number(target, lang, 1)
        mark = {"met": "✓", "missed": "✗", "none": "·"}[status if pd.notna(goal.met) else "none"]
        metric = METRIC_WORDS.get(lang, {}).get(goal.metric, goal.metric.replace("_", " "))
        line = f"{mark} {words['goal']} {metric} {shown}".strip()
        colour = COLOURS[status if pd.notna(goal.met) else "none"]
        out.append(
            _text(x + 12, y + 86, wrap(line, CARD_W - 20, 10, 1), 10, "bold", colour, tooltip=line)
        )
    if friction or tp.frictions:
        explanation = friction or "; ".join(text_of(f, lang) for f in tp.frictions)
        colour = COLOURS["missed"] if friction else "#e67e22"
        tx, ty = x + CARD_W - 20, y + 8
        out.append(
            f'<g class="friction"><title>{_esc(explanation)}</title>'
            f'<path d="M{tx} {ty + 14} L{tx + 8} {ty} L{tx + 16} {ty + 14} Z" fill="{colour}"/>'
            f'<text x="{tx + 8}" y="{ty + 12.5}" font-size="10" font-weight="bold" fill="#fff" '
            f'text-anchor="middle" font-family="{FONT}">!</text></g>'
        )
    out.append("</g>")
    return "".join(out)


def _notes_band(
    jm: JourneyMap,
    frictions: dict[str, str],
    y: float,
    words: dict,
    lang: str,
    data: CanvasInput | None = None,
) -> tuple[list[str], float]:
    data = data or CanvasInput()
    parts: list[str] = []
    heights = []
    for i, stage in enumerate(jm.stages):
        x = GUTTER + i * COL_W + GAP
        lines: list[tuple[str, str, str]] = []  # (text, colour, tooltip)
        declared = [text_of(f, lang) for t in jm.touchpoints_of(stage.id) for f in t.frictions]
        measured = [
            frictions[k]
            for k in [stage.id, *(t.id for t in jm.touchpoints_of(stage.id))]
            if k in frictions
        ]
        for text in measured:
            lines += [(line, COLOURS["missed"], text) for line in wrap("⚠ " + text, CARD_W, 10, 3)]
        for text in declared:
            lines += [(line, "#b9770e", text) for line in wrap("! " + text, CARD_W, 10, 2)]
        nested = submap_text(jm, "stage", stage.id, data.submaps, lang)
        if nested:
            lines += [(line, LINK_COLOUR, nested) for line in wrap("↳ " + nested, CARD_W, 10, 3)]
        for text, tooltip in opportunity_notes(jm, data.opportunities, stage.id, lang)[:4]:
            lines += [(line, COLOURS["met"], tooltip) for line in wrap(text, CARD_W, 10, 2)]
        for k, (line, colour, tooltip) in enumerate(lines[:14]):
            parts.append(_text(x, y + 30 + k * 13, [line], 10, colour=colour, tooltip=tooltip))
        heights.append(30 + 13 * min(len(lines), 14))
    band_h = max(heights + [40]) + 8  # room under the last line
    header = _text(GAP, y + 14, [words["frictions"]], 11, "bold", COLOURS["missed"])
    header2 = _text(GAP, y + 28, [words["opportunities"]], 11, "bold", COLOURS["met"])
    return [
        f'<line x1="0" y1="{y}" x2="{GUTTER + COL_W * len(jm.stages)}" y2="{y}" stroke="#e3e6eb"/>',
        header,
        header2,
        *parts,
    ], band_h
