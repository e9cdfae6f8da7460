"""What a French newcomer reads in the CLI: a "Label: value" is written "Label : value" (a
no-break space before the colon) in the figures, the explanations and the texts built from
labels; a drafted map's comments never start a line with a colon; the demo's map version is
described in the reader's language."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from parcours.analyses.base import Result
from parcours.cli import output
from parcours.maps import JourneyMap
from parcours.maps.draft import _wrap
from parcours.render.i18n import labelled
from parcours.render.present import Titles, cell_text
from tests.cli.test_output_reader import HELPDESK, _printed


def test_figures_are_labelled_in_the_readers_typography():
    french = _printed("fr").splitlines()
    assert "  Personnes\u00a0: 25\u202f201" in french
    assert "  Conversion\u00a0: 61\u00a0%" in french
    english = _printed("en").splitlines()
    assert "  Persons: 25,201" in english and "  Conversion: 61%" in english


class _Explained(Result):
    analysis = "frictions"


def test_an_explanation_is_introduced_by_its_label_and_a_colon():
    text = "Beaucoup de clients s'arrêtent ici sans aller plus loin que la première page du site."
    table = pd.DataFrame({"id": ["attente"], "explanation": [text]})
    console = Console(width=200, record=True, force_terminal=False)
    saved, output.console = output.console, console
    try:
        output.emit_result(
            _Explained(title="x", table=table), JourneyMap.load(HELPDESK), "fr", width=200
        )
    finally:
        output.console = saved
    assert f"  Attente\u00a0: {text}" in console.export_text().splitlines()


def test_labelled_and_a_dict_cell():
    assert labelled("Responsable", "Léa", "fr") == "Responsable\u00a0: Léa"
    assert labelled("Owner", "Léa", "en") == "Owner: Léa"
    names = Titles.of(JourneyMap.load(HELPDESK), "fr")
    assert cell_text("segment", {"attente": "ouverture"}, "fr", names) == (
        "Attente\u00a0: Ouverture du ticket"
    )


def test_a_drafted_maps_comment_never_starts_a_line_with_a_colon():
    text = "C'est un brouillon : renommez les étapes ; puis validez-la."
    # at 21 columns "# C'est un brouillon" fills the first line; its colon goes with it
    lines = _wrap(text, width=21)
    assert lines == [
        "# C'est un",
        "# brouillon :",
        "# renommez les",
        "# étapes ; puis",
        "# validez-la.",
    ]


def test_the_demo_describes_its_map_version_in_the_readers_language(tmp_path):
    import json

    from typer.testing import CliRunner

    from parcours.cli.app import app

    workspace = str(tmp_path / "d.duckdb")
    demo = ["demo", "--persons", "100", "--no-serve", "-w", workspace, "--lang", "fr"]
    done = CliRunner().invoke(app, [*demo, "--map-out", str(tmp_path / "m.yaml")])
    assert done.exit_code == 0, done.output
    history = ["maps", "history", "maison-lumiere", "-w", workspace, "--format", "json"]
    versions = json.loads(CliRunner().invoke(app, history).output)
    assert [v["message"] for v in versions] == ["carte de la démo"]
