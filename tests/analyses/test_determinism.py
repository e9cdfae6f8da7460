"""Every registered analysis gives the same figures on the same data, run after run.

Each analysis runs twice on the small demo workspace with its overview parameters, the kept
results bypassed (``fresh=True``), and the two results are compared whole: figures, main
table, secondary tables and notes. Row order counts; floats must agree to 1e-9 relative
(an engine's parallel sums may differ in their last bits, never in a figure a reader sees).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from parcours.analyses import ANALYSES


def _same(a: Any, b: Any, where: str) -> list[str]:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return []
        return [] if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) else [f"{where}: {a} != {b}"]
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{where}: keys {sorted(a)} != {sorted(b)}"]
        return [d for k in a for d in _same(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} rows != {len(b)}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _same(x, y, f"{where}[{i}]")
        ]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


@pytest.mark.parametrize("analysis", ANALYSES, ids=[a.name for a in ANALYSES])
def test_same_figures_run_after_run(demo_ws, demo_map, analysis):
    params = analysis.overview(demo_ws.context(demo_map))
    first = demo_ws.analyze(analysis.name, demo_map, fresh=True, **params).to_dict()
    second = demo_ws.analyze(analysis.name, demo_map, fresh=True, **params).to_dict()
    differences = _same(first, second, analysis.name)
    assert not differences, "\n".join(differences[:10])


def test_json_carries_twelve_significant_digits():
    """The same doubles added in another order give the same JSON: attribution's value
    credited on the demo was 4140285.2099999976 on Spark and 4140285.210000001 on DuckDB."""
    import pandas as pd

    from parcours.analyses.base import Result

    def as_json(value: float) -> str:
        return Result(title="t", table=pd.DataFrame({"value": [value]})).to_json()

    assert as_json(4140285.2099999976) == as_json(4140285.210000001)
    assert '"value": 4140285.21' in as_json(4140285.210000001)
    table = Result(title="t", table=pd.DataFrame({"x": [0.1 + 0.2, 1 / 3, 1e15, 2.5e-20]}))
    assert [row["x"] for row in table.to_dict()["table"]] == [0.3, 0.333333333333, 1e15, 2.5e-20]
    assert Result(title="t", table=pd.DataFrame({"x": [float("nan")]})).to_dict()["table"] == [
        {"x": None}
    ]
