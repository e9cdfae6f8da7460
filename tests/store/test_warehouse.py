"""The warehouse directory of a ``spark:DIR`` workspace: commits, rollbacks, leftovers,
ownership (no Spark needed: parts are written here with pyarrow)."""

from __future__ import annotations

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from parcours import Settings
from parcours.config import from_env
from parcours.errors import InputError, WorkspaceBusyError, WorkspaceError
from parcours.store.warehouse import CATALOG, STAGING, Catalog

SCHEMA = ibis.schema({"key": "!string", "value": "string"})


def write_rows(rows):
    def write(folder):
        folder.mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist(rows), folder / "part-0.parquet")

    return write


def test_a_commit_names_the_parts_and_survives_reopening(tmp_path):
    catalog = Catalog(tmp_path)
    with catalog.transaction():
        part = catalog.new_part("meta", write_rows([{"key": "a", "value": "1"}]))
        catalog.put("meta", SCHEMA, [part])
    assert catalog.version == 1
    catalog.close()
    again = Catalog(tmp_path)
    assert again.names() == ["meta"]
    assert again.schema("meta") == SCHEMA
    assert [p.name for p in again.parts("meta")] == [part.name]
    again.close()


def test_a_failed_transaction_leaves_the_warehouse_as_it_was(tmp_path):
    catalog = Catalog(tmp_path)
    with catalog.transaction():
        catalog.put("meta", SCHEMA, [])
    with pytest.raises(KeyboardInterrupt), catalog.transaction():
        part = catalog.new_part("meta", write_rows([{"key": "a", "value": "1"}]))
        catalog.put("meta", SCHEMA, [part])
        catalog.put("events", SCHEMA, [])
        raise KeyboardInterrupt  # Ctrl-C in the middle of a batch
    assert catalog.version == 1
    assert catalog.names() == ["meta"] and catalog.parts("meta") == []
    assert not part.exists()  # the half batch's files are gone too
    catalog.close()


def test_a_replaced_part_is_removed_after_the_commit(tmp_path):
    catalog = Catalog(tmp_path)
    with catalog.transaction():
        old = catalog.new_part("meta", write_rows([{"key": "a", "value": "1"}]))
        catalog.put("meta", SCHEMA, [old])
    with catalog.transaction():
        new = catalog.new_part("meta", write_rows([{"key": "a", "value": "2"}]))
        catalog.put("meta", SCHEMA, [new])
        assert old.exists()  # readers of the committed table still need it
    assert not old.exists() and new.exists()
    catalog.close()


def test_a_part_replaced_within_its_transaction_is_removed_at_the_commit(tmp_path):
    catalog = Catalog(tmp_path)
    with catalog.transaction():  # a migration writing meta twice, an erasure's rewrites
        first = catalog.new_part("meta", write_rows([{"key": "a", "value": "1"}]))
        catalog.put("meta", SCHEMA, [first])
        second = catalog.new_part("meta", write_rows([{"key": "a", "value": "2"}]))
        catalog.put("meta", SCHEMA, [second])
    assert not first.exists() and second.exists()
    assert [p.name for p in (tmp_path / "meta").iterdir()] == [second.name]
    catalog.close()


def test_parts_no_commit_named_are_removed_at_open(tmp_path):
    catalog = Catalog(tmp_path)
    with catalog.transaction():
        catalog.put("meta", SCHEMA, [])
    catalog.close()
    # What a killed process leaves: a part renamed into its table, one still staging.
    stray = tmp_path / "meta" / "0123456789abcdef"
    stray.mkdir(parents=True)
    (tmp_path / STAGING / "fedcba9876543210").mkdir(parents=True)
    Catalog(tmp_path).close()
    assert not stray.exists()
    assert not (tmp_path / STAGING).exists()


def test_a_write_without_rows_makes_no_part(tmp_path):
    catalog = Catalog(tmp_path)
    with catalog.transaction():
        assert catalog.new_part("meta", lambda folder: folder.mkdir()) is None
    catalog.close()


def test_one_owner_per_directory(tmp_path):
    catalog = Catalog(tmp_path)
    with pytest.raises(WorkspaceBusyError, match="open already"):
        Catalog(tmp_path)
    catalog.close()
    Catalog(tmp_path).close()  # released on close


def test_a_directory_of_other_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(WorkspaceError, match=f"holds no {CATALOG}"):
        Catalog(tmp_path)


def test_spark_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PARCOURS_SPARK_MASTER", "spark://cluster:7077")
    monkeypatch.setenv("PARCOURS_SPARK_REMOTE", "sc://cluster:15002")
    monkeypatch.setenv("PARCOURS_SPARK_MEMORY", "8g")
    monkeypatch.setenv("PARCOURS_SPARK_SHUFFLE_PARTITIONS", "64")
    settings = from_env()
    assert (settings.spark_master, settings.spark_remote) == (
        "spark://cluster:7077",
        "sc://cluster:15002",
    )
    assert (settings.spark_memory, settings.spark_shuffle_partitions) == ("8g", 64)
    defaults = Settings()
    assert (defaults.spark_master, defaults.spark_shuffle_partitions) == ("local[2]", 4)
    with pytest.raises(InputError, match="spark_shuffle_partitions 0"):
        Settings(spark_shuffle_partitions=0)
