"""Column mappings: which source column feeds which workspace field.

A mapping is given as YAML (or as keyword arguments) and names, for each workspace field,
where its value comes from:

    ts: time:timestamp                 # a source column
    ts: {column: t, unit: ms}          # numbers: s, ms or us since 1970-01-01 UTC (never guessed)
    customer_id: case:concept:name
    channel: {value: web}              # a constant
    event: {columns: [concept:name, lifecycle:transition], sep: "/"}   # columns joined
    timezone: UTC                      # zone of naive timestamps (default Europe/Paris)
    timestamp_format: "%Y%m%d"         # strptime format, or epoch_s / epoch_ms
    delimiter: ";"                     # CSV delimiter; "whitespace" for aligned text
    duplicate_rows: keep               # identical rows are distinct events (default: drop)
    on_conflict: latest                # one event_id, other content: keep the latest (default: first)
    ignore: [org:resource]             # columns kept out of properties/attributes

Data shaping (see docs/mapping.md):

    event: {column: Step, values: {"Equipment Received": reception}, slug: true}  # recoded
    unpivot: {columns: [Livraison, SAV], into: touchpoint, slug: true}  # feedback: wide survey
    not_applicable: {csat: [0, "N/A"]}  # feedback: scores skipped and counted, not rejected
    default_ts: ingest                 # feedback: the date of rows without one (or {column: C})

With no mapping, columns whose names are the field names are recognised (``timestamp``
also stands for ``ts``). Every source column not mapped (nor ignored) goes to the row's
``properties`` (events, feedback) or ``attributes`` (customers): nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parcours.errors import MapError, MappingError
from parcours.maps.yaml_io import read_data, read_file

WHITESPACE = "whitespace"  # delimiter: fields separated by runs of spaces or tabs

IDENTIFIER_FIELDS = ("customer_id", "anonymous_id", "email", "phone", "loyalty_id")

FIELDS: dict[str, tuple[str, ...]] = {
    "events": ("event_id", "ts", *IDENTIFIER_FIELDS, "channel", "event", "revenue"),
    "customers": (*IDENTIFIER_FIELDS, "updated_at"),
    "feedback": (
        "feedback_id",
        "ts",
        *IDENTIFIER_FIELDS,
        "touchpoint",
        "stage",
        "kind",
        "score",
        "verbatim",
        "language",
    ),
}

# Other names a column may carry and still be recognised without a mapping; with the
# standard attributes of an XES event log (and of its CSV exports: pm4py, ProM, Disco), each
# case is a person's journey: its time, its activity, its case id.
ALIASES: dict[str, tuple[str, ...]] = {
    "ts": ("timestamp", "time", "date", "time:timestamp"),
    "event": ("concept:name",),
    "customer_id": ("case:concept:name",),
}

OPTIONS = (
    "timezone",
    "timestamp_format",
    "ignore",
    "phone_region",
    "delimiter",
    "duplicate_rows",
    "on_conflict",
    "unpivot",
    "not_applicable",
    "default_ts",
)
# Options that shape feedback only (a survey): one row per answer of a wide file, answers
# meaning "not applicable", a date for answers without one.
FEEDBACK_OPTIONS = ("unpivot", "not_applicable", "default_ts")
# Text fields whose values may be recoded (a table, or slugs): ids of the map.
RECODABLE = ("event", "channel", "touchpoint", "stage", "kind")
# unpivot: the fields a column's name may give, and the fields its cells may give.
UNPIVOT_INTO = ("touchpoint", "stage", "kind")
UNPIVOT_VALUE = ("score", "verbatim")
# The columns an unpivoted source has besides its own (see parcours.store.ingest): the name
# of the column an answer was in, and the answer. A source column beginning with "_" is
# renamed while the ingest works (sources.internal), so none has these names.
ANSWER_NAME, ANSWER_VALUE = "__answer_name", "__answer_value"
INGEST_TIME = "ingest"  # default_ts: the time of the ingest
DUPLICATE_ROWS = ("drop", "keep")
# Which version of a key (event_id, feedback_id) given twice with other content is kept.
ON_CONFLICT = ("first", "latest")
# Fields holding a time, and the units a number of them may count since 1970-01-01 UTC.
TIMESTAMP_FIELDS = ("ts", "updated_at")
UNITS = {"s": "seconds", "ms": "milliseconds", "us": "microseconds"}


@dataclass(frozen=True)
class Source:
    """Where one field's value comes from: a column, several columns joined, or a constant."""

    columns: tuple[str, ...] = ()
    value: str | None = None
    sep: str = " "
    unit: str | None = None  # a time given as a number: what it counts (a key of UNITS)
    # Recoding of the (trimmed) text: each value of the table to its id; with slug, every
    # other value to its slug (see parcours.store.ingest.slug); else kept as written.
    values: tuple[tuple[str, str], ...] = ()
    slug: bool = False


@dataclass(frozen=True)
class Unpivot:
    """A wide survey: one column per touchpoint (or stage, or kind), read as one row per
    answer. Each column's name gives the field ``into`` (its id from ``names`` when listed
    there, else its slug with ``slug``, else the name as written); each cell gives the
    field ``value``. An empty cell is no answer: skipped and counted."""

    columns: tuple[str, ...]
    into: str = "touchpoint"
    value: str = "score"
    names: tuple[tuple[str, str], ...] = ()
    slug: bool = False

    def source(self) -> Source:
        """Where the field ``into`` comes from: the name of each answer's column."""
        return Source(columns=(ANSWER_NAME,), values=self.names, slug=self.slug)


@dataclass(frozen=True)
class NotApplicable:
    """Scores meaning "not applicable": numbers (compared as numbers: 0 is 0.0) and texts
    (compared trimmed, without case), for every kind (``kind`` None) or for one."""

    kind: str | None
    numbers: tuple[float, ...] = ()
    texts: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColumnMapping:
    """A validated mapping for one target table (events, customers or feedback)."""

    target: str
    fields: dict[str, Source] = field(default_factory=dict)
    timezone: str | None = None
    timestamp_format: str | None = None
    ignore: tuple[str, ...] = ()
    phone_region: str | None = None
    delimiter: str | None = None
    duplicate_rows: str = "drop"
    on_conflict: str = "first"
    unpivot: Unpivot | None = None
    not_applicable: tuple[NotApplicable, ...] = ()
    default_ts: str | Source | None = None  # INGEST_TIME, or a column (Source)

    @classmethod
    def parse(
        cls,
        target: str,
        spec: dict[str, Any] | None,
        where: str = "mapping",
        overrides: dict[str, Any] | None = None,
    ) -> ColumnMapping:
        """Check a mapping written as a dict (from YAML or keyword arguments); ``overrides``
        (keyword arguments, command-line options) win over the keys of ``spec``."""
        if target not in FIELDS:
            raise MappingError(f"unknown target '{target}'; allowed: {', '.join(FIELDS)}")
        spec = dict(spec or {})
        # A mapping file may hold one section per target.
        if target in spec and isinstance(spec[target], dict):
            spec = dict(spec[target])
        spec.update(overrides or {})
        fields: dict[str, Source] = {}
        options: dict[str, Any] = {}
        for key, raw in spec.items():
            _check_text(raw, f"{where}: '{key}'")
            if key in OPTIONS:
                options[key] = _option(key, raw, where)
            elif key in FIELDS[target]:
                fields[key] = _source(raw, f"{where}: field '{key}'")
            elif key in ("timestamp",) and "ts" in FIELDS[target]:
                fields["ts"] = _source(raw, f"{where}: field '{key}'")
            else:
                allowed = ", ".join((*FIELDS[target], *OPTIONS))
                raise MappingError(f"{where}: unknown key '{key}' for {target}; allowed: {allowed}")
        if options.get("duplicate_rows", "drop") not in DUPLICATE_ROWS:
            raise MappingError(
                f"{where}: duplicate_rows '{options['duplicate_rows']}' is not known; "
                f"allowed: {', '.join(DUPLICATE_ROWS)} (keep: identical rows of a file are "
                "distinct events)"
            )
        if options.get("on_conflict", "first") not in ON_CONFLICT:
            raise MappingError(
                f"{where}: on_conflict '{options['on_conflict']}' is not known; allowed: "
                f"{', '.join(ON_CONFLICT)} (which version of an event_id given twice with "
                "other content is kept)"
            )
        shaping = [key for key in FEEDBACK_OPTIONS if key in options]
        if shaping and target != "feedback":
            raise MappingError(
                f"{where}: option '{shaping[0]}' shapes survey answers: it is for feedback "
                f"only, not {target}"
            )
        if "unpivot" in options:
            options["unpivot"] = _unpivot(options["unpivot"], fields, f"{where}: unpivot")
        if "not_applicable" in options:
            options["not_applicable"] = _not_applicable(
                options["not_applicable"], f"{where}: not_applicable"
            )
        if "default_ts" in options:
            options["default_ts"] = _default_ts(options["default_ts"], f"{where}: default_ts")
        for name, src in fields.items():
            if (src.values or src.slug) and name not in RECODABLE:
                raise MappingError(
                    f"{where}: field '{name}' is recoded (values, slug); only these are: "
                    + ", ".join(f for f in RECODABLE if f in FIELDS[target])
                )
            if src.unit is not None and name not in TIMESTAMP_FIELDS:
                raise MappingError(
                    f"{where}: field '{name}' has a unit; only a time has one "
                    f"({', '.join(f for f in TIMESTAMP_FIELDS if f in FIELDS[target])})"
                )
        return cls(target=target, fields=fields, **options)

    @classmethod
    def load(
        cls, target: str, path: str | Path, overrides: dict[str, Any] | None = None
    ) -> ColumnMapping:
        path = Path(path)
        if not path.exists():
            raise MappingError(f"mapping file {path} does not exist")
        try:
            spec = read_data(read_file(path), str(path))
        except (OSError, UnicodeDecodeError) as exc:
            raise MappingError(f"{path}: cannot be read: {exc}") from None
        except MapError as exc:  # the YAML does not parse, or passes a reading limit
            raise MappingError("; ".join(str(p) for p in exc.problems)) from None
        if spec is not None and not isinstance(spec, dict):
            raise MappingError(f"{path}: a mapping is a YAML dictionary of field: column")
        return cls.parse(target, spec, where=str(path), overrides=overrides)

    def resolve(self, columns: list[str], source_name: str) -> dict[str, Source]:
        """Fill unmapped fields from same-named columns and check every named column exists."""
        resolved = dict(self.fields)
        present = set(columns)
        shaped = {}  # the fields an unpivot gives: from its own columns
        if self.unpivot is not None:  # its columns are checked by ingest.shaped
            shaped = {
                self.unpivot.into: self.unpivot.source(),
                self.unpivot.value: Source(columns=(ANSWER_VALUE,)),
            }
        default = self.default_ts
        if isinstance(default, Source) and default.columns[0] not in present:
            raise MappingError(
                f"{source_name}: default_ts is column {default.columns[0]!r}, which the "
                f"source does not have; its columns are: {', '.join(columns)}"
            )
        # a column another field is mapped to is not taken again under an alias
        # (anonymous_id: case:concept:name leaves customer_id empty)
        used = {c for src in resolved.values() for c in src.columns}
        for name in FIELDS[self.target]:
            if name in resolved or name in shaped:
                continue
            aliases = [c for c in ALIASES.get(name, ()) if c not in used]
            for candidate in (name, *aliases):
                if candidate in present:
                    resolved[name] = Source(columns=(candidate,))
                    break
        for name, src in resolved.items():
            missing = [c for c in src.columns if c not in present]
            if missing:
                raise MappingError(
                    f"{source_name}: field '{name}' is mapped to column "
                    f"{', '.join(repr(c) for c in missing)}, which the source does not have; "
                    f"its columns are: {', '.join(columns)}"
                )
        resolved.update(shaped)
        unknown_ignored = [c for c in self.ignore if c not in present]
        if unknown_ignored:
            raise MappingError(
                f"{source_name}: 'ignore' names {', '.join(map(repr, unknown_ignored))}, "
                f"not a column of the source; its columns are: {', '.join(columns)}"
            )
        return resolved

    def leftover(self, columns: list[str], resolved: dict[str, Source]) -> list[str]:
        """Source columns that go to properties/attributes."""
        used = {c for src in resolved.values() for c in src.columns} | set(self.ignore)
        if self.unpivot is not None:
            used |= set(self.unpivot.columns)
        if isinstance(self.default_ts, Source):
            used |= set(self.default_ts.columns)
        return [c for c in columns if c not in used]


# What each option's value is, as a user reads it in an error.
OPTION_KINDS = {
    "timezone": "an IANA time zone name such as Europe/Paris or UTC",
    "timestamp_format": "a strptime format such as '%d/%m/%Y %H:%M', or epoch_s / epoch_ms",
    "ignore": "a list of column names",
    "phone_region": "a two-letter region code such as FR",
    "delimiter": f"one character (such as ';' or '|') or {WHITESPACE!r}",
    "duplicate_rows": " or ".join(DUPLICATE_ROWS),
    "on_conflict": " or ".join(ON_CONFLICT),
}


def _option(key: str, raw: Any, where: str) -> Any:
    """An option's value, checked for its kind (its allowed values are checked later)."""
    if key in FEEDBACK_OPTIONS:  # checked by their own parsers
        return raw
    if key == "ignore":
        if isinstance(raw, str):
            raw = [raw]
        if isinstance(raw, list) and all(isinstance(c, str) and c for c in raw):
            return tuple(raw)
    elif key == "delimiter":
        if isinstance(raw, str) and (raw == WHITESPACE or (len(raw) == 1 and raw not in '"\r\n')):
            return raw
    elif isinstance(raw, str) and raw.strip():
        return raw
    raise MappingError(f"{where}: option '{key}' is {OPTION_KINDS[key]}; got {raw!r}")


def _check_text(raw: Any, where: str) -> None:
    """A NUL byte is no text: refused in any name, constant or option of a mapping."""
    if isinstance(raw, str) and "\x00" in raw:
        raise MappingError(f"{where}: {raw!r} holds a NUL byte; write text without it")
    if isinstance(raw, dict):
        for key, value in raw.items():
            _check_text(key, where)
            _check_text(value, where)
    if isinstance(raw, list):
        for value in raw:
            _check_text(value, where)


def _source(raw: Any, where: str) -> Source:
    if isinstance(raw, str):
        return Source(columns=(raw,))
    if isinstance(raw, dict) and ("values" in raw or "slug" in raw) and "value" not in raw:
        recode = {k: raw[k] for k in ("values", "slug") if k in raw}
        plain = _source({k: v for k, v in raw.items() if k not in recode}, where)
        values, slug = _recoding(recode.get("values"), recode.get("slug", False), where)
        return Source(plain.columns, plain.value, plain.sep, plain.unit, values, slug)
    if isinstance(raw, dict):
        keys = set(raw)
        if keys == {"value"}:
            return Source(value=str(raw["value"]))
        if keys == {"column"}:
            return Source(columns=(str(raw["column"]),))
        if keys == {"column", "unit"}:
            if raw["unit"] not in UNITS:
                raise MappingError(
                    f"{where}: unit {raw['unit']!r} is not known; allowed: "
                    + ", ".join(f"{u} ({name})" for u, name in UNITS.items())
                    + " since 1970-01-01 UTC"
                )
            return Source(columns=(str(raw["column"]),), unit=str(raw["unit"]))
        if "columns" in keys and keys <= {"columns", "sep"}:
            cols = raw["columns"]
            if isinstance(cols, list) and cols and all(isinstance(c, str) for c in cols):
                return Source(columns=tuple(cols), sep=str(raw.get("sep", " ")))
    raise MappingError(
        f"{where}: expected a column name, {{column: NAME}}, {{column: NAME, unit: s|ms|us}}, "
        f"{{value: CONSTANT}} or {{columns: [A, B], sep: ' '}} (a column may be recoded: "
        f"values: {{RAW: ID}}, slug: true); got {raw!r}"
    )


def _recoding(values: Any, slug: Any, where: str) -> tuple[tuple[tuple[str, str], ...], bool]:
    """A recoding table (raw value -> id, both texts) and whether other values are slugged."""
    if not isinstance(slug, bool):
        raise MappingError(f"{where}: slug is true or false; got {slug!r}")
    if values is None:
        if not slug:
            raise MappingError(
                f"{where}: nothing to recode; give values: {{RAW: ID}} or slug: true"
            )
        return (), slug
    if not isinstance(values, dict) or not values:
        raise MappingError(f"{where}: values is a table of raw value: id; got {values!r}")
    table = []
    for raw, new in values.items():
        if isinstance(raw, bool) or isinstance(new, bool) or new is None or raw is None:
            raise MappingError(
                f"{where}: values maps a text to a text; got {raw!r}: {new!r} (quote yes, no, "
                "true, false and null in YAML)"
            )
        text, target = str(raw).strip(), str(new).strip()
        if not text or not target:
            raise MappingError(f"{where}: values maps a text to a text; got {raw!r}: {new!r}")
        table.append((text, target))
    if len({raw for raw, _ in table}) < len(table):
        raise MappingError(f"{where}: values gives a raw value twice (once trimmed)")
    return tuple(table), slug


def _unpivot(raw: Any, fields: dict[str, Source], where: str) -> Unpivot:
    allowed = {"columns", "into", "value", "slug"}
    if not isinstance(raw, dict) or "columns" not in raw or not set(raw) <= allowed:
        raise MappingError(
            f"{where}: expected {{columns: [A, B] or {{A: id, B: id}}, into: touchpoint, "
            f"value: score, slug: true}}; got {raw!r}"
        )
    into, value = raw.get("into", "touchpoint"), raw.get("value", "score")
    if into not in UNPIVOT_INTO:
        raise MappingError(
            f"{where}: into {into!r} is not known; allowed: {', '.join(UNPIVOT_INTO)} (the "
            "field each column's name gives)"
        )
    if value not in UNPIVOT_VALUE:
        raise MappingError(
            f"{where}: value {value!r} is not known; allowed: {', '.join(UNPIVOT_VALUE)} (the "
            "field each cell gives)"
        )
    for name in (into, value):
        if name in fields:
            raise MappingError(
                f"{where}: field '{name}' comes from the unpivoted columns; do not map it too"
            )
    columns, slug = raw["columns"], raw.get("slug", False)
    names: tuple[tuple[str, str], ...] = ()
    if isinstance(columns, dict):
        names, slug = _recoding(columns, slug, where)
        columns = list(columns)
    elif not isinstance(slug, bool):
        raise MappingError(f"{where}: slug is true or false; got {slug!r}")
    if not (isinstance(columns, list) and columns and all(isinstance(c, str) for c in columns)):
        raise MappingError(f"{where}: columns is a list of column names; got {columns!r}")
    if len(set(columns)) < len(columns):
        raise MappingError(f"{where}: columns names a column twice")
    names = tuple((str(c).strip(), new) for c, new in names)
    return Unpivot(tuple(columns), into, value, names, slug)


def _not_applicable(raw: Any, where: str) -> tuple[NotApplicable, ...]:
    """``[0, "N/A"]`` (every kind) or ``{csat: [0], nps: ["N/A"]}`` (per kind)."""
    kinds = ("nps", "csat", "ces", "review")  # parcours.store.ingest.FEEDBACK_SCALES
    by_kind = raw if isinstance(raw, dict) else {None: raw}
    found = []
    for kind, values in by_kind.items():
        if kind is not None and kind not in kinds:
            raise MappingError(f"{where}: kind {kind!r} is not known; allowed: {', '.join(kinds)}")
        values = values if isinstance(values, list) else [values]
        numbers, texts = [], []
        for value in values:
            if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
                raise MappingError(
                    f"{where}: a value meaning not applicable is a number or a text; got {value!r}"
                )
            try:
                numbers.append(float(str(value).strip().replace(",", ".")))
            except ValueError:
                if not str(value).strip():
                    raise MappingError(f"{where}: an empty text means no score, not N/A") from None
                texts.append(str(value).strip().lower())
        found.append(NotApplicable(kind, tuple(numbers), tuple(texts)))
    return tuple(found)


def _default_ts(raw: Any, where: str) -> str | Source:
    if raw == INGEST_TIME:
        return INGEST_TIME
    if isinstance(raw, dict) and set(raw) == {"column"} and isinstance(raw["column"], str):
        return Source(columns=(raw["column"],))
    raise MappingError(
        f"{where}: expected {INGEST_TIME!r} (the time of the ingest, UTC) or {{column: NAME}} "
        f"(a column of the file); got {raw!r}"
    )
