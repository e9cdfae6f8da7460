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

# Other names a column may carry and still be recognised without a mapping.
ALIASES: dict[str, tuple[str, ...]] = {"ts": ("timestamp", "time", "date")}

OPTIONS = (
    "timezone",
    "timestamp_format",
    "ignore",
    "phone_region",
    "delimiter",
    "duplicate_rows",
    "on_conflict",
)
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
            if key in OPTIONS:
                options[key] = tuple(raw) if key == "ignore" else raw
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
        for name, src in fields.items():
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
        for name in FIELDS[self.target]:
            if name in resolved:
                continue
            for candidate in (name, *ALIASES.get(name, ())):
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
        return [c for c in columns if c not in used]


def _source(raw: Any, where: str) -> Source:
    if isinstance(raw, str):
        return Source(columns=(raw,))
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
        f"{{value: CONSTANT}} or {{columns: [A, B], sep: ' '}}; got {raw!r}"
    )
