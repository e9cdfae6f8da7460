"""Every dashboard page read as its reader reads it, in French and in English, on the demo
retailer and on a non-retail log (the Helpdesk support tickets of ../shared/datasets with
examples/helpdesk/journey.yaml), in Chromium through Playwright.

On each page the visible text outside quoted customer text (an element whose ``lang``
differs from the page's) and outside a user's own words (``translate="no"``) must hold no
phrase of the other language's catalogue (:mod:`parcours.render.i18n`) and none of its most
common words; the words that name things (headings, folded tables' titles, table headers,
form labels, chosen options, figures' and canvas labels with their tooltips) must hold no
raw identifier (``lifecycle``, ``touchpoint:paiement``, ``debut_commande``); the text boxes
of the figures and of the canvas must not overlap or even touch side by side; no figure
label may be cut by its plot area and no open table may be wider than its card.
Screenshots land in ``artifacts/screenshots/language/`` for a human to look at.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from parcours.analyses import SUMMARIES
from parcours.render.i18n import LANGS, STRINGS
from tests.browser import read_login

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
SHOTS = ROOT / "artifacts" / "screenshots" / "language"
DATASETS = ROOT.parent / "shared" / "datasets"
PAGES = ["/", "/analyses", *(f"/analyses/{name}" for name in SUMMARIES), "/history", "/experience"]
# Everyday words of one language that never belong on a page of the other.
FOREIGN_WORDS = {
    "fr": {
        "the",
        "and",
        "of",
        "with",
        "persons",
        "journeys",
        "step",
        "rate",
        "share",
        "drop-off",
        "touchpoint",
        "stage",
        "purchase",
        "without",
        "per",
        # raw words seen on French pages before: a bin, table names, a comment's target
        "fits",
        "lifecycle",
        "stickiness",
        "map",
        "true",
        "false",
    },
    "en": {
        "les",
        "des",
        "avec",
        "personnes",
        "étape",
        "taux",
        "aux",
        "sans",
        "achat",
        "parcours client",
        "point de contact",
        "carte",
        "oui",
        "non",
    },
}


def _phrases(lang: str) -> set[str]:
    """The other language's catalogue phrases (two words or more) that this language's
    catalogue does not also use."""
    other = "en" if lang == "fr" else "fr"
    own = {entry.get(lang, "") for entry in STRINGS.values()}
    found = set()
    for entry in STRINGS.values():
        text = entry.get(other, "")
        if "{" in text or text in own or text == entry.get(lang):
            continue
        if len(text.split()) >= 2:
            found.add(text)
    return found


# The page's visible text outside quotes: text nodes shown on screen, whose nearest
# element with a lang attribute is the page itself.
VISIBLE_TEXT = """() => {
  const page = document.documentElement.lang;
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'TEXTAREA', 'CODE', 'OPTION'].includes(el.tagName)) continue;
    if (el.closest('details:not([open]) > :not(summary)')) continue;
    const quoted = el.closest('[lang]');
    if (quoted && quoted.getAttribute('lang') !== page) continue;
    if (el.closest('[translate="no"]')) continue;  // a user's own words (a version's message)
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  return out.join('\\n');
}"""

# Overlapping text boxes inside each figure (Plotly) and in the canvas: pairs of labels
# whose boxes touch side by side while sharing more than 4 px of height.
OVERLAPS = """() => {
  const found = [];
  for (const svg of document.querySelectorAll('.figure .main-svg, #canvas svg')) {
    const boxes = [];
    for (const t of svg.querySelectorAll('text')) {
      const text = t.textContent.trim();
      if (!text) continue;
      const style = getComputedStyle(t);
      if (style.display === 'none' || style.visibility === 'hidden' || style.opacity === '0') continue;
      const b = t.getBoundingClientRect();
      if (b.width < 1 || b.height < 1) continue;
      boxes.push([text, b]);
    }
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [ta, a] = boxes[i], [tb, b] = boxes[j];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 0 && h > 4) found.push(ta + ' / ' + tb);  // labels on one line may not even touch
    }
  }
  return found;
}"""


# The words that name things (headings, folded tables, table headers, figures' labels,
# chosen options): there an identifier (snake_case, ``kind:id``) is a word left raw.
LABELS = """() => {
  const page = document.documentElement.lang;
  const out = [];
  const shown = (el) => { const b = el.getBoundingClientRect(); return b.width && b.height; };
  for (const el of document.querySelectorAll('h1, h2, h3, summary, th, dt, label, .figure text, #canvas svg text')) {
    const quoted = el.closest('[lang]');
    if (quoted && quoted.getAttribute('lang') !== page) continue;
    if (el.closest('details:not([open]) > :not(summary)')) continue;
    if (shown(el)) out.push(el.textContent.trim());  // a canvas label's tooltip included
  }
  for (const select of document.querySelectorAll('select')) {
    if (shown(select) && select.selectedOptions.length) out.push(select.selectedOptions[0].text.trim());
  }
  return out.filter(Boolean);
}"""


def _data_values(workspace: str) -> re.Pattern[str]:
    """A property's value quoted after the field's title as the workspace's map names it
    (catégorie de produit « mode_homme »): the data's own word, shown as written."""
    from parcours.demo.load import demo_map
    from parcours.maps import JourneyMap, text_of

    if workspace == "demo":
        jm = demo_map()
    else:
        jm = JourneyMap.load(ROOT / "examples" / workspace / "journey.yaml")
    titles = {text_of(title, lang) for title in jm.property_titles.values() for lang in LANGS}
    names = "|".join(sorted(map(re.escape, titles), key=len, reverse=True)) or "(?!)"
    return re.compile(rf"\b(?:{names}) (?:«\s[^»]+\s»|'[^']+')")


IDENTIFIER = re.compile(r"(?<![\w.])[a-z]+(?:_[a-z0-9]+)+(?![\w.])|\b[a-z]+:[a-z_]+\b")

# Text cut off: a figure's label outside the plot area that clips it, a table wider than its
# card (its last columns hidden behind a scroll bar).
CLIPPED = """() => {
  const found = [];
  for (const svg of document.querySelectorAll('.figure .main-svg')) {
    for (const sub of svg.querySelectorAll('.cartesianlayer .subplot')) {
      const id = [...sub.classList].find((c) => c !== 'subplot');
      const drag = svg.querySelector('.draglayer .' + id + ' .nsewdrag');
      if (!drag) continue;
      const area = drag.getBoundingClientRect();
      for (const t of sub.querySelectorAll('.plot text')) {
        const text = t.textContent.trim();
        if (!text || !t.closest('[clip-path]')) continue;
        const b = t.getBoundingClientRect();
        if (b.width < 1) continue;
        if (b.left < area.left - 2 || b.right > area.right + 2 || b.top < area.top - 2 || b.bottom > area.bottom + 2)
          found.push('label cut by its plot: ' + text);
      }
    }
  }
  for (const wrap of document.querySelectorAll('.table-wrap')) {
    if (wrap.closest('details:not([open])')) continue;  // a folded table scrolls once opened
    if (wrap.getBoundingClientRect().width && wrap.scrollWidth > wrap.clientWidth + 1) {
      const head = [...wrap.querySelectorAll('th')].map((th) => th.textContent.trim());
      found.push('table wider than its card: ' + head.join(' | '));
    }
  }
  return found;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _serve(path: Path):
    """`parcours serve` on ``path``; yields (login address, base address)."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "parcours", "serve", "-w", str(path), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )
    try:
        login = read_login(process)
        yield login, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def sync_api():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install the distribution's chromium package")
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def _demo(folder: Path) -> Path:
    import parcours
    from parcours.demo.load import load_demo

    path = folder / "demo.duckdb"
    with parcours.open(path) as ws:
        load_demo(ws, persons=1500, seed=7)
    return path


def _helpdesk(folder: Path) -> Path:
    import parcours
    from parcours.maps import JourneyMap

    log = DATASETS / "helpdesk" / "helpdesk.xes.gz"
    if not log.exists():
        pytest.skip(f"the Helpdesk log is not at {log} (real data sets live in ../shared)")
    path = folder / "helpdesk.duckdb"
    with parcours.open(path) as ws:
        ws.ingest_events(log, mapping=str(ROOT / "examples" / "helpdesk" / "mapping.yaml"))
        ws.save_map(JourneyMap.load(ROOT / "examples" / "helpdesk" / "journey.yaml"), "example")
    return path


WORKSPACES = {"demo": _demo, "helpdesk": _helpdesk}
BROWSER_LOCALE = {"fr": "fr-FR", "en": "en-GB"}


@pytest.mark.parametrize("workspace", sorted(WORKSPACES))
def test_every_page_speaks_one_language_without_overlaps(workspace, sync_api, tmp_path):
    path = WORKSPACES[workspace](tmp_path)
    data_values = _data_values(workspace)
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with _serve(path) as (login, base), sync_api.sync_playwright() as p:
        session = None  # the login link works once: the English browser takes its cookie
        for lang in ("fr", "en"):
            # the reader's own browser, in their language: it writes the date fields
            # (jj/mm/aaaa in French), and its locale the numbers it formats
            locale = BROWSER_LOCALE[lang].replace("-", "_")  # Chromium's language: LANG's
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=ARGS,
                env={**os.environ, "LANG": f"{locale}.UTF-8", "LANGUAGE": lang},
            )
            context = browser.new_context(
                viewport={"width": 1440, "height": 900},
                locale=BROWSER_LOCALE[lang],
                storage_state=session,
            )
            tab = context.new_page()
            tab.set_default_timeout(180_000)  # a first canvas on a loaded 2-core machine is slow
            if session is None:
                tab.goto(login)
                session = context.storage_state()
            phrases = _phrases(lang)
            for page in PAGES:
                tab.goto(f"{base}{page}?lang={lang}")
                # a page not computed yet shows its progress, then opens itself again
                tab.locator("#progress").wait_for(state="detached")
                tab.wait_for_load_state("networkidle")
                if tab.locator(".figure").count():
                    tab.wait_for_selector(".figure .main-svg")
                    tab.wait_for_timeout(300)
                name = page.strip("/").replace("/", "-") or "map"
                tab.screenshot(path=str(SHOTS / f"{workspace}-{lang}-{name}.png"), full_page=True)
                text = tab.evaluate(VISIBLE_TEXT)
                lowered = text.lower()
                for phrase in phrases:
                    if re.search(rf"(?<!\w){re.escape(phrase.lower())}(?!\w)", lowered):
                        problems.append(f"{workspace} {lang} {page}: other language: {phrase!r}")
                for word in FOREIGN_WORDS[lang]:
                    hit = re.search(
                        rf".{{0,40}}(?<![\w-]){re.escape(word)}(?![\w-]).{{0,40}}", lowered
                    )
                    if hit:
                        problems.append(f"{workspace} {lang} {page}: {word!r} in {hit.group(0)!r}")
                for pair in tab.evaluate(OVERLAPS):
                    problems.append(f"{workspace} {lang} {page}: overlapping labels {pair!r}")
                for label in tab.evaluate(LABELS):
                    raw = IDENTIFIER.search(data_values.sub("", label))
                    if raw:
                        problems.append(
                            f"{workspace} {lang} {page}: id {raw.group(0)!r} in {label!r}"
                        )
                    for word in FOREIGN_WORDS[lang]:
                        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", label.lower()):
                            problems.append(
                                f"{workspace} {lang} {page}: {word!r} in label {label!r}"
                            )
                for cut in tab.evaluate(CLIPPED):
                    problems.append(f"{workspace} {lang} {page}: {cut}")
            browser.close()
    assert not problems, "\n".join(problems)
