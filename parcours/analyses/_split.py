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

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import ibis.expr.types as ir
import pandas as pd

from parcours.analyses.base import Context, Result
from parcours.analyses.registry import Analysis
from parcours.config import NONE_LABEL
from parcours.errors import InputError

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
    test = j[column].isnull() if value == NONE_LABEL else j[column].cast("string") == value
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


@dataclass(kw_only=True, repr=False)
class SplitResult(Result):
    """One analysis run once per value of a column: ``groups`` holds each value's result;
    ``table`` and :attr:`tables` stack theirs with the value as a first column."""

    analysis: ClassVar[str] = "split"
    of: str  # the analysis that was run per group
    by: str  # the journey column whose values made the groups
    groups: list[tuple[str, Result]] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # value -> why it could not run

    @property
    def figures(self) -> dict[str, Any]:
        return {value: result.figures for value, result in self.groups}

    @property
    def summary(self) -> dict[str, Any]:
        return {f"{v}: {k}": x for v, r in self.groups for k, x in r.summary.items()}

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        names = sorted({name for _, r in self.groups for name in r.tables})
        return {
            name: stack([(v, r.tables[name]) for v, r in self.groups if name in r.tables], self.by)
            for name in names
        }

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "analysis": self.of, "by": self.by}


def stack(frames: list[tuple[str, pd.DataFrame]], column: str) -> pd.DataFrame:
    """The frames one under the other, each with its value in a first column ``column``."""
    parts = [f.assign(**{column: v})[[column, *f.columns]] for v, f in frames if len(f)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[column])


def split_by(analysis: Analysis, ctx: Context, column: str, **params: Any) -> SplitResult:
    """Run ``analysis`` once per value of ``column`` and stack the results (see module)."""
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
        .value.map(lambda v: NONE_LABEL if v is None or pd.isna(v) else v)
    )
    values = sorted(values, key=lambda v: (v == NONE_LABEL, v))
    if len(values) > MAX_GROUPS:
        raise InputError(
            f"by: '{column}' has {len(values)} values; at most {MAX_GROUPS} groups are allowed"
        )
    groups: list[tuple[str, Result]] = []
    failed: dict[str, str] = {}
    for value in values:
        try:
            groups.append((value, analysis(filtered(ctx, column, value), **params)))
        except InputError as error:  # e.g. too few persons to cluster in one group
            failed[value] = str(error)
    notes = list(groups[0][1].notes) if groups else []
    notes += [f"{column}={value}: {why}" for value, why in failed.items()]
    title = groups[0][1].title if groups else analysis.name
    return SplitResult(
        title=f"{title} by {column}",
        table=stack([(v, r.table) for v, r in groups], column),
        params={**params, "by": column},
        notes=notes + [f"run once per {column} value on that group's persons, then stacked."],
        of=analysis.name,
        by=column,
        groups=groups,
        failed=failed,
    )
