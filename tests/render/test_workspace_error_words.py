"""The workspace's messages (opening, holding, privacy, keys, comments, compaction, export,
`parcours init`) are said in French too, and a count a message groups in thousands is
written in the reader's digits."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parcours.render._error_words import ERROR_PATTERNS
from parcours.render._workspace_error_words import WORKSPACE_ERRORS
from parcours.render.present import error_text
from tests.render.test_error_words import _templates

PACKAGE = Path(__file__).resolve().parents[2] / "parcours"
# Where the workspace raises; the ingest's own sources are read by test_error_words.
SOURCES = [
    PACKAGE / "workspace.py",
    PACKAGE / "remote.py",
    *sorted((PACKAGE / "cli").glob("*.py")),
    *(
        path
        for path in sorted((PACKAGE / "store").glob("*.py"))
        if path.stem not in ("sources", "mapping", "ingest", "xes", "salvage", "spark_files")
    ),
]
ERRORS = ("WorkspaceError", "WorkspaceBusyError", "InputError", "NotFoundError")


def _said(node: ast.AST) -> ast.expr | None:
    """The message of a raise, of a notice (``notices.append(...)``), of the notice of
    unused space (``compact.unused_notice``) or of an erasure's bytes (``.physical = ...``)."""
    if isinstance(node, ast.Call) and node.args:
        if getattr(node.func, "id", None) in ERRORS:
            return node.args[0]
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "append":
            target = func.value
            if getattr(target, "attr", None) == "notices" or getattr(target, "id", "") == "notices":
                return node.args[0]
    if isinstance(node, ast.Assign) and getattr(node.targets[0], "attr", None) == "physical":
        return node.value  # what became of an erased person's bytes
    if isinstance(node, ast.FunctionDef) and node.name == "unused_notice":
        returned = next(n for n in ast.walk(node) if isinstance(n, ast.Return))
        return returned.value
    return None


def _raised() -> list[tuple[str, str]]:
    return [
        (f"{path.name}:{node.lineno}", text)
        for path in SOURCES
        for node in ast.walk(ast.parse(path.read_text()))
        if (message := _said(node)) is not None
        for text in _templates(message)
        if text != "{}"  # a notice made by unused_notice, read there
    ] + [
        # the export's own checks (xes.py raises InputError, not a SourceError)
        ("xes.py", "export: format '{}' is not known; allowed: xes, csv"),
        ("xes.py", "XES export: case '{}' is not known; allowed: {}"),
    ]


def test_every_message_of_the_workspace_has_its_french_words():
    found = _raised()
    assert len(found) > 40  # the scan reads the workspace's raises
    patterns = set(ERROR_PATTERNS.values())
    missing = [f"{where}: {text!r}" for where, text in found if text not in patterns]
    assert not missing, "add to parcours/render/_workspace_error_words.py:\n" + "\n".join(missing)
    said = {text for _, text in found}
    assert not {en for _, en in WORKSPACE_ERRORS.values()} - said  # no stale entry


@pytest.mark.parametrize("key", sorted(WORKSPACE_ERRORS))
def test_french_workspace_words_use_every_value_once(key):
    fr, en = WORKSPACE_ERRORS[key]
    fields = [name for _, name, _, _ in string.Formatter().parse(fr) if name is not None]
    assert sorted(fields, key=int) == [str(i) for i in range(en.count("{}"))]


@pytest.mark.parametrize(
    ("message", "french"),
    [
        (
            "w.duckdb: 1,536 MiB of the file are free space, left by rows deleted or rewritten "
            "(kept persons and journeys brought up to date) or by an ingest that did not finish; "
            "DuckDB fills it again as it writes, `parcours compact` gives it back to the disk now",
            "w.duckdb : 1\u202f536 Mio du fichier sont de l'espace libre, laissé par des lignes "
            "effacées ou réécrites (personnes et parcours gardés mis à jour) ou par un chargement "
            "inachevé ; DuckDB le réutilise en écrivant, `parcours compact` le rend au disque "
            "tout de suite",
        ),
        (
            "a comment has at most 2,000 characters; this one has 12,345",
            "un commentaire a au plus 2\u202f000 caractères ; celui-ci en a 12\u202f345",
        ),
        (
            "the document is 2,000,000 bytes; at most 1,048,576 are allowed",
            "le document fait 2\u202f000\u202f000 octets ; 1\u202f048\u202f576 au plus sont permis",
        ),
        # numbers not grouped stay as written: a reader copies them into the command
        ("confidence 1.5 is not allowed: give a level between 0 and 1",
         "le niveau de confiance 1.5 n'est pas permis : donnez un niveau entre 0 et 1"),
    ],
)  # fmt: skip
def test_a_count_in_a_message_is_written_in_the_readers_digits(message, french):
    assert error_text(message, "fr") == french
    assert error_text(message, "en") == message


def test_forget_and_compact_refuse_in_french(tmp_path, monkeypatch, capsys):
    import sys

    import parcours
    from parcours.cli import main

    workspace = tmp_path / "w.duckdb"
    parcours.open(workspace).close()
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("PARCOURS_LANG", raising=False)
    monkeypatch.setenv("COLUMNS", "300")
    said = []
    for argv in (
        ["forget", "fax:0102", "--yes", "-w", str(workspace)],
        ["compact", "-w", str(tmp_path / "none.duckdb")],
    ):
        monkeypatch.setattr(sys, "argv", ["parcours", *argv])
        with pytest.raises(SystemExit) as end:
            main()
        assert end.value.code == 2
        said.append(" ".join(capsys.readouterr().err.split()))
    assert said[0] == (
        "Erreur : « fax:0102 » : écrivez l'identifiant sous la forme type:valeur, le type parmi "
        "customer_id, loyalty_id, email, phone, anonymous_id (par ex. email:alice@example.fr)"
    )
    nowhere = tmp_path / "none.duckdb"
    assert said[1] == f"Erreur : {nowhere} : pas d'espace de travail ici ; rien à compacter"


def test_init_refuses_to_overwrite_in_french(tmp_path):
    from parcours.cli.app import app

    out = tmp_path / "journey.yaml"
    out.write_text("map: x\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["init", "--out", str(out), "--lang", "fr"])
    assert done.exit_code != 0
    assert error_text(str(done.exception), "fr") == (
        f"{out} existe déjà ; choisissez un autre --out ou ajoutez --force"
    )


def test_a_notice_on_opening_is_said_in_the_runs_language(monkeypatch):
    from rich.console import Console

    from parcours.cli import output

    console = Console(width=300, record=True, force_terminal=False)
    monkeypatch.setattr(output, "err_console", console)
    notice = "w.duckdb: finished the rewrite of an interrupted erasure (`parcours forget`)"
    output.choose_lang("fr")
    output.reader_lang()
    output.say_notice(notice)
    output.choose_lang("en")
    output.reader_lang()
    output.say_notice(notice)
    output.choose_lang(None)
    assert console.export_text().splitlines() == [
        "remarque : w.duckdb : la réécriture d'un effacement interrompu (`parcours forget`) est "
        "terminée",
        f"note: {notice}",
    ]


def test_forget_says_what_became_of_the_bytes_in_french(tmp_path):
    import pandas as pd

    import parcours
    from parcours.cli.app import app

    workspace = tmp_path / "w.duckdb"
    ws = parcours.open(workspace)
    ws.ingest_events(
        pd.DataFrame(
            {
                "event_id": ["e1", "e2"],
                "ts": pd.Timestamp("2026-03-01", tz="UTC"),
                "customer_id": ["c1", "c2"],
                "channel": "web",
                "event": "page_view",
            }
        )
    )
    ws.close()
    args = ["forget", "customer_id:c1", "--yes", "-w", str(workspace), "--lang", "fr"]
    done = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
    assert done.exit_code == 0, done.output
    said = done.output.replace("\xa0", " ")  # French no-break spaces read as spaces
    assert f"Octets : {workspace} réécrit sans leurs octets, sans journal WAL à côté." in (
        said.splitlines()
    )
