"""Run any analysis once per value of a journey-table column (``--by persona``), stacked.

``split_by(funnel.ANALYSIS, ctx, "persona", steps=[...])`` runs the analysis on a Context filtered to
the persons of each value of ``column`` (their journeys, and their feedback and CRM rows when
identities are known to place them), then stacks each table of the results with the value as
a first column named after ``column``. Persons with no value form the group ``(none)``.

    >>> from parcours.analyses._split import split_by  # doctest: +SKIP
    >>> split_by(kpis.ANALYSIS, ctx, "persona", level="stage").table.columns[0]  # doctest: +SKIP
    'persona'
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from parcours.analyses.base import Context, LegacyResult, Result
from parcours.analyses.registry import Analysis
from parcours.errors import InputError

NONE = "(none)"
MAX_GROUPS = 50
PERSON_LEVEL = ("persona",)  # columns that hold one value per person


def _persons_table(table: ir.Table | None, ctx: Context, persons: ir.Table) -> ir.Table | None:
    """Rows of a workspace table (feedback, customers) that belong to ``persons``."""
    if table is None or ctx.identities is None:
        return table
    from parcours.store.identity import assign_persons

    placed = assign_persons(table, ctx.identities)
    return placed.semi_join(persons, "person_id").select(*table.columns)


def filtered(ctx: Context, column: str, value: str) -> Context:
    """``ctx`` restricted to the persons whose ``column`` is ``value`` (``(none)``: no value)."""
    j = ctx.journeys
    test = j[column].isnull() if value == NONE else j[column].cast("string") == value
    if column in PERSON_LEVEL:
        persons = j.filter(test).select("person_id").distinct()
        journeys = j.semi_join(persons, "person_id")
    else:  # a per-event column (channel, stage...): keep the journeys that have the value
        ids = j.filter(test).select("journey_id").distinct()
        journeys = j.semi_join(ids, "journey_id")
        persons = journeys.select("person_id").distinct()
    return replace(
        ctx,
        journeys=journeys,
        feedback=_persons_table(ctx.feedback, ctx, persons),
        customers=_persons_table(ctx.customers, ctx, persons),
    )


def split_by(analysis: Analysis, ctx: Context, column: str, **params: Any) -> Result:
    """Run ``analysis`` once per value of ``column`` and stack the results (see module)."""
    analysis_name = analysis.name
    if column not in ctx.journeys.columns:
        raise InputError(
            f"by: '{column}' is not a column of the journey table; "
            f"columns: {', '.join(ctx.journeys.columns)}"
        )
    j = ctx.journeys
    values = (
        j.select(value=j[column].cast("string"))
        .distinct()
        .to_pandas()
        .value.map(lambda v: NONE if v is None or pd.isna(v) else v)
    )
    values = sorted(values, key=lambda v: (v == NONE, v))
    if len(values) > MAX_GROUPS:
        raise InputError(
            f"by: '{column}' has {len(values)} values; at most {MAX_GROUPS} groups are allowed"
        )
    results: list[tuple[str, Result]] = []
    for value in values:
        try:
            result = analysis(filtered(ctx, column, value), **params)
        except InputError as error:  # e.g. too few persons to cluster in one group
            result = LegacyResult(analysis_name, "", pd.DataFrame(), notes=[f"{column}={value}: {error}"])
        results.append((value, result))

    def stack(frames: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
        parts = [f.assign(**{column: v})[[column, *f.columns]] for v, f in frames if len(f)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[column])

    first = next((r for _, r in results if r.title), results[0][1])
    names = sorted({name for _, r in results for name in r.tables})
    failed = [note for _, r in results if not r.title for note in r.notes]
    notes = [*first.notes, *failed]
    return LegacyResult(
        analysis=analysis_name,
        title=f"{first.title or analysis_name} by {column}",
        table=stack([(v, r.table) for v, r in results]),
        params={**params, "by": column},
        tables={
            name: stack([(v, r.tables[name]) for v, r in results if name in r.tables])
            for name in names
        },
        summary={f"{v}: {k}": x for v, r in results for k, x in r.summary.items()},
        notes=notes + [f"run once per {column} value on that group's persons, then stacked."],
    )
