"""Which server file :func:`parcours.remote.find_server` trusts, and which it removes as
stale, without starting a parcours server: each case stands up what would be at the
file's address (nothing, a process that is not a server, a listener that never answers,
another web server) and checks the outcome, and whether the client waited."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from parcours import remote


def write_file(workspace: Path, url: str, pid: int, age: float = 0.0) -> Path:
    file = remote.server_file(workspace)
    info = {"url": url, "pid": pid, "token": "t", "workspace": str(workspace.resolve())}
    file.write_text(json.dumps(info), encoding="utf-8")
    if age:
        then = file.stat().st_mtime - age
        os.utime(file, (then, then))
    return file


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: nothing listens


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The pauses find_server takes between two pings. remote.time is the time module:
    only this thread's pauses are taken; another thread of the run (a server's loader left
    by an earlier test) still sleeps, rather than spin and fill the list."""
    taken: list[float] = []
    here, sleep = threading.get_ident(), time.sleep

    def pause(seconds: float) -> None:
        if threading.get_ident() == here:
            taken.append(seconds)
        else:
            sleep(seconds)

    monkeypatch.setattr(remote.time, "sleep", pause)
    return taken


def test_a_dead_process_makes_the_file_stale(tmp_path, waits):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    file = write_file(tmp_path / "ws.duckdb", f"http://127.0.0.1:{closed_port()}", gone.pid)
    assert remote.find_server(tmp_path / "ws.duckdb") is None
    assert not file.exists() and waits == []


def test_a_live_process_where_nothing_listens_is_stale_at_once(tmp_path, waits):
    # This test's own process lives, but no server listens at the address: its PID was
    # reused, or the server died without removing its file. No wait for it to start.
    url = f"http://127.0.0.1:{closed_port()}"
    file = write_file(tmp_path / "ws.duckdb", url, os.getpid(), age=remote.START_GRACE + 1)
    assert remote.find_server(tmp_path / "ws.duckdb", wait=60) is None
    assert not file.exists() and waits == []


def test_a_young_file_where_nothing_listens_yet_is_waited_for(tmp_path, waits):
    # A server writes its file as it starts, just before it listens.
    file = write_file(tmp_path / "ws.duckdb", f"http://127.0.0.1:{closed_port()}", os.getpid())
    assert remote.find_server(tmp_path / "ws.duckdb", wait=0.3) is None
    assert waits and not file.exists()


def test_another_web_server_at_the_address_makes_the_file_stale(tmp_path, waits):
    class NotParcours(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    other = HTTPServer(("127.0.0.1", 0), NotParcours)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{other.server_address[1]}"
        file = write_file(tmp_path / "ws.duckdb", url, os.getpid())
        assert remote.find_server(tmp_path / "ws.duckdb", wait=60) is None
        assert not file.exists() and waits == []
    finally:
        other.shutdown()
        other.server_close()


def test_a_server_too_busy_to_answer_is_taken_as_live(tmp_path, waits):
    # It accepts the connection (the system does, for a listening socket) but answers
    # nothing within the wait: a live server under load, whose file must stay.
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        url = f"http://127.0.0.1:{busy.getsockname()[1]}"
        file = write_file(tmp_path / "ws.duckdb", url, os.getpid(), age=remote.START_GRACE + 1)
        found = remote.find_server(tmp_path / "ws.duckdb", wait=0.5)
    assert found is not None and found.url == url
    assert file.exists()


def test_no_proxy_stands_between_the_client_and_its_server(tmp_path, monkeypatch):
    workspace = tmp_path / "ws.duckdb"

    class Proxy(BaseHTTPRequestHandler):  # would answer for any address asked through it
        def do_GET(self) -> None:
            body = json.dumps({"workspace": str(workspace.resolve())}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    proxy = HTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.setenv("no_proxy", "")
        url = f"http://127.0.0.1:{closed_port()}"
        file = write_file(workspace, url, os.getpid(), age=remote.START_GRACE + 1)
        assert remote.find_server(workspace) is None  # the server's address, not the proxy
        assert not file.exists()
    finally:
        proxy.shutdown()
        proxy.server_close()
