"""The journey map canvas: any map from 2 to 8 stages and 1 to 40 touchpoints lays out
without overlapping cards or text running out of its card; exports work."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.maps import JourneyMap
from parcours.render.canvas import CARD_W, CanvasInput, journey_canvas, wrap

SVG = "{http://www.w3.org/2000/svg}"


def make_map(
    n_stages: int, n_touchpoints: int, channels: int = 3, long: bool = False
) -> JourneyMap:
    word = "Anticonstitutionnellement " if long else "Fiche "
    lines = [
        "map: gen",
        "title: {fr: Test, en: Test}",
        "stages:",
        *[f"  - {{id: s{i}, title: '{word * 3}{i}', goal: '{word * 8}'}}" for i in range(n_stages)],
        f"channels: [{', '.join(f'c{k}' for k in range(channels))}]",
        "touchpoints:",
        *[
            f"  - {{id: t{j}, title: '{word * 4}{j}', stage: s{j % n_stages}, channel: c{j % channels}, "
            f"match: {{event: e{j}}}, emotion: negative, frictions: ['{word * 5}'], "
            f"goal: {{metric: repeat_purchase_rate, target: 0.4}}}}"
            for j in range(n_touchpoints)
        ],
        "conversion: {event: purchase}",
    ]
    return JourneyMap.loads("\n".join(lines))


def card_boxes(svg: str) -> list[tuple[float, float, float, float]]:
    root = ET.fromstring(svg)
    boxes = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "touchpoint":
            rect = group.find(f"{SVG}rect")
            boxes.append(
                (
                    float(rect.get("x")),
                    float(rect.get("y")),
                    float(rect.get("width")),
                    float(rect.get("height")),
                )
            )
    return boxes


def overlaps(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@settings(max_examples=30, deadline=None)
@given(
    stages=st.integers(2, 8),
    touchpoints=st.integers(1, 40),
    channels=st.integers(1, 6),
    long=st.booleans(),
)
def test_cards_never_overlap_and_all_are_drawn(stages, touchpoints, channels, long):
    jm = make_map(stages, touchpoints, channels, long)
    canvas = journey_canvas(jm)
    boxes = card_boxes(canvas.svg)
    assert len(boxes) == touchpoints
    for i, a in enumerate(boxes):
        assert a[0] + a[2] <= canvas.width and a[1] + a[3] <= canvas.height
        for b in boxes[i + 1 :]:
            assert not overlaps(a, b)


def test_text_lines_fit_their_card_width():
    # A line of 10-point text must not be longer than the card (0.58 em per character).
    for text in ["Anticonstitutionnellement " * 6, "x" * 200, "Paiement en ligne"]:
        for size, width in ((12, CARD_W - 40), (10, CARD_W - 20)):
            for line in wrap(text, width, size, 2):
                assert len(line) * size * 0.58 <= width + size


def test_measured_figures_goals_and_friction_tooltips_are_drawn():
    jm = make_map(3, 3)
    kpis = pd.DataFrame(
        {
            "id": ["t0", "t1"],
            "reach": [0.5, 0.25],
            "conversion": [0.1, 0.9],
            "exit_rate": [0.3, 0.05],
        }
    )
    goals = pd.DataFrame(
        {
            "id": ["t0", "t1"],
            "metric": ["conversion"] * 2,
            "target": [0.5, 0.5],
            "value": [0.1, 0.9],
            "met": [False, True],
        }
    )
    canvas = journey_canvas(
        jm, CanvasInput(kpis=kpis, goals=goals, frictions={"t0": "42 % stop here"}), lang="en"
    )
    assert "reach 50% · conversion 10%" in canvas.svg
    assert "✗ goal conversion 50%" in canvas.svg and "✓ goal conversion 50%" in canvas.svg
    assert "<title>42 % stop here</title>" in canvas.svg
    assert re.search(r'stroke="#c0392b" stroke-width="2.2"', canvas.svg)  # missed goal: red card


@pytest.mark.parametrize("suffix", [".svg", ".html", ".png", ".pdf"])
def test_exports(tmp_path, suffix):
    path = journey_canvas(make_map(4, 10)).save(tmp_path / f"map{suffix}")
    data = path.read_bytes()
    magic = {".svg": b"<svg", ".html": b"<!doctype html>", ".png": b"\x89PNG", ".pdf": b"%PDF"}[
        suffix
    ]
    assert data.startswith(magic)


def test_a_long_stage_title_wraps_on_two_lines_and_the_header_grows_for_it():
    short = journey_canvas(make_map(3, 3))  # "Fiche Fiche Fiche 0": one line
    jm = make_map(3, 3)
    jm.stages[1].title = "Étape 2 : visite de la fiche produit"  # a drafted map's title
    canvas = journey_canvas(jm)
    lines = [
        [span.text for span in text.iter(f"{SVG}tspan")]
        for text in ET.fromstring(canvas.svg).iter(f"{SVG}text")
    ]
    assert ["Étape 2 : visite de la", "fiche produit"] in lines  # two lines, nothing cut
    assert canvas.height == pytest.approx(short.height + 17.5, abs=1)  # one line more
