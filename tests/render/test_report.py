"""The report on the demo workspace: one offline HTML file holding the canvas and every
section, frictions first; a failing analysis shows a box, not a crash; PDF through Chromium."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from parcours.analyses.funnel import default_steps as default_funnel_steps
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.render import report
from parcours.render.i18n import t
from parcours.render.report import (
    PRINT_CHART_PX,
    SECTIONS,
    build_report,
    canvas_for,
    find_chromium,
    html_to_pdf,
    run_analyses,
)

EXTERNAL = re.compile(
    r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def demo_results(demo_ws, demo_map):
    return run_analyses(demo_ws.context(demo_map))


@pytest.fixture(scope="module")
def report_fr(demo_ws, demo_map, demo_results):
    return build_report(demo_ws.context(demo_map), "fr", results=demo_results)


def test_every_analysis_of_the_report_runs_on_the_demo(demo_results):
    failed = {name: repr(r) for name, r in demo_results.items() if isinstance(r, Exception)}
    assert failed == {}


def test_report_is_one_offline_file(report_fr):
    assert report_fr.startswith("<!doctype html>")
    assert EXTERNAL.search(report_fr) is None
    from plotly.offline import get_plotlyjs

    head = get_plotlyjs()[:200]
    assert report_fr.count(head) == 1  # plotly.js inlined exactly once
    assert report_fr.count('<script type="text/javascript">') >= 1
    assert report_fr.count("Plotly.newPlot") >= 8  # one call per chart, all using it


def test_report_holds_the_canvas_and_every_section_frictions_first(report_fr, demo_map):
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in report_fr
    assert 'class="touchpoint" data-id="paiement_web"' in report_fr
    for key in SECTIONS:
        assert f'<section id="{key}"' in report_fr
        assert f"<h2>{t(f'section.{key}', 'fr')}</h2>" in report_fr
    positions = [report_fr.index(f'<section id="{key}"') for key in ("summary", *SECTIONS)]
    assert positions == sorted(positions)
    assert report_fr.index('id="frictions"') < report_fr.index('id="canvas"')
    assert t("report.unavailable", "fr") not in report_fr  # nothing failed on the demo
    # The planted frictions are named at the top: the landing page (bounces), paiement_web.
    top = report_fr[report_fr.index('id="frictions"') : report_fr.index('id="canvas"')]
    assert "atterrissage et accueil du site" in top
    assert "Paiement en ligne" in top
    assert demo_map.title_of("fr") in report_fr


def test_report_follows_the_language(demo_ws, demo_map, demo_results):
    page = build_report(demo_ws.context(demo_map), "en", results=demo_results)
    assert '<html lang="en">' in page
    for key in SECTIONS:
        assert f"<h2>{t(f'section.{key}', 'en')}</h2>" in page
    assert demo_map.title_of("en") in page


def test_compare_section_draws_both_sides_rates_in_the_readers_words(report_fr):
    section = report_fr[report_fr.index(f"<h2>{t('section.compare', 'fr')}</h2>") :]
    assert "Part des parcours (A et B)" in section and "Tous les parcours : conversion" in section
    assert '"reach"' not in section and "n_a" not in section.split("<table")[0]


class _December3(dt.date):
    @classmethod
    def today(cls) -> _December3:
        return cls(2026, 12, 3)


@pytest.mark.parametrize(
    ("lang", "generated", "periods", "cohort"),
    [
        (
            "fr",
            "Généré le 3 décembre 2026 par parcours",
            "du 1 avril 2026 au 30 avril 2026 (A), 40,5\xa0% du 1 mai 2026 au 31 mai 2026 (B)",
            '"janvier 2026 (364)","février 2026 (517)"',
        ),
        (
            "en",
            "Generated on 3 Dec 2026 by parcours",
            "from 1 Apr 2026 to 30 Apr 2026 (A), 40.5% from 1 May 2026 to 31 May 2026 (B)",
            '"Jan 2026 (364)","Feb 2026 (517)"',
        ),
    ],
)
def test_report_says_its_dates_in_the_readers_words(
    demo_ws, demo_map, demo_results, monkeypatch, lang, generated, periods, cohort
):
    monkeypatch.setattr(report, "dt", SimpleNamespace(date=_December3))
    page = build_report(demo_ws.context(demo_map), lang, results=demo_results)
    prose = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)  # the words, not the data
    assert generated in prose and periods in prose
    assert re.search(r"\b20\d\d-\d\d\b", re.sub(r"<[^>]*>", "", prose)) is None
    assert cohort in page  # the retention heatmap's rows, in the chart's data


def test_a_failing_analysis_shows_a_box_and_the_rest_stays(demo_ws, demo_map, demo_results):
    broken = dict(demo_results)
    broken["funnel"] = InputError("funnel: step 'nowhere' is not a touchpoint, stage or event")
    broken["retention"] = ZeroDivisionError("division by zero")
    page = build_report(demo_ws.context(demo_map), "en", results=broken)
    funnel = page[page.index('<section id="funnel"') : page.index('<section id="paths"')]
    assert "Not available:" in funnel and "step &#39;nowhere&#39;" in funnel
    retention = page[page.index('<section id="retention"') : page.index('<section id="personas"')]
    assert "Not available:" in retention and "ZeroDivisionError: division by zero" in retention
    assert page.count("Not available:") == 2
    assert "js-plotly-plot" not in funnel and 'class="plotly-graph-div"' not in funnel
    french = build_report(demo_ws.context(demo_map), "fr", results=broken)
    assert french.count("<b>Non disponible\u00a0:</b>") == 2  # French spaces its colon


def test_report_on_events_alone_says_what_is_missing(ws):
    ws.ingest_events(
        pd.DataFrame(
            {
                "customer_id": ["ana", "ana", "ana", "bob", "bob", "bob"],
                "ts": pd.to_datetime(
                    ["2026-03-01 10:00", "2026-03-01 10:05", "2026-03-01 10:20"]
                    + ["2026-03-02 09:00", "2026-03-02 09:10", "2026-03-02 09:12"],
                    utc=True,
                ),
                "channel": "web",
                "event": ["view", "cart", "purchase", "view", "cart", "view"],
            }
        )
    )
    jm = JourneyMap.loads(
        "{map: m, title: M, channels: [web], conversion: {event: purchase}, "
        "stages: [{id: consideration, title: C}, {id: decision, title: D}], "
        "flow: [[consideration, decision]], touchpoints: ["
        "{id: vue, stage: consideration, channel: web, match: {event: view}}, "
        "{id: panier, stage: decision, channel: web, match: {event: cart}}, "
        "{id: achat, stage: decision, channel: web, match: {event: purchase}}]}"
    )
    page = build_report(ws.context(jm), "en")
    voice = page[page.index('<section id="voice"') : page.index('<section id="retention"')]
    assert "Not available:</b> no survey answer in the workspace" in voice
    funnel = page[page.index('<section id="funnel"') : page.index('<section id="paths"')]
    assert "Not available" not in funnel and "plotly-graph-div" in funnel
    assert all(f'<section id="{key}"' in page for key in SECTIONS)


def test_default_funnel_goes_through_the_stages_to_the_conversion(demo_map):
    # the conversion (purchase, in the decision stage) stands for its stage: a store
    # purchase with nothing before it in that stage still converts
    assert default_funnel_steps(demo_map) == ["decouverte", "consideration", "purchase"]


def test_default_funnel_of_the_helpdesk_reaches_the_closing(shared_datasets, tmp_path):
    """The Helpdesk example: tickets are closed about a month after their resolution, so
    the overview's funnel follows a journey's window (the map's 90 days), and its last step
    is the closing itself, not a closing stage that the closing would have to follow."""
    import parcours
    from parcours.analyses import get

    examples = Path(__file__).parents[2] / "examples" / "helpdesk"
    jm = JourneyMap.load(examples / "journey.yaml")
    assert default_funnel_steps(jm) == [
        "ouverture", "prise_en_charge", "attente", "resolution", "Closed"
    ]  # fmt: skip
    ws = parcours.open(":memory:")
    try:
        ws.ingest_events(
            shared_datasets / "helpdesk" / "helpdesk.xes.gz",
            mapping=str(examples / "mapping.yaml"),
        )
        ctx = ws.context(jm)
        params = get("funnel").overview(ctx)
        assert params["window"] == "90d"
        persons = get("funnel")(ctx, **params).table.persons.tolist()
        # 1,142 tickets go through the waiting stage to the resolution within 90 days, and
        # all but 2 of them are closed; within 14 days none is: the closing comes about 30
        # days after the resolution
        assert persons[-2:] == [1142, 1140]
        two_weeks = get("funnel")(ctx, steps=params["steps"], window="14d").table.persons
        assert two_weeks.iloc[-1] == 0
    finally:
        ws.close()


def test_canvas_for_draws_measured_figures_frictions_and_persona(demo_ws, demo_map, demo_results):
    ctx = demo_ws.context(demo_map)
    canvas = canvas_for(ctx, persona="ropo", lang="fr", results=demo_results)
    assert "portée" in canvas.svg and "conversion" in canvas.svg
    explanation = demo_results["frictions"].table.iloc[0].explanation
    assert explanation[:40].replace("'", "&#x27;") in canvas.svg
    assert "Julien, 38 ans" in canvas.svg
    with pytest.raises(InputError, match="allowed: digital_native, store_loyalist, ropo"):
        canvas_for(ctx, persona="nobody", results=demo_results)


def _browser_or_skip() -> None:
    pytest.importorskip("playwright", reason="the PDF needs the python package playwright")
    if find_chromium() is None:
        pytest.skip("the PDF needs Chromium (/usr/bin/chromium or $PARCOURS_CHROMIUM)")


def test_printed_a_heading_stays_with_what_follows_and_a_chart_is_never_split(report_fr):
    style = report_fr[report_fr.index("@media print") : report_fr.index("</style>")]
    assert "h2, h3, p.explain, p.as-of { break-after: avoid; }" in style
    assert re.search(
        r"\.keep, \.chart, \.plotly-graph-div, \.figures, [^{]*\{ break-inside: avoid;", style
    )
    assert "tr { break-inside: avoid; }" in style
    assert ".chart { zoom: var(--print-zoom, 1); }" in style
    # Every chart sits in a .chart box; one taller than a printed page less its heading (the
    # voice of the customer's three panels, the comparison's rows) is shrunk to fit.
    charts = re.findall(
        r'<div class="chart"(?: style="--print-zoom: ([0-9.]+)")?><div style="height:(\d+)px',
        report_fr,
    )
    assert len(charts) == report_fr.count('class="plotly-graph-div"') >= 8
    for zoom, height in charts:
        assert float(zoom or 1) * int(height) <= PRINT_CHART_PX + 1, (zoom, height)
    assert any(zoom for zoom, _ in charts)  # the demo has such a chart


def test_printed_the_journey_map_fits_its_one_page(report_fr):
    style = report_fr[report_fr.index("@media print") : report_fr.index("</style>")]
    assert "@page canvas { size: A3 portrait; margin: 10mm; }" in report_fr
    # The section is the printable height (420 - 2 x 10 mm, less a rounding margin) and the
    # drawing takes what the heading leaves, scaled down with its proportions kept.
    assert "section#canvas { page: canvas; height: 398mm; display: flex;" in style
    assert ".canvas svg { flex: 1 1 auto; min-width: 0; width: 100%; height: 100%; }" in style
    assert '<svg xmlns="http://www.w3.org/2000/svg" width=' in report_fr  # a viewBox to scale


A3_PORTRAIT = b"/MediaBox [0 0 841.91998 1191.12]"


def test_report_prints_to_pdf(report_fr, tmp_path):
    _browser_or_skip()
    path = html_to_pdf(report_fr, tmp_path / "report.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.rstrip().endswith(b"%%EOF")
    assert len(data) > 100_000  # charts and the canvas are drawn as vectors
    # The journey map is on one A3 page: not its heading alone on one, the drawing on the
    # next and the end of its frictions row on a third.
    assert data.count(b"/MediaBox [") > 10
    assert data.count(A3_PORTRAIT) == 1


def test_cli_report_map_and_missing_browser_message(demo_ws, tmp_path, monkeypatch):
    from parcours.cli.report import report_app

    app = typer.Typer()
    app.add_typer(report_app, name="report")
    runner = CliRunner()
    out = tmp_path / "map.svg"
    result = runner.invoke(
        app, ["report", "map", "--out", str(out), "-w", demo_ws.url, "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("<svg") and "reach" in out.read_text()
    bad = runner.invoke(app, ["report", "map", "--out", str(tmp_path / "m.gif"), "-w", demo_ws.url])
    assert isinstance(bad.exception, InputError) and "allowed: .html, .svg, .png, .pdf" in str(
        bad.exception
    )
    monkeypatch.setenv("PARCOURS_CHROMIUM", str(tmp_path / "no-chromium"))
    from parcours.errors import ParcoursError

    with pytest.raises(ParcoursError, match="needs Chromium"):
        html_to_pdf("<html></html>", tmp_path / "x.pdf")
