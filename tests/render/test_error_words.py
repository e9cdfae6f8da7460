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
