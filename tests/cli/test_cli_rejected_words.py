"""Why a row was refused, in the reader's language: every reason the ingestion writes (kept in
English in the ``rejected`` table and the API) has its French words, and the CLI says the
counts and the rows in them."""

from __future__ import annotations

import textwrap

import pytest
from typer.testing import CliRunner

import parcours
from parcours.cli.app import app
from parcours.render.present import error_text

# One row per reason an events file can be refused for (row 1 is kept; e1 again conflicts).
EVENTS_CSV = textwrap.dedent(
    """\
    event_id,ts,customer_id,phone,channel,event,revenue
    e1,2026-03-01 10:00:00,c1,,web,view,
    e2,,c1,,web,view,
    e3,hier,c1,,web,view,
    e4,1767225600,c1,,web,view,
    e5,1900-01-01 00:00:00,c1,,web,view,
    e6,2026-03-01 10:00:00,,,web,view,
    e7,2026-03-01 10:00:00,c1,,,view,
    e8,2026-03-01 10:00:00,c1,,web,,
    e9,2026-03-01 10:00:00,c1,,web,buy,abc
    e10,2026-03-01 10:00:00,c1,,web,buy,inf
    e11,2026-03-01 10:00:00,,123,web,view,
    e1,2026-03-01 11:00:00,c1,,web,view,
    e12,2026-03-01 10:00:00,c1,,web,view,,extra
    e13,"2026-03-01 10:00:00,c1,,web,view,
    """
)
EVENTS_NDJSON = (
    '{"event_id":"n1","ts":"2026-03-01 10:00:00","customer_id":"c1","channel":"web",'
    '"event":"view"}\n{oops\n[1,2]\n'
)
EVENTS_FORMATTED = "when,who,channel,event\n31/11/2026 12:30,c1,web,view\n"
FEEDBACK_CSV = textwrap.dedent(
    """\
    feedback_id,ts,customer_id,kind,score,verbatim
    f1,2026-03-01,c1,,5,
    f2,2026-03-01,c1,zzz,5,
    f3,2026-03-01,c1,nps,11,
    f4,2026-03-01,c1,nps,,
    f5,2026-03-01,c1,nps,abc,
    """
)


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    """A workspace that refused one row for each reason, and the ingestion reports."""
    folder = tmp_path_factory.mktemp("refused")
    (folder / "ev.csv").write_text(EVENTS_CSV)
    (folder / "ev.ndjson").write_text(EVENTS_NDJSON)
    (folder / "fr.csv").write_text(EVENTS_FORMATTED)
    (folder / "fb.csv").write_text(FEEDBACK_CSV)
    path = folder / "w.duckdb"
    with parcours.open(path) as ws:
        reports = [
            ws.ingest_events(folder / "ev.csv"),
            ws.ingest_events(folder / "ev.ndjson"),
            ws.ingest_events(
                folder / "fr.csv",
                {"ts": "when", "customer_id": "who", "timestamp_format": "%d/%m/%Y %H:%M"},
            ),
            ws.ingest_feedback(folder / "fb.csv"),
        ]
        reasons = sorted(set(ws.rejected.reason.to_pyarrow().to_pylist()))
    return path, reports, reasons


def test_every_reason_refused_has_its_french_words(refused):
    _, reports, reasons = refused
    assert len(reasons) == 21  # the rows above: one reason each
    untranslated = [reason for reason in reasons if error_text(reason, "fr") == reason]
    assert not untranslated, "add them to parcours/render/_reason_words.py:\n" + "\n".join(
        untranslated
    )
    # the counts per kind of reason (values as …) read the same way
    families = [family for report in reports for family in report.reasons]
    assert len(families) == 21
    assert [f for f in families if error_text(f, "fr") == f] == []


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("ts 'hier' is not a timestamp; expected an ISO 8601 date-time such as "
         "2026-03-01T14:05:00+01:00 or 2026-03-01 14:05:00",
         "ts 'hier' n'est pas une date-heure ; attendu : une date-heure ISO 8601 comme "
         "2026-03-01T14:05:00+01:00 ou 2026-03-01 14:05:00"),
        ("ts '31/11/2026 12:30' is not a timestamp; expected %d/%m/%Y %H:%M",
         "ts '31/11/2026 12:30' n'est pas une date-heure ; format attendu : %d/%m/%Y %H:%M"),
        ("malformed CSV line 14: expected 7 fields, found 8",
         "ligne CSV 14 mal formée : 7 champs attendus, 8 trouvés"),
        ("score out of range for nps; allowed: 0 to 10",
         "note hors de l'échelle de nps ; permises : de 0 à 10"),
    ],
)  # fmt: skip
def test_a_reason_keeps_its_values_as_written(refused, english, french):
    assert english in refused[2]
    assert error_text(english, "fr") == french
    assert error_text(english, "en") == english


def test_cli_says_the_counts_and_the_rows_in_french(refused, tmp_path):
    path = refused[0]
    (tmp_path / "one.csv").write_text(
        "ts,customer_id,channel,event\n2026-03-02 10:00:00,c9,web,view\nnope,c9,web,view\n"
    )
    env = {"COLUMNS": "200"}
    ingested = CliRunner().invoke(
        app, ["--lang", "fr", "ingest", "events", str(tmp_path / "one.csv"), "-w", str(path)],
        env=env,
    )  # fmt: skip
    assert ingested.exit_code == 0, ingested.output
    # French says 0 and 1 in the singular
    assert "1 acceptée, 0 doublon, 1 refusée" in ingested.output
    assert "1 × ts … n'est pas une date-heure" in ingested.output
    shown = CliRunner().invoke(app, ["--lang", "fr", "rejected", "-w", str(path)], env=env)
    assert shown.exit_code == 0, shown.output
    assert "ev.csv, ligne 3 (events)\xa0: ts 'hier' n'est pas une date-heure" in shown.output
    assert '{"event_id":"e3","ts":"hier"' in shown.output  # what the row held
    english = CliRunner().invoke(app, ["--lang", "en", "rejected", "-w", str(path)], env=env)
    assert "ev.csv, row 3 (events): ts 'hier' is not a timestamp" in english.output


def test_cli_says_when_nothing_was_refused(tmp_path):
    path = tmp_path / "w.duckdb"
    parcours.open(path).close()
    out = CliRunner().invoke(app, ["--lang", "fr", "rejected", "-w", str(path)])
    assert out.exit_code == 0 and "Aucune ligne refusée." in out.output


def test_conflicts_and_replaced_versions_say_their_differences_in_french(tmp_path):
    header = "event_id,ts,customer_id,channel,event\n"
    (tmp_path / "a.csv").write_text(header + "e1,2026-03-01 10:00:00,c1,web,view\n")
    # e1 stored with another event; e2 twice in the file, its second row without channel
    (tmp_path / "b.csv").write_text(
        header
        + "e1,2026-03-01 10:00:00,c1,web,buy\n"
        + "e2,2026-03-01 11:00:00,c1,web,view\ne2,2026-03-01 11:00:00,c1,app,view\n"
    )
    (tmp_path / "c.csv").write_text(header + "e1,2026-03-01 10:00:00,c1,app,view\n")
    with parcours.open(tmp_path / "w.duckdb") as ws:
        ws.ingest_events(tmp_path / "a.csv")
        ws.ingest_events(tmp_path / "b.csv")
        ws.ingest_events(tmp_path / "c.csv", on_conflict="latest")
        reasons = sorted(ws.rejected.reason.to_pyarrow().to_pylist())
    french = [error_text(reason, "fr") for reason in reasons]
    assert len(french) == 3, reasons
    assert [f for f, r in zip(french, reasons, strict=True) if f == r] == []
    assert not [f for f in french if "(kept:" in f or "(was:" in f]
    assert (
        "event_id 'e2' est déjà donné par la ligne 2 avec un autre channel 'app' "
        "(version gardée : 'web') ; la première version est gardée" in " ".join(french)
    )
    replaced = next(f for f in french if "remplacée" in f)
    assert replaced == (
        "event_id 'e1' : cette version enregistrée a été remplacée par la ligne 1 de "
        f"{tmp_path / 'c.csv'}, qui a un autre channel 'app' (avant : 'web') (on_conflict: latest)"
    )


def test_an_empty_value_in_a_conflict_is_said_empty_in_french():
    reason = (
        "event_id 'e2' is given again by row 4 with another email 'a@x.fr' (kept: empty), "
        "customer_id empty (kept: 'c1'); the latest version is kept (on_conflict: first keeps "
        "the first)"
    )
    assert error_text(reason, "fr") == (
        "event_id 'e2' est donné à nouveau par la ligne 4 avec un autre email 'a@x.fr' "
        "(version gardée : vide), customer_id vide (version gardée : 'c1') ; la dernière "
        "version est gardée (on_conflict: first garde la première)"
    )
