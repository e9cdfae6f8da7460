"""Kept results answer while every place among the dashboard's jobs is taken.

A real server (uvicorn, on a loopback port) holds a workspace file. Four dashboard pages of
an analysis that is not kept yet (paths) hold the four places: their analysis waits for the
test's go-ahead (``Gate``), and a fifth such page waits for a place (``queued``). Meanwhile a
page whose result is kept, the canvas drawn from kept results, the REST API's analysis and a
CLI analysis (``parcours kpis``, which reaches the server through its server file) answer,
with what they answered before; and the four slow pages are still computing once they have
(were they waiting for a place, the test would fail on its timeout, not pass by luck)."""

from __future__ import annotations

import json
import re
import threading
import time

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

import parcours
from parcours import remote
from parcours.cli.app import app as cli_app
from parcours.cli.serve import server_app
from parcours.maps import JourneyMap
from parcours.store import keys
from tests.cli.test_serve_remote import free_port
from tests.store.test_results import FIRST, MAP, SECOND, STEPS
from tests.timelines import events_frame
from tests.web import LONG_WAIT
from tests.web.test_background import JOB, Gate

FUNNEL = "/analyses/funnel?lang=en&steps=" + ",".join(STEPS)
SLOW = [f"/analyses/paths?lang=en&length={n}" for n in (2, 3, 4, 6)]
QUEUED = "/analyses/paths?lang=en&length=7"


@pytest.fixture
def served(tmp_path):
    """The shop of tests/store/test_results in a workspace file, served on a loopback port;
    the app, a logged-in HTTP client, a read key and the file's path."""
    path = tmp_path / "shop.duckdb"
    with parcours.open(path) as ws:
        ws.ingest_events(events_frame(FIRST))
        ws.save_map(JourneyMap.loads(MAP), "test map")
    app = server_app(path)
    state = app.state.parcours
    with state.workspace() as ws:
        token, _ = keys.create_key(ws.con, "read", "test")
    port = free_port()
    state.local_url = f"http://127.0.0.1:{port}"
    app.state.dashboard.wait = 0.2  # a page computing answers with its progress after this
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + LONG_WAIT
        while remote.find_server(path) is None:  # its server file is written as it starts
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        with httpx.Client(base_url=state.local_url, timeout=LONG_WAIT) as client:
            login = app.state.dashboard.sessions.login_token
            assert client.get(f"/?token={login}").status_code == 303
            yield app, client, {"Authorization": f"Bearer {token}"}, path
    finally:
        server.should_exit = True
        thread.join(LONG_WAIT)


def job_of(page: httpx.Response) -> str:
    assert page.status_code == 202, page.text[:300]
    return JOB.search(page.text).group(1)


def state_of(client: httpx.Client, job: str) -> str:
    return client.get(f"/ui/progress/{job}?lang=en").json()["state"]


def kpis_by_cli(path) -> str:
    out = CliRunner().invoke(cli_app, ["kpis", "-w", str(path), "--format", "json"])
    assert out.exit_code == 0, out.output
    return out.stdout


def test_kept_results_answer_while_every_place_is_taken(served, monkeypatch):
    app, client, read, path = served
    # Computed once, and kept: the funnel page, the canvas, the API's and the CLI's kpis.
    first_page = wait_for_page(client, FUNNEL)
    first_canvas = wait_for_page(client, "/?lang=en")
    first_api = client.post("/v1/analyses/kpis", headers=read)
    assert first_api.status_code == 200, first_api.text
    first_cli = kpis_by_cli(path)
    # The finished pages and the drawings go: the next visits read the results store.
    board = app.state.dashboard
    board.jobs.linger = 0
    board.cache.clear()

    gate = Gate(monkeypatch, "paths")
    slow: list[str] = []
    try:
        slow = [job_of(client.get(page)) for page in SLOW]
        deadline = time.monotonic() + LONG_WAIT
        while gate.runs < len(SLOW):  # the four places are taken
            assert time.monotonic() < deadline, f"{gate.runs} slow pages started"
            time.sleep(0.05)
        queued = job_of(client.get(QUEUED))
        assert state_of(client, queued) == "queued"

        page = client.get(FUNNEL)
        canvas = client.get("/?lang=en")
        api = client.post("/v1/analyses/kpis", headers=read)
        cli = kpis_by_cli(path)

        # They answered while the slow pages still held every place.
        assert [state_of(client, job) for job in slow] == ["running"] * len(SLOW)
        assert state_of(client, queued) == "queued" and gate.runs == len(SLOW)
    finally:
        gate.open()
    assert page.status_code == 200 and 'id="progress"' not in page.text
    assert figures_of(page.text) == figures_of(first_page.text)
    # Three shoppers reach the product page and the cart; Claire and Inès buy.
    assert figures_of(page.text)[0] == "3"
    assert canvas.status_code == 200 and 'id="canvas"' in canvas.text
    assert canvas_of(canvas.text) == canvas_of(first_canvas.text)
    assert api.status_code == 200 and api.json() == first_api.json()
    assert cli == first_cli and '"fiche"' in cli


def wait_for_page(client: httpx.Client, address: str) -> httpx.Response:
    """The page once computed (its first visit starts the computation)."""
    page = client.get(address)
    if page.status_code == 202:
        assert wait_for_job(client, job_of(page)) == "done"
        page = client.get(address)
    assert page.status_code == 200, page.text[:300]
    return page


def wait_for_job(client: httpx.Client, job: str) -> str:
    deadline = time.monotonic() + LONG_WAIT
    while (state := state_of(client, job)) not in ("done", "failed"):
        assert time.monotonic() < deadline, f"job {job} still {state}"
        time.sleep(0.05)
    return state


def figures_of(page: str) -> list[str]:
    return re.findall(r"<dd>([^<]+)</dd>", page)


def canvas_of(page: str) -> str:
    start = page.index('id="canvas"')
    return page[start : page.index("</svg>", start)]


def test_pages_the_api_and_the_cli_answer_from_earlier_results_as_events_arrive(served):
    """A collector moves the data on every few seconds: a page shows the result computed on
    the data of a moment ago, at once, and says so; the REST API and the CLI do when asked
    (max_age); the data of now is one link, or one option left out, away."""
    app, client, read, path = served
    first_page = wait_for_page(client, FUNNEL)
    first_cli = json.loads(kpis_by_cli(path))
    with app.state.parcours.workspace() as ws:  # two newcomers look at the product page
        assert ws.ingest_events(events_frame(SECOND)).accepted == 2
    board = app.state.dashboard

    page = client.get(FUNNEL)
    assert page.status_code == 200 and 'id="progress"' not in page.text  # no computation
    assert figures_of(page.text) == figures_of(first_page.text)  # the three shoppers of then
    assert re.search(
        r'id="as-of">Computed \S+\ss ago \(.+UTC\) on the data of then: 2 events '
        r"have arrived since\.",
        page.text,
    ), page.text
    current = re.search(r'<a href="([^"]+)">Compute on the current data</a>', page.text)
    assert current and "current=1" in current.group(1)

    api = client.post("/v1/analyses/kpis", headers=read, json={"max_age": 600})
    assert api.status_code == 200, api.text
    assert api.json()["table"] == first_cli["table"]  # the persons of then
    assert api.json()["as_of"]["events_since"] == 2
    assert api.json()["as_of"]["current_data_version"] == api.json()["as_of"]["data_version"] + 1
    # In the map's language, as the first one: the same request.
    earlier = CliRunner().invoke(cli_app, ["kpis", "-w", str(path), "--max-age", "10m"])
    assert earlier.exit_code == 0, earlier.output
    said = " ".join(earlier.output.split())
    assert "2 événements sont arrivés depuis. Sans --max-age, la commande calcule" in said
    now = json.loads(kpis_by_cli(path))  # without --max-age: the data of now
    assert now["as_of"] is None and now["table"] != first_cli["table"]

    # The page's link computes on the data of now; the next visit reads that result.
    computed = wait_for_page(client, current.group(1).replace("&amp;", "&"))
    assert figures_of(computed.text)[0] == "5" and 'id="as-of"' not in computed.text
    board.cache.clear()
    again = client.get(FUNNEL)
    assert again.status_code == 200 and figures_of(again.text)[0] == "5"
    assert 'id="as-of"' not in again.text


def test_a_dashboard_without_max_age_computes_on_the_data_of_now(served):
    app, client, _, _ = served
    wait_for_page(client, FUNNEL)
    with app.state.parcours.workspace() as ws:
        ws.ingest_events(events_frame(SECOND))
    app.state.dashboard.max_age = 0
    page = wait_for_page(client, FUNNEL)
    assert figures_of(page.text)[0] == "5" and 'id="as-of"' not in page.text


def test_the_canvas_drawn_a_moment_ago_answers_as_events_arrive(served):
    app, client, _, _ = served
    first = wait_for_page(client, "/?lang=en")
    with app.state.parcours.workspace() as ws:
        ws.ingest_events(events_frame(SECOND))
    page = client.get("/?lang=en")
    assert page.status_code == 200 and 'id="progress"' not in page.text  # nothing computed
    assert canvas_of(page.text) == canvas_of(first.text)
    assert "on the data of then: 2 events have arrived since." in page.text
    current = re.search(r'<a href="([^"]+)">Compute on the current data</a>', page.text)
    now = wait_for_page(client, current.group(1).replace("&amp;", "&"))
    assert 'id="as-of"' not in now.text and canvas_of(now.text) != canvas_of(first.text)
    # The next visit shows that drawing, of the current data.
    again = client.get("/?lang=en")
    assert canvas_of(again.text) == canvas_of(now.text) and 'id="as-of"' not in again.text
