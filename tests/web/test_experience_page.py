"""The dashboard's experience page on a small workspace: the measured backstage item, the
emotion per persona, and the as-is / to-be comparison once both versions are saved."""

from __future__ import annotations

from fastapi.testclient import TestClient

import parcours
from parcours.cli.serve import server_app
from parcours.maps import JourneyMap
from tests.render.test_blueprint_experience_render import CRM, FEEDBACK, MAP, TIMELINES
from tests.timelines import events_frame


def _login(client: TestClient) -> None:
    token = client.app.state.dashboard.sessions.login_token
    assert client.get(f"/?token={token}", follow_redirects=False).status_code in (302, 303, 307)


def test_experience_page_shows_the_blueprint_the_curves_and_the_states():
    ws = parcours.open(":memory:")
    ws.ingest_events(events_frame(TIMELINES))
    ws.ingest_customers(CRM)
    ws.ingest_feedback(FEEDBACK)
    ws.save_map(JourneyMap.loads(MAP.replace("lang: en\n", "lang: en\nstate: as-is\n")), "today")
    with TestClient(server_app(ws)) as client:
        _login(client)
        page = client.get("/experience?map=banque&lang=en")
        assert page.status_code == 200
        text = page.text
        assert "<h2>Service blueprint</h2>" in text and "<td>Sorting</td>" in text
        assert "<th>In a hurry</th>" in text and 'class="plotly-figure"' in text
        assert "one as the target: a line &#34;state: as-is&#34;" in text  # no to-be yet
        assert 'href="/experience?' in text  # in the navigation
        to_be = MAP.replace("lang: en\n", "lang: en\nstate: to-be\n").replace(
            "    emotion: -2\n", "    emotion: 1\n"
        )
        ws.save_map(JourneyMap.loads(to_be), "aimed for")
        text = client.get("/experience?map=banque&lang=en").text
        assert "as-is: version 1 · to-be: version 2" in text
        assert '<td>Submission</td><td class="num">−2.0 → +1.0</td>' in text
    ws.close()
