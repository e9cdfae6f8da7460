"""How the CLI prints results: Rich tables for people, JSON or CSV for programs."""

from __future__ import annotations

import csv
import json
import math
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:  # pandas is imported where a table is printed: --help needs none
    import pandas as pd

console = Console()
LONG_TEXT = 50  # mean characters above which a column is printed as paragraphs
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
