"""The experience measured beside the one designed: per persona, and as-is against to-be.

* :func:`persona_curves`: for each persona of the map, per stage, the emotion the map designed
  for them (:func:`parcours.maps.experience.designed_emotion`) and the one their own feedback
  measures, through the voice analysis run on their persons (scores, else sentiment: see
  :mod:`parcours.analyses.voice`), on the −2..+2 scale. Feedback carries identifiers, not
  persons: it is put on persons through the identities; without them, no persona's
  measured curve can be told apart and only the designed ones are given.
* :func:`state_comparison`: two versions of a map (as-is and to-be) measured on the same
  data, stage by stage: designed and measured emotion, touchpoints, reach, conversion and
  exit rate (the kpis analysis at stage level on each version).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parcours.analyses._split import filtered
from parcours.analyses.base import Context
from parcours.maps.experience import designed_emotion
from parcours.maps.model import text_of

EVERYONE = ""  # the persona column's value for the curve of all feedback
CURVE_COLUMNS = ("persona", "stage", "title", "designed", "measured", "basis", "answers")
STATE_FIGURES = ("designed", "measured", "touchpoints", "reach", "conversion", "exit_rate")


def _voice_curve(ctx: Context) -> pd.DataFrame:
    from parcours.analyses.voice import voice  # SciPy and the sentiment lexicons load here

    return voice(ctx, level="stage", themes=1, top=1).emotion_curve


def _rows(ctx: Context, persona: str, curve: pd.DataFrame | None) -> list[dict]:
    designed = designed_emotion(ctx.map, persona or None)
    measured = curve.set_index("stage") if curve is not None else None
    rows = []
    for stage in ctx.map.stages:
        row = (
            measured.loc[stage.id] if measured is not None and stage.id in measured.index else None
        )
        rows.append(
            {
                "persona": persona,
                "stage": stage.id,
                "title": text_of(stage.title, ctx.language),
                "designed": designed.get(stage.id, np.nan),
                "measured": float(row["measured"]) if row is not None else np.nan,
                "basis": row["basis"] if row is not None else None,
                "answers": int(row["answers"]) if row is not None else 0,
            }
        )
    return rows


def persona_curves(ctx: Context, everyone: pd.DataFrame | None = None) -> pd.DataFrame:
    """Designed and measured emotion per persona and stage (``persona`` "" for everyone);
    ``everyone``: the voice analysis' emotion curve when already computed."""
    rows: list[dict] = []
    has_feedback = ctx.feedback is not None
    if everyone is None and has_feedback:
        everyone = _voice_curve(ctx)
    rows += _rows(ctx, EVERYONE, everyone)
    placed = has_feedback and ctx.identities is not None
    for persona in ctx.map.personas:
        curve = _voice_curve(filtered(ctx, "persona", persona.id)) if placed else None
        rows += _rows(ctx, persona.id, curve)
    return pd.DataFrame(rows, columns=list(CURVE_COLUMNS))


def _measured_state(ctx: Context) -> pd.DataFrame:
    from parcours.analyses.kpis import kpis

    stages = kpis(ctx, level="stage").table.set_index("id")
    curve = _voice_curve(ctx).set_index("stage") if ctx.feedback is not None else None
    designed = designed_emotion(ctx.map)
    rows = []
    for stage in ctx.map.stages:
        rows.append(
            {
                "stage": stage.id,
                "title": text_of(stage.title, ctx.language),
                "designed": designed.get(stage.id, np.nan),
                "measured": float(curve.loc[stage.id, "measured"])
                if curve is not None and stage.id in curve.index
                else np.nan,
                "touchpoints": len(ctx.map.touchpoints_of(stage.id)),
                **{m: float(stages.loc[stage.id, m]) for m in ("reach", "conversion", "exit_rate")},
            }
        )
    return pd.DataFrame(rows)


def state_comparison(as_is: Context, to_be: Context) -> pd.DataFrame:
    """Per stage of either version (the to-be's order, then stages only the as-is has):
    ``stage, title, in_as_is, in_to_be`` and, for each figure of :data:`STATE_FIGURES`,
    ``as_is_<figure>`` and ``to_be_<figure>`` (NaN where the version has no such stage)."""
    old, new = _measured_state(as_is), _measured_state(to_be)
    order = list(new.stage) + [s for s in old.stage if s not in set(new.stage)]
    frame = pd.DataFrame({"stage": order})
    titles = dict(zip(old.stage, old.title, strict=True)) | dict(
        zip(new.stage, new.title, strict=True)
    )
    frame["title"] = frame.stage.map(titles)
    frame["in_as_is"] = frame.stage.isin(old.stage)
    frame["in_to_be"] = frame.stage.isin(new.stage)
    for prefix, side in (("as_is", old), ("to_be", new)):
        indexed = side.set_index("stage")
        for figure in STATE_FIGURES:
            frame[f"{prefix}_{figure}"] = frame.stage.map(indexed[figure])
    return frame
