"""The one i18n layer: every key in both languages, every word a page asks for present,
every analysis parameter and summary translated, numbers written the reader's way."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from parcours.analyses import ANALYSES, SUMMARIES
from parcours.maps import JourneyMap, MatchRule
from parcours.render import present
from parcours.render._result_words import NOTE_PATTERNS
from parcours.render.i18n import LANGS, STRINGS, date, duration, number, pct, t

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "parcours" / "web" / "templates"


def test_every_key_has_both_languages():
    missing = [key for key, entry in STRINGS.items() if any(not entry.get(lang) for lang in LANGS)]
    assert not missing, missing


def test_placeholders_agree_between_languages():
    for key, entry in STRINGS.items():
        fields = {lang: set(re.findall(r"\{(\w*)\}", entry[lang])) for lang in LANGS}
        assert fields["fr"] == fields["en"], key


def test_every_word_a_template_asks_for_exists():
    asked = set()
    for page in TEMPLATES.glob("*.html"):
        asked |= set(re.findall(r"""w\[["']([\w.]+)["']\]""", page.read_text("utf-8")))
    assert asked and not asked - set(STRINGS), sorted(asked - set(STRINGS))


@pytest.mark.parametrize("analysis", ANALYSES, ids=lambda a: a.name)
def test_every_parameter_has_a_label_and_help(analysis):
    for param in analysis.remote_parameters():
        assert f"param.{param.name}" in STRINGS, param.name
        assert f"param.{param.name}.help" in STRINGS, param.name


def test_every_analysis_has_its_title_and_summary():
    for name in SUMMARIES:
        assert f"section.{name}" in STRINGS and f"about.{name}" in STRINGS


def test_summaries_name_no_tool():
    for key in (k for k in STRINGS if k.startswith("about.")):
        for lang in LANGS:
            assert not re.search(r"PostHog|pm4py|lifetimes|ChannelAttribution", STRINGS[key][lang])


def test_every_note_pattern_has_its_words():
    assert all(key in STRINGS for key in NOTE_PATTERNS)


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("fr", ("29\u00a0%", "25\u202f201", "1,5\u00a0h", "2\u00a0j", "9 mai 2026")),
        ("en", ("29%", "25,201", "1.5\u00a0h", "2\u00a0d", "9 May 2026")),
    ],
)
def test_numbers_in_the_readers_locale(lang, expected):
    assert (
        pct(0.2874, lang),
        number(25201, lang),
        duration(5400, lang),
        duration(2 * 86400, lang),
        date("2026-05-09", lang),
    ) == expected


def test_missing_values_read_as_a_dash():
    assert pct(float("nan"), "fr") == number(None, "en") == duration(None, "fr") == "–"


HELPDESK = ROOT / "examples" / "helpdesk" / "journey.yaml"


def test_conversion_is_named_by_the_map():
    jm = JourneyMap.load(HELPDESK)
    assert present.conversion_name(jm, "fr") == "Ticket clos"
    assert present.Titles.of(jm, "en").text("Closed") == "Ticket closed"
    # the conversion's own title wins over its touchpoint's
    text = HELPDESK.read_text().replace("conversion: {event: Closed}", CONVERSION)
    assert text != HELPDESK.read_text()
    titled = JourneyMap.loads(text)
    assert present.conversion_name(titled, "fr") == "Résolution"
    assert present.Titles.of(titled, "en").text("Closed") == "Resolution"
    # a plain match rule is still a conversion (no title: its touchpoint names it)
    plain = JourneyMap(**{**titled.model_dump(), "conversion": MatchRule(event="Closed")})
    assert plain.conversion.title is None
    assert present.conversion_name(plain, "fr") == "Ticket clos"
    # matched by no titled touchpoint: general words, never the event's name
    alone = JourneyMap(**{**plain.model_dump(), "conversion": MatchRule(event="Reopened")})
    assert present.conversion_name(alone, "en") == "conversion"


CONVERSION = "conversion: {event: Closed, title: {fr: Résolution, en: Resolution}}"


def test_table_shows_titles_percentages_and_sets_internals_apart():
    jm = JourneyMap.load(HELPDESK)
    names = present.Titles.of(jm, "fr")
    frame = pd.DataFrame(
        {
            "stage": ["ouverture"],
            "exit_rate": [0.2874],
            "median_time_s": [102353.64],
            "exit_low": [0.1],
            "verbatim": ["Très lent"],
            "language": ["fr"],
        }
    )
    shown = present.table(frame, "en", present.Titles.of(jm, "en"))
    assert shown.columns == ["Stage", "Exit rate", "Median time", "Comment", "Language"]
    assert [str(c) for c in shown.rows[0][:3]] == ["Ticket opened", "29%", "1.2\u00a0d"]
    assert str(shown.rows[0][3]) == '<q lang="fr">Très lent</q>'
    assert shown.dropped == ["exit_low"]
    assert present.cell_text("stage", "ouverture", "fr", names) == "Ouverture du ticket"


def test_segment_names_are_translated():
    names = present.Titles("fr")
    assert names.text("need_attention") == "À surveiller" and t("value.cant_lose", "en")


@pytest.mark.parametrize("analysis", ANALYSES, ids=lambda a: a.name)
def test_every_secondary_table_has_its_heading(analysis):
    """The dashboard heads each secondary table with ``table.<name>``; without it the raw
    field name (``lifecycle``, ``stickiness``) showed on a French page."""
    missing = [
        f.name for f in analysis.result_type.table_fields() if f"table.{f.name}" not in STRINGS
    ]
    assert not missing, missing


def test_a_change_of_shares_reads_in_points_and_one_of_nps_as_a_score():
    from parcours.render.i18n import points

    assert points(-0.051, "fr") == "−5,1\xa0pt"
    assert points(0.0123, "en") == "+1.2\xa0pt"
    names = present.Titles.of(None, "fr")
    rates = pd.DataFrame({"id": ["x"], "rate_a": [0.41], "rate_b": [0.359], "change": [-0.051]})
    shown = present.table(rates, "fr", names)
    assert shown.rows[0][shown.names.index("change")] == "−5,1\xa0pt"
    # a change of NPS (−100 to +100) is a difference of scores, not of shares (not −242 %)
    nps = pd.DataFrame({"id": ["x"], "nps_a": [23.0], "nps_b": [20.58], "change": [-2.42]})
    shown = present.table(nps, "fr", names)
    assert shown.rows[0][shown.names.index("change")] == "−2,4"


def test_journeys_lost_read_as_whole_journeys():
    names = present.Titles.of(None, "fr")
    # an expected excess of 0.3 journeys is less than one journey, not "0,3 parcours"
    assert present.figure_text("journeys_lost_beyond_baseline", 0.3, "fr", names) == "0"
    assert present.figure_text("journeys_lost_beyond_baseline", 1234.6, "fr", names) == "1\u202f235"


def test_french_help_writes_decimals_with_a_comma():
    from parcours.render._result_words import PARAM_HELP

    # what a French reader types in a number box: "0,95" (the browser reads it as 0.95)
    pointed = {k: fr for k, (fr, _) in PARAM_HELP.items() if re.search(r"\d\.\d", fr)}
    assert not pointed


def test_a_note_about_one_thing_is_said_in_the_singular():
    from types import SimpleNamespace

    names = present.Titles.of(None, "fr")
    note = "{} group(s) with fewer than 30 answers (wide or degenerate intervals): {}."
    one = SimpleNamespace(notes=[note.format(1, "paiement")])
    two = SimpleNamespace(notes=[note.format(2, "paiement, retour")])
    assert present.notes(one, "fr", names) == [
        "1 groupe a moins de 30 réponses : ses chiffres sont fragiles."
    ]
    assert present.notes(two, "en", names) == [
        "2 groups have fewer than 30 answers: their figures are fragile."
    ]


def test_a_themes_keywords_are_the_customers_words_quoted():
    names = present.Titles.of(None, "en")
    themes = pd.DataFrame({"theme": ["theme_1"], "keywords": ["paiement refusé, carte"]})
    shown = present.table(themes, "en", names)
    assert str(shown.rows[0][1]) == '<q lang="fr">paiement refusé, carte</q>'


def test_money_is_left_out_where_the_journey_has_none():
    from dataclasses import dataclass

    from parcours.analyses.base import Result, figure

    @dataclass
    class Shop(Result):
        buyers: int = figure("buyers")
        revenue: float = figure("revenue")

    names = present.Titles.of(None, "fr")
    segments = pd.DataFrame({"segment": ["champions"], "persons": [3], "revenue": [0.0]})
    helpdesk = Shop(title="t", table=segments, buyers=3, revenue=0.0)
    # a helpdesk's tickets carry no money: no "Chiffre d'affaires 0", no column of zeros
    assert [label for label, _ in present.figures(helpdesk, "fr", names)[0]] == ["Clients"]
    shown = present.table(segments, "fr", names)
    assert "revenue" not in shown.names and "revenue" in shown.dropped
    shop = Shop(title="t", table=segments.assign(revenue=[12.5]), buyers=3, revenue=12.5)
    assert len(present.figures(shop, "fr", names)[0]) == 2
    assert "revenue" in present.table(shop.table, "fr", names).names


def test_a_map_without_a_shop_shows_no_shop_figures():
    from parcours.analyses.channels import ChannelsResult

    names = present.Titles.of(None, "fr")
    figures = dict(
        persons=10, journeys=12, converted_journeys=5, multichannel_person_share=0.0,
        mixing_journey_share=0.0, channel_switches=0, ropo_journeys=0, showrooming_journeys=0,
        click_collect_journeys=0, stitched_share=None, reading="single-channel",
    )  # fmt: skip
    table = pd.DataFrame({"stage": ["a"]})
    helpdesk = ChannelsResult(title="t", table=table, params={"offline": []}, **figures)
    shop = ChannelsResult(title="t", table=table, params={"offline": ["magasin"]}, **figures)
    shown = [label for label, _ in present.figures(helpdesk, "fr", names)[0]]
    assert "Showrooming" not in shown and "Parcours" in shown
    assert "Showrooming" in [label for label, _ in present.figures(shop, "fr", names)[0]]


def test_a_count_takes_the_number_of_its_language():
    from parcours.render.i18n import counted

    # French: 0 and 1 take the singular (CLDR), English only 1
    assert [counted(n, "stage", "fr") for n in (0, 1, 2)] == ["0 étape", "1 étape", "2 étapes"]
    assert [counted(n, "stage", "en") for n in (0, 1, 2)] == ["0 stages", "1 stage", "2 stages"]
    assert counted(1, "channel", "fr") == "1 canal" and counted(6, "channel", "fr") == "6 canaux"
    assert counted(1200, "touchpoint", "fr") == "1\u202f200 points de contact"
    assert counted(1200, "touchpoint", "en") == "1,200 touchpoints"
