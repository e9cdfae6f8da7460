"""The report's comments section and its as-is / to-be comparison, on a small hand-made
workspace (the bank map of test_blueprint_experience_render): each shows the right texts and
figures, a comment's text is escaped, and each says what to do when there is nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from parcours.maps import JourneyMap
from parcours.render.map_objects import report_objects
from parcours.render.report import build_report
from tests.render.test_blueprint_experience_render import CRM, FEEDBACK, MAP, TIMELINES
from tests.timelines import context_from_timelines

FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")  # fmt: skip
# to-be: the submission is designed at +1 (as-is −2), the offer loses its touchpoint
TO_BE = MAP.replace("    emotion: -2\n", "    emotion: 1\n").replace(
    "  - {id: envoi, stage: offre, channel: web, match: {event: O_SENT}}\n", ""
)


@pytest.fixture
def bank(ws):
    context_from_timelines(ws, MAP, TIMELINES)
    ws.ingest_customers(CRM)
    assert ws.ingest_feedback(FEEDBACK).rejected == 0
    return ws


def _section(page: str, key: str) -> str:
    start = page.index(f'<section id="{key}"')
    return page[start : page.index("</section>", start)]


def _report(ws, jm: JourneyMap, lang: str = "fr") -> str:
    return build_report(ws.context(jm), lang, objects=report_objects(ws, jm, lang))


def test_comments_and_states_in_the_report(bank):
    bank.save_map(JourneyMap.loads("state: as-is\n" + MAP))
    to_be = JourneyMap.loads("state: to-be\n" + TO_BE)
    bank.save_map(to_be)
    bank.add_comment("banque", "stage:depot", "Trop long <script>alert(1)</script>", "Léa")
    bank.add_comment("banque", "touchpoint:demande", "Formulaire\nà simplifier", "Marc")
    page = _report(bank, to_be)

    comments = _section(page, "comments")
    assert "<h2>Commentaires</h2>" in comments
    today = dt.datetime.now(dt.UTC).date()
    day = f"{today.day} {FR_MONTHS[today.month - 1]} {today.year}"
    assert (
        f"<tr><td>Submission</td><td>Léa</td><td>{day}</td>"
        "<td class='comment'>Trop long &lt;script&gt;alert(1)&lt;/script&gt;</td></tr>"
    ) in comments
    assert "<td>demande</td><td>Marc</td>" in comments  # a touchpoint without a title: its id
    assert "<script>alert(1)" not in page

    experience = _section(page, "experience")
    assert "<h3>Actuel et cible</h3>" in experience
    experience = experience[experience.index("<h3>Actuel et cible</h3>") :]  # after the curves
    # French typography: no line starts with the colon (a no-break space before it)
    assert "actuel\xa0: version 1 · cible\xa0: version 2" in experience
    # ... in the prose only: the chart library's code is written as it is
    from plotly.offline import get_plotlyjs

    assert get_plotlyjs() in page
    # submission: designed −2 as-is, +1 to-be; measured on both by ana's csat 5 (+2) and
    # bob's csat 2 (−1): +0.5; both persons reach it
    submission = experience[experience.index("<td>Submission</td>") :].split("</tr>")[0]
    assert '<td class="num">−2,0 → +1,0</td><td class="num">+0,5 → +0,5</td>' in submission
    assert '<td class="num">1 → 1</td><td class="num">100\xa0% → 100\xa0%</td>' in submission
    # offer: one touchpoint as-is, none to-be; bob's nps 10 (+2) and ana's O_SENT (1 of 2
    # persons) are measured on it as-is only
    offer = experience[experience.index("<td>Offer</td>") :].split("</tr>")[0]
    assert '<td class="num">+1,0 → +1,0</td><td class="num">+2,0 → –</td>' in offer
    assert '<td class="num">1 → 0</td><td class="num">50\xa0% → –</td>' in offer


def test_report_says_how_to_get_comments_and_states(bank):
    bank.save_map(JourneyMap.loads("state: as-is\n" + MAP))
    jm = bank.load_map("banque")
    page = _report(bank, jm, "en")
    comments = _section(page, "comments")
    assert "No comments on this version of the map." in comments
    assert "POST /v1/maps/banque/comments" in comments
    assert "<table" not in comments
    experience = _section(page, "experience")
    assert (
        "a line &#34;state: as-is&#34; or &#34;state: to-be&#34; at the top of the map"
        in experience
    )
    assert "(versions marked: as-is: version 1)." in experience


def test_unsaved_map_has_no_comments_nor_states(bank):
    page = _report(bank, JourneyMap.loads(MAP), "en")
    assert "No comments on this version of the map." in _section(page, "comments")
    assert "(versions marked: none)." in _section(page, "experience")
