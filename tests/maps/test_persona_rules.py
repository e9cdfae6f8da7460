"""Persona rules: what parses, what is refused (and where), and that Python and Ibis agree."""

from __future__ import annotations

from typing import Any

import ibis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.errors import InputError
from parcours.maps import Rule

CUSTOMERS: list[dict[str, Any]] = [
    {"segment": "B2C", "age_band": "25-34", "age": "28", "vip": "true", "region": "idf"},
    {"segment": "B2B", "age_band": "35-49", "age": "41.5", "vip": "false", "region": None},
    {"segment": "B2C", "age_band": "18-24", "age": "abc", "vip": None, "region": "paca"},
    {"segment": None, "age_band": None, "age": None, "vip": None, "region": None},
    {"segment": "b2c", "age_band": "65+", "age": "-3", "vip": "true", "region": "idf"},
]

# rule -> which CUSTOMERS (by index) it selects
CASES = {
    "segment == 'B2C'": [0, 2],
    "segment != 'B2C'": [1, 4],
    "segment == 'B2C' and age_band in ['18-24', '25-34']": [0, 2],
    "segment in ('B2B', 'b2c') or region == 'paca'": [1, 2, 4],
    "age >= 30": [1],
    "18 <= age < 30": [0],
    "age > -5": [0, 1, 4],
    "age == 28": [0],
    "vip == true": [0, 4],
    "vip == True": [0, 4],
    "vip != false": [0, 4],
    "region == None": [1, 3],
    "region != null": [0, 2, 4],
    "region not in ['idf']": [2],
    "not (segment == 'B2C')": [1, 3, 4],
    "segment in []": [],
    "age_band > '30'": [1, 4],
}


def _table() -> ibis.Table:
    columns = {key: [row[key] for row in CUSTOMERS] for key in CUSTOMERS[0]}
    schema = {key: "string" for key in columns}
    return ibis.memtable(columns, schema=schema)


@pytest.fixture(scope="module")
def con() -> Any:
    return ibis.duckdb.connect()


@pytest.mark.parametrize(("text", "selected"), CASES.items(), ids=list(CASES))
def test_rule_selects_in_python_and_in_duckdb(con: Any, text: str, selected: list[int]) -> None:
    rule = Rule.parse(text)
    assert [i for i, row in enumerate(CUSTOMERS) if rule.evaluate(row)] == selected
    table = _table()
    predicate = rule.to_ibis(lambda name: table[name])
    flags = con.execute(table.select(hit=predicate))["hit"].tolist()
    assert [i for i, hit in enumerate(flags) if hit] == selected


def test_attributes_lists_what_the_rule_reads() -> None:
    rule = Rule.parse("segment == 'B2C' and (age >= 25 or region in ['idf'])")
    assert rule.attributes == {"segment", "age", "region"}


def test_evaluate_writes_python_values_as_stored_text() -> None:
    rule = Rule.parse("vip == true and age == 30 and region == None")
    assert rule.evaluate({"vip": True, "age": 30.0})
    assert not rule.evaluate({"vip": "True", "age": 30})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "lower(segment) == 'b2c'",
            "a function call as a value is not allowed (column 1: 'lower(segment)')",
        ),
        ("customer.segment == 'B2C'", "attribute access (a.b) as a value is not allowed (column 1"),
        ("age + 1 > 30", "arithmetic (+ - * /) as a value is not allowed (column 1: 'age + 1')"),
        (
            "segment == region",
            "a comparison between two attributes is not allowed (column 12: 'region')",
        ),
        ("'a' == 'b'", "a comparison without an attribute is not allowed (column 1"),
        ("segment", "an attribute name where a condition is expected is not allowed (column 1"),
        (
            "segment in region",
            "an attribute name after 'in' (use a list) is not allowed (column 12",
        ),
        ("age > None", "ordering (>) with true, false or None is not allowed (column 7: 'None')"),
        ("segment is None", "the comparison 'is' is not allowed (column 1"),
        ("segment == 'B2C' and", "cannot be read (column 21: invalid syntax)"),
        ("(lambda: 1)() == 1", "a function call as a value is not allowed"),
        ("__import__('os') == 1", "a function call as a value is not allowed"),
        ("", "is empty"),
    ],
)
def test_refused_rules_name_the_part_its_column_and_what_is_allowed(
    text: str, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        Rule.parse(text)
    assert message in str(caught.value)
    if text:
        assert "allowed: attribute names, values" in str(caught.value)


VALUES = st.one_of(
    st.none(), st.sampled_from(["B2C", "B2B", "true", "false", "10", "2.5", "-1", "x", ""])
)
CONSTANTS = st.sampled_from(["'B2C'", "'x'", "''", "10", "2.5", "-1", "0", "true", "false", "None"])
OPS = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])


@st.composite
def rules(draw: st.DrawFn, depth: int = 2) -> str:
    kind = draw(st.sampled_from(["cmp", "in", "not", "and", "or"] if depth else ["cmp", "in"]))
    if kind == "cmp":
        op, constant = draw(OPS), draw(CONSTANTS)
        if op not in ("==", "!=") and constant in ("true", "false", "None"):
            op = "=="
        return f"{draw(st.sampled_from('ab'))} {op} {constant}"
    if kind == "in":
        items = ", ".join(draw(st.lists(CONSTANTS, max_size=3)))
        return f"{draw(st.sampled_from('ab'))} {draw(st.sampled_from(['in', 'not in']))} [{items}]"
    if kind == "not":
        return f"not ({draw(rules(depth - 1))})"
    return f"({draw(rules(depth - 1))}) {kind} ({draw(rules(depth - 1))})"


@settings(max_examples=40, deadline=None)
@given(rules(), st.lists(st.tuples(VALUES, VALUES), min_size=1, max_size=6))
def test_python_and_ibis_agree(text: str, rows: list[tuple[str | None, str | None]]) -> None:
    rule = Rule.parse(text)
    table = ibis.memtable(
        {"a": [r[0] for r in rows], "b": [r[1] for r in rows]},
        schema={"a": "string", "b": "string"},
    )
    flags = _CON.execute(table.select(hit=rule.to_ibis(lambda name: table[name])))["hit"].tolist()
    assert flags == [rule.evaluate({"a": a, "b": b}) for a, b in rows]


_CON = ibis.duckdb.connect()
