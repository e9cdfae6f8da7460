"""The canvas' drawing primitives: its grid and how text is set in SVG. Kept apart from
:mod:`parcours.render.canvas` so that the bands drawn by other modules (blueprint, experience)
use them without importing the canvas that places them."""

from __future__ import annotations

import html

CARD_W, CARD_H, GAP = 196, 96, 10
GUTTER = 150  # lane labels
COL_W = CARD_W + 2 * GAP
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def wrap(text: str, width_px: float, size: float, max_lines: int) -> list[str]:
    """Words into lines that fit ``width_px`` at font ``size``; the last line ends in … when cut."""
    per_line = max(4, int(width_px / (size * 0.58)))
    lines: list[str] = []
    current = ""
    for word in str(text).split():
        while len(word) > per_line:  # a word longer than a line is split
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: per_line - 1] + "-")
            word = word[per_line - 1 :]
        candidate = f"{current} {word}".strip()
        if len(candidate) <= per_line:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: per_line - 1].rstrip() + "…"
    return lines or [""]


def _text(
    x: float,
    y: float,
    lines: list[str],
    size: float,
    weight: str = "normal",
    colour: str = "#1d2330",
    anchor: str = "start",
    tooltip: str | None = None,
) -> str:
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else size * 1.25:.1f}">{_esc(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    title = f"<title>{_esc(tooltip)}</title>" if tooltip else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" fill="{colour}" '
        f'text-anchor="{anchor}" font-family="{FONT}">{title}{spans}</text>'
    )
