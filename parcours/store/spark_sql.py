"""Ibis' Spark SQL compiler, made to give DuckDB's answers where the ingest's checks ask.

The ingest (:mod:`parcours.store.ingest`) is written once, in Ibis, with a few DuckDB
functions (declared as builtins) and casts whose answers differ between the engines. On a
``spark:DIR`` workspace the same expressions are compiled by this compiler, so that Spark
accepts and rejects the same rows, with the same reasons and records:

- ``timezone(zone, wall)``: Spark's ``to_utc_timestamp`` moves a wall-clock time that does
  not exist forward by the gap, as DuckDB does, but reads one that occurs twice (02:30 on
  the fall-back night) as the earlier occurrence; DuckDB (ICU) reads the later one.
- ``try_strptime(text, format)``: the strftime format translated to Spark's pattern.
- a text cast to a timestamp: Spark also reads ``2024`` or ``2024-01`` as instants; only
  the shapes DuckDB reads are read (a date, a time of day, seconds, a zone designator).
- ``strip_accents``, ``to_timestamp(seconds)``, ``json_object``, ``json_merge_patch``,
  ``json_transform`` to a map of texts, ``list_sort``: their Spark forms.
- a struct as JSON (a row's properties, a rejected row's record, a row's digest): nulls
  kept (Spark leaves them out), times and floats written as DuckDB writes them
  (``2024-01-05 10:00:00``, ``+00`` for an instant; ``123456789.12345679`` where Java
  writes ``1.2345678912345679E8``).
- a regular expression's replacement: ``\\1`` is ``$1`` in Java.
- whether a float is infinite: Ibis' test is always false on Spark.
- ``IS NULL`` of a float: NaN is a value, as on DuckDB (Ibis reads it as NULL on Spark:
  ``NaN`` would be "not a number" rather than "not a finite number").

``tests/store/test_spark_sql.py`` compares each with DuckDB on the same values.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import ibis.expr.datatypes as dt
import sqlglot.expressions as sge
from ibis.backends.sql.compilers.pyspark import PySparkCompiler
from sqlglot import and_ as sg_and
from sqlglot import or_ as sg_or

from parcours.errors import MappingError

# The texts DuckDB casts to a timestamp: a date (- or / between its parts), then maybe a
# time of day (H:MM, seconds, a fraction), then maybe a zone designator (Z, UTC, +01,
# +0100, +01:00). Spark reads more (a year alone, a month alone), which DuckDB refuses.
DUCKDB_TIMESTAMP = (
    r"^\d{4}([-/])\d{1,2}\1\d{1,2}"
    r"([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
    r"(\s*(Z|z|UTC|[+-]\d{2}(:?\d{2})?))?$"
)

# strftime's codes (DuckDB's strptime) -> Spark's datetime patterns. One letter where
# DuckDB reads one or two digits (%d reads 5 and 05; Spark's d reads both, dd only 05).
STRFTIME_CODES = {
    "Y": "yyyy",
    "y": "yy",
    "m": "M",
    "d": "d",
    "e": "d",
    "H": "H",
    "I": "h",
    "M": "m",
    "S": "s",
    "f": "SSSSSS",
    "p": "a",
    "b": "MMM",
    "h": "MMM",
    "B": "MMMM",
    "a": "EEE",
    "A": "EEEE",
    "j": "D",
    "z": "Z",
}

FIXED_WIDTH = {
    "m": "MM",
    "d": "dd",
    "e": "dd",
    "H": "HH",
    "I": "hh",
    "M": "mm",
    "S": "ss",
    "j": "DDD",
}


def spark_pattern(strftime: str) -> str:
    """``strftime`` (``%d/%m/%Y %H:%M``) as a Spark datetime pattern (``d/M/yyyy H:m``);
    MappingError for a code Spark has no pattern for."""
    out: list[str] = []
    literal: list[str] = []

    def flush() -> None:
        if literal:
            text = "".join(literal)
            # Letters are pattern letters in Spark: quoted; a quote is written twice.
            out.append(
                "'" + text.replace("'", "''") + "'" if re.search("[A-Za-z']", text) else text
            )
            literal.clear()

    i, after_code = 0, False
    while i < len(strftime):
        char = strftime[i]
        if char == "%" and i + 1 < len(strftime):
            code = strftime[i + 1]
            i += 2
            if code == "%":
                literal.append("%")
                after_code = False
                continue
            if code not in STRFTIME_CODES:
                allowed = " ".join("%" + c for c in STRFTIME_CODES)
                raise MappingError(
                    f"timestamp_format {strftime!r}: %{code} has no Spark form; a spark: "
                    f"workspace reads {allowed}"
                )
            flush()
            # Beside another code (%Y%m%d), a number has its full width: Spark cannot
            # tell where a number of one or two digits ends there.
            touching = after_code or (strftime[i : i + 1] == "%" and strftime[i : i + 2] != "%%")
            out.append(
                FIXED_WIDTH.get(code, STRFTIME_CODES[code]) if touching else STRFTIME_CODES[code]
            )
            after_code = True
            continue
        literal.append(char)
        after_code = False
        i += 1
    flush()
    return "".join(out)


def java_replacement(re2: str) -> str:
    """A replacement as DuckDB (RE2) writes it, ``\\1 …``, as Java writes it, ``$1 …``."""
    out, i = [], 0
    while i < len(re2):
        char = re2[i]
        if char == "\\" and i + 1 < len(re2):
            following = re2[i + 1]
            out.append("$" + following if following.isdigit() else "\\" + following)
            i += 2
            continue
        out.append("\\$" if char == "$" else char)
        i += 1
    return "".join(out)


def _accent_table() -> tuple[str, str]:
    """Each accented Latin letter and its letter without accent (é -> e), as DuckDB's
    strip_accents: a letter whose decomposition is a letter and combining marks."""
    accented, plain = [], []
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        if base != char and len(base) == 1:
            accented.append(char)
            plain.append(base)
    return "".join(accented), "".join(plain)


ACCENTED, UNACCENTED = _accent_table()
# Java's exponent (1.0E20, 1.5E-5) as DuckDB writes it (1e+20, 1.5e-05).
EXPONENT_REWRITES = (
    ("\\.0E", "E"),
    ("E(-?)(\\d)$", "E$10$2"),
    ("E(\\d)", "e+$1"),
    ("E-", "e-"),
)
NAIVE, INSTANT = dt.Timestamp(), dt.Timestamp(timezone="UTC")
SHIFTS = (("1", "HOUR"), ("30", "MINUTE"))  # how far a repeated hour can come again


class DuckDBLikeSparkCompiler(PySparkCompiler):
    """Ibis' Spark SQL compiler with DuckDB's answers for the ingest (see module doc)."""

    def visit_ScalarUDF(self, op: Any, **kw: Any) -> Any:
        name = op.__func_name__
        args = list(kw.values())
        if name == "timezone":
            return self._wall_to_utc(*args)
        if name == "try_strptime":
            text = args[0]
            pattern = spark_pattern(op.args[1].value)  # the mapping's format: a literal
            return self.cast(self.f.try_to_timestamp(text, sge.convert(pattern)), NAIVE)
        if name == "to_timestamp":
            return self.f.timestamp_seconds(args[0])
        if name == "strip_accents":
            return self.f.translate(args[0], sge.convert(ACCENTED), sge.convert(UNACCENTED))
        if name == "json_transform":  # only ever a JSON object as a map of texts
            return self.f.from_json(args[0], sge.convert("map<string,string>"))
        if name == "list_sort":
            return self.f.array_sort(args[0])
        if name == "json_object":
            return self.f.to_json(self.f.anon.map(*args))
        if name == "json_merge_patch":
            # Only ever a record and one pair whose key it lacks (an unpivoted answer):
            # the pair's key and value appended to the record.
            record, pair = args
            inner = self.f.substr(pair, 2)
            return sge.Case(
                ifs=[sge.If(this=record.eq(sge.convert("{}")), true=pair)],
                default=self.f.concat(
                    self.f.substr(record, 1, self.f.length(record) - 1), sge.convert(","), inner
                ),
            )
        return super().visit_ScalarUDF(op, **kw)

    def _wall_to_utc(self, zone: Any, wall: Any) -> Any:
        # The earlier reading, then a later one when the wall-clock time occurs again an
        # hour (or half an hour: Lord Howe) after it, as ICU reads it.
        local = self.cast(wall, INSTANT)
        earlier = self.f.to_utc_timestamp(local, zone)
        ifs = []
        for amount, unit in SHIFTS:
            interval = sge.Interval(this=sge.convert(amount), unit=sge.var(unit))
            later = sge.Add(this=earlier, expression=interval)
            same = self.f.from_utc_timestamp(later, zone).eq(local)
            ifs.append(sge.If(this=same, true=later))
        return sge.Case(ifs=ifs, default=earlier)

    def visit_TryCast(self, op: Any, *, arg: Any, to: Any) -> Any:
        cast = super().visit_TryCast(op, arg=arg, to=to)
        if not (to.is_timestamp() and op.arg.dtype.is_string()):
            return cast
        dashed = self.f.regexp_replace(arg, sge.convert("/"), sge.convert("-"))
        read = sge.TryCast(this=dashed, to=self.type_mapper.from_ibis(to), safe=True)
        shaped = self.f.rlike(arg, sge.convert(DUCKDB_TIMESTAMP))
        return sge.Case(ifs=[sge.If(this=shaped, true=read)], default=sge.Null())

    def visit_Strip(self, op: Any, *, arg: Any) -> Any:
        # Ibis writes the blanks as '\t\n\r\v\f', and Spark reads '\v' as 'v' (it
        # trimmed "view" to "iew"): the two it has no escape for are given by their codes.
        blanks = self.f.concat(sge.convert(" \t\n\r"), self.f.chr(11), self.f.chr(12))
        return sge.Trim(this=arg, expression=blanks)

    def visit_Cast(self, op: Any, *, arg: Any, to: Any) -> Any:
        if to.is_string() and op.arg.dtype.is_floating():
            return self._float_text(arg)
        if to.is_json() and op.arg.dtype.is_struct():
            text = self.f.to_json(
                self._as_duckdb_writes(arg, op.arg.dtype),
                self.f.anon.map(sge.convert("ignoreNullFields"), sge.convert("false")),
            )
            # A float is written above as a text (quoted): unquoted, a JSON number again.
            for name, field_type in op.arg.dtype.items():
                if field_type.is_floating():
                    key = re.escape(json.dumps(name, ensure_ascii=False))
                    pattern = sge.convert(f'({key}):"([^"]*)"')
                    text = self.f.regexp_replace(text, pattern, sge.convert("$1:$2"))
            return text
        return super().visit_Cast(op, arg=arg, to=to)

    def _float_text(self, number: Any) -> Any:
        """A float as DuckDB writes it: 1234.5, 3.0, 1700000000.5, 1e+20, 1e-05, nan, inf
        (Spark writes Java's 1.7000000005E9): the text is a row's content, whose digest
        is its key when the source gives none."""
        java = self.cast(number, dt.string)
        size = self.f.abs(number)
        # DuckDB writes 0.0001 <= |x| < 1e16 in full, Java from 1e7 with an exponent.
        decimal = self.cast(self.cast(number, dt.Decimal(38, 18)), dt.string)
        trimmed = self.f.regexp_replace(decimal, sge.convert("0+$"), sge.convert(""))
        full = self.f.regexp_replace(trimmed, sge.convert("\\.$"), sge.convert(".0"))
        scientific = java
        for pattern, replacement in EXPONENT_REWRITES:
            scientific = self.f.regexp_replace(
                scientific, sge.convert(pattern), sge.convert(replacement)
            )
        return sge.Case(
            ifs=[
                sge.If(this=self.f.isnan(number), true=sge.convert("nan")),
                sge.If(this=number.eq(self.POS_INF), true=sge.convert("inf")),
                sge.If(this=number.eq(self.NEG_INF), true=sge.convert("-inf")),
                sge.If(this=self.f.instr(java, sge.convert("E")).eq(0), true=java),
                sge.If(this=sg_and(size >= sge.convert(1e-4), size < sge.convert(1e16)), true=full),
            ],
            default=scientific,
        )

    def _float_json(self, number: Any) -> Any:
        """A float as DuckDB writes it in JSON (yyjson: the shortest digits, in full from
        1e-6 to below 1e21: 123456789.12345679, 100000000000000000000.0, 0.00001; else
        1e300, -1.5e-7; NaN, Infinity), where Spark writes Java's 1.2345678912345679E8.
        The digits are Java's, the shortest but for rare values before Java 19 (4.9E-324).
        """
        java = self.cast(self.f.abs(number), dt.string)  # 123.45, 0.00123 or 1.2345E8
        scientific = self.f.instr(java, sge.convert("E")) > sge.convert(0)
        mantissa = self.f.substring_index(java, sge.convert("E"), sge.convert(1))
        power = sge.Case(
            ifs=[
                sge.If(
                    this=scientific,
                    true=self.cast(
                        self.f.substring_index(java, sge.convert("E"), sge.convert(-1)),
                        dt.int32,
                    ),
                )
            ],
            default=sge.convert(0),
        )
        whole = self.f.substring_index(mantissa, sge.convert("."), sge.convert(1))
        digits = self.f.concat(
            whole, self.f.substring_index(mantissa, sge.convert("."), sge.convert(-1))
        )
        significant = self.f.regexp_replace(digits, sge.convert("^0+"), sge.convert(""))
        # The power of ten of the first significant digit. (sqlglot writes no parentheses
        # of its own: a - (b - c) needs sge.paren.)
        leading_zeros = sge.paren(self.f.length(digits) - self.f.length(significant))
        exponent = sge.paren(power + self.f.length(whole) - sge.convert(1) - leading_zeros)
        shortest = self.f.regexp_replace(significant, sge.convert("0+$"), sge.convert(""))
        size = self.f.length(shortest)
        integral = sge.paren(exponent + sge.convert(1))  # digits before the point
        full = sge.Case(
            ifs=[
                sge.If(
                    this=exponent < sge.convert(0),
                    true=self.f.concat(
                        sge.convert("0."),
                        self.f.repeat(sge.convert("0"), sge.convert(-1) - exponent),
                        shortest,
                    ),
                ),
                sge.If(
                    this=size <= integral,
                    true=self.f.concat(
                        shortest,
                        self.f.repeat(sge.convert("0"), integral - size),
                        sge.convert(".0"),
                    ),
                ),
            ],
            default=self.f.concat(
                self.f.substring(shortest, sge.convert(1), integral),
                sge.convert("."),
                self.f.substring(shortest, integral + sge.convert(1)),
            ),
        )
        exponential = self.f.concat(
            self.f.substring(shortest, sge.convert(1), sge.convert(1)),
            sge.Case(
                ifs=[
                    sge.If(
                        this=size > sge.convert(1),
                        true=self.f.concat(
                            sge.convert("."), self.f.substring(shortest, sge.convert(2))
                        ),
                    )
                ],
                default=sge.convert(""),
            ),
            sge.convert("e"),
            self.cast(exponent, dt.string),
        )
        sign = sge.Case(
            ifs=[
                sge.If(
                    this=self.f.startswith(self.cast(number, dt.string), sge.convert("-")),
                    true=sge.convert("-"),
                )
            ],
            default=sge.convert(""),
        )
        magnitude = sge.Case(
            ifs=[
                sge.If(this=number.eq(sge.convert(0)), true=sge.convert("0.0")),
                sge.If(
                    this=sg_and(exponent >= sge.convert(-6), exponent <= sge.convert(20)),
                    true=full,
                ),
            ],
            default=exponential,
        )
        return sge.Case(
            ifs=[
                sge.If(this=self.f.isnan(number), true=sge.convert("NaN")),
                sge.If(this=number.eq(self.POS_INF), true=sge.convert("Infinity")),
                sge.If(this=number.eq(self.NEG_INF), true=sge.convert("-Infinity")),
            ],
            default=self.f.concat(sign, magnitude),
        )

    def _as_duckdb_writes(self, struct: Any, dtype: dt.Struct) -> Any:
        """``struct`` with its times and floats as text, as DuckDB writes them in JSON."""
        if not any(t.is_timestamp() or t.is_floating() for t in dtype.types):
            return struct
        if isinstance(struct, sge.Struct):  # built here: its values, not a field access each
            values = [e.this if isinstance(e, sge.Alias) else e for e in struct.expressions]
        else:
            values = [
                sge.Dot(this=struct, expression=sge.to_identifier(name, quoted=True))
                for name in dtype.names
            ]
        fields = []
        for (name, field_type), value in zip(dtype.items(), values, strict=True):
            if field_type.is_timestamp():
                text = self.cast(value, dt.string)
                value = self.f.concat(text, sge.convert("+00")) if field_type.timezone else text
            elif field_type.is_floating():
                value = self._float_json(value)
            fields.append(value.as_(name, quoted=True))
        return sge.Struct.from_arg_list(fields)

    def visit_RegexReplace(self, op: Any, *, arg: Any, pattern: Any, replacement: Any) -> Any:
        value = getattr(op.replacement, "value", None)
        if isinstance(value, str):  # DuckDB's \1 is Java's $1 (\1 wrote a "1")
            replacement = sge.convert(java_replacement(value))
        return self.f.regexp_replace(arg, pattern, replacement)

    def visit_IsInf(self, op: Any, *, arg: Any) -> Any:
        # Ibis compares with Python's == here, which sqlglot answers with a bool: the test
        # became FALSE, and an infinite revenue was stored.
        if not op.arg.dtype.is_floating():
            return sge.false()
        return sg_or(arg.eq(self.POS_INF), arg.eq(self.NEG_INF))

    def visit_IsNull(self, op: Any, *, arg: Any) -> Any:
        return arg.is_(sge.Null())

    def visit_NotNull(self, op: Any, *, arg: Any) -> Any:
        return arg.is_(sge.not_(sge.Null()))


compiler = DuckDBLikeSparkCompiler()
