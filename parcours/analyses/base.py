"""What every analysis shares: its input (a context) and the shape of its result.

An analysis is a typed function ``fn(ctx: Context, **params) -> SomeResult``. The context
holds the journey table (an Ibis expression) and the journey map, plus the workspace tables
that some analyses read (feedback, customers). A result holds small pandas tables (the
engine did the heavy work) and prints, serialises and renders itself the same way for every
analysis.

Each analysis declares its own result type, a dataclass subclassing :class:`Result` whose
fields are its headline figures (:func:`figure`) and its named tables (:func:`table`).
Renderers read those fields (``result.conversion``, ``result.over_time``), never a label:
the label is only how a figure is printed.

>>> from dataclasses import dataclass
>>> @dataclass(kw_only=True, repr=False)
... class CountResult(Result):
...     analysis: ClassVar[str] = "count"
...     persons: int = figure("persons")
...     best: str | None = figure("best touchpoint", default=None)
...     by_day: pd.DataFrame = table()
>>> r = CountResult(title="Count", table=pd.DataFrame({"n": [1]}), persons=3,
...                 by_day=pd.DataFrame({"day": [1]}))
>>> r.persons, r.summary, list(r.tables)
(3, {'persons': 3}, ['by_day'])
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import ibis.expr.types as ir
import pandas as pd

from parcours.maps import JourneyMap
from parcours.store.engine import in_part


@dataclass
class Context:
    """The input of every analysis.

    journeys: the journey table (see :mod:`parcours.store.journeys`).
    map: the journey map the table was built from.
    feedback / customers / identities: workspace tables, when the analysis needs them.
    parts: how many parts of persons a pass in time order over the journeys is cut in
    (:meth:`journey_parts`); the workspace sets it from the table's rows and its memory.
    """

    journeys: ir.Table
    map: JourneyMap
    feedback: ir.Table | None = None
    customers: ir.Table | None = None
    identities: ir.Table | None = None
    lang: str | None = None
    parts: int = 1

    @property
    def language(self) -> str:
        return self.lang or self.map.lang

    def journey_parts(self) -> list[ir.Table]:
        """The journey table split by ranges of the person id into :attr:`parts` parts
        (:func:`parcours.store.engine.in_part`).

        A window over each journey, or an ordered list of its steps, holds every row it
        reads; past the engine's memory that fails (DuckDB cannot spill a list). Each part
        holds whole persons, so work that follows a journey or a person in time order can
        run part by part in bounded memory and its rows add up to the whole. The stored
        table is written in the same parts, so each part reads its own rows, not the whole
        table again."""
        if self.parts <= 1:
            return [self.journeys]
        j = self.journeys
        return [j.filter(in_part(j.person_id, self.parts, part)) for part in range(self.parts)]


Label = str | Callable[[Any], str]


def figure(label: Label, *, default: Any = dataclasses.MISSING) -> Any:
    """A headline figure of a result: a typed field printed as ``label`` (a text, or a
    function of the result when the label depends on a parameter). A figure whose default
    is ``None`` is optional: it is left out of :attr:`Result.summary` while it is ``None``."""
    return field(default=default, metadata={"label": label})


def table() -> Any:
    """A named secondary table of a result (``None`` when the analysis did not compute it)."""
    return field(default=None, metadata={"table": True})


# Significant digits of a float in JSON. The digits past them are the order in which a sum
# of doubles happened to add (threads, engines: 4140285.2099999976 on Spark, 4140285.210000001
# on DuckDB), not the data: cut, such sums read the same (unless a value lies within a few
# units of the last digit kept from a rounding boundary).
JSON_DIGITS = 12


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return float(f"{value:.{JSON_DIGITS}g}")
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


@dataclass(frozen=True)
class AsOf:
    """A result computed on older data than the workspace holds now: read from the results
    it keeps for a reader who accepts it (``max_age``, see
    :meth:`parcours.Workspace.analyze`)."""

    computed_at: datetime  # when it was written, UTC
    data_version: int  # the data it was computed on
    current_version: int  # the workspace's data when it was read
    events_since: int  # events stored after it was written

    def age(self, now: datetime | None = None) -> timedelta:
        return (now or datetime.now(UTC).replace(tzinfo=None)) - self.computed_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "computed_at": self.computed_at.isoformat(timespec="seconds") + "Z",
            "data_version": self.data_version,
            "current_data_version": self.current_version,
            "events_since": self.events_since,
        }


@dataclass(kw_only=True, repr=False)
class Result:
    """The result of one analysis.

    ``table`` is the main table (what ``to_pandas`` returns); ``params`` the parameters it
    ran with; ``notes`` plain-language lines a reader needs (definitions, caveats). The
    figures and the secondary tables are the fields each subclass declares. ``as_of`` is
    set on a result read from the store that was computed on older data (else None).
    """

    analysis: ClassVar[str] = ""
    title: str
    table: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    as_of: AsOf | None = field(default=None, init=False, compare=False)

    @classmethod
    def figure_fields(cls) -> list[dataclasses.Field[Any]]:
        return [f for f in dataclasses.fields(cls) if "label" in f.metadata]

    @classmethod
    def table_fields(cls) -> list[dataclasses.Field[Any]]:
        return [f for f in dataclasses.fields(cls) if f.metadata.get("table")]

    @property
    def figures(self) -> dict[str, Any]:
        """The headline figures by field name (what the API returns as ``figures``)."""
        return {f.name: getattr(self, f.name) for f in self.figure_fields()}

    @property
    def summary(self) -> dict[str, Any]:
        """The headline figures by their printed label, for display only: read the fields."""
        shown: dict[str, Any] = {}
        for f in self.figure_fields():
            value = getattr(self, f.name)
            if value is None and f.default is None:
                continue
            label = f.metadata["label"]
            shown[label(self) if callable(label) else label] = value
        return shown

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The secondary tables this result holds, by name."""
        found = {f.name: getattr(self, f.name) for f in self.table_fields()}
        return {name: frame for name, frame in found.items() if frame is not None}

    def to_pandas(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: what the REST API returns (its schema: :func:`response_model`)."""
        return {
            "analysis": self.analysis,
            "title": self.title,
            "params": _jsonable(self.params),
            "figures": _jsonable(self.figures),
            "summary": _jsonable(self.summary),
            "table": records(self.table),
            "tables": {name: records(frame) for name, frame in self.tables.items()},
            "notes": list(self.notes),
            "as_of": self.as_of.to_dict() if self.as_of is not None else None,
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
        table: str = self.table.to_html(index=False, na_rep="", float_format=lambda x: f"{x:,.4g}")
        return (
            f"<h4>{self.title}</h4>"
            + (f"<ul>{summary}</ul>" if summary else "")
            + table
            + (f"<ul>{notes}</ul>" if notes else "")
        )


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)
