"""The emotion band of the canvas: the designed curve (dashed) and the measured one (solid)
across the stages, on the map's scale from −2 to +2 (:mod:`parcours.maps.experience`).

For a persona (the canvas drawn ``--persona ropo``), both curves are that persona's: the
emotion the map designed for them (their own score where the map gives one) and the one
their own feedback measures. Without one, the general designed curve and the measured curve
of everyone's feedback.
"""

from __future__ import annotations

import pandas as pd

from parcours.maps import JourneyMap
from parcours.maps.experience import HIGHEST, LOWEST, designed_emotion
from parcours.render._svg import COL_W, GAP, GUTTER, _text
from parcours.render.i18n import labelled, signed

BAND_H = 140
DESIGNED_COLOUR, MEASURED_COLOUR = "#8a8f98", "#2e86de"


def emotion_band(
    jm: JourneyMap,
    emotion: pd.DataFrame | None,
    y: float,
    width: int,
    words: dict[str, str],
    persona: str | None = None,
    lang: str | None = None,
) -> str:
    """The band from ``y`` (its height is :data:`BAND_H`). ``emotion``: per ``stage``, a
    ``measured`` value on −2..+2 (and a ``designed`` one, used when the map designs none)."""
    parts = [
        f'<rect x="0" y="{y}" width="{width}" height="{BAND_H}" fill="#fbfbfd"/>',
        _text(GAP, y + BAND_H / 2, [words["emotion"]], 12, "bold", "#243b55"),
    ]
    top, bottom = y + 22, y + BAND_H - 14
    mid = (top + bottom) / 2
    half = (bottom - top) / 2

    def ypos(value: float) -> float:
        return mid - max(LOWEST, min(HIGHEST, value)) / HIGHEST * half

    for level in range(LOWEST, HIGHEST + 1):  # the scale: −2 … +2, 0 dotted
        ly = ypos(level)
        dash = "2 3" if level == 0 else "1 4"
        parts.append(
            f'<line x1="{GUTTER - 18}" y1="{ly:.1f}" x2="{width - GAP}" y2="{ly:.1f}" '
            f'stroke="#d5d9e0" stroke-dasharray="{dash}"/>'
        )
        parts.append(
            _text(GUTTER - 6, ly + 3, [f"{level:+d}".replace("-", "−") if level else "0"], 8.5,
                  colour="#8a8f98", anchor="end")
        )  # fmt: skip
    designed = designed_emotion(jm, persona)
    measured: dict[str, float] = {}
    if emotion is not None and len(emotion):
        frame = emotion.set_index("stage")
        if "measured" in frame:
            measured = {k: float(v) for k, v in frame["measured"].dropna().items()}
        if "designed" in frame and not designed:
            designed = {k: float(v) for k, v in frame["designed"].dropna().items()}
    for series, values, dash, colour in (
        ("designed", designed, "6 4", DESIGNED_COLOUR),
        ("measured", measured, "", MEASURED_COLOUR),
    ):
        points = [
            (GUTTER + i * COL_W + COL_W / 2, ypos(values[s.id]), values[s.id])
            for i, s in enumerate(jm.stages)
            if s.id in values
        ]
        if not points:
            continue
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{px:.1f} {py:.1f}" for i, (px, py, _) in enumerate(points)
        )
        parts.append(
            f'<path class="emotion-{series}" d="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="2.5" stroke-dasharray="{dash}"/>'
        )
        for px, py, value in points:
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4.5" fill="{colour}">'
                f"<title>{labelled(words[series], signed(value, lang, 1), lang)}</title></circle>"
            )
    legend_x = width - 230
    parts.append(
        f'<line x1="{legend_x}" y1="{y + 12}" x2="{legend_x + 24}" y2="{y + 12}" '
        f'stroke="{DESIGNED_COLOUR}" stroke-width="2.5" stroke-dasharray="6 4"/>'
    )
    parts.append(_text(legend_x + 30, y + 16, [words["designed"]], 10, colour="#39414d"))
    parts.append(
        f'<line x1="{legend_x + 110}" y1="{y + 12}" x2="{legend_x + 134}" y2="{y + 12}" '
        f'stroke="{MEASURED_COLOUR}" stroke-width="2.5"/>'
    )
    parts.append(_text(legend_x + 140, y + 16, [words["measured"]], 10, colour="#39414d"))
    return "".join(parts)
