"""`parcours --help` and every command's help in the reader's language: `--lang` on the
command line, else PARCOURS_LANG, else the locale; and `--lang` on every command."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner

from parcours.cli.app import app
from parcours.cli.lazy import LazyCommand, command_of
from parcours.cli.localize import LANG_HELP, help_lang
from parcours.render._help_words import EXAMPLE, HELP_FR

WIDE = {"COLUMNS": "250", "PARCOURS_LANG": None, "LC_ALL": None}  # no help line wraps
FRENCH = {**WIDE, "LANG": "fr_FR.UTF-8"}
ENGLISH = {**WIDE, "LANG": "C.UTF-8"}


def _help(args: list[str], env: dict) -> str:
    out = CliRunner().invoke(app, args, env=env)
    assert out.exit_code == 0, out.output
    return out.output


def _commands(root=None) -> Iterator[tuple[tuple[str, ...], object, object]]:
    """Every command of the tree by its path: as listed, and as it runs (a lazy one loaded)."""

    def walk(listed, path):
        command = listed
        if isinstance(listed, LazyCommand):
            command = command_of(listed.load(), listed.name)
        yield path, listed, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, (*path, name))

    yield from walk(root or typer.main.get_command(app), ())


def _paragraphs(text: str | None) -> list[str]:
    return [" ".join(p.split()) for p in (text or "").split("\n\n") if p.strip()]


def test_the_list_of_commands_in_french_from_the_locale():
    shown = _help(["--help"], FRENCH)
    assert "Utilisation : parcours [OPTIONS] COMMANDE [ARGUMENTS]..." in shown
    assert "╭─ Options " in shown and "╭─ Commandes " in shown and "╭─ Analyses " in shown
    assert "Afficher cette aide et quitter." in shown
    assert "Commencez par parcours demo, puis parcours status." in shown
    # each command by its French summary
    assert (
        "Vérifier une carte de parcours ; chaque problème est listé avec sa ligne et ce qui "
        "est permis." in shown
    )
    assert "Les clés d'API du serveur REST : créer, lister, révoquer." in shown
    assert (
        "Les points de friction classés : sorties au-delà de la normale de l'étape, rebonds, "
        "appels à l'aide, avis négatifs." in shown
    )
    root = typer.main.get_command(app)
    for name, command in root.commands.items():
        summary = _paragraphs(command.help)[0]
        # markdown: `code` is shown without its backticks
        assert HELP_FR[summary].replace("`", "") in shown, name
        assert summary.replace("`", "") not in shown, name
    for english in ("Usage:", "Commands", "Show this message and exit.", "Start with"):
        assert english not in shown


def test_the_list_of_commands_in_english_by_default():
    shown = _help(["--help"], ENGLISH)
    assert "Usage: parcours [OPTIONS] COMMAND [ARGS]..." in shown
    assert "╭─ Commands " in shown and "Show this message and exit." in shown
    assert (
        "Check a journey map; every problem is listed with its line and what is allowed." in shown
    )
    assert "Vérifier" not in shown and "Commandes" not in shown


@pytest.mark.parametrize(
    ("args", "env", "french"),
    [
        (["validate", "--help", "--lang", "en"], FRENCH, False),  # the command line first
        (["--lang", "fr", "validate", "--help"], ENGLISH, True),
        (["validate", "--help"], {**FRENCH, "PARCOURS_LANG": "en"}, False),  # then the variable
        (["validate", "--help"], {**ENGLISH, "PARCOURS_LANG": "fr"}, True),
        (["validate", "--help"], {**ENGLISH, "LC_ALL": "fr_BE.UTF-8"}, True),  # then the locale
    ],
)
def test_the_language_of_help_is_the_command_lines_then_the_variables(args, env, french):
    shown = _help(args, env)
    assert ("Le fichier YAML de la carte du parcours." in shown) is french
    assert ("The journey map YAML file." in shown) is not french


def test_a_commands_help_in_french_panels_brackets_and_options():
    shown = _help(["maps", "diff", "--help"], FRENCH)
    assert "Utilisation : parcours maps diff [OPTIONS] {map_id}" in shown
    assert "╭─ Arguments " in shown and "╭─ Options " in shown
    assert (
        "Ce qui a changé entre deux versions d'une carte : par étape, point de contact, "
        "persona et canal, puis les différences du texte YAML." in shown
    )
    assert "Exemple : parcours maps diff maison-lumiere --from 1 --to 2" in shown
    assert "La version la plus ancienne." in shown and "[requis]" in shown
    assert "table, json ou csv." in shown and "[par défaut : table]" in shown
    assert "[variable d'environnement : PARCOURS_WORKSPACE]" in shown
    assert "[par défaut : parcours.duckdb]" in shown
    for english in ("[default:", "[required]", "[env var:", "Example:", "Usage:"):
        assert english not in shown


def test_an_analysis_help_in_french_once_its_command_is_loaded():
    shown = _help(["funnel", "--help"], FRENCH)
    assert "Utilisation : parcours funnel [OPTIONS] {steps}..." in shown
    assert (
        "période de la table de conversion dans le temps : day (jour), week (semaine) ou month "
        "(mois)" in shown
    )
    assert "Afficher toutes les tables du résultat." in shown
    assert "Print every table of the result." not in shown


def test_every_help_paragraph_has_its_french_and_none_is_left_over():
    used: set[str] = set()
    for path, listed, command in _commands():
        texts = [listed.help, command.help, getattr(listed, "rich_help_panel", None)]
        texts += [getattr(param, "help", None) for param in command.params]
        for text in texts:
            for paragraph in _paragraphs(text):
                if EXAMPLE.fullmatch(paragraph):
                    continue  # its commands kept, its first word said in French
                assert paragraph in HELP_FR, (path, paragraph)
                used.add(paragraph)
    # the --lang that localize adds to each command is not in the tree Typer builds
    assert set(HELP_FR) - used == {LANG_HELP}


def test_every_command_takes_lang():
    from parcours.cli.localize import localize

    root = typer.main.get_command(app)
    localize(root, "en")
    for path, listed, command in _commands(root):
        if hasattr(command, "commands") and path:
            continue  # a group (maps, keys) passes it on to its commands
        if isinstance(listed, LazyCommand):
            localize(command, "en")  # as its make_context does
        names = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert "--lang" in names, path


def test_lang_after_the_command_chooses_its_words(tmp_path):
    import parcours

    workspace = tmp_path / "w.duckdb"
    parcours.open(workspace).close()
    args = ["status", "-w", str(workspace), "--lang"]
    french = CliRunner().invoke(app, [*args, "fr"], env=ENGLISH)
    assert french.exit_code == 0, french.output
    assert "Espace de travail" in french.output and "personnes reliées" in french.output
    english = CliRunner().invoke(app, [*args, "en"], env=FRENCH)
    assert "Workspace" in english.output and "persons resolved" in english.output
    wrong = CliRunner().invoke(app, [*args, "de"], env=ENGLISH)
    assert wrong.exit_code != 0
    assert "--lang 'de' is not known; allowed: fr, en" in str(wrong.exception)


def test_help_lang_reads_the_whole_command_line(monkeypatch):
    monkeypatch.delenv("PARCOURS_LANG", raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    assert help_lang(["report", "map", "--lang", "en", "--help"]) == "en"
    assert help_lang(["--lang=en"]) == "en"
    assert help_lang(["status"]) == "fr"
    assert help_lang(["ingest", "events", "f.csv", "--", "--lang", "en"]) == "fr"
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert help_lang(["status"]) == "en"


@pytest.mark.parametrize("argv", [[], ["maps"], ["keys"]])
def test_a_group_alone_shows_its_help_and_no_empty_error(argv, monkeypatch, capsys):
    import sys

    from parcours.cli import main

    for name, value in FRENCH.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "argv", ["parcours", *argv])
    with pytest.raises(SystemExit) as end:
        main()
    assert end.value.code == 2  # as Click ends a group called with nothing to do
    said = capsys.readouterr()
    assert "╭─ Commandes " in said.out
    assert "Erreur" not in said.err and "Voyez" not in said.err


@pytest.mark.parametrize(
    "env, text, integer, file",
    [(FRENCH, "texte", "entier", "fichier"), (ENGLISH, "text", "integer", "file")],
)
def test_values_are_named_in_words_and_flags_take_none(env, text, integer, file):
    # Typer would show Python's types beside the options: <str>, <bool>, <list[str]>
    shown = _help(["ingest", "--help"], env) + _help(["paths", "--help"], env)
    shown += _help(["demo", "--help"], env)  # --persons: an integer of at least 100
    assert not {"<str>", "<bool>", "<int>", "<path>", "range>"} & set(shown.split())
    assert f"<{text}>" in shown and f"<{integer}>" in shown and f"<{file}>" in shown
    assert "<events|customers|feedback>" in shown  # a choice shows the values to type
    help_line = next(line for line in shown.splitlines() if "--help" in line)
    assert "<" not in help_line  # a flag takes no value
    steps = next(
        line for line in _help(["funnel", "--help"], env).splitlines() if "steps..." in line
    )
    assert f"<{text}>..." in steps  # a list: one value or more
