"""Engine and Arrow exceptions caused by the input, turned into parcours errors in one place.

    with map_exceptions(source="events.csv"):
        ...  # DuckDB and Arrow calls

As httpx's ``map_exceptions``, but a rule also reads the message: DuckDB puts many
situations under one exception class (an unknown time zone is a ``NotImplementedException``,
a held file an ``IOException``). Each rule says which foreign exception, which message, and
the parcours error it becomes, with a message that says what to change. An exception no rule
takes goes through unchanged: it is a bug, reported as an internal error.

    >>> import duckdb
    >>> try:
    ...     with map_exceptions(source="x.csv"):
    ...         duckdb.sql("SELECT timezone('Mars/Olympus', TIMESTAMP '2026-01-01')").fetchall()
    ... except InputError as error:
    ...     print(str(error).split(";")[0])
    time zone 'Mars/Olympus' is not known
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from parcours.errors import (
    InputError,
    ParcoursError,
    SourceError,
    WorkspaceBusyError,
    WorkspaceError,
)


@dataclass(frozen=True)
class Where:
    """What was being done: reading a source (its name) or opening a workspace (its path)."""

    source: str | None = None
    workspace: str | None = None


def _first_line(error: BaseException) -> str:
    text = " ".join(str(a) for a in error.args).strip() or type(error).__name__
    return text.splitlines()[0]


def _busy(match: re.Match[str], where: Where, error: BaseException) -> ParcoursError:
    pid = f" (PID {match['pid']})" if match["pid"] else ""
    return WorkspaceBusyError(
        f"{match['file']}: another process{pid} holds this workspace (a running `parcours "
        "serve`, a notebook, another command). Stop it or close its workspace, then try "
        "again; or work on a copy of the file (-w copy.duckdb)"
    )


def _unknown_zone(match: re.Match[str], where: Where, error: BaseException) -> ParcoursError:
    near = re.findall(r'"([^"]+)"', match["near"] or "")
    close = f"; close names: {', '.join(near)}" if near else ""
    return InputError(
        f"time zone '{match['zone']}' is not known; give an IANA zone name such as "
        f"Europe/Paris or UTC (in --timezone, the mapping's timezone or PARCOURS_TIMEZONE)"
        f"{close}"
    )


def _mixed_column(match: re.Match[str], where: Where, error: BaseException) -> ParcoursError:
    column, what = match["column"], str(error.args[0]) if error.args else ""
    return SourceError(
        f"{where.source or 'the source'}: column '{column}' mixes kinds of values ({what}); "
        f"a column holds one kind: convert it first (frame['{column}'].astype(str)) or "
        "leave it out"
    )


def _unconvertible(match: re.Match[str], where: Where, error: BaseException) -> ParcoursError:
    return SourceError(
        f"{where.source or 'the source'}: cannot be turned into a table: {_first_line(error)}; "
        "give each column one kind of value"
    )


def _unreadable(match: re.Match[str], where: Where, error: BaseException) -> ParcoursError:
    return SourceError(f"{where.source or 'the source'}: cannot be read: {_first_line(error)}")


def _unopenable(match: re.Match[str], where: Where, error: BaseException) -> ParcoursError:
    return WorkspaceError(f"cannot open workspace {where.workspace}: {error}")


@dataclass(frozen=True)
class Rule:
    """A foreign exception (its classes and a pattern of its message), what it becomes, and
    when the rule applies: while reading a source, opening a workspace, or always."""

    raised: tuple[type[BaseException], ...]
    pattern: str
    becomes: Callable[[re.Match[str], Where, BaseException], ParcoursError]
    during: str = "any"  # any | source | workspace


# Read in order; the first rule that applies wins.
RULES: tuple[Rule, ...] = (
    Rule(
        (duckdb.IOException,),
        r'Could not set lock on file "(?P<file>[^"]+)"(?:.*?\(PID (?P<pid>\d+)\))?',
        _busy,
    ),
    Rule(
        (duckdb.NotImplementedException,),
        r"Unknown TimeZone '(?P<zone>[^']*)'(?:.*?Candidate time zones: (?P<near>.*))?",
        _unknown_zone,
    ),
    Rule(
        (pa.ArrowTypeError, pa.ArrowInvalid),
        r"Conversion failed for column (?P<column>.+?) with type",
        _mixed_column,
        "source",
    ),
    Rule((pa.ArrowTypeError, pa.ArrowInvalid), "", _unconvertible, "source"),
    Rule(
        (
            duckdb.InvalidInputException,
            duckdb.ConversionException,
            duckdb.OutOfRangeException,
            duckdb.IOException,
        ),
        "",
        _unreadable,
        "source",
    ),
    Rule((Exception,), "", _unopenable, "workspace"),
)


def translate(error: BaseException, where: Where) -> ParcoursError | None:
    """The parcours error ``error`` stands for, or None when no rule takes it (a bug)."""
    text = " ".join(str(a) for a in error.args)
    for rule in RULES:
        if not isinstance(error, rule.raised):
            continue
        if rule.during != "any" and getattr(where, rule.during) is None:
            continue
        match = re.search(rule.pattern, text, re.DOTALL)
        if match:
            return rule.becomes(match, where, error)
    return None


@contextmanager
def map_exceptions(*, source: str | None = None, workspace: str | None = None) -> Iterator[None]:
    """Turn the engine and Arrow exceptions raised inside the block into parcours errors."""
    where = Where(source=source, workspace=workspace)
    try:
        yield
    except ParcoursError:
        raise
    except Exception as error:
        mapped = translate(error, where)
        if mapped is None:
            raise
        raise mapped from error
