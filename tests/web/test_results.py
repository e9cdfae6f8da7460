"""The dashboard and the report ask the workspace for their analyses: a page shown again, the
canvas drawn again and the report written again read the kept results, and show the same."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from parcours.cli.serve import server_app
from parcours.render.report import build_report
from parcours.store import results
from tests.counting import count_calls
from tests.store.test_results import SECOND, STEPS
from tests.timelines import events_frame
from tests.web import LONG_WAIT

FR = {"Accept-Language": "fr"}
PLOTLY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def client(shop):
    with TestClient(server_app(shop)) as client:
        client.app.state.dashboard.wait = LONG_WAIT  # pages shown once computed
        token = client.app.state.dashboard.sessions.login_token
        assert client.get(f"/?token={token}", follow_redirects=False).status_code == 303
        yield client


def forget_drawings(client) -> None:
    """Empty the dashboard's memory (what a restarted server has)."""
    client.app.state.dashboard.cache.clear()


def test_an_analysis_page_shown_again_reads_the_kept_result(client, shop, monkeypatch):
    calls = count_calls(monkeypatch)
    first = client.get("/analyses/kpis", headers=FR)
    assert first.status_code == 200
    forget_drawings(client)
    again = client.get("/analyses/kpis", headers=FR)
    assert again.text == first.text
    shop.kpis()  # the map's language (fr), no filter: the same result
    assert calls == {"kpis": 1}


def test_filters_are_kept_apart(client, monkeypatch):
    calls = count_calls(monkeypatch)
    steps = "&steps=" + ",".join(STEPS)
    everyone = client.get("/analyses/funnel?lang=en" + steps)
    later = client.get("/analyses/funnel?lang=en&start=2026-03-02" + steps)
    assert everyone.status_code == later.status_code == 200
    assert everyone.text != later.text
    forget_drawings(client)
    assert client.get("/analyses/funnel?lang=en&start=2026-03-02" + steps).text == later.text
    assert calls == {"funnel": 2}


def test_new_data_is_said_on_the_next_page_and_shown_when_asked(client, shop, monkeypatch):
    calls = count_calls(monkeypatch)
    steps = "&steps=" + ",".join(STEPS)
    before = client.get("/analyses/funnel?lang=en" + steps)
    shop.ingest_events(events_frame(SECOND))
    after = client.get("/analyses/funnel?lang=en" + steps)  # computed a moment ago: shown
    assert calls == {"funnel": 1} and "<dd>3</dd>" in before.text and "<dd>3</dd>" in after.text
    assert 'id="as-of"' in after.text and 'id="as-of"' not in before.text
    now = client.get("/analyses/funnel?lang=en&current=1" + steps)
    assert calls == {"funnel": 2} and "<dd>5</dd>" in now.text and 'id="as-of"' not in now.text
    client.app.state.dashboard.max_age = 0  # PARCOURS_DASHBOARD_MAX_AGE=0: always of now
    shop.ingest_events(events_frame({"zoe": [("2026-03-07 10:00", "web", "product_view")]}))
    assert "<dd>6</dd>" in client.get("/analyses/funnel?lang=en" + steps).text


def test_the_canvas_is_drawn_from_the_kept_results(client, shop, monkeypatch):
    calls = count_calls(monkeypatch)
    first = client.get("/", headers=FR)
    assert first.status_code == 200 and "<svg" in first.text
    ran = dict(calls)
    assert ran.get("kpis") == 1
    forget_drawings(client)
    assert client.get("/", headers=FR).text == first.text
    assert client.get("/ui/canvas.svg", headers=FR).status_code == 200
    assert calls == ran
    shop.analyze("kpis", level="touchpoint")  # the canvas' kpis, shared
    assert calls == ran


def test_the_report_written_again_reads_every_kept_result(shop, monkeypatch):
    calls = count_calls(monkeypatch)
    jm = shop.default_map()

    def report(**how) -> str:
        page = build_report(shop.context(jm), "en", run=shop.runner(jm, **how))
        return PLOTLY_ID.sub("id", page)  # plotly names each chart's div at random

    first = report()
    assert calls and all(n == 1 for n in calls.values())
    # What failed on this small shop (too few persons to cluster...) is not kept.
    kept = set(results.stored(shop.con).analysis)
    assert {"kpis", "funnel", "frictions", "paths", "process", "channels"} <= kept
    assert report() == first
    assert all(calls[n] == 1 for n in kept)
    assert report(fresh=True) == first
    assert all(calls[n] == 2 for n in kept)


def test_how_old_a_page_result_may_be_is_read_from_the_environment(monkeypatch):
    from parcours.errors import InputError
    from parcours.web.routes import MAX_AGE, Dashboard

    monkeypatch.delenv("PARCOURS_DASHBOARD_MAX_AGE", raising=False)
    assert Dashboard().max_age == MAX_AGE == 900
    monkeypatch.setenv("PARCOURS_DASHBOARD_MAX_AGE", "0")
    assert Dashboard().max_age == 0
    for wrong in ("soon", "-5", "1e9"):
        monkeypatch.setenv("PARCOURS_DASHBOARD_MAX_AGE", wrong)
        with pytest.raises(
            InputError,
            match=r"PARCOURS_DASHBOARD_MAX_AGE=.* is not allowed; "
            r"give a number of seconds from 0 to 604800 \(how old",
        ):
            Dashboard()
