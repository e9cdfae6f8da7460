"""`parcours report map --persona`: the canvas' figures are the persona's, not the whole
data's under the persona's header."""

from __future__ import annotations

import re
import textwrap

import pandas as pd
from typer.testing import CliRunner

import parcours
from parcours.cli.app import app
from parcours.errors import InputError
from tests.timelines import events_frame

MAP = textwrap.dedent(
    """
    map: shop
    title: {fr: Boutique, en: Shop}
    stages:
      - {id: decouverte, title: {fr: Découverte, en: Discovery}}
      - {id: decision, title: {fr: Décision, en: Decision}}
    personas:
      - {id: vip, title: {fr: Clients VIP, en: VIP customers}, rule: "segment == 'vip'"}
    channels: [web]
    touchpoints:
      - {id: fiche, title: {fr: Fiche produit, en: Product page}, stage: decouverte, channel: web, match: {event: product_view}}
      - {id: achat, title: {fr: Achat, en: Purchase}, stage: decision, channel: web, match: {event: purchase}}
    conversion: {event: purchase}
    """
)

# Four persons see the product page; the two VIPs buy, the two others leave: conversion
# from the product page is 2 of 4 journeys (50 %) overall, 2 of 2 (100 %) for the VIPs.
TIMELINES = {
    "vip1": [("2026-03-01 10:00", "web", "product_view"), ("2026-03-01 10:05", "web", "purchase")],
    "vip2": [("2026-03-02 10:00", "web", "product_view"), ("2026-03-02 10:05", "web", "purchase")],
    "anne": [("2026-03-03 10:00", "web", "product_view")],
    "marc": [("2026-03-04 10:00", "web", "product_view")],
}


def _conversions(svg: str) -> list[str]:
    return re.findall(r"conversion (\d+)\s?%", svg)


def test_persona_map_measures_the_personas_journeys(tmp_path):
    (tmp_path / "shop.yaml").write_text(MAP)
    ws = parcours.open(tmp_path / "w.duckdb")
    ws.ingest_events(events_frame(TIMELINES))
    ws.ingest_customers(pd.DataFrame({"customer_id": ["vip1", "vip2"], "segment": ["vip", "vip"]}))
    ws.close()
    runner = CliRunner()
    common = [
        "-w",
        str(tmp_path / "w.duckdb"),
        "--map",
        str(tmp_path / "shop.yaml"),
        "--lang",
        "en",
    ]
    whole = runner.invoke(app, ["report", "map", "--out", str(tmp_path / "all.svg"), *common])
    assert whole.exit_code == 0, whole.output
    vip = runner.invoke(
        app, ["report", "map", "--out", str(tmp_path / "vip.svg"), "--persona", "vip", *common]
    )
    assert vip.exit_code == 0, vip.output
    whole_svg, vip_svg = (tmp_path / "all.svg").read_text(), (tmp_path / "vip.svg").read_text()
    # the product page card, then the purchase card (whose journeys all convert)
    assert _conversions(whole_svg)[0] == "50"
    assert _conversions(vip_svg)[0] == "100"
    assert "VIP customers" in vip_svg and "VIP customers" not in whole_svg


def test_unknown_persona_is_refused_with_the_allowed_ones(tmp_path):
    (tmp_path / "shop.yaml").write_text(MAP)
    parcours.open(tmp_path / "w.duckdb").close()
    result = CliRunner().invoke(
        app,
        ["report", "map", "--persona", "vp", "-w", str(tmp_path / "w.duckdb"),
         "--map", str(tmp_path / "shop.yaml"), "--out", str(tmp_path / "m.svg")],
    )  # fmt: skip
    assert isinstance(result.exception, InputError)  # exit code 2 from the CLI's entry point
    assert "persona 'vp' is not a persona of map shop; allowed: vip" in str(result.exception)
