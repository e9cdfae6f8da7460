"""Ingestion: recognised columns, mappings, time zones, every rejection reason,
idempotence and atomicity."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import parcours
from parcours.errors import MappingError, SourceError
from parcours.store import ingest as ingest_module


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def rows(ws, table="events", order="ts"):
    return ws.table(table).order_by(order).to_pandas()


GOOD = """\
    event_id,ts,email,anonymous_id,channel,event,revenue,page_type
    e1,2026-03-01T10:00:00+02:00,Alice@Example.FR ,c1,Web,product_view,,product
    e2,2026-03-01 10:00:00,,c1,web,add_to_cart,,
    e3,2026-03-01T10:05:00Z,alice@example.fr,,web,purchase,"12,50",
"""


def test_columns_recognised_by_name(ws, tmp_path):
    report = ws.ingest_events(write(tmp_path, "ev.csv", GOOD))
    assert (report.rows, report.accepted, report.duplicates, report.rejected) == (3, 3, 0, 0)
    got = rows(ws)
    assert list(got.event_id) == ["e1", "e2", "e3"]
    # Aware times converted to UTC; the naive one read in Europe/Paris (UTC+1 in March).
    assert [str(t) for t in got.ts] == [
        "2026-03-01 08:00:00",
        "2026-03-01 09:00:00",
        "2026-03-01 10:05:00",
    ]
    assert list(got.email) == ["alice@example.fr", None, "alice@example.fr"]
    assert list(got.channel) == ["web", "web", "web"]
    assert got.revenue.iloc[2] == 12.5  # a decimal comma is read
    assert json.loads(got.properties.iloc[0]) == {"page_type": "product"}


XES_LOG = """\
    <?xml version="1.0" encoding="UTF-8"?>
    <log xes.version="1.0">
      <trace>
        <string key="concept:name" value="Case 1"/>
        <event>
          <string key="concept:name" value="Assign seriousness"/>
          <string key="org:resource" value="Value 1"/>
          <date key="time:timestamp" value="2012-10-09T14:50:17.000+00:00"/>
        </event>
        <event>
          <string key="concept:name" value="Closed"/>
          <date key="time:timestamp" value="2012-10-12T15:02:56.000+02:00"/>
        </event>
      </trace>
    </log>
"""


def test_an_event_log_is_read_by_its_standard_attributes(ws, tmp_path):
    """An XES log (and its CSV export, as pm4py writes it) needs no mapping of its case,
    activity and time: each case is a person's journey. Only the channel, which a process
    log does not name, is given."""
    channel = {"channel": {"value": "service_client"}}
    xes = ws.ingest_events(write(tmp_path, "log.xes", XES_LOG), channel)
    csv = write(
        tmp_path,
        "log.csv",
        """\
        case:concept:name,concept:name,org:resource,time:timestamp
        Case 2,Assign seriousness,Value 1,2012-10-09 14:50:17+00:00
        Case 2,Closed,,2012-10-12 13:02:56+00:00
        """,
    )
    exported = ws.ingest_events(csv, channel)
    assert (xes.accepted, exported.accepted, xes.rejected + exported.rejected) == (2, 2, 0)
    got = rows(ws, order=["customer_id", "ts"])
    assert list(got.customer_id) == ["Case 1", "Case 1", "Case 2", "Case 2"]
    assert list(got.event) == ["Assign seriousness", "Closed"] * 2
    assert [str(t) for t in got.ts] == ["2012-10-09 14:50:17", "2012-10-12 13:02:56"] * 2
    assert json.loads(got.properties.iloc[0]) == {"org:resource": "Value 1"}
    # a case id mapped to another identifier is not taken as a customer id too
    other = parcours.open(":memory:")
    other.ingest_events(csv, {**channel, "anonymous_id": "case:concept:name"})
    got = rows(other)
    assert list(got.anonymous_id) == ["Case 2", "Case 2"] and got.customer_id.isna().all()
    other.close()


def test_naive_timezone_across_daylight_saving_change(ws, tmp_path):
    # Paris goes from UTC+1 to UTC+2 at 02:00 on 2026-03-29 and back at 03:00 on 2026-10-25.
    path = write(
        tmp_path,
        "dst.csv",
        """\
        ts,anonymous_id,channel,event
        2026-03-29 01:30:00,c,web,a
        2026-03-29 03:30:00,c,web,b
        2026-10-25 01:30:00,c,web,c
        2026-10-25 03:30:00,c,web,d
        """,
    )
    ws.ingest_events(path)
    got = rows(ws)
    assert [str(t) for t in got.ts] == [
        "2026-03-29 00:30:00",  # still winter time
        "2026-03-29 01:30:00",  # summer time: only one hour of real time passed
        "2026-10-24 23:30:00",  # summer time
        "2026-10-25 02:30:00",  # winter time again: three hours of real time passed
    ]


def test_configured_timezone_for_naive_times(tmp_path):
    ws = parcours.open(":memory:", settings=parcours.Settings(timezone="America/New_York"))
    ws.ingest_events(
        write(tmp_path, "ny.csv", "ts,anonymous_id,channel,event\n2026-01-15 09:00:00,c,web,a\n")
    )
    assert str(rows(ws).ts.iloc[0]) == "2026-01-15 14:00:00"


def test_each_rejection_reason_names_row_and_field(ws, tmp_path):
    path = write(
        tmp_path,
        "bad.csv",
        """\
        ts,anonymous_id,phone,channel,event,revenue
        2026-03-01 10:00:00,c1,,web,page_view,
        not a date,c1,,web,page_view,
        ,c1,,web,page_view,
        2026-03-01 10:00:00,,,web,page_view,
        2026-03-01 10:00:00,c1,,web,,
        2026-03-01 10:00:00,c1,,,page_view,
        2026-03-01 10:00:00,c1,,web,purchase,ten euros
        2026-03-01 10:00:00,c1,12,web,page_view,
        too,few
        2026-03-01 11:00:00,c1,0612345678,web,page_view,
        """,
    )
    report = ws.ingest_events(path)
    assert (report.rows, report.accepted, report.rejected) == (10, 2, 8)
    rejected = ws.rejected.order_by("row_number").to_pandas()
    got = dict(zip(rejected.row_number, rejected.reason, strict=True))
    assert got[2].startswith("ts 'not a date' is not a timestamp; expected an ISO 8601")
    assert got[3] == "ts is empty"
    assert (
        got[4] == "no identifier; need one of customer_id, anonymous_id, email, phone, loyalty_id"
    )
    assert got[5] == "event is empty"
    assert got[6] == "channel is empty"
    assert got[7] == "revenue 'ten euros' is not a number"
    assert got[8] == "phone '12' is not a phone number (default region FR)"
    assert got[9].startswith("malformed CSV line")
    assert json.loads(rejected.set_index("row_number").record[2])["ts"] == "not a date"
    # The row after the malformed line keeps its own row number and is accepted.
    assert list(rows(ws).phone) == [None, "+33612345678"]


def test_reingesting_the_same_file_adds_nothing(ws, tmp_path):
    path = write(tmp_path, "ev.csv", GOOD + "    ,bad,c9,,web,x,,\n")
    first = ws.ingest_events(path)
    second = ws.ingest_events(path)
    assert (first.accepted, first.rejected) == (3, 1)
    assert (second.accepted, second.duplicates, second.rejected) == (0, 3, 1)
    assert ws.counts()["events"] == 3
    assert ws.counts()["rejected"] == 1


def test_event_id_derived_from_content_when_absent(ws, tmp_path):
    text = "ts,anonymous_id,channel,event\n2026-03-01 10:00:00,c1,web,a\n2026-03-01 10:00:00,c1,web,a\n2026-03-01 10:00:01,c1,web,a\n"
    report = ws.ingest_events(write(tmp_path, "noid.csv", text))
    # Two identical rows are one event seen twice; the third differs by a second.
    assert (report.accepted, report.duplicates) == (2, 1)
    again = ws.ingest_events(write(tmp_path, "copy.csv", text))
    assert again.accepted == 0


def test_mapping_from_yaml_with_constant_and_joined_columns(ws, tmp_path):
    source = write(
        tmp_path,
        "log.csv",
        """\
        case,activity,lifecycle,time,resource
        173688,A_SUBMITTED,COMPLETE,2011-10-01T00:38:44.546+02:00,112
        173688,W_Afhandelen leads,START,2011-10-01T11:36:46.437+02:00,10862
        """,
    )
    mapping = write(
        tmp_path,
        "mapping.yaml",
        """\
        events:
          customer_id: case
          event: {columns: [activity, lifecycle], sep: "/"}
          ts: time
          channel: {value: back_office}
          ignore: [resource]
        """,
    )
    report = ws.ingest_events(source, mapping=mapping)
    assert report.accepted == 2
    got = rows(ws)
    assert list(got.event) == ["A_SUBMITTED/COMPLETE", "W_Afhandelen leads/START"]
    assert set(got.channel) == {"back_office"}
    assert str(got.ts.iloc[0]) == "2011-09-30 22:38:44.546000"
    assert all(json.loads(p) == {} for p in got.properties)


def test_mapping_as_keyword_arguments_and_format(ws, tmp_path):
    source = write(tmp_path, "t.csv", "cust,day,amount\n1,19970101,29.33\n1,19970118,bad\n")
    report = ws.ingest_events(
        source,
        customer_id="cust",
        ts="day",
        revenue="amount",
        timestamp_format="%Y%m%d",
        timezone="UTC",
        event={"value": "purchase"},
        channel={"value": "web"},
    )
    assert (report.accepted, report.rejected) == (1, 1)
    assert str(rows(ws).ts.iloc[0]) == "1997-01-01 00:00:00"


def test_mapping_errors_say_what_exists(ws, tmp_path):
    source = write(tmp_path, "t.csv", "when,who,what\n2026-01-01,c,x\n")
    with pytest.raises(
        MappingError, match="field 'ts' is mapped to column 'time'.*columns are: when, who, what"
    ):
        ws.ingest_events(source, ts="time")
    with pytest.raises(MappingError, match="unknown key 'tz' for events; allowed: event_id, ts"):
        ws.ingest_events(source, tz="UTC")
    with pytest.raises(MappingError, match="no column for 'ts'"):
        ws.ingest_events(source, anonymous_id="who", event="what", channel={"value": "web"})


def test_unknown_source_type_and_missing_file(ws, tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        ws.ingest_events(tmp_path / "absent.csv")
    with pytest.raises(SourceError, match="unknown file type; allowed endings"):
        ws.ingest_events(write(tmp_path, "x.xlsx", "nope"))


def test_pandas_arrow_parquet_and_ndjson_sources(ws, tmp_path):
    frame = pd.DataFrame(
        {
            "ts": pd.to_datetime(["2026-03-01 10:00", "2026-03-01 11:00"]).tz_localize(
                "Europe/Paris"
            ),
            "customer_id": ["k1", "k2"],
            "channel": ["app", "app"],
            "event": ["app_open", "login"],
            "late": [True, None],
            "items": [3, 4],
        }
    )
    assert ws.ingest_events(frame).accepted == 2
    assert ws.ingest_events(pa.Table.from_pandas(frame)).duplicates == 2
    frame.to_parquet(tmp_path / "f.parquet")
    assert ws.ingest_events(tmp_path / "f.parquet").duplicates == 2
    ndjson = tmp_path / "f.ndjson"
    ndjson.write_text(
        '{"ts": "2026-03-02T10:00:00+01:00", "customer_id": "k3", "channel": "app", "event": "x"}\n'
    )
    assert ws.ingest_events(ndjson).accepted == 1
    got = rows(ws)
    assert [str(t) for t in got.ts] == [
        "2026-03-01 09:00:00",
        "2026-03-01 10:00:00",
        "2026-03-02 09:00:00",
    ]
    # Typed properties keep their JSON types.
    assert json.loads(got.properties.iloc[0]) == {"late": True, "items": 3}


def test_ingest_is_atomic_when_interrupted(ws, tmp_path, monkeypatch):
    ws.ingest_events(write(tmp_path, "a.csv", GOOD))
    before = ws.counts()
    original = ws.con.insert
    calls = {"n": 0}

    def failing_insert(name, obj, **kw):
        calls["n"] += 1
        if name == "batches":  # events are already inserted at this point
            raise KeyboardInterrupt
        return original(name, obj, **kw)

    monkeypatch.setattr(ws.con, "insert", failing_insert)
    more = GOOD.replace("e1", "e7").replace("e2", "e8").replace("e3", "e9")
    with pytest.raises(KeyboardInterrupt):
        ws.ingest_events(write(tmp_path, "b.csv", more))
    monkeypatch.setattr(ws.con, "insert", original)
    assert calls["n"] >= 2
    assert ws.counts() == before
    assert ws.ingest_events(write(tmp_path, "b.csv", more)).accepted == 3


def test_progress_callback_reaches_100(ws, tmp_path):
    seen: list[float] = []
    ws.ingest_events(write(tmp_path, "a.csv", GOOD), on_progress=seen.append)
    assert seen[-1] == 100.0


def test_customers_and_feedback(ws, tmp_path):
    customers = write(
        tmp_path,
        "crm.csv",
        """\
        customer_id,email,phone,loyalty_id,segment,age_band
        k1,Alice@Example.fr,+33 6 12 34 56 78,L1,B2C,25-34
        ,,,,B2C,65+
        """,
    )
    report = ws.ingest_customers(customers)
    assert (report.accepted, report.rejected) == (1, 1)
    row = ws.customers.to_pandas().iloc[0]
    assert (row.email, row.phone) == ("alice@example.fr", "+33612345678")
    assert json.loads(row.attributes) == {"segment": "B2C", "age_band": "25-34"}
    assert ws.ingest_customers(customers).accepted == 0

    feedback = write(
        tmp_path,
        "fb.csv",
        """\
        ts,email,touchpoint,kind,score,verbatim,language
        2026-03-01 10:00:00,alice@example.fr,livraison,nps,3,Livraison en retard,fr
        2026-03-01 10:00:00,alice@example.fr,livraison,nps,11,,fr
        2026-03-01 10:00:00,alice@example.fr,livraison,stars,4,,fr
        2026-03-01 10:00:00,alice@example.fr,livraison,csat,,,fr
        2026-03-01 10:00:00,,magasin,review,,Très bon accueil,fr
        """,
    )
    report = ws.ingest_feedback(feedback)
    assert (report.accepted, report.rejected) == (2, 3)
    reasons = sorted(ws.rejected.filter(ws.rejected.target == "feedback").reason.to_pandas())
    assert reasons == [
        "kind 'stars' is unknown; allowed: nps, csat, ces, review",
        "score is empty (only a review may have no score)",
        "score out of range for nps; allowed: 0 to 10",
    ]


def test_hashed_identifiers_still_match(tmp_path):
    settings = parcours.Settings(hash_salt="s3cret")
    ws = parcours.open(tmp_path / "h.duckdb", settings=settings)
    ws.ingest_events(write(tmp_path, "a.csv", GOOD))
    emails = set(rows(ws).email.dropna())
    assert len(emails) == 1 and "alice" not in next(iter(emails))
    ws.close()
    other = parcours.open(tmp_path / "h.duckdb", settings=parcours.Settings(hash_salt="other"))
    with pytest.raises(parcours.WorkspaceError, match="same salt"):
        other.ingest_events(write(tmp_path, "b.csv", GOOD))


def test_reason_family_hides_values():
    import ibis

    expr = ingest_module._reason_family(ibis.literal("ts 'x' is not a timestamp"))
    assert expr.to_pyarrow().as_py() == "ts … is not a timestamp"


def test_report_lists_each_rejected_row_and_source_name(ws, tmp_path):
    text = "ts,anonymous_id,channel,event\nbad,c1,web,a\n2026-03-01 10:00:00,,web,a\nx\n2026-03-01 10:00:00,c1,web,a\n"
    report = ws.ingest_events(write(tmp_path, "r.csv", text), source_name="collector:k1")
    assert [row for row, _ in report.rejections] == [1, 2, 3]
    assert report.rejections[1][1].startswith("no identifier")
    assert set(ws.events.source.to_pandas()) == {"collector:k1"}
    again = ws.ingest_events(write(tmp_path, "r.csv", text), source_name="collector:k1")
    assert [row for row, _ in again.rejections] == [1, 2, 3]  # listed even when already kept
