"""How the CLI prints results: Rich tables for people, JSON or CSV for programs."""

from __future__ import annotations

import csv
import html
import json
import math
import re
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:  # pandas is imported where a table is printed: --help needs none
    import pandas as pd

console = Console()
LONG_TEXT = 50  # mean characters above which a column is printed as paragraphs
# Columns a narrow terminal drops first: counts that the other columns imply.
LOW_VALUE = (
    "events",
    "sessions",
    "journeys",
    "steps",
    "exit_baseline",
    "occurrences",
    "avg_time_s",
    "mean_time_s",
    "persons_closed",
    "still_in_window",
    "converted",
)
err_console = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _cell(value: Any) -> str:
    return escape(_plain(value))


def _plain(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def emit_frame(frame: pd.DataFrame, fmt: Format, title: str | None = None) -> None:
    """Print a table of results in the chosen format."""
    if fmt is Format.csv:
        frame.to_csv(sys.stdout, index=False)
        return
    if fmt is Format.json:
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        print(json.dumps(records, ensure_ascii=False, indent=2, default=_json_default))
        return
    # Sentences (explanations, verbatims) would be squeezed into a thin column: print them
    # under the table, one paragraph per row, keyed by the row's first cell.
    texts = [
        c
        for c in frame.columns[1:]
        if frame[c].dtype == object and frame[c].astype(str).str.len().mean() > LONG_TEXT
    ]
    shown = frame.drop(columns=texts)
    _print_table(shown, title)
    labels = [c for c in shown.columns if shown[c].dtype == object][:1] or [frame.columns[0]]
    for column in texts:
        console.print(f"[bold]{escape(str(column))}[/bold]")
        for key, text in zip(frame[labels[0]], frame[column], strict=True):
            console.print(
                f"  [bold]{escape(_plain(key))}[/bold] {escape(_plain(text))}", highlight=False
            )


def _print_table(frame: pd.DataFrame, title: str | None) -> None:
    import pandas as pd
    from rich.table import Table

    table = Table(title=escape(title) if title else None, title_justify="left", header_style="bold")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(escape(str(column)), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    console.print(table)


def emit_dict(data: dict[str, Any], fmt: Format, title: str | None = None) -> None:
    """Print a flat record (key → value) in the chosen format (no pandas: `status` prints
    one and must start fast)."""
    if fmt is Format.json:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))
        return
    values = [
        _plain(v) if not isinstance(v, (dict, list)) else json.dumps(v, ensure_ascii=False)
        for v in data.values()
    ]
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerows([("field", "value"), *zip(data, values, strict=True)])
        return
    from rich.table import Table

    table = Table(title=escape(title) if title else None, title_justify="left", header_style="bold")
    table.add_column("field")
    table.add_column("value")
    for key, value in zip(data, values, strict=True):
        table.add_row(escape(str(key)), escape(value))
    console.print(table)


def reader_lang(lang: str | None, jm: Any = None) -> str:
    """The language a command prints in: --lang, else the map's, else the locale's."""
    if lang in ("fr", "en"):
        return lang
    if jm is not None and getattr(jm, "lang", None) in ("fr", "en"):
        return str(jm.lang)
    import locale
    import os

    found = os.environ.get("LC_ALL") or os.environ.get("LANG") or (locale.getlocale()[0] or "")
    return "fr" if found.lower().startswith("fr") else "en"


def emit_result(
    result: Any, jm: Any, lang: str, width: int | None = None, all_tables: bool = False
) -> None:
    """A result as a reader reads it (:mod:`parcours.render.present`): the map's titles,
    numbers in ``lang``, tables fitted to the terminal (columns that do not fit are named
    under the table), model internals left to ``--format json``."""
    from parcours.render import present
    from parcours.render.i18n import STRINGS, t

    names = present.Titles.for_result(jm, lang, result)
    width = width or console.width
    console.print(f"[bold]{escape(present.heading(result, lang, names))}[/bold]", highlight=False)
    shown, internals = present.figures(result, lang, names)
    for label, value in shown:
        console.print(f"  {escape(label)}: {escape(value)}", highlight=False)
    _print_shown(present.table(result.table, lang, names, rows=40), lang, width)
    if all_tables:
        for name, frame in result.tables.items():
            title = t(f"table.{name}", lang) if f"table.{name}" in STRINGS else name
            _print_shown(present.table(frame, lang, names, rows=40), lang, width, title)
    elif result.tables:
        more = ", ".join(
            t(f"table.{n}", lang) if f"table.{n}" in STRINGS else n for n in result.tables
        )
        console.print(
            f"[dim]{escape(t('cli.more_tables', lang, tables=more))}[/dim]", highlight=False
        )
    for note in present.notes(result, lang, names):
        console.print(f"[dim]• {escape(note)}[/dim]", highlight=False)
    if internals or result.notes:
        console.print(f"[dim]{escape(t('cli.internals', lang))}[/dim]", highlight=False)


def _print_shown(shown: Any, lang: str, width: int, title: str | None = None) -> None:
    """Print a presented table within ``width`` columns: long text columns wrap; the last
    columns that still do not fit are left out and named."""
    from rich.table import Table

    from parcours.render.i18n import t

    def need(i: int) -> int:
        cells = [len(str(row[i])) for row in shown.rows] or [0]
        longest = max(cells)
        if longest > 24:  # a text column: it wraps, at 24 characters or its header's word
            longest = max(24, max(len(w) for w in shown.columns[i].split()))
        header = shown.columns[i]  # a short header stays on one line
        words = len(header) if len(header) <= 12 else max(len(w) for w in header.split())
        return max(longest, words) + 3

    def plain(cell: Any) -> str:
        return html.unescape(re.sub(r"<[^>]+>", "", str(cell)))

    # Sentences (explanations, verbatims) are printed under the table, one per row.
    lengths = [[len(plain(row[i])) for row in shown.rows] for i in range(len(shown.columns))]
    prose = [i for i in range(1, len(shown.columns)) if lengths[i] and
             sum(lengths[i]) / len(lengths[i]) > LONG_TEXT]  # fmt: skip
    keep = [i for i in range(len(shown.columns)) if i not in prose]
    left_out: list[str] = []
    # the least telling columns go first (counts that others imply), then from the right
    order = [i for name in LOW_VALUE for i in keep if shown.names[i] == name]
    order += [i for i in reversed(keep) if i not in order]
    while len(keep) > 1 and sum(need(i) for i in keep) + 1 > width:
        gone = next(i for i in order if i in keep and i != keep[0])
        keep.remove(gone)
        left_out.append(shown.columns[gone])
    table = Table(
        title=escape(title) if title else None, title_justify="left", header_style="bold",
    )  # fmt: skip
    for i in keep:
        numeric = all(
            re.fullmatch(r"[−\-+]?[\d\s\u202f\u00a0.,]+(\s?%|\s?[a-z]{1,3})?", str(row[i]))
            for row in shown.rows if str(row[i])
        )  # fmt: skip
        table.add_column(escape(shown.columns[i]), justify="right" if numeric else "left")
    for row in shown.rows:
        table.add_row(*(escape(plain(row[i])) for i in keep))
    if shown.rows:
        console.print(table)
    else:
        console.print(f"[dim]{escape(t('result.no_rows', lang))}[/dim]")
    key = next((i for i in keep if not str(shown.columns[i]).isdigit() and i > 0), 0)
    for i in prose:
        console.print(f"[bold]{escape(shown.columns[i])}[/bold]", highlight=False)
        for row in shown.rows:
            if plain(row[i]):
                console.print(
                    f"  [bold]{escape(plain(row[key]))}[/bold] {escape(plain(row[i]))}",
                    highlight=False,
                )
    if shown.total > len(shown.rows):
        console.print(
            f"[dim]{escape(t('report.more_rows', lang, shown=len(shown.rows), total=shown.total))}[/dim]"
        )
    if left_out:
        console.print(
            f"[dim]{escape(t('cli.dropped', lang, columns=', '.join(left_out)))}[/dim]",
            highlight=False,
        )
