"""Funnel options: optional steps (``step?``), a window per step, and the unit counted.

Each test is a timeline computed by hand and named after the rule it pins. The map is the
one of ``test_funnel.py``: touchpoints ``vue`` (product_view), ``panier`` (add_to_cart),
``paiement`` (checkout_payment) and ``achat`` (purchase, the conversion; journeys are cut
at each purchase and after 30 days idle).
"""

from __future__ import annotations

import pandas as pd
import pytest

import parcours
from parcours.analyses import funnel
from parcours.errors import InputError

from ..timelines import context_from_timelines
from .test_funnel import MAP

# Far after every timeline: every window has closed.
CLOSED = "2026-06-01"

OPTIONAL = {
    # skips the optional payment step: still reaches the purchase
    "ana": [
        ("2026-03-01 10:00", "web", "add_to_cart"),
        ("2026-03-01 10:10", "web", "purchase"),
    ],
    "bob": [
        ("2026-03-01 10:00", "web", "add_to_cart"),
        ("2026-03-01 10:05", "web", "checkout_payment"),
        ("2026-03-01 10:20", "web", "purchase"),
    ],
    "cid": [
        ("2026-03-01 10:00", "web", "add_to_cart"),
        ("2026-03-01 10:05", "web", "checkout_payment"),
    ],
    "dan": [("2026-03-01 10:00", "web", "add_to_cart")],
}

STRICT_OPTIONAL = {
    # nothing between the cart and the purchase: the skipped step does not break it
    "eve": [
        ("2026-03-01 10:00", "web", "add_to_cart"),
        ("2026-03-01 10:10", "web", "purchase"),
    ],
    # a product view between them breaks a strict funnel
    "fay": [
        ("2026-03-01 10:00", "web", "add_to_cart"),
        ("2026-03-01 10:05", "web", "product_view"),
        ("2026-03-01 10:10", "web", "purchase"),
    ],
}

STEP_WINDOWS = {
    # the purchase 50 min after the cart: within a 1h step window
    "ana": [
        ("2026-03-01 10:00", "web", "product_view"),
        ("2026-03-01 10:30", "web", "add_to_cart"),
        ("2026-03-01 11:20", "web", "purchase"),
    ],
    # 90 min after the cart: within the 1d window, not within the step's 1h
    "bob": [
        ("2026-03-01 10:00", "web", "product_view"),
        ("2026-03-01 10:30", "web", "add_to_cart"),
        ("2026-03-01 12:00", "web", "purchase"),
    ],
    # 90 min after the first cart, 30 min after the second: the step window runs from the
    # latest step before it
    "cid": [
        ("2026-03-01 10:00", "web", "product_view"),
        ("2026-03-01 10:30", "web", "add_to_cart"),
        ("2026-03-01 11:30", "web", "add_to_cart"),
        ("2026-03-01 12:00", "web", "purchase"),
    ],
    # exactly 1h after the cart: counts, as at the overall window's edge
    "dan": [
        ("2026-03-01 10:00", "web", "product_view"),
        ("2026-03-01 10:30", "web", "add_to_cart"),
        ("2026-03-01 11:30", "web", "purchase"),
    ],
}

UNITS = {
    # three tries: two purchases, then a cart left
    "ana": [
        ("2026-03-01 10:00", "web", "add_to_cart"),
        ("2026-03-01 10:10", "web", "purchase"),
        ("2026-03-01 11:00", "web", "add_to_cart"),
        ("2026-03-01 11:05", "web", "purchase"),
        ("2026-03-01 12:00", "web", "add_to_cart"),
    ],
    # a cart left, then a cart bought: no purchase between them, one attempt, one journey
    "bob": [
        ("2026-03-01 10:00", "web", "add_to_cart"),
        ("2026-03-01 12:00", "web", "add_to_cart"),
        ("2026-03-01 12:30", "web", "purchase"),
    ],
    # 45 days idle between the carts: two journeys, one attempt
    "dora": [
        ("2026-03-01 10:00", "web", "add_to_cart"),
        ("2026-04-15 10:00", "web", "add_to_cart"),
        ("2026-04-15 10:30", "web", "purchase"),
    ],
    # a purchase out of the 1h window ends an attempt (and a journey) without converting
    "erin": [
        ("2026-03-01 10:00", "web", "add_to_cart"),
        ("2026-03-01 12:00", "web", "purchase"),
        ("2026-03-01 13:00", "web", "add_to_cart"),
        ("2026-03-01 13:10", "web", "purchase"),
    ],
}


@pytest.fixture(scope="module")
def contexts():
    """One workspace per group of timelines, through the real ingestion and journeys."""
    opened, made = [], {}
    groups = {
        "optional": OPTIONAL,
        "strict_optional": STRICT_OPTIONAL,
        "step_windows": STEP_WINDOWS,
        "units": UNITS,
    }
    for name, timelines in groups.items():
        workspace = parcours.open(":memory:")
        opened.append(workspace)
        made[name] = context_from_timelines(workspace, MAP, timelines)
    yield made
    for workspace in opened:
        workspace.close()


def table(result) -> pd.DataFrame:
    return result.to_pandas()


# -- optional steps ---------------------------------------------------------------------------


def test_optional_step_counts_who_did_it_and_the_next_step_counts_with_or_without(contexts):
    result = funnel.funnel(
        contexts["optional"], ["panier", "paiement?", "achat"], window="1h", as_of=CLOSED
    )
    steps = table(result)
    assert steps.name.tolist() == ["panier", "paiement", "achat"]
    assert steps.optional.tolist() == [False, True, False]
    # panier: all four; paiement: bob and cid did it; achat: ana (skipped it) and bob
    assert steps.persons.tolist() == [4, 2, 2]
    # the step before the purchase is the cart (the last required step), as in PostHog
    assert steps.from_previous.tolist() == [1.0, 0.5, 0.5]
    # on the optional step: the two who skipped it, neither waiting nor lost
    assert steps.drop_off.tolist() == [0, 2, 2]
    assert steps.lost.tolist() == [0, 0, 2]
    assert steps.still_in_window.tolist() == [0, 0, 0]
    # times: payment 5 min after the cart (bob, cid); purchase 10 min after the cart (ana,
    # who skipped the payment) and 15 min after the payment (bob)
    assert steps.avg_time_s.iloc[1] == 5 * 60
    assert steps.avg_time_s.iloc[2] == (10 + 15) / 2 * 60
    assert (result.entered, result.converted) == (4, 2)
    assert result.biggest_drop_off.startswith("step 3 achat")


def test_without_the_question_mark_the_step_is_required(contexts):
    steps = table(funnel.funnel(contexts["optional"], ["panier", "paiement", "achat"], "1h"))
    assert steps.persons.tolist() == [4, 2, 1]
    assert "optional" not in steps.columns  # shown only when a step may be skipped


def test_optional_step_skipped_in_a_strict_funnel(contexts):
    steps = table(
        funnel.funnel(
            contexts["strict_optional"], ["panier", "paiement?", "achat"], "1h", order="strict"
        )
    )
    # eve goes straight from the cart to the purchase; fay views a product in between
    assert steps.persons.tolist() == [2, 0, 1]


@pytest.mark.parametrize(
    ("steps", "order", "message"),
    [
        (["panier?", "achat"], "ordered", "step 1 'panier?' cannot be optional"),
        (["panier", "paiement", "achat?"], "ordered", "the last step 'achat?' cannot be"),
        (["panier", "paiement?", "achat"], "unordered", "ordered and strict funnels only"),
    ],
)
def test_optional_step_rules_are_checked(contexts, steps, order, message):
    with pytest.raises(InputError, match=message.replace("?", r"\?")):
        funnel.funnel(contexts["optional"], steps, "1h", order=order)


# -- a window per step ------------------------------------------------------------------------


def test_step_window_counts_from_the_latest_step_before(contexts):
    ctx = contexts["step_windows"]
    steps = ["vue", "panier", "achat"]
    assert table(funnel.funnel(ctx, steps, "1d")).persons.tolist() == [4, 4, 4]
    # achat within 1h of the cart: ana (50 min), cid (30 min after her second cart) and dan
    # (exactly 1h); not bob (90 min)
    limited = funnel.funnel(ctx, steps, "1d", step_windows=["3=1h"])
    assert table(limited).persons.tolist() == [4, 4, 3]
    assert limited.params["step_windows"] == ["3=1h"]


def test_step_window_and_overall_window_both_hold(contexts):
    ctx = contexts["step_windows"]
    steps = ["vue", "panier", "achat"]
    # every cart is 30 min after the view: a 20 min step window stops everyone at step 1
    assert table(funnel.funnel(ctx, steps, "1d", step_windows=["2=20m"])).persons.tolist() == [
        4,
        0,
        0,
    ]
    # overall 1h from the view: every purchase comes later (80 min to 2 h after the view),
    # whatever the step window
    overall = funnel.funnel(ctx, steps, "1h", step_windows=["3=1h"])
    assert table(overall).persons.tolist() == [4, 4, 0]


def test_step_window_in_a_strict_funnel(contexts):
    steps = table(
        funnel.funnel(
            contexts["step_windows"],
            ["vue", "panier", "achat"],
            "1d",
            order="strict",
            step_windows=["3=1h"],
        )
    )
    # strict: cid's purchase follows her second cart, which follows a cart, not a view
    assert steps.persons.tolist() == [4, 4, 2]


@pytest.mark.parametrize(
    ("windows", "order", "message"),
    [
        (["3:1h"], "ordered", "write N=DURATION"),
        (["1=1h"], "ordered", "from 2 to 3"),
        (["3=1h", "3=2h"], "ordered", "given once"),
        (["3=1"], "ordered", "duration '1' is not valid"),
        (["3=1h"], "unordered", "ordered and strict funnels only"),
    ],
)
def test_step_windows_are_checked(contexts, windows, order, message):
    with pytest.raises(InputError, match=message):
        funnel.funnel(
            contexts["step_windows"],
            ["vue", "panier", "achat"],
            "1d",
            order=order,
            step_windows=windows,
        )


# -- units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        # ana, bob, dora and erin each bought within 1h of a cart
        ("persons", [4, 4]),
        # ana 3 journeys (2 bought), bob 1 (bought), dora 2 (1 bought), erin 2 (1 bought)
        ("journeys", [8, 5]),
        # ana 3 attempts (2 bought), bob 1, dora 1 (no purchase between her carts), erin 2
        # (the late purchase ends her first attempt unconverted)
        ("attempts", [7, 5]),
    ],
)
def test_units_count_persons_journeys_or_attempts(contexts, unit, expected):
    result = funnel.funnel(contexts["units"], ["panier", "achat"], "1h", unit=unit)
    assert table(result).persons.tolist() == expected
    assert (result.entered, result.converted) == tuple(expected)


def test_unit_is_checked_and_correlation_needs_persons(contexts):
    with pytest.raises(InputError, match="allowed: persons, journeys, attempts"):
        funnel.funnel(contexts["units"], ["panier", "achat"], "1h", unit="sessions")
    with pytest.raises(InputError, match="correlation compares persons"):
        funnel.funnel(
            contexts["units"], ["panier", "achat"], "1h", unit="attempts", correlation=["event"]
        )


def test_reader_notes_say_what_is_counted_in_both_languages(contexts):
    from parcours.render import present

    result = funnel.funnel(
        contexts["optional"],
        ["panier", "paiement?", "achat"],
        "1h",
        step_windows=["3=30m"],
        unit="attempts",
    )
    english = present.notes(result, "en", present.Titles("en"))
    assert english[0].startswith("Every conversion counts: an attempt ends at each event")
    assert any(note.startswith("Optional steps: ") for note in english)
    assert any(
        note == "achat counts only within 30\xa0min of the step before it." for note in english
    )
    french = present.notes(result, "fr", present.Titles("fr"))
    assert french[0].startswith("Chaque conversion compte")
    assert any(note.startswith("Étapes facultatives : ") for note in french)


def test_heading_names_an_optional_step_in_words(contexts):
    from parcours.render import present

    result = funnel.funnel(contexts["optional"], ["panier", "paiement?", "achat"], "1h")
    titles = present.Titles("fr", names={"panier": "Panier", "paiement": "Paiement"})
    french = present.heading(result, "fr", titles)
    assert french.endswith("Panier → Paiement (facultative) → achat")
    english = present.heading(result, "en", present.Titles("en"))
    assert english.endswith("panier → paiement (optional) → achat")
