"""A result's tables as the demo's CX lead reads them: the words of what goes with
abandoning, of the map's goals, and of the columns left to analysts."""

from __future__ import annotations

import pandas as pd
import pytest

from parcours.analyses.retention import RetentionResult
from parcours.demo.load import demo_map
from parcours.render import present

NBSP = "\u00a0"


def rows(frame: pd.DataFrame, lang: str, level: str | None = None) -> list[list[str]]:
    names = present.Titles.of(demo_map(), lang).prefer(level)
    shown = present.table(frame, lang, names)
    return [shown.columns, *([str(cell) for cell in row] for row in shown.rows)]


# frictions' table "correlations": what goes with abandoning at a friction point
CORRELATIONS = pd.DataFrame(
    {
        "id": ["appel_service_client"] * 5,
        "feature": ["property", "property", "property", "preceded_by", "persona"],
        "name": ["reason", "fulfilment", "late", "touchpoint", "persona"],
        # 'click_collect' is a fulfilment mode in the data and a persona's id in the map
        "value": ["delivery", "click_collect", "true", "livraison_domicile", "digital_native"],
        "journeys": [86, 40, 30, 101, 82],
        "abandoned": [17, 3, 15, 17, 9],
        "abandon_rate": [0.198, 0.075, 0.5, 0.168, 0.11],
        "abandon_rate_without": [0.0068, 0.09, 0.11, 0.008, 0.065],
        "odds_ratio": [36.2, 0.8, 8.1, 25.0, 1.8],
    }
)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "fr",
            [
                ["Point", "Caractéristique", "Nom", "Valeur", "Parcours", "Abandons",
                 "Taux d'abandon", "Taux d'abandon sans"],
                ["Appel au service client", "Propriété de l&#39;événement",
                 "motif de l&#39;appel", "delivery", "86", "17", f"20{NBSP}%", f"0,7{NBSP}%"],
                ["Appel au service client", "Propriété de l&#39;événement", "mode de livraison",
                 "click_collect", "40", "3", f"7,5{NBSP}%", f"9,0{NBSP}%"],
                ["Appel au service client", "Propriété de l&#39;événement",
                 "livraison en retard", "oui", "30", "15", f"50{NBSP}%", f"11{NBSP}%"],
                ["Appel au service client", "Précédé de", "point de contact",
                 "Livraison à domicile", "101", "17", f"17{NBSP}%", f"0,8{NBSP}%"],
                ["Appel au service client", "Persona", "persona", "Claire, 27 ans, digitale",
                 "82", "9", f"11{NBSP}%", f"6,5{NBSP}%"],
            ],
        ),
        (
            "en",
            [
                ["Point", "Feature", "Name", "Value", "Journeys", "Abandons", "Abandon rate",
                 "Abandon rate without"],
                ["Call centre", "Event property", "reason for calling", "delivery", "86", "17",
                 "20%", "0.7%"],
                ["Call centre", "Event property", "fulfilment", "click_collect", "40", "3",
                 "7.5%", "9.0%"],
                ["Call centre", "Event property", "late delivery", "yes", "30", "15", "50%",
                 "11%"],
                ["Call centre", "Preceded by", "touchpoint", "Home delivery", "101", "17", "17%",
                 "0.8%"],
                ["Call centre", "Persona", "persona", "Claire, 27, digital native", "82", "9",
                 "11%", "6.5%"],
            ],
        ),
    ],
)  # fmt: skip
def test_what_goes_with_abandoning_reads_in_words(lang, expected):
    assert rows(CORRELATIONS, lang, "touchpoint") == expected


def test_an_earlier_stage_reads_by_its_title_and_a_funnel_feature_by_its_kind():
    stages = pd.DataFrame(
        {
            "id": ["livraison"],
            "feature": ["preceded_by"],
            "name": ["stage"],
            "value": ["decision"],
        }
    )
    assert rows(stages, "fr", "stage")[1] == ["Livraison et retrait", "Précédé de", "étape",
                                              "Décision"]  # fmt: skip
    assert rows(stages, "en", "stage")[1] == ["Delivery and pick-up", "Preceded by", "stage",
                                              "Decision"]  # fmt: skip
    funnel = pd.DataFrame(
        {"feature": ["property:late", "touchpoint"], "value": ["false", "livraison_domicile"]}
    )
    assert rows(funnel, "fr")[1:] == [
        [f"Propriété de l&#39;événement{NBSP}: livraison en retard", "non"],
        ["Point de contact", "Livraison à domicile"],
    ]
    assert rows(funnel, "en")[1:] == [
        ["Event property: late delivery", "no"],
        ["Touchpoint", "Home delivery"],
    ]


# kpis' table "goals" on the demo map's touchpoints
GOALS = pd.DataFrame(
    {
        "id": ["page_atterrissage", "store_locator", "debut_commande", "achat_en_ligne",
               "livraison_domicile", "retour_produit", "carte_fidelite", "fiche_produit_web"],
        "metric": ["bounce_rate", "exit_rate", "drop_off", "revenue", "nps", "ces",
                   "repeat_purchase_rate", "conversion"],
        "target": [0.35, 0.15, 0.15, None, 40.0, 2.5, 0.4, 0.12],
        "value": [None, 0.46, None, None, None, None, None, 0.35],
        "met": [None, False, None, None, None, None, None, True],
    }
)  # fmt: skip


def test_goals_say_their_metric_in_words_shares_in_percent_and_where_a_value_is():
    names = present.Titles.of(demo_map(), "fr")
    assert [present.goal_text("metric", m, None, "fr", names) for m in GOALS.metric] == [
        "taux de rebond", "taux de sortie", "abandon", "chiffre d'affaires", "NPS", "CES",
        "réachat", "conversion",
    ]  # fmt: skip
    shown = rows(GOALS, "fr")
    assert [row[2:] for row in shown[1:]] == [
        [f"35{NBSP}%", "mesuré dans « Points de friction »", ""],
        [f"15{NBSP}%", f"46{NBSP}%", "non"],
        [f"15{NBSP}%", "mesuré dans « Entonnoir de conversion »", ""],
        ["", "mesuré dans « Attribution »", ""],
        ["40", "mesuré dans « Voix du client »", ""],
        ["2,5", "mesuré dans « Voix du client »", ""],
        [f"40{NBSP}%", "mesuré dans « Fidélisation »", ""],
        [f"12{NBSP}%", f"35{NBSP}%", "oui"],
    ]
    shown = rows(GOALS, "en")
    assert [row[1:] for row in shown[1:3]] == [
        ["bounce rate", "35%", "measured in “Friction points”", ""],
        ["exit rate", "15%", "46%", "no"],
    ]
    assert shown[4][1:4] == ["revenue", "", "measured in “Attribution”"]
    assert shown[5][1:4] == ["NPS", "40", "measured in “Voice of the customer”"]
    revenue = GOALS.iloc[[3]].assign(target=[50000.0], value=[61000.4])
    assert rows(revenue, "fr")[1][2:4] == [f"50\u202f000{NBSP}€", f"61\u202f000{NBSP}€"]


def test_columns_left_to_analysts_are_named_in_words():
    names = present.Titles.of(demo_map(), "fr")
    frictions = ["rank", "id", "status", "score", "journeys", "drop_off_low", "drop_off_high"]
    left = present.table(pd.DataFrame(columns=frictions), "fr", names).dropped
    assert [present.dropped_label(c, names) for c in left] == [
        "Taux de sortie (borne basse)",
        "Taux de sortie (borne haute)",
    ]
    en = present.Titles.of(demo_map(), "en")
    assert [present.dropped_label(c, en) for c in left] == [
        "Exit rate (low bound)",
        "Exit rate (high bound)",
    ]
    # a persona is shown by its title: its 'title' column is left, its revenue is shown
    personas = ["persona", "title", "persons", "revenue_per_person"]
    left = present.table(pd.DataFrame(columns=personas), "fr", names).dropped
    assert [present.dropped_label(c, names) for c in left] == ["Nom"]
    assert [present.dropped_label(c, en) for c in ("p_value", "nps_low")] == [
        "p-value",
        "NPS (low bound)",
    ]


def test_the_dashboard_note_names_the_columns_left_to_analysts_in_words():
    from types import SimpleNamespace

    from parcours.web.routes import _dropped

    table = pd.DataFrame(
        {"rank": [1], "id": ["store_locator"], "score": [679.0], "drop_off_low": [0.41],
         "drop_off_high": [0.5]}
    )  # fmt: skip
    for lang, said in (
        ("fr", "Colonnes pour les analystes non montrées : Taux de sortie (borne basse), "
               "Taux de sortie (borne haute)."),
        ("en", "Columns for analysts not shown: Exit rate (low bound), Exit rate (high bound)."),
    ):  # fmt: skip
        names = present.Titles.of(demo_map(), lang)
        assert _dropped(SimpleNamespace(table=table), lang, names) == said
    personas = pd.DataFrame(
        {"persona": ["ropo"], "title": ["Julien"], "persons": [328], "revenue_per_person": [103.0]}
    )
    names = present.Titles.of(demo_map(), "en")
    assert _dropped(SimpleNamespace(table=personas), "en", names) == (
        "Columns for analysts not shown: Name."
    )  # the revenue per person is shown: not listed


# retention's cohorts: the data ends in March (January's m2 and February's m1 not over)
COHORTS = pd.DataFrame(
    {
        "cohort": ["2026-01", "2026-02"],
        "persons": [2, 1],
        "w0": [1.0, 1.0],
        "w1": [0.0, 0.0],
        "w2": [0.5, float("nan")],
        "partial": ["w2", "w1"],
    }
)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", [["Cohorte", "Personnes", "semaine 0", "semaine 1", "semaine 2"],
                ["janvier 2026", "2", f"100{NBSP}%", f"0,0{NBSP}%", f"50{NBSP}%*"],
                ["février 2026", "1", f"100{NBSP}%", f"0,0{NBSP}%*", ""]]),
        ("en", [["Cohort", "Persons", "week 0", "week 1", "week 2"],
                ["Jan 2026", "2", "100%", "0.0%", "50%*"],
                ["Feb 2026", "1", "100%", "0.0%*", ""]]),
    ],
)  # fmt: skip
def test_a_cohort_period_not_over_is_marked_and_one_not_observed_is_blank(lang, expected):
    assert rows(COHORTS, lang) == expected


# retention's lifecycle: the data ends in March, a month not over yet
LIFECYCLE = pd.DataFrame(
    {
        "period": ["2026-02", "2026-03"],
        "new": [2, 1],
        "returning": [0, 1],
        "resurrecting": [0, 0],
        "dormant": [0, 1],
        "partial": [False, True],
    }
)


@pytest.mark.parametrize(
    ("lang", "header"),
    [("fr", ["Période", "Nouveaux", "Toujours actifs", "Revenus après une pause", "Endormis"]),
     ("en", ["Period", "New", "Returning", "Back after a break", "Dormant"])],
)  # fmt: skip
def test_a_lifecycle_period_not_over_is_marked_and_partial_is_not_a_column(lang, header):
    shown = rows(LIFECYCLE, lang)
    assert shown[0] == header
    assert [row[0] for row in shown[1:]] == (
        ["février 2026", "mars 2026*"] if lang == "fr" else ["Feb 2026", "Mar 2026*"]
    )


@pytest.mark.parametrize(
    ("lang", "column", "figure"),
    [
        ("fr", "Valeur future prévue (6 mois)", "Valeur future prévue moyenne par client (6 mois)"),
        ("en", "Predicted future value (6 months)",
         "Average predicted future value per customer (6 months)"),
    ],
)  # fmt: skip
def test_clv_reads_as_the_predicted_value_of_the_next_months(lang, column, figure):
    result = RetentionResult(
        title="R",
        table=pd.DataFrame({"segment": ["champions"], "clv": [12.5]}),
        params={"horizon_months": 6},
        buyers=1,
        mean_clv_per_buyer=12.5,
        notes=[
            "CLV = expected revenue of the next 6 months after the calibration end (past "
            "purchases left out), month m discounted by (1 + discount_rate)^m; expected_value "
            "= Gamma-Gamma expected value of a purchase.",
            "Cells and periods marked * (column partial): the period is not over yet.",
        ],
    )
    names = present.Titles.for_result(demo_map(), lang, result)
    assert present.table(result.table, lang, names).columns[-1] == column
    assert (figure, "12\xa0€" if lang == "fr" else "€12") in present.figures(result, lang, names)[0]
    definition, partial = present.notes(result, lang, names)
    assert ("6" in definition) and ("BG/NBD" in definition)
    # why a good customer gone quiet can be worth less than a new one (BG/NBD's reading)
    assert (
        "un bon client devenu silencieux peut y valoir moins qu'un nouveau"
        if lang == "fr"
        else "a good customer gone quiet may be worth less there than a new one"
    ) in definition
    assert partial == (
        "* période en cours : pas encore terminée" if lang == "fr" else "* period not over yet"
    )


@pytest.mark.parametrize(
    ("column", "value", "fr", "en"),
    [("nps", -8.333, "-8", "-8"), ("nps", 41.7, "42", "42"), ("ces", 5.6129, "5,6", "5.6")],
)
def test_a_score_in_a_table_reads_as_its_headline_figure(column, value, fr, en):
    """The voice table said NPS -8,33 under a headline NPS of -8, and effort 5,61."""
    for lang, expected in (("fr", fr), ("en", en)):
        names = present.Titles(lang)
        said = present.cell_text(column, value, lang, names).replace("\u2212", "-")
        assert said == expected
        assert said == present.figure_text(column, value, lang, names).replace("\u2212", "-")


def test_parameters_are_named_as_the_reader_fills_them_in():
    said = "compare : donnez period_a et period_b à la fois ; top 0, min_journeys 3, period_ab"
    flags = {"period_a": "--period-a", "period_b": "--period-b", "top": "--top",
             "min_journeys": "--min-journeys"}  # fmt: skip
    assert present.parameters_named(said, flags) == (
        "compare : donnez --period-a et --period-b à la fois ; top 0, --min-journeys 3, period_ab"
    )
