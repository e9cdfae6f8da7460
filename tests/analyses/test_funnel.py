"""The funnel: each test is a timeline computed by hand and named after the rule it pins.

Steps in the timelines: the map below has touchpoints ``vue`` (product_view), ``panier``
(add_to_cart), ``paiement`` (checkout_payment) and ``achat`` (purchase); stages
``decouverte`` and ``decision``.
"""

from __future__ import annotations

import doctest
import textwrap

import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parcours
from parcours.analyses import Context, funnel
from parcours.analyses import _steps as steps_module
from parcours.errors import InputError
from parcours.maps import JourneyMap
from tests.conftest import to_spark

from ..timelines import context_from_timelines

MAP = textwrap.dedent(
    """
    map: funnel-test
    title: {fr: Test, en: Test}
    stages:
      - {id: decouverte, title: Découverte}
      - {id: decision, title: Décision}
    channels: [web, app, magasin]
    touchpoints:
      - {id: vue, stage: decouverte, channel: web, match: {event: product_view}}
      - {id: panier, stage: decision, channel: web, match: {event: add_to_cart}}
      - {id: paiement, stage: decision, channel: web, match: {event: checkout_payment}}
      - {id: achat, stage: decision, channel: web, match: {event: purchase}}
    conversion: {event: purchase}
    journey: {timeout: 30d}
    """
)
JM = JourneyMap.loads(MAP)


SCENARIOS: dict[str, dict[str, list[tuple]]] = {}
CUSTOMERS = {"customer_id": ["two_channels.ana", "two_channels.bob"], "segment": ["VIP", "B2C"]}


def scenario(name: str, timelines: dict[str, list[tuple]]) -> str:
    """Register the persons of one test; all are ingested once, in one workspace."""
    SCENARIOS[name] = timelines
    return name


@pytest.fixture(scope="module")
def scenarios():
    """``scenarios(name)``: a context holding only the persons of scenario ``name``; the
    events of every scenario go through the real ingestion, identities and journeys once."""
    workspace = parcours.open(":memory:")
    everyone = {
        f"{name}.{person}": steps
        for name, timelines in SCENARIOS.items()
        for person, steps in timelines.items()
    }
    context_from_timelines(workspace, MAP, everyone)
    workspace.ingest_customers(pd.DataFrame(CUSTOMERS))
    ctx = workspace.context(JM)

    tables: dict[str, ibis.Table] = {}

    def of(name: str) -> Context:
        ids = ctx.identities
        if name not in tables:
            mine = ids.filter((ids.kind == "customer_id") & ids.value.startswith(f"{name}."))
            journeys = ctx.journeys.filter(ctx.journeys.person_id.isin(mine.person_id))
            tables[name] = workspace.con.create_table(f"_scenario_{name}", journeys, temp=True)
        return Context(journeys=tables[name], map=JM, customers=ctx.customers, identities=ids)

    yield of
    workspace.close()


def run(scenarios, name: str, steps: list[str], **params):
    return funnel.funnel(scenarios(name), steps, **params)


def persons(result) -> list[int]:
    return result.to_pandas().persons.tolist()


# -- conversion window ------------------------------------------------------------------------

EXACT = scenario(
    "window_edge_exact",
    {
        "ana": [
            ("2026-03-01 10:00:00", "web", "add_to_cart"),
            ("2026-03-01 11:00:00", "web", "purchase"),
        ]
    },
)
LATE = scenario(
    "window_edge_one_second_late",
    {
        "ana": [
            ("2026-03-01 10:00:00", "web", "add_to_cart"),
            ("2026-03-01 11:00:01", "web", "purchase"),
        ]
    },
)


def test_window_edge_exact_counts(scenarios):
    assert persons(run(scenarios, EXACT, ["panier", "achat"], window="1h")) == [1, 1]


def test_window_edge_one_second_late_does_not_count(scenarios):
    assert persons(run(scenarios, LATE, ["panier", "achat"], window="1h")) == [1, 0]


FROM_FIRST = scenario(
    "window_from_first_step",
    {
        "ana": [
            ("2026-03-01 10:00", "web", "add_to_cart"),
            ("2026-03-01 10:50", "web", "checkout_payment"),
            ("2026-03-01 11:10", "web", "purchase"),
        ]
    },
)


def test_window_counted_from_first_step_not_previous_step(scenarios):
    # panier 10:00, paiement 10:50, achat 11:10: each gap is under 1h, the whole is not.
    result = run(scenarios, FROM_FIRST, ["panier", "paiement", "achat"], window="1h")
    assert persons(result) == [1, 1, 0]


# -- attempts ---------------------------------------------------------------------------------

REPEATED = scenario(
    "repeated_first_step",
    {
        "ana": [
            ("2026-03-01 10:00", "web", "add_to_cart"),
            ("2026-03-11 10:00", "web", "add_to_cart"),
            ("2026-03-13 10:00", "web", "purchase"),
        ]
    },
)


def test_repeated_first_step_later_attempt_reaching_further_counts(scenarios):
    # The first cart is 12 days before the purchase (window 7d); the second is 2 days before.
    table = run(scenarios, REPEATED, ["panier", "achat"], window="7d").to_pandas()
    assert table.persons.tolist() == [1, 1]
    assert table.avg_time_s.iloc[1] == 2 * 86400  # measured in the attempt that converted


ONCE = scenario(
    "person_counts_once",
    {
        "ana": [
            ("2026-03-01 10:00", "web", "add_to_cart"),
            ("2026-03-01 10:10", "web", "purchase"),
            ("2026-03-03 10:00", "web", "add_to_cart"),
            ("2026-03-03 10:10", "web", "purchase"),
        ],
        "bob": [("2026-03-01 09:00", "web", "add_to_cart")],
    },
)


def test_person_counts_once_at_furthest_step(scenarios):
    assert persons(run(scenarios, ONCE, ["panier", "achat"])) == [2, 1]


BEFORE = scenario(
    "step_before_first_step",
    {"ana": [("2026-03-01 09:00", "web", "purchase"), ("2026-03-01 10:00", "web", "add_to_cart")]},
)


def test_steps_before_first_step_do_not_count(scenarios):
    assert persons(run(scenarios, BEFORE, ["panier", "achat"])) == [1, 0]


SINGLE = scenario("one_event", {"ana": [("2026-03-01 10:00", "web", "add_to_cart")]})


def test_one_event_never_fills_two_steps(scenarios):
    assert persons(run(scenarios, SINGLE, ["panier", "add_to_cart"])) == [1, 0]


TIES = scenario(
    "ties",
    # The purchase is listed (and so gets its event id) before the cart, in the same second.
    {
        "ana": [
            ("2026-03-01 10:00:00", "web", "purchase"),
            ("2026-03-01 10:00:00", "web", "add_to_cart"),
        ]
    },
)


def test_ties_on_same_timestamp_count_in_funnel_order(scenarios):
    result = run(scenarios, TIES, ["panier", "achat"])
    assert persons(result) == [1, 1]
    assert result.to_pandas().avg_time_s.iloc[1] == 0


# -- orders -----------------------------------------------------------------------------------

BROKEN = scenario(
    "strict_broken",
    {
        "ana": [
            ("2026-03-01 10:00", "web", "add_to_cart"),
            ("2026-03-01 10:01", "web", "page_view"),
            ("2026-03-01 10:02", "web", "purchase"),
        ],
        "bob": [
            ("2026-03-01 10:00", "web", "add_to_cart"),
            ("2026-03-01 10:02", "web", "purchase"),
        ],
    },
)


def test_strict_broken_by_other_event(scenarios):
    assert persons(run(scenarios, BROKEN, ["panier", "achat"], order="ordered")) == [2, 2]
    assert persons(run(scenarios, BROKEN, ["panier", "achat"], order="strict")) == [2, 1]


SAME_SECOND = scenario(
    "strict_same_second",
    {
        "ana": [
            ("2026-03-01 10:00:00", "web", "page_view"),
            ("2026-03-01 10:00:00", "web", "add_to_cart"),
            ("2026-03-01 10:00:00", "web", "product_view"),
            ("2026-03-01 10:05:00", "web", "purchase"),
        ]
    },
)


def test_strict_same_second_unrelated_event_counts_after_the_steps(scenarios):
    # All three share a second: product_view then add_to_cart count in funnel order, and the
    # page_view counts after them, so it stands between add_to_cart and the purchase.
    result = run(scenarios, SAME_SECOND, ["vue", "panier", "achat"], order="strict")
    assert persons(result) == [1, 1, 0]


UNORDERED = scenario(
    "unordered",
    {
        "ana": [
            ("2026-03-01 10:00", "web", "purchase"),
            ("2026-03-01 11:00", "web", "add_to_cart"),
        ],
        "bob": [
            ("2026-03-01 10:00", "web", "purchase"),
            ("2026-03-05 10:00", "web", "add_to_cart"),
        ],
    },
)


def test_unordered_counts_steps_in_any_order(scenarios):
    ordered = run(scenarios, UNORDERED, ["panier", "achat"], order="ordered", window="1d")
    assert persons(ordered) == [2, 0]
    unordered = run(scenarios, UNORDERED, ["panier", "achat"], order="unordered", window="1d")
    assert persons(unordered) == [2, 1]  # bob's two events are 4 days apart


# -- exclusions -------------------------------------------------------------------------------

CALL = ("2026-03-01 10:30", "service_client", "call_center_contact")
CART = ("2026-03-01 10:00", "web", "add_to_cart")

EXCLUDED = scenario(
    "exclusion_between_steps",
    {
        "ana": [CART, CALL, ("2026-03-01 11:00", "web", "purchase")],
        "bob": [CART, ("2026-03-01 10:20", "web", "purchase"), CALL],
    },
)


def test_exclusion_between_steps_drops_attempt(scenarios):
    result = run(scenarios, EXCLUDED, ["panier", "achat"], exclusions=["call_center_contact:1:2"])
    assert persons(result) == [1, 1]  # ana does not count at all, not even at step 1
    assert persons(run(scenarios, EXCLUDED, ["panier", "achat"])) == [2, 2]


CLEAN_RETRY = scenario(
    "exclusion_clean_retry",
    {
        "ana": [
            CART,
            CALL,
            ("2026-03-01 11:00", "web", "add_to_cart"),
            ("2026-03-01 11:10", "web", "purchase"),
        ]
    },
)


def test_exclusion_spares_a_later_clean_attempt(scenarios):
    result = run(scenarios, CLEAN_RETRY, ["panier", "achat"], exclusions=["call_center_contact"])
    assert persons(result) == [1, 1]


OUTSIDE = scenario(
    "exclusion_outside_steps",
    {
        "ana": [
            CART,
            CALL,
            ("2026-03-01 11:00", "web", "checkout_payment"),
            ("2026-03-01 11:10", "web", "purchase"),
        ]
    },
)


def test_exclusion_outside_its_steps_is_ignored(scenarios):
    steps = ["panier", "paiement", "achat"]
    assert persons(run(scenarios, OUTSIDE, steps, exclusions=["call_center_contact:2:3"])) == [
        1,
        1,
        1,
    ]
    assert persons(run(scenarios, OUTSIDE, steps, exclusions=["call_center_contact:1:2"])) == [
        0,
        0,
        0,
    ]


STOPPED = scenario(
    "exclusion_after_last_step",
    {
        "ana": [CART, CALL],
        "bob": [CART, ("2026-03-05 10:00", *CALL[1:])],
    },
)


def test_exclusion_after_last_step_reached_within_window_drops_attempt(scenarios):
    result = run(
        scenarios, STOPPED, ["panier", "achat"], window="1d", exclusions=["call_center_contact"]
    )
    assert persons(result) == [1, 0]  # bob's call comes after his window closed


@pytest.mark.parametrize(
    ("scenario_name", "steps", "exclusion", "drop", "cut"),
    [
        # ana: cart, call, purchase: dropped whole (PostHog), or cut after her cart (Mixpanel)
        (EXCLUDED, ["panier", "achat"], "call_center_contact:1:2", [1, 1], [2, 1]),
        # ana: cart, call, payment, purchase: the call cuts her attempt after step 1
        (OUTSIDE, ["panier", "paiement", "achat"], "call_center_contact:1:2", [0, 0, 0], [1, 0, 0]),
        (OUTSIDE, ["panier", "paiement", "achat"], "call_center_contact:2:3", [1, 1, 1], [1, 1, 1]),
        # a call after the last step reached: drop loses ana, cut keeps her at step 1
        (STOPPED, ["panier", "achat"], "call_center_contact", [1, 0], [2, 0]),
        (CLEAN_RETRY, ["panier", "achat"], "call_center_contact", [1, 1], [1, 1]),
    ],
)  # fmt: skip
def test_exclusion_modes_drop_and_cut(scenarios, scenario_name, steps, exclusion, drop, cut):
    window = "1d"
    dropped = run(scenarios, scenario_name, steps, window=window, exclusions=[exclusion])
    assert persons(dropped) == drop
    assert dropped.params["exclusion_mode"] == "drop"
    cut_ = run(
        scenarios, scenario_name, steps, window=window, exclusions=[exclusion], exclusion_mode="cut"
    )
    assert persons(cut_) == cut
    assert any("Mixpanel" in note for note in cut_.notes)


def test_exclusion_mode_is_checked(scenarios):
    with pytest.raises(InputError, match="allowed: drop .*, cut"):
        run(
            scenarios,
            EXCLUDED,
            ["panier", "achat"],
            exclusions=["page_view"],
            exclusion_mode="skip",
        )


def test_exclusion_syntax_is_checked(scenarios):
    with pytest.raises(InputError, match="1 <= FROM < TO <= 2"):
        run(scenarios, BROKEN, ["panier", "achat"], exclusions=["page_view:2:1"])
    with pytest.raises(InputError, match="ordered and strict funnels only"):
        run(scenarios, BROKEN, ["panier", "achat"], order="unordered", exclusions=["page_view"])


# -- breakdown --------------------------------------------------------------------------------

TWO_CHANNELS = scenario(
    "two_channels",
    {
        "ana": [
            ("2026-03-01 10:00", "web", "add_to_cart"),
            ("2026-03-01 10:30", "app", "purchase"),
        ],
        "bob": [("2026-03-01 10:00", "app", "add_to_cart")],
    },
)


@pytest.mark.parametrize(
    ("attribution", "expected"),
    [
        ("first_touch", {("web", 1): 1, ("web", 2): 1, ("app", 1): 1, ("app", 2): 0}),
        ("last_touch", {("app", 1): 2, ("app", 2): 1}),  # ana's last step is on the app
        # bob stopped before step 2: no value there, left out unless keep_none
        ("step:2", {("app", 1): 1, ("app", 2): 1}),
        ("step:2+none", {("app", 1): 1, ("app", 2): 1, ("(none)", 1): 1, ("(none)", 2): 0}),
    ],
)
def test_breakdown_attribution(scenarios, attribution, expected):
    result = run(
        scenarios,
        TWO_CHANNELS,
        ["panier", "achat"],
        breakdown="channel",
        breakdown_attribution=attribution.removesuffix("+none"),
        keep_none=attribution.endswith("+none"),
    )
    assert result.entered == 2  # the persons left out of the breakdown still entered
    table = result.to_pandas()
    got = dict(zip(zip(table.breakdown, table.step, strict=True), table.persons, strict=True))
    assert got == expected


def test_breakdown_by_customer_attribute(scenarios):
    # The scenarios' workspace holds a CRM row for each of these two (see CUSTOMERS).
    table = run(scenarios, TWO_CHANNELS, ["panier", "achat"], breakdown="customer:segment")
    got = table.to_pandas().set_index(["breakdown", "step"]).persons.to_dict()
    assert got == {("VIP", 1): 1, ("VIP", 2): 1, ("B2C", 1): 1, ("B2C", 2): 0}


def test_unknown_breakdown_lists_allowed(scenarios):
    with pytest.raises(InputError, match="property:KEY"):
        run(scenarios, TWO_CHANNELS, ["panier", "achat"], breakdown="colour")


# -- step specs -------------------------------------------------------------------------------

FULFILMENT = scenario(
    "property_filter",
    {
        "ana": [CART, ("2026-03-01 10:30", "web", "purchase", {"fulfilment": "click_collect"})],
        "bob": [CART, ("2026-03-01 10:30", "web", "purchase", {"fulfilment": "home"})],
    },
)


def test_property_filtered_step(scenarios):
    cc = run(scenarios, FULFILMENT, ["panier", "purchase[fulfilment=click_collect]"])
    assert persons(cc) == [2, 1]
    both = run(scenarios, FULFILMENT, ["panier", "purchase[fulfilment=click_collect|home]"])
    assert persons(both) == [2, 2]
    assert persons(run(scenarios, FULFILMENT, ["panier[channel=app]", "achat"])) == [0, 0]


KINDS = scenario(
    "stage_and_event_steps",
    {
        "ana": [
            ("2026-03-01 10:00", "web", "product_view"),
            ("2026-03-01 10:30", "web", "purchase"),
        ],
        "bob": [("2026-03-01 10:00", "web", "purchase")],
    },
)


def test_stage_and_event_name_steps(scenarios):
    result = run(scenarios, KINDS, ["decouverte", "purchase"])
    assert persons(result) == [1, 1]
    assert result.to_pandas().name.tolist() == ["decouverte", "purchase"]
    assert persons(run(scenarios, KINDS, ["event:product_view", "stage:decision"])) == [1, 1]


def test_unknown_step_lists_touchpoints_and_stages(scenarios):
    listed = "touchpoints: vue, panier, paiement, achat; stages: decouverte, decision"
    with pytest.raises(InputError, match=listed):
        run(scenarios, TWO_CHANNELS, ["panier", "caisse"])
    with pytest.raises(InputError, match="filter"):
        run(scenarios, TWO_CHANNELS, ["panier", "achat[channel]"])


def test_parameters_are_checked(scenarios):
    ctx = scenarios(TWO_CHANNELS)
    with pytest.raises(InputError, match="at least two steps"):
        funnel.funnel(ctx, ["panier"])
    with pytest.raises(InputError, match="allowed: ordered, strict, unordered"):
        funnel.funnel(ctx, ["panier", "achat"], order="loose")
    with pytest.raises(InputError, match="step:N with N from 1 to 2"):
        funnel.funnel(ctx, ["panier", "achat"], breakdown="channel", breakdown_attribution="step:3")
    with pytest.raises(InputError, match="duration"):
        funnel.funnel(ctx, ["panier", "achat"], window="14")


# -- times, journeys, trends ------------------------------------------------------------------

GAPS = scenario(
    "time_to_convert",
    {
        name: [CART, (f"2026-03-01 {10 + m // 60}:{m % 60:02d}", "web", "purchase")]
        for name, m in {"ana": 10, "bob": 20, "eve": 60}.items()  # minutes to purchase
    },
)


def test_time_to_convert_average_and_median(scenarios):
    row = run(scenarios, GAPS, ["panier", "achat"]).to_pandas().iloc[1]
    assert row.avg_time_s == 30 * 60
    assert row.median_time_s == 20 * 60
    assert row.drop_off == 0 and row.from_previous == 1


def test_time_to_convert_distribution_in_human_bins(scenarios):
    table = run(scenarios, GAPS, ["panier", "achat"]).time_to_convert
    assert list(table.columns) == ["step", "name", "bin", "label", "lower_s", "persons", "share"]
    assert len(table) == 8 and set(table.step) == {2}
    filled = table[table.persons > 0]
    # ana 10 min, bob 20 min (10 min <= t < 1 h), eve 60 min (1 h <= t < 6 h)
    assert filled[["label", "lower_s", "persons"]].values.tolist() == [
        ["10 min – 1 h", 600, 2],
        ["1 h – 6 h", 3_600, 1],
    ]
    assert filled.share.tolist() == pytest.approx([2 / 3, 1 / 3])


STILL = scenario(
    "still_in_window",
    # Data end: zoe's purchase, 10 March 12:30. Window 1 day.
    {
        "ana": [("2026-03-01 10:00", "web", "add_to_cart"), ("2026-03-01 11:00", "web", "purchase")],
        "bob": [("2026-03-01 09:00", "web", "add_to_cart")],  # window closed 2 March: lost
        "eve": [("2026-03-10 08:00", "web", "add_to_cart")],  # window open until 11 March 08:00
        "zoe": [("2026-03-10 12:00", "web", "add_to_cart"), ("2026-03-10 12:30", "web", "purchase")],
    },
)  # fmt: skip


def test_still_in_window_is_not_lost(scenarios):
    result = run(scenarios, STILL, ["panier", "achat"], window="1d")
    row = result.table.iloc[1]
    assert (row.persons, row.drop_off, row.still_in_window, row.lost) == (2, 2, 1, 1)
    assert result.table.persons_closed.tolist() == [3, 2]  # eve left out
    assert (result.entered, result.converted, result.still_in_window) == (4, 2, 1)
    assert result.conversion == 0.5
    assert result.conversion_closed == pytest.approx(2 / 3)
    assert result.summary["persons still in window"] == 1


def test_still_in_window_as_of_a_later_date(scenarios):
    # eve's window ends 11 March 08:00: closed by the 12th, still open at 07:59 on the 11th
    later = run(scenarios, STILL, ["panier", "achat"], window="1d", as_of="2026-03-12")
    assert (later.still_in_window, later.table.lost.iloc[1]) == (0, 2)
    assert later.conversion_closed == 0.5
    edge = run(scenarios, STILL, ["panier", "achat"], window="1d", as_of="2026-03-11T07:59")
    assert edge.still_in_window == 1
    exact = run(scenarios, STILL, ["panier", "achat"], window="1d", as_of="2026-03-11T08:00")
    assert exact.still_in_window == 0  # an event exactly at the window's end would count


def test_as_of_must_be_a_date(scenarios):
    with pytest.raises(InputError, match="as_of 'soon' is not a date"):
        run(scenarios, STILL, ["panier", "achat"], as_of="soon")


CORRELATED = scenario(
    "correlation",
    # window 1 day; steps panier -> achat. Converted: ana, bob. Dropped: eve, zoe.
    {
        "ana": [
            CART,
            ("2026-03-01 10:05", "web", "review_read", {"campaign": "soldes"}),
            ("2026-03-01 10:10", "web", "purchase"),
            ("2026-03-01 10:30", *CALL[1:]),  # after her last step: not in her attempt
        ],
        "bob": [
            CART,
            ("2026-03-01 10:05", "web", "review_read"),
            ("2026-03-01 10:07", "web", "review_read"),
            ("2026-03-01 10:20", "web", "purchase"),
        ],
        "eve": [
            ("2026-03-01 09:00", "web", "review_read"),  # before her attempt: not in it
            CART,
            ("2026-03-01 10:05", *CALL[1:], {"campaign": "soldes"}),
        ],
        "zoe": [CART, ("2026-03-01 10:05", *CALL[1:]), ("2026-03-01 10:06", *CALL[1:])],
    },
)  # fmt: skip


def test_correlation_odds_ratios_of_converting(scenarios):
    result = run(
        scenarios,
        CORRELATED,
        ["panier", "achat"],
        window="1d",
        correlation=["event", "property:campaign"],
    )
    table = result.correlation.set_index(["feature", "value"])
    # the steps' own events are not features
    assert sorted(table.index) == [
        ("event", "call_center_contact"),
        ("event", "review_read"),
        ("property:campaign", "soldes"),
    ]
    review = table.loc[("event", "review_read")]
    # [[2 converted, 0 dropped], [0, 2]] + 0.5 each: 2.5 * 2.5 / (0.5 * 0.5) = 25; Fisher's
    # two-sided p: the two extreme tables of these margins, 1/6 each.
    assert (review.persons, review.converted, review.dropped) == (2, 2, 0)
    assert (review.conversion_with, review.conversion_without) == (1.0, 0.0)
    assert review.odds_ratio == pytest.approx(25)
    assert review.p_value == pytest.approx(1 / 3)
    assert review.goes_with == "converting" and not review.significant
    call = table.loc[("event", "call_center_contact")]
    assert (call.converted, call.dropped) == (0, 2)  # ana's call came after her purchase
    assert call.odds_ratio == pytest.approx(1 / 25) and call.goes_with == "dropping"
    campaign = table.loc[("property:campaign", "soldes")]
    assert (campaign.converted, campaign.dropped, campaign.odds_ratio) == (1, 1, 1.0)
    assert campaign.p_value == pytest.approx(1.0) and campaign.goes_with == ""
    # the strongest first (|log 25| each, then by name), the neutral last
    assert result.correlation.value.tolist() == ["call_center_contact", "review_read", "soldes"]


def test_correlation_counts_a_person_once_per_feature(scenarios):
    # one feature alone; zoe's second call and bob's reviews count once each
    result = run(scenarios, CORRELATED, ["panier", "achat"], window="1d", correlation=["event"])
    counts = result.correlation.set_index("value")[["persons", "converted", "dropped"]]
    assert counts.to_dict("index") == {
        "call_center_contact": {"persons": 2, "converted": 0, "dropped": 2},
        "review_read": {"persons": 2, "converted": 2, "dropped": 0},
    }


def test_correlation_features_are_checked(scenarios):
    with pytest.raises(InputError, match="allowed: event, touchpoint, persona, property:KEY"):
        run(scenarios, CORRELATED, ["panier", "achat"], correlation=["colour"])
    assert run(scenarios, CORRELATED, ["panier", "achat"]).correlation is None


KEPT = scenario(
    "time_to_convert_reads_the_kept_attempt",
    # Two overlapping attempts each: the times are those of the latest-starting one that
    # reaches the furthest step, from its own first moment at each step.
    {
        "ana": [  # both attempts complete: the 10:30 one is kept
            ("2026-03-01 10:00", "web", "add_to_cart"),
            ("2026-03-01 10:05", "web", "checkout_payment"),
            ("2026-03-01 10:30", "web", "add_to_cart"),
            ("2026-03-01 10:40", "web", "checkout_payment"),
            ("2026-03-01 10:50", "web", "purchase"),
        ],
        "bob": [  # the payment serves both; only the 10:20 attempt buys within the hour
            ("2026-03-01 10:00", "web", "add_to_cart"),
            ("2026-03-01 10:20", "web", "add_to_cart"),
            ("2026-03-01 10:30", "web", "checkout_payment"),
            ("2026-03-01 11:10", "web", "purchase"),
        ],
    },
)


def test_time_to_convert_reads_the_kept_attempt(scenarios):
    table = run(scenarios, KEPT, ["panier", "paiement", "achat"], window="1h").to_pandas()
    assert table.persons.tolist() == [2, 2, 2]
    assert table.avg_time_s.tolist()[1:] == [10 * 60, (10 + 40) / 2 * 60]
    assert table.median_time_s.tolist()[1:] == [10 * 60, (10 + 40) / 2 * 60]


JOURNEYS = scenario(
    "journey_boundaries",
    # The purchase ends ana's first journey; her review comes in the next one.
    {
        "ana": [
            CART,
            ("2026-03-01 10:05", "web", "purchase"),
            ("2026-03-01 10:10", "web", "review_post"),
        ]
    },
)


def test_journey_boundaries_do_not_cut_attempts_unless_asked(scenarios):
    assert persons(run(scenarios, JOURNEYS, ["panier", "review_post"])) == [1, 1]
    inside = run(scenarios, JOURNEYS, ["panier", "review_post"], within_journey=True)
    assert persons(inside) == [1, 0]


WEEKS = scenario(
    "over_time",
    {
        "ana": [
            ("2026-03-02 10:00", "web", "add_to_cart"),
            ("2026-03-02 10:05", "web", "purchase"),
        ],
        "bob": [("2026-03-03 10:00", "web", "add_to_cart")],
        "eve": [
            ("2026-03-10 10:00", "web", "add_to_cart"),
            ("2026-03-10 10:05", "web", "purchase"),
        ],
    },
)


def test_conversion_over_time_counts_each_person_once_in_the_week_it_started(scenarios):
    over = run(scenarios, WEEKS, ["panier", "achat"], interval="week").tables["over_time"]
    assert over.entered.tolist() == [2, 1]
    assert over.converted.tolist() == [1, 1]
    assert [str(p.date()) for p in pd.to_datetime(over.period)] == ["2026-03-02", "2026-03-09"]


def test_summary_names_biggest_drop_off(scenarios):
    result = run(scenarios, TWO_CHANNELS, ["panier", "achat"])
    assert result.summary["persons entered"] == 2
    assert result.summary["biggest drop-off"].startswith("step 2 achat")
    assert "funnel" in result.to_json()


def test_docstring_examples_run():
    for module in (funnel, steps_module):
        assert doctest.testmod(module).failed == 0


# -- a property, against a brute-force reading of the rules -----------------------------------

LETTERS = "ABCD"


def brute_force(events: pd.DataFrame, steps: list[str], seconds: int, strict: bool) -> list[int]:
    """Per step, persons reaching it: every first-step event starts an attempt that takes
    the earliest next step, in the order (second, funnel rank, id)."""
    n = len(steps)
    counts = [0] * n
    for _, ev in events.groupby("person_id"):
        ev = ev.assign(
            t=ev.ts.astype("int64") // 10**9,
            rank=[min([k for k, s in enumerate(steps) if s == e] or [n]) for e in ev.event],
        ).sort_values(["t", "rank", "event_id"])
        rows = list(zip(ev.t, ev.event, strict=True))
        best = 0
        for i, (t0, e0) in enumerate(rows):
            if e0 != steps[0]:
                continue
            reached = 1
            for t, e in rows[i + 1 :]:
                if reached == n or t - t0 > seconds:
                    break
                if e == steps[reached]:
                    reached += 1
                elif strict:
                    break
            best = max(best, reached)
        for k in range(best):
            counts[k] += 1
    return counts


timeline_strategy = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 40), st.sampled_from(LETTERS)), max_size=40
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=timeline_strategy,
    steps=st.lists(st.sampled_from(LETTERS), min_size=2, max_size=4),
    window=st.integers(1, 20),
    order=st.sampled_from(["ordered", "strict", "unordered"]),
)
def test_persons_never_grow_from_one_step_to_the_next(rows, steps, window, order):
    events = pd.DataFrame(
        {
            "person_id": [f"p{p}" for p, _, _ in rows],
            "journey_id": [f"p{p}:1" for p, _, _ in rows],
            "ts": pd.Timestamp("2026-03-01", tz="UTC")
            + pd.to_timedelta([m for _, m, _ in rows], unit="min"),
            "event_id": [f"e{i:03d}" for i in range(len(rows))],
            "channel": "web",
            "event": [e for _, _, e in rows],
            "touchpoint": "unmapped",
            "stage": pd.Series([None] * len(rows), dtype="object"),
            "properties": "{}",
            "persona": pd.Series([None] * len(rows), dtype="object"),
        }
    )
    table = ibis.memtable(events.astype({"stage": "string", "persona": "string"}))
    ctx = Context(journeys=table, map=JM)
    present = set(events.event)
    if not set(steps) <= present:
        with pytest.raises(InputError):
            funnel.funnel(ctx, steps, window=f"{window}m", order=order)
        return
    got = persons(funnel.funnel(ctx, steps, window=f"{window}m", order=order))
    assert all(a >= b for a, b in zip(got, got[1:], strict=False))
    if order != "unordered":
        assert got == brute_force(events, steps, window * 60, strict=order == "strict")


# -- the demo retailer's planted truths -------------------------------------------------------

WEB = [
    "panier[channel=web]",
    "debut_commande[channel=web]",
    "paiement_web",
    "achat_en_ligne[channel=web]",
]
APP = [
    "panier[channel=app]",
    "debut_commande[channel=app]",
    "paiement_app",
    "achat_en_ligne[channel=app]",
]


@pytest.fixture(scope="module")
def demo_ctx(demo_ws, demo_map, demo_journeys):
    return Context(
        journeys=demo_journeys,
        map=demo_map,
        customers=demo_ws.customers,
        identities=demo_ws.identities(),
    )


def test_demo_web_payment_is_the_biggest_drop_off(demo_ctx):
    table = funnel.funnel(demo_ctx, WEB, window="1d").to_pandas()
    assert table.persons.iloc[0] > 500
    worst = table.iloc[1:].sort_values("drop_off_rate").iloc[-1]
    assert worst["name"] == "achat_en_ligne[channel=web]"  # the step after paiement_web


def test_demo_web_payment_converts_clearly_worse_than_app(demo_ctx):
    # Planted: a payment is followed by a purchase 60 % of the time on the web, 90 % in the app.
    web = funnel.funnel(demo_ctx, WEB, window="1d").to_pandas().from_previous.iloc[3]
    app = funnel.funnel(demo_ctx, APP, window="1d").to_pandas().from_previous.iloc[3]
    assert app - web > 0.15
    assert 0.55 < web < 0.8 and app > 0.85


def test_demo_breakdown_by_persona_adds_up(demo_ctx):
    total = funnel.funnel(demo_ctx, WEB, window="1d").to_pandas()
    split = funnel.funnel(demo_ctx, WEB, window="1d", breakdown="persona").to_pandas()
    assert split.groupby("step").persons.sum().tolist() == total.persons.tolist()


# -- the same funnel on PySpark ---------------------------------------------------------------


@pytest.mark.spark
def test_spark_gives_duckdb_numbers(demo_journeys, demo_map, spark_con):  # noqa: F811
    ids = demo_journeys.select("person_id").distinct().order_by("person_id").limit(200)
    sample = demo_journeys.filter(demo_journeys.person_id.isin(ids.person_id)).to_pandas()
    duck = ibis.memtable(sample)
    on_spark = to_spark(spark_con, "funnel_journeys", duck)
    runs = [
        {
            "order": "ordered",
            "exclusions": ["call_center_contact:1:4"],
            "breakdown": "channel",
            "breakdown_attribution": "last_touch",
        },
        {"order": "unordered", "breakdown": "persona"},
    ]
    for params in runs:
        expected = funnel.funnel(Context(journeys=duck, map=demo_map), WEB, window="1d", **params)
        got = funnel.funnel(Context(journeys=on_spark, map=demo_map), WEB, window="1d", **params)
        assert expected.to_pandas().persons.iloc[0] > 0
        pd.testing.assert_frame_equal(got.to_pandas(), expected.to_pandas(), check_dtype=False)
        pd.testing.assert_frame_equal(
            got.tables["over_time"], expected.tables["over_time"], check_dtype=False
        )
