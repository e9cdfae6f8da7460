"""RGPD erasure on a ``spark:DIR`` workspace: the Parquet files that held the person are
written again without them, in one commit; the old files go; the other persons stay; the
counts are those of the DuckDB erasure of the same data."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

import parcours
from tests.forgotten_person import ZOE, fill

pytestmark = pytest.mark.spark

# Every form in which the warehouse may hold Zoé, compared in lower case (the Parquet
# files' text is read lowered: Zoe.Quintal@Exemple.FR is found as zoe.quintal@exemple.fr).
ZOE_FORMS = tuple(dict.fromkeys(form.lower() for forms in ZOE.values() for form in forms))


def load(ws, folder) -> None:
    """Zoé in every table (tests/forgotten_person.py), and comments: one quoting her."""
    fill(ws, folder / "bad.csv")
    ws.add_comment("k", "stage:s1", "rappeler zoe.quintal@exemple.fr", "lea")
    ws.add_comment("k", "stage:s2", "fiche trop longue", "lea")


def parquet_text(folder) -> str:
    """Every value of every Parquet file under ``folder``, as lower-case text (read, not
    scanned as bytes: the pages are compressed), and every other file's text."""
    texts = []
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".parquet":
            texts.append(json.dumps(pq.read_table(path).to_pylist(), default=str))
        elif path.is_file() and path.name != "bad.csv":
            texts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(texts).lower()


def rows_of(ws, table: str, order: list[str]) -> list[dict]:
    frame = ws.table(table).to_pandas().sort_values(order).reset_index(drop=True)
    return json.loads(frame.to_json(orient="records", date_format="iso"))


# What the erasure takes: her 3 events (the cookie, the login with her email, the store
# purchase with her phone), her CRM row, her answer, the rejected row with her phone and
# email, the comment quoting her email, and her 5 identifiers (cookie, customer id, email,
# phone, card).
ERASED = {
    "events": 3,
    "customers": 1,
    "feedback": 1,
    "rejected": 1,
    "comments": 1,
    "identities": 5,
}


def test_forget_rewrites_the_parquet_files_that_held_the_person(tmp_path, spark_con):
    folder = tmp_path / "warehouse"
    spark_ws = parcours.open(f"spark:{folder}")
    load(spark_ws, tmp_path)
    before = parquet_text(folder)
    assert all(form in before for form in ZOE_FORMS), [f for f in ZOE_FORMS if f not in before]
    kept_before = {
        "events": [r for r in rows_of(spark_ws, "events", ["event_id"]) if r["customer_id"] in ("claire", "marc")],
        "customers": [r for r in rows_of(spark_ws, "customers", ["customer_id"]) if r["customer_id"] == "claire"],
    }  # fmt: skip
    files_before = set(folder.rglob("*.parquet"))

    erasure = spark_ws.forget("email:Zoe.Quintal@Exemple.FR")

    assert erasure.rows == ERASED
    assert erasure.identifiers == 5
    assert "Parquet files" in erasure.physical
    after = parquet_text(folder)
    assert [form for form in ZOE_FORMS if form in after] == []
    # The files that held her are gone from the disk, not only from the catalog.
    assert not any(p.exists() for p in files_before if "events" in p.parts)
    # Claire and Marc are untouched; the stranger's rejected row and comment stay.
    assert rows_of(spark_ws, "events", ["event_id"]) == kept_before["events"]
    assert rows_of(spark_ws, "customers", ["customer_id"]) == kept_before["customers"]
    assert spark_ws.counts()["rejected"] == 1 and spark_ws.counts()["feedback"] == 1
    assert [c.text for c in spark_ws.comments("k")] == ["fiche trop longue"]
    audit = spark_ws.con.table("audit").to_pandas()
    assert audit.action.tolist() == ["forget"]
    assert json.loads(audit.rows[0]) == ERASED
    # What forget left of the identities it resolved (not resolved again: one pass on Spark).
    left = spark_ws.con.table("identities").to_pandas()
    assert sorted(left.value) == ["LOY-CL-1", "claire", "marc"]
    spark_ws.close()

    # The same data in a DuckDB workspace: the same counts.
    duck = parcours.open(":memory:")
    load(duck, tmp_path)
    assert duck.forget("email:Zoe.Quintal@Exemple.FR").rows == erasure.rows
    again = parcours.open(f"spark:{folder}")  # what was committed is what is read again
    assert duck.counts() == again.counts()
    again.close()
    duck.close()
