"""POST /v1/ingest/{target}: a file (and an optional mapping) ingested as `parcours ingest`."""

from __future__ import annotations

CSV = """\
when,client,what,montant
2026-03-01 10:00:00,C1,product_view,
2026-03-01 10:05:00,C1,purchase,"49,90"
pas une date,C2,product_view,
"""

MAPPING = """\
ts: when
customer_id: client
event: what
revenue: montant
channel: {value: magasin}
timezone: UTC
"""


def upload(server, target, files, scope="write"):
    return server.client.post(f"/v1/ingest/{target}", headers=server.as_(scope), files=files)


def test_upload_with_mapping_returns_the_report(server):
    answer = upload(
        server,
        "events",
        {
            "file": ("ventes magasin.csv", CSV.encode(), "text/csv"),
            "mapping": ("m.yaml", MAPPING.encode()),
        },
    )
    assert answer.status_code == 200, answer.json()
    report = answer.json()
    assert (report["rows"], report["accepted"], report["rejected"]) == (3, 2, 1)
    assert report["source"] == "upload:ventes_magasin.csv"
    assert list(report["reasons"]) == [
        "ts … is not a timestamp; expected an ISO 8601 date-time such as 2026-03-01T14:05:00+01:00 or 2026-03-01 14:05:00"
    ]
    with server.workspace() as ws:
        events = ws.events.order_by("ts").to_pandas()
        rejected = ws.rejected.to_pandas()
    assert events.channel.tolist() == ["magasin", "magasin"]
    assert events.revenue.tolist()[1] == 49.9
    assert str(events.ts[0]) == "2026-03-01 10:00:00"  # timezone: UTC from the mapping
    assert set(events.source) == {"upload:ventes_magasin.csv"}
    assert rejected.row_number.tolist() == [3]
    assert rejected.source.tolist() == ["upload:ventes_magasin.csv"]
    again = upload(
        server,
        "events",
        {"file": ("ventes magasin.csv", CSV.encode()), "mapping": ("m.yaml", MAPPING.encode())},
    )
    assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 2)


def test_upload_errors_are_422_with_what_is_allowed(server):
    no_mapping = upload(server, "events", {"file": ("ventes.csv", CSV.encode())})
    assert no_mapping.status_code == 422
    assert "no column for 'ts'" in no_mapping.json()["detail"]
    wrong_type = upload(server, "events", {"file": ("ventes.xlsx", b"PK")})
    assert wrong_type.status_code == 422 and "allowed endings" in wrong_type.json()["detail"]
    bad_mapping = upload(
        server, "events", {"file": ("v.csv", CSV.encode()), "mapping": ("m.yaml", b"colour: red\n")}
    )
    assert bad_mapping.status_code == 422 and "unknown key 'colour'" in bad_mapping.json()["detail"]
    bad_target = upload(server, "orders", {"file": ("v.csv", CSV.encode())})
    assert bad_target.status_code == 422
    assert "'events', 'customers', 'feedback'" in bad_target.json()["detail"]
    no_file = server.client.post("/v1/ingest/events", headers=server.as_("write"))
    assert (
        no_file.status_code == 422
        and "missing required field 'body.file'" in no_file.json()["detail"]
    )


def test_customers_upload(server):
    crm = "customer_id,email,segment\nC1,Claire@Example.fr,B2C\nC2,,B2B\n"
    report = upload(server, "customers", {"file": ("crm.csv", crm.encode())}).json()
    assert (report["target"], report["accepted"]) == ("customers", 2)
    with server.workspace() as ws:
        assert (
            ws.customers.order_by("customer_id").email.to_pandas().tolist()[0]
            == "claire@example.fr"
        )
