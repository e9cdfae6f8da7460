"""Column mappings: which source column feeds which workspace field.

A mapping is given as YAML (or as keyword arguments) and names, for each workspace field,
where its value comes from:

    ts: time:timestamp                 # a source column
    customer_id: case:concept:name
    channel: {value: web}              # a constant
    event: {columns: [concept:name, lifecycle:transition], sep: "/"}   # columns joined
    timezone: UTC                      # zone of naive timestamps (default Europe/Paris)
    timestamp_format: "%Y%m%d"         # strptime format, or epoch_s / epoch_ms
    delimiter: ";"                     # CSV delimiter; "whitespace" for aligned text
    duplicate_rows: keep               # identical rows are distinct events (default: drop)
    ignore: [org:resource]             # columns kept out of properties/attributes

With no mapping, columns whose names are the field names are recognised (``timestamp``
also stands for ``ts``). Every source column not mapped (nor ignored) goes to the row's
``properties`` (events, feedback) or ``attributes`` (customers): nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from parcours.errors import MappingError

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

OPTIONS = ("timezone", "timestamp_format", "ignore", "phone_region", "delimiter", "duplicate_rows")
DUPLICATE_ROWS = ("drop", "keep")


@dataclass(frozen=True)
class Source:
    """Where one field's value comes from: a column, several columns joined, or a constant."""

    columns: tuple[str, ...] = ()
    value: str | None = None
    sep: str = " "


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

    @classmethod
    def parse(
        cls, target: str, spec: dict[str, Any] | None, where: str = "mapping"
    ) -> ColumnMapping:
        """Check a mapping written as a dict (from YAML or keyword arguments)."""
        if target not in FIELDS:
            raise MappingError(f"unknown target '{target}'; allowed: {', '.join(FIELDS)}")
        spec = dict(spec or {})
        # A mapping file may hold one section per target.
        if target in spec and isinstance(spec[target], dict):
            spec = dict(spec[target])
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
        return cls(target=target, fields=fields, **options)

    @classmethod
    def load(cls, target: str, path: str | Path) -> ColumnMapping:
        path = Path(path)
        if not path.exists():
            raise MappingError(f"mapping file {path} does not exist")
        try:
            spec = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        except YAMLError as exc:
            raise MappingError(f"{path}: not valid YAML: {exc}") from None
        if spec is not None and not isinstance(spec, dict):
            raise MappingError(f"{path}: a mapping is a YAML dictionary of field: column")
        return cls.parse(target, spec, where=str(path))

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
        if "columns" in keys and keys <= {"columns", "sep"}:
            cols = raw["columns"]
            if isinstance(cols, list) and cols and all(isinstance(c, str) for c in cols):
                return Source(columns=tuple(cols), sep=str(raw.get("sep", " ")))
    raise MappingError(
        f"{where}: expected a column name, {{column: NAME}}, {{value: CONSTANT}} "
        f"or {{columns: [A, B], sep: ' '}}; got {raw!r}"
    )
