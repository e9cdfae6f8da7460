"""Read again, line by line, a text file that DuckDB could not read, keeping every good row.

DuckDB reads a CSV or NDJSON file with one dialect and stops at the first line that does not
fit it: a line ending in CRLF in a file of LF lines, a quote never closed, a line of broken
JSON, a line that is not UTF-8. Then, and only then, the file is read again here: each line is
judged alone, a bad one is set aside with its row number and the reason, and the good rows
are written to a clean temporary file that DuckDB reads as usual. This is a Python loop over
the lines, slower than DuckDB: the fallback, never the way in.

CSV is read as RFC 4180 with the given delimiter. A quoted value may span lines (a cell with
line breaks, as spreadsheets write them) for at most ``MAX_SPAN`` lines, when the record then
has as many fields as the header and no line inside it is a complete row by itself;
otherwise the line that opened the quote is set aside alone and reading goes on from the next.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "in.csv").write_bytes(b'a,b\\r\\n1,2\\n3,"oops\\n4,5\\r\\n')
    >>> salvaged = salvage_csv(folder / "in.csv", folder / "out.csv", ",")
    >>> salvaged.rejects
    [Reject(row=2, line='3,"oops', reason='malformed CSV line 3: a quote opened here is never closed')]
    >>> (folder / "out.csv").read_text().splitlines(), salvaged.shifts
    (['a,b', '1,2', '4,5'], [(2, 1)])
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from parcours.errors import SourceError

MAX_SPAN = 50  # lines one quoted CSV value may span when a file is read line by line


@dataclass(frozen=True)
class Reject:
    """A row set aside: its number among the data rows, the line as read, and why."""

    row: int
    line: str
    reason: str


@dataclass
class Salvaged:
    """The good rows, in a clean file; the rows set aside; and, to number each good row as in
    the source, ``(position, shift)`` pairs: from that position (1-based, in the clean file)
    on, a row's number in the source is its position plus ``shift``."""

    path: Path
    rejects: list[Reject] = field(default_factory=list)
    shifts: list[tuple[int, int]] = field(default_factory=list)
    _last_shift: int = 0

    def kept(self, position: int, row: int) -> None:
        if row - position != self._last_shift:
            self._last_shift = row - position
            self.shifts.append((position, self._last_shift))


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile reads bytes
    return path.open("rb")


class Line(NamedTuple):
    number: int  # from 1
    text: str | None  # None when the bytes are not UTF-8
    shown: str  # the text, with any undecodable byte replaced
    problem: str = ""  # why the text is None


def _lines(handle: IO[bytes]) -> Iterator[Line]:
    """Each line of a file, without its ending (LF or CRLF, mixed or not)."""
    for number, raw in enumerate(handle, start=1):
        raw = raw.removesuffix(b"\n").removesuffix(b"\r")
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte order mark
        try:
            text = raw.decode("utf-8")
            yield Line(number, text, text)
        except UnicodeDecodeError as error:
            problem = f"byte 0x{raw[error.start]:02x} at column {error.start + 1}"
            yield Line(number, None, raw.decode("utf-8", errors="replace"), problem)


# -- CSV ------------------------------------------------------------------------------------

_OPEN_QUOTE = "unexpected end of data"  # the csv module's message for a quote left open


def _fields(text: str, delimiter: str) -> list[str] | str:
    """The fields of one record, or why it is not one (_OPEN_QUOTE: a quote is left open)."""
    if '"' not in text:
        return text.split(delimiter)
    try:
        return next(csv.reader([text], delimiter=delimiter, strict=True))
    except csv.Error as error:
        return str(error)


def salvage_csv(source: Path, out: Path, delimiter: str) -> Salvaged:
    """Copy the readable rows of the CSV ``source`` to ``out`` (comma-separated, CRLF)."""
    if len(delimiter) != 1:
        raise SourceError(
            f"{source}: DuckDB cannot read it and, with the delimiter {delimiter!r} (several "
            "characters), it cannot be read line by line; give a one-character delimiter"
        )
    salvaged = Salvaged(out)
    with _open(source) as handle, out.open("w", encoding="utf-8", newline="") as clean:
        # CRLF: the writer quotes a value holding any character of the line ending, so a
        # lone CR inside a cell stays in its quotes (with LF endings it would not be quoted).
        writer = csv.writer(clean, lineterminator="\r\n")
        lines = _lines(handle)
        header = next(lines, None)
        names = _fields(header.text, delimiter) if header and header.text is not None else None
        if not isinstance(names, list):
            raise SourceError(
                f"{source}: line 1 should name the columns and cannot be read"
                + (f" ({names})" if isinstance(names, str) else "")
            )
        writer.writerow(names)
        width, row, position = len(names), 0, 0
        pending: deque[Line] = deque()

        def take() -> Line | None:
            return pending.popleft() if pending else next(lines, None)

        while (line := take()) is not None:
            number, text = line.number, line.text
            if text == "":
                continue  # a blank line is no row (as DuckDB reads it)
            row += 1
            if text is None:
                reason = f"malformed CSV line {number}: not UTF-8 text ({line.problem})"
                salvaged.rejects.append(Reject(row, line.shown, reason))
                continue
            fields = _fields(text, delimiter)
            if fields == _OPEN_QUOTE:
                fields, spanned = _span(text, delimiter, width, take)
                pending.extendleft(reversed(spanned))  # lines to read again on their own
            if isinstance(fields, str):
                reason = "a quote opened here is never closed" if fields == _OPEN_QUOTE else fields
                salvaged.rejects.append(Reject(row, text, f"malformed CSV line {number}: {reason}"))
            elif len(fields) != width:
                salvaged.rejects.append(
                    Reject(
                        row,
                        text,
                        f"malformed CSV line {number}: expected {width} fields, found {len(fields)}",
                    )
                )
            else:
                position += 1
                salvaged.kept(position, row)
                writer.writerow(fields)
    return salvaged


def _span(
    first: str, delimiter: str, width: int, take: Callable[[], Line | None]
) -> tuple[list[str] | str, list[Line]]:
    """A record whose quoted value goes on over the next lines: its fields and no line to
    read again, or _OPEN_QUOTE and the lines taken (to be read on their own)."""
    taken: list[Line] = []
    text = first
    while len(taken) < MAX_SPAN:
        line = take()
        if line is None:
            break
        taken.append(line)
        if line.text is None:
            break
        alone = _fields(line.text, delimiter)
        if isinstance(alone, list) and len(alone) == width:
            break  # a complete row of its own: the quote above was a stray one
        text += "\n" + line.text
        fields = _fields(text, delimiter)
        if fields != _OPEN_QUOTE:
            if isinstance(fields, list) and len(fields) == width:
                return fields, []
            break
    return _OPEN_QUOTE, taken


# -- NDJSON ---------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


class _Unreadable(ValueError):
    """A JSON object the engine cannot read as written (see :func:`_pairs`)."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as ``json.loads`` reads it, or _Unreadable when DuckDB cannot read it
    without losing a key: a key given twice, two keys differing only in case (the engine
    reads names without case), an empty key (no column can be named so; ibis cannot type
    a nested object with one). A NUL byte is refused in the keys of the line (its columns)
    only: the engine reads it in a nested key."""
    seen: dict[str, str] = {}
    for key, _ in pairs:
        if not key:
            raise _Unreadable("a key is empty; name every key with text")
        if key in seen.values():
            raise _Unreadable(f"the key {key!r} is given twice in one object; give it once")
        if key.lower() in seen:
            raise _Unreadable(
                f"the keys {seen[key.lower()]!r} and {key!r} differ only in case, which the "
                "engine does not tell apart; rename one"
            )
        seen[key.lower()] = key
    return dict(pairs)


def _paths(value: Any, prefix: str = "") -> Iterator[str]:
    """The key of every object in ``value`` with the keys above it (``p.a``; ``[]`` for the
    items of an array): the engine gives one column, or one field of a nested column, to
    each path of a file, whatever the line, and tells paths apart without case.

    >>> sorted(_paths({"p": {"a": 1, "b": [{"c": 2}]}, "q": 3}))
    ['p', 'p.a', 'p.b', 'p.b[].c', 'q']
    """
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path
            yield from _paths(inner, path)
    elif isinstance(value, list):
        for inner in value:
            yield from _paths(inner, prefix + "[]")


def _lone_surrogate(value: Any) -> bool:
    r"""Whether a key or text of ``value`` holds half of a UTF-16 pair (``"\ud800"``, which
    ``json.loads`` reads and DuckDB refuses: it is no character).

    >>> pair, half = json.loads('["\\ud83d\\ude00"]'), json.loads('{"a": ["\\ud800"]}')
    >>> _lone_surrogate(pair), _lone_surrogate(half)
    (False, True)
    """
    if isinstance(value, str):
        return any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(_lone_surrogate(k) or _lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_lone_surrogate(v) for v in value)
    return False


def salvage_ndjson(source: Path, out: Path) -> Salvaged:
    """Copy the lines of the NDJSON ``source`` that hold a JSON object to ``out``."""
    salvaged = Salvaged(out)
    with _open(source) as handle, out.open("w", encoding="utf-8", newline="\n") as clean:
        row = position = 0
        seen: dict[str, str] = {}  # the keys of the lines kept (see _paths), by lower case
        for number, text, shown, problem in _lines(handle):
            if text is not None and not text.strip():
                continue  # a blank line is no row
            row += 1
            if text is None:
                reason = f"NDJSON line {number} is not UTF-8 text ({problem})"
                salvaged.rejects.append(Reject(row, shown, reason))
                continue
            try:
                value = json.loads(text, object_pairs_hook=_pairs)
            except _Unreadable as problem:
                salvaged.rejects.append(Reject(row, text, f"NDJSON line {number}: {problem}"))
                continue
            except ValueError as error:
                where = (
                    f" at column {error.colno}" if isinstance(error, json.JSONDecodeError) else ""
                )
                message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
                salvaged.rejects.append(
                    Reject(row, text, f"NDJSON line {number} is not valid JSON: {message}{where}")
                )
                continue
            if not isinstance(value, dict):
                salvaged.rejects.append(
                    Reject(
                        row, text, f"NDJSON line {number} holds {_kind(value)}, not a JSON object"
                    )
                )
                continue
            if "\\u" in text and _lone_surrogate(value):
                reason = (
                    f"NDJSON line {number} holds half of a UTF-16 pair (a \\uD800 to \\uDFFF "
                    "escape alone), which is no character; write the character or its pair"
                )
                salvaged.rejects.append(Reject(row, text, reason))
                continue
            nul = next((k for k in value if "\x00" in k), None)
            if nul is not None:
                reason = f"NDJSON line {number}: the key {nul!r} holds a NUL byte; name every key with text"
                salvaged.rejects.append(Reject(row, text, reason))
                continue
            paths = set(_paths(value))
            other = next((seen[p.lower()] for p in paths if seen.get(p.lower(), p) != p), None)
            if other is not None:
                key = next(p for p in paths if p.lower() == other.lower())
                salvaged.rejects.append(
                    Reject(
                        row,
                        text,
                        f"NDJSON line {number}: the key {key!r} differs only in case from the "
                        f"key {other!r} of an earlier line, which the engine does not tell "
                        "apart; spell each key one way",
                    )
                )
                continue
            seen.update((p.lower(), p) for p in paths if p.lower() not in seen)
            position += 1
            salvaged.kept(position, row)
            clean.write(text.strip() + "\n")
    if not position and salvaged.rejects:
        first = salvaged.rejects[0]
        raise SourceError(
            f"{source}: no line holds a JSON object ({len(salvaged.rejects):,} lines); "
            f"the first: {first.reason}"
        )
    return salvaged
