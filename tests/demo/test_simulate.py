"""The planted truths of the demo are really in its data, measured directly with pandas."""

from __future__ import annotations

import re
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest
from ruamel.yaml import YAML

from parcours.demo import CHANNELS, PLANTED, VOCABULARY, DemoData, simulate, simulate_chunks
from parcours.demo.planted import TABLETS
from parcours.demo.simulate import EVENT_COLUMNS, FEEDBACK_COLUMNS


def normal_email(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else None


def normal_phone(value: object) -> object:
    """French mobiles in any of the demo's formats -> E.164."""
    if not isinstance(value, str):
        return None
    digits = re.sub(r"\D", "", value)
    for prefix in ("0033", "33", "0"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    return "+33" + digits


def with_person(frame: pd.DataFrame, truth: pd.DataFrame) -> pd.Series:
    """The true person_key of each row, found through any of its identifiers."""
    owner = {}
    for key, identifiers in zip(truth["person_key"], truth["identifiers"], strict=True):
        for ident in identifiers:
            owner[ident] = key
    found = pd.Series(None, index=frame.index, dtype=object)
    norm = {"email": normal_email, "phone": normal_phone}
    for column in ("customer_id", "loyalty_id", "email", "phone", "anonymous_id"):
        if column in frame:
            values = frame[column].map(norm.get(column, lambda v: v))
            found = found.fillna(values.map(lambda v, c=column: owner.get(f"{c}:{v}")))
    return found


PERSONS = 5_000


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return simulate(persons=PERSONS)


@pytest.fixture(scope="module")
def events(demo: DemoData) -> pd.DataFrame:
    """Events with their true ``person_key``, sorted by person and time."""
    ev = demo.events.assign(person_key=with_person(demo.events, demo.truth))
    return ev.sort_values(["person_key", "ts"], kind="stable").reset_index(drop=True)


def _retail_map() -> dict:
    return YAML(typ="safe").load(files("parcours.demo").joinpath("retail.yaml").read_text("utf-8"))


def _followed(first: pd.DataFrame, then: pd.DataFrame, within: str) -> pd.Series:
    """For each row of ``first``, whether the same person has a ``then`` row in (ts, ts + within]."""
    m = first[["event_id", "person_key", "ts"]].merge(
        then[["person_key", "ts"]], on="person_key", how="left", suffixes=("", "_next")
    )
    hit = (m["ts_next"] > m["ts"]) & (m["ts_next"] - m["ts"] <= pd.Timedelta(within))
    return hit.groupby(m["event_id"]).any().reindex(first["event_id"]).to_numpy()


def payment_drop(ev: pd.DataFrame) -> dict[str, float]:
    """Share of checkout_payment not followed by a purchase on the same channel within an hour."""
    pay = ev[ev["event"] == "checkout_payment"]
    out = {}
    for channel in ("web", "app"):
        p = pay[pay["channel"] == channel]
        bought = ev[(ev["event"] == "purchase") & (ev["channel"] == channel)]
        out[channel] = 1 - _followed(p, bought, "1h").mean()
    return out


def late_calls(ev: pd.DataFrame) -> dict[bool, float]:
    """Share of deliveries followed within 3 days by a call with reason=delivery, late vs on time."""
    delivered = ev[ev["event"] == "delivery_delivered"]
    calls = ev[(ev["event"] == "call_center_contact") & (ev["reason"] == "delivery")]
    called = pd.Series(_followed(delivered, calls, "3D"), index=delivered.index)
    return called.groupby(delivered["late"].astype(bool)).mean().to_dict()


def nps(scores: pd.Series) -> float:
    return 100 * ((scores >= 9).mean() - (scores <= 6).mean())


# -- shape and vocabulary ------------------------------------------------------------------------
def test_columns_and_types(demo: DemoData) -> None:
    ev = demo.events
    assert tuple(ev.columns) == EVENT_COLUMNS
    assert str(ev["ts"].dtype) == "datetime64[ns, UTC]"
    assert ev["event_id"].is_unique
    assert set(ev["event"]) == set(VOCABULARY)
    assert set(ev["channel"]) == set(CHANNELS)
    assert tuple(demo.feedback.columns) == FEEDBACK_COLUMNS
    assert demo.feedback["feedback_id"].is_unique
    assert str(demo.feedback["ts"].dtype) == "datetime64[ns, UTC]"


def test_revenue_only_on_purchases_and_returns(demo: DemoData) -> None:
    ev = demo.events
    with_revenue = ev[ev["revenue"].notna()]
    assert set(with_revenue["event"]) == {"purchase", "return_request"}
    assert (ev.loc[ev["event"] == "purchase", "revenue"] > 0).all()
    assert (ev.loc[ev["event"] == "return_request", "revenue"] < 0).all()


def test_every_event_has_an_identifier(demo: DemoData) -> None:
    ids = demo.events[["customer_id", "anonymous_id", "email", "phone", "loyalty_id"]]
    assert ids.notna().any(axis=1).all()


def test_every_event_belongs_to_a_true_person(events: pd.DataFrame) -> None:
    assert events["person_key"].notna().all()


def test_about_twenty_events_per_person(demo: DemoData) -> None:
    per_person = len(demo.events) / len(demo.truth)
    assert 15 < per_person < 28


# -- personas ------------------------------------------------------------------------------------
def test_persona_shares(demo: DemoData) -> None:
    shares = demo.truth["persona"].value_counts(normalize=True)
    for persona, share in PLANTED["persona_shares"].items():
        assert shares[persona] == pytest.approx(share, abs=0.03)


def test_personas_behave_differently(events: pd.DataFrame, demo: DemoData) -> None:
    persona = events["person_key"].map(demo.truth.set_index("person_key")["persona"])
    mix = pd.crosstab(persona, events["channel"], normalize="index")
    assert mix.loc["digital_native", "app"] > 2 * mix.loc["store_loyalist", "app"]
    assert mix.loc["store_loyalist", "magasin"] > 3 * mix.loc["digital_native", "magasin"]
    fulfil = pd.crosstab(persona, events["fulfilment"], normalize="index")
    assert fulfil.loc["click_collect", "click_collect"] > 0.5
    assert fulfil.loc["digital_native", "delivery"] > 0.6
    assert fulfil.loc["store_loyalist", "in_store"] > 0.8


def test_crm_attributes_follow_personas(demo: DemoData) -> None:
    crm = demo.customers.merge(demo.truth[["loyalty_id", "persona"]].dropna(), on="loyalty_id")
    young = crm["age_band"].isin(["18-24", "25-34"]).groupby(crm["persona"]).mean()
    assert young["digital_native"] > 0.6 > 0.2 > young["store_loyalist"]
    gold = (crm["loyalty_tier"] == "gold").groupby(crm["persona"]).mean()
    assert gold["store_loyalist"] > 2 * gold["digital_native"]


# -- frictions -----------------------------------------------------------------------------------
def test_web_payment_loses_far_more_than_app(events: pd.DataFrame) -> None:
    drop = payment_drop(events)
    assert drop["web"] == pytest.approx(PLANTED["payment_friction"]["drop_web"], abs=0.06)
    assert drop["app"] == pytest.approx(PLANTED["payment_friction"]["drop_app"], abs=0.06)


def test_payment_calls_follow_payment_failures(events: pd.DataFrame) -> None:
    calls = events[(events["event"] == "call_center_contact") & (events["reason"] == "payment")]
    payments = events[events["event"] == "checkout_payment"]
    before = pd.Series(_followed(calls.assign(ts=calls["ts"] - pd.Timedelta("1D")), payments, "1D"))
    assert len(calls) > 20 and before.mean() > 0.95


def test_late_delivery_share_and_calls(events: pd.DataFrame) -> None:
    planted = PLANTED["late_delivery"]
    delivered = events[events["event"] == "delivery_delivered"]
    assert delivered["late"].astype(bool).mean() == pytest.approx(planted["late_share"], abs=0.03)
    calls = late_calls(events)
    assert calls[True] == pytest.approx(planted["call_within_3d_late"], abs=0.08)
    assert calls[False] == pytest.approx(planted["call_within_3d_on_time"], abs=0.02)


def test_late_delivery_dips_nps(demo: DemoData, events: pd.DataFrame) -> None:
    fb = demo.feedback[demo.feedback["touchpoint"] == "livraison_domicile"]
    assert (fb["kind"] == "nps").all() and fb["score"].between(0, 10).all()
    late_people = set(events.loc[events["late"] == True, "person_key"])  # noqa: E712
    late = with_person(fb, demo.truth).isin(late_people)
    assert nps(fb.loc[late, "score"]) < 0 < 30 < nps(fb.loc[~late, "score"])


def test_store_locator_ends_ropo_journeys(events: pd.DataFrame, demo: DemoData) -> None:
    persona = events["person_key"].map(demo.truth.set_index("person_key")["persona"])
    cards = set(demo.truth.loc[demo.truth["loyalty_id"].notna(), "person_key"])
    ropo = events[(persona == "ropo") & events["person_key"].isin(cards)]
    located = ropo[ropo["event"] == "store_locator"]
    store = ropo[(ropo["channel"] == "magasin") & ropo["event"].isin(["store_visit", "purchase"])]
    exit_rate = 1 - _followed(located, store, "6D").mean()
    planted = PLANTED["store_locator_friction"]
    assert exit_rate == pytest.approx(planted["observable_exit_ropo_with_card"], abs=0.06)


def test_soldes_tiktok_bounces(events: pd.DataFrame) -> None:
    nxt = events.groupby("person_key")["ts"].shift(-1)
    landing = events["event"].eq("page_view") & events["campaign"].isin(
        PLANTED["campaign_bounce"]["others"]
    )
    landing |= events["event"].eq("page_view") & events["campaign"].eq("soldes_tiktok")
    bounced = ~(nxt - events["ts"] < pd.Timedelta("30min"))
    rate = bounced[landing].groupby(events.loc[landing, "campaign"] == "soldes_tiktok").mean()
    assert rate[True] == pytest.approx(PLANTED["campaign_bounce"]["bounce"], abs=0.07)
    assert rate[False] == pytest.approx(
        PLANTED["campaign_bounce"]["bounce_other_campaigns"], abs=0.07
    )


# -- identities ----------------------------------------------------------------------------------
def test_shared_tablets_link_many_persons(events: pd.DataFrame) -> None:
    tablet = events[events["anonymous_id"].isin(TABLETS)]
    assert set(tablet["channel"]) == {"magasin"} and set(tablet["event"]) == {"product_view"}
    assert tablet["loyalty_id"].notna().all()
    persons = tablet.groupby("anonymous_id")["person_key"].nunique()
    assert len(persons) == len(TABLETS) and (persons > 50).all()


def test_other_cookies_belong_to_one_person(events: pd.DataFrame) -> None:
    cookies = events[events["anonymous_id"].notna() & ~events["anonymous_id"].isin(TABLETS)]
    assert (cookies.groupby("anonymous_id")["person_key"].nunique() == 1).all()


def test_email_and_phone_variants_normalise_to_one_person(
    events: pd.DataFrame, demo: DemoData
) -> None:
    emails = events.dropna(subset=["email"])
    assert emails["email"].str.contains(r"[A-Z]").any() and emails["email"].str.endswith(" ").any()
    per_person = emails.groupby("person_key")["email"]
    assert (per_person.nunique() > 1).mean() > 0.3
    assert (emails["email"].map(normal_email).groupby(emails["person_key"]).nunique() == 1).all()
    phones = pd.concat([events["phone"], demo.customers["phone"]]).dropna()
    formats = phones.str.replace(r"\d", "9", regex=True).unique()
    assert {"99 99 99 99 99", "+99 9 99 99 99 99", "9999999999999", "+99999999999"} <= set(formats)
    assert phones.map(normal_phone).str.fullmatch(r"\+33[67]\d{8}").all()


def test_store_visits_carry_the_card_only(demo: DemoData) -> None:
    visits = demo.events[demo.events["event"] == "store_visit"]
    assert visits["loyalty_id"].notna().all()
    assert visits[["customer_id", "anonymous_id", "email", "phone"]].isna().all().all()


def test_truth_and_crm(demo: DemoData) -> None:
    truth, crm = demo.truth, demo.customers
    assert truth["person_key"].is_unique
    assert crm["customer_id"].dropna().is_unique and crm["loyalty_id"].dropna().is_unique
    assert crm[["customer_id", "loyalty_id"]].notna().any(axis=1).all()
    assert set(crm["loyalty_tier"]) == {"none", "silver", "gold"}
    assert set(crm["segment"]) == {"B2C", "B2B"} and (crm["segment"] == "B2C").mean() > 0.9
    assert set(truth["customer_id"].dropna()) == set(crm["customer_id"].dropna())
    assert (truth["anonymous_ids"].map(len) <= 2).all() and (
        truth["anonymous_ids"].map(len) == 2
    ).any()


# -- feedback and the map ------------------------------------------------------------------------
def test_feedback_touchpoints_exist_in_the_map(demo: DemoData) -> None:
    retail = _retail_map()
    stage_of = {tp["id"]: tp["stage"] for tp in retail["touchpoints"]}
    fb = demo.feedback
    assert set(fb["touchpoint"]) <= set(stage_of)
    assert (fb["stage"] == fb["touchpoint"].map(stage_of)).all()


def test_feedback_scales_languages_and_verbatims(demo: DemoData) -> None:
    fb = demo.feedback
    ranges = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "review": (1, 5)}
    for kind, (lo, hi) in ranges.items():
        assert fb.loc[fb["kind"] == kind, "score"].between(lo, hi).all()
    assert (fb["language"] == "en").mean() == pytest.approx(0.10, abs=0.03)
    assert fb["verbatim"].notna().mean() > 0.8
    text = fb["verbatim"].dropna().str.lower()
    for pain in (
        "livraison en retard",
        "paiement refusé",
        "attente au téléphone",
        "retrait en magasin rapide",
    ):
        assert text.str.contains(pain).any(), pain
    assert text.nunique() > 100
    assert fb[["customer_id", "email", "loyalty_id"]].notna().any(axis=1).all()


def test_feedback_tone_by_touchpoint(demo: DemoData) -> None:
    fb = demo.feedback
    ces = fb[fb["kind"] == "ces"].groupby("touchpoint")["score"].mean()
    assert ces["paiement_web"] > ces["paiement_app"] + 1.5  # more effort on the web
    csat = fb[fb["kind"] == "csat"].groupby("touchpoint")["score"].mean()
    assert csat["achat_magasin"] > 4 > 3 > csat["appel_service_client"]


def test_some_buyers_answer(events: pd.DataFrame, demo: DemoData) -> None:
    buyers = set(events.loc[events["event"] == "purchase", "person_key"])
    answering = set(with_person(demo.feedback, demo.truth)) & buyers
    assert 0.08 < len(answering) / len(buyers) < 0.22


def test_planted_frictions_sit_on_touchpoints_that_name_them() -> None:
    tps = {tp["id"]: tp for tp in _retail_map()["touchpoints"]}
    for key in ("payment_friction", "late_delivery", "store_locator_friction", "campaign_bounce"):
        assert tps[PLANTED[key]["touchpoint"]].get("frictions"), key
    matched = {e for tp in tps.values() for e in np.atleast_1d(tp["match"]["event"])}
    assert matched == set(VOCABULARY)


# -- determinism ---------------------------------------------------------------------------------
def test_same_seed_same_data() -> None:
    a, b = simulate(persons=700, days=60), simulate(persons=700, days=60)
    for name in DemoData.__annotations__:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    c = simulate(persons=700, seed=8, days=60)
    assert not a.events["ts"].equals(c.events["ts"])


def test_chunks_concatenate_to_the_whole() -> None:
    whole = simulate(persons=2_600, days=60)
    chunks = list(simulate_chunks(2_600, seed=7, chunk_persons=1_000, days=60))
    assert len(chunks) == 3
    for name in DemoData.__annotations__:
        joined = pd.concat([getattr(c, name) for c in chunks], ignore_index=True)
        pd.testing.assert_frame_equal(joined, getattr(whole, name))
    # More persons only appends new ones: the first chunk is a run of 1,000 persons.
    small = simulate(persons=1_000, days=60)
    pd.testing.assert_frame_equal(small.events, chunks[0].events)
