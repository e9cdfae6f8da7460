"""API keys at rest (hashed, revocable), the schema migration that adds them, and the
`parcours keys` / `parcours serve` commands."""

from __future__ import annotations

import hashlib

import pytest
import typer
from typer.testing import CliRunner

import parcours
from parcours.cli.serve import keys_app, serve
from parcours.errors import InputError
from parcours.store import keys, schema
from tests.old_workspaces import workspace_of_version


def test_only_the_hash_of_the_token_is_stored(ws):
    token, key = keys.create_key(ws.con, "write", name="site web")
    stored = ws.con.table("api_keys").to_pandas().iloc[0]
    assert token.startswith(f"{key.key_id}_") and len(token) > 50
    assert stored.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.to_string()
    assert (stored.key_id, stored["name"], stored.scope) == (key.key_id, "site web", "write")


def test_scopes_grant(ws):
    grants = {
        s: {g for g in keys.SCOPES if keys.create_key(ws.con, s)[1].grants(g)} for s in keys.SCOPES
    }
    assert grants == {"read": {"read"}, "write": {"write"}, "admin": {"read", "write", "admin"}}
    with pytest.raises(InputError, match="allowed: read, write, admin"):
        keys.create_key(ws.con, "superuser")


def test_revoke(ws):
    token, key = keys.create_key(ws.con, "read")
    other, _ = keys.create_key(ws.con, "read")
    keys.revoke_key(ws.con, key.key_id)
    assert keys.verify_key(ws.con, token) is None
    assert keys.verify_key(ws.con, other) is not None  # only that key
    assert [k.active for k in keys.list_keys(ws.con)] == [False, True]
    with pytest.raises(InputError, match="no API key 'pk_nope'; active keys: pk_"):
        keys.revoke_key(ws.con, "pk_nope")


def test_version_1_workspace_migrates_to_2_keeping_its_data(tmp_path):
    path = tmp_path / "v1.duckdb"
    con = workspace_of_version(path, 1)
    con.raw_sql("INSERT INTO maps VALUES ('k', 1, TIMESTAMP '2026-03-01 10:00:00', 'map: k', NULL)")
    con.disconnect()

    ws = parcours.open(path)
    assert ws.previous_version == 1
    assert schema.read_meta(ws.con, "schema_version") == str(schema.SCHEMA_VERSION)
    assert "api_keys" in ws.con.list_tables()
    assert ws.counts()["maps"] == 1
    assert "api_keys" not in ws.counts()  # not a data table
    ws.close()
    assert parcours.open(path).previous_version == schema.SCHEMA_VERSION


@pytest.fixture
def cli():
    app = typer.Typer()
    app.add_typer(keys_app, name="keys")
    app.command()(serve)
    return app


def test_keys_commands(cli, tmp_path):
    runner, path = CliRunner(), str(tmp_path / "w.duckdb")
    made = runner.invoke(cli, ["keys", "create", "--scope", "write", "--name", "site", "-w", path])
    assert made.exit_code == 0, made.output
    token = next(line for line in made.stdout.splitlines() if line.startswith("pk_"))
    key_id = "_".join(token.split("_")[:2])
    listed = runner.invoke(cli, ["keys", "list", "-w", path, "--format", "json"])
    assert key_id in listed.stdout and token not in listed.stdout
    revoked = runner.invoke(cli, ["keys", "revoke", key_id, "-w", path])
    assert revoked.exit_code == 0 and f"Revoked {key_id}" in revoked.stdout
    assert key_id not in runner.invoke(cli, ["keys", "list", "-w", path]).stdout
    bad = runner.invoke(cli, ["keys", "create", "--scope", "root", "-w", path])
    assert bad.exit_code == 2


def test_serve_binds_to_localhost_by_default(cli, tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    calls = {}

    def run(app, **kw):  # the app starts and stops as uvicorn would run it
        calls.update(app=app, **kw)
        with TestClient(app):
            pass

    monkeypatch.setattr("uvicorn.run", run)
    result = CliRunner().invoke(cli, ["serve", "-w", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 0, result.output
    assert (calls["host"], calls["port"]) == ("127.0.0.1", 8765)
    # said once the app has started: the address printed answers
    assert "No API key yet" in result.stdout and "?token=" in result.stdout
