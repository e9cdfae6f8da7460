"""RGPD erasure: one person leaves every table, found by any identifier; others stay."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from parcours.errors import InputError
from tests.forgotten_person import ZOE, fill


@pytest.fixture
def loaded(ws, tmp_path):
    events = pd.DataFrame(
        {
            "ts": ["2026-03-01 10:00:00"] * 5,
            "anonymous_id": ["c1", "c1", None, "tablet", "c9"],
            "email": [None, "Alice@Ex.fr", None, None, None],
            "phone": [None, None, "06 12 34 56 78", None, None],
            "loyalty_id": [None, None, "L1", "L1", None],
            "channel": ["web", "web", "magasin", "magasin", "web"],
            "event": ["page_view", "login", "purchase", "product_view", "page_view"],
        }
    )
    ws.ingest_events(events)
    ws.ingest_customers(
        pd.DataFrame({"email": ["alice@ex.fr"], "loyalty_id": ["L1"], "segment": ["B2C"]})
    )
    ws.ingest_feedback(
        pd.DataFrame(
            {"ts": ["2026-03-02 10:00:00"], "loyalty_id": ["L1"], "kind": ["nps"], "score": [3]}
        )
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "ts,phone,channel,event\nnot a date,06 12 34 56 78,magasin,purchase\nnot a date,0699999999,web,x\n"
    )
    ws.ingest_events(bad)
    return ws


def test_forget_by_any_identifier_removes_the_person_everywhere(loaded):
    ws = loaded
    erasure = ws.forget("email:ALICE@ex.fr ")
    assert (
        erasure.rows
        == {
            "events": 4,  # cookie c1 (2), the store purchase (phone + card), the tablet scan with the card
            "customers": 1,
            "feedback": 1,
            "rejected": 1,  # the bad row with her phone, written with spaces
            "comments": 0,  # no map comment quotes her (tests/store/test_comments.py)
            # c1, email, phone, L1, and the cookie "tablet": only she used it, so it is hers.
            "identities": 5,
        }
    )
    assert erasure.identifiers == 5
    assert ws.counts()["events"] == 1  # only the stranger's c9 event is left
    assert ws.counts()["customers"] == 0 and ws.counts()["feedback"] == 0
    assert ws.counts()["rejected"] == 1
    audit = ws.con.table("audit").to_pandas()
    assert len(audit) == 1 and audit.action[0] == "forget"
    assert json.loads(audit.rows[0])["events"] == 4
    assert "alice" not in audit.to_json().lower() and "L1" not in audit.to_json()
    with pytest.raises(InputError, match="no person has email"):
        ws.forget("email:alice@ex.fr")


def test_forget_refuses_unknown_kinds_and_shared_identifiers(ws):
    events = pd.DataFrame(
        {
            "ts": ["2026-03-01 10:00:00"] * 8,
            "anonymous_id": ["tablet"] * 8,
            "loyalty_id": [f"L{i}" for i in range(8)],
            "channel": ["magasin"] * 8,
            "event": ["product_view"] * 8,
        }
    )
    ws.ingest_events(events)
    with pytest.raises(InputError, match="kind:value"):
        ws.forget("alice")
    with pytest.raises(InputError, match="shared by 8 persons"):
        ws.forget("anonymous_id:tablet")
    assert ws.forget("loyalty_id:L3").rows["events"] == 1


# -- out of the file's bytes ----------------------------------------------------------------


def zoe_forms(ws) -> dict[str, tuple[str, ...]]:
    """ZOE, plus the form the workspace stores her identifiers in when they are hashed."""
    from parcours.store.privacy import normalized

    forms = dict(ZOE)
    if ws.settings.hash_salt:
        for kind, value in (
            ("email", "zoe.quintal@exemple.fr"),
            ("phone", "06 87 65 43 21"),
            ("customer_id", "CUST-ZQ-90817"),
            ("anonymous_id", "ck-zq-5f3e9a"),
            ("loyalty_id", "LOY-ZQ-4471"),
        ):
            forms[f"hashed {kind}"] = (normalized(kind, value, ws),)
    return forms


def bytes_beside(path) -> dict[str, bytes]:
    """The workspace file and every file beside it (its WAL, leftovers), as raw bytes."""
    return {
        str(p.relative_to(path.parent)): p.read_bytes()
        for p in sorted(path.parent.rglob("*"))
        if p.is_file()
    }


def found(path, forms: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """How many times each value appears, in any of its forms, in the files beside ``path``."""
    files = bytes_beside(path)
    return {
        name: sum(data.count(v.encode()) for data in files.values() for v in values)
        for name, values in forms.items()
    }


def load_zoe(path, settings=None):
    """A workspace file with Zoé in every table (tests/forgotten_person.py); closed after a
    checkpoint, so everything is in the file."""
    from parcours import Settings, open

    ws = open(path, settings=settings or Settings())
    fill(ws, path.parent.parent / "bad.csv")  # not beside the workspace: the user's file
    ws.con.raw_sql("CHECKPOINT")
    forms = zoe_forms(ws)
    ws.close()
    return forms


@pytest.fixture(scope="module")
def zoe_templates(tmp_path_factory):
    """Zoé's workspace per salt (None: identifiers in clear), built once; tests copy it."""
    from parcours import Settings

    built = {}

    def template(salt):
        if salt not in built:
            path = tmp_path_factory.mktemp("zoe") / "ws" / "parcours.duckdb"
            settings = Settings(hash_salt=salt)
            forms = load_zoe(path, settings)
            # The scan sees every form stored before the erasure: its zeros afterwards mean
            # something. Hashed, her identifiers are stored as hashes (and, as received, in
            # the rejected row that holds her email and phone).
            before = found(path, forms)
            hashed_away = {"customer_id", "cookie", "loyalty_id"} if salt else set()
            assert all(n for name, n in before.items() if name not in hashed_away), before
            assert not any(before[name] for name in hashed_away), before
            built[salt] = path, settings, forms
        return built[salt]

    return template


def copy_of(template, tmp_path):
    """A copy of a template workspace, alone in its folder."""
    import shutil

    source, settings, forms = template
    path = tmp_path / "ws" / "parcours.duckdb"
    path.parent.mkdir()
    shutil.copyfile(source, path)
    return path, settings, forms


@pytest.fixture(params=[None, "sel-de-test"], ids=["clear", "hashed"])
def zoe_file(request, zoe_templates, tmp_path):
    return copy_of(zoe_templates(request.param), tmp_path)


@pytest.fixture
def zoe_clear(zoe_templates, tmp_path):
    return copy_of(zoe_templates(None), tmp_path)


def test_forget_leaves_no_byte_of_the_person_in_the_file_or_beside_it(zoe_file):
    import parcours

    path, settings, forms = zoe_file
    ws = parcours.open(path, settings=settings)
    counts = ws.counts()
    erasure = ws.forget("email:zoe.quintal@exemple.fr")
    # Nothing of her, even while the workspace is open, and no WAL or copy beside it.
    assert found(path, forms) == dict.fromkeys(forms, 0)
    assert list(bytes_beside(path)) == ["parcours.duckdb"]
    assert erasure.rows["events"] == 3 and erasure.rows["customers"] == 1
    assert erasure.rows["feedback"] == 1 and erasure.rows["rejected"] == 1
    assert erasure.compaction is not None  # the file was rewritten
    # The workspace object keeps working on the rewritten file.
    assert ws.counts()["events"] == counts["events"] - 3
    assert ws.kpis().table.set_index("id").loc["achat", "persons"] == 1  # claire
    ws.close()
    assert found(path, forms) == dict.fromkeys(forms, 0)
    assert list(bytes_beside(path)) == ["parcours.duckdb"]
    # The others are intact, in the tables and in the bytes; analyses run after a reopen.
    assert found(path, {"claire": ("3 place Bellecour", "LOY-CL-1")})["claire"] >= 2
    ws = parcours.open(path, settings=settings)
    assert ws.notices == []
    after = ws.counts()
    assert after["customers"] == 1 and after["feedback"] == 1
    assert after["rejected"] == 1  # the stranger's row
    assert sorted(ws.events.event.to_pyarrow().to_pylist()) == ["purchase", "view", "view"]
    assert ws.funnel(["fiche", "achat"]).conversion == pytest.approx(0.5)
    audit = ws.con.table("audit").to_pandas()
    assert len(audit) == 1 and audit.subject[0] == erasure.subject
    ws.close()


def test_forget_in_memory_deletes_rows_and_says_that_is_enough(loaded):
    erasure = loaded.forget("loyalty_id:L1")
    assert erasure.compaction is None
    assert "in memory" in erasure.physical


# A process that dies (os._exit: no cleanup, as a kill) at a given point of a rewrite.
CRASH = """
import os, sys
import parcours
from parcours.config import Settings

real_replace = os.replace
def die_before(src, dst):
    os._exit(9)
def die_after(src, dst):
    real_replace(src, dst)
    os._exit(9)

ws = parcours.open(sys.argv[1], settings=Settings(hash_salt=sys.argv[4] or None))
os.replace = {"before_swap": die_before, "after_swap": die_after}[sys.argv[2]]
if sys.argv[3] == "compact":
    ws.compact()
else:
    ws.forget(sys.argv[3])
os._exit(0)
"""


def crash(path, moment: str, action: str, settings=None) -> None:
    import subprocess
    import sys

    salt = (settings.hash_salt if settings else None) or ""
    done = subprocess.run(
        [sys.executable, "-c", CRASH, str(path), moment, action, salt],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 9, done.stderr


@pytest.mark.parametrize("moment", ["before_swap", "after_swap"])
def test_forget_killed_during_the_rewrite_is_finished_at_the_next_open(zoe_clear, moment):
    import parcours

    path, settings, forms = zoe_clear
    crash(path, moment, "email:zoe.quintal@exemple.fr", settings)
    if moment == "before_swap":  # the old file, whole, and a finished copy beside it
        assert (path.parent / "parcours.duckdb.compacting").exists()
    ws = parcours.open(path, settings=settings)
    if moment == "before_swap":
        assert any("finished the rewrite of an interrupted erasure" in n for n in ws.notices)
    assert list(bytes_beside(path)) == ["parcours.duckdb"]
    assert found(path, forms) == dict.fromkeys(forms, 0)
    assert ws.counts()["events"] == 3 and ws.counts()["customers"] == 1
    assert len(ws.con.table("audit").to_pandas()) == 1
    ws.close()


def test_compact_killed_before_the_swap_leaves_the_old_file_and_leftovers_removed_at_open(
    zoe_clear,
):
    import parcours

    path, _, _ = zoe_clear
    with parcours.open(path) as ws:
        counts = ws.counts()
    crash(path, "before_swap", "compact")
    leftover = path.parent / "parcours.duckdb.compacting"
    assert leftover.exists()
    leftover.with_name(leftover.name + ".wal").write_bytes(b"half a WAL, killed while written")
    spill = path.parent / "parcours.duckdb.tmp" / "duckdb_temp_storage_S32K-0.tmp"
    spill.parent.mkdir()
    spill.write_bytes(b"rows a killed sort spilled: zoe.quintal@exemple.fr")
    with parcours.open(path) as ws:
        assert list(bytes_beside(path)) == ["parcours.duckdb"]
        assert ws.counts() == counts
        assert ws.funnel(["fiche", "achat"]).conversion == pytest.approx(2 / 3)


def test_a_second_connection_of_this_process_stops_the_swap_and_the_next_open_finishes(
    zoe_clear,
):
    import parcours
    from parcours.errors import WorkspaceError

    path, _, forms = zoe_clear
    ws, other = parcours.open(path), parcours.open(path)  # one DuckDB database, shared
    with pytest.raises(WorkspaceError, match="not yet out of the file's bytes"):
        ws.forget("email:zoe.quintal@exemple.fr")
    assert other.counts()["events"] == 3  # deleted, and both connections still work
    assert ws.counts()["events"] == 3
    assert not (path.parent / "parcours.duckdb.compacting").exists()
    other.close()
    ws.close()
    with parcours.open(path) as ws:
        assert any("finished the rewrite" in n for n in ws.notices)
    assert found(path, forms) == dict.fromkeys(forms, 0)


# An ingest killed after writing its rows, before its commit: the same uncommitted append
# of 300,000 events, then os._exit (no rollback, no close: what kill -9 leaves). DuckDB
# writes a large append to the file before the commit, five row groups at a time by
# default (a big ingest); one at a time here, so that a small append does the same.
KILLED_INGEST = """
import os, sys
import duckdb

con = duckdb.connect(sys.argv[1], config={"write_buffer_row_group_count": 1})
con.execute("BEGIN TRANSACTION")
con.execute(\"\"\"
    INSERT INTO events (event_id, ts, customer_id, channel, event, properties, seq)
    SELECT 'big-' || i, TIMESTAMP '2026-01-01' + to_seconds(i), 'c' || (i % 5000), 'web',
           'view', '{"page": "/produits/' || md5(i::VARCHAR) || '"}', i
    FROM range(300000) AS t(i)
\"\"\")
os._exit(9)
"""


def test_compact_gives_back_the_space_of_a_killed_ingest(zoe_clear, monkeypatch):
    import subprocess
    import sys

    import parcours
    from parcours.store import compact

    path, _, _ = zoe_clear
    with parcours.open(path) as ws:
        counts = ws.counts()
    size = path.stat().st_size
    done = subprocess.run(
        [sys.executable, "-c", KILLED_INGEST, str(path)], capture_output=True, text=True
    )
    assert done.returncode == 9, done.stderr
    grown = sum(p.stat().st_size for p in path.parent.iterdir())
    assert grown > size + 4 * 2**20  # the killed ingest's blocks, no data added
    monkeypatch.setattr(compact, "NOTICE_BYTES", 2**20)
    ws = parcours.open(path)
    assert ws.counts() == counts
    assert any("parcours compact" in n for n in ws.notices), ws.notices
    result = ws.compact()
    assert result.before == grown and result.after < size + 2**20
    assert path.stat().st_size == result.after
    assert ws.counts() == counts
    assert ws.funnel(["fiche", "achat"]).conversion == pytest.approx(2 / 3)
    ws.close()
    with parcours.open(path) as ws:
        assert ws.notices == []


def test_compact_needs_a_workspace_file(ws):
    from parcours.errors import WorkspaceError

    with pytest.raises(WorkspaceError, match="in memory"):
        ws.compact()
