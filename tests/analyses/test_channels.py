"""The channels analysis: mix per stage, switches, ROPO, showrooming, click & collect and the
multichannel / cross-channel / omnichannel levels, on hand-computed timelines; the demo's
planted personas (ROPO, click & collect) read as such."""

from __future__ import annotations

import doctest
import textwrap

import pandas as pd
import pytest

import parcours.analyses.channels as channels_module
from parcours.analyses import Context
from parcours.analyses.channels import channels
from parcours.errors import InputError
from tests.timelines import context_from_timelines

MAP = textwrap.dedent(
    """
    map: channels-test
    title: {fr: Test, en: Test}
    stages:
      - {id: decouverte, title: Découverte}
      - {id: consideration, title: Considération}
      - {id: decision, title: Décision}
      - {id: livraison, title: Livraison}
    channels: [web, app, store, email, boutique]
    touchpoints:
      - {id: newsletter, stage: decouverte, channel: email, match: {event: newsletter_open}}
      - {id: fiche, stage: consideration, channel: web, match: {event: product_view}}
      - {id: visite, stage: decision, channel: store, match: {event: store_visit}}
      - {id: achat_web, stage: decision, channel: web, match: {event: purchase, channel: [web, app]}}
      - {id: achat_magasin, stage: decision, channel: store, match: {event: purchase}}
      - {id: retrait, stage: livraison, channel: store, match: {event: pickup}}
    conversion: {event: purchase}
    journey: {timeout: 2d}
    """
)

CC = {"fulfilment": "click_collect"}
HOME = {"fulfilment": "delivery"}


def run(ws, timelines, **params):
    return channels(context_from_timelines(ws, MAP, timelines), **params)


def pattern(result, name: str) -> pd.Series:
    return result.tables["patterns"].set_index("pattern").loc[name]


def test_switches_count_consecutive_events_on_different_channels(ws):
    result = run(
        ws,
        {
            "ana": [
                ("2026-03-01 10:00", "web", "product_view"),
                ("2026-03-01 10:05", "web", "product_view"),  # same channel: no switch
                ("2026-03-01 10:10", "app", "product_view"),
                ("2026-03-01 10:20", "web", "product_view"),
                ("2026-03-02 10:00", "store", "purchase"),
            ],
            "bob": [("2026-03-01 10:00", "web", "product_view")],
        },
    )
    switches = result.tables["switches"].set_index(["from_channel", "to_channel"])
    assert switches.switches.to_dict() == {
        ("web", "app"): 1,
        ("app", "web"): 1,
        ("web", "store"): 1,
    }
    assert result.summary["channel switches"] == 3
    assert result.summary["journeys mixing channels"] == 0.5
    assert result.summary["persons using more than one channel"] == 0.5


def test_switches_do_not_cross_journeys(ws):
    # The purchase closes the first journey: web -> store across the cut is no switch.
    result = run(
        ws,
        {
            "ana": [
                ("2026-03-01 10:00", "web", "purchase", HOME),
                ("2026-03-01 11:00", "store", "store_visit"),
            ]
        },
    )
    assert result.summary["channel switches"] == 0
    assert result.summary["journeys"] == 2
    assert result.tables["levels"].set_index("level").persons["multichannel"] == 1


def test_ropo_online_research_then_store_purchase(ws):
    result = run(
        ws,
        {
            "ropo": [
                ("2026-03-01 10:00", "web", "product_view"),
                ("2026-03-02 15:00", "store", "store_visit"),
                ("2026-03-02 15:30", "store", "purchase"),
            ],
            "store_only": [
                ("2026-03-01 10:00", "store", "store_visit"),
                ("2026-03-01 10:30", "store", "purchase"),
            ],
            "online_buyer": [
                ("2026-03-01 10:00", "web", "product_view"),
                ("2026-03-01 10:30", "web", "purchase", HOME),
            ],
        },
    )
    ropo = pattern(result, "ROPO")
    assert (ropo.journeys, ropo.persons) == (1, 1)
    assert ropo.share_of_converted_journeys == pytest.approx(1 / 3)
    assert ropo.share_of_buyers == pytest.approx(1 / 3)
    assert pattern(result, "showrooming").journeys == 0


def test_newsletter_far_from_purchase_is_not_research_unless_asked(ws):
    timelines = {
        "reader": [
            ("2026-03-01 09:00", "email", "newsletter_open"),  # discovery: 2 stages before
            ("2026-03-01 15:00", "store", "purchase"),
        ]
    }
    ctx = context_from_timelines(ws, MAP, timelines)
    assert pattern(channels(ctx), "ROPO").journeys == 0
    assert pattern(channels(ctx, research=["newsletter"]), "ROPO").journeys == 1
    assert pattern(channels(ctx, research=["email"]), "ROPO").journeys == 1


def test_showrooming_store_visit_then_online_purchase(ws):
    result = run(
        ws,
        {
            "shower": [
                ("2026-03-01 15:00", "store", "store_visit"),
                ("2026-03-01 20:00", "app", "purchase", HOME),
            ]
        },
    )
    assert pattern(result, "showrooming").journeys == 1
    assert pattern(result, "ROPO").journeys == 0


def test_click_collect_by_fulfilment_property(ws):
    result = run(
        ws,
        {
            "sophie": [
                ("2026-03-01 10:00", "web", "product_view"),
                ("2026-03-01 10:10", "web", "purchase", CC),
            ],
            "claire": [("2026-03-01 10:10", "web", "purchase", HOME)],
        },
    )
    cc = pattern(result, "click & collect")
    assert (cc.journeys, cc.persons, cc.share_of_buyers) == (1, 1, 0.5)


def test_click_collect_by_pickup_after_the_order_not_showrooming(ws):
    # No fulfilment property: the pick-up that follows the first order marks it; the
    # second order (no pick-up after it) is not click & collect, and the pick-up that
    # precedes it in the same journey is no store visit (not showrooming).
    result = run(
        ws,
        {
            "sophie": [
                ("2026-03-01 10:00", "web", "purchase"),
                ("2026-03-02 18:00", "store", "pickup"),
                ("2026-03-02 21:00", "web", "product_view"),
                ("2026-03-02 21:10", "web", "purchase"),
            ]
        },
    )
    assert pattern(result, "click & collect").journeys == 1
    assert pattern(result, "showrooming").journeys == 0
    assert pattern(result, "click & collect").share_of_converted_journeys == 0.5


def test_collect_parameter_names_another_pickup_event(ws):
    timelines = {
        "sophie": [
            ("2026-03-01 10:00", "web", "purchase"),
            ("2026-03-02 18:00", "store", "pickup"),
        ]
    }
    ctx = context_from_timelines(ws, MAP, timelines)
    assert pattern(channels(ctx), "click & collect").journeys == 1
    none = channels(ctx, collect=["drive_pickup"])
    assert pattern(none, "click & collect").journeys == 0
    by_touchpoint = channels(ctx, collect=["retrait"])
    assert pattern(by_touchpoint, "click & collect").journeys == 1


def test_levels_single_multi_cross_omni(ws):
    ctx = context_from_timelines(
        ws,
        MAP,
        {
            "single": [("2026-03-01 10:00", "web", "product_view")],
            "silos": [  # two journeys (idle > 2d), one channel each
                ("2026-03-01 10:00", "web", "product_view"),
                ("2026-03-10 10:00", "store", "store_visit"),
            ],
            "cross": [
                ("2026-03-01 10:00", "web", "product_view"),
                ("2026-03-01 11:00", "app", "product_view"),
            ],
            "omni": [  # web -> store -> app: two crossings of the digital/physical border
                ("2026-03-01 10:00", "web", "product_view"),
                ("2026-03-01 15:00", "store", "store_visit"),
                ("2026-03-01 15:10", "app", "product_view"),
            ],
        },
    )
    result = channels(ctx)
    levels = result.tables["levels"].set_index("level")
    assert levels.persons.to_dict() == {
        "single-channel": 1,
        "multichannel": 1,
        "cross-channel": 1,
        "omnichannel": 1,
    }
    assert levels.reached.to_list() == [1.0, 0.75, 0.5, 0.25]
    assert result.summary["reading"] == "omnichannel"  # 25 % >= threshold 20 %
    assert channels(ctx, threshold=0.3).summary["reading"] == "cross-channel"
    # offline persons (silos, omni) also seen online: both
    assert result.summary["stitched (offline persons also seen online)"] == 1.0


def test_mix_per_stage_shares(ws):
    result = run(
        ws,
        {
            "a": [
                ("2026-03-01 10:00", "web", "product_view"),
                ("2026-03-01 10:01", "web", "product_view"),
                ("2026-03-01 10:02", "app", "product_view"),
                ("2026-03-01 15:00", "store", "purchase"),
            ],
            "b": [("2026-03-01 10:00", "app", "product_view")],
        },
    )
    mix = result.table.set_index(["stage", "channel"])
    assert mix.loc[("consideration", "web")].events == 2
    assert mix.loc[("consideration", "web")].share_events == 0.5
    assert mix.loc[("consideration", "web")].share_persons == 0.5
    assert mix.loc[("consideration", "app")].share_persons == 1.0
    assert mix.loc[("decision", "store")].share_events == 1.0
    assert result.table.stage.to_list() == ["consideration", "consideration", "decision"]


def test_offline_channels_come_from_the_parameter(ws):
    timelines = {
        "ropo": [
            ("2026-03-01 10:00", "web", "product_view"),
            ("2026-03-01 15:00", "boutique", "purchase"),
        ]
    }
    ctx = context_from_timelines(ws, MAP, timelines)
    default = channels(ctx)
    assert pattern(default, "ROPO").journeys == 0
    assert any("no event on an offline channel" in note for note in default.notes)
    assert pattern(channels(ctx, offline=["boutique"]), "ROPO").journeys == 1


def test_bad_parameters_say_what_is_allowed(ws):
    ctx = context_from_timelines(ws, MAP, {"a": [("2026-03-01 10:00", "web", "product_view")]})
    with pytest.raises(InputError, match="offline names kiosk.*channels: .*web"):
        channels(ctx, offline=["kiosk"])
    with pytest.raises(InputError, match=r"threshold must be in \(0, 1\]"):
        channels(ctx, threshold=0)
    with pytest.raises(
        InputError, match="research names considerat, not a touchpoint.*stages: decouverte"
    ):
        channels(ctx, research=["considerat"])


# -- the demo's planted personas --------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_result(demo_journeys, demo_map):
    return channels(Context(journeys=demo_journeys, map=demo_map))


def test_demo_ropo_persona_reads_as_ropo(demo_result):
    per = demo_result.tables["by_persona"].set_index("persona")
    # CRM rules recover the personas roughly (PLANTED.md): still far apart.
    assert per.ropo["ropo"] > 2 * per.ropo["digital_native"]
    assert per.ropo["ropo"] > 2 * per.ropo["store_loyalist"]


def test_demo_click_collect_persona_reads_as_click_collect(demo_result):
    per = demo_result.tables["by_persona"].set_index("persona")
    assert per.click_collect["click_collect"] > 2 * per.click_collect["digital_native"]
    assert per.click_collect["click_collect"] > 10 * per.click_collect["store_loyalist"]


def test_demo_true_personas(demo_ws, demo_journeys, demo_map):
    """With each person's true persona (the simulation's truth), ROPO and click & collect
    journeys are where the simulation planted them."""
    from parcours.demo.simulate import simulate
    from tests.conftest import DEMO_PERSONS

    truth = simulate(DEMO_PERSONS, 7).truth[["persona", "identifiers"]]
    truth = truth.explode("identifiers").rename(columns={"identifiers": "identifier"})
    ids = demo_ws.identities().select("identifier", "person_id").to_pandas()
    true = truth.merge(ids, on="identifier").groupby("person_id").persona.first()
    journeys = channels_module.journey_table(
        demo_journeys,
        list(channels_module.DEFAULT_OFFLINE),
        None,
        list(channels_module.DEFAULT_COLLECT),
        "fulfilment",
    ).to_pandas()
    bought = journeys[journeys.converted].assign(persona=lambda f: f.person_id.map(true))
    share = bought.groupby("persona")[["ropo", "click_collect"]].mean()
    assert share.ropo["ropo"] > 5 * share.ropo.drop("ropo").max()
    assert (
        share.click_collect["click_collect"] > 5 * share.click_collect.drop("click_collect").max()
    )


def test_docstring_example_runs():
    failures, _ = doctest.testmod(channels_module, optionflags=doctest.ELLIPSIS)
    assert failures == 0


# -- the same figures on PySpark ---------------------------------------------------------------


@pytest.mark.spark
def test_same_result_on_pyspark(ws, spark_con):
    ctx = context_from_timelines(
        ws,
        MAP,
        {
            "ropo": [
                ("2026-03-01 10:00", "web", "product_view"),
                ("2026-03-01 10:05", "app", "product_view"),
                ("2026-03-02 15:00", "store", "store_visit"),
                ("2026-03-02 15:30", "store", "purchase"),
            ],
            "sophie": [
                ("2026-03-01 10:00", "web", "purchase", CC),
                ("2026-03-02 18:00", "store", "pickup"),
                ("2026-03-02 19:00", "web", "product_view"),
            ],
            "shower": [
                ("2026-03-01 15:00", "store", "store_visit"),
                ("2026-03-01 20:00", "app", "purchase", HOME),
            ],
        },
    )
    on_duckdb = channels(ctx)
    frame = ctx.journeys.to_pandas()
    spark_journeys = spark_con.create_table("channels_journeys", frame, overwrite=True)
    on_spark = channels(Context(journeys=spark_journeys, map=ctx.map))
    assert on_spark.summary == on_duckdb.summary
    for name, table in on_duckdb.tables.items():
        pd.testing.assert_frame_equal(
            on_spark.tables[name].reset_index(drop=True),
            table.reset_index(drop=True),
            check_dtype=False,
        )
    pd.testing.assert_frame_equal(on_spark.table, on_duckdb.table, check_dtype=False)
