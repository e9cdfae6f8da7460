"""The knobs of the Maison Lumière simulation, and the truths they plant.

Every probability the simulator draws from lives here, so that ``PLANTED`` (what tests of
later analyses check against) and the behaviour can never drift apart.
"""

from __future__ import annotations

from typing import Any

VOCABULARY: tuple[str, ...] = (
    "ad_impression",
    "social_post_view",
    "search_click",
    "newsletter_open",
    "email_click",
    "page_view",
    "product_view",
    "review_read",
    "store_locator",
    "add_to_cart",
    "checkout_start",
    "checkout_payment",
    "purchase",
    "click_collect_pickup",
    "store_visit",
    "delivery_shipped",
    "delivery_delivered",
    "call_center_contact",
    "chat_contact",
    "return_request",
    "review_post",
    "loyalty_signup",
    "app_open",
    "login",
    "referral_share",
)
EVENT_CODE = {name: i for i, name in enumerate(VOCABULARY)}

CHANNELS: tuple[str, ...] = ("web", "app", "magasin", "email", "reseaux_sociaux", "service_client")
WEB, APP, MAGASIN, EMAIL, SOCIAL, SERVICE = range(len(CHANNELS))

PERSONAS: tuple[str, ...] = ("digital_native", "store_loyalist", "ropo", "click_collect")
PERSONA_SHARES = (0.30, 0.25, 0.25, 0.20)

# Journey kinds: what one journey of a person is about.
KINDS: tuple[str, ...] = ("online", "store", "ropo", "click_collect", "browse")
ONLINE, STORE, ROPO, CC, BROWSE = range(len(KINDS))
# Row = persona, column = kind (without browse): a persona mostly, not only, shops its way.
KIND_MIX = (
    (0.80, 0.04, 0.08, 0.08),  # digital_native
    (0.08, 0.85, 0.07, 0.00),  # store_loyalist
    (0.10, 0.10, 0.75, 0.05),  # ropo
    (0.17, 0.05, 0.03, 0.75),  # click_collect
)
EXTRA_JOURNEYS = (2.6, 1.7, 1.7, 2.2)  # Poisson mean of journeys after the first, per persona
NON_BUYER = (0.12, 0.04, 0.14, 0.06)  # persons who only ever browse
HAS_ACCOUNT = (1.00, 0.50, 0.75, 1.00)
HAS_CARD = (0.30, 1.00, 0.75, 0.50)
CARD_IN_WINDOW = 0.15  # card holders who join the programme during the window (loyalty_signup)
APP_SESSION = (0.70, 0.30, 0.35, 0.20)  # share of digital sessions in the app
TWO_DEVICES = 0.40

# Discovery triggers: ad_impression, social_post_view, search_click, newsletter, direct.
TRIGGERS = ("ad", "social", "search", "newsletter", "direct")
TRIGGER_MIX = (
    (0.35, 0.25, 0.15, 0.05, 0.20),
    (0.05, 0.05, 0.10, 0.55, 0.25),
    (0.15, 0.10, 0.45, 0.10, 0.20),
    (0.15, 0.10, 0.30, 0.20, 0.25),
)
CAMPAIGNS = ("soldes_tiktok", "printemps_instagram", "maison_pinterest", "collection_ete_meta")
CAMPAIGN_SHARE = (0.30, 0.30, 0.20, 0.20)
BOUNCE = {"soldes_tiktok": 0.78, "other": 0.28}

# Funnel of digital purchase journeys.
P_ADD_TO_CART = 0.70
P_CHECKOUT_START = 0.78
P_PAYMENT_STEP = 0.88
P_PAY_SUCCESS = {"web": 0.60, "app": 0.90}  # checkout_payment -> purchase
P_CALL_AFTER_PAYMENT_FAIL = 0.20

P_LATE = 0.18
P_CALL_DELIVERY = {"late": 0.55, "on_time": 0.03}  # within 3 days of delivery_delivered

P_LOCATOR_ROPO = 0.85
P_LOCATOR_EXIT = {"ropo_with_locator": 0.32, "ropo_without_locator": 0.08}
P_STORE_PURCHASE = {"store": 0.85, "ropo": 0.80}
P_CARD_SCAN_NO_PURCHASE = 0.30
P_PHONE_AT_TILL = 0.30
FLAGSHIP_STORES = ("MAG-PAR-01", "MAG-LYO-01", "MAG-MAR-01", "MAG-BOR-01", "MAG-LIL-01")
P_HOME_FLAGSHIP = 0.45
P_TABLET = 0.30  # store visits in a flagship store that use its shared tablet
TABLETS = (
    "a7f3c2e9b1d04f58",
    "c41e8d0a9b7f2365",
    "5b92e7a1c0f84d36",
    "e08d4f6a2c9b1753",
    "9c6a1b3e7d2f0485",
)

P_RETURN = {"online": 0.12, "store": 0.05}
P_REVIEW_POST = 0.03
P_REFERRAL = (0.08, 0.01, 0.02, 0.03)

# Feedback: who answers, and what they say.
P_ANSWER = {  # per event; about 10-15% of buyers answer at least once
    "delivery": 0.07,
    "store": 0.04,
    "pickup": 0.05,
    "payment_fail_web": 0.10,
    "payment": 0.02,
    "call": 0.10,
}
P_ENGLISH = 0.10
P_NO_VERBATIM = 0.12
# NPS score distributions (0..10) at the delivery touchpoint.
NPS_LATE = (0.08, 0.08, 0.10, 0.11, 0.10, 0.09, 0.10, 0.12, 0.10, 0.07, 0.05)
NPS_ON_TIME = (0.00, 0.01, 0.01, 0.02, 0.02, 0.04, 0.05, 0.12, 0.20, 0.27, 0.26)


def _nps(probs: tuple[float, ...]) -> float:
    return round(100 * (sum(probs[9:]) - sum(probs[:7])), 1)


PLANTED: dict[str, Any] = {
    "persona_shares": dict(zip(PERSONAS, PERSONA_SHARES, strict=True)),
    "payment_friction": {
        "touchpoint": "paiement_web",
        "rule": "share of checkout_payment not followed by purchase in the same journey",
        "drop_web": round(1 - P_PAY_SUCCESS["web"], 2),
        "drop_app": round(1 - P_PAY_SUCCESS["app"], 2),
        "call_reason_payment_after_drop": P_CALL_AFTER_PAYMENT_FAIL,
    },
    "late_delivery": {
        "touchpoint": "livraison_domicile",
        "late_share": P_LATE,
        "call_within_3d_late": P_CALL_DELIVERY["late"],
        "call_within_3d_on_time": P_CALL_DELIVERY["on_time"],
        "nps_late": _nps(NPS_LATE),
        "nps_on_time": _nps(NPS_ON_TIME),
    },
    "store_locator_friction": {
        "touchpoint": "store_locator",
        "exit_after_locator_ropo": P_LOCATOR_EXIT["ropo_with_locator"],
        "exit_without_locator_ropo": P_LOCATOR_EXIT["ropo_without_locator"],
        # What the data can show: store visits without purchase are seen only when the card is
        # scanned, so among ROPO card holders ~45% of store_locator uses see no store visit or
        # purchase within 6 days.
        "observable_exit_ropo_with_card": 0.45,
    },
    "campaign_bounce": {
        "touchpoint": "page_atterrissage",
        "campaign": "soldes_tiktok",
        "others": list(CAMPAIGNS[1:]),
        "bounce": BOUNCE["soldes_tiktok"],
        "bounce_other_campaigns": BOUNCE["other"],
    },
    "shared_tablets": {
        "anonymous_ids": list(TABLETS),
        "stores": list(FLAGSHIP_STORES),
        "min_persons_each_at_50k": 50,
    },
    "identity": {
        "two_devices_share": TWO_DEVICES,
        "email_variants": ["lower", "Title + trailing space", "UPPER domain", "leading space"],
        "phone_formats": [
            "06 12 34 56 78",
            "+33 6 12 34 56 78",
            "0033612345678",
            "0612345678",
            "+33612345678",
        ],
    },
    "feedback": {
        "english_share": P_ENGLISH,
        "answer_rates": dict(P_ANSWER),
        "negative_touchpoints": ["paiement_web", "livraison_domicile", "appel_service_client"],
        "positive_touchpoints": ["achat_magasin", "retrait_click_collect"],
    },
}
