"""The CLI's tables as a reader reads them: the map's titles, the reader's number formats,
at most 80 columns with what was left out named; JSON keeps ids and ratios."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pandas as pd
from rich.console import Console

from parcours.analyses.base import Result, figure
from parcours.cli import output
from parcours.maps import JourneyMap
from parcours.render import present

HELPDESK = Path(__file__).resolve().parents[2] / "examples" / "helpdesk" / "journey.yaml"


@dataclass(kw_only=True, repr=False)
class StagesResult(Result):
    analysis: ClassVar[str] = "kpis"
    persons: int = figure("persons")
    conversion: float = figure("conversion")
    bgnbd_r: float = figure("BG/NBD r")


def _result() -> StagesResult:
    table = pd.DataFrame(
        {
            "id": ["ouverture", "attente"],
            "stage": ["ouverture", "attente"],
            "events": [25201, 1463],
            "persons": [4502, 1236],
            "journeys": [4502, 1236],
            "reach": [0.983, 0.2698],
            "conversion": [0.6084, 0.99],
            "exit_rate": [0.0, 0.006],
            "median_time_s": [102353.64, 5400.0],
            "exit_low": [0.0, 0.001],
        }
    )
    return StagesResult(title="KPIs per stage", table=table, persons=25201, conversion=0.6084,
                        bgnbd_r=0.41)  # fmt: skip


def _captured(width: int, printing: Callable[[], object]) -> str:
    """What ``printing`` prints on the CLI's console, ``width`` columns wide."""
    console = Console(width=width, record=True, force_terminal=False)
    saved = output.console
    output.console = console
    try:
        printing()
    finally:
        output.console = saved
    return console.export_text()


def _printed(lang: str, width: int = 80) -> str:
    jm = JourneyMap.load(HELPDESK)
    return _captured(width, lambda: output.emit_result(_result(), jm, lang, width=width))


def test_french_table_reads_as_french_within_80_columns():
    text = _printed("fr")
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Attente" in text and "ouverture " not in text  # titles, not ids
    assert "25\u202f201" in text and "61\u00a0%" in text  # the reader's formats
    assert "0.6084" not in text and "BG/NBD" not in text  # no raw ratio, no model internal
    assert "Colonnes qui ne tiennent pas" in text  # what was left out is named


def test_english_table_names_what_it_left_out():
    text = _printed("en", width=60)
    assert "25,201" in text and "61%" in text
    assert "Columns that do not fit this width:" in text


def test_reader_language_comes_from_the_option_then_the_map():
    jm = JourneyMap.load(HELPDESK)
    assert output.reader_lang("fr", jm) == "fr"
    assert output.reader_lang(None, jm) == jm.lang


SENTENCE = (
    "  Livraison à domicile : 20 % des passages par « Livraison à domicile » sont suivis "
    "d'un appel ; contre 11 % sans : un écart significatif, d'au moins 18 points !"
)


def test_french_sentences_never_break_before_their_punctuation():
    words = SENTENCE.split()
    for width in range(24, 70):
        lines = _captured(width, lambda: output.print_prose(SENTENCE, "fr")).splitlines()
        assert all(len(line) <= width for line in lines), width
        # no line begins with ; : % » ! nor ends with «: they stay with their word
        assert not [ln for ln in lines if ln.strip()[:1] in ";:%»!" or ln.endswith("«")], width
        assert all(line.startswith("    ") for line in lines[1:]), width  # a hanging indent
        assert " ".join(lines).replace("\u00a0", " ").split() == words  # nothing lost


def test_at_80_columns_the_measures_stay_and_a_touchpoints_stage_and_channel_go():
    ids = ["saisie_ticket", "gravite", "prise_en_charge", "intervention", "montee_version"]
    table = pd.DataFrame(
        {
            "id": ids,
            "stage": ["ouverture", "ouverture", "prise_en_charge", "attente", "attente"],
            "channel": ["web"] * 5,
            "events": [25201, 1463, 980, 412, 38],
            "persons": [4502, 1236, 950, 400, 37],
            "journeys": [4502, 1236, 950, 400, 37],
            "reach": [0.983, 0.2698, 0.2, 0.09, 0.008],
            "conversion": [0.6084, 0.99, 0.5, 0.4, 0.3],
            "exit_rate": [0.0, 0.006, 0.1, 0.2, 0.25],
            "time_decay": [1.0, 2.0, 3.0, 4.0, 5.0],  # a figure with a long header
        }
    )
    names = present.Titles.of(JourneyMap.load(HELPDESK), "fr").prefer("touchpoint")
    shown = present.table(table, "fr", names, rows=40)
    text = _captured(80, lambda: output._print_shown(shown, "fr", 80))
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    head = " ".join(lines[:6])
    for measure in ("Personnes", "Portée", "Conversion"):
        assert measure in head, measure  # the measures asked for are shown ...
    assert "…" not in text  # ... and no header is cut short
    left_out = text[text.index("Colonnes qui ne tiennent pas") :]
    assert "Canal" in left_out and "Étape" in left_out  # the map says those


def test_a_sentence_with_a_tab_or_a_long_word_is_printed_whole():
    text = "  Verbatim :\tsuper\tservice " + "x" * 50 + " ; merci"
    printed = _captured(30, lambda: output.print_prose(text, "fr"))
    assert "x" * 20 in printed and "merci" in printed
    assert "".join(printed.split()).replace("\xa0", "") == "".join(text.split())


def test_measures_that_do_not_fit_go_under_the_table_after_each_rows_name():
    """At 80 columns the voice table showed NPS and satisfaction, and left out the effort,
    rating and tone that the payment rows had (their cells read empty)."""
    ids = ["saisie_ticket", "gravite", "prise_en_charge"]
    table = pd.DataFrame(
        {
            "level": ["touchpoint"] * 3,
            "id": ids,
            "stage": ["ouverture", "ouverture", "prise_en_charge"],
            "answers": [1199, 141, 1425],
            "nps": [None, None, 22.0],
            "csat": [None, 0.84, None],
            "ces": [5.12, 2.1, None],
            "rating": [None, None, 3.97],
            "sentiment": [-0.21, 0.24, 0.48],
            "negative_share": [0.797, 0.32, 0.065],
        }
    )
    names = present.Titles.of(JourneyMap.load(HELPDESK), "fr").prefer("touchpoint")
    shown = present.table(table, "fr", names, rows=40)
    text = _captured(80, lambda: output._print_shown(shown, "fr", 80, "Voix"))
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    under = text[text.index("Voix (suite)") :]
    for header in ("Effort", "Note", "Ton", "Part négative"):
        assert header in text, header
    # each row of the continuation is named by its touchpoint, not by its level
    row = next(line for line in under.splitlines() if "5,1" in line)
    assert shown.rows[0][shown.columns.index("Point")] in row and "point de contact" not in under
    assert "-0,21" in row and "80\xa0%" in row
    # only the stage, which the map says, is left out and named
    assert text[text.index("Colonnes qui ne tiennent pas") :].split(":")[1].split("(")[
        0
    ].strip() == ("Étape")


def test_a_table_without_rows_names_no_missing_column():
    table = pd.DataFrame({"id": [], "stage": [], "persons": [], "reach": [], "conversion": []})
    names = present.Titles.of(JourneyMap.load(HELPDESK), "fr").prefer("touchpoint")
    shown = present.table(table, "fr", names, rows=40)
    text = _captured(30, lambda: output._print_shown(shown, "fr", 30))
    assert "(aucune ligne)" in text and "ne tiennent pas" not in text


def test_a_header_of_several_words_keeps_to_two_lines_when_there_is_room():
    """The README's funnel wrote "From / the / step / before" one word a line."""
    columns = ["Step", "Name", "Persons", "Conversion", "From the step before", "Dropped off",
               "Drop-off rate", "Lost"]  # fmt: skip
    rows = [["1", "Add to cart", "25,201", "100%", "100%", "0", "0.0%", "0"],
            ["2", "Checkout start", "20,187", "80%", "80%", "5,014", "20%", "5,012"]]  # fmt: skip
    shown = present.Shown(columns, rows, 2, [False] * 8, [], names=[c.lower() for c in columns])
    text = _captured(100, lambda: output._print_shown(shown, "en", 100))
    header = [line for line in text.splitlines() if line.startswith("┃")]
    assert len(header) == 2, text
    assert "From the" in header[0] and "step before" in header[1]
    assert max(len(line) for line in text.splitlines()) <= 100
