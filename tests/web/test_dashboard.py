"""The dashboard over HTTP: login by token or key (single-use token, throttled failures,
logout), pages, filters, the map editor, history."""

from __future__ import annotations

import html
import logging
import logging.handlers
import re

import pytest
from fastapi.testclient import TestClient

import parcours
from parcours.cli.serve import server_app
from parcours.demo.load import demo_map_text
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.store import keys
from parcours.web.routes import _safe_next
from parcours.web.session import COOKIE, CSRF_HEADER
from tests.web import LONG_WAIT

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
        client.app.state.dashboard.wait = LONG_WAIT  # pages shown once computed
        yield login(client)


@pytest.fixture
def map_client():
    """A fresh workspace holding only the demo map (the editor writes to it)."""
    ws = parcours.open(":memory:")
    ws.save_map(JourneyMap.loads(demo_map_text()), "demo map")
    with TestClient(server_app(ws)) as client:
        client.app.state.dashboard.wait = LONG_WAIT  # pages shown once computed
        yield client
    ws.close()


# -- login ------------------------------------------------------------------------------


def test_without_session_the_dashboard_explains_how_to_log_in(map_client):
    for path in ("/", "/analyses/kpis", "/editor", "/history"):
        answer = map_client.get(path, headers={"Accept-Language": "en"})
        assert answer.status_code == 401
        assert "parcours serve" in answer.text and 'name="api_key"' in answer.text
        assert "<svg" not in answer.text
        # the example address is this server's, not a fixed port
        assert '<pre class="url">http://testserver/?token=…</pre>' in answer.text


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


def test_login_token_works_once(map_client):
    sessions = map_client.app.state.dashboard.sessions
    token = sessions.login_token
    first = map_client.get(f"/?token={token}", follow_redirects=False)
    assert first.status_code == 303 and COOKIE in first.headers["set-cookie"]
    assert sessions.login_token is None  # burnt
    # The same browser opening the link again is let in by its cookie, with no new session.
    again = map_client.get(f"/?token={token}", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/"
    assert "set-cookie" not in again.headers
    assert map_client.get("/").status_code == 200
    # Another browser (no cookie) gets the login page, which says how to log in instead.
    map_client.cookies.clear()
    other = map_client.get(f"/editor?token={token}", headers={"Accept-Language": "en"})
    assert other.status_code == 403 and "set-cookie" not in other.headers
    assert "it works once" in other.text and "API key" in other.text
    assert 'name="next" value="/editor"' in other.text
    assert map_client.get("/").status_code == 401
    # The address a restarted server would print holds a new token.
    printed = sessions.url("127.0.0.1", 8765)
    assert token not in printed and sessions.login_token in printed


def test_a_session_makes_a_new_login_link_for_another_browser(map_client):
    login(map_client)
    assert map_client.post("/ui/login-link").status_code == 403  # the dashboard's header
    made = map_client.post("/ui/login-link", headers=CHANGE)
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    url = made.json()["url"]
    assert url.startswith("http://testserver/?token=")
    map_client.cookies.clear()  # another browser
    assert map_client.get(url, follow_redirects=False).status_code == 303
    assert map_client.get("/").status_code == 200
    map_client.cookies.clear()
    assert map_client.get(url).status_code == 403  # once
    with map_client.app.state.parcours.workspace() as ws:
        read_key = keys.create_key(ws.con, "read", "reader")[0]
    map_client.post("/login", data={"api_key": read_key, "next": "/"})
    refused = map_client.post("/ui/login-link", headers=CHANGE)
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]


@pytest.fixture
def uvicorn_loggers():
    """Put uvicorn's loggers back as they were after a test configured them."""
    names = ("uvicorn", "uvicorn.access", "uvicorn.error")
    kept = {
        n: (lg.handlers[:], lg.filters[:], lg.level, lg.propagate)
        for n, lg in ((n, logging.getLogger(n)) for n in names)
    }
    yield
    for name, (handlers, filters, level, propagate) in kept.items():
        logger = logging.getLogger(name)
        logger.handlers[:], logger.filters[:] = handlers, filters
        logger.level, logger.propagate = level, propagate


def test_serve_keeps_the_token_out_of_the_access_log(monkeypatch, uvicorn_loggers):
    import uvicorn

    from parcours.cli.serve import serve_workspace

    served = {}

    def run(app, **options):  # what uvicorn.run does before serving: set up its logging
        served.update(app=app, config=uvicorn.Config(app, **options))

    monkeypatch.setattr("uvicorn.run", run)
    ws = parcours.open(":memory:")
    try:
        serve_workspace(ws, "127.0.0.1", 8765, open_message=False)
    finally:
        ws.close()
    token = served["app"].state.dashboard.sessions.login_token
    caught = logging.handlers.BufferingHandler(capacity=10)
    access = logging.getLogger("uvicorn.access")
    access.addHandler(caught)
    # The very call uvicorn's HTTP protocols make once a request is answered.
    path = f"/editor?token={token}&map=m"
    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:50000", "GET", path, "1.1", 303)
    assert [r.getMessage() for r in caught.buffer] == [
        '127.0.0.1:50000 - "GET /editor?token=[redacted]&map=m HTTP/1.1" 303'
    ]


def test_logout_needs_the_dashboard_header(map_client):
    login(map_client)
    forged = map_client.post("/logout", follow_redirects=False)  # a form of another site
    assert forged.status_code == 403 and CSRF_HEADER in forged.json()["detail"]
    assert map_client.get("/").status_code == 200  # still logged in
    out = map_client.post("/logout", headers=CHANGE, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login?out=1"
    assert map_client.get("/").status_code == 401
    page = map_client.get("/", headers={"Accept-Language": "en"})
    assert page.status_code == 401 and 'id="logout"' not in page.text


def test_the_logout_button_sends_the_header(map_client):
    login(map_client)
    page = map_client.get("/editor").text
    assert '<form method="post" action="/logout" class="logout" id="logout">' in page
    script = map_client.get("/static/dashboard.js").text
    assert 'getElementById("logout")' in script and '"X-Parcours-Dashboard": "1"' in script


def test_failed_logins_are_throttled_per_address(map_client):
    with map_client.app.state.parcours.workspace() as ws:
        good_key = keys.create_key(ws.con, "admin", "admin")[0]
    for _ in range(5):
        assert map_client.get("/?token=guess").status_code == 403
        assert map_client.post("/login", data={"api_key": "pk_guess"}).status_code == 401
    english = {"Accept-Language": "en"}
    refused = map_client.post("/login", data={"api_key": "pk_guess"}, headers=english)
    assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 60
    assert re.search(r"try again in \d+ s", refused.text)
    assert map_client.get("/?token=guess").status_code == 429
    # While refused, even a right key is: else guessing would go on at full speed.
    assert map_client.post("/login", data={"api_key": good_key}).status_code == 429
    # Another address is not concerned, and a success clears its own count.
    other = TestClient(map_client.app, client=("10.0.0.2", 50000))
    for _ in range(9):
        assert other.post("/login", data={"api_key": "pk_guess"}).status_code == 401
    assert other.post("/login", data={"api_key": good_key}).status_code == 200
    for _ in range(10):
        assert other.post("/login", data={"api_key": "pk_guess"}).status_code == 401
    assert other.post("/login", data={"api_key": "pk_guess"}).status_code == 429


def test_throttle_forgets_old_failures_and_stays_bounded(monkeypatch):
    from parcours.web.session import LoginThrottle

    clock = [1000.0]
    monkeypatch.setattr("parcours.web.session.time.monotonic", lambda: clock[0])
    throttle = LoginThrottle(limit=2, window=60, capacity=3)
    throttle.failed("a")
    throttle.failed("a")
    assert throttle.retry_after("a") == 60 and throttle.retry_after("b") == 0
    clock[0] += 45
    assert throttle.retry_after("a") == 15
    clock[0] += 15
    assert throttle.retry_after("a") == 0 and len(throttle) == 0
    for address in range(1000):
        throttle.failed(str(address))
    assert len(throttle) == 3


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
    answer = map_client.post("/ui/maps/validate?lang=en", json={"yaml": broken}).json()
    assert answer["valid"] is False
    assert [p["line"] for p in answer["problems"]] == [line + 1]
    assert "allowed stages: decouverte" in answer["problems"][0]["message"]
    assert map_client.post("/ui/maps/validate", json={"yaml": text}).json() == {
        "valid": True,
        "map_id": "maison-lumiere",
        "problems": [],
    }


def test_validation_problems_are_said_in_the_pages_language(map_client):
    login(map_client)
    broken = demo_map_text().replace("stage: decision", "stage: decisoin", 1)
    answer = map_client.post("/ui/maps/validate?lang=fr", json={"yaml": broken}).json()
    problem = answer["problems"][0]
    assert problem["message"].startswith("le point de contact « ")
    assert (
        "renvoie à l'étape inconnue « decisoin » ; étapes permises : decouverte"
        in (problem["message"])
    )
    assert problem["text"].endswith(f"(champ {problem['field']})")


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


@pytest.mark.parametrize(
    ("lang", "saved"),
    [("fr", "3 décembre 2026 à 00:25 UTC"), ("en", "3 Dec 2026, 00:25 UTC")],
)
def test_history_says_when_a_version_was_saved_in_the_readers_words(lang, saved):
    ws = parcours.open(":memory:")
    ws.save_map(JourneyMap.loads(demo_map_text()), "demo map")
    ws.con.raw_sql("UPDATE maps SET saved_at = TIMESTAMP '2026-12-03 00:25:26'")
    with TestClient(server_app(ws)) as client:
        page = html.unescape(login(client).get(f"/history?lang={lang}").text)
    ws.close()
    assert f'<time datetime="2026-12-03T00:25:26Z">{saved}</time>' in page.replace("\xa0", " ")
    assert "2026-12-03 00:25" not in page


def test_history_of_the_demo_says_its_version_in_the_maps_language(demo_client):
    for lang in ("fr", "en"):  # the map's words, whoever reads them (the map is French)
        page = demo_client.get(f"/history?lang={lang}").text
        assert '<td translate="no">carte de la démo</td>' in page
        assert "demo map" not in page
    demo_client.cookies.delete("parcours_lang")  # ?lang= is kept: the next test reads its own


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


def html_text(text: str) -> str:
    return html.unescape(text).replace("\u202f", " ").replace("\xa0", " ")


def _picked(page: str, name: str) -> list[tuple[str, str]]:
    """(value, words) of the option chosen in each list box called ``name`` ("" if none)."""
    boxes = re.findall(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    chosen = [re.search(r'<option value="([^"]*)" selected>([^<]*)<', box) for box in boxes]
    return [(html_text(m[1]), html_text(m[2])) if m else ("", "") for m in chosen]


def test_funnel_page_prefills_steps_and_filters_change_it(demo_client):
    everyone = demo_client.get("/analyses/funnel?lang=en")
    assert everyone.status_code == 200
    # the map's steps picked by their titles, the ids sent back; one more box to add a step
    assert _picked(everyone.text, "steps") == [
        ("decouverte", "Discovery"),
        ("consideration", "Consideration"),
        ("purchase", "Purchase"),
        ("", ""),
    ]
    ropo = demo_client.get("/analyses/funnel?lang=en&persona=ropo&start=2026-02-01")
    entered = int(_summary(everyone.text)["Persons who entered"].replace(",", ""))
    entered_ropo = int(_summary(ropo.text)["Persons who entered"].replace(",", ""))
    assert 0 < entered_ropo < entered
    assert "plotly-figure" in ropo.text


def test_picked_steps_come_back_as_the_funnel_they_ask_for(demo_client):
    # what the boxes send (an empty last one included) is the funnel typed as a list
    boxes = demo_client.get(
        "/analyses/funnel?lang=fr&steps=decouverte&steps=panier%3F&steps=purchase&steps="
        "&breakdown_attribution=step:2&window=30j"
    )
    typed = demo_client.get(
        "/analyses/funnel?lang=fr&steps=decouverte,panier%3F,purchase"
        "&breakdown_attribution=step:2&window=30d"
    )
    assert boxes.status_code == typed.status_code == 200
    assert _summary(boxes.text) == _summary(typed.text)
    assert "Personnes entrées" in _summary(boxes.text)
    # a value no list holds (an optional step) is kept, in words; the step choices of the
    # breakdown follow the steps chosen
    assert _picked(boxes.text, "steps")[1] == ("panier?", "Ajout au panier (facultative)")
    assert _picked(boxes.text, "breakdown_attribution") == [
        ("step:2", "à l'étape 2 (Ajout au panier (facultative))")
    ]
    # the command line says the same funnel
    assert "parcours funnel decouverte &#39;panier?&#39; purchase" in boxes.text


def test_a_french_page_shows_durations_in_days(demo_client):
    page = demo_client.get("/analyses/funnel?lang=fr")
    assert 'name="window" value="30j"' in page.text  # the map's timeout, 30d
    english = demo_client.get("/analyses/funnel?lang=en")
    assert 'name="window" value="30d"' in english.text


def test_funnel_of_attempts_names_its_columns_attempts(demo_client):
    page = demo_client.get("/analyses/funnel?lang=fr&unit=attempts")
    assert page.status_code == 200
    steps = page.text.split("</table>")[0]  # the step table comes first
    headers = re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", steps)
    assert "Tentatives" in headers and not any("Personnes" in h for h in headers), " | ".join(
        headers
    )
    persons = demo_client.get("/analyses/funnel?lang=fr")
    steps = persons.text.split("</table>")[0]
    assert "Personnes" in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", steps)


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


def test_a_french_page_typesets_its_prose_and_gives_the_map_back_as_written(map_client):
    login(map_client)
    page = map_client.get("/editor?map=maison-lumiere&lang=fr").text
    written = html.unescape(re.search(r'<textarea id="yaml"[^>]*>(.*?)</textarea>', page, re.S)[1])
    # the map's own text, saved again from the editor, is the text it was: no no-break space
    # put in "Aider à comparer : fiches produit"
    assert "Aider à comparer : fiches produit" in written and "\xa0" not in written
    assert "\xa0:" in page.replace(written, "")  # ... while the page's own sentences get them


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_picked_parameter_offers_the_maps_objects_by_title(lang):
    from parcours.analyses import REGISTRY, get
    from parcours.demo.load import demo_map
    from parcours.render.i18n import t
    from parcours.web.forms import form_fields

    jm = demo_map()
    picked = 0
    for name in REGISTRY:
        for f in form_fields(get(name), {}, {}, lang, jm):
            if f.kind not in ("pick", "picks"):
                continue
            picked += 1
            offered = {value: label for _, choices in f.groups for value, label in choices}
            assert offered, (name, f.name)
            # a default is one of the choices, in words: no "Other values" on a fresh form
            other = t("params.group.other", lang)
            assert all(group != other for group, _ in f.groups), (name, f.name, f.groups)
            assert all(v in offered for v in f.picked if v), (name, f.name, f.picked)
            # each choice in words, never the id it sends (a map object, a field)
            titled = [v for v in offered if v in {tp.id for tp in jm.touchpoints}]
            assert all(offered[v] != v for v in titled), (name, f.name)
    assert picked >= 15


DECIMALS = {  # (analysis, parameter): the default as a French, then an English, box shows it
    ("frictions", "confidence"): ("0,95", "0.95"),
    ("process", "coverage"): ("1,0", "1.0"),
    ("channels", "threshold"): ("0,2", "0.2"),
    ("attribution", "position_first"): ("0,4", "0.4"),
    ("retention", "discount_rate"): ("0,01", "0.01"),
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_decimal_default_is_shown_with_the_readers_decimal_mark(lang):
    from parcours.analyses import get
    from parcours.demo.load import demo_map
    from parcours.web.forms import form_fields

    jm = demo_map()
    for (name, param), (fr, en) in DECIMALS.items():
        box = next(f for f in form_fields(get(name), {}, {}, lang, jm) if f.name == param)
        assert box.kind == "number" and box.value == (fr if lang == "fr" else en), (name, param)


@pytest.mark.parametrize("typed", ["0,9", "0.9", " 0,9 "])
def test_a_decimal_typed_with_a_comma_or_a_dot_is_read(typed):
    from parcours.analyses import get
    from parcours.web.forms import parse_params

    assert parse_params(get("voice"), {"confidence": typed}) == {"confidence": 0.9}
    with pytest.raises(InputError, match="parameter confidence = '0,9,5'"):
        parse_params(get("voice"), {"confidence": "0,9,5"})


def test_an_analysis_page_shows_a_french_decimal_and_its_command_a_dot(map_client):
    login(map_client)
    page = map_client.get("/analyses/voice?lang=fr").text
    assert '<input type="text" inputmode="decimal" name="confidence" value="0,95">' in page
    assert 'id="command">parcours voice --lang fr</code>' in page  # the default: not repeated
    page = map_client.get("/analyses/voice?lang=fr&confidence=0,9").text
    assert 'name="confidence" value="0,9">' in page  # given back as typed
    assert 'id="command">parcours voice --confidence 0.9 --lang fr</code>' in page
    page = map_client.get("/analyses/voice?lang=en").text
    assert '<input type="text" inputmode="decimal" name="confidence" value="0.95">' in page


# -- the words a CX lead reads: definitions of the analyses' terms --------------------------


def _notes(page: str) -> list[str]:
    """The lines of a page's "Definitions and caveats" block, as read (a French page sets a
    no-break space before its colons: read as a space here)."""
    block = re.search(r'<ul class="notes">(.*?)</ul>', page, re.S)
    assert block, "no definitions block"
    lines = re.findall(r"<li>(.*?)</li>", block[1], re.S)
    return [html.unescape(li).replace("\u00a0", " ") for li in lines]


def _said(lines: list[str], start: str) -> str:
    found = [line for line in lines if line.startswith(start)]
    assert len(found) == 1, (start, lines)
    return found[0]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_attribution_page_says_what_each_model_credits(demo_client, lang):
    """Markov, Shapley, position-based, time decay, half-life and path memory were on the
    page with no word of what they mean."""
    page = demo_client.get(f"/analyses/attribution?lang={lang}").text
    assert {"fr": "Définitions et précautions", "en": "Definitions and caveats"}[lang] in page
    lines = _notes(page)
    expected = {
        "fr": {
            "Premier contact : ": "toute la conversion revient au premier contact du parcours.",
            "En U : ": "40 % de la conversion au premier contact, 40 % au dernier, le reste "
            "partagé à parts égales entre les contacts du milieu.",
            "Décroissance : ": "la demi-vie (7 j) est le délai avant la conversion au bout "
            "duquel le poids d'un contact est divisé par deux.",
            "Markov : ": "à la mesure de celles qu'on perdrait si on le retirait des parcours ; "
            "la mémoire des chemins (1) veut dire que le modèle prévoit chaque contact d'après "
            "le précédent seulement.",
            "Shapley : ": "chaque conversion est partagée à parts égales entre les canaux (ou "
            "points de contact) différents de son parcours",
        },
        "en": {
            "First touch: ": "the whole conversion goes to the journey's first touch.",
            "Position-based: ": "40% of the conversion to the first touch, 40% to the last, "
            "the rest shared equally by the touches in between.",
            "Time decay: ": "the half-life (7 d) is the time before the conversion after "
            "which a touch's weight is halved.",
            "Markov: ": "in proportion to those that would be lost if it were taken out of the "
            "journeys; a path memory of 1 means the model foresees each touch from the one "
            "before only.",
            "Shapley: ": "each conversion is shared equally by the distinct channels (or "
            "touchpoints) of its journey",
        },
    }[lang]
    for start, words in expected.items():
        assert words in _said(lines, start)
    memory = demo_client.get(f"/analyses/attribution?lang={lang}&order=2").text
    assert {
        "fr": "la mémoire des chemins (2) est le nombre de contacts précédents dont le modèle "
        "tient compte pour prévoir le suivant.",
        "en": "the path memory (2) is how many earlier touches the model takes into account to "
        "foresee the next one.",
    }[lang] in _said(_notes(memory), "Markov")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_process_page_defines_its_words_and_counts_its_variants_table(demo_client, lang):
    """The process-mining words ("Cas", "Variantes", "Couverture") were left unsaid, and the
    table "Variantes (20)" beside "Variantes montrées 2 861" read as a contradiction."""
    page = demo_client.get(f"/analyses/process?lang={lang}").text
    lines = _notes(page)
    expected = {
        "fr": [
            "Cas : ce que le graphe suit du début à la fin ; ici une personne, avec tous ses "
            "événements, quel que soit le découpage de ses parcours.",
            "Variante : la suite complète des points par lesquels passe un cas, du début à la "
            "fin ; deux cas qui passent par les mêmes points dans le même ordre suivent la "
            "même variante.",
            "Couverture : la part des cas que le graphe dessine ; à 100 %, tous ; en dessous, "
            "seulement ceux des variantes (ou des enchaînements) les plus fréquentes qui en "
            "réunissent au moins cette part.",
        ],
        "en": [
            "Case: what the graph follows from start to end; here a person, with all their "
            "events, however their journeys are cut.",
            "Variant: the whole sequence of points a case goes through, start to end; two "
            "cases through the same points in the same order follow the same variant.",
            "Coverage: the share of the cases the graph draws; at 100%, all of them; below, "
            "only those of the most frequent variants (or transitions) that hold at least that "
            "share.",
        ],
    }[lang]
    assert all(line in lines for line in expected), lines
    journeys = _notes(demo_client.get(f"/analyses/process?lang={lang}&case=journey").text)
    assert {
        "fr": "Cas : ce que le graphe suit du début à la fin ; ici un parcours, c'est-à-dire "
        "les événements d'une personne jusqu'à une conversion ou une longue pause.",
        "en": "Case: what the graph follows from start to end; here a journey, that is a "
        "person's events up to a conversion or a long pause.",
    }[lang] in journeys
    shown = re.search(r"<dt>(?:Variantes montrées|Variants shown)</dt><dd>([^<]+)</dd>", page)
    assert shown, "no variants shown figure"
    heading = {"fr": "Variantes", "en": "Variants"}[lang]
    count = {"fr": "les 20 plus fréquentes sur ", "en": "the 20 most frequent of "}[lang]
    assert f'{heading} <span class="muted">({count}{shown[1]})</span>' in page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_voice_page_says_what_each_score_is_and_which_way_is_good(demo_client, lang):
    """Tone (−0,21), rating and CES (4,8) were unexplained; nothing said a high effort is bad."""
    lines = _notes(demo_client.get(f"/analyses/voice?lang={lang}").text)
    expected = {
        "fr": [
            "NPS : part des notes 9 et 10 moins part des notes 0 à 6 (sur 10), de −100 à +100 "
            "; plus il est haut, mieux c'est.",
            "Satisfaction (CSAT) : part des réponses 4 ou 5 sur une échelle de 1 à 5 ; plus "
            "elle est haute, mieux c'est.",
            "Effort (CES) : l'effort moyen que les clients disent avoir fourni, de 1 (faible) "
            "à 7 (fort) ; plus il est bas, mieux c'est.",
            "Note : la note moyenne des avis, de 1 à 5 étoiles ; une case vide : aucune "
            "réponse de ce type.",
            "Ton : le ton des commentaires, lu dans leurs mots, de −1 (très négatif) à +1 "
            "(très positif), neutre autour de 0 ; part négative : part des commentaires au ton "
            "négatif.",
        ],
        "en": [
            "NPS: share of 9 and 10 answers minus share of 0 to 6 (out of 10), from −100 to "
            "+100; the higher, the better.",
            "Satisfaction (CSAT): share of 4 or 5 answers on a 1 to 5 scale; the higher, the "
            "better.",
            "Effort (CES): the mean effort customers say they made, from 1 (low) to 7 (high); "
            "the lower, the better.",
            "Rating: the mean rating of the reviews, from 1 to 5 stars; an empty cell: no "
            "answer of that kind.",
            "Tone: the tone of the comments, read from their words, from −1 (very negative) to "
            "+1 (very positive), neutral around 0; negative share: share of the comments with "
            "a negative tone.",
        ],
    }[lang]
    assert all(line in lines for line in expected), lines
    assert _said(lines, {"fr": "Courbe d'émotion : ", "en": "Emotion curve: "}[lang])


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "fr",
            ("Passages d'un point à l'autre (Markov)", "Conversions perdues sans lui",
             "Valeur perdue sans lui", "(aucun contact avant)"),
        ),
        (
            "en",
            ("Moves from one point to another (Markov)", "Conversions lost without it",
             "Value lost without it", "(no touch before)"),
        ),
    ],
)  # fmt: skip
def test_attribution_tables_say_what_they_hold(demo_client, lang, words):
    """The removal effects showed their channels only (their figures had no words, so were
    left to analysts), the Markov moves were headed as conformance's stage changes, and a
    path of no touch was an empty cell."""
    page = html.unescape(demo_client.get(f"/analyses/attribution?lang={lang}").text)
    for word in words:
        assert word in page, word
    removal = re.search(
        r"(Effet de retrait|Removal effect) <span[^>]*>\(\d+\)</span></summary>(.*?)</table>",
        page,
        re.S,
    )
    assert removal and re.search(r"<td[^>]*>\d+(,\d)?\s?%</td>", removal[2])  # a share per channel
    assert "Changements d'étape" not in page and "Stage changes" not in page


@pytest.mark.parametrize(
    ("lang", "bin_words", "english_day"),
    [("fr", "6 h – 1 j", "6 h – 1 d"), ("en", "6 h – 1 d", None)],
)
def test_process_times_and_row_counts_in_the_readers_words(
    demo_client, lang, bin_words, english_day
):
    """The process map's times table said '1 d' on a French page, and '50 lignes sur 2416'."""
    page = html.unescape(demo_client.get(f"/analyses/process?lang={lang}").text)
    assert f">{bin_words}</td>" in page
    if english_day:
        assert f">{english_day}</td>" not in page
    counted = re.findall(r"(?:lignes sur|of) ([\d\u202f\u00a0 ,]+?)(?: rows)?</p>", page)
    big = [n for n in counted if len(re.sub(r"\D", "", n)) >= 4]
    assert big, counted  # the times table holds thousands of rows
    separator = "\u202f" if lang == "fr" else ","
    assert all(separator in n for n in big), big


def test_an_analysis_error_names_the_forms_fields(shop):
    # Three days of data: compare's default months cannot be had, and it says which to give.
    with TestClient(server_app(shop)) as client:
        client.app.state.dashboard.wait = LONG_WAIT
        login(client)
        french = html.unescape(client.get("/analyses/compare?lang=fr").text)
        english = html.unescape(client.get("/analyses/compare?lang=en").text)
    assert (
        "<strong>L'analyse a refusé ces paramètres\u00a0:</strong> compare\u00a0: les données"
        in french
    )
    assert "; donnez « Période A » et « Période B »</div>" in french.replace("\u00a0", " ")
    assert "<strong>The analysis refused:</strong>" in english
    assert "; give 'Period A' and 'Period B'</div>" in english
