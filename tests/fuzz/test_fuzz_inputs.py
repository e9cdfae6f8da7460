"""Generated files, maps and mappings: parcours answers each with a result or a parcours error
(never another exception), and an ingest loses no row.

The contract of an ingest (see :mod:`parcours.store.ingest`): every input row is counted
once, as accepted, duplicate, conflict or rejected; the accepted ones are in ``events``,
the conflicts and rejected ones in ``rejected``; ingesting the same file again adds nothing.

Bugs found here in the ingestion code are written at the end of this module, each as a test
of its rule with the smallest input found (while a fix waits, marked ``xfail(strict=True)``
and left out of the generators, each place saying which test it waits for).
"""

from __future__ import annotations

import contextlib
import copy
import io
import itertools
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st
from ruamel.yaml import YAML

import parcours
from parcours.errors import InputError, MapError, MappingError, ParcoursError, SourceError
from parcours.maps import TEMPLATES, JourneyMap, render_template
from parcours.store.ingest import IngestReport
from parcours.store.mapping import ALIASES, OPTIONS, ColumnMapping
from parcours.store.mapping import FIELDS as TARGET_FIELDS
from tests.fuzz import budget

FIELDS = TARGET_FIELDS["events"]
TS_NAMES = ("ts", *ALIASES["ts"])
REQUIRED = (TS_NAMES, ("channel",), ("event",))  # without one of each: MappingError
# Columns no field takes (their values go to properties), some named as the stored columns
# of events or as the ingest's own (__row), one as a field in other letters (Event: a CSV
# header naming it next to event is refused, an NDJSON line giving both is rejected).
JUNK = (
    "note",
    "sku",
    "Prix TTC",
    "properties",
    "source",
    "batch_id",
    "seq",
    "état",
    "ÉTAPE",
    "__row",
    "Event",
)
# identities is a view of identity_nodes (schema 7): emptied with them.
DATA_TABLES = ("events", "customers", "feedback", "rejected", "batches", "identity_nodes")


# -- the workspace: one per module, emptied before each example -------------------------------


@pytest.fixture(scope="module")
def fuzz_ws():
    workspace = parcours.open(":memory:")
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


_files = itertools.count()


def new_file(folder: Path, suffix: str, data: bytes) -> Path:
    """A file of its own per example (the source name is part of a rejected row's key)."""
    path = Path(tempfile.mkdtemp(dir=folder)) / f"in{next(_files)}{suffix}"
    path.write_bytes(data)
    return path


def emptied(ws):
    for table in DATA_TABLES:
        ws.con.raw_sql(f'DELETE FROM "{table}"')
    return ws


def count(ws, table: str, batch_id: str) -> int:
    t = ws.con.table(table)
    return int(t.filter(t.batch_id == batch_id).count().to_pyarrow().as_py())


def total(ws, table: str) -> int:
    return int(ws.con.table(table).count().to_pyarrow().as_py())


def check_report(ws, report: IngestReport, rows: int | None, exact: bool = True) -> None:
    """The report counts each row once, and the tables hold what it counts; ``rows`` given
    (at least that many counted when not ``exact``)."""
    note(repr(report))
    assert report.accepted + report.duplicates + report.conflicts + report.rejected == report.rows
    if rows is not None and exact:
        assert report.rows == rows, "rows given and rows counted differ"
    elif rows is not None:
        assert report.rows >= rows, "fewer rows counted than given"
    assert count(ws, "events", report.batch_id) == report.accepted
    assert count(ws, "rejected", report.batch_id) == report.rejected + report.conflicts


def check_again(ws, path: Path, first: IngestReport, mapping=None) -> None:
    """The same file again: nothing new, every row counted as before."""
    events, rejected = total(ws, "events"), total(ws, "rejected")
    again = ws.ingest_events(path, mapping)
    note(f"again: {again!r}")
    assert (total(ws, "events"), total(ws, "rejected")) == (events, rejected)
    assert again.accepted == 0
    assert again.rows == first.rows
    assert (again.duplicates, again.conflicts, again.rejected) == (
        first.accepted + first.duplicates,
        first.conflicts,
        first.rejected,
    )


# -- cell values ----------------------------------------------------------------------------

TRICKY = st.sampled_from(
    [
        '"',
        '""',
        ",",
        ";",
        "\t",
        "|",
        "\n",
        "\r\n",
        "\r",
        "\x00",
        " ",
        "é",
        "€",
        "😀",
        "\u2028",
        "\ufeff",
    ]
)
TEXT = st.one_of(
    st.text(max_size=12),
    st.lists(st.one_of(TRICKY, st.text(max_size=3)), max_size=5).map("".join),
)
NUMBERS = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["12,50", "1e308", "1e309", "-0", "0x1A", "1_000", " 3 ", "+7", "NaN", "-inf"]),
)
DATES = st.one_of(
    st.datetimes().map(str),
    st.datetimes().map(lambda d: d.isoformat(timespec="microseconds")),
    st.sampled_from(
        [
            "2026-03-01 10:00:00",
            "2026-03-01T10:00:00Z",
            "2026-03-01T10:00:00+01:00",
            "2026-03-01T10:00:00.123456-05:30",
            "2026-03-01",
            "01/03/2026 10:00",
            "2026-03-29 02:30:00",  # in the hour Europe/Paris skips
            "2026-10-25 02:30:00",  # in the hour Europe/Paris repeats
            "2026-13-45 25:61:61",
            "1772359200",
            "1772359200000",
            "1900-01-01 00:00:00",
            "2999-01-01 00:00:00",
            "0001-01-01",
            "2026-03-01T10:00:00+25:00",
        ]
    ),
)
CELL = st.one_of(st.just(""), TEXT, NUMBERS, DATES)
ONE_LINE = CELL.map(lambda c: c.replace("\r", "").replace("\n", ""))
VALID = {  # mostly good values, so that rows are accepted, conflict and repeat too
    "ts": DATES,
    "channel": st.sampled_from(["web", "app", "magasin", "WEB ", "email"]),
    "event": st.sampled_from(["view", "purchase", "panier", "achat en ligne"]),
    "customer_id": st.sampled_from(["C1", "C2", " C1", "c1"]),
    "email": st.sampled_from(["a@b.fr", " A@B.FR ", "not an email"]),
    "phone": st.sampled_from(["06 12 34 56 78", "+33612345678", "0033 6 12 34 56 78", "123"]),
    "event_id": st.sampled_from(["e1", "e2", "e3", ""]),
    "revenue": st.sampled_from(["12.5", "12,50", "", "0"]),
}


def cell_for(name: str) -> st.SearchStrategy[str]:
    good = VALID.get(name)
    return st.one_of(good, good, CELL) if good is not None else CELL


# -- CSV ------------------------------------------------------------------------------------


@dataclass
class Csv:
    data: bytes
    header: list[str]
    rows: int
    delimiter: str | None  # given in the mapping, or None: found from the header
    # False when the file is read again line by line (mixed line endings, a row of another
    # width) and a cell spans lines: a line of that cell that reads as a whole row by itself
    # is then taken for one, by design (see parcours.store.salvage), and the line opening
    # the cell is rejected alone.
    exact: bool


def _quoted(value: str, delimiter: str, all_quoted: bool) -> str:
    if all_quoted or any(c in value for c in (delimiter, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def columns(draw) -> list[str]:
    """Column names: mostly ts (or an alias), channel and event, and any others; sometimes
    one of those three is missing."""
    required = [draw(st.sampled_from(TS_NAMES)), "channel", "event"]
    missing = draw(st.sampled_from([None] * 6 + required))
    others = [n for n in FIELDS + TS_NAMES + JUNK if n not in required]
    names = [n for n in required if n != missing] + draw(
        st.lists(st.sampled_from(others), max_size=6, unique=True)
    )
    return draw(st.permutations(names)) if names else ["note"]


@st.composite
def csv_files(draw) -> Csv:
    """An RFC 4180 file: each row as many cells as the header, cells quoted when needed."""
    names = draw(columns())
    delimiter = draw(st.sampled_from([",", ",", ";", "\t", "|"]))
    # Given in the mapping, or found from the header line (which needs two columns, else ",").
    given_delimiter = delimiter if (len(names) == 1 and delimiter != ",") else None
    given_delimiter = draw(st.sampled_from([given_delimiter, delimiter]))
    all_quoted = draw(st.booleans())
    endings = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    rows = draw(st.lists(st.tuples(*[cell_for(n) for n in names]).map(list), max_size=12))
    # Rows again: the same (duplicates), or with one cell changed (conflicts when keyed).
    for index, column, value in draw(
        st.lists(st.tuples(st.integers(0, 100), st.integers(0, len(names)), CELL), max_size=4)
    ):
        if rows:
            row = list(rows[index % len(rows)])
            if column < len(names):
                row[column] = value
            rows.append(row)
    # Rows of one line with a cell more or less than the header: each is rejected alone.
    ragged = False
    for index, more in draw(st.lists(st.tuples(st.integers(0, 100), st.booleans()), max_size=2)):
        at = index % len(rows) if rows else 0
        if not rows or any("\n" in c or "\r" in c for c in rows[at]):
            continue
        if not more and len(names) == 1:
            continue  # no cell at all: a blank line, which is no row
        rows[at] = rows[at] + [draw(ONE_LINE)] if more else rows[at][:-1]
        ragged = True

    def line(cells: list[str]) -> str:
        if cells == [""]:
            return '""'  # a single empty cell: an empty line would be no row
        return delimiter.join(_quoted(c, delimiter, all_quoted) for c in cells)

    lines = [line(names)] + [line(r) for r in rows]
    ends = [draw(st.sampled_from(["\n", "\r\n"])) if endings == "mixed" else endings for _ in lines]
    if not draw(st.booleans()):
        ends[-1] = ""  # no line break after the last row
    text = "".join(a + b for a, b in zip(lines, ends, strict=True))
    bom = "\ufeff" if draw(st.booleans()) else ""
    spans = any("\n" in c or "\r" in c for r in rows for c in r)
    exact = not (spans and (endings == "mixed" or ragged))
    return Csv((bom + text).encode("utf-8"), names, len(rows), given_delimiter, exact)


def has_required(columns) -> bool:
    return all(any(n in columns for n in names) for names in REQUIRED)


def differ_in_case(names) -> bool:
    return len({n.lower() for n in names}) < len(set(names))


@budget(examples=12, seconds=60)
@given(csv=csv_files(), keep=st.booleans())
def test_a_csv_file_loses_no_row(fuzz_ws, folder, csv, keep):
    ws = emptied(fuzz_ws)
    path = new_file(folder, ".csv", csv.data)
    mapping = {"duplicate_rows": "keep"} if keep else {}
    if csv.delimiter:
        mapping["delimiter"] = csv.delimiter
    note(f"{path.name}: {csv.data!r}")
    if differ_in_case(csv.header):
        event("refused: names differing only in case")
        with pytest.raises(SourceError, match="differ only in case"):
            ws.ingest_events(path, mapping)
        return
    event("refused: no ts, channel or event column" if not has_required(csv.header) else "read")
    if not has_required(csv.header):
        with pytest.raises(MappingError):
            ws.ingest_events(path, mapping)
        return
    report = ws.ingest_events(path, mapping)
    check_report(ws, report, csv.rows, csv.exact)
    check_again(ws, path, report, mapping)


# -- NDJSON ---------------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    CELL,
)
# Any key: empty, holding a NUL, differing from another only in case (see _kept).
KEYS = TEXT


def _json_containers(inner):
    return st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3)


JSON = st.recursive(SCALARS, _json_containers, max_leaves=6)


@st.composite
def json_objects(draw) -> dict:
    names = draw(columns())
    values = {n: draw(st.one_of(cell_for(n), cell_for(n), JSON)) for n in names}
    if draw(st.booleans()):
        values["properties"] = draw(st.dictionaries(KEYS, JSON, max_size=3))
    return values


@dataclass
class Ndjson:
    data: bytes
    keys: set[str]  # the keys of the lines holding an object the engine can read
    objects: int  # lines holding an object
    rows: int  # lines not blank
    every_key: set[str]  # the keys of every line holding an object


def _paths(value, prefix=""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield prefix + "." + key if prefix else key
            yield from _paths(inner, prefix + "." + key if prefix else key)
    elif isinstance(value, list):
        for inner in value:
            yield from _paths(inner, prefix + "[]")


def _dicts(value):
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from _dicts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _dicts(inner)


def _kept(objects: list[dict]) -> list[dict]:
    """The objects the engine reads, by the rule of parcours.store.salvage: a line is
    rejected when one of its objects has an empty key or two keys differing only in case,
    when one of its keys holds a NUL, or when a key (with the keys above it) differs only
    in case from one of a line kept earlier."""
    seen: dict[str, str] = {}
    kept = []
    for obj in objects:
        if any("" in d or len({k.lower() for k in d}) < len(d) for d in _dicts(obj)) or any(
            "\x00" in k for k in obj
        ):
            continue
        paths = set(_paths(obj))
        if any(seen.get(p.lower(), p) != p for p in paths):
            continue
        seen.update((p.lower(), p) for p in paths if p.lower() not in seen)
        kept.append(obj)
    return kept


@st.composite
def ndjson_files(draw) -> Ndjson:
    """Lines of JSON objects, the same again, broken lines, lines of other JSON values and
    blank lines; the first line holds an object (a file starting otherwise is not NDJSON)."""
    first = draw(json_objects())
    ascii_only = draw(st.booleans())

    def dumps(value) -> str:
        return json.dumps(value, ensure_ascii=ascii_only)

    kinds = st.sampled_from(["object", "object", "object", "again", "broken", "value", "blank"])
    lines, objects = [dumps(first)], [first]
    for kind in draw(st.lists(kinds, max_size=10)):
        if kind == "object":
            objects.append(draw(json_objects()))
            lines.append(dumps(objects[-1]))
        elif kind == "again":
            objects.append(objects[draw(st.integers(0, len(objects) - 1))])
            lines.append(dumps(objects[-1]))
        elif kind == "broken":
            text = dumps(draw(json_objects()))
            lines.append(text[: draw(st.integers(1, len(text) - 1))])
        elif kind == "value":
            lines.append(dumps(draw(st.one_of(SCALARS, st.lists(JSON, max_size=3)))))
        else:
            lines.append(draw(st.sampled_from(["", " ", "\t"])))
    endings = [draw(st.sampled_from(["\n", "\r\n"])) for _ in lines]
    data = "".join(a + b for a, b in zip(lines, endings, strict=True)).encode(
        "utf-8", "surrogatepass"
    )
    keys = {k for o in _kept(objects) for k in o}
    every_key = {k for o in objects for k in o}
    rows = sum(bool(line.strip()) for line in lines)
    return Ndjson(data, keys, len(objects), rows, every_key)


@budget(examples=7, seconds=60)
@given(ndjson=ndjson_files())
def test_an_ndjson_file_loses_no_row(fuzz_ws, folder, ndjson):
    ws = emptied(fuzz_ws)
    path = new_file(folder, ".ndjson", ndjson.data)
    note(f"{path.name}: {ndjson.data!r}")
    event("read" if has_required(ndjson.keys) else "refused: no ts, channel or event key")
    if not has_required(ndjson.keys):
        # No line the engine reads gives them (MappingError), or no line is read at all
        # (SourceError). A line set aside for a key met in other letters in an earlier line
        # is read when the engine could type both (an object, then a text): then it is read.
        try:
            report = ws.ingest_events(path)
        except (MappingError, SourceError):
            return
        assert has_required(ndjson.every_key)
    else:
        report = ws.ingest_events(path)
    check_report(ws, report, ndjson.rows)
    check_again(ws, path, report)


# -- wide surveys --------------------------------------------------------------------------

SCORES = st.one_of(st.sampled_from(["", "0", "3", "5", "9", "N/A", "n/a ", "4,5"]), CELL)
WIDE_MAPPING = {
    "ts": "date",
    "email": "email",
    "kind": {"value": "csat"},
    "unpivot": {"columns": ["Livraison", "Service client"], "slug": True},
    "not_applicable": {"csat": [0, "N/A"]},
}


@budget(examples=6, seconds=60)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["2026-03-01 10:00:00", "", "x"]), SCORES, SCORES),
        max_size=6,
    )
)
def test_a_wide_survey_loses_no_answer(fuzz_ws, folder, rows):
    ws = emptied(fuzz_ws)
    lines = ["email,date,Livraison,Service client"]
    lines += [",".join(_quoted(c, ",", True) for c in ("a@x.fr", *row)) for row in rows]
    path = new_file(folder, ".csv", ("\n".join(lines) + "\n").encode())
    note(path.read_text())
    report = ws.ingest_feedback(path, WIDE_MAPPING)
    note(repr(report))
    assert report.rows == 2 * len(rows)  # two answers a row, given or not
    assert (
        report.accepted + report.duplicates + report.conflicts + report.rejected + report.skipped
        == report.rows
    )
    assert sum(report.skips.values()) == report.skipped
    assert count(ws, "feedback", report.batch_id) == report.accepted
    assert count(ws, "rejected", report.batch_id) == report.rejected
    again = ws.ingest_feedback(path, WIDE_MAPPING)
    assert (again.accepted, again.rejected, again.skipped) == (0, report.rejected, report.skipped)


# -- any bytes ------------------------------------------------------------------------------


@st.composite
def mangled(draw, files) -> bytes:
    """A generated file with bytes flipped, inserted, removed or repeated."""
    data = bytearray(draw(files).data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        how = draw(st.sampled_from(["flip", "insert", "cut", "repeat"]))
        if how == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4) | TRICKY.map(str.encode))
        elif how == "cut":
            del data[at : at + draw(st.integers(1, 20))]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 40))]
    return bytes(data)


ANY_FILE = st.one_of(
    st.tuples(st.sampled_from([".csv", ".tsv", ".txt"]), mangled(csv_files())),
    st.tuples(st.sampled_from([".ndjson", ".jsonl", ".json"]), mangled(ndjson_files())),
    st.tuples(st.sampled_from([".csv", ".ndjson", ".csv.gz", ".parquet"]), st.binary(max_size=200)),
)


@budget(examples=8, seconds=60)
@given(file=ANY_FILE)
def test_any_file_is_read_or_refused_with_a_parcours_error(fuzz_ws, folder, file):
    ws = emptied(fuzz_ws)
    suffix, data = file
    path = new_file(folder, suffix, data)
    note(f"{path.name}: {data!r}")
    try:
        report = ws.ingest_events(path)
    except ParcoursError as error:
        event(f"refused: {type(error).__name__}")
        return
    event("read")
    check_report(ws, report, rows=None)
    check_again(ws, path, report)


# -- journey maps ---------------------------------------------------------------------------


def _yaml_text(data) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


TEMPLATE_DATA = {
    name: YAML(typ="safe", pure=True).load(render_template(name)) for name in TEMPLATES
}


def _nodes(node, path=()):
    """Every (path, value) of a document, the root included."""
    yield path, node
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in items:
        yield from _nodes(value, (*path, key))


SCALAR_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    TEXT,
    st.sampled_from(["30d", "0d", "-1d", "1y"]),
)


def _containers(inner):
    return st.lists(inner, max_size=3) | st.dictionaries(TEXT | st.integers(), inner, max_size=3)


VALUES = st.recursive(SCALAR_VALUES, _containers, max_leaves=8)


FREE_TEXT = {"title", "description", "goal", "goals", "opportunities", "pain_points"}


@st.composite
def mutated_maps(draw, damaged: bool = True) -> str:
    """A template's map with texts changed; ``damaged``: also keys dropped, repeated or
    renamed, values of other types, and its YAML text damaged a little."""
    data = copy.deepcopy(TEMPLATE_DATA[draw(st.sampled_from(sorted(TEMPLATE_DATA)))])
    known_keys = sorted({k for _, n in _nodes(data) if isinstance(n, dict) for k in n})
    texts = [p for p, n in _nodes(data) if isinstance(n, str) and set(p) & FREE_TEXT]
    for path in draw(st.lists(st.sampled_from(texts), max_size=3)):
        _at(data, path[:-1])[path[-1]] = draw(TEXT | TRICKY)  # the map is still valid
    if not damaged:
        return _yaml_text(data)
    for _ in range(draw(st.integers(0, 4))):
        path, node = draw(st.sampled_from(list(_nodes(data))))
        if not path:
            continue
        parent, last = _at(data, path[:-1]), path[-1]
        how = draw(st.sampled_from(["drop", "repeat", "rename", "retype", "add"]))
        if how == "drop":
            del parent[last]
        elif how == "repeat" and isinstance(parent, list):
            parent.insert(last, copy.deepcopy(node))
        elif how == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(known_keys) | TEXT)] = parent.pop(last)
        elif how == "add" and isinstance(node, dict):
            node[draw(st.sampled_from(known_keys) | TEXT)] = draw(VALUES)
        else:
            parent[last] = draw(VALUES)
    text = _yaml_text(data)
    lines = text.splitlines(keepends=True)
    how = draw(st.sampled_from(["none", "insert", "drop line", "repeat line"]))
    at = draw(st.integers(0, max(len(lines) - 1, 0)))
    if how == "insert":
        offset = draw(st.integers(0, len(text)))
        return text[:offset] + draw(TEXT | TRICKY) + text[offset:]
    if how == "drop line" and lines:
        del lines[at]
    elif how == "repeat line" and lines:
        lines.insert(at, lines[at])  # a key given twice, or one more item
    return "".join(lines)


def _at(data, path):
    for part in path:
        data = data[part]
    return data


YAML_TOKENS = st.sampled_from(
    [
        "map: ",
        "stages:",
        "- ",
        "  ",
        "id: ",
        ": ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "\n",
        "\t",
        "&a ",
        "*a",
        "!!python/object:os.system ",
        "!!binary ",
        "? ",
        "%YAML 1.1\n",
        "---\n",
        "...\n",
        "|\n",
        ">-\n",
        "'",
        '"',
        "#",
        "<<: ",
        "~",
        "null",
        "yes",
        "1e3",
        "0o17",
        ".nan",
        "\ufeff",
        "\x00",
        "\x85",
        "\u2028",
    ]
)
RANDOM_YAML = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(YAML_TOKENS, TEXT), max_size=40).map("".join),
    VALUES.map(_yaml_text),
)


@budget(examples=30, seconds=10)
@given(text=st.one_of(mutated_maps(damaged=False), mutated_maps(), RANDOM_YAML))
def test_a_map_text_is_a_map_or_a_map_error(text):
    note(text)
    try:
        jm = JourneyMap.loads(text, "fuzz.yaml")
    except MapError as error:
        event("MapError")
        assert error.problems and all(p.message for p in error.problems)
        return
    event("a map")
    # What the API answers and stores must read back as the same map.
    jm.model_dump(mode="json")
    assert JourneyMap.loads(jm.dumps(), "again.yaml") == jm


# -- column mappings ------------------------------------------------------------------------

MAPPING_KEYS = st.sampled_from(
    [*FIELDS, "timestamp", "events", "customers", *OPTIONS, "note", "Ts", ""]
)
SOURCES = st.one_of(
    TEXT,
    st.sampled_from(FIELDS + TS_NAMES),
    st.fixed_dictionaries({"column": TEXT | VALUES}),
    st.fixed_dictionaries({"column": TEXT, "unit": st.sampled_from(["s", "ms", "us", "h", "", 1])}),
    st.fixed_dictionaries({"value": VALUES}),
    st.fixed_dictionaries(
        {"columns": st.lists(TEXT | VALUES, max_size=3)}, optional={"sep": VALUES}
    ),
    VALUES,
)
OPTION_VALUES = {
    "timezone": st.sampled_from(["UTC", "Europe/Paris", "Mars/Olympus", "", "+01:00"]),
    "timestamp_format": st.sampled_from(
        ["%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "epoch_s", "epoch_ms", "%Q", ""]
    ),
    "ignore": st.lists(TEXT, max_size=3),
    "phone_region": st.sampled_from(["FR", "US", "ZZ", "", "fr"]),
    "delimiter": st.sampled_from([",", ";", "\t", "|", "whitespace"]),
    "duplicate_rows": st.sampled_from(["drop", "keep", "yes"]),
    "on_conflict": st.sampled_from(["first", "latest", "last"]),
}


@st.composite
def mapping_specs(draw, keys=MAPPING_KEYS, sources=SOURCES, sections: bool = True) -> dict:
    """A mapping as a dict; with ``sections``, it may hold one mapping per target."""
    spec = {}
    for key in draw(st.lists(keys, max_size=6, unique=True)):
        if key in OPTION_VALUES:
            spec[key] = draw(OPTION_VALUES[key] | sources)
        elif key in ("events", "customers") and sections:
            spec[key] = draw(mapping_specs(keys, sources, sections=False) | sources)
        else:
            spec[key] = draw(sources)
    return spec


@budget(examples=150, seconds=10)
@given(spec=mapping_specs(), as_yaml=st.booleans())
def test_a_column_mapping_is_a_mapping_or_a_mapping_error(folder, spec, as_yaml):
    note(repr(spec))
    try:
        if as_yaml:
            path = new_file(folder, ".yaml", _yaml_text(spec).encode())
            mapping = ColumnMapping.load("events", path)
        else:
            mapping = ColumnMapping.parse("events", spec)
    except InputError as error:  # a MappingError, mostly
        event(type(error).__name__)
        assert str(error)
        return
    event("a mapping")
    assert mapping.target == "events"


@budget(examples=150, seconds=10)
@given(text=RANDOM_YAML)
def test_a_mapping_file_is_a_mapping_or_a_mapping_error(folder, text):
    path = new_file(folder, ".yaml", text.encode("utf-8", "surrogatepass"))
    try:
        ColumnMapping.load("events", path)
    except InputError as error:
        event(type(error).__name__)
    else:
        event("a mapping")


SAMPLE = (
    "ts,timestamp,channel,event,customer_id,email,phone,revenue,note\n"
    "2026-03-01 10:00:00,1772359200,web,view,C1,a@b.fr,06 12 34 56 78,12.5,x\n"
    "2026-03-01 11:00:00,1772362800,app,purchase,C2,,,3,y\n"
    "01/03/2026 12:00,bad,web,view,,,123,abc,z\n"
)


SAMPLE_COLUMNS = st.sampled_from(SAMPLE.partition("\n")[0].split(","))
SAMPLE_SOURCES = st.one_of(
    SAMPLE_COLUMNS,
    SAMPLE_COLUMNS.map(lambda c: {"column": c, "unit": "s"}),
    st.lists(SAMPLE_COLUMNS, min_size=1, max_size=3).map(lambda c: {"columns": c, "sep": "/"}),
    SOURCES,
)


@budget(examples=8, seconds=60)
@given(
    spec=mapping_specs(
        st.sampled_from([*FIELDS, "timestamp", *OPTIONS]), SAMPLE_SOURCES, sections=False
    )
)
def test_a_mapping_that_parses_ingests_or_says_why(fuzz_ws, folder, spec):
    note(repr(spec))
    try:
        mapping = ColumnMapping.parse("events", spec)
    except InputError as error:
        event(type(error).__name__)
        return
    ws = emptied(fuzz_ws)
    path = new_file(folder, ".csv", SAMPLE.encode())
    try:
        report = ws.ingest_events(path, mapping)
    except ParcoursError as error:
        event(f"refused: {type(error).__name__}")
        return
    event("read")
    check_report(ws, report, rows=3 if mapping.delimiter in (None, ",") else None)


# -- found by fuzzing, in the ingestion code ------------------------------------------------
# Each test states the rule with the smallest input found.

ROW = "2026-03-01 10:00:00,web,view,C1"
OBJECT = '{"ts": "2026-03-01 10:00:00", "channel": "web", "event": "view", "customer_id": "C1"'


def test_csv_columns_differing_only_in_case_are_refused_by_name(fuzz_ws, tmp_path):
    # DuckDB reads names without case: it would rename the second one 'event_1'.
    ws = emptied(fuzz_ws)
    path = tmp_path / "case.csv"
    path.write_text(f"ts,channel,Event,customer_id,event\n{ROW},x\n", encoding="utf-8")
    with pytest.raises(SourceError, match="columns 'Event' and 'event' differ only in case"):
        ws.ingest_events(path)


@pytest.mark.parametrize(
    "lines, reason",
    [
        (
            [OBJECT + ', "Event": "x"}', OBJECT + "}"],
            "NDJSON line 1: the keys 'event' and 'Event' differ only in case",
        ),
        (
            [OBJECT + "}", '{"ts": "2026-03-01 10:00:00", "channel": "web", "Event": "view"}'],
            "NDJSON line 2: the key 'Event' differs only in case from the key 'event' of an "
            "earlier line",
        ),
    ],
    ids=["one-line", "two-lines"],
)
def test_ndjson_keys_differing_only_in_case_reject_their_line(fuzz_ws, tmp_path, lines, reason):
    ws = emptied(fuzz_ws)
    path = tmp_path / "case.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ws.ingest_events(path)
    assert (report.rows, report.accepted, report.rejected) == (2, 1, 1)
    assert report.rejections[0][1].startswith(reason)
    assert ws.events.columns  # the kept line is read with its own names
    assert json.loads(ws.events.properties.to_pyarrow()[0].as_py()) == {}


def test_a_lone_carriage_return_in_a_cell_of_a_salvaged_file_is_read(fuzz_ws, tmp_path):
    ws = emptied(fuzz_ws)
    path = tmp_path / "cr.csv"
    path.write_bytes(b'ts,channel,event,customer_id\r\n2026-03-01 10:00:00,web,"a\rb",C1\n')
    report = ws.ingest_events(path)
    assert (report.rows, report.accepted) == (1, 1)
    assert ws.events.event.to_pyarrow().to_pylist() == ["a\rb"]


def test_a_nul_in_a_csv_column_name_is_refused_by_name(fuzz_ws, tmp_path):
    ws = emptied(fuzz_ws)
    path = tmp_path / "nul.csv"
    path.write_bytes(b"ts,channel,event,customer_id,a\x00b\n" + ROW.encode() + b",1\n")
    with pytest.raises(SourceError, match=r"a column has a NUL in its name \('a\\x00b'\)"):
        ws.ingest_events(path)


def test_a_nul_in_a_json_key_rejects_its_line(fuzz_ws, tmp_path):
    ws = emptied(fuzz_ws)
    path = tmp_path / "nul.ndjson"
    path.write_text(OBJECT + ', "a\\u0000b": 1}\n' + OBJECT + "}\n", encoding="utf-8")
    report = ws.ingest_events(path)
    assert (report.rows, report.accepted, report.rejected) == (2, 1, 1)
    assert report.rejections == [
        (1, "NDJSON line 1: the key 'a\\x00b' holds a NUL byte; name every key with text")
    ]


def test_a_nul_in_a_nested_json_key_is_read(fuzz_ws, tmp_path):
    ws = emptied(fuzz_ws)
    path = tmp_path / "nested.ndjson"
    path.write_text(OBJECT + ', "p": {"a\\u0000b": 1}}\n', encoding="utf-8")
    assert ws.ingest_events(path).accepted == 1


@pytest.mark.parametrize("key", ['"p": {"": 1}', '"": 1'], ids=["nested", "top"])
def test_an_empty_json_key_rejects_its_line(fuzz_ws, tmp_path, key):
    # ibis cannot type a nested object with an empty key; no column can be named "".
    ws = emptied(fuzz_ws)
    path = tmp_path / "empty-key.ndjson"
    path.write_text(OBJECT + "}\n" + OBJECT + ", " + key + "}\n", encoding="utf-8")
    report = ws.ingest_events(path)
    assert (report.rows, report.accepted, report.rejected) == (2, 1, 1)
    assert report.rejections == [(2, "NDJSON line 2: a key is empty; name every key with text")]


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"ignore": 5}, "option 'ignore' is a list of column names; got 5"),
        ({"timezone": 5}, "option 'timezone' is an IANA time zone name"),
        ({"timestamp_format": 5}, "option 'timestamp_format' is a strptime format"),
        ({"events": {"timezone": {"column": "ts"}}}, "option 'timezone' is an IANA"),
        ({"phone_region": ["FR"]}, "option 'phone_region' is a two-letter region code"),
        ({"delimiter": 5}, "option 'delimiter' is one character"),
        ({"delimiter": ";;"}, "option 'delimiter' is one character"),
    ],
    ids=repr,
)
def test_an_option_of_another_type_is_a_mapping_error(spec, message):
    with pytest.raises(MappingError, match=re.escape(message)):
        ColumnMapping.parse("events", spec)


@pytest.mark.parametrize(
    "spec",
    [
        {"channel": {"value": "a\x00"}},
        {"event": {"columns": ["event", "channel"], "sep": "\x00"}},
    ],
    ids=repr,
)
def test_a_nul_in_a_constant_is_a_mapping_error(fuzz_ws, tmp_path, spec):
    ws = emptied(fuzz_ws)
    path = tmp_path / "in.csv"
    path.write_text(f"ts,channel,event,customer_id\n{ROW}\n", encoding="utf-8")
    with pytest.raises(MappingError, match="holds a NUL byte; write text without it"):
        ws.ingest_events(path, spec)


@pytest.mark.parametrize("name", ["raw", "e164"])
def test_a_column_named_like_an_internal_one_is_a_property(fuzz_ws, tmp_path, name):
    ws = emptied(fuzz_ws)
    path = tmp_path / "raw.csv"
    path.write_text(
        f"ts,channel,event,phone,{name}\n2026-03-01 10:00:00,web,view,0612345678,x\n",
        encoding="utf-8",
    )
    report = ws.ingest_events(path)
    assert report.accepted == 1
    assert json.loads(ws.events.properties.to_pyarrow()[0].as_py()) == {name: "x"}


@pytest.mark.parametrize("name", ["__row", "__reason", "_from", "__event", "___row"])
def test_a_column_named_like_an_internal_one_keeps_its_values(fuzz_ws, tmp_path, name):
    ws = emptied(fuzz_ws)
    path = tmp_path / "row.csv"
    path.write_text(f"ts,channel,event,customer_id,{name}\n{ROW},hello\n", encoding="utf-8")
    assert ws.ingest_events(path).accepted == 1
    assert json.loads(ws.events.properties.to_pyarrow()[0].as_py()) == {name: "hello"}


def test_a_rejected_row_keeps_a_column_named_row_in_its_record(fuzz_ws, tmp_path):
    ws = emptied(fuzz_ws)
    path = tmp_path / "row.csv"
    path.write_text("ts,channel,event,customer_id,__row\nnope,web,view,C1,7\n", encoding="utf-8")
    report = ws.ingest_events(path)
    assert report.rejections[0][0] == 1
    record = ws.con.table("rejected").record.to_pyarrow()[0].as_py()
    assert json.loads(record)["__row"] == "7"


def test_nested_keys_differing_only_in_case_reject_their_line(fuzz_ws, tmp_path):
    # DuckDB cannot type an object whose keys differ only in case.
    ws = emptied(fuzz_ws)
    path = tmp_path / "nested-case.ndjson"
    path.write_text(OBJECT + ', "p": {"a": 1, "A": 2}}\n' + OBJECT + "}\n", encoding="utf-8")
    report = ws.ingest_events(path)
    assert (report.rows, report.accepted, report.rejected) == (2, 1, 1)
    assert report.rejections == [
        (
            1,
            "NDJSON line 1: the keys 'a' and 'A' differ only in case, which the engine does "
            "not tell apart; rename one",
        )
    ]


def test_a_nested_key_in_other_letters_than_an_earlier_line_rejects_its_line(fuzz_ws, tmp_path):
    # One nested column for both lines: DuckDB cannot type p with fields a and A.
    ws = emptied(fuzz_ws)
    path = tmp_path / "nested-lines.ndjson"
    path.write_text(OBJECT + ', "p": {"a": 1}}\n' + OBJECT + ', "p": {"A": 2}}\n', encoding="utf-8")
    report = ws.ingest_events(path)
    assert (report.rows, report.accepted, report.rejected) == (2, 1, 1)
    assert report.rejections[0][0] == 2
    assert report.rejections[0][1].startswith(
        "NDJSON line 2: the key 'p.A' differs only in case from the key 'p.a' of an earlier line"
    )


def test_a_json_line_giving_a_key_twice_is_rejected_alone(fuzz_ws, tmp_path):
    ws = emptied(fuzz_ws)
    path = tmp_path / "twice.ndjson"
    path.write_text(OBJECT + "}\n" + OBJECT + ', "note": 1, "note": 2}\n', encoding="utf-8")
    report = ws.ingest_events(path)
    assert (report.rows, report.accepted, report.rejected) == (2, 1, 1)
    assert report.rejections == [
        (2, "NDJSON line 2: the key 'note' is given twice in one object; give it once")
    ]


@pytest.mark.parametrize("name", ["", "a\x00", "Event"], ids=["empty", "nul", "case"])
def test_a_table_with_an_unusable_column_name_is_read_or_refused(fuzz_ws, name):
    ws = emptied(fuzz_ws)
    columns = {"ts": ["2026-03-01 10:00:00"], "channel": ["web"], "event": ["view"]}
    table = pa.table({**columns, "customer_id": ["C1"], name: ["x"]})
    with contextlib.suppress(ParcoursError):  # a parcours error is a fine answer
        ws.ingest_events(table)


@pytest.mark.parametrize("rows", [[ROW + ",12"], [ROW, ROW + ",12"]], ids=["only", "last"])
def test_a_last_row_with_a_cell_more_is_rejected_alone(fuzz_ws, tmp_path, rows):
    ws = emptied(fuzz_ws)
    path = tmp_path / "wide.csv"
    path.write_text("ts,channel,event,customer_id\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = ws.ingest_events(path)
    assert (report.rows, report.rejected) == (len(rows), 1)
    line = len(rows) + 1
    assert report.rejections == [
        (len(rows), f"malformed CSV line {line}: expected 4 fields, found 5")
    ]
