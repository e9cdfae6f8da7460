"""A page computed in the background, in a real browser (Chromium via Playwright): it shows
its progress at once, then fills in by itself with the result, in French and in English.

The server is `parcours serve` with ``PARCOURS_DASHBOARD_WAIT=0``: a page answers with its
progress whenever its result is not drawn yet, however fast the machine. Screenshots land in
``artifacts/screenshots/`` (``progress_*.png``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import read_login
from tests.browser.test_dashboard_browser import ARGS, CHROMIUM, SHOTS, _free_port

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sync_api():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install the distribution's chromium package")
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def server(sync_api, tmp_path_factory):
    """`parcours serve` over a 400-person demo, every page showing its progress first."""
    import parcours
    from parcours.demo.load import load_demo

    path = tmp_path_factory.mktemp("progress") / "demo.duckdb"
    with parcours.open(path) as ws:
        load_demo(ws, persons=400, seed=3)
    port = _free_port()
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PARCOURS_DASHBOARD_WAIT": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "parcours", "serve", "-w", str(path), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        login = read_login(process)
        yield {"login": login, "base": f"http://127.0.0.1:{port}"}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def tab(sync_api, server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
        page = context.new_page()
        page.set_default_timeout(180_000)  # a first computation on a loaded 2-core machine
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server["login"])
        yield page
        browser.close()
        assert errors == []


def _hold_progress_polls(tab):
    """Hold the page's progress polls until the returned function is called: on a quiet
    machine a small analysis is done within a poll, and the page would fill in before the
    test has seen its progress state. Unrouting lets the held polls go on."""

    def hold(route) -> None:
        pass  # left pending: the page waits for its answer

    tab.route("**/ui/progress/**", hold)
    return lambda: tab.unroute("**/ui/progress/**", hold)


@pytest.mark.parametrize(
    ("lang", "computing", "analysis"),
    [("en", "Computing", "paths"), ("fr", "Calcul en cours", "retention")],
)
def test_an_analysis_page_shows_its_progress_then_its_result(
    tab, server, lang, computing, analysis
):
    release = _hold_progress_polls(tab)
    tab.goto(f"{server['base']}/analyses/{analysis}?lang={lang}")
    progress = tab.locator("#progress")
    assert progress.count() == 1 and tab.locator("#result").count() == 0
    assert progress.locator("h2").inner_text() == computing
    assert tab.locator("#progress-bar").count() == 1
    tab.screenshot(path=str(SHOTS / f"progress_{analysis}_{lang}_computing.png"), full_page=True)
    release()
    # The page fills in by itself: no click, no reload by the test.
    tab.locator("#result").wait_for()
    assert tab.locator("#progress").count() == 0 and tab.locator("#analysis-error").count() == 0
    assert tab.locator("#result table.data tbody tr").count() > 0
    assert f"lang={lang}" in tab.url or tab.locator("html").get_attribute("lang") == lang
    tab.wait_for_selector(".figure .plot .main-svg")
    tab.screenshot(path=str(SHOTS / f"progress_{analysis}_{lang}_done.png"), full_page=True)


def test_the_canvas_shows_its_progress_then_the_map(tab, server):
    release = _hold_progress_polls(tab)
    tab.goto(f"{server['base']}/?lang=en&channel=web")
    assert tab.locator("#progress").count() == 1 and tab.locator("#canvas").count() == 0
    text = tab.locator("#progress-text").inner_text()
    # DuckDB's query progress may sit between: "Preparing · current query 0% done · for 0 s"
    assert re.search(r"(Preparing|Now: .+|Waiting: .+)( · .+)? · for \d", text), text
    tab.screenshot(path=str(SHOTS / "progress_canvas_en_computing.png"), full_page=True)
    release()
    tab.locator("#canvas svg").wait_for()
    assert tab.locator("#canvas g.touchpoint").count() >= 5
    tab.screenshot(path=str(SHOTS / "progress_canvas_en_done.png"), full_page=True)
