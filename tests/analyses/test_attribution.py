"""Attribution: hand-computed paths for every model, timelines for the engine's path
building, and the ChannelAttribution package's output on its own example data.

The peer's output is recorded in ``tests/fixtures/channelattribution_*.json`` by running this
file: ``python -m tests.analyses.test_attribution`` (needs ``pip install channelattribution``,
GPL-3: a peer to compare with, never imported by parcours).
"""

from __future__ import annotations

import doctest
import itertools
import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import parcours
from parcours.analyses import _attribution_models as models
from parcours.analyses import attribution as module
from parcours.analyses.attribution import attribute_paths, attribution, build_paths
from parcours.errors import InputError

from ..timelines import context_from_timelines

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MARKOV_FIXTURE = FIXTURES / "channelattribution_markov.json"
HEURISTIC_FIXTURE = FIXTURES / "channelattribution_heuristic.json"
CA_DATA = "channelattribution-paths/data.csv.gz"


def paths_frame(rows: list[tuple[str, float, float, float]]) -> pd.DataFrame:
    """(path "a > b", conversions, value, nulls) rows as a paths table."""
    return pd.DataFrame(rows, columns=["path", "conversions", "value", "nulls"])


def credit(result, column: str = "conversions") -> dict[str, dict[str, float]]:
    table = result.table if column == "conversions" else result.tables["value"]
    key = table.columns[0]
    return {m: dict(zip(table[key], table[m], strict=True)) for m in table.columns[1:]}


def approx(expected: dict[str, float]):
    return pytest.approx(expected, abs=1e-12)


# -- heuristics on hand-computed paths ------------------------------------------------------

# path                 conversions value nulls
# A > B > A > C             2       20    1
# B                         1        5    0
# C > A                     1        8    0
# A > B                     0        0    3
HEURISTIC_PATHS = paths_frame(
    [("A > B > A > C", 2, 20.0, 1), ("B", 1, 5.0, 0), ("C > A", 1, 8.0, 0), ("A > B", 0, 0, 3)]
)


def test_first_touch_credits_the_first_touch():
    r = attribute_paths(HEURISTIC_PATHS, models=["first_touch"])
    assert credit(r)["first_touch"] == approx({"A": 2, "B": 1, "C": 1})
    assert credit(r, "value")["first_touch"] == approx({"A": 20, "B": 5, "C": 8})


def test_last_touch_credits_the_touch_before_the_conversion():
    r = attribute_paths(HEURISTIC_PATHS, models=["last_touch"])
    assert credit(r)["last_touch"] == approx({"A": 1, "B": 1, "C": 2})
    assert credit(r, "value")["last_touch"] == approx({"A": 8, "B": 5, "C": 20})


def test_linear_counts_a_channel_met_twice_twice():
    # A > B > A > C: A 2/4, B 1/4, C 1/4 of 2 conversions; B all of 1; C > A half each of 1.
    r = attribute_paths(HEURISTIC_PATHS, models=["linear"])
    assert credit(r)["linear"] == approx({"A": 1.5, "B": 1.5, "C": 1.0})
    assert credit(r, "value")["linear"] == approx({"A": 14, "B": 10, "C": 9})


def test_position_based_40_20_40():
    # A > B > A > C: 0.4 A, 0.1 B, 0.1 A, 0.4 C (x2); B: 1; C > A: 0.5 / 0.5.
    r = attribute_paths(HEURISTIC_PATHS, models=["position"])
    assert credit(r)["position"] == approx({"A": 1.5, "B": 1.2, "C": 1.3})


def test_position_based_configurable_shares():
    # 0.3 / 0.5: middle touches share 0.2; two touches split 0.3 : 0.5 = 0.375 / 0.625.
    r = attribute_paths(HEURISTIC_PATHS, models=["position"], position_first=0.3, position_last=0.5)
    assert credit(r)["position"] == approx({"A": 1.425, "B": 1.2, "C": 1.375})


def test_every_model_adds_up_to_the_conversions():
    r = attribute_paths(HEURISTIC_PATHS)
    assert r.table.drop(columns="channel").sum().to_numpy() == pytest.approx([4.0] * 6)
    assert r.tables["value"].drop(columns="channel").sum().to_numpy() == pytest.approx([33.0] * 6)
    assert r.summary["conversions credited"] == 4


# -- Shapley ---------------------------------------------------------------------------------


def coalition_shapley(paths: pd.DataFrame) -> dict[str, float]:
    """Shapley value by its definition: average marginal contribution over every order of
    the players, with v(S) = conversions of the paths whose channels are all in S."""
    names = [frozenset(n.strip() for n in p.split(">")) for p in paths.path]
    sets = [(s, c) for s, c in zip(names, paths.conversions, strict=True) if s]
    players = sorted(set().union(*(s for s, _ in sets)))

    def v(coalition: frozenset) -> float:
        return sum(c for s, c in sets if s <= coalition)

    phi = dict.fromkeys(players, 0.0)
    orders = list(itertools.permutations(players))
    for order in orders:
        before: frozenset = frozenset()
        for p in order:
            phi[p] += v(before | {p}) - v(before)
            before = before | {p}
    return {p: x / len(orders) for p, x in phi.items()}


def test_shapley_three_channels_by_hand():
    # v(A)=0, v(B)=1, v(C)=0, v(AB)=1, v(AC)=1, v(BC)=1, v(ABC)=4.
    # A's marginal contributions over the 6 orders: ABC 0, ACB 0, BAC 0, BCA 3, CAB 1, CBA 3
    # -> 7/6. B: 1, 3, 1, 1, 3, 1 -> 10/6. C: the rest, 7/6.
    r = attribute_paths(HEURISTIC_PATHS, models=["shapley"])
    expected = {"A": 7 / 6, "B": 10 / 6, "C": 7 / 6}
    assert credit(r)["shapley"] == approx(expected)
    assert coalition_shapley(HEURISTIC_PATHS) == approx(expected)


def test_shapley_ordered_splits_by_position():
    # distinct channels in order of first touch: A B C (2 conv: 2/3 each), B (1), C A (1/2 each)
    r = attribute_paths(HEURISTIC_PATHS, models=["shapley"], shapley="ordered")
    positions = r.tables["shapley_positions"]
    got = {(c, p): x for c, p, x in zip(positions.channel, positions.position, positions.conversions, strict=True)}  # fmt: skip
    assert got == pytest.approx(
        {("A", 1): 2 / 3, ("A", 2): 1 / 2, ("B", 1): 1, ("B", 2): 2 / 3, ("C", 1): 1 / 2, ("C", 3): 2 / 3}
    )  # fmt: skip


def test_shapley_closed_form_equals_the_coalition_formula_on_random_paths():
    rng = np.random.default_rng(3)
    names = list("abcdef")
    rows = [
        (" > ".join(rng.choice(names, size=rng.integers(1, 6))), int(rng.integers(0, 5)), 0.0, 1)
        for _ in range(40)
    ]
    paths = paths_frame(rows)
    r = attribute_paths(paths, models=["shapley"])
    assert credit(r)["shapley"] == pytest.approx(coalition_shapley(paths), abs=1e-9)


# -- Markov removal effect, solved by hand ---------------------------------------------------


def test_markov_removal_effect_small_chain():
    # paths: A > B conv 1 (value 10); A null 1; B conv 1 (value 4).
    # chain: start->A 2/3, start->B 1/3, A->B 1/2, A->null 1/2, B->conv 1.
    # P(conv) = 2/3 * 1/2 + 1/3 = 2/3.
    # without A: start->A is lost, P = 1/3 -> RE(A) = 1 - (1/3)/(2/3) = 1/2.
    # without B: every conversion goes through B, P = 0 -> RE(B) = 1.
    # credit of 2 conversions: A 2 * 0.5/1.5 = 2/3, B 2 * 1/1.5 = 4/3.
    # value: every conversion comes from B (mean value 7), so value shares are the same: 14/3, 28/3.
    paths = paths_frame([("A > B", 1, 10.0, 0), ("A", 0, 0, 1), ("B", 1, 4.0, 0)])
    r = attribute_paths(paths, models=["markov"])
    assert credit(r)["markov"] == approx({"A": 2 / 3, "B": 4 / 3})
    assert credit(r, "value")["markov"] == pytest.approx({"A": 14 / 3, "B": 28 / 3})
    removal = r.tables["removal_effects"].set_index("channel").removal_effect.to_dict()
    assert removal == pytest.approx({"A": 0.5, "B": 1.0})
    assert r.summary["markov conversion probability"] == pytest.approx(2 / 3)


def test_markov_loop_needs_the_linear_system():
    # paths: A > B > A conv 1; B null 1.
    # chain: start->A 1/2, start->B 1/2; A->B 1/2, A->conv 1/2; B->A 1/2, B->null 1/2.
    # a = P(conv | A) = 1/2 + b/2, b = a/2 -> a = 2/3, b = 1/3; P(conv) = 1/2 (2/3 + 1/3) = 1/2.
    # without A: 0 -> RE(A) = 1. without B: start->A->conv = 1/4 -> RE(B) = 1/2.
    # credit of 1 conversion: A 2/3, B 1/3.
    paths = paths_frame([("A > B > A", 1, 0, 0), ("B", 0, 0, 1)])
    r = attribute_paths(paths, models=["markov"])
    assert credit(r)["markov"] == approx({"A": 2 / 3, "B": 1 / 3})
    assert r.summary["markov conversion probability"] == pytest.approx(0.5)


def test_markov_order_two_states_are_pairs():
    # paths: A > B > C conv 1; B > C null 1; A conv 1.
    # order-2 states: (A,B) -> (B,C); (B,C); (A). start -> each 1/3; (A,B)->(B,C) 1;
    # (B,C)->conv 1/2, ->null 1/2; (A)->conv 1. P(conv) = 1/6 + 1/6 + 1/3 = 2/3.
    # without A (states AB, A): 1/6 -> RE 3/4. without B (AB, BC): 1/3 -> RE 1/2.
    # without C (BC): 1/3 -> RE 1/2. credit of 2: A 2 (3/4)/(7/4) = 6/7, B = C = 4/7.
    paths = paths_frame([("A > B > C", 1, 0, 0), ("B > C", 0, 0, 1), ("A", 1, 0, 0)])
    r = attribute_paths(paths, models=["markov"], order=2)
    assert credit(r)["markov"] == approx({"A": 6 / 7, "B": 4 / 7, "C": 4 / 7})
    assert r.summary["markov states"] == 3


def test_markov_collapses_repeated_states_as_channelattribution():
    # A > A > B is the chain start -> A -> B -> conv, like A > B: no self-loop on A.
    same = attribute_paths(paths_frame([("A > A > B", 1, 0, 0), ("A", 0, 0, 1)]), models=["markov"])
    once = attribute_paths(paths_frame([("A > B", 1, 0, 0), ("A", 0, 0, 1)]), models=["markov"])
    assert credit(same)["markov"] == approx(credit(once)["markov"])


def reference_states(path: tuple[str, ...], order: int) -> list[tuple[str, ...]]:
    """ChannelAttribution's order-k states of one path, written plainly: sliding windows of
    k touches (the whole path if shorter), consecutive equal states collapsed."""
    windows = [path[i : i + order] for i in range(max(len(path) - order, 0) + 1)]
    return [w for i, w in enumerate(windows) if i == 0 or w != windows[i - 1]]


def state_lists(paths: models.Paths, order: int) -> list[list[tuple[str, ...]]]:
    """The vectorised states of every path, as names (each path must have a touch)."""
    v = models.visits(paths, order)
    states = [tuple(paths.names[c] for c in row if c >= 0) for row in v.table]
    out: list[list[tuple[str, ...]]] = [[] for _ in range(len(paths))]
    for row, state in zip(v.row, v.state, strict=True):
        out[row].append(states[state])
    return out


def test_markov_states_follow_channelattribution_windows():
    paths = models.Paths.from_lists(
        [("a", "b", "c"), ("a", "a", "a", "b"), ("a",)], [0, 0, 0], [0, 0, 0], [1, 1, 1]
    )
    assert state_lists(paths, 2)[:2] == [[("a", "b"), ("b", "c")], [("a", "a"), ("a", "b")]]
    assert state_lists(paths, 3)[2] == [("a",)]


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_vectorised_states_equal_the_plain_definition(order):
    rng = np.random.default_rng(order)
    rows = [tuple(rng.choice(list("abc"), size=rng.integers(1, 9))) for _ in range(300)]
    paths = models.Paths.from_lists(rows, [1] * len(rows), [0] * len(rows), [0] * len(rows))
    assert state_lists(paths, order) == [reference_states(p, order) for p in rows]
    # states are numbered in order of first visit, as a path-by-path build numbers them
    v = models.visits(paths, order)
    first = [v.state[v.row == r] for r in range(len(rows))]
    seen = list(dict.fromkeys(int(s) for f in first for s in f))
    assert seen == list(range(len(v.table)))


def test_markov_transitions_equal_a_path_by_path_count():
    rng = np.random.default_rng(5)
    rows = [tuple(rng.choice(list("abcd"), size=rng.integers(1, 7))) for _ in range(200)]
    conv = rng.integers(0, 4, size=len(rows))
    nulls = rng.integers(0, 4, size=len(rows))
    paths = models.Paths.from_lists(rows, conv, conv * 2.5, nulls)
    for order in (1, 2, 3):
        counts: dict[tuple[str, str], float] = {}
        for path, c, n in zip(rows, conv, nulls, strict=True):
            names = ["(start)", *(" > ".join(s) for s in reference_states(path, order))]
            names += ["(conversion)"] * bool(c)
            for a, b in zip(names, names[1:], strict=False):
                counts[a, b] = counts.get((a, b), 0) + (c + n if b != "(conversion)" else c)
            if n:
                counts[names[-1 - bool(c)], "(null)"] = counts.get((names[-1 - bool(c)], "(null)"), 0) + n  # fmt: skip
        total: dict[str, float] = {}
        for (a, _), x in counts.items():
            total[a] = total.get(a, 0) + x
        expected = {(a, b): x / total[a] for (a, b), x in counts.items() if x > 0}
        chain = models.markov(paths, order=order)
        got = {(f, t): p for f, t, p in chain.transitions.itertuples(index=False)}
        assert got == pytest.approx(expected, rel=1e-12)


# -- parameters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"models": ["markoff"]}, "allowed: first_touch"),
        ({"models": ["time_decay"]}, "needs the touches' timestamps"),
        ({"order": 5}, "allowed: 1 to 4"),
        ({"order": 0}, "allowed: 1 to 4"),
        ({"position_first": 0.7, "position_last": 0.5}, "sum is at most 1"),
        ({"shapley": "random"}, "allowed: unordered, ordered"),
    ],
)
def test_bad_parameters_say_what_is_allowed(params, message):
    with pytest.raises(InputError, match=message):
        attribute_paths(HEURISTIC_PATHS, **params)


def test_paths_table_without_conversions_column():
    with pytest.raises(InputError, match="no conversions column; allowed names"):
        attribute_paths(pd.DataFrame({"path": ["a"], "n": [1]}))


def test_paths_table_with_a_negative_count():
    bad = paths_frame([("a", 1, 0, 0), ("b", -2, 0, 0)])
    with pytest.raises(InputError, match="numbers >= 0; row 2 holds -2"):
        attribute_paths(bad)


def test_paths_as_text_lists_or_arrow_give_the_same_credit():
    text = HEURISTIC_PATHS
    lists = text.assign(path=text.path.str.split(" > "))
    tuples = text.assign(path=[tuple(p.split(" > ")) for p in text.path])
    spaced = text.assign(path=[f" {p.replace(' > ', ' >  > ')} > " for p in text.path])
    expected = credit(attribute_paths(text))
    for other in (lists, tuples, spaced, pa.Table.from_pandas(lists), pa.Table.from_pandas(text)):
        assert credit(attribute_paths(other)) == approx_nested(expected)


def approx_nested(expected: dict[str, dict[str, float]]) -> dict:
    return {model: approx(values) for model, values in expected.items()}


def test_top_paths_most_conversions_then_most_journeys():
    paths = attribute_paths(HEURISTIC_PATHS, models=["linear"]).tables["paths"]
    assert paths.path.tolist() == ["A > B > A > C", "B", "C > A", "A > B"]
    assert paths.journeys.tolist() == [3, 1, 1, 3]


def test_docstring_examples_run():
    for mod in (module, models):
        assert doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


# -- paths built in the engine, from timelines -------------------------------------------------

MAP = textwrap.dedent(
    """
    map: attribution-test
    title: {fr: Test, en: Test}
    stages:
      - {id: decouverte, title: Découverte}
      - {id: decision, title: Décision}
    channels: [web, email, magasin]
    touchpoints:
      - {id: newsletter, stage: decouverte, channel: email, match: {event: newsletter_open}}
      - {id: fiche, stage: decouverte, channel: web, match: {event: product_view}}
      - {id: achat, stage: decision, channel: web, match: {event: purchase}}
    conversion: {event: purchase}
    journey: {timeout: 30d}
    """
)

TIMELINES = {
    # email then web, converts 2 days / 1 day after the touches: path email > web, value 100
    "claire": [
        ("2026-03-01 10:00", "email", "newsletter_open"),
        ("2026-03-02 10:00", "web", "product_view"),
        ("2026-03-02 10:30", "web", "page_scroll"),  # unmapped: not a touch
        ("2026-03-03 10:00", "web", "purchase", {}, 100.0),
    ],
    # a walk-in purchase with nothing before it, then a new journey that stays open: null
    "marc": [
        ("2026-03-01 09:00", "magasin", "purchase", {}, 50.0),
        ("2026-03-05 09:00", "web", "product_view"),
    ],
    # web only, converts the same day
    "lea": [
        ("2026-03-04 09:00", "web", "product_view"),
        ("2026-03-04 12:00", "web", "purchase", {}, 30.0),
    ],
}


@pytest.fixture(scope="module")
def ctx():
    """The timelines above, ingested once for the module (tests only read them)."""
    ws = parcours.open(":memory:")
    yield context_from_timelines(ws, MAP, TIMELINES)
    ws.close()


def test_engine_paths_leave_out_the_conversion_and_unmapped_events(ctx):
    paths = build_paths(ctx.journeys, "channel").to_pandas()
    got = {tuple(p) if p is not None else (): (c, v, n) for p, c, v, n in paths.itertuples(index=False)}  # fmt: skip
    assert got == {
        ("email", "web"): (1, 100.0, 0),  # claire
        (): (1, 50.0, 0),  # marc's walk-in purchase
        ("web",): (1, 30.0, 1),  # lea converts; marc's open journey is a null
    }


def test_engine_touchpoint_level_and_exclude(ctx):
    paths = build_paths(ctx.journeys, "touchpoint", exclude=["newsletter"]).to_pandas()
    got = {tuple(p) if p is not None else (): c for p, c in zip(paths.path, paths.conversions, strict=True)}  # fmt: skip
    assert got == {("fiche",): 2, (): 1}


def test_time_decay_halves_credit_per_half_life(ctx):
    # claire: email 2 days before the purchase weighs 1/4, web 1 day before weighs 1/2
    # (half-life 1d) -> email 1/3, web 2/3 of her conversion and of its 100; lea: web 1 (30).
    r = attribution(ctx, models=["time_decay", "last_touch"], half_life="1d")
    assert credit(r)["time_decay"] == approx({"email": 1 / 3, "web": 5 / 3})
    assert credit(r, "value")["time_decay"] == pytest.approx(
        {"email": 100 / 3, "web": 200 / 3 + 30}
    )
    assert r.summary["conversions with no touchpoint"] == 1
    assert r.summary["conversions credited"] == 2


def test_analysis_reads_a_paths_file(ctx, tmp_path):
    file = tmp_path / "paths.csv"
    HEURISTIC_PATHS.to_csv(file, index=False)
    r = attribution(ctx, paths_file=str(file), models=["linear"])
    assert credit(r)["linear"] == approx({"A": 1.5, "B": 1.5, "C": 1.0})
    with pytest.raises(InputError, match="is not a file"):
        attribution(ctx, paths_file=str(tmp_path / "missing.csv"))


def test_demo_every_converted_journey_is_credited_once(demo_journeys, demo_map):
    from parcours.analyses import Context

    r = attribution(Context(demo_journeys, demo_map), models=["linear", "markov", "time_decay"])
    conversions = int(
        demo_journeys.filter(demo_journeys.is_conversion).count().to_pyarrow().as_py()
    )
    summary = r.summary
    assert (
        summary["conversions credited"] + summary["conversions with no touchpoint"] == conversions
    )
    sums = r.table.drop(columns="channel").sum()
    assert sums.to_numpy() == pytest.approx([summary["conversions credited"]] * 3)


# -- ChannelAttribution on its own example data -----------------------------------------------


def ca_paths(shared_datasets: Path) -> pd.DataFrame:
    file = shared_datasets / CA_DATA
    if not file.exists():
        pytest.skip(f"{file} not present")
    return pd.read_csv(file)


def load(fixture: Path) -> dict:
    return json.loads(fixture.read_text(encoding="utf-8"))


@pytest.mark.shared_data
def test_heuristics_equal_channelattribution(shared_datasets):
    data = ca_paths(shared_datasets)
    expected = load(HEURISTIC_FIXTURE)["heuristic_models"]
    r = attribute_paths(data, models=["first_touch", "last_touch", "linear"])
    conv, value = credit(r), credit(r, "value")
    for ours, theirs in (("first_touch", "first_touch"), ("last_touch", "last_touch"), ("linear", "linear_touch")):  # fmt: skip
        assert conv[ours] == pytest.approx(expected[f"{theirs}_conversions"], rel=1e-12)
        assert value[ours] == pytest.approx(expected[f"{theirs}_value"], rel=1e-12)


@pytest.mark.shared_data
def test_markov_transitions_equal_channelattribution(shared_datasets):
    data = ca_paths(shared_datasets)
    fixture = load(HEURISTIC_FIXTURE)
    for order in (1, 2):
        expected = {(f, t): p for f, t, p in fixture[f"transition_matrix_order{order}"]}
        chain = models.markov(module.read_paths(data), order=order)
        got = {(f, t): p for f, t, p in chain.transitions.itertuples(index=False)}
        assert got == pytest.approx(expected, rel=1e-9)


def within_simulation_noise(r, ca_result: dict, conversions_per_fold: float) -> None:
    """ChannelAttribution returns one fold of its simulation: a channel's count is binomial
    in the fold's simulated conversions, so its share is within 5 standard errors of the
    exact share (the value's standard error also carries the spread of conversion values)."""
    removal = r.tables["removal_effects"].set_index("channel")
    for column, re_col, spread in (
        ("conversions", "removal_effect", 1.0),
        ("value", "removal_effect_value", ca_result["value_second_moment_ratio"]),
    ):
        exact = (r.table if column == "conversions" else r.tables["value"]).set_index("channel")
        re = removal[re_col]
        total = r.summary["conversions credited" if column == "conversions" else "value credited"]
        sd = np.sqrt(spread * re * (1 - re) / conversions_per_fold) / re.sum() * total
        theirs = pd.Series(ca_result[f"total_{'conversions' if column == 'conversions' else 'conversion_value'}"])  # fmt: skip
        z = (theirs - exact["markov"]).abs() / sd
        assert (z < 5).all(), z.sort_values().tail(3)
        assert theirs.sum() == pytest.approx(total, abs=1e-6)


@pytest.mark.shared_data
@pytest.mark.parametrize("order", [1, 2, 3])
def test_markov_matches_recorded_channelattribution(shared_datasets, order):
    data = ca_paths(shared_datasets)
    run = next(m for m in load(MARKOV_FIXTURE)["runs"] if m["params"]["order"] == order)
    r = attribute_paths(data, models=["markov"], order=order)
    # total conversions credited: exact on both sides
    assert r.table.markov.sum() == pytest.approx(data.total_conversions.sum(), abs=1e-6)
    per_fold = r.summary["markov conversion probability"] * run["simulations_per_fold"]
    within_simulation_noise(r, run, per_fold)


@pytest.mark.shared_data
def test_markov_matches_live_channelattribution(shared_datasets):
    ca = pytest.importorskip("ChannelAttribution", reason="channelattribution not installed")
    data = ca_paths(shared_datasets)
    heuristics = ca.heuristic_models(
        data, "path", "total_conversions", var_value="total_conversion_value", flg_pro=False
    ).set_index("channel_name")
    r = attribute_paths(data, models=["linear", "markov"], order=1)
    assert credit(r)["linear"] == pytest.approx(heuristics.linear_touch_conversions.to_dict())
    out = ca.markov_model(
        data, "path", "total_conversions", var_value="total_conversion_value",
        var_null="total_null", order=1, nsim_start=1e5, flg_pro=False, seed=11, verbose=False,
    )  # fmt: skip
    run = out.set_index("channel_name").to_dict()
    run["value_second_moment_ratio"] = value_second_moment_ratio(data)
    within_simulation_noise(r, run, r.summary["markov conversion probability"] * 1e5 / 10)


def value_second_moment_ratio(data: pd.DataFrame) -> float:
    """E[v^2] / E[v]^2 of the value of one conversion, as ChannelAttribution draws it."""
    converted = data[data.total_conversions > 0]
    v = converted.total_conversion_value / converted.total_conversions
    w = converted.total_conversions
    return float(np.average(v**2, weights=w) / np.average(v, weights=w) ** 2)


# -- recording the peer's output ---------------------------------------------------------------


def record(data_file: Path) -> None:  # pragma: no cover - run by hand
    import ChannelAttribution as ca

    data = pd.read_csv(data_file)
    heuristic = ca.heuristic_models(
        data, "path", "total_conversions", var_value="total_conversion_value", flg_pro=False
    ).set_index("channel_name")
    transitions = {}
    for order in (1, 2):
        tm = ca.transition_matrix(
            data,
            "path",
            "total_conversions",
            "total_null",
            order=order,
            flg_equal=False,
            flg_pro=False,
        )
        by_id = dict(zip(tm["channels"].id_channel.astype(str), tm["channels"].channel_name, strict=True))  # fmt: skip

        def name(state: str, by_id=by_id) -> str:
            return " > ".join(by_id.get(i, i) for i in state.split(" ")) if state[0] != "(" else state  # fmt: skip

        transitions[f"transition_matrix_order{order}"] = [
            [name(str(f)), name(str(t)), float(p)]
            for f, t, p in tm["transition_matrix"].itertuples(index=False)  # fmt: skip
        ]
    version = __import__("importlib.metadata").metadata.version("channelattribution")
    HEURISTIC_FIXTURE.write_text(
        json.dumps(
            {
                "about": f"ChannelAttribution {version} on {CA_DATA} (its own example data): "
                "heuristic_models(var_value=total_conversion_value) and transition_matrix "
                "(order 1 and 2, flg_equal=False: repeated states collapsed as markov_model does; "
                "channel ids replaced by names). Deterministic: must match exactly.",
                "heuristic_models": {c: heuristic[c].to_dict() for c in heuristic.columns},
                **transitions,
            },
            indent=1,
        )
    )
    runs = []
    nsim, nfold, seed = 1_000_000, 10, 0
    for order in (1, 2, 3):
        out = ca.markov_model(
            data, "path", "total_conversions", var_value="total_conversion_value",
            var_null="total_null", order=order, nsim_start=nsim, nfold=nfold, seed=seed,
            out_more=True, flg_pro=False, verbose=False,
        )  # fmt: skip
        result = out["result"].set_index("channel_name")
        removal = out["removal_effects"].set_index("channel_name")
        runs.append(
            {
                "params": {
                    "order": order,
                    "nsim_start": nsim,
                    "nfold": nfold,
                    "seed": seed,
                    "var_value": "total_conversion_value",
                    "var_null": "total_null",
                },  # fmt: skip
                "simulations_per_fold": nsim // nfold,
                "value_second_moment_ratio": value_second_moment_ratio(data),
                "total_conversions": result.total_conversions.to_dict(),
                "total_conversion_value": result.total_conversion_value.to_dict(),
                "removal_effects_conversion": removal.removal_effects_conversion.to_dict(),
                "removal_effects_conversion_value": removal.removal_effects_conversion_value.to_dict(),  # fmt: skip
            }
        )
    MARKOV_FIXTURE.write_text(
        json.dumps(
            {
                "about": f"ChannelAttribution {version} markov_model on {CA_DATA}. It simulates "
                "journeys on the chain (nsim_start simulations split in nfold folds; it returns "
                "the fold closest to the median), so one fold of simulations_per_fold journeys "
                "is the noise to compare with. value_second_moment_ratio = E[v^2]/E[v]^2 of a "
                "conversion's value (for the value's noise).",
                "runs": runs,
            },
            indent=1,
        )
    )


if __name__ == "__main__":  # pragma: no cover
    from ..conftest import SHARED_DATASETS

    record(SHARED_DATASETS / CA_DATA)
    print(f"wrote {MARKOV_FIXTURE} and {HEURISTIC_FIXTURE}")
