"""Paths, process and attribution run in parts of persons (Context.journey_parts) when the journey table
outgrows the engine's memory: cut in parts, they give exactly the tables of one pass."""

from __future__ import annotations

import dataclasses
import hashlib

import ibis
import pandas as pd
import pytest

from parcours.analyses import Context
from parcours.analyses.attribution import attribution
from parcours.analyses.paths import paths
from parcours.analyses.process import process
from parcours.store import journey_store
from parcours.store.engine import in_part, part_bounds

PARTS = 3


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def _same_tables(one, cut) -> None:
    pd.testing.assert_frame_equal(_sorted(one.table), _sorted(cut.table))
    for name, table in one.tables.items():
        if isinstance(table, pd.DataFrame):
            pd.testing.assert_frame_equal(_sorted(table), _sorted(cut.tables[name]))
    assert one.summary == cut.summary


@pytest.mark.parametrize("count", [1, 2, 3, 9, 16])
def test_parts_are_ranges_of_person_ids_that_hold_any_text_once(count):
    """Parts cut the person id's range: identity's ids ("p_" and hex digits) spread evenly
    over them; any other text (a hand-made id, one on a boundary) falls in exactly one."""
    ids = ["p_" + hashlib.md5(str(n).encode()).hexdigest()[:16] for n in range(4_000)]
    others = ["", "alice", "p_", "p_zz", "q_1", "P_00", *part_bounds(count)]
    table = ibis.memtable({"person_id": ids + others})
    held = [
        set(table.filter(in_part(table.person_id, count, part)).person_id.to_pyarrow().to_pylist())
        for part in range(count)
    ]
    assert sum(len(part) for part in held) == len(ids) + len(others)
    assert set().union(*held) == set(ids + others)
    # Ranges, in the parts' order: a table written part after part keeps them apart.
    assert all(max(a) < min(b) for a, b in zip(held, held[1:], strict=False))
    shares = [len(part & set(ids)) / len(ids) for part in held]
    assert max(shares) - min(shares) < 0.05  # even, within sampling noise


def test_parts_hold_every_person_once(demo_journeys, demo_map):
    ctx = Context(journeys=demo_journeys, map=demo_map, parts=PARTS)
    persons = [set(part.person_id.to_pandas()) for part in ctx.journey_parts()]
    assert all(persons)  # every part holds persons
    assert sum(len(p) for p in persons) == len(set().union(*persons))  # none in two parts
    rows = sum(int(part.count().to_pandas()) for part in ctx.journey_parts())
    assert rows == int(demo_journeys.count().to_pandas())


@pytest.mark.parametrize("params", [{}, {"collapse": False, "start": "first", "length": 4}])
def test_paths_in_parts_equal_one_pass(demo_journeys, demo_map, params):
    whole = Context(journeys=demo_journeys, map=demo_map)
    cut = dataclasses.replace(whole, parts=PARTS)
    if "start" in params:
        params = {**params, "start": demo_map.touchpoints[0].id}
    _same_tables(paths(whole, **params), paths(cut, **params))


@pytest.mark.parametrize(
    "params",
    [
        {"case": "journey"},
        {"case": "person", "collapse": True, "level": "stage"},
        {"case": "journey", "coverage": 0.8, "filter_by": "variants"},
        {"case": "person", "coverage": 0.8, "filter_by": "edges"},
        {"case": "persona"},  # a column case spans persons: one pass whatever the parts
    ],
)
def test_process_in_parts_equals_one_pass(demo_journeys, demo_map, params):
    whole = Context(journeys=demo_journeys, map=demo_map)
    cut = dataclasses.replace(whole, parts=PARTS)
    _same_tables(process(whole, **params), process(cut, **params))


def test_parts_follow_the_rows_and_the_memory_limit():
    # 240 bytes a row: 10M rows fit in the 2.5 GB default, 100M take ten parts.
    assert journey_store.parts(10_000_000, 2_500_000_000) == 1
    assert journey_store.parts(100_000_000, 2_500_000_000) == 10
    assert journey_store.parts(100_000_000, 3_000_000_000) == 8
    assert journey_store.parts(0, 2_500_000_000) == 1


@pytest.mark.parametrize("level", ["channel", "touchpoint"])
def test_attribution_in_parts_equals_one_pass(demo_journeys, demo_map, level):
    whole = Context(journeys=demo_journeys, map=demo_map)
    cut = dataclasses.replace(whole, parts=PARTS)
    one, parts = attribution(whole, level=level), attribution(cut, level=level)
    # the same paths and counts; revenue and time decay shares summed in another order
    pd.testing.assert_frame_equal(_sorted(one.table), _sorted(parts.table), rtol=1e-9)
    for name, table in one.tables.items():
        if isinstance(table, pd.DataFrame):
            pd.testing.assert_frame_equal(_sorted(table), _sorted(parts.tables[name]), rtol=1e-9)
    assert (one.distinct_paths, one.journeys) == (parts.distinct_paths, parts.journeys)
