"""Every command prints in one language: `parcours --lang`, else PARCOURS_LANG, else the
command's map, else the locale; the closing error message too."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from parcours.cli import main
from parcours.cli.app import app
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
