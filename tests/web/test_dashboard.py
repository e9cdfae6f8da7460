"""The dashboard over HTTP: login by token or key, pages, filters, the map editor, history."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

import parcours
from parcours.cli.serve import server_app
from parcours.demo.load import demo_map_text
from parcours.maps import JourneyMap
from parcours.store import keys
from parcours.web.routes import _safe_next
from parcours.web.session import COOKIE, CSRF_HEADER

CHANGE = {CSRF_HEADER: "1"}


def login(client: TestClient) -> TestClient:
    token = client.app.state.dashboard.sessions.login_token
    answer = client.get(f"/?token={token}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    return client


@pytest.fixture(scope="module")
def demo_client(demo_ws):
    """The dashboard over the shared demo workspace (read only)."""
    with TestClient(server_app(demo_ws)) as client:
        yield login(client)


@pytest.fixture
def map_client():
    """A fresh workspace holding only the demo map (the editor writes to it)."""
    ws = parcours.open(":memory:")
    ws.save_map(JourneyMap.loads(demo_map_text()), "demo map")
    with TestClient(server_app(ws)) as client:
        yield client
    ws.close()


# -- login ------------------------------------------------------------------------------


def test_without_session_the_dashboard_explains_how_to_log_in(map_client):
    for path in ("/", "/analyses/kpis", "/editor", "/history"):
        answer = map_client.get(path, headers={"Accept-Language": "en"})
        assert answer.status_code == 401
        assert "parcours serve" in answer.text and 'name="api_key"' in answer.text
        assert "<svg" not in answer.text


def test_login_token_sets_an_httponly_strict_cookie(map_client):
    token = map_client.app.state.dashboard.sessions.login_token
    answer = map_client.get(f"/editor?token={token}&map=maison-lumiere", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/editor?map=maison-lumiere"  # the token leaves the URL
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower() and "Path=/" in cookie
    assert map_client.get("/editor").status_code == 200


def test_bad_token_is_refused(map_client):
    answer = map_client.get("/?token=guess", headers={"Accept-Language": "fr"})
    assert answer.status_code == 403 and "redémarré" in answer.text
    assert COOKIE not in answer.headers.get("set-cookie", "")


def test_session_does_not_open_the_rest_api(map_client):
    login(map_client)
    assert map_client.get("/").status_code == 200
    answer = map_client.get("/v1/maps")
    assert answer.status_code == 401 and answer.json()["error"] == "missing API key"


def test_api_key_login_gives_the_key_scope(map_client):
    with map_client.app.state.parcours.workspace() as ws:
        tokens = {s: keys.create_key(ws.con, s, s)[0] for s in ("read", "write", "admin")}
    refused = map_client.post("/login", data={"api_key": tokens["write"], "next": "/"})
    assert refused.status_code == 401  # a write key sends events; it cannot read the data
    answer = map_client.post(
        "/login", data={"api_key": tokens["read"], "next": "/history"}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/history"
    page = map_client.get("/editor", headers={"Accept-Language": "en"})
    assert "Your session can only read" in page.text and 'id="save"' not in page.text
    text = demo_map_text()
    saved = map_client.post("/ui/maps/maison-lumiere/versions", json={"yaml": text}, headers=CHANGE)
    assert saved.status_code == 403 and "admin" in saved.json()["detail"]


def test_logout_ends_the_session(map_client):
    login(map_client)
    map_client.post("/logout")
    assert map_client.get("/").status_code == 401


def test_next_never_leaves_the_server():
    assert _safe_next("/history?map=x") == "/history?map=x"
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "", None):
        assert _safe_next(bad) == "/"


# -- editor and history -----------------------------------------------------------------


def test_validation_gives_problems_with_their_lines(map_client):
    login(map_client)
    text = demo_map_text()
    broken = text.replace("stage: decision", "stage: decisoin", 1)
    line = broken.splitlines().index(next(x for x in broken.splitlines() if "stage: decisoin" in x))
    answer = map_client.post("/ui/maps/validate", json={"yaml": broken}).json()
    assert answer["valid"] is False
    assert [p["line"] for p in answer["problems"]] == [line + 1]
    assert "allowed stages: decouverte" in answer["problems"][0]["message"]
    assert map_client.post("/ui/maps/validate", json={"yaml": text}).json() == {
        "valid": True,
        "map_id": "maison-lumiere",
        "problems": [],
    }


def test_saving_needs_the_dashboard_header_then_shows_in_history(map_client):
    login(map_client)
    text = demo_map_text().replace("title: {fr: Découverte,", "title: {fr: Découvrir,", 1)
    body = {"yaml": text, "message": "renamed a stage"}
    forged = map_client.post("/ui/maps/maison-lumiere/versions", json=body)
    assert forged.status_code == 403 and CSRF_HEADER in forged.json()["detail"]
    saved = map_client.post("/ui/maps/maison-lumiere/versions", json=body, headers=CHANGE)
    assert saved.json() == {"map_id": "maison-lumiere", "version": 2, "created": True}
    again = map_client.post("/ui/maps/maison-lumiere/versions", json=body, headers=CHANGE)
    assert again.json()["created"] is False
    page = map_client.get("/history", headers={"Accept-Language": "en"}).text
    assert "renamed a stage" in page and "v1 → v2" in page
    assert re.search(r'class="d-add">\+.*Découvrir', page)
    assert re.search(r'class="d-del">-.*Découverte', page)
    assert "decouverte" in page  # listed among the changed stages


def test_saving_an_invalid_map_is_refused_with_lines(map_client):
    login(map_client)
    broken = demo_map_text() + "\nunknown_field: 1\n"
    answer = map_client.post(
        "/ui/maps/maison-lumiere/versions", json={"yaml": broken}, headers=CHANGE
    )
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["line"] == len(broken.splitlines())


# -- pages over the demo ----------------------------------------------------------------


def test_canvas_page_has_the_measured_map(demo_client):
    page = demo_client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert page.status_code == 200
    assert "Carte du parcours" in page.text and "<svg" in page.text
    assert "portée" in page.text  # measured figures on the cards
    assert 'class="friction"' in page.text and "<title>" in page.text  # hover explanations
    persona = demo_client.get("/?persona=ropo&lang=en")
    assert "Journey map" in persona.text and "<svg" in persona.text
    assert persona.text != page.text


def test_language_follows_query_then_cookie_then_browser(demo_client):
    assert "Friction points" in demo_client.get("/analyses", headers={"Accept-Language": "en"}).text
    chosen = demo_client.get("/analyses?lang=fr", headers={"Accept-Language": "en"})
    assert "Entonnoir de conversion" in chosen.text
    assert "parcours_lang=fr" in chosen.headers["set-cookie"]
    kept = demo_client.get("/analyses", headers={"Accept-Language": "en"})
    assert "Entonnoir de conversion" in kept.text
    demo_client.cookies.delete("parcours_lang")


def _summary(html: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html))


def test_funnel_page_prefills_steps_and_filters_change_it(demo_client):
    everyone = demo_client.get("/analyses/funnel?lang=en")
    assert everyone.status_code == 200
    assert 'name="steps" value="decouverte, consideration, decision, purchase"' in everyone.text
    ropo = demo_client.get("/analyses/funnel?lang=en&persona=ropo&start=2026-02-01")
    entered = int(_summary(everyone.text)["persons entered"].replace(",", ""))
    entered_ropo = int(_summary(ropo.text)["persons entered"].replace(",", ""))
    assert 0 < entered_ropo < entered
    assert "plotly-figure" in ropo.text


def test_bad_parameter_is_shown_on_the_page(demo_client):
    page = demo_client.get("/analyses/kpis?level=journey&lang=en")
    assert page.status_code == 422
    assert "parameter level = &#39;journey&#39; is not allowed; give one of touchpoint, stage" in (
        page.text
    )
    bad_date = demo_client.get("/analyses/kpis?start=yesterday&lang=en")
    assert "write it as YYYY-MM-DD" in bad_date.text


def test_server_files_are_not_offered(demo_client):
    page = demo_client.get("/analyses/attribution?lang=en&models=first_touch,linear")
    assert 'name="paths_file"' not in page.text and 'name="models"' in page.text


def test_pages_use_no_other_host(demo_client):
    for path in ("/", "/analyses/paths", "/editor", "/history"):
        page = demo_client.get(path)
        assert page.status_code == 200
        assert "default-src 'self'" in page.headers["content-security-policy"]
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert all(not s.startswith(("http:", "https:", "//")) for s in sources), sources
    js = demo_client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
