"""What every analysis shares: its input (a context) and the shape of its result.

An analysis is a typed function ``fn(ctx: Context, **params) -> Result``. The context holds
the journey table (an Ibis expression) and the journey map, plus the workspace tables that
some analyses read (feedback, customers). A result holds small pandas tables (the engine did
the heavy work) and prints, serialises and renders itself the same way for every analysis.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from parcours.maps import JourneyMap


@dataclass
class Context:
    """The input of every analysis.

    journeys: the journey table (see :mod:`parcours.store.journeys`).
    map: the journey map the table was built from.
    feedback / customers / identities: workspace tables, when the analysis needs them.
    """

    journeys: ir.Table
    map: JourneyMap
    feedback: ir.Table | None = None
    customers: ir.Table | None = None
    identities: ir.Table | None = None
    lang: str | None = None

    @property
    def language(self) -> str:
        return self.lang or self.map.lang


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    if isinstance(value, pd.Timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as JSON-ready records (NaN -> None, timestamps -> ISO text)."""
    return [
        {str(k): _jsonable(v) for k, v in row.items()}
        for row in frame.astype(object).to_dict(orient="records")
    ]


@dataclass
class Result:
    """The result of one analysis.

    ``table`` is the main table (what ``to_pandas`` returns); ``tables`` holds secondary
    ones by name (e.g. a funnel's conversion over time); ``summary`` a few headline figures;
    ``notes`` plain-language lines a reader needs (definitions, caveats).
    """

    analysis: str
    title: str
    table: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_pandas(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: what the REST API returns."""
        return {
            "analysis": self.analysis,
            "title": self.title,
            "params": _jsonable(self.params),
            "summary": _jsonable(self.summary),
            "table": records(self.table),
            "tables": {name: records(frame) for name, frame in self.tables.items()},
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def __repr__(self) -> str:
        lines = [self.title, "=" * len(self.title)]
        lines += [f"{k}: {_format(v)}" for k, v in self.summary.items()]
        if self.summary:
            lines.append("")
        with pd.option_context(
            "display.width", 160, "display.max_columns", 20, "display.max_colwidth", 60
        ):
            lines.append(self.table.to_string(index=False) if len(self.table) else "(no rows)")
        lines += [f"* {note}" for note in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        summary = "".join(f"<li><b>{k}</b>: {_format(v)}</li>" for k, v in self.summary.items())
        notes = "".join(f"<li>{n}</li>" for n in self.notes)
        return (
            f"<h4>{self.title}</h4>"
            + (f"<ul>{summary}</ul>" if summary else "")
            + self.table.to_html(index=False, na_rep="", float_format=lambda x: f"{x:,.4g}")
            + (f"<ul>{notes}</ul>" if notes else "")
        )


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)
