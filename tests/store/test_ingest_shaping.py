"""Data shaping in the mapping: values recoded into ids, wide surveys read one row per
answer, scores meaning "not applicable" skipped and counted, feedback dated when it has no
date. Every expected value below is worked out by hand from the file written in the test."""

from __future__ import annotations

import json
import re
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from parcours.errors import MappingError
from parcours.store.mapping import ColumnMapping


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def column(ws, table: str, name: str, order: str = "seq") -> list:
    t = ws.table(table)
    return t.order_by(order)[name].to_pyarrow().to_pylist()


def counts(report) -> tuple[int, int, int, int, int, int]:
    return (
        report.rows,
        report.accepted,
        report.duplicates,
        report.conflicts,
        report.rejected,
        report.skipped,
    )


# -- recoding --------------------------------------------------------------------------------

STEPS = """\
    ts,channel,Step,customer_id
    2026-03-01 10:00:00,web,Equipment Received,C1
    2026-03-01 11:00:00,web,Order Placed,C1
    2026-03-01 12:00:00,web,  Équipement reçu !  ,C2
    2026-03-01 13:00:00,web,Unknown Thing,C2
"""


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            {"column": "Step", "values": {"Order Placed": "commande"}, "slug": True},
            ["equipment_received", "commande", "equipement_recu", "unknown_thing"],
        ),
        (
            {"column": "Step", "values": {"Order Placed": "commande"}},
            ["Equipment Received", "commande", "Équipement reçu !", "Unknown Thing"],
        ),
        (
            {"column": "Step", "slug": True},
            ["equipment_received", "order_placed", "equipement_recu", "unknown_thing"],
        ),
    ],
    ids=["table_then_slug", "table_only_others_as_written", "slug_only"],
)
def test_event_values_recoded(ws, tmp_path, source, expected):
    report = ws.ingest_events(write(tmp_path, "steps.csv", STEPS), {"event": source})
    assert counts(report) == (4, 4, 0, 0, 0, 0)
    assert column(ws, "events", "event") == expected
    assert column(ws, "events", "properties") == ["{}"] * 4  # Step is the event, not a property


def test_recoding_matches_the_trimmed_value_with_its_case(ws, tmp_path):
    path = write(
        tmp_path,
        "steps.csv",
        """\
        ts,channel,event,customer_id
        2026-03-01 10:00:00,Store ,view,C1
        2026-03-01 11:00:00,STORE,view,C1
        """,
    )
    mapping = {"channel": {"column": "channel", "values": {"Store": "magasin"}}}
    ws.ingest_events(path, mapping)
    # "Store " is trimmed, then recoded; "STORE" is not in the table: kept, lower-cased as
    # every channel is.
    assert column(ws, "events", "channel") == ["magasin", "store"]


def test_feedback_touchpoint_and_stage_recoded(ws, tmp_path):
    path = write(
        tmp_path,
        "fb.csv",
        """\
        email,ts,kind,score,Touchpoint,Stage
        a@x.fr,2026-03-01 10:00:00,csat,4,Equipment Received,After Sale
        """,
    )
    mapping = {
        "touchpoint": {"column": "Touchpoint", "slug": True},
        "stage": {"column": "Stage", "values": {"After Sale": "service_client"}},
    }
    assert ws.ingest_feedback(path, mapping).accepted == 1
    assert column(ws, "feedback", "touchpoint", "ts") == ["equipment_received"]
    assert column(ws, "feedback", "stage", "ts") == ["service_client"]


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"revenue": {"column": "r", "slug": True}}, "field 'revenue' is recoded (values, slug)"),
        ({"event": {"column": "e", "slug": "yes"}}, "slug is true or false; got 'yes'"),
        ({"event": {"column": "e", "values": ["a"]}}, "values is a table of raw value: id"),
        ({"event": {"column": "e", "values": {"a": True}}}, "values maps a text to a text"),
        ({"event": {"column": "e", "slug": False}}, "nothing to recode"),
        ({"event": {"value": "x", "slug": True}}, "expected a column name"),
    ],
    ids=["not_recodable", "slug_type", "values_list", "yes_no", "nothing", "constant"],
)
def test_a_recoding_that_cannot_be_used_is_a_mapping_error(spec, message):
    with pytest.raises(MappingError, match=re.escape(message)):
        ColumnMapping.parse("events", spec)


# -- wide surveys ----------------------------------------------------------------------------

WIDE = """\
    respondent,email,date,Livraison,Service client,Magasin,comment
    R1,a@x.fr,2026-03-01 10:00:00,5,,4,bien
    R2,b@x.fr,2026-03-02 10:00:00,0,3,9,
"""
WIDE_MAPPING = {
    "feedback_id": "respondent",
    "ts": "date",
    "kind": {"value": "csat"},
    "unpivot": {"columns": ["Livraison", "Service client", "Magasin"], "slug": True},
    "not_applicable": {"csat": [0]},
}


def test_a_wide_survey_is_one_row_per_answer(ws, tmp_path):
    path = write(tmp_path, "wide.csv", WIDE)
    report = ws.ingest_feedback(path, WIDE_MAPPING)
    # 2 rows x 3 columns = 6 answers: R1 Livraison 5 and Magasin 4, R2 Service client 3
    # kept; R1 Service client empty (no answer) and R2 Livraison 0 (csat 0: not applicable)
    # skipped; R2 Magasin 9 rejected (csat is 1 to 5).
    assert counts(report) == (6, 3, 0, 0, 1, 2)
    assert report.skips == {
        "no answer in column 'Service client'": 1,
        "score '0' means not applicable (csat)": 1,
    }
    assert report.rejections == [
        (2, "score out of range for csat; allowed: 1 to 5 (answer in column 'Magasin')")
    ]
    stored = ws.table("feedback").order_by("feedback_id").to_pyarrow().to_pylist()
    assert [(r["feedback_id"], r["touchpoint"], r["score"]) for r in stored] == [
        ("R1:Livraison", "livraison", 5.0),
        ("R1:Magasin", "magasin", 4.0),
        ("R2:Service client", "service_client", 3.0),
    ]
    assert [json.loads(r["properties"]) for r in stored] == [
        {"comment": "bien"},
        {"comment": "bien"},
        {"comment": None},
    ]
    assert {r["email"] for r in stored} == {"a@x.fr", "b@x.fr"}
    rejected = ws.table("rejected").to_pyarrow().to_pylist()
    assert [(r["row_number"], json.loads(r["record"])) for r in rejected] == [
        (
            2,
            {
                "respondent": "R2",
                "email": "b@x.fr",
                "date": "2026-03-02 10:00:00",
                "comment": None,
                "Magasin": "9",
            },
        )
    ]


def test_a_wide_survey_ingested_again_adds_nothing(ws, tmp_path):
    path = write(tmp_path, "wide.csv", WIDE)
    ws.ingest_feedback(path, WIDE_MAPPING)
    again = ws.ingest_feedback(path, WIDE_MAPPING)
    assert counts(again) == (6, 0, 3, 0, 1, 2)
    assert ws.table("feedback").count().to_pyarrow().as_py() == 3
    assert ws.table("rejected").count().to_pyarrow().as_py() == 1


def test_wide_columns_named_in_a_table_and_keys_from_content(ws, tmp_path):
    # No feedback_id: each answer's key is a digest of its row and column, so two equal
    # cells of one row are two answers.
    path = write(
        tmp_path,
        "wide.csv",
        """\
        email,date,Q1 - Delivery,Q2 - Store
        a@x.fr,2026-03-01 10:00:00,9,9
        """,
    )
    mapping = {
        "ts": "date",
        "kind": {"value": "nps"},
        "unpivot": {"columns": {"Q1 - Delivery": "livraison", "Q2 - Store": "magasin"}},
    }
    report = ws.ingest_feedback(path, mapping)
    assert counts(report) == (2, 2, 0, 0, 0, 0)
    assert column(ws, "feedback", "touchpoint", "touchpoint") == ["livraison", "magasin"]
    assert column(ws, "feedback", "score", "touchpoint") == [9.0, 9.0]


def test_wide_columns_give_verbatims_by_stage(ws, tmp_path):
    path = write(
        tmp_path,
        "wide.csv",
        """\
        email,date,Découverte,Achat
        a@x.fr,2026-03-01 10:00:00,Site clair,Trop long
        b@x.fr,2026-03-01 11:00:00,,Rapide
        """,
    )
    mapping = {
        "ts": "date",
        "kind": {"value": "review"},
        "unpivot": {"columns": ["Découverte", "Achat"], "into": "stage", "value": "verbatim"},
    }
    report = ws.ingest_feedback(path, mapping)
    assert counts(report) == (4, 3, 0, 0, 0, 1)
    got = ws.table("feedback").order_by(["ts", "stage"]).to_pyarrow().to_pylist()
    assert [(r["stage"], r["verbatim"], r["score"]) for r in got] == [
        ("Achat", "Trop long", None),
        ("Découverte", "Site clair", None),
        ("Achat", "Rapide", None),
    ]


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"unpivot": {"columns": ["A"], "into": "channel"}}, "into 'channel' is not known"),
        ({"unpivot": {"columns": ["A"], "value": "kind"}}, "value 'kind' is not known"),
        ({"unpivot": {"columns": []}}, "columns is a list of column names"),
        ({"unpivot": {"columns": ["A", "A"]}}, "names a column twice"),
        ({"unpivot": ["A"]}, "expected {columns:"),
        ({"score": "s", "unpivot": {"columns": ["A"]}}, "field 'score' comes from the unpivot"),
    ],
    ids=["into", "value", "empty", "twice", "list", "mapped_too"],
)
def test_an_unpivot_that_cannot_be_used_is_a_mapping_error(spec, message):
    with pytest.raises(MappingError, match=message):
        ColumnMapping.parse("feedback", spec)


def test_an_unpivoted_column_the_file_lacks_is_named(ws, tmp_path):
    path = write(tmp_path, "wide.csv", WIDE)
    mapping = {**WIDE_MAPPING, "unpivot": {"columns": ["Livraison", "Drive"]}}
    with pytest.raises(MappingError, match="unpivot names 'Drive', not a column of the source"):
        ws.ingest_feedback(path, mapping)


@pytest.mark.parametrize("option", ["unpivot", "not_applicable", "default_ts"])
def test_shaping_options_are_for_feedback_only(option):
    value = {"unpivot": {"columns": ["A"]}, "not_applicable": [0], "default_ts": "ingest"}
    with pytest.raises(MappingError, match=f"option '{option}' .* for feedback only"):
        ColumnMapping.parse("events", {option: value[option]})


# -- not applicable --------------------------------------------------------------------------

LONG = """\
    email,ts,kind,score,touchpoint
    a@x.fr,2026-03-01 10:00:00,nps,0,paiement
    a@x.fr,2026-03-01 10:00:00,csat,0,paiement
    b@x.fr,2026-03-01 10:00:00,csat,N/A,livraison
    b@x.fr,2026-03-01 10:00:00,csat, n/a ,livraison
    c@x.fr,2026-03-01 10:00:00,csat,6,livraison
"""


def test_not_applicable_scores_are_skipped_per_kind(ws, tmp_path):
    path = write(tmp_path, "long.csv", LONG)
    report = ws.ingest_feedback(path, {"not_applicable": {"csat": [0, "N/A"]}})
    # nps 0 is an answer (the rule is csat's); csat 0, N/A and " n/a " are skipped; csat 6
    # is out of range.
    assert counts(report) == (5, 1, 0, 0, 1, 3)
    assert report.skips == {
        "score '0' means not applicable (csat)": 1,
        "score 'N/A' means not applicable (csat)": 1,
        "score 'n/a' means not applicable (csat)": 1,
    }
    assert column(ws, "feedback", "kind", "ts") == ["nps"]
    assert ws.table("rejected").count().to_pyarrow().as_py() == 1


def test_not_applicable_for_every_kind(ws, tmp_path):
    path = write(tmp_path, "long.csv", LONG)
    report = ws.ingest_feedback(path, {"not_applicable": ["0.0"]})
    # "0.0" is the number 0: nps 0 and csat 0 are skipped; "N/A" is not a number: rejected.
    assert counts(report) == (5, 0, 0, 0, 3, 2)
    assert report.skips == {"score '0' means not applicable": 2}


def test_without_not_applicable_a_csat_of_zero_is_rejected(ws, tmp_path):
    report = ws.ingest_feedback(write(tmp_path, "long.csv", LONG))
    assert counts(report) == (5, 1, 0, 0, 4, 0)


@pytest.mark.parametrize(
    "value, message",
    [
        ({"sus": [0]}, "kind 'sus' is not known"),
        ([True], "is a number or a text; got True"),
        ([" "], "an empty text means no score"),
    ],
    ids=["kind", "boolean", "empty"],
)
def test_a_not_applicable_that_cannot_be_used_is_a_mapping_error(value, message):
    with pytest.raises(MappingError, match=message):
        ColumnMapping.parse("feedback", {"not_applicable": value})


# -- feedback without a date -----------------------------------------------------------------

UNDATED = """\
    feedback_id,email,kind,score
    f1,a@x.fr,nps,9
    f2,b@x.fr,nps,3
"""


def test_feedback_without_a_date_takes_the_ingest_time(ws, tmp_path):
    path = write(tmp_path, "undated.csv", UNDATED)
    before = datetime.now(UTC).replace(tzinfo=None)
    report = ws.ingest_feedback(path, {"default_ts": "ingest"})
    after = datetime.now(UTC).replace(tzinfo=None)
    assert counts(report) == (2, 2, 0, 0, 0, 0)
    times = column(ws, "feedback", "ts", "feedback_id")
    assert times[0] == times[1]
    assert before <= times[0] <= after
    # Ingested again (later): the same answers, no conflict over the time.
    again = ws.ingest_feedback(path, {"default_ts": "ingest"})
    assert counts(again) == (2, 0, 2, 0, 0, 0)
    assert column(ws, "feedback", "ts", "feedback_id") == times


def test_feedback_with_some_dates_takes_the_ingest_time_for_the_others(ws, tmp_path):
    path = write(
        tmp_path,
        "some.csv",
        """\
        email,ts,kind,score
        a@x.fr,2026-03-01T10:00:00Z,nps,9
        b@x.fr,,nps,3
        c@x.fr,yesterday,nps,5
        """,
    )
    report = ws.ingest_feedback(path, {"default_ts": "ingest"})
    # A date that cannot be read is rejected, never replaced.
    assert counts(report) == (3, 2, 0, 0, 1, 0)
    assert report.rejections[0][0] == 3
    assert "ts 'yesterday' is not a timestamp" in report.rejections[0][1]
    emails, times = column(ws, "feedback", "email", "email"), column(ws, "feedback", "ts", "email")
    got = dict(zip(emails, times, strict=True))
    assert str(got["a@x.fr"]) == "2026-03-01 10:00:00"
    assert got["b@x.fr"].year == datetime.now(UTC).year


def test_feedback_without_a_date_takes_another_column(ws, tmp_path):
    path = write(
        tmp_path,
        "sent.csv",
        """\
        email,answered_at,sent_at,kind,score
        a@x.fr,2026-03-02 09:00:00,2026-03-01 08:00:00,nps,9
        b@x.fr,,2026-03-01 08:00:00,nps,3
        c@x.fr,,,nps,5
        """,
    )
    mapping = {"ts": "answered_at", "default_ts": {"column": "sent_at"}}
    report = ws.ingest_feedback(path, mapping)
    assert counts(report) == (3, 2, 0, 0, 1, 0)
    assert report.rejections == [(3, "ts is empty")]
    # Naive times are Paris time (UTC+1 in March).
    got = ws.table("feedback").order_by("email").to_pyarrow().to_pylist()
    assert [(r["email"], str(r["ts"])) for r in got] == [
        ("a@x.fr", "2026-03-02 08:00:00"),
        ("b@x.fr", "2026-03-01 07:00:00"),
    ]
    assert [json.loads(r["properties"]) for r in got] == [{}, {}]  # sent_at is used


def test_feedback_without_a_date_column_takes_the_default_column(ws, tmp_path):
    path = write(
        tmp_path, "sent.csv", "email,sent_at,kind,score\na@x.fr,2026-03-01 08:00:00,nps,9\n"
    )
    ws.ingest_feedback(path, {"default_ts": {"column": "sent_at"}})
    assert [str(t) for t in column(ws, "feedback", "ts", "ts")] == ["2026-03-01 07:00:00"]


def test_feedback_without_a_date_and_no_default_says_how(ws, tmp_path):
    path = write(tmp_path, "undated.csv", UNDATED)
    with pytest.raises(MappingError, match="no column for 'ts'.*or date every row with default_ts"):
        ws.ingest_feedback(path)
    with pytest.raises(MappingError, match="default_ts is column 'sent', which the source"):
        ws.ingest_feedback(path, {"default_ts": {"column": "sent"}})


@pytest.mark.parametrize("value", ["today", {"value": "2026-01-01"}, 5])
def test_a_default_ts_that_cannot_be_used_is_a_mapping_error(value):
    with pytest.raises(MappingError, match="default_ts: expected 'ingest'"):
        ColumnMapping.parse("feedback", {"default_ts": value})


def test_shaping_read_from_a_yaml_mapping(ws, tmp_path):
    mapping = write(
        tmp_path,
        "mapping.yaml",
        """\
        feedback:
          feedback_id: respondent
          ts: date
          kind: {value: csat}
          unpivot:
            columns: [Livraison, Service client, Magasin]
            slug: true
          not_applicable: {csat: [0]}
        """,
    )
    report = ws.ingest_feedback(write(tmp_path, "wide.csv", WIDE), mapping)
    assert counts(report) == (6, 3, 0, 0, 1, 2)
