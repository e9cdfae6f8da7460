"""The dashboard in a real browser (Chromium via Playwright) against `parcours serve`.

The server is the real command, started as a subprocess on a free loopback port over a
small demo workspace; the login address is read from what it prints. Screenshots land in
``artifacts/screenshots/`` for a human to look at. Skipped only when Playwright or
/usr/bin/chromium is missing (CI installs both); never runs `playwright install`.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PERSONS = 1500
# The longest a first page may compute (the journey table, then its analyses) on a loaded
# 2-core machine, in milliseconds.
COMPUTING_MS = 300_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def sync_api():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install the distribution's chromium package")
    return pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )


@pytest.fixture(scope="module")
def server(sync_api, tmp_path_factory):
    """`parcours serve` over a 1,500-person demo; yields the login address it printed."""
    import parcours
    from parcours.demo.load import load_demo

    path = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    with parcours.open(path) as ws:
        load_demo(ws, persons=PERSONS, seed=7)
    port = _free_port()
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "parcours", "serve", "-w", str(path), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    login = None
    printed: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and login is None:
        line = process.stdout.readline()
        if not line:
            break
        printed.append(line)
        found = re.search(r"(http://127\.0\.0\.1:\d+/\?token=[\w-]+)", line)
        login = found.group(1) if found else None
    if login is None:
        process.kill()
        pytest.fail("parcours serve printed no login address:\n" + "".join(printed))
    base = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:  # wait until it answers
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    yield {"login": login, "base": base}
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def browser(sync_api):
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def seen():
    """Every request the pages made, the answers over 400, console errors and page errors."""
    return {"requests": [], "failed": [], "errors": []}


@pytest.fixture(scope="module")
def page(browser, server, seen):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    context.on("request", lambda r: seen["requests"].append(r.url))
    context.on(
        "response",
        lambda r: (
            seen["failed"].append((urlparse(r.url).path, r.status)) if r.status >= 400 else None
        ),
    )
    tab = context.new_page()
    tab.set_default_timeout(60_000)

    def console(message) -> None:
        # A failed load is listed (with its address) by the response hook above.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            seen["errors"].append(message.text)

    tab.on("console", console)
    tab.on("pageerror", lambda e: seen["errors"].append(str(e)))
    tab.goto(server["login"])
    settled(tab)
    yield tab
    context.close()


def settled(tab) -> None:
    """Wait until the page shows its result: a page whose result is not drawn yet shows its
    progress (``#progress``) and opens itself again once the server has computed it."""
    tab.locator("#progress").wait_for(state="detached", timeout=COMPUTING_MS)
    tab.wait_for_load_state()


def shot(tab, name: str) -> None:
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_login_address_opens_the_canvas(page, server):
    assert page.url == server["base"] + "/"  # the token left the address bar
    cards = page.locator("#canvas g.touchpoint")
    assert cards.count() >= 20
    assert "reach" in page.locator("#canvas svg").text_content()
    # friction explanations are SVG tooltips on the ⚠ marks
    tips = page.locator("#canvas g.friction > title").all_text_contents()
    assert any("%" in t for t in tips), tips[:3]
    page.locator("#canvas g.friction").first.hover()
    shot(page, "canvas_en")


def test_persona_selector_changes_the_canvas(page, server):
    before = page.locator("#canvas svg").inner_html()
    page.select_option("select[name=persona]", "ropo")
    page.click("#filters-form button[type=submit]")
    page.wait_for_load_state()
    settled(page)
    assert "persona=ropo" in page.url
    after = page.locator("#canvas svg").inner_html()
    assert after != before
    shot(page, "canvas_persona_ropo")


def test_every_analysis_page_opens_with_figures(page, server):
    page.goto(server["base"] + "/analyses")
    names = [
        href.split("/analyses/")[1].split("?")[0]
        for href in page.locator("ul.cards a").evaluate_all("els => els.map(e => e.href)")
    ]
    assert {"funnel", "paths", "frictions", "voice"} <= set(names)
    for name in names:
        # compare opens on its overview: the last settled month against the month before
        page.goto(f"{server['base']}/analyses/{name}")
        settled(page)
        assert page.locator("#analysis-error").count() == 0, page.locator(
            "#analysis-error"
        ).inner_text()
        assert page.locator("#result table.data tbody tr").count() > 0, name
        plots = page.locator(".figure .plot")
        assert plots.count() >= 1, name
        page.wait_for_selector(".figure .plot .main-svg")
        # a drawn figure has marks: bars, sankey links, lines or markers
        marks = page.locator(
            ".figure .plot .main-svg .point, .figure .plot .main-svg path.sankey-link, "
            ".figure .plot .main-svg .scatterlayer .trace, .figure .plot .main-svg .hm"
        )
        assert marks.count() > 0, f"{name}: empty chart"
        shot(page, f"analysis_{name}")


def _funnel_numbers(page) -> list[str]:
    """The numbers written on the funnel's bars, as drawn."""
    return page.locator("#figure-0 .main-svg text.bartext").all_text_contents()


def test_filter_changes_the_figures(page, server):
    page.goto(server["base"] + "/analyses/funnel")
    page.wait_for_selector("#figure-0 .main-svg")
    before = _funnel_numbers(page)
    entered = page.locator("#summary dd").first.inner_text()
    page.select_option("select[name=channel]", "app")
    page.fill("input[name=start]", "2026-02-01")
    page.click("#analysis-form button[type=submit]")
    page.wait_for_selector("#figure-0 .main-svg")
    assert "channel=app" in page.url and "start=2026-02-01" in page.url
    after = _funnel_numbers(page)
    assert before and after and after != before
    assert page.locator("#summary dd").first.inner_text() != entered
    assert page.locator("select[name=channel]").input_value() == "app"  # the form keeps it
    shot(page, "funnel_filtered")


def test_friction_ranking(page, server):
    page.click("nav.main-nav >> text=Friction points")
    page.wait_for_selector("#ranking li")
    items = page.locator("#ranking li")
    assert items.count() >= 5
    assert items.first.locator(".rank").inner_text() == "1"
    scores = [
        float(re.search(r"score ([\d,.]+)", text).group(1).replace(",", ""))
        for text in page.locator("#ranking .score").all_text_contents()
    ]
    assert scores == sorted(scores, reverse=True)
    assert len(items.first.locator("p").inner_text()) > 40  # the explanation, in words
    shot(page, "frictions_ranking")


def test_editor_shows_an_error_at_its_line(page, server):
    page.goto(server["base"] + "/editor")
    page.wait_for_selector("#status.valid")
    text = page.input_value("#yaml")
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if "stage: decision" in line)
    lines[index] = lines[index].replace("stage: decision", "stage: decisoin")
    page.fill("#yaml", "\n".join(lines))
    page.wait_for_selector("#status.invalid")
    problem = page.locator("#problems li").first
    assert f"line {index + 1}" in problem.inner_text()
    assert "decisoin" in problem.inner_text()
    bad = page.locator("#gutter div.bad")
    assert bad.count() == 1 and bad.inner_text() == str(index + 1)
    assert page.locator("#save").is_disabled()
    problem.click()  # jumps to the line: its red number comes into the editor's view
    page.wait_for_timeout(200)
    box, frame = bad.bounding_box(), page.locator("#editor").bounding_box()
    assert frame["y"] <= box["y"] <= frame["y"] + frame["height"] - box["height"]
    shot(page, "editor_error")
    page.fill("#yaml", text)
    page.wait_for_selector("#status.valid")
    assert page.locator("#gutter div.bad").count() == 0


def test_history_page(page, server):
    page.goto(server["base"] + "/history")
    assert page.locator("#versions tbody tr").count() >= 1
    shot(page, "history")


def test_language_switch(page, server):
    page.goto(server["base"] + "/analyses/funnel")
    settled(page)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav.main-nav").inner_text().startswith("Journey map")
    page.click("#lang-switch")
    page.wait_for_load_state()
    settled(page)
    assert page.locator("html").get_attribute("lang") == "fr"
    nav = page.locator("nav.main-nav").inner_text()
    assert "Carte du parcours" in nav and "Éditer la carte" in nav
    assert page.locator("legend").first.inner_text().upper() == "FILTRES"
    page.goto(server["base"] + "/")  # the choice sticks
    settled(page)
    assert "Carte du parcours" in page.locator("nav.main-nav").inner_text()
    assert "portée" in page.locator("#canvas svg").text_content()
    shot(page, "canvas_fr")
    page.click("#lang-switch")
    settled(page)  # the English canvas may compute first: let it fill in before moving on
    assert page.locator("html").get_attribute("lang") == "en"


def test_login_link_then_logout_in_another_browser(page, browser, server):
    page.goto(server["base"] + "/")
    page.click("#login-link")  # a new single-use address, made by a logged-in browser
    link = page.locator("#login-link-url")
    link.wait_for()
    url = link.input_value()
    assert url.startswith(server["base"] + "/?token=") and url not in server["login"]
    shot(page, "login_link")
    other = browser.new_context(locale="en-US")
    try:
        tab = other.new_page()
        tab.goto(url)
        settled(tab)
        assert tab.url == server["base"] + "/" and tab.locator("#canvas svg").count() == 1
        tab.click("#logout")  # sends the dashboard's header: a bare form post is refused
        tab.wait_for_url("**/login?out=1")
        assert "You are logged out." in tab.locator("main").inner_text()
        tab.goto(url)  # the address worked once
        assert tab.locator("#login-error").inner_text().startswith("This login link is not")
        tab.goto(server["login"])  # so did the printed one
        assert "API key" in tab.locator("#login-error").inner_text()
    finally:
        other.close()
    page.goto(server["base"] + "/")  # the first browser is still logged in
    settled(page)
    assert page.locator("#canvas svg").count() == 1


def test_no_request_left_this_machine(page, seen):
    hosts = {urlparse(url).hostname for url in seen["requests"] if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, hosts
    assert any(url.endswith("/vendor/plotly.min.js") for url in seen["requests"])
    assert seen["errors"] == []  # no script error, no Content-Security-Policy violation
    assert seen["failed"] == [], seen["failed"]  # no page refused
