"""Voice of the customer: survey definitions and intervals by hand, the demo's planted truths."""

from __future__ import annotations

import math

import ibis
import pandas as pd
import pytest

from parcours.analyses import Context, get
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.store.engine import json_text
from parcours.store.identity import assign_persons
from tests.conftest import to_spark
from tests.timelines import context_from_timelines

MAP = """
map: shop
title: Shop
stages:
  - {id: achat, title: Achat, emotion: positive}
  - {id: livraison, title: Livraison, emotion: neutral}
  - {id: apres, title: Après-vente, emotion: negative}
channels: [web]
touchpoints:
  - {id: paiement, stage: achat, channel: web, match: {event: pay}}
  - {id: colis, stage: livraison, channel: web, match: {event: delivered}}
  - {id: sav, stage: apres, channel: web, match: {event: call}}
conversion: {event: pay}
"""
TEXT = ("feedback_id", "customer_id", "touchpoint", "stage", "kind", "verbatim", "language")
Z95 = 1.959963984540054
T95_DF2 = 4.302652729911275


def _answers(rows: list[tuple]) -> pd.DataFrame:
    """(touchpoint, stage, kind, score, verbatim) -> feedback rows of one customer."""
    return pd.DataFrame(
        [
            {
                "feedback_id": f"f{i}",
                "ts": pd.Timestamp("2026-03-02", tz="UTC"),
                "customer_id": "ana",
                "touchpoint": tp,
                "stage": stage,
                "kind": kind,
                "score": score,
                "verbatim": verbatim,
                "language": "fr" if verbatim else None,
            }
            for i, (tp, stage, kind, score, verbatim) in enumerate(rows)
        ]
    )


def _voice(ws, rows, **params):
    """Voice over ``rows`` of feedback; ``ws`` given: through the real ingestion, else in memory
    (voice reads only the feedback table and the map)."""
    if ws is not None:
        ctx = context_from_timelines(ws, MAP, {"ana": [("2026-03-01 10:00", "web", "pay")]})
        if rows:
            assert ws.ingest_feedback(_answers(rows)).rejected == 0
    else:
        frame = _answers(rows or [("x", None, "nps", 0, None)]).astype({"score": "float64"})
        feedback = ibis.memtable(frame.astype({c: "string" for c in TEXT}))
        if not rows:
            feedback = feedback.filter(ibis.literal(False))
        ctx = Context(journeys=feedback, map=JourneyMap.loads(MAP), feedback=feedback)
    return get("voice")(ctx, **params)


def _row(result, level, id_, table=None):
    t = result.tables[table] if table else result.table
    return t[(t.level == level) & (t.id == id_)].iloc[0]


@pytest.mark.spark
def test_one_verbatim_with_two_scores_counts_twice_on_spark(spark_con):
    """Each answer is counted once, on Spark too, when two answers share a verbatim."""
    rows = [
        ("colis", None, "csat", 5, "Livré vite"),
        ("colis", None, "csat", 4, "Livré vite"),
        ("paiement", None, "csat", 2, "Trop cher"),
    ]
    frame = _answers(rows).astype({"score": "float64"})
    feedback = to_spark(spark_con, "voice_feedback", ibis.memtable(frame))
    ctx = Context(journeys=feedback, map=JourneyMap.loads(MAP), feedback=feedback)
    r = get("voice")(ctx, level="touchpoint")
    colis = _row(r, "touchpoint", "colis", "counts")
    assert (colis.answers, colis.csat_answers, colis.verbatims) == (2, 2, 2)
    assert _row(r, "touchpoint", "paiement", "counts").answers == 1
    assert (r.answers, r.answers_with_verbatim, r.csat) == (3, 3, round(2 / 3, 3))


def test_nps_definition_and_interval_by_hand():
    scores = [10, 10, 9, 8, 7, 6, 5, 0, 9, 10]  # 5 promoters, 2 passives, 3 detractors
    r = _voice(None, [("colis", None, "nps", s, None) for s in scores])
    row = _row(r, "touchpoint", "colis")
    p, d, n = 0.5, 0.3, 10
    half = 100 * Z95 * math.sqrt((p + d - (p - d) ** 2) / n)
    assert row.nps == pytest.approx(20.0)
    assert (row.nps_low, row.nps_high) == pytest.approx((20 - half, 20 + half))
    assert row.answers == 10 and math.isnan(row.csat)
    assert _row(r, "touchpoint", "colis", "counts").nps_answers == 10


def test_csat_is_share_of_4_and_5_with_wilson_interval_by_hand():
    scores = [5, 5, 4, 4, 4, 5, 4, 5, 2, 3]  # 8 of 10 satisfied
    r = _voice(None, [("paiement", None, "csat", s, None) for s in scores])
    row = _row(r, "touchpoint", "paiement")
    p, n, z = 0.8, 10, Z95
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert row.csat == pytest.approx(0.8)
    assert (row.csat_low, row.csat_high) == pytest.approx((centre - half, centre + half))


def test_ces_is_mean_effort_with_t_interval_by_hand():
    r = _voice(None, [("sav", None, "ces", s, None) for s in (2, 4, 6)])
    row = _row(r, "touchpoint", "sav")
    half = T95_DF2 * 2.0 / math.sqrt(3)  # sd of (2, 4, 6) is 2
    assert row.ces == pytest.approx(4.0)
    assert (row.ces_low, row.ces_high) == pytest.approx((4 - half, 4 + half))


def test_one_answer_and_all_passives_are_degenerate_and_flagged():
    r = _voice(
        None,
        [("colis", None, "nps", 10, None)] + [("sav", None, "nps", s, None) for s in (7, 8, 7, 8)],
    )
    one, passives = _row(r, "touchpoint", "colis"), _row(r, "touchpoint", "sav")
    assert (one.nps, one.nps_low, one.nps_high) == (100.0, 100.0, 100.0)
    assert (passives.nps, passives.nps_low, passives.nps_high) == (0.0, 0.0, 0.0)
    assert one.small and passives.small
    assert any("fewer than 30 answers" in n and "colis" in n for n in r.notes)


def test_no_answers_gives_nan_and_a_note():
    r = _voice(None, [])
    assert r.table.empty
    assert any("no feedback answers" in n for n in r.notes)
    curve = r.tables["emotion_curve"]
    assert curve.measured.isna().all() and curve.source.eq("designed").all()
    assert curve.curve.tolist() == [1.0, 0.0, -1.0]


def test_single_answer_ces_has_no_interval():
    row = _row(_voice(None, [("sav", None, "ces", 3, None)]), "touchpoint", "sav")
    assert row.ces == 3 and math.isnan(row.ces_low) and math.isnan(row.nps)


def test_stage_comes_from_the_map_when_only_a_touchpoint_is_given():
    r = _voice(None, [("colis", None, "nps", 10, None), (None, "livraison", "nps", 0, None)])
    stage = _row(r, "stage", "livraison")
    assert stage.answers == 2 and stage.nps == 0.0
    assert _row(r, "stage", "livraison", "counts").nps_answers == 2
    assert _row(r, "touchpoint", "colis").stage == "livraison"


def test_emotion_curve_puts_measured_beside_designed(ws):  # through the real ingestion
    # on the -2..+2 scale: csat 5 -> +2, csat 1 -> -2, nps 10 -> +2: achat = 0,
    # livraison = +2; apres designed only (negative = -1)
    rows = [
        ("paiement", None, "csat", 5, "Paiement rapide, parfait"),
        ("paiement", None, "csat", 1, "Paiement refusé, très déçue"),
        ("colis", None, "nps", 10, None),
    ]
    curve = _voice(ws, rows).tables["emotion_curve"].set_index("stage")
    assert curve.loc["achat", "measured"] == pytest.approx(0.0)
    assert curve.loc["livraison", "measured"] == pytest.approx(2.0)
    assert curve.source.tolist() == ["both", "both", "designed"]
    assert curve.basis.tolist() == ["scores", "scores", None]
    assert curve.curve.tolist() == pytest.approx([0.0, 2.0, -1.0])
    assert curve.loc["achat", "designed"] == "positive"
    assert curve.designed_value.tolist() == [1.0, 0.0, -1.0]  # the labels on the scale


def test_emotion_curve_falls_back_on_sentiment_without_scores(ws):
    # a review of text only: no score, so the stage's measured emotion is its sentiment x 2
    rows = [("colis", None, "review", None, "Colis arrivé en retard, très déçue")]
    curve = _voice(ws, rows).tables["emotion_curve"].set_index("stage")
    felt = curve.loc["livraison", "sentiment"]
    assert felt < 0 and curve.loc["livraison", "basis"] == "sentiment"
    assert curve.loc["livraison", "measured"] == pytest.approx(2 * felt)
    assert curve.loc["achat", "basis"] is None and pd.isna(curve.loc["achat", "measured"])


def test_verbatims_get_sentiment_and_negative_ones_themes():
    rows = [
        ("colis", None, "nps", 2, "Livraison en retard, colis abîmé"),
        ("colis", None, "nps", 1, "Encore une livraison en retard"),
        ("colis", None, "nps", 3, "Livraison en retard de dix jours"),
        ("paiement", None, "csat", 1, "Paiement refusé deux fois"),
        ("paiement", None, "csat", 5, "Paiement simple, merci"),
    ]
    r = _voice(None, rows)
    verbatims = r.tables["verbatims"].set_index("verbatim")
    assert verbatims.loc["Paiement simple, merci", "label"] == "positive"
    assert verbatims.loc["Paiement refusé deux fois", "label"] == "negative"
    themes = r.tables["themes"]
    first = themes.iloc[0]
    assert "retard" in first.keywords and first.verbatims == 3 and first.touchpoints == "colis (3)"
    assert _row(r, "touchpoint", "colis").negative_share == 1.0


def test_reviews_without_a_score_get_sentiment_and_themes(ws):
    """Two text-only reviews (no score): scored, counted as verbatims, grouped in a theme;
    the NPS counts the one scored answer only."""
    rows = [
        ("colis", None, "review", None, "Colis arrivé en retard, très déçu"),
        ("colis", None, "review", None, "Encore un retard de livraison, inadmissible"),
        ("colis", None, "nps", 10, None),
    ]
    r = _voice(ws, rows)
    colis = _row(r, "touchpoint", "colis")
    assert (colis.answers, colis.nps) == (1, 100.0)
    assert r.answers_with_verbatim == 2 and r.negative_verbatim_share == 1.0
    assert colis.sentiment < 0
    assert r.tables["themes"].iloc[0].theme == "retard"
    assert sorted(r.verbatims.label) == ["negative", "negative"]


def test_every_verbatim_with_its_sentiment_and_language(ws):
    """top=0 lists every verbatim; a verbatim without a language is scored in the detected
    one (scored_in); a link and a handle are not read."""
    rows = [
        ("colis", None, "csat", 5, "Livraison rapide, merci !"),
        ("sav", None, "csat", 1, "@acme my parcel never arrived, terrible https://t.co/x"),
        ("paiement", None, "csat", 4, "Paiement simple"),
    ]
    frame = _answers(rows)
    frame.loc[1, "language"] = None
    ctx = context_from_timelines(ws, MAP, {"ana": [("2026-03-01 10:00", "web", "pay")]})
    assert ws.ingest_feedback(frame).rejected == 0
    r = get("voice")(ctx, top=0)
    by_text = r.verbatims.set_index("verbatim")
    assert len(by_text) == 3
    english = by_text.loc["@acme my parcel never arrived, terrible https://t.co/x"]
    assert (english.scored_in, english.label) == ("en", "negative")
    assert by_text.loc["Livraison rapide, merci !"].label == "positive"
    assert r.to_dict()["tables"]["verbatims"][0].keys() >= {"verbatim", "sentiment", "label"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"level": "channel"}, "allowed: touchpoint, stage, both"),
        ({"confidence": 1.5}, "between 0 and 1"),
        ({"themes": 0}, "from 1 to 20"),
        ({"top": -1}, "0 \\(every verbatim\\) or more"),
    ],
)
def test_bad_parameters_say_what_is_allowed(params, message):
    with pytest.raises(InputError, match=message):
        _voice(None, [], **params)


# -- the demo's planted truths (parcours/demo/PLANTED.md) -------------------------------------


@pytest.fixture(scope="module")
def demo_voice(demo_ws, demo_map):
    return get("voice")(demo_ws.context(demo_map))


def test_demo_late_deliveries_sink_the_delivery_nps(demo_ws, demo_map):
    """Each NPS answer is tied to the person's latest delivery before it (as in PLANTED.md)."""
    ctx = demo_ws.context(demo_map)
    j = ctx.journeys
    deliveries = (
        j.filter(j.event == "delivery_delivered")
        .select("person_id", "ts", late=json_text(j.properties, "late"))
        .to_pandas()
    )
    fb = assign_persons(ctx.feedback.filter(ctx.feedback.kind == "nps"), ctx.identities)
    answers = fb.select("feedback_id", "person_id", "ts").to_pandas()
    tied = pd.merge_asof(
        answers.sort_values("ts"), deliveries.sort_values("ts"), on="ts", by="person_id"
    )
    late_ids = tied.loc[tied.late.astype(str).str.lower() == "true", "feedback_id"].tolist()
    on_time_ids = tied.loc[tied.late.astype(str).str.lower() == "false", "feedback_id"].tolist()
    assert len(late_ids) >= 8 and len(on_time_ids) >= 30

    def delivery_nps(ids):
        sub = ctx.feedback.filter(ctx.feedback.feedback_id.isin(ids))
        result = get("voice")(type(ctx)(**{**ctx.__dict__, "feedback": sub}), level="touchpoint")
        return _row(result, "touchpoint", "livraison_domicile")

    late, on_time = delivery_nps(late_ids), delivery_nps(on_time_ids)
    assert late.nps < -25 and on_time.nps > 20  # designed -54 and +38
    assert late.nps_high < on_time.nps_low


def test_demo_frictions_show_in_the_scores(demo_voice):
    web, app = (
        _row(demo_voice, "touchpoint", "paiement_web"),
        _row(demo_voice, "touchpoint", "paiement_app"),
    )
    assert web.ces > 4.5 and app.ces < 3 and web.ces_low > app.ces_high  # designed 5.1 vs 2.2
    call = _row(demo_voice, "touchpoint", "appel_service_client")
    store = _row(demo_voice, "touchpoint", "achat_magasin")
    assert call.csat < 0.45 < 0.75 < store.csat
    assert web.negative_share > 0.6 > 0.15 > store.negative_share


def test_demo_themes_name_the_payment_friction(demo_voice):
    themes = demo_voice.tables["themes"]
    payment = themes[themes.keywords.str.contains("paiement|refusé")]
    assert len(payment) and "paiement_web" in payment.iloc[0].touchpoints


def test_demo_emotion_curve_dips_at_customer_service(demo_voice):
    curve = demo_voice.tables["emotion_curve"].set_index("stage")
    measured = curve.measured.dropna()
    assert measured.idxmin() == "service_client"
    assert curve.loc["decouverte", "source"] == "designed"
