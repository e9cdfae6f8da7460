"""How the CLI prints results: Rich tables for people, JSON or CSV for programs."""

from __future__ import annotations

import csv
import datetime
import html
import json
import math
import re
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TextIO, cast

from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:  # pandas is imported where a table is printed: --help needs none
    import pandas as pd


@dataclass(frozen=True)
class Caller:
    """The terminal of a command that the server prints for (see :mod:`parcours.cli.forward`):
    the console writing what it will show, and the run's language as the caller's process
    found it (``parcours --lang`` or ``PARCOURS_LANG``; its locale's)."""

    console: Console
    chosen: str | None
    locale: str


# Set while the server prints a forwarded command, in that request's thread only (a
# context variable: the server prints for several callers at once).
_CALLER: ContextVar[Caller | None] = ContextVar("parcours_cli_caller", default=None)
_STDOUT = Console()


class _Current:
    """The console the CLI prints on: this process's stdout, or the caller's while the
    server prints a forwarded command (:func:`printing_for`)."""

    def __getattr__(self, name: str) -> Any:
        caller = _CALLER.get()
        return getattr(caller.console if caller is not None else _STDOUT, name)


console = cast(Console, _Current())


def stdout() -> TextIO:
    """Where plain output (JSON, CSV) goes: stdout, or the caller's console's file."""
    caller = _CALLER.get()
    return cast(TextIO, caller.console.file) if caller is not None else sys.stdout


@contextmanager
def printing_for(caller: Caller) -> Iterator[None]:
    """Within the block, in this thread, print on ``caller``'s console, in its language."""
    token = _CALLER.set(caller)
    try:
        yield
    finally:
        _CALLER.reset(token)


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
    # a touchpoint's stage and channel: the map says them, the measures are what was asked
    "channel",
    "stage",
)
err_console = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


# A cell that reads as a figure, aligned right: a number, with a % or a unit (12 s, 3 j), or
# an amount with its currency as Babel writes it (694 224 €, €65, -US$1,200, 1 200 CHF).
_MONEY_SIGN = r"(?:[A-Z]{0,2}[€$£¥₹₩₽₺₪₫₴₦₱₲₵₸¢][A-Z]{0,2}|[A-Z]{3})"
_FIGURE = re.compile(
    rf"[−\-+]?(?:{_MONEY_SIGN}\s?)?[\d\s\u202f\u00a0.,]+(?:\s?%|\s?[a-z]{{1,3}}|\s?{_MONEY_SIGN})?"
)


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


def emit_frame(
    frame: pd.DataFrame, fmt: Format, title: str | None = None, lang: str | None = None
) -> None:
    """Print a table of results in the chosen format; as a table in ``lang``, a column is
    headed with its words (``cmd.field.NAME``) when the catalogue has them, and numbers are
    written in that language (JSON and CSV keep the names and raw values)."""
    if fmt is Format.csv:
        frame.to_csv(stdout(), index=False)
        return
    if fmt is Format.json:
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        text = json.dumps(records, ensure_ascii=False, indent=2, default=_json_default)
        print(text, file=stdout())
        return
    # Sentences (explanations, verbatims) would be squeezed into a thin column: print them
    # under the table, one paragraph per row, keyed by the row's first cell.
    texts = [
        c
        for c in frame.columns[1:]
        if frame[c].dtype == object and frame[c].astype(str).str.len().mean() > LONG_TEXT
    ]
    shown = frame.drop(columns=texts)
    _print_table(shown, title, lang)
    labels = [c for c in shown.columns if shown[c].dtype == object][:1] or [frame.columns[0]]
    for column in texts:
        console.print(f"[bold]{escape(_header(column, lang))}[/bold]")
        for key, text in zip(frame[labels[0]], frame[column], strict=True):
            console.print(
                f"  [bold]{escape(_plain(key))}[/bold] {escape(_plain(text))}", highlight=False
            )


def _header(column: Any, lang: str | None) -> str:
    """A column's header: its words (``cmd.field.NAME``) in ``lang`` when the catalogue has
    them, else its name."""
    from parcours.render.i18n import STRINGS, t

    if lang is not None and f"cmd.field.{column}" in STRINGS:
        return t(f"cmd.field.{column}", lang)
    return str(column)


def _print_table(frame: pd.DataFrame, title: str | None, lang: str | None = None) -> None:
    import pandas as pd
    from rich.table import Table

    table = Table(title=escape(title) if title else None, title_justify="left", header_style="bold")

    def cell(value: Any, column: str) -> str:
        return _cell(value)

    if lang is not None:
        from parcours.render.i18n import moment, number, pct

        def cell(value: Any, column: str) -> str:
            if isinstance(value, datetime.datetime):  # saved_at, last_saved: UTC in words
                return escape(moment(value, lang))
            real = isinstance(value, int | float) and not isinstance(value, bool)
            if not real or (isinstance(value, float) and math.isnan(value)):
                return _cell(value)
            if column == "share" or column.endswith(("_share", "_rate")):
                return escape(pct(value, lang, 1))
            return escape(number(value, lang, 0 if float(value).is_integer() else 2))

    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(escape(_header(column, lang)), justify="right" if numeric else "left")
    names = [str(c) for c in frame.columns]
    for row in frame.itertuples(index=False):
        table.add_row(*(cell(v, name) for v, name in zip(row, names, strict=True)))
    console.print(table)


def emit_records(records: list[dict[str, Any]], fmt: Format) -> None:
    """Print flat records of the same keys as JSON (a list) or CSV (a row each); a value that
    is a dict or a list is written as JSON in its CSV cell."""
    if fmt is Format.json:
        print(
            json.dumps(records, ensure_ascii=False, indent=2, default=_json_default), file=stdout()
        )
        return
    writer = csv.writer(stdout(), lineterminator="\n")
    writer.writerow(list(records[0]))
    writer.writerows([_field_text(v) for v in record.values()] for record in records)


def _field_text(value: Any) -> str:
    """A record's value as text in a CSV or table cell: a dict or a list as JSON."""
    return (
        json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else _plain(value)
    )


def emit_dict(
    data: dict[str, Any], fmt: Format, title: str | None = None, lang: str | None = None
) -> None:
    """Print a flat record (key → value) in the chosen format (no pandas: `status` prints
    one and must start fast); as a table in ``lang``, a key is labelled with its words
    (``cmd.field.KEY``) when the catalogue has them."""
    if fmt is Format.json:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default), file=stdout())
        return
    values = [_field_text(v) for v in data.values()]
    if fmt is Format.csv:
        writer = csv.writer(stdout(), lineterminator="\n")
        writer.writerows([("field", "value"), *zip(data, values, strict=True)])
        return
    from rich.table import Table

    table = Table(title=escape(title) if title else None, title_justify="left", header_style="bold")
    if lang is not None:
        from parcours.render.i18n import t as words

        table.add_column(words("cmd.column.field", lang))
        table.add_column(words("cmd.column.value", lang))
    else:
        table.add_column("field")
        table.add_column("value")
    if lang is not None:
        from parcours.render.i18n import STRINGS, number, t

        labels = [t(f"cmd.field.{k}", lang) if f"cmd.field.{k}" in STRINGS else k for k in data]
        values = [
            number(v, lang) if isinstance(v, int) and not isinstance(v, bool) else shown
            for v, shown in zip(data.values(), values, strict=True)
        ]
    else:
        labels = [str(k) for k in data]
    for label, value in zip(labels, values, strict=True):
        table.add_row(escape(label), escape(value))
    console.print(table)


LANGS = ("fr", "en")
# The run's language: "chosen" by `parcours --lang` (or PARCOURS_LANG), "used" by the
# command once it knows it (the errors printed at the end are said in it).
_LANG: dict[str, str] = {}


def choose_lang(lang: str | None) -> None:
    """Keep the language chosen for the whole run (``parcours --lang fr COMMAND``); a new
    run starts from none (a test or a notebook runs several in one process)."""
    _LANG.clear()
    if lang is None:
        return
    if lang not in LANGS:
        from parcours.errors import InputError

        raise InputError(f"--lang '{lang}' is not known; allowed: fr, en")
    _LANG["chosen"] = lang


def reader_lang(
    lang: str | None = None,
    jm: Any = None,
    *,
    map_lang: str | Callable[[], str | None] | None = None,
) -> str:
    """The language a command prints in: its own --lang, else ``parcours --lang`` or
    ``PARCOURS_LANG``, else the map's, else the locale's. A command that reads no map
    gives that map's language ``map_lang``: the language itself, or what reads it (called
    only when the choice comes down to it: reading a map costs time)."""
    import os

    caller = _CALLER.get()
    if caller is not None:  # the server printing a forwarded command: the caller's choice
        chosen = caller.chosen
    else:
        chosen = _LANG.get("chosen") or os.environ.get("PARCOURS_LANG")
    if lang in LANGS:
        found = str(lang)
    elif chosen in LANGS:
        found = str(chosen)
    else:
        if jm is not None:
            map_lang = getattr(jm, "lang", None)
        elif callable(map_lang):
            map_lang = map_lang()
        if map_lang in LANGS:
            found = str(map_lang)
        else:
            found = caller.locale if caller is not None else locale_lang()
    if caller is None:  # the server's own run is not the caller's
        _LANG["used"] = found
    return found


def locale_lang() -> str:
    """French when the locale is (``LC_ALL``, else ``LANG``), else English."""
    import locale
    import os

    here = next(
        (os.environ[name] for name in ("LC_ALL", "LANG") if os.environ.get(name)),
        locale.getlocale()[0] or "",
    )
    return "fr" if here.lower().startswith("fr") else "en"


def used_lang() -> str:
    """The language the run has printed in so far (for its closing error message)."""
    return _LANG.get("used") or reader_lang()


def say_notice(notice: str, lang: str | None = None) -> None:
    """What opening a workspace found (an erasure finished, space worth reclaiming), on
    stderr in ``lang``, by default the run's language."""
    from parcours.render.i18n import t
    from parcours.render.present import error_text

    lang = lang or used_lang()
    said = escape(error_text(notice, lang))
    err_console.print(f"[yellow]{escape(t('cmd.note', lang))}[/yellow] {said}", highlight=False)


def say(key: str, lang: str, *, style: str | None = None, **values: Any) -> None:
    """Print the catalogue's sentence ``key`` in ``lang``, its values as plain text."""
    from parcours.render.i18n import t

    text = escape(t(key, lang, **values))
    print_prose(f"[{style}]{text}[/{style}]" if style else text, lang)


def print_prose(markup: str, lang: str, hang: int = 2) -> None:
    """Print a sentence (Rich markup) wrapped at the console's width, never at a French
    no-break space; continued lines indented ``hang`` columns more than the first."""
    from rich.text import Text

    from parcours.render.i18n import typeset

    # Rich breaks lines at any space, a no-break one too; textwrap only at ASCII spaces.
    markup = typeset(markup, lang)
    width = max(console.width, 20)
    for paragraph in Text.from_markup(markup).split("\n", allow_blank=True):
        plain = paragraph.plain
        lead = " " * (len(plain) - len(plain.lstrip(" ")) + hang)
        lines = textwrap.wrap(  # each line a piece of the text as it is (a tab stays one)
            plain,
            width,
            subsequent_indent=lead,
            break_on_hyphens=False,
            expand_tabs=False,
            replace_whitespace=False,
        ) or [""]
        at = 0
        for number, line in enumerate(lines):
            shown = line if number == 0 else line[len(lead) :]
            start = plain.index(shown, at)
            at = start + len(shown)
            prefix = "" if number == 0 else lead
            console.print(Text(prefix) + paragraph[start:at], soft_wrap=True, highlight=False)


def emit_result(
    result: Any, jm: Any, lang: str, width: int | None = None, all_tables: bool = False
) -> None:
    """A result as a reader reads it (:mod:`parcours.render.present`): the map's titles,
    numbers in ``lang``, tables fitted to the terminal (columns that do not fit are named
    under the table), model internals left to ``--format json``."""
    from parcours.render import present
    from parcours.render.i18n import STRINGS, labelled, t

    names = present.Titles.for_result(jm, lang, result)
    width = width or console.width
    print_prose(f"[bold]{escape(present.heading(result, lang, names))}[/bold]", lang)
    shown, internals = present.figures(result, lang, names)
    for label, value in shown:
        print_prose(f"  {escape(labelled(label, value, lang))}", lang)
    unit = present.unit_of(result)
    _print_shown(present.table(result.table, lang, names, rows=40, unit=unit), lang, width)
    if all_tables:
        for name, frame in result.tables.items():
            title = t(f"table.{name}", lang) if f"table.{name}" in STRINGS else name
            _print_shown(present.table(frame, lang, names, rows=40, unit=unit), lang, width, title)
    elif result.tables:
        more = ", ".join(
            t(f"table.{n}", lang) if f"table.{n}" in STRINGS else n for n in result.tables
        )
        print_prose(f"[dim]{escape(t('cli.more_tables', lang, tables=more))}[/dim]", lang)
    for note in present.notes(result, lang, names):
        print_prose(f"[dim]• {escape(note)}[/dim]", lang)
    if internals or result.notes:
        print_prose(f"[dim]{escape(t('cli.internals', lang))}[/dim]", lang)
    say_as_of(result.as_of, lang)


def say_as_of(found: Any, lang: str) -> None:
    """After a result read with --max-age (its ``as_of``; nothing for None): how old it is,
    and how to have the data of now."""
    from parcours.render import present
    from parcours.render.i18n import t

    older = present.as_of(found, lang)
    if older is not None:
        print_prose(f"[yellow]{escape(older)} {escape(t('cmd.as_of', lang))}[/yellow]", lang)


def _label_column(shown: Any, keep: list[int], plain: Callable[[Any], str]) -> int:
    """The column that names a row (repeated in a table's continuation): the first of the
    first three columns whose cells are text that tells every row apart ("Point", not its
    level nor its rank), else the first column."""
    for i in keep[:3]:
        cells = [plain(row[i]) for row in shown.rows]
        figures = all(_FIGURE.fullmatch(cell) for cell in cells)
        if all(cells) and not figures and len(set(cells)) == len(cells):
            return i
    return keep[0]


def _two_lines(header: str) -> int:
    """The narrowest width that writes ``header`` on two lines at most, cut between words.

    >>> _two_lines("From the step before"), _two_lines("Drop-off rate"), _two_lines("Lost")
    (11, 8, 4)
    """
    words = header.split()
    return min(
        max(len(" ".join(words[:cut])), len(" ".join(words[cut:]))) for cut in range(len(words))
    )


def _rich_table(
    shown: Any,
    columns: list[int],
    title: str | None,
    need: Callable[[int], int],
    plain: Callable[[Any], str],
    width: int,
) -> Any:
    """A Rich table of ``shown``'s ``columns``."""
    from rich.table import Table

    table = Table(
        title=escape(title) if title else None, title_justify="left", header_style="bold",
    )  # fmt: skip
    # when the headers on one line do not fit, a column of figures takes the width it needs
    # (its numbers, its header's words): Rich would otherwise cut its header with "…"
    one_line = sum(max([len(shown.columns[i])] + [len(plain(r[i])) for r in shown.rows]) + 3
                   for i in columns) + 1  # fmt: skip
    numeric = {
        i: all(_FIGURE.fullmatch(str(row[i])) for row in shown.rows if str(row[i])) for i in columns
    }
    fixed = {i: need(i) - 3 for i in columns if numeric[i] and one_line > width}
    # the room left lets a header of several words keep to two lines ("From the step /
    # before", not one word a line), leftmost first
    room = width - 1 - sum(need(i) for i in columns)
    for i in fixed:
        wider = max(fixed[i], _two_lines(shown.columns[i]))
        room -= wider - fixed[i]
        if room < 0:
            break
        fixed[i] = wider
    for i in columns:
        table.add_column(
            escape(shown.columns[i]),
            justify="right" if numeric[i] else "left",
            width=fixed.get(i),
        )
    for row in shown.rows:
        table.add_row(*(escape(plain(row[i])) for i in columns))
    return table


def _print_shown(shown: Any, lang: str, width: int, title: str | None = None) -> None:
    """Print a presented table within ``width`` columns: long text columns wrap; the counts
    that other columns imply (:data:`LOW_VALUE`) are left out and named when the table does
    not fit; the measures that still do not fit are printed in a table under it, each row
    named again by its label column."""
    from parcours.render.i18n import labelled, t

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
    # the least telling columns go first (counts that others imply)
    for gone in [i for name in LOW_VALUE for i in keep if shown.names[i] == name]:
        if sum(need(i) for i in keep) + 1 <= width:
            break
        if gone != keep[0]:
            keep.remove(gone)
            left_out.append(shown.columns[gone])
    # the measures that do not fit beside the others go under them, after the row's label
    named_by = _label_column(shown, keep, plain)
    parts: list[list[int]] = [[]]
    for i in keep:
        part = parts[-1]
        if part and sum(need(j) for j in part) + need(i) + 1 > width:
            parts.append(part := [named_by] if i != named_by else [])
        part.append(i)
    if shown.rows:
        for n, part in enumerate(parts):
            heading = title if n == 0 else t("cli.continued", lang, title=title or "")
            console.print(_rich_table(shown, part, heading.strip() if heading else None, need,
                                      plain, width))  # fmt: skip
    else:
        console.print(f"[dim]{escape(t('result.no_rows', lang))}[/dim]")
    key = next((i for i in keep if not str(shown.columns[i]).isdigit() and i > 0), 0)
    for i in prose:
        console.print(f"[bold]{escape(shown.columns[i])}[/bold]", highlight=False)
        for row in shown.rows:
            if plain(row[i]):
                label = f"[bold]{escape(plain(row[key]))}[/bold]"  # "Label: text", markup kept
                print_prose(f"  {labelled(label, escape(plain(row[i])), lang)}", lang)
    if shown.total > len(shown.rows):
        more = t("report.more_rows", lang, shown=len(shown.rows), total=shown.total)
        print_prose(f"[dim]{escape(more)}[/dim]", lang)
    if left_out and shown.rows:  # no rows: no column is missing
        print_prose(
            f"[dim]{escape(t('cli.dropped', lang, columns=', '.join(left_out)))}[/dim]", lang
        )
