"""`parcours report` says on stderr, in the reader's language, each section as it is done:
its number, its title and its time; the report itself goes to its file, stdout only says
where."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

import parcours
from parcours.cli.app import app
from parcours.maps import JourneyMap
from tests.store.test_results import FIRST, MAP
from tests.timelines import events_frame

# The sections in the report's order (the registry's), as the French reader reads them.
SECTIONS_FR = [
    "Points de friction",
    "Indicateurs",
    "Entonnoir de conversion",
    "Chemins des clients",
    "Carte des enchaînements",
    "Conformité au parcours prévu",
    "Canaux",
    "Attribution",
    "Voix du client",
    "Fidélisation",
    "Personas",
    "Comparer",
]


@pytest.fixture
def shop(tmp_path):
    path = tmp_path / "shop.duckdb"
    with parcours.open(path) as ws:
        ws.ingest_events(events_frame(FIRST))
        ws.save_map(JourneyMap.loads(MAP), "test map")
    return path


def test_report_prints_a_line_per_section_in_the_readers_language(shop, tmp_path):
    out = tmp_path / "report.html"
    done = CliRunner().invoke(app, ["--lang", "fr", "report", "-w", str(shop), "-o", str(out)])
    assert done.exit_code == 0, done.output
    lines = done.stderr.splitlines()
    # "  [3/12] Entonnoir de conversion : 0,4 s": the time in French digits (a comma).
    shown = [re.fullmatch(r"  \[(\d+)/12\] (.+) : (\d+(,\d)?) s", line) for line in lines]
    assert all(shown), lines
    assert [(int(m[1]), m[2]) for m in shown] == list(enumerate(SECTIONS_FR, start=1))
    assert "Écrit" in done.stdout and out.stat().st_size > 0


def test_the_lines_follow_the_english_reader(shop, tmp_path):
    out = tmp_path / "report.html"
    done = CliRunner().invoke(app, ["report", "-w", str(shop), "-o", str(out), "--lang", "en"])
    assert done.exit_code == 0, done.output
    lines = done.stderr.splitlines()
    assert lines[0].startswith("  [1/12] Friction points: ") and lines[0].endswith(" s")
    assert re.fullmatch(r"  \[12/12\] Compare: \d+(\.\d)? s", lines[-1]), lines[-1]


def test_the_last_sections_time_stops_before_the_page_is_laid_out(shop, tmp_path, monkeypatch):
    # The report hears every analysis start, then None, then lays out its sections: so the
    # line of the last section ("Comparer") no longer counts the layout of the whole page.
    from parcours.analyses import REGISTRY
    from parcours.render import report as module

    heard: list[str | None] = []
    lay_out, write = module._Builder.section, module.write_report

    def section(self, key, maker):
        heard.append("layout")
        return lay_out(self, key, maker)

    def listened(*args, on_progress, **kwargs):
        def hear(name):
            heard.append(name)
            on_progress(name)

        return write(*args, on_progress=hear, **kwargs)

    monkeypatch.setattr(module._Builder, "section", section)
    monkeypatch.setattr(module, "write_report", listened)
    out = tmp_path / "report.html"
    done = CliRunner().invoke(app, ["report", "-w", str(shop), "-o", str(out), "--lang", "en"])
    assert done.exit_code == 0, done.output
    analyses = len(REGISTRY)
    assert heard[:analyses] == list(REGISTRY) and heard[analyses] is None
    assert heard[analyses + 1 :] and set(heard[analyses + 1 :]) == {"layout"}
    assert len(done.stderr.splitlines()) == analyses  # a line per section, none for None
