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
from parcours.maps.rules import ALLOWED as RULE_ALLOWED
from parcours.render._error_words import (
    ANALYSIS_ERRORS,
    API_ERRORS,
    CLI_ERRORS,
    ERROR_PATTERNS,
    MAP_ERRORS,
)
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
            "la durée '2 semaines' n'est pas valide : écrivez un nombre suivi de s, m, h, j (ou "
            "d) ou w, par ex. 30j, 12h, 45m ou 1j12h",
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


@pytest.mark.parametrize(
    ("reason", "french"),
    [
        (
            "column 'event' holds a NUL byte; is the file binary or damaged?",
            "la colonne « event » contient un octet NUL ; le fichier est-il binaire ou abîmé ?",
        ),
        # Counted by kind (the ingest's summary), a quoted value is "…", quotes included.
        (
            "column … holds a NUL byte; is the file binary or damaged?",
            "la colonne « … » contient un octet NUL ; le fichier est-il binaire ou abîmé ?",
        ),
    ],
)
def test_a_quoted_value_is_found_with_or_without_its_quotes(reason, french):
    assert error_text(reason, "fr") == french


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
                  ("sources", "mapping", "ingest", "xes", "salvage", "boundary",
                   "spark_files", "spark_parquet", "spark_sql")]  # fmt: skip
# A raise that passes on a message made elsewhere: the YAML problems of a mapping file
# (mapping.py), each a map problem, said in French through MAP_ERRORS (tested below).
PASSED_ON = "{}"


def _templates(node: ast.expr) -> list[str]:
    """Every message a raise can give, as patterns: both sides of an ``a if c else b``, also
    inside an f-string (``{'no name' if not name else 'a NUL in its name'}``)."""
    if isinstance(node, ast.IfExp):
        return _templates(node.body) + _templates(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in _templates(node.left) for b in _templates(node.right)]
    if isinstance(node, ast.JoinedStr):
        texts = [""]
        for value in node.values:
            if isinstance(value, ast.Constant):
                options = [value.value]
            elif isinstance(value.value, ast.IfExp) and all(
                isinstance(side, ast.Constant) for side in (value.value.body, value.value.orelse)
            ):
                options = _templates(value.value)
            else:
                options = ["{}"]
            texts = [text + option for text in texts for option in options]
        return texts
    return [_template(node)]


def _option_messages(text: str) -> list[str]:
    """``{}: option '{}' is {}; got {}`` as each option's message (OPTION_KINDS)."""
    from parcours.store.mapping import OPTION_KINDS

    if text != "{}: option '{}' is {}; got {}":
        return [text]
    return [f"{{}}: option '{key}' is {kind}; got {{}}" for key, kind in OPTION_KINDS.items()]


def test_every_message_of_the_ingest_has_its_french_words():
    from parcours.render._error_words import OPTION_KINDS as OPTION_WORDS
    from parcours.store.mapping import OPTION_KINDS

    found = [
        (f"{path.name}:{node.lineno}", message)
        for path in INGEST_SOURCES
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) in ("SourceError", "MappingError")
        and node.args
        for text in _templates(node.args[0])
        for message in _option_messages(text)
    ]
    assert len(found) > 50  # the scan reads the ingest's raises
    patterns = set(ERROR_PATTERNS.values())
    missing = [f"{where}: {text!r}" for where, text in found if text not in patterns | {PASSED_ON}]
    assert not missing, "add to INGEST_ERRORS of parcours/render/_error_words.py:\n" + "\n".join(
        missing
    )
    assert {key: en for key, (en, _) in OPTION_WORDS.items()} == OPTION_KINDS


def test_an_unreadable_mapping_file_and_a_bad_option_say_it_in_french(ws, tmp_path):
    source = tmp_path / "events.csv"
    source.write_text("client,quand,quoi\nana,2026-03-01 10:00,product_view\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("customer_id: [client\n", encoding="utf-8")
    with pytest.raises(InputError) as unreadable:
        ws.ingest_events(source, mapping=mapping)
    assert error_text(str(unreadable.value), "fr").startswith(
        f"{mapping}:2 : erreur de syntaxe YAML : "
    )
    with pytest.raises(InputError) as bad_option:
        ws.ingest_events(
            source,
            mapping={
                "customer_id": "client",
                "ts": "quand",
                "event": "quoi",
                "timezone": 3,
            },  # fmt: skip
        )
    assert error_text(str(bad_option.value), "fr") == (
        "mapping : l'option « timezone » est un nom de fuseau horaire IANA comme Europe/Paris "
        "ou UTC ; reçu 3"
    )


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
        "  shop.yaml:10 : champ « couleur » inconnu ; champs permis : map, lang, currency, state, title, "
        "description, stages, personas, channels, touchpoints, conversion, journey, flow, "
        "opportunities, property_titles (champ couleur)",
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


# -- the map's own messages: checks, fields, sub-maps, YAML limits --------------------------

MAP_SOURCES = sorted((PACKAGE / "maps").glob("*.py"))
# call -> which argument is the message
MESSAGE_ARGUMENT = {
    "ValueError": 0, "InputError": 0, "NotFoundError": 0, "Problem": 0, "locate": 0,
    "_Refused": 0, "_problem": 2,
}  # fmt: skip
# Messages of the maps that stay in English, and why.
MAPS_ENGLISH: set[str] = set()  # every message of the maps is said in French too
# A value from a closed set of English names (a stage or touchpoint that opens a sub-map, the
# noun of a duplicate id) is one of them; any other value is shown as written.
SAMPLES = ("v1", "stage")


def _resolved(node: ast.expr, module: object) -> list[str]:
    """The patterns of a message, a module constant it names (``{ALLOWED}``) written out."""
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(value.value)
            elif isinstance(value.value, ast.Name) and isinstance(
                getattr(module, value.value.id, None), str
            ):
                parts.append(getattr(module, value.value.id))
            else:
                parts.append("{}")
        return ["".join(parts)]
    if isinstance(node, ast.IfExp):
        return _resolved(node.body, module) + _resolved(node.orelse, module)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in _resolved(node.left, module) for b in _resolved(node.right, module)]
    return [_template(node)]


def _map_messages() -> list[tuple[str, str]]:
    import importlib

    found = []
    for path in MAP_SOURCES:
        module = importlib.import_module(f"parcours.maps.{path.stem}")
        for node in ast.walk(ast.parse(path.read_text())):
            message = None
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                at = MESSAGE_ARGUMENT.get(name or "")
                message = node.args[at] if at is not None and len(node.args) > at else None
            elif isinstance(node, ast.FunctionDef) and node.name == "_unknown":  # opportunities
                found += [
                    (f"{path.name}:{r.lineno}", text)
                    for r in ast.walk(node)
                    if isinstance(r, ast.Return) and r.value is not None
                    for text in _resolved(r.value, module)
                ]
            if message is not None:
                found += [(f"{path.name}:{node.lineno}", t) for t in _resolved(message, module)]
    from parcours.maps._base import _REGEX_REFUSED

    found += [("model.py:_REGEX_REFUSED", text) for text in _REGEX_REFUSED.values()]
    return [(where, text) for where, text in found if text not in ("{}", "")]


def test_every_message_of_the_maps_has_its_french_words_or_is_listed():
    from parcours.maps.model import METRICS
    from parcours.render._error_words import TARGET_UNITS

    found = _map_messages()
    assert len(found) > 50  # the scan reads the maps' raises
    # a metric's target: one message per way of writing a target
    target = "target {} is out of range for {}: write {}"
    found = [(w, text) for w, text in found if text != target]
    found += [("model.py:METRICS", target.replace("write {}", f"write {unit}"))
              for *_, unit in METRICS.values()]  # fmt: skip
    assert {unit for *_, unit in METRICS.values()} == set(TARGET_UNITS)
    english = [
        f"{where}: {text!r}"
        for where, text in found
        if text not in MAPS_ENGLISH
        and all(
            error_text(text.replace("{}", sample), "fr") == text.replace("{}", sample)
            for sample in SAMPLES
        )
    ]
    assert not english, "add to MAP_ERRORS of parcours/render/_error_words.py:\n" + "\n".join(
        english
    )
    assert {text for _, text in found} >= MAPS_ENGLISH  # no stale entry


@pytest.mark.parametrize("key", sorted(MAP_ERRORS))
def test_french_map_words_use_every_value_once(key):
    fr, en = MAP_ERRORS[key]
    fields = [name for _, name, _, _ in string.Formatter().parse(fr) if name is not None]
    assert sorted(fields, key=int) == [str(i) for i in range(en.count("{}"))]


def _refused_in_french(text: str) -> list[str]:
    with pytest.raises(parcours.MapError) as refused:
        parcours.JourneyMap.loads(text, source="shop.yaml")
    return error_text(str(refused.value), "fr").split("\n")


HEAD = "map: shop\ntitle: Boutique\nchannels: [web]\nconversion: {event: purchase}\n"


def test_a_value_of_the_wrong_kind_is_said_in_our_words_not_pydantics():
    text = HEAD + (
        "stages:\n  - id: decouverte\n    title: Découverte\n    kpis: [{metric: reach, target: beaucoup}]\n"
        "personas:\n  - {id: claire, title: Claire, goals: 3}\n"
    )
    with pytest.raises(parcours.MapError) as refused:
        parcours.JourneyMap.loads(text, source="shop.yaml")
    english = str(refused.value).split("\n")
    assert english[1:] == [
        "  shop.yaml:8: target: expected a number (got 'beaucoup') "
        "(field stages[0].kpis[0].target)",
        "  shop.yaml:10: goals: expected a list, e.g. [a, b] (got 3) (field personas[0].goals)",
    ]
    assert _refused_in_french(text)[1:] == [
        "  shop.yaml:8 : target : il faut un nombre (reçu 'beaucoup') "
        "(champ stages[0].kpis[0].target)",
        "  shop.yaml:10 : goals : il faut une liste, par ex. [a, b] (reçu 3) "
        "(champ personas[0].goals)",
    ]


def test_field_checks_opportunities_and_blueprint_say_it_in_french():
    text = HEAD + (
        "stages:\n"
        "  - id: decouverte\n    title: Découverte\n    emotion: 5\n"
        "    blueprint: {support: [{id: envoi, title: Envoi, match: {event: sent}}]}\n"
        "opportunities:\n  - {id: relance, title: Relance, touchpoints: [panier]}\n"
    )
    assert _refused_in_french(text) == [
        "la carte de parcours n'est pas valide :",
        "  shop.yaml:8 : 5 n'est pas une émotion : écrivez un score de -2 (très négative) à +2 "
        "(très positive), par ex. emotion: -1, ou l'un des libellés negative (-1), neutral (0), "
        "positive (+1) (champ stages[0].emotion)",
        "  shop.yaml:9 : l'élément « envoi » du couloir support a un match : seuls les éléments "
        "de backstage retiennent des événements (les points de contact sont ce que le client "
        "rencontre) ; déplacez-le dans backstage, ou faites-en un point de contact "
        "(champ stages[0].blueprint.support)",
        "  shop.yaml:11 : l'opportunité « relance » nomme le point de contact inconnu « panier » "
        "; la carte ne déclare aucun point de contact (champ opportunities[0].touchpoints[0])",
    ]


def test_a_yaml_limit_is_said_in_french():
    deep = "map: " + "[" * 70 + "]" * 70 + "\n"
    assert _refused_in_french(deep) == [
        "la carte de parcours n'est pas valide : shop.yaml:1 : dictionnaires et listes imbriqués "
        "sur plus de 50 niveaux ; 50 au plus sont permis"
    ]


def test_a_sub_map_that_cannot_be_found_is_said_in_french_with_its_reason():
    from parcours.errors import NotFoundError
    from parcours.maps.nesting import resolve

    parent = parcours.JourneyMap.loads(
        HEAD + "stages: [{id: livraison, title: Livraison, submap: suivi}]\n", "shop.yaml"
    )

    def find(map_id: str) -> parcours.JourneyMap:
        raise NotFoundError(f"no map '{map_id}' in this workspace; maps: shop")

    with pytest.raises(parcours.MapError) as refused:
        resolve(parent, find)
    assert error_text(str(refused.value), "fr") == (
        "la carte de parcours n'est pas valide : shop.yaml:5 : l'étape « livraison » ouvre la "
        "carte « suivi », qui n'est pas enregistrée dans cet espace de travail (pas de carte "
        "« suivi » dans cet espace de travail ; cartes : shop) ; enregistrez-la d'abord "
        "(parcours maps save suivi.yaml), ou nommez un fichier : submap: {file: suivi.yaml} "
        "(champ stages[0].submap)"
    )


def test_the_apis_422_problems_are_said_in_the_requests_language_at_their_location():
    from tests.api.conftest import make_server

    server = make_server()
    with server.client:

        def run(lang: str):
            headers = {**server.as_("read"), "Accept-Language": lang}
            body = {"level": "channel", "levle": "stage"}
            return server.client.post("/v1/analyses/kpis", headers=headers, json=body).json()

        french, english = run("fr-FR,fr;q=0.9"), run("en")
    assert english["problems"] == [
        {
            "location": "body.level",
            "message": "'channel' is not allowed for body.level; allowed: 'touchpoint', 'stage'",
        },
        {
            "location": "body.levle",
            "message": "unknown field 'body.levle'; this field is not taken here",
        },
    ]
    assert french["problems"] == [
        {
            "location": "body.level",
            "message": "'channel' n'est pas permis pour body.level ; possibles : 'touchpoint', "
            "'stage'",
        },
        {
            "location": "body.levle",
            "message": "champ « body.levle » inconnu ; ce champ n'est pas pris ici",
        },
    ]
    assert french["detail"] == "; ".join(p["message"] for p in french["problems"])
    assert french["error"] == english["error"] == "invalid request"  # a kind, for programs


@pytest.mark.parametrize(
    "fixture",
    sorted((Path(__file__).parents[1] / "maps" / "fixtures" / "invalid").glob("*.yaml")),
    ids=lambda path: path.stem,
)
def test_every_problem_of_the_invalid_map_fixtures_is_said_in_french(fixture):
    """Each golden invalid map: every problem has its French words (a persona rule's parse
    error aside: see MAPS_ENGLISH)."""
    with pytest.raises(parcours.MapError) as refused:
        parcours.JourneyMap.load(fixture)
    for problem in refused.value.problems:
        if problem.message.startswith("rule "):
            continue
        french = error_text(str(problem), "fr")
        assert french != str(problem), french
        assert problem.field is None or french.endswith(f"(champ {problem.field})"), french


def test_the_field_words_are_the_ones_the_maps_write():
    """The catalogue keeps its own copy of parcours.maps.field_errors' English (importing the
    maps would slow every command's start): the two stay the same."""
    from parcours.maps.field_errors import OTHER, SENTENCES
    from parcours.render._error_words import FIELD_WORDS

    written = {**SENTENCES, "other": OTHER}
    assert {kind: en for kind, (_, en) in FIELD_WORDS.items()} == {
        kind: written[kind] for kind in FIELD_WORDS
    }
    # every sentence the maps write has its French words (a sentence shared by several
    # pydantic kinds is written once)
    assert set(written.values()) == {en for _, en in FIELD_WORDS.values()} | {
        SENTENCES["missing"],  # MAP_ERRORS "missing"
        SENTENCES["literal_error"],  # MAP_ERRORS "literal"
    }


def test_the_catalogue_copy_of_what_a_rule_allows_is_the_rules_own():
    from parcours.render import _error_words

    assert _error_words.RULE_ALLOWED == RULE_ALLOWED


@pytest.mark.parametrize(
    ("rule", "french"),
    [
        ("age() > 3", "règle 'age() > 3' : interdit ici : un appel de fonction comme valeur"),
        ("segment + 1", "règle 'segment + 1' : interdit ici : un calcul (+ - * /) là où une"),
        ("segment in 'B2C'", "interdit ici : une valeur seule après « in » (écrivez une liste)"),
        ("segment == other", "interdit ici : une comparaison entre deux attributs (colonne 12"),
        ("", "la règle '' est vide ; écrivez une condition"),
        ("segment ==", "la règle 'segment ==' est illisible (colonne"),
    ],
)
def test_a_refused_persona_rule_is_said_in_french_to_its_last_word(rule, french):
    from parcours.errors import InputError
    from parcours.maps.rules import Rule
    from parcours.render._error_words import RULE_ALLOWED_FR

    with pytest.raises(InputError) as refused:
        Rule.parse(rule)
    said = error_text(str(refused.value), "fr")
    assert french in said
    assert said.endswith("permis : " + RULE_ALLOWED_FR) or not rule  # an empty one: an example
    assert error_text(str(refused.value), "en") == str(refused.value)


def test_every_construct_a_rule_refuses_is_named_in_french():
    import ast

    from parcours.maps.rules import _Parser

    for kind in (ast.Call, ast.Attribute, ast.BinOp, ast.Lambda, ast.Subscript, ast.Name,
                 ast.Constant, ast.List, ast.Tuple):  # fmt: skip
        phrase = _Parser.describe(kind.__new__(kind))
        assert error_text(f"{phrase} as a value", "fr") != f"{phrase} as a value", phrase
