"""Every command prints in one language: `parcours --lang`, else PARCOURS_LANG, else the
command's map, else the locale; the closing error message too."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from typer.testing import CliRunner

from parcours.cli import main
from parcours.cli.app import app
from parcours.cli.output import choose_lang
from parcours.maps import render_template


@pytest.fixture
def journey(tmp_path):
    path = tmp_path / "journey.yaml"
    path.write_text(render_template("cinq-phases", "en"), encoding="utf-8")
    return path


def _validate(journey, *before: str, env: dict | None = None) -> str:
    out = CliRunner().invoke(app, [*before, "validate", str(journey)], env=env)
    assert out.exit_code == 0, out.output
    return " ".join(out.output.split())


def test_global_lang_and_environment_choose_the_words(journey):
    # the template in English: a map in English prints in English by default
    assert f"✓ {journey} is valid: " in _validate(journey, env={"PARCOURS_LANG": ""})
    french = _validate(journey, "--lang", "fr")
    assert f"✓ {journey} est valide : " in french
    assert "5 étapes" in french and "canaux." in french
    assert f"✓ {journey} est valide : " in _validate(journey, env={"PARCOURS_LANG": "fr"})
    # the option wins over the environment
    english = _validate(journey, "--lang", "en", env={"PARCOURS_LANG": "fr"})
    assert f"✓ {journey} is valid: " in english and "5 stages" in english


def test_status_labels_and_numbers_in_french(tmp_path):
    import pandas as pd

    import parcours

    ws = parcours.open(tmp_path / "w.duckdb")
    ws.ingest_events(
        pd.DataFrame(
            {
                "event_id": [f"e{i}" for i in range(1200)],
                "ts": pd.Timestamp("2026-03-01", tz="UTC"),
                "customer_id": [f"c{i % 3}" for i in range(1200)],
                "channel": "web",
                "event": "page_view",
            }
        )
    )
    ws.close()
    out = CliRunner().invoke(app, ["--lang", "fr", "status", "-w", str(tmp_path / "w.duckdb")])
    assert out.exit_code == 0, out.output
    assert "Espace de travail" in out.output
    # 1,200 events, with the French thousands separator (a narrow no-break space)
    assert "événements" in out.output and "1\u202f200" in out.output


def test_status_says_its_notices_in_the_maps_language(tmp_path, monkeypatch):
    import parcours
    from parcours.maps import JourneyMap
    from parcours.store import compact

    path = tmp_path / "w.duckdb"
    with parcours.open(path) as ws:
        ws.save_map(JourneyMap.loads(render_template("cinq-phases", "fr")))
    monkeypatch.setattr(compact, "worth_it", lambda path, unused: True)  # space to give back
    env = {"PARCOURS_LANG": "", "LANG": "en_US.UTF-8", "COLUMNS": "200"}
    out = CliRunner().invoke(app, ["status", "-w", str(path)], env=env)
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())
    assert "Espace de travail" in said  # the map's language: French
    assert "remarque :" in said and "Mio du fichier sont de l'espace libre" in said
    english = CliRunner().invoke(app, ["--lang", "en", "status", "-w", str(path)], env=env)
    assert "MiB of the file are free space" in " ".join(english.output.split())


def test_error_message_in_the_runs_language(journey, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(
        "sys.argv", ["parcours", "--lang", "fr", "validate", str(tmp_path / "none.yaml")]
    )
    with pytest.raises(SystemExit) as end:
        main()
    assert end.value.code == 2
    said = " ".join(capsys.readouterr().err.split())
    assert said == f"Erreur : {tmp_path / 'none.yaml'} : ce fichier n'existe pas"


def _refused(monkeypatch, capsys, *argv: str) -> str:
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.setattr("sys.argv", ["parcours", *argv])
    with pytest.raises(SystemExit) as end:
        main()
    assert end.value.code == 2
    return " ".join(capsys.readouterr().err.split())


@pytest.mark.parametrize(
    ("option", "words"),
    [
        ((), "Erreur : frictions : top 0 n'est pas permis"),  # the map's language
        (("--lang", "fr"), "Erreur : frictions : top 0 n'est pas permis"),
        (("--lang", "en"), "Error: frictions: top 0 is not allowed"),
    ],
)
def test_an_analysis_refuses_a_parameter_in_the_commands_language(
    monkeypatch, capsys, tmp_path, option, words
):
    """The analysis refuses ``--top 0`` before the command prints anything: its message is
    said in the command's own --lang, else its map's (the demo map is French)."""
    import parcours
    from parcours.demo.load import load_demo

    with parcours.open(tmp_path / "w.duckdb") as ws:
        load_demo(ws, persons=60, seed=2)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("PARCOURS_LANG", raising=False)
    argv = ("frictions", "--top", "0", *option, "-w", str(tmp_path / "w.duckdb"))
    assert _refused(monkeypatch, capsys, *argv).startswith(words)


def test_a_map_that_does_not_validate_is_refused_in_french(monkeypatch, capsys, tmp_path):
    bad = tmp_path / "carte.yaml"
    bad.write_text(
        "map: m\ntitle: M\nstages: [{id: a, title: A}]\nchannels: [web]\n"
        "touchpoints: [{id: t, stage: b, channel: web, match: {event: e}}]\n"
        "conversion: {event: e}\n",
        encoding="utf-8",
    )
    said = _refused(monkeypatch, capsys, "--lang", "fr", "validate", str(bad))
    assert said == (
        f"Erreur : la carte de parcours n'est pas valide : {bad}:5 : le point de contact « t » "
        "renvoie à l'étape inconnue « b » ; étapes permises : a (champ touchpoints[0].stage)"
    )


def test_a_mapping_that_does_not_fit_is_refused_in_french(monkeypatch, capsys, tmp_path):
    source = tmp_path / "events.csv"
    source.write_text("quand,client,quoi\n2026-03-01 10:00,ana,view\n", encoding="utf-8")
    workspace = str(tmp_path / "w.duckdb")
    said = _refused(
        monkeypatch, capsys, "--lang", "fr", "ingest", "events", str(source), "-w", workspace
    )
    assert said == (
        f"Erreur : {source} : aucune colonne pour « ts » ; faites-en correspondre une (par ex. "
        "ts: ma_colonne) parmi : quand, client, quoi"
    )


def test_unknown_language_is_refused():
    out = CliRunner().invoke(app, ["--lang", "de", "status"])
    assert "--lang 'de' is not known; allowed: fr, en" in str(out.exception)


def test_key_commands_speak_french(tmp_path):
    import parcours

    parcours.open(tmp_path / "w.duckdb").close()
    common = ["-w", str(tmp_path / "w.duckdb")]
    made = CliRunner().invoke(app, ["--lang", "fr", "keys", "create", "--scope", "read", *common])
    assert made.exit_code == 0, made.output
    assert "Clé pk_" in made.output and "(portée read)" in made.output
    key_id = made.output.split("Clé ")[1].split()[0]
    gone = CliRunner().invoke(app, ["--lang", "fr", "keys", "revoke", key_id, *common])
    assert gone.exit_code == 0, gone.output
    assert f"{key_id} (portée read) révoquée le " in gone.output
    assert re.search(r"révoquée le \d{1,2} \w+ \d{4} à \d\d:\d\d UTC\.", gone.output)


def test_tables_of_the_workspace_speak_french(journey, tmp_path):
    common = ["-w", str(tmp_path / "w.duckdb")]
    saved = CliRunner().invoke(app, ["--lang", "fr", "maps", "save", str(journey), *common])
    assert saved.exit_code == 0, saved.output
    assert "enregistrée, version 1." in saved.output
    listed = CliRunner().invoke(app, ["--lang", "fr", "maps", "list", *common])
    assert listed.exit_code == 0, listed.output
    assert "Cartes" in listed.output and "dernière version" in listed.output
    # JSON keeps the field names, for programs
    raw = CliRunner().invoke(app, ["--lang", "fr", "maps", "list", "--format", "json", *common])
    assert '"latest_version": 1' in raw.output


@pytest.mark.parametrize("map_lang", ["fr", "en"])
def test_workspace_commands_speak_the_language_of_its_map(tmp_path, map_lang):
    """status, rejected, maps list, keys list read no map of their own: they speak the
    workspace map's language, as the analyses do, when the reader chose none; the locale's
    before any map is saved."""
    path = tmp_path / "journey.yaml"
    path.write_text(render_template("cinq-phases", map_lang), encoding="utf-8")
    common = ["-w", str(tmp_path / "w.duckdb")]
    english_locale = {"PARCOURS_LANG": "", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    french_locale = {**english_locale, "LC_ALL": "fr_FR.UTF-8"}

    def said(*args: str, env: dict) -> str:
        out = CliRunner().invoke(app, [*args, *common], env={**env, "COLUMNS": "200"})
        assert out.exit_code == 0, out.output
        return out.output

    import parcours

    parcours.open(tmp_path / "w.duckdb").close()
    before = said("status", env=french_locale)  # no map yet: the locale's
    assert "Espace de travail" in before
    assert "Workspace" in said("status", env=english_locale)
    saved = CliRunner().invoke(app, ["maps", "save", str(path), *common], env=english_locale)
    assert saved.exit_code == 0, saved.output
    words = {  # a title of each command, in each language
        "status": ("Espace de travail", "Workspace"),
        "rejected": ("Aucune ligne refusée", "No rejected row"),
        "maps list": ("Cartes", "Maps"),
        "keys list": ("Clés d'API", "API keys"),
    }
    other = "en" if map_lang == "fr" else "fr"
    for command, (fr, en) in words.items():
        expected, not_expected = (fr, en) if map_lang == "fr" else (en, fr)
        for env in (english_locale, french_locale):  # the locale does not decide
            out = said(*command.split(), env=env)
            assert expected in out and not_expected not in out, (command, env, out)
        # the reader's choice wins over the map's
        chosen = said("--lang", other, *command.split(), env=english_locale)
        assert not_expected in chosen, (command, chosen)


def _saved_at(workspace, when: dt.datetime) -> None:
    """Every saved version of the workspace dated ``when`` (UTC), for a stable printout."""
    import duckdb

    with duckdb.connect(str(workspace)) as con:
        con.execute("UPDATE maps SET saved_at = ?", [when])


@pytest.mark.parametrize(
    ("lang", "written"),
    [("fr", "9 mai 2026 à 14:05 UTC"), ("en", "9 May 2026, 14:05 UTC")],
)
def test_maps_list_and_history_write_when_in_the_readers_words(journey, tmp_path, lang, written):
    workspace = tmp_path / "w.duckdb"
    common = ["-w", str(workspace)]
    saved = CliRunner().invoke(app, ["maps", "save", str(journey), "--message", "first", *common])
    assert saved.exit_code == 0, saved.output
    _saved_at(workspace, dt.datetime(2026, 5, 9, 14, 5, 31))
    for command in (["maps", "list"], ["maps", "history", "cinq-phases"]):
        out = CliRunner().invoke(app, ["--lang", lang, *command, *common], env={"COLUMNS": "200"})
        assert out.exit_code == 0, out.output
        assert written in out.output and "2026-05-09" not in out.output
    # JSON keeps the timestamp as data, for programs
    raw = CliRunner().invoke(app, ["--lang", lang, "maps", "list", "-f", "json", *common])
    assert "2026-05-09T14:05:31" in raw.output


def test_an_internal_error_is_headed_in_the_runs_language(monkeypatch, capsys):
    import parcours.cli.app

    def crash(**_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(parcours.cli.app, "app", crash)  # main() imports it when it runs
    monkeypatch.setattr("sys.argv", ["parcours", "status"])
    choose_lang(None)  # a new run
    monkeypatch.setenv("PARCOURS_LANG", "fr")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("PARCOURS_DEBUG", raising=False)
    with pytest.raises(SystemExit) as end:
        main()
    assert end.value.code == 1
    assert capsys.readouterr().err.split("\n")[:2] == [
        "Erreur interne : RuntimeError: boom",
        "Relancez avec PARCOURS_DEBUG=1 pour voir la trace, et signalez-la.",
    ]
    choose_lang(None)  # a new run: the language is found again
    monkeypatch.setenv("PARCOURS_LANG", "en")
    with pytest.raises(SystemExit):
        main()
    assert capsys.readouterr().err.startswith("Internal error: RuntimeError: boom\nRun again")


@pytest.mark.parametrize(
    ("lang", "created", "revoked"),
    [
        ("fr", "9 mai 2026 à 14:05 UTC", "10 mai 2026 à 08:00 UTC"),
        ("en", "9 May 2026, 14:05 UTC", "10 May 2026, 08:00 UTC"),
    ],
)
def test_keys_list_writes_its_dates_in_the_readers_words(tmp_path, lang, created, revoked):
    import duckdb

    import parcours

    workspace = tmp_path / "w.duckdb"
    parcours.open(workspace).close()
    common = ["-w", str(workspace)]
    for name in ("site", "app"):
        made = CliRunner().invoke(
            app, ["keys", "create", "--scope", "write", "--name", name, *common]
        )
        assert made.exit_code == 0, made.output
    with duckdb.connect(str(workspace)) as con:
        con.execute("UPDATE api_keys SET created_at = ?", [dt.datetime(2026, 5, 9, 14, 5)])
        con.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE name = 'app'", [dt.datetime(2026, 5, 10, 8)]
        )
    listed = CliRunner().invoke(
        app, ["--lang", lang, "keys", "list", "--all", *common], env={"COLUMNS": "200"}
    )
    assert listed.exit_code == 0, listed.output
    assert listed.output.count(created) == 2 and listed.output.count(revoked) == 1
    assert "2026-05-09" not in listed.output
    raw = CliRunner().invoke(app, ["keys", "list", "--all", "-f", "json", *common])
    assert '"created_at": "2026-05-09T14:05:00"' in raw.output  # JSON keeps ISO text


FUNNEL_MAP = """map: shop
title: {fr: Boutique, en: Shop}
stages:
  - {id: decouverte, title: {fr: Découverte, en: Discovery}}
  - {id: achat, title: {fr: Achat, en: Purchase}}
channels: [web]
touchpoints:
  - {id: fiche, title: {fr: Fiche produit, en: Product page}, stage: decouverte, channel: web,
     match: {event: product_view}}
  - {id: paiement, title: {fr: Paiement, en: Payment}, stage: achat, channel: web,
     match: {event: purchase}}
conversion: {event: purchase}
"""


@pytest.mark.parametrize(
    ("unit", "lang", "label", "column"),
    [
        # French: a no-break space before the colon
        ("attempts", "fr", "Tentatives\u00a0: 3", "Tentatives"),
        ("attempts", "en", "Attempts: 3", "Attempts"),
        ("journeys", "fr", "Parcours entrés\u00a0: 3", "Parcours"),
        ("persons", "fr", "Personnes entrées\u00a0: 2", "Personnes"),
    ],
)
def test_the_funnel_names_what_it_counts(tmp_path, unit, lang, label, column):
    import parcours
    from parcours.maps import JourneyMap
    from tests.timelines import events_frame

    # ana views, buys, views and buys again: two attempts, two journeys (each cut at its
    # purchase); bob views only: one attempt, one journey
    timelines = {
        "ana": [
            ("2026-03-01 10:00", "web", "product_view"),
            ("2026-03-01 10:05", "web", "purchase"),
            ("2026-03-02 10:00", "web", "product_view"),
            ("2026-03-02 10:05", "web", "purchase"),
        ],
        "bob": [("2026-03-01 11:00", "web", "product_view")],
    }
    path = tmp_path / "shop.duckdb"
    with parcours.open(path) as ws:
        ws.ingest_events(events_frame(timelines))
        ws.save_map(JourneyMap.loads(FUNNEL_MAP), "shop")
    out = CliRunner().invoke(
        app,
        ["--lang", lang, "funnel", "fiche", "paiement", "--unit", unit, "-w", str(path)],
        env={"COLUMNS": "200"},
    )
    assert out.exit_code == 0, out.output
    lines = out.output.split("\n")
    assert f"  {label}" in lines, out.output
    header = next(line for line in lines if "Fiche produit" not in line and "┃" in line)
    assert column in header


@pytest.mark.parametrize(
    ("argv", "french", "english"),
    [
        (
            ["funnel", "--bogus"],
            "Erreur : option inconnue : --bogus",
            "Error: No such option: --bogus",
        ),
        (
            ["validate"],
            "Erreur : argument 'file' manquant.",
            "Error: Missing argument 'file'.",
        ),
        (
            ["keys", "create", "--scope", "owner"],
            "Erreur : valeur non valide pour '--scope' : 'owner' n'est pas l'un de 'read', "
            "'write', 'admin'.",
            "Error: Invalid value for '--scope': Value error, 'owner' is not one of 'read', "
            "'write', 'admin'.",
        ),
        (
            ["demo", "--persons", "beaucoup"],
            "Erreur : valeur non valide pour '--persons' : il faut un nombre entier",
            "Error: Invalid value for '--persons': Input should be a valid integer, unable to "
            "parse string as an integer",
        ),
        (["nope"], "Erreur : commande 'nope' inconnue.", "Error: No such command 'nope'."),
    ],
)
def test_usage_errors_are_said_in_the_runs_language(monkeypatch, capsys, argv, french, english):
    monkeypatch.setenv("COLUMNS", "400")
    command = "parcours " + " ".join(argv[:2] if argv[0] == "keys" else argv[:1])
    command = "parcours" if argv == ["nope"] else command
    for lang, usage, hint, error in (
        ("fr", "Utilisation :", f"Voyez « {command} --help » pour l'aide.", french),
        ("en", "Usage:", f"Try '{command} --help' for help.", english),
    ):
        monkeypatch.setattr("sys.argv", ["parcours", "--lang", lang, *argv])
        with pytest.raises(SystemExit) as end:
            main()
        assert end.value.code == 2
        lines = capsys.readouterr().err.strip().split("\n")
        assert lines[0].startswith(f"{usage} {command} ")
        assert lines[1:] == [hint, error]


def test_help_and_a_finished_command_still_exit_0(monkeypatch, capsys, journey):
    for argv in (["--help"], ["--lang", "fr", "validate", str(journey)]):
        monkeypatch.setattr("sys.argv", ["parcours", *argv])
        with pytest.raises(SystemExit) as end:
            main()
        assert end.value.code == 0, capsys.readouterr()
