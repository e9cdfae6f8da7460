"""The analyses' and the API's error messages in the reader's language: every message an
analysis can raise has its French words, which keep the message's values as written."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

import parcours
from parcours.analyses import get
from parcours.errors import InputError
from parcours.render._error_words import ANALYSIS_ERRORS, API_ERRORS, CLI_ERRORS, ERROR_PATTERNS
from parcours.render.present import error_text
from tests.timelines import context_from_timelines

PACKAGE = Path(parcours.__file__).parent
# Where the messages a dashboard or report reader can meet are raised.
SOURCES = [*sorted((PACKAGE / "analyses").glob("*.py")), PACKAGE / "maps" / "duration.py"]
RAISED = ("InputError", "NotFoundError")


def _template(node: ast.expr) -> str:
    """A message as its pattern: the f-string's text with ``{}`` for each value."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _template(node.left) + _template(node.right)
    return "{}"


def _raised_messages() -> list[tuple[str, str]]:
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in RAISED
                and node.args
            ):
                found.append(
                    (f"{path.parent.name}/{path.name}:{node.lineno}", _template(node.args[0]))
                )
    return found


def test_every_message_of_the_analyses_has_its_french_words():
    messages = _raised_messages()
    assert len(messages) > 80  # the scan reads the analyses' raises
    patterns = set(ERROR_PATTERNS.values())
    missing = [f"{where}: {text!r}" for where, text in messages if text not in patterns]
    assert not missing, (
        "add these messages to parcours/render/_error_words.py (French, English pattern):\n"
        + "\n".join(missing)
    )


@pytest.mark.parametrize("key", sorted({**ANALYSIS_ERRORS, **API_ERRORS, **CLI_ERRORS}))
def test_french_words_use_every_value_once(key):
    fr, en = {**ANALYSIS_ERRORS, **API_ERRORS, **CLI_ERRORS}[key]
    fields = [name for _, name, _, _ in string.Formatter().parse(fr) if name is not None]
    assert sorted(fields, key=int) == [str(i) for i in range(en.count("{}"))]


MAP = """
map: shop
title: {fr: Boutique, en: Shop}
stages:
  - {id: decouverte, title: Découverte}
  - {id: decision, title: Décision}
channels: [web]
touchpoints:
  - {id: fiche, stage: decouverte, channel: web, match: {event: product_view}}
  - {id: achat, stage: decision, channel: web, match: {event: purchase}}
conversion: {event: purchase}
"""


@pytest.fixture(scope="module")
def shop():
    ws = parcours.open(":memory:")
    ctx = context_from_timelines(ws, MAP, {"ana": [("2026-03-01 10:00", "web", "product_view")]})
    yield ctx
    ws.close()


@pytest.mark.parametrize(
    ("analysis", "params", "french"),
    [
        ("frictions", {"top": 0}, "frictions : top 0 n'est pas permis ; donnez 1 ou plus"),
        (
            "kpis",
            {"level": "persona"},
            "kpis : le niveau « persona » n'existe pas ; possibles : touchpoint, stage",
        ),
        (
            "funnel",
            {"steps": ["fiche", "achat"], "window": "2 semaines"},
            "la durée '2 semaines' n'est pas valide : écrivez un nombre suivi de s, m, h, d ou "
            "w, par ex. 30d, 12h, 45m ou 1d12h",
        ),
        (
            "funnel",
            {"steps": ["fiche", "panier"]},
            "l'étape 'panier' : 'panier' n'est ni un point de contact, ni une étape, ni un "
            "événement vu dans les données ; points de contact : fiche, achat ; étapes : "
            "decouverte, decision ; événements : product_view",
        ),
        (
            "compare",
            {"period_a": "janvier", "period_b": "2026-02-01..2026-02-28"},
            "compare : period_a 'janvier' n'est pas une période ; écrivez PREMIER..DERNIER "
            "jour, par ex. 2026-01-01..2026-03-31",
        ),
    ],
)
def test_a_refused_analysis_says_it_in_french_with_its_values(shop, analysis, params, french):
    with pytest.raises(InputError) as refused:
        get(analysis)(shop, **params)
    message = str(refused.value)
    assert error_text(message, "fr") == french
    assert error_text(message, "en") == message  # English: as the analysis wrote it


def test_a_message_without_words_stays_as_written():
    assert error_text("something new went wrong", "fr") == "something new went wrong"


def test_api_answers_in_the_language_the_request_accepts(tmp_path):
    from fastapi.testclient import TestClient

    from parcours.api.app import create_app

    with TestClient(create_app(tmp_path / "w.duckdb")) as client:
        english = client.get("/v1/maps")
        french = client.get("/v1/maps", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert english.status_code == french.status_code == 401
    assert english.json()["detail"].startswith("send an API key as 'Authorization: Bearer")
    assert french.json() == {
        "error": "missing API key",  # a stable kind, for programs
        "detail": "envoyez une clé d'API en « Authorization: Bearer pk_... » ; créez-en une "
        "avec `parcours keys create --scope read|write|admin`",
    }


# -- the map's checks and the ingest -------------------------------------------------------

INGEST_SOURCES = [PACKAGE / "store" / f"{name}.py" for name in
                  ("sources", "mapping", "ingest", "xes", "salvage", "boundary")]  # fmt: skip
# Messages of the ingest that stay in English, and why.
INGEST_ENGLISH = {
    "{}",  # mapping.py: the YAML problems of a mapping file, each already located
    "{}: a column has {} ({}); name every column with text",  # the reason is an English phrase
    "{}: option '{}' is {}; got {}",  # what the option takes is an English phrase
    "unknown target {}",  # an internal check: the CLI and the API name the targets first
}


def _templates(node: ast.expr) -> list[str]:
    """Every message a raise can give, as patterns (both sides of an ``a if c else b``)."""
    if isinstance(node, ast.IfExp):
        return _templates(node.body) + _templates(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in _templates(node.left) for b in _templates(node.right)]
    return [_template(node)]


def test_every_message_of_the_ingest_has_its_french_words_or_is_listed():
    found = [
        (f"{path.name}:{node.lineno}", text)
        for path in INGEST_SOURCES
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) in ("SourceError", "MappingError")
        and node.args
        for text in _templates(node.args[0])
    ]
    assert len(found) > 50  # the scan reads the ingest's raises
    patterns = set(ERROR_PATTERNS.values())
    missing = [
        f"{where}: {text!r}" for where, text in found if text not in patterns | INGEST_ENGLISH
    ]
    assert not missing, "add to INGEST_ERRORS of parcours/render/_error_words.py:\n" + "\n".join(
        missing
    )
    assert {text for _, text in found} >= INGEST_ENGLISH  # no stale entry


BAD_MAP = """map: shop
title: Boutique
stages:
  - {id: decouverte, title: Découverte}
  - {id: decouverte, title: Décision}
channels: [web]
touchpoints:
  - {id: fiche, stage: decision, channel: mail, match: {event: product_view}}
conversion: {event: purchase}
couleur: rouge
"""


def test_a_map_that_does_not_validate_says_every_problem_in_french():
    with pytest.raises(parcours.MapError) as refused:
        parcours.JourneyMap.loads(BAD_MAP, source="shop.yaml")
    message = str(refused.value)
    assert error_text(message, "en") == message
    assert error_text(message, "fr").split("\n") == [
        "la carte de parcours n'est pas valide :",
        "  shop.yaml:5 : identifiant d'étape « decouverte » en double (déjà pris par "
        "stages[0].id, ligne 4) ; donnez à chacun le sien, par ex. decouverte_2 "
        "(champ stages[1].id)",
        "  shop.yaml:8 : le point de contact « fiche » renvoie à l'étape inconnue « decision » ; "
        "étapes permises : decouverte, decouverte (champ touchpoints[0].stage)",
        "  shop.yaml:8 : le point de contact « fiche » utilise le canal « mail », qui n'est pas "
        "déclaré dans channels ; canaux déclarés : web, ou any (tous les canaux, par ex. un "
        "journal dont le canal est celui du dossier) (champ touchpoints[0].channel)",
        "  shop.yaml:10 : champ « couleur » inconnu ; champs permis : map, lang, state, title, "
        "description, stages, personas, channels, touchpoints, conversion, journey, flow, "
        "opportunities (champ couleur)",
    ]


@pytest.mark.parametrize(
    ("text", "french"),
    [
        (
            "map: shop\ntitle: Boutique\nchannels: [web]\nconversion: {event: purchase}\n",
            "la carte de parcours n'est pas valide : shop.yaml : champ obligatoire « stages » "
            "absent, par ex. stages: [{id: decouverte, title: Découverte}] (champ stages)",
        ),
        (
            "- map: shop\n",
            "la carte de parcours n'est pas valide : shop.yaml:1 : une carte de parcours est un "
            "dictionnaire YAML (map:, title:, stages:, ...), pas une liste",
        ),
    ],
)
def test_one_map_problem_is_said_on_one_line(text, french):
    with pytest.raises(parcours.MapError) as refused:
        parcours.JourneyMap.loads(text, source="shop.yaml")
    assert error_text(str(refused.value), "fr") == french


def test_a_mapping_that_does_not_fit_says_it_in_french_with_its_values(ws, tmp_path):
    source = tmp_path / "events.csv"
    source.write_text("client,quand,quoi\nana,2026-03-01 10:00,product_view\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        ws.ingest_events(source, mapping={"customer_id": "client", "event": "quoi"})
    with pytest.raises(InputError) as unknown:
        ws.ingest_events(source, mapping={"customer_id": "client", "duplicate_rows": "x"})
    assert error_text(str(refused.value), "fr") == (
        f"{source} : aucune colonne pour « ts » ; faites-en correspondre une (par ex. ts: "
        "ma_colonne) parmi : client, quand, quoi"
    )
    assert error_text(str(unknown.value), "fr") == (
        "mapping : duplicate_rows « x » n'existe pas ; possibles : drop, keep (keep : les lignes "
        "identiques d'un fichier sont des événements distincts)"
    )
