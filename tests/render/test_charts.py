"""Charts built from small hand-made results (the documented columns of each analysis), so
each trace can be checked against the numbers that went in."""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest

from parcours.analyses.attribution import AttributionResult
from parcours.analyses.channels import ChannelsResult
from parcours.analyses.compare import CompareResult
from parcours.analyses.conformance import ConformanceResult
from parcours.analyses.funnel import FunnelResult
from parcours.analyses.paths import PathsResult
from parcours.analyses.process import ProcessResult
from parcours.analyses.retention import RetentionResult
from parcours.analyses.voice import VoiceResult
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.render import charts, present
from parcours.render.i18n import t

MAP = JourneyMap.loads(
    """
map: mini
lang: fr
title: {fr: Mini, en: Mini}
stages:
  - {id: decouverte, title: {fr: Découverte, en: Discovery}}
  - {id: consideration, title: {fr: Considération, en: Consideration}}
  - {id: decision, title: {fr: Décision, en: Decision}}
channels: [web, magasin]
touchpoints:
  - {id: pub, title: {fr: Publicité, en: Ad}, stage: decouverte, channel: web, match: {event: ad}}
  - {id: fiche, title: {fr: Fiche produit, en: Product page}, stage: consideration, channel: web, match: {event: view}}
  - {id: panier, title: {fr: Panier, en: Cart}, stage: decision, channel: web, match: {event: cart}}
  - {id: achat, title: {fr: Achat, en: Purchase}, stage: decision, channel: magasin, match: {event: purchase}}
conversion: {event: purchase}
"""
)


def test_funnel_bars_are_persons_and_drop_offs_with_median_times():
    table = pd.DataFrame(
        {
            "step": [1, 2, 3],
            "name": ["fiche", "panier", "purchase"],
            "persons": [100, 40, 10],
            "conversion": [1.0, 0.4, 0.1],
            "from_previous": [1.0, 0.4, 0.25],
            "drop_off": [0, 60, 30],
            "drop_off_rate": [0.0, 0.6, 0.75],
            "avg_time_s": [math.nan, 300.0, 7200.0],
            "median_time_s": [math.nan, 120.0, 5400.0],
        }
    )
    result = FunnelResult(
        title="Funnel",
        table=table,
        params={"window": "14d"},
        entered=100,
        converted=10,
        conversion=0.1,
    )
    fig = charts.funnel_chart(result, MAP, "en")
    persons, lost = fig.data
    assert list(persons.y) == [100, 40, 10] and list(lost.y) == [0, 60, 30]
    assert fig.layout.barmode == "stack"  # persons + lost at step k = persons at step k-1
    # the conversion step as the map names it (its touchpoint), never the event id
    assert "Product page" in persons.x[0] and "Purchase" in persons.x[2]
    assert "median 2\u00a0min" in persons.x[1] and "median 1.5\u00a0h" in persons.x[2]
    assert "median" not in persons.x[0]


def test_funnel_breakdown_draws_one_bar_series_per_value():
    table = pd.DataFrame(
        {
            "breakdown": ["web", "web", "app", "app"],
            "step": [1, 2, 1, 2],
            "name": ["fiche", "panier"] * 2,
            "persons": [10, 4, 6, 3],
            "conversion": [1.0, 0.4, 1.0, 0.5],
            "drop_off": [0, 6, 0, 3],
            "drop_off_rate": [0, 0.6, 0, 0.5],
            "median_time_s": [math.nan, 60.0, math.nan, 30.0],
        }
    )
    result = FunnelResult(title="Funnel", table=table, entered=16, converted=7, conversion=7 / 16)
    fig = charts.funnel_chart(result, MAP, "fr")
    assert [tr.name for tr in fig.data] == ["web", "app"]
    assert list(fig.data[1].y) == [6, 3]


# The headline figures of a paths result (required fields; the Sankey does not read them).
PATHS_FIGURES = {
    "journeys": 0,
    "distinct_paths": 0,
    "non_linear_share": 0.0,
    "loop_share": 0.0,
    "back_share": 0.0,
    "skip_share": 0.0,
}


def test_sankey_links_equal_the_flows_and_nodes_are_values_at_a_step():
    flows = pd.DataFrame(
        {
            "step": [1, 1, 2, 2],
            "source": ["pub", "fiche", "fiche", "fiche"],
            "target": ["fiche", "panier", "panier", "achat"],
            "journeys": [50, 20, 30, 5],
        }
    )
    fig = charts.paths_sankey(
        PathsResult(title="Paths", table=pd.DataFrame(), flows=flows, **PATHS_FIGURES), MAP, "fr"
    )
    sankey = fig.data[0]
    labels = list(sankey.node.label)
    links = {
        (labels[s], labels[t], v)
        for s, t, v in zip(sankey.link.source, sankey.link.target, sankey.link.value, strict=True)
    }
    assert links == {
        ("Publicité", "Fiche produit", 50),
        ("Fiche produit", "Panier", 20),
        ("Fiche produit", "Panier", 30),
        ("Fiche produit", "Achat", 5),
    }
    assert sorted(sankey.link.value) == sorted(flows.journeys)
    # "fiche" at step 1 and at step 2 are two nodes: a value is a node per step.
    assert labels.count("Fiche produit") == 2 and labels.count("Panier") == 2


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sankey_columns_are_positions_not_stages(lang):
    """A Sankey column is the n-th point of the paths, not a stage of the map: "Étape 2"
    read as the map's second stage on a French page."""
    flows = pd.DataFrame(
        {
            "step": [1, 2],
            "source": ["pub", "fiche"],
            "target": ["fiche", "achat"],
            "journeys": [5, 3],
        }
    )
    result = PathsResult(title="Paths", table=pd.DataFrame(), flows=flows, **PATHS_FIGURES)
    headers = [a.text for a in charts.paths_sankey(result, MAP, lang).layout.annotations]
    assert headers == ["<b>Position 1</b>", "<b>Position 2</b>", "<b>Position 3</b>"]
    names = present.Titles.of(None, lang)
    shown = present.table(flows, lang, names)  # the flows table under the chart says the same
    assert shown.columns[0] == "Position"
    flows_heading = {
        "fr": "Flux d'une position à la suivante",
        "en": "Flows from one position to the next",
    }
    assert t("table.flows", lang) == flows_heading[lang]


def test_sankey_labels_are_whole_and_never_overlap_in_a_column():
    # twelve long names at step 2, all from one source: the crowded column of a real log
    names = [f"point de contact numéro {i} au nom vraiment très long" for i in range(12)]
    flows = pd.DataFrame(
        {
            "step": [1] * 12,
            "source": ["depart"] * 12,
            "target": names,
            "journeys": range(100, 88, -1),
        }
    )
    fig = charts.paths_sankey(
        PathsResult(title="Paths", table=pd.DataFrame(), flows=flows, **PATHS_FIGURES)
    )
    node = fig.data[0].node
    labels = [text.replace("<br>", " ") for text in node.label]
    assert set(labels) == {"depart", *names}  # wrapped, nothing cut
    plot = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    column = sorted(
        (y * plot, text.count("<br>") + 1)
        for x, y, text in zip(node.x, node.y, node.label, strict=True)
        if x > 0.5
    )
    for (above, lines_above), (below, lines_below) in itertools.pairwise(column):
        # centre to centre: at least half of each label's lines
        assert below - above >= charts.SANKEY_LINE * (lines_above + lines_below) / 2
    assert all(0 < y < 1 for y in node.y)


def test_sankey_keeps_the_most_frequent_links():
    flows = pd.DataFrame(
        {"step": [1] * 5, "source": list("abcde"), "target": ["z"] * 5, "journeys": [5, 1, 4, 2, 3]}
    )
    result = PathsResult(title="Paths", table=pd.DataFrame(), flows=flows, **PATHS_FIGURES)
    fig = charts.paths_sankey(result, max_links=3)
    assert sorted(fig.data[0].link.value) == [3, 4, 5]
    with pytest.raises(InputError, match="max_links"):
        charts.paths_sankey(result, max_links=0)


def process_result() -> ProcessResult:
    edges = pd.DataFrame(
        {
            "source": ["pub", "fiche", "fiche", "panier", "fiche", "panier"],
            "target": ["fiche", "panier", "fiche", "achat", "achat", "fiche"],
            "frequency": [80, 40, 25, 20, 10, 5],
            "share": [1.0, 0.53, 0.33, 0.8, 0.13, 0.2],
            "mean_time_s": [60.0, 600.0, 30.0, 3600.0, 86400.0, 200.0],
            "median_time_s": [50.0, 500.0, 20.0, 3000.0, 80000.0, 150.0],
        }
    )
    nodes = pd.DataFrame(
        {
            "touchpoint": ["fiche", "pub", "panier", "achat"],
            "events": [150, 80, 45, 30],
            "journeys": [80, 80, 40, 30],
            "starts": [0, 80, 0, 0],
            "ends": [20, 0, 15, 30],
        }
    )
    return ProcessResult(
        title="Process",
        table=edges,
        params={"level": "touchpoint"},
        cases=80,
        distinct_variants=5,
        cases_shown=80,
        variants_shown=5,
        activities=4,
        edge_count=6,
        nodes=nodes,
    )


def test_process_map_one_edge_trace_per_edge_width_by_frequency_colour_by_time():
    fig = charts.process_map(process_result(), MAP, "en")
    edges = charts.edge_traces(fig)
    assert len(edges) == 6
    pairs = [(tr.meta["source"], tr.meta["target"]) for tr in edges]
    assert pairs == [
        ("pub", "fiche"),
        ("fiche", "panier"),
        ("fiche", "fiche"),
        ("panier", "achat"),
        ("fiche", "achat"),
        ("panier", "fiche"),
    ]
    widths = [tr.line.width for tr in edges]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1]
    # Slowest transition (fiche -> achat, 80000 s) is drawn darker than the fastest (20 s).
    colour = {(tr.meta["source"], tr.meta["target"]): tr.line.color for tr in edges}

    def lightness(rgb: str) -> int:
        return sum(int(v) for v in rgb[rgb.index("(") + 1 : -1].split(","))

    assert lightness(colour[("fiche", "achat")]) < lightness(colour[("fiche", "fiche")])
    # Every edge ends in an arrow marker at its last point only.
    assert all(list(tr.marker.size)[:-1] == [0] * (len(tr.x) - 1) for tr in edges)


def test_process_map_lays_out_left_to_right_by_the_maps_stages():
    fig = charts.process_map(process_result(), MAP, "en")
    nodes = next(tr for tr in fig.data if tr.meta == {"kind": "nodes"})
    x = dict(zip(nodes.text, nodes.x, strict=True))
    assert x["Ad"] < x["Product page"] < x["Cart"] == x["Purchase"]
    # Node size grows with the events of the activity.
    size = dict(zip(nodes.text, nodes.marker.size, strict=True))
    assert size["Product page"] > size["Ad"] > size["Cart"] > size["Purchase"]


def test_process_map_without_a_map_uses_depth_from_the_starts():
    result = process_result()
    result.params = {"level": "event"}
    fig = charts.process_map(result, None, "en")
    nodes = next(tr for tr in fig.data if tr.meta == {"kind": "nodes"})
    x = dict(zip(nodes.text, nodes.x, strict=True))
    assert x["pub"] < x["fiche"] < x["panier"]
    assert x["achat"] == x["panier"]  # both one step after fiche


def test_process_map_labels_are_whole_and_wrapped():
    result = process_result()
    result.params = {"level": "event"}
    long = "une activité au nom bien plus long que la largeur de sa colonne, même à 1440 px"
    result.table = result.table.replace("panier", long)
    result.nodes = result.nodes.replace("panier", long)
    fig = charts.process_map(result, None, "fr")
    nodes = next(tr for tr in fig.data if tr.meta == {"kind": "nodes"})
    shown = {text.replace("<br>", " ") for text in nodes.text}
    assert shown == {"pub", "fiche", "achat", long}  # nothing cut
    assert any("<br>" in text for text in nodes.text)


def test_process_map_keeps_the_most_frequent_edges():
    fig = charts.process_map(process_result(), MAP, "en", max_edges=2)
    assert [tr.meta["frequency"] for tr in charts.edge_traces(fig)] == [80, 40]


def test_attribution_one_bar_series_per_model_summing_to_the_conversions():
    table = pd.DataFrame(
        {
            "channel": ["web", "magasin", "email"],
            "first_touch": [6.0, 2.0, 2.0],
            "last_touch": [2.0, 8.0, 0.0],
            "markov": [4.0, 4.5, 1.5],
        }
    )
    result = AttributionResult(
        title="Attribution",
        table=table,
        params={"level": "channel", "models": ["first_touch", "last_touch", "markov"]},
        distinct_paths=3,
        journeys=20,
        conversions_credited=10,
        value_credited=0,
        conversions_without_touchpoint=0,
    )
    fig = charts.attribution_bars(result, MAP, "fr")
    assert [tr.name for tr in fig.data] == ["premier contact", "dernier contact", "Markov"]
    assert all(sum(tr.y) == pytest.approx(10.0) for tr in fig.data)
    assert fig.data[0].x[0] == "magasin"  # most credit first (mean over models)


def test_retention_heatmap_cells_are_the_cohort_shares():
    cohorts = pd.DataFrame(
        {
            "cohort": ["2026-01", "2026-02"],
            "persons": [100, 50],
            "m0": [1.0, 1.0],
            "m1": [0.3, 0.2],
            "m2": [0.1, math.nan],
        }
    )
    fig = charts.retention_heatmap(
        RetentionResult(title="Retention", table=pd.DataFrame(), buyers=150, cohorts=cohorts),
        "en",
    )
    heat = fig.data[0]
    assert [list(row) for row in heat.z][0] == [1.0, 0.3, 0.1]
    assert math.isnan(heat.z[1][2]) and heat.text[1][2] == ""
    assert heat.zmax == pytest.approx(0.3)  # month 0 (always 100%) does not wash out the rest
    assert list(heat.y) == ["Jan 2026 (100)", "Feb 2026 (50)"]  # the reader's month words
    french = charts.retention_heatmap(
        RetentionResult(title="Retention", table=pd.DataFrame(), buyers=150, cohorts=cohorts),
        "fr",
    )
    assert list(french.data[0].y) == ["janvier 2026 (100)", "février 2026 (50)"]


# The data ends in March: March is partial (m2 of January, m1 of February), April (February's
# m2) is not observed.
PARTIAL_COHORTS = pd.DataFrame(
    {
        "cohort": ["2026-01", "2026-02"],
        "persons": [2, 1],
        "m0": [1.0, 1.0],
        "m1": [0.0, 0.0],
        "m2": [0.5, math.nan],
        "partial": ["m2", "m1"],
    }
)


@pytest.mark.parametrize(
    ("lang", "cells", "legend"),
    [
        ("fr", [["100\xa0%", "0\xa0%", "50\xa0%*"], ["100\xa0%", "0\xa0%*", ""]],
         "* période en cours : pas encore terminée"),
        ("en", [["100%", "0%", "50%*"], ["100%", "0%*", ""]], "* period not over yet"),
    ],
)  # fmt: skip
def test_retention_heatmap_marks_a_period_not_over_and_says_so(lang, cells, legend):
    result = RetentionResult(title="R", table=pd.DataFrame(), buyers=3, cohorts=PARTIAL_COHORTS)
    fig = charts.retention_heatmap(result, lang)
    heat = fig.data[0]
    assert [list(row) for row in heat.text] == cells
    assert math.isnan(heat.z[1][2])  # not observed: a gap, not 0
    assert [a.text for a in fig.layout.annotations] == [legend]


def test_retention_heatmap_too_wide_for_text_marks_the_partial_cells_over_them():
    wide = pd.DataFrame({"cohort": ["2026-01-05"], "persons": [10]})
    for k in range(16):
        wide[f"w{k}"] = 0.1 if k else 1.0
    wide["partial"] = "w15"
    fig = charts.retention_heatmap(
        RetentionResult(title="R", table=pd.DataFrame(), buyers=10, cohorts=wide), "fr"
    )
    assert len(fig.data) == 1  # marks are annotations: a trace would change the x ticks
    marks = [(a.x, a.text) for a in fig.layout.annotations if a.text == "*"]
    assert marks == [("15", "*")]
    assert "* période en cours : pas encore terminée" in [a.text for a in fig.layout.annotations]


def test_retention_heatmap_with_every_period_over_has_no_mark():
    over = PARTIAL_COHORTS.assign(partial=None)
    fig = charts.retention_heatmap(
        RetentionResult(title="R", table=pd.DataFrame(), buyers=3, cohorts=over), "en"
    )
    assert not any("*" in cell for row in fig.data[0].text for cell in row)
    assert not fig.layout.annotations


@pytest.mark.parametrize(
    ("lang", "rows"), [("fr", ["5 janvier 2026 (1\u202f200)"]), ("en", ["5 Jan 2026 (1,200)"])]
)
def test_retention_heatmap_names_a_weekly_cohort_by_its_monday(lang, rows):
    cohorts = pd.DataFrame({"cohort": ["2026-01-05"], "persons": [1200], "w0": [1.0], "w1": [0.1]})
    fig = charts.retention_heatmap(
        RetentionResult(title="Retention", table=pd.DataFrame(), buyers=1200, cohorts=cohorts),
        lang,
    )
    assert list(fig.data[0].y) == rows


def voice_result() -> VoiceResult:
    table = pd.DataFrame(
        {
            "level": ["touchpoint", "stage", "stage"],
            "id": ["achat", "decision", "decouverte"],
            "stage": ["decision", "decision", "decouverte"],
            "answers": [10, 10, 20],
            "nps": [math.nan, 20.0, -10.0],
            "nps_low": [math.nan, 5.0, -30.0],
            "nps_high": [math.nan, 35.0, 10.0],
            "csat": [0.8, 0.8, math.nan],
            "csat_low": [0.6, 0.6, math.nan],
            "csat_high": [0.9, 0.9, math.nan],
            "ces": [math.nan] * 3,
            "ces_low": [math.nan] * 3,
            "ces_high": [math.nan] * 3,
        }
    )
    curve = pd.DataFrame(
        {
            "stage": ["decouverte", "consideration", "decision"],
            "designed_value": [1.0, 0.0, 0.0],
            "measured": [-0.2, math.nan, 0.4],
        }
    )
    return VoiceResult(title="Voice", table=table, answers=40, emotion_curve=curve)


def test_nps_by_stage_in_map_order_with_intervals_and_no_answer_said_once():
    fig = charts.nps_by_stage(voice_result(), MAP, "en")
    nps = next(tr for tr in fig.data if tr.meta["metric"] == "nps")
    # Consideration has no answer on any score: left out of the panels, named once below.
    assert list(nps.x) == ["Discovery", "Decision"]
    assert list(nps.y) == [-10.0, 20.0]
    assert list(nps.error_y.array) == [20.0, 15.0]
    assert list(nps.error_y.arrayminus) == [20.0, 15.0]
    assert nps.marker.color[0] != nps.marker.color[1]  # negative red, positive green
    # CSAT has answers (panel drawn), CES has none (panel left out).
    assert {tr.meta["metric"] for tr in fig.data} == {"nps", "csat"}
    texts = [a.text for a in fig.layout.annotations]
    assert texts.count("No answers yet for: Consideration.") == 1


def test_nps_by_stage_names_the_stages_under_every_panel():
    result = voice_result()
    result.table["ces"] = [math.nan, 3.0, math.nan]  # three panels: NPS, CSAT, CES
    fig = charts.nps_by_stage(result, MAP, "en")
    assert [tr.meta["metric"] for tr in fig.data] == ["nps", "csat", "ces"]
    for trace in fig.data:
        axis = fig.layout["xaxis" + trace.xaxis[1:]]
        assert axis.showticklabels is not False, f"{trace.meta['metric']}: no stage names"
        assert list(trace.x) == ["Discovery", "Decision"]


def test_nps_by_stage_needs_stage_rows():
    result = voice_result()
    result.table = result.table[result.table.level == "touchpoint"]
    with pytest.raises(InputError, match="level stage or both"):
        charts.nps_by_stage(result, MAP)


def test_emotion_curve_draws_designed_and_measured():
    fig = charts.emotion_curve(voice_result(), MAP, "fr")
    designed, measured = fig.data
    assert list(designed.y) == [1.0, 0.0, 0.0] and measured.y[0] == -0.2
    assert (designed.name, measured.name) == ("prévue", "mesurée")


def test_channel_mix_stacks_shares_per_stage():
    table = pd.DataFrame(
        {
            "stage": ["decouverte", "decouverte", "decision"],
            "channel": ["web", "magasin", "magasin"],
            "events": [30, 10, 5],
            "share_events": [0.75, 0.25, 1.0],
        }
    )
    result = ChannelsResult(
        title="Channels",
        table=table,
        persons=30,
        journeys=40,
        converted_journeys=5,
        multichannel_person_share=0.2,
        mixing_journey_share=0.1,
        channel_switches=4,
        ropo_journeys=1,
        showrooming_journeys=0,
        click_collect_journeys=0,
        stitched_share=0.5,
        reading="multichannel",
    )
    fig = charts.channel_mix(result, MAP, "en")
    by_channel = {tr.name: list(tr.y) for tr in fig.data}
    assert by_channel == {"web": [0.75, 0.0], "magasin": [0.25, 1.0]}
    assert list(fig.data[0].customdata) == ["75%", "0%"]  # on hover
    french = charts.channel_mix(result, MAP, "fr")
    assert list(french.layout.yaxis.ticktext)[:6] == [f"{v}\u00a0%" for v in range(0, 101, 20)]
    assert list(french.data[1].customdata) == ["25\u00a0%", "100\u00a0%"]


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (0.83, ["0 %", "20 %", "40 %", "60 %", "80 %", "100 %"]),
        (0.3, ["0 %", "10 %", "20 %", "30 %", "40 %"]),
        (0.04, ["0 %", "1 %", "2 %", "3 %", "4 %", "5 %"]),
        (0.003, ["0,0 %", "0,1 %", "0,2 %", "0,3 %", "0,4 %"]),
    ],
)
def test_percent_ticks_cover_the_shares_in_the_readers_words(top, ticks):
    found = charts._percent_ticks(top, "fr")
    assert [text.replace("\u00a0", " ") for text in found["ticktext"]] == ticks
    assert found["tickvals"][-2] <= top + 1e-9 < found["tickvals"][-1] + 1e-9


def test_conformance_fitness_bars():
    fitness = pd.DataFrame(
        {"fitness": ["1 (fits)", "0.5-0.75"], "journeys": [30, 10], "share": [0.75, 0.25]}
    )
    result = ConformanceResult(
        title="Conformance",
        table=pd.DataFrame(),
        journeys=40,
        fit_share=0.75,
        mean_fitness=0.9,
        median_fitness=1.0,
        moves=60,
        designed_share=0.9,
        skips=4,
        reverses=2,
        undesigned_moves=0,
        off_channel_events=0,
        fitness=fitness,
    )
    fig = charts.conformance_fitness(result, "en")
    assert list(fig.data[0].y) == [0.75, 0.25]


def _compare_result() -> CompareResult:
    # 40 journeys in A, 10 convert; 50 in B, 20 convert; decision reached by 20 then 30
    table = pd.DataFrame(
        {
            "metric": ["conversion", "reach", "conversion"],
            "id": ["(all journeys)", "decision", "decision"],
            "n_a": [40, 40, 20], "x_a": [10, 20, 10], "rate_a": [0.25, 0.5, 0.5],
            "n_b": [50, 50, 30], "x_b": [20, 30, 20], "rate_b": [0.4, 0.6, 2 / 3],
            "change": [0.15, 0.1, 1 / 6], "change_low": [-0.05, -0.1, -0.1],
            "change_high": [0.3, 0.3, 0.4], "p_value": [0.13, 0.36, 0.2],
            "significant": [False, False, False],
        }
    )  # fmt: skip
    return CompareResult(
        title="Compare", table=table, label_a="2026-04-01..2026-04-30",
        label_b="2026-05-01..2026-05-31", journeys_a=40, journeys_b=50, conversion_a=0.25,
        conversion_b=0.4, conversion_change=0.15, conversion_p_value=0.13,
        conversion_change_significant=False, frictions=pd.DataFrame(), nps=pd.DataFrame(),
    )  # fmt: skip


def test_compare_bars_are_the_rates_of_each_side_in_the_readers_words():
    fig = charts.compare_bars(_compare_result(), MAP, "fr")
    a, b = fig.data
    # the first row of the table on top: a horizontal bar chart lists bottom up
    assert list(a.y) == [
        "Décision : conversion après l'étape",
        "Décision : parcours qui l'atteignent",
        "Tous les parcours : conversion",
    ]
    assert list(a.x) == [0.5, 0.5, 0.25] and list(b.x) == pytest.approx([2 / 3, 0.6, 0.4])
    assert list(b.text) == ["66,7\u00a0%", "60,0\u00a0%", "40,0\u00a0%"]
    assert a.name == "A · du 1 avril 2026 au 30 avril 2026"
    # Plotly writes "60%" whatever the locale: the ticks are the tables' own words.
    assert list(fig.layout.xaxis.ticktext) == [
        "0\u00a0%",
        "20\u00a0%",
        "40\u00a0%",
        "60\u00a0%",
        "80\u00a0%",
    ]
    assert list(fig.layout.xaxis.tickvals) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8])
    assert fig.layout.xaxis.title.text == "Part des parcours (A et B)"
    assert fig.layout.separators == ", "
    english = charts.compare_bars(_compare_result(), MAP, "en")
    assert list(english.data[0].y)[1] == "Decision: journeys reaching it"
    assert list(english.data[1].text)[2] == "40.0%"
    assert not any(str(v) in {"reach", "conversion", "n_a"} for v in english.data[0].y)


def test_compare_bars_star_a_significant_change_and_name_funnel_steps():
    result = _compare_result()
    table = result.table.copy()
    table.loc[0, "significant"] = True
    table.loc[3] = ["funnel", "2. cart", 40, 8, 0.2, 50, 15, 0.3, 0.1, 0.0, 0.2, 0.04, False]
    result.table = table
    fig = charts.compare_bars(result, MAP, "en")
    assert list(fig.data[0].y) == [
        "Funnel step 2: Cart",
        "Decision: conversion after the stage",
        "Decision: journeys reaching it",
        "All journeys: conversion ★",
    ]
    assert fig.layout.annotations[0].text == "★ significant change between A and B"


def test_a_chart_refuses_the_result_of_another_analysis():
    with pytest.raises(InputError, match="expects a result of the 'funnel' analysis, got 'paths'"):
        charts.funnel_chart(PathsResult(title="Paths", table=pd.DataFrame(), **PATHS_FIGURES))
    with pytest.raises(InputError, match="no table 'flows'"):
        charts.paths_sankey(PathsResult(title="Paths", table=pd.DataFrame(), **PATHS_FIGURES))


def test_real_results_of_the_demo_draw(demo_ws, demo_map):
    process = demo_ws.process(map=demo_map)
    fig = charts.process_map(process, demo_map, "fr", max_edges=30)
    assert len(charts.edge_traces(fig)) == min(30, len(process.table))
    paths = demo_ws.paths(map=demo_map)
    sankey = charts.paths_sankey(paths, demo_map, max_links=1000).data[0]
    assert sum(sankey.link.value) == paths.tables["flows"].journeys.sum()
    compare = demo_ws.compare(map=demo_map)
    bars = charts.compare_bars(compare, demo_map, "fr")
    assert list(bars.data[0].x) == list(compare.table.rate_a.iloc[::-1])
    assert bars.data[0].y[-1].startswith("Tous les parcours : conversion")  # on top
