"""A dashboard page whose result is not kept yet answers at once with its progress, computes in
the background, and fills in when done; a second visitor joins the same computation; a
failure shows as a message. The analyses here wait for the test's go-ahead (``Gate``), so that
the page is seen while it computes, whatever the machine's speed."""

from __future__ import annotations

import dataclasses
import functools
import importlib
import re
import threading
import time

import pytest
from fastapi.testclient import TestClient

import parcours
from parcours.analyses import REGISTRY
from parcours.cli.serve import server_app
from parcours.web.session import COOKIE
from tests.store.test_results import STEPS
from tests.web import LONG_WAIT

FUNNEL = "/analyses/funnel?lang=en&steps=" + ",".join(STEPS)
JOB = re.compile(r'id="progress" data-job="([\w-]+)"')


class Gate:
    """Makes analysis ``name`` wait for :meth:`open` (then fail with ``error`` if given),
    and counts its runs."""

    def __init__(self, monkeypatch, name: str, error: Exception | None = None):
        self.runs = 0
        self.started = threading.Event()
        self._open = threading.Event()
        analysis = REGISTRY[name]

        def waiting(*args, _function=analysis.function, **kwargs):
            self.runs += 1
            self.started.set()
            assert self._open.wait(LONG_WAIT), "the test never opened the gate"
            if error is not None:
                raise error
            return _function(*args, **kwargs)

        functools.update_wrapper(waiting, analysis.function)
        module = importlib.import_module(analysis.function.__module__)
        monkeypatch.setattr(module, "ANALYSIS", dataclasses.replace(analysis, function=waiting))

    def open(self) -> None:
        self._open.set()


@pytest.fixture
def client(shop):
    with TestClient(server_app(shop)) as client:
        board = client.app.state.dashboard
        board.wait = 0.2  # a page waits this long for its result, then shows its progress
        token = board.sessions.login_token
        assert client.get(f"/?token={token}", follow_redirects=False).status_code == 303
        yield client


def progress_of(client, page) -> str:
    """The job id of a page that answered with its progress."""
    assert page.status_code == 202, page.text[:300]
    found = JOB.search(page.text)
    assert found, "no progress on the page"
    return found.group(1)


def wait_until_finished(client, job: str) -> dict:
    deadline = time.monotonic() + LONG_WAIT
    while time.monotonic() < deadline:
        reading = client.get(f"/ui/progress/{job}?lang=en").json()
        if reading["state"] in ("done", "failed"):
            return reading
        time.sleep(0.05)
    raise AssertionError(f"job {job} still {reading['state']} after {LONG_WAIT} s")


def test_a_page_shows_its_progress_then_its_result(client, monkeypatch):
    gate = Gate(monkeypatch, "funnel")
    try:
        first = client.get(FUNNEL)
        job = progress_of(client, first)
        assert 'id="result"' not in first.text and "Computing" in first.text
        assert 'src="/static/progress.js"' in first.text
        assert gate.started.wait(LONG_WAIT)
        reading = client.get(f"/ui/progress/{job}?lang=en").json()
        assert reading["state"] == "running" and reading["step"] == "funnel"
        assert reading["text"].startswith("Now: Conversion funnel · for ")
        # A second visitor, with a session of its own, joins the same computation.
        other = TestClient(client.app)
        other.cookies.set(COOKIE, client.app.state.dashboard.sessions.start("read", "test"))
        assert progress_of(other, other.get(FUNNEL)) == job
    finally:
        gate.open()
    assert wait_until_finished(client, job)["state"] == "done"
    done = client.get(FUNNEL)
    assert done.status_code == 200 and 'id="progress"' not in done.text
    # Three shoppers reach the product page and the cart; Claire and Inès buy.
    entered, *_ = re.findall(r"<dd>([^<]+)</dd>", done.text)
    assert entered == "3" and 'id="result"' in done.text
    assert gate.runs == 1


def test_a_kept_result_answers_at_once_without_computing_again(client, monkeypatch):
    gate = Gate(monkeypatch, "funnel")
    gate.open()
    board = client.app.state.dashboard
    board.wait = LONG_WAIT
    assert client.get(FUNNEL).status_code == 200
    board.jobs.linger = 0  # the finished job goes: the next visit asks the results store
    board.cache.clear()
    time.sleep(0.01)
    again = client.get(FUNNEL)
    assert again.status_code == 200 and 'id="result"' in again.text
    assert gate.runs == 1


def test_a_failure_in_the_background_shows_as_a_message(client, monkeypatch):
    gate = Gate(monkeypatch, "funnel", error=RuntimeError("disk on fire"))
    job = progress_of(client, client.get(FUNNEL))
    gate.open()
    reading = wait_until_finished(client, job)
    assert reading["state"] == "failed"
    assert reading["text"] == "internal error (RuntimeError); the server log has the details"
    page = client.get(FUNNEL)
    assert page.status_code == 500 and 'id="progress"' not in page.text
    error = re.search(r'id="analysis-error">(.*?)</div>', page.text, re.S).group(1)
    assert "The computation failed" in error and "RuntimeError" in error


def test_a_refusal_in_the_background_shows_the_analysis_message(client, monkeypatch):
    refusal = parcours.InputError("funnel: step 'nowhere' is not a touchpoint")
    gate = Gate(monkeypatch, "funnel", error=refusal)
    job = progress_of(client, client.get(FUNNEL))
    gate.open()
    assert wait_until_finished(client, job)["state"] == "done"  # the page has its answer
    page = client.get(FUNNEL)
    assert page.status_code == 422
    assert "step &#39;nowhere&#39; is not a touchpoint" in page.text


def test_the_canvas_shows_its_progress_then_the_map(client, monkeypatch):
    gate = Gate(monkeypatch, "kpis")
    try:
        first = client.get("/?lang=fr")
        job = progress_of(client, first)
        assert "Calcul en cours" in first.text and 'id="canvas"' not in first.text
        assert gate.started.wait(LONG_WAIT)
        reading = client.get(f"/ui/progress/{job}?lang=fr").json()
        assert reading["state"] == "running" and reading["step"] == "kpis"
        assert reading["text"].startswith("En cours : ")
    finally:
        gate.open()
    assert wait_until_finished(client, job)["state"] == "done"
    page = client.get("/?lang=fr")
    assert page.status_code == 200 and 'id="canvas"' in page.text and "<svg" in page.text


def test_an_unknown_job_is_not_found(client):
    answer = client.get("/ui/progress/nothing-here")
    assert answer.status_code == 404 and "open the page again" in answer.json()["detail"]
