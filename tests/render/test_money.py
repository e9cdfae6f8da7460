"""Amounts of money carry the map's currency, as the reader's locale writes it; a map that
names none keeps plain numbers (as before the field existed)."""

from __future__ import annotations

import pandas as pd
import pytest

from parcours.maps import JourneyMap
from parcours.render import present
from parcours.render.canvas import CanvasInput, journey_canvas
from parcours.render.i18n import money, number, pct
from parcours.render.map_objects import value_words
from parcours.render.report import Column, table_html
from tests.cli.test_cli import run

NBSP, NNBSP = "\u00a0", "\u202f"  # Babel's French: a no-break space before €, a narrow one in 1 200

MAP = """
map: shop
currency: {currency}
title: Shop
stages: [{{id: buy, title: Achat}}]
channels: [web]
touchpoints:
  - {{id: pay, stage: buy, channel: web, match: {{event: pay}},
     goal: {{metric: revenue, target: 50000}}}}
conversion: {{event: pay}}
"""


def shop(currency: str = "EUR") -> JourneyMap:
    return JourneyMap.loads(MAP.format(currency=currency))


def test_money_is_written_as_each_locale_writes_its_currency():
    assert money(694224.4, "fr", "EUR") == f"694{NNBSP}224{NBSP}€"
    assert money(694224.4, "en", "EUR") == "€694,224"
    assert money(74.054, "fr", "EUR", 2) == f"74,05{NBSP}€"
    assert money(74.054, "en", "GBP", 2) == "£74.05"
    assert money(1200, "en", "USD") == "US$1,200"


def test_without_a_currency_money_is_a_plain_number():
    assert money(694224.4, "fr", None) == f"694{NNBSP}224"
    assert money(74.054, "en", None, 2) == "74.05"
    assert money(None, "fr", "EUR") == "–"


def test_a_currency_is_read_in_any_case_and_an_unknown_one_is_refused():
    assert shop("eur").currency == "EUR"
    assert JourneyMap.loads(MAP.format(currency="null")).currency is None
    with pytest.raises(ValueError, match="currency 'EURO' is not known: write an ISO 4217"):
        shop("EURO")


def test_validate_names_the_line_the_field_and_what_is_allowed_in_french(tmp_path):
    path = tmp_path / "shop.yaml"
    path.write_text(MAP.format(currency="EURO"), encoding="utf-8")
    done = run("--lang", "fr", "validate", str(path), cwd=tmp_path)
    assert done.returncode == 2
    said = " ".join(done.stderr.split())
    assert f"{path.name}:3 : devise 'EURO' inconnue : écrivez un code ISO 4217" in said
    assert "(champ currency)" in said


def test_tables_figures_report_and_canvas_carry_the_currency():
    frame = pd.DataFrame({"segment": ["champions"], "revenue": [694224.0], "persons": [2653]})
    euros, plain = present.Titles.of(shop(), "fr"), present.Titles.of(None, "fr")
    shown = present.table(frame, "fr", euros)
    assert shown.rows[0][shown.names.index("revenue")] == f"694{NNBSP}224{NBSP}€"
    assert shown.rows[0][shown.names.index("persons")] == f"2{NNBSP}653"  # a count: no €
    assert present.table(frame, "fr", plain).rows[0][1] == f"694{NNBSP}224"
    # a level's titles (a result per touchpoint) keep the currency
    assert present.cell_text("revenue_per_person", 65.2, "en", euros.prefer("touchpoint")) == "€65"
    html = table_html(frame, [Column("revenue", "col.revenue", "money")], "en", currency="EUR")
    assert "€694,224" in html
    assert (
        value_words(74.054, "fr", "EUR")
        == f"74,05{NBSP}€ par conversion, d'après le chiffre d'affaires des conversions"
    )
    goals = pd.DataFrame(
        {
            "id": ["pay"],
            "metric": ["revenue"],
            "target": [50000.0],
            "value": [61000.0],
            "met": [True],
        }
    )
    canvas = journey_canvas(shop("GBP"), CanvasInput(goals=goals), lang="en")
    assert "✓ goal revenue £50,000" in canvas.svg


@pytest.mark.parametrize(
    ("lang", "currency", "amounts"),
    [("en", "GBP", ("£65", "£124")), ("fr", "EUR", ("65 €", "124 €"))],
)
def test_the_cli_aligns_amounts_to_the_right_like_other_figures(lang, currency, amounts):
    from parcours.cli import output
    from tests.cli.test_output_reader import _captured

    frame = pd.DataFrame({"persona": ["a", "b"], "revenue_per_person": [65.0, 124.0]})
    shown = present.table(frame, lang, present.Titles.of(shop(currency), lang))
    text = _captured(60, lambda: output._print_shown(shown, lang, 60)).replace(NBSP, " ")
    rows = [line for line in text.splitlines() if any(a in line for a in amounts)]
    # right-aligned: both amounts end in the same column, before the table's border
    ends = {line.rstrip().rstrip("│").rstrip().__len__() for line in rows}
    assert len(rows) == 2 and len(ends) == 1, text


def test_no_formatter_writes_a_negative_zero():
    # a behaviour group with no revenue had its mean written "-0 €" (a rounding error below 0)
    assert money(-0.0, "fr", "EUR") == f"0{NBSP}€"
    assert money(-0.4, "en", "EUR") == "€0"
    assert money(-0.004, "en", "EUR", 2) == "€0.00"
    assert money(-0.6, "fr", "EUR") == f"-1{NBSP}€"  # a real loss keeps its sign
    assert money(-0.3, "fr", None) == "0"
    assert number(-0.0, "fr") == "0"
    assert number(-0.004, "en", 2) == "0"
    assert pct(-0.0001, "fr") == f"0{NBSP}%"
    assert pct(-0.0001, "en", 1) == "0.0%"
    clusters = pd.DataFrame({"cluster": ["cluster_1"], "revenue": [-1e-13], "purchases": [-0.0]})
    for lang, words in (("fr", ("Groupe 1", f"0{NBSP}€", "0")), ("en", ("Group 1", "€0", "0"))):
        shown = present.table(clusters, lang, present.Titles.of(shop(), lang))
        assert [str(cell) for cell in shown.rows[0]] == list(words)
