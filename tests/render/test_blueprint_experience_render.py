"""The service blueprint and the experience drawn: the canvas' lanes and lines, the emotion
band on the −2..+2 scale, the per-persona curves measured from feedback, the report's
sections, and an as-is and a to-be version side by side; each on a small hand-made workspace."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from parcours.analyses._experience import persona_curves, state_comparison
from parcours.maps import JourneyMap
from parcours.render._experience_report import blueprint_html, experience_html, states_html
from parcours.render.canvas import CanvasInput, journey_canvas
from parcours.render.report import figure_html
from tests.timelines import context_from_timelines

MAP = """
map: banque
lang: en
title: Bank
stages:
  - id: depot
    title: Submission
    emotion: -2
    emotions: {presse: 2}
    blueprint:
      evidence: [Receipt]
      customer: [Fills in the form]
      frontstage: [Adviser on the phone]
      backstage:
        - {id: tri, title: Sorting, match: {event: W_Sort}}
      support: [Scoring]
  - {id: offre, title: Offer, emotion: positive}
personas:
  - {id: presse, title: In a hurry, rule: "segment == 'X'"}
  - {id: prudent, title: Careful, rule: "segment == 'Y'"}
channels: [web]
touchpoints:
  - {id: demande, stage: depot, channel: web, match: {event: A_SUBMITTED}}
  - {id: envoi, stage: offre, channel: web, match: {event: O_SENT}}
conversion: {event: O_ACCEPTED}
"""

TIMELINES = {
    "ana": [("2026-03-02 10:00", "web", "W_Sort"), ("2026-03-02 10:05", "web", "A_SUBMITTED"),
            ("2026-03-02 10:30", "web", "W_Sort"), ("2026-03-02 11:00", "web", "O_SENT")],
    "bob": [("2026-03-02 09:00", "web", "A_SUBMITTED"), ("2026-03-02 09:10", "web", "W_Sort")],
}  # fmt: skip
CRM = pd.DataFrame({"customer_id": ["ana", "bob"], "segment": ["X", "Y"]})


def _answer(i: int, who: str, touchpoint: str, kind: str, score: float) -> dict:
    return {"feedback_id": f"f{i}", "ts": pd.Timestamp("2026-03-03", tz="UTC"),
            "customer_id": who, "touchpoint": touchpoint, "stage": None, "kind": kind,
            "score": score, "verbatim": None, "language": None}  # fmt: skip


# ana (presse): csat 5 at depot -> +2; bob (prudent): csat 2 at depot -> -1, nps 10 at offre -> +2
FEEDBACK = pd.DataFrame(
    [_answer(0, "ana", "demande", "csat", 5), _answer(1, "bob", "demande", "csat", 2),
     _answer(2, "bob", "envoi", "nps", 10)]
)  # fmt: skip


@pytest.fixture
def ctx(ws):
    context = context_from_timelines(ws, MAP, TIMELINES)
    ws.ingest_customers(CRM)
    assert ws.ingest_feedback(FEEDBACK).rejected == 0
    return ws.context(context.map)


def _y_of(svg: str, css_class: str) -> float:
    found = re.search(rf'class="{css_class}" x1="0" y1="([\d.]+)"', svg)
    assert found, css_class
    return float(found.group(1))


def _lane_y(svg: str, lane: str) -> float:
    found = re.search(rf'class="blueprint-lane" data-lane="{lane}" x="0" y="([\d.]+)"', svg)
    assert found, lane
    return float(found.group(1))


def test_canvas_draws_the_lanes_in_order_under_the_line_of_visibility():
    jm = JourneyMap.loads(MAP)
    figures = pd.DataFrame(
        [{"stage": "depot", "id": "tri", "title": "Sorting", "events": 3, "persons": 2,
          "journeys": 2, "median_duration_s": 900.0}]
    )  # fmt: skip
    svg = journey_canvas(jm, CanvasInput(blueprint=figures), lang="en").svg
    lanes = ["evidence", "customer", "frontstage", "backstage", "support"]
    tops = [_lane_y(svg, lane) for lane in lanes]
    assert tops == sorted(tops)  # drawn top to bottom in the blueprint's order
    visibility = _y_of(svg, "line-visibility")
    assert _lane_y(svg, "frontstage") < visibility < _lane_y(svg, "backstage")
    assert _lane_y(svg, "backstage") < _y_of(svg, "line-internal") < _lane_y(svg, "support")
    assert _lane_y(svg, "customer") < _y_of(svg, "line-interaction") < visibility
    for words in ("line of visibility", "line of internal interaction", "Backstage (staff and",
                  "Physical evidence", "Adviser on the phone", "Scoring"):  # fmt: skip
        assert words in svg, words
    item = re.search(r'<g class="blueprint-item" data-lane="backstage">.*?</g>', svg).group(0)
    spans = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", item))
    assert spans == "Sorting 3 events · 2 persons · median 15 min"  # wrap() splits at any space


def test_canvas_without_blueprint_draws_no_lane():
    jm = JourneyMap.loads(MAP)
    plain = jm.model_copy(
        update={"stages": [s.model_copy(update={"blueprint": None}) for s in jm.stages]}
    )
    svg = journey_canvas(plain, lang="en").svg
    assert "blueprint-lane" not in svg and "line-visibility" not in svg


def _points(svg: str, series: str) -> list[float]:
    path = re.search(rf'class="emotion-{series}" d="([^"]+)"', svg).group(1)
    return [float(y) for y in re.findall(r"[ML][\d.]+ ([\d.]+)", path)]


def test_emotion_band_spans_minus_two_to_two_and_follows_the_persona():
    jm = JourneyMap.loads(MAP)
    everyone = _points(journey_canvas(jm, lang="en").svg, "designed")
    hurried = _points(journey_canvas(jm, CanvasInput(persona="presse"), lang="en").svg, "designed")
    # depot: -2 for everyone (the bottom of the scale), +2 for presse (the top); offre +1 for
    # both: depot lies 3 steps under offre for everyone, 1 step above it for presse
    step = (everyone[0] - everyone[1]) / 3
    assert step > 0 and hurried[0] - hurried[1] == pytest.approx(-step)
    assert everyone[0] - step * 4 == pytest.approx(min(everyone[0], everyone[1]) - step * 1)
    svg = journey_canvas(jm, lang="en").svg
    assert ">designed: −2</title>" in svg and ">designed: +1</title>" in svg
    # a French reader's colon and decimal mark
    assert ">prévue\xa0: +1</title>" in journey_canvas(jm, lang="fr").svg
    assert all(f">{level}</tspan>" in svg for level in ("+2", "+1", "0", "−1", "−2"))


def test_persona_curves_are_measured_on_each_personas_feedback(ctx):
    curves = persona_curves(ctx).set_index(["persona", "stage"])
    # everyone at depot: csat 5 (+1) and csat 2 (-0.5) -> mean 0.25, x 2 = +0.5
    assert curves.loc[("", "depot"), "measured"] == pytest.approx(0.5)
    assert curves.loc[("presse", "depot"), ["designed", "measured"]].tolist() == [2.0, 2.0]
    assert curves.loc[("prudent", "depot"), ["designed", "measured"]].tolist() == [-2.0, -1.0]
    assert curves.loc[("prudent", "offre"), "measured"] == pytest.approx(2.0)
    assert pd.isna(curves.loc[("presse", "offre"), "measured"])  # ana answered nothing there
    assert curves.loc[("prudent", "depot"), "answers"] == 1


def test_report_sections_show_the_measured_item_and_the_curves(ctx):
    (table,) = blueprint_html(ctx, "en")
    assert "<td>Submission</td><td>Sorting</td>" in table
    # ana: 2 events 30 min apart; bob: 1 event, no span -> ana's 30 min
    assert '<td class="num">3</td><td class="num">2</td><td class="num">2</td>' in table
    assert "30\xa0min" in table
    blocks = experience_html(ctx, "en", None, figure_html)
    assert "<th>In a hurry</th>" in blocks[0] and "<th>All customers</th>" in blocks[0]
    assert "designed −2.0 · measured −1.0 (1 answer)" in blocks[0]  # bob at submission
    assert "Plotly.newPlot" in blocks[1]


def test_blueprint_section_says_when_the_map_has_none(ws):
    plain = (
        "map: m\ntitle: M\nstages: [{id: a, title: A}]\nchannels: [web]\nconversion: {event: O}\n"
    )
    jm = JourneyMap.loads(plain)
    ctx = context_from_timelines(ws, jm, {"ana": [("2026-03-02 10:00", "web", "O")]})
    with pytest.raises(LookupError, match="no service blueprint"):
        blueprint_html(ctx, "en")


def test_as_is_and_to_be_side_by_side(ctx, ws):
    to_be = JourneyMap.loads(MAP.replace("    emotion: -2\n", "    emotion: 1\n").replace(
        "  - {id: envoi, stage: offre, channel: web, match: {event: O_SENT}}\n", ""))  # fmt: skip
    frame = state_comparison(ctx, ws.context(to_be)).set_index("stage")
    assert frame.loc["depot", ["as_is_designed", "to_be_designed"]].tolist() == [-2.0, 1.0]
    assert frame.loc["offre", ["as_is_touchpoints", "to_be_touchpoints"]].tolist() == [1, 0]
    # offre: ana's O_SENT is on a touchpoint only as-is: reach 1 of 2 persons; to-be, the stage
    # has no touchpoint, so nothing measures it
    assert frame.loc["offre", "as_is_reach"] == 0.5 and pd.isna(frame.loc["offre", "to_be_reach"])
    html = states_html(frame.reset_index(), {"as-is": 1, "to-be": 2}, "en")
    assert "as-is: version 1 · to-be: version 2" in html
    assert '<td>Submission</td><td class="num">−2.0 → +1.0</td>' in html
