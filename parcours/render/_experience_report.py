"""The service blueprint and the experience in the report (and the dashboard's experience page).

* :func:`add_experience` puts on a canvas input the measured backstage items and, for a
  persona, that persona's measured emotion curve;
* :func:`blueprint_html`: the measured backstage items as a table;
* :func:`experience_html`: designed and measured emotion per stage, for everyone and each
  persona, as a table and a chart;
* :func:`states_html`: an as-is and a to-be version side by side, with their figures.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup

from parcours.analyses._blueprint import backstage_figures
from parcours.analyses._experience import EVERYONE, persona_curves
from parcours.analyses.base import Context
from parcours.maps import JourneyMap, text_of
from parcours.remote import in_context
from parcours.render.canvas import CanvasInput
from parcours.render.i18n import duration, number, pct, t

PALETTE = ("#2e86de", "#e67e22", "#8e44ad", "#16a085", "#c0392b", "#7f8c8d", "#d4ac0d")


def add_experience(ctx: Context, data: CanvasInput, persona: str | None = None) -> CanvasInput:
    """``data`` with the measured backstage items and, for ``persona``, their own measured
    emotion curve; a part that cannot be measured is left as it was, as the canvas leaves
    out an analysis that fails (the report's section says why)."""
    try:
        data.blueprint = in_context(ctx, backstage_figures)
    except Exception:  # noqa: BLE001 - the canvas draws the lanes without figures
        data.blueprint = None
    if persona is not None and ctx.feedback is not None and ctx.identities is not None:
        try:
            curves = persona_curves_of(ctx, persona)
        except Exception:  # noqa: BLE001 - the canvas keeps everyone's measured curve
            return data
        data.emotion = curves[["stage", "measured", "designed"]]
    return data


def persona_curves_of(ctx: Context, persona: str) -> pd.DataFrame:
    """One persona's curve (a map with only that persona, so that voice runs once for it)."""
    only = ctx.map.model_copy(update={"personas": [p for p in ctx.map.personas if p.id == persona]})
    ctx = dataclasses.replace(ctx, map=only)
    curves = in_context(ctx, persona_curves, everyone=pd.DataFrame(columns=["stage"]))
    return curves[curves.persona == persona].reset_index(drop=True)


def _score(value: object, lang: str) -> str:
    """An emotion on the −2..+2 scale, signed, one decimal, in the reader's way (−0,4 in fr)."""
    if value is None or pd.isna(value):
        return "–"
    text = f"{float(value):+.1f}".replace("-", "−")  # type: ignore[arg-type]
    return text.replace(".", ",") if lang == "fr" else text


def _table(head: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> Markup:
    numeric = numeric or set()

    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    header = "".join(f"<th{cls(i)}>{html.escape(h)}</th>" for i, h in enumerate(head))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{html.escape(c)}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return Markup(
        f'<table class="data"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'
    )


def blueprint_html(ctx: Context, lang: str) -> list[Markup]:
    """The measured backstage items (stage, item, events, persons, journeys, median duration);
    LookupError when the map has no blueprint (the canvas draws every lane)."""
    jm = ctx.map
    if not any(s.blueprint for s in jm.stages):
        raise LookupError(t("blueprint.none", lang))
    figures = in_context(ctx, backstage_figures)  # in the server holding the workspace, if any
    stage_titles = {s.id: text_of(s.title, lang) for s in jm.stages}
    rows = [
        [
            stage_titles[r.stage],
            str(r.title),
            number(r.events, lang),
            number(r.persons, lang),
            number(r.journeys, lang),
            "–" if pd.isna(r.median_duration_s) else duration(r.median_duration_s, lang),
        ]
        for r in figures.itertuples(index=False)
    ]
    blocks = []
    if rows:
        head = ["col.stage", "col.item", "col.events", "col.persons", "col.journeys"]
        blocks.append(
            _table([t(h, lang) for h in [*head, "col.median_duration"]], rows, {2, 3, 4, 5})
        )
    return blocks


def experience_html(
    ctx: Context,
    lang: str,
    everyone: pd.DataFrame | None,
    figure_html: Callable[[go.Figure], Markup],
) -> list[Markup]:
    """Designed and measured emotion per stage, for everyone and per persona: a table (one
    column per group) and a chart (designed dashed, measured solid, one colour per group)."""
    jm = ctx.map
    curves = in_context(ctx, persona_curves, everyone=everyone)
    groups = [EVERYONE, *(p.id for p in jm.personas)]
    names = {EVERYONE: t("experience.everyone", lang)} | {
        p.id: text_of(p.title, lang) for p in jm.personas
    }
    head = [t("col.stage", lang), *(names[g] for g in groups)]
    rows = []
    for stage in jm.stages:
        row = [text_of(stage.title, lang)]
        for group in groups:
            found = curves[(curves.persona == group) & (curves.stage == stage.id)]
            cell = found.iloc[0]
            text = t("experience.cell", lang, designed=_score(cell.designed, lang),
                     measured=_score(cell.measured, lang))  # fmt: skip
            if cell.basis == "sentiment":
                text += f" ({t('experience.sentiment', lang)})"
            elif cell.answers:
                word = "experience.answer" if cell.answers == 1 else "experience.answers"
                text += f" ({t(word, lang, n=number(cell.answers, lang))})"
            row.append(text)
        rows.append(row)
    blocks = [_table(head, rows), figure_html(_curves_figure(jm, curves, groups, names, lang))]
    if ctx.feedback is not None and ctx.identities is None and jm.personas:
        blocks.append(Markup(f"<p class='explain'>{t('experience.no_identities', lang)}</p>"))
    return blocks


def _curves_figure(
    jm: JourneyMap, curves: pd.DataFrame, groups: list[str], names: dict[str, str], lang: str
) -> go.Figure:
    fig = go.Figure()
    x = [text_of(s.title, lang) for s in jm.stages]
    for n, group in enumerate(groups):
        mine = curves[curves.persona == group].set_index("stage").reindex(jm.stage_ids)
        colour = PALETTE[n % len(PALETTE)]
        fig.add_scatter(
            x=x, y=mine.designed, mode="lines+markers", connectgaps=True, legendgroup=group,
            name=f"{names[group]} — {t('emotion.designed', lang)}",
            line={"dash": "dash", "color": colour, "width": 1.8},
        )  # fmt: skip
        if mine.measured.notna().any():
            fig.add_scatter(
                x=x, y=mine.measured, mode="lines+markers", connectgaps=True, legendgroup=group,
                name=f"{names[group]} — {t('emotion.measured', lang)}",
                line={"color": colour, "width": 3}, marker={"size": 8},
            )  # fmt: skip
    fig.add_hline(y=0, line={"color": "#d5d9e0", "dash": "dot"})
    fig.update_yaxes(range=[-2.2, 2.2], title=t("emotion.axis", lang), dtick=1)
    fig.update_layout(
        height=380, margin={"l": 60, "r": 20, "t": 20, "b": 60}, plot_bgcolor="#fff",
        legend={"orientation": "h", "y": -0.2}, font={"family": "DejaVu Sans, Arial"},
    )  # fmt: skip
    return fig


def states_html(frame: pd.DataFrame, versions: dict[str, int], lang: str) -> Markup:
    """The as-is and to-be versions side by side (:func:`parcours.analyses._experience.
    state_comparison`): per stage, each figure for both versions."""
    as_is, to_be = t("state.as-is", lang), t("state.to-be", lang)
    figures: list[tuple[str, str, Callable[[object], str]]] = [
        ("designed", "states.designed", lambda v: _score(v, lang)),
        ("measured", "states.measured", lambda v: _score(v, lang)),
        ("touchpoints", "states.touchpoints", lambda v: "–" if pd.isna(v) else number(v, lang)),
        ("reach", "col.reach", lambda v: pct(v, lang)),
        ("conversion", "col.conversion", lambda v: pct(v, lang)),
        ("exit_rate", "col.exit_rate", lambda v: pct(v, lang)),
    ]
    head = [t("col.stage", lang)] + [f"{t(key, lang)} ({as_is} → {to_be})" for _, key, _ in figures]
    rows = []
    for r in frame.itertuples(index=False):
        row = [str(r.title)]
        for name, _, show in figures:
            sides = [
                show(getattr(r, f"{side}_{name}")) if present else t("states.absent", lang)
                for side, present in (("as_is", r.in_as_is), ("to_be", r.in_to_be))
            ]
            row.append(" → ".join(sides))
        rows.append(row)
    title = " · ".join(
        t("states.version", lang, state=t(f"state.{s}", lang), version=v)
        for s, v in versions.items()
    )
    return Markup(f"<p class='explain'>{html.escape(title)}</p>") + _table(
        head, rows, set(range(1, len(head)))
    )
