"""The dashboard's generic bar chart (parcours.web.figures.generic_figure), drawn for an
analysis without a chart of its own (kpis, frictions, personas): every row of its table, or
a title that says how many of how many it shows."""

from __future__ import annotations

import pandas as pd

from parcours.analyses.kpis import KpisResult
from parcours.web.figures import MAX_BARS, generic_figure


def kpis_of(touchpoints: int) -> KpisResult:
    ids = [f"point {i:03d}" for i in range(1, touchpoints + 1)]
    table = pd.DataFrame({"id": ids, "persons": range(touchpoints, 0, -1)})
    return KpisResult(title="Kpis", table=table)


def test_kpis_of_a_29_touchpoint_map_draw_every_touchpoint():
    fig = generic_figure(kpis_of(29), lang="fr")
    assert fig is not None
    assert sorted(fig.data[0].y) == [f"point {i:03d}" for i in range(1, 30)]
    assert fig.layout.title.text == "Indicateurs"  # nothing left out, nothing to say


def test_more_touchpoints_than_bars_are_said_on_the_chart():
    fig = generic_figure(kpis_of(MAX_BARS + 5), lang="fr")
    assert fig is not None
    assert len(fig.data[0].y) == MAX_BARS
    assert "point 001" in fig.data[0].y  # the first rows of the table, in its order
    title = fig.layout.title.text
    assert f"les {MAX_BARS} premiers sur {MAX_BARS + 5}" in title
    assert "le tableau ci-dessous les montre tous" in title
    english = generic_figure(kpis_of(MAX_BARS + 5), lang="en")
    assert english is not None
    assert f"the first {MAX_BARS} of {MAX_BARS + 5}" in english.layout.title.text
