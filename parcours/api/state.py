"""What the server holds: its settings and one workspace, used by one request at a time.

A DuckDB connection must not run statements from several threads at once, and the writes
of parcours (ingestion: anti-join then insert, for idempotence) must not interleave, or
two requests carrying the same event could both find it new. The server therefore keeps
ONE workspace, opened once, and serialises every use of it with a lock
(:meth:`ServerState.workspace`). This also keeps the workspace's cache of journey tables
warm between requests, which one-connection-per-request would lose (each analysis would
rebuild its journey table). The price: a long analysis delays the requests behind it.

While it serves, the server also answers the CLI and ``parcours.open`` of this machine on
its local channel (:mod:`parcours.api.local`, :mod:`parcours.remote`), through the same lock.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import parcours
from parcours import remote
from parcours.config import Settings, from_env
from parcours.errors import InputError
from parcours.store import keys
from parcours.store.keys import ApiKey

MB = 1024 * 1024


@dataclass(frozen=True)
class ApiSettings:
    """Settings of the REST server.

    body_limit: largest JSON body accepted (the collector's batches), in bytes.
    upload_limit: largest file upload accepted, in bytes.
    max_batch: most events one collector request may carry.
    """

    body_limit: int = 10 * MB
    upload_limit: int = 512 * MB
    max_batch: int = 10_000

    @classmethod
    def from_env(cls) -> ApiSettings:
        """Defaults with ``PARCOURS_API_BODY_LIMIT``, ``PARCOURS_API_UPLOAD_LIMIT`` and
        ``PARCOURS_API_MAX_BATCH`` applied (numbers of bytes, or of events)."""
        values = {}
        for field, var in (
            ("body_limit", "PARCOURS_API_BODY_LIMIT"),
            ("upload_limit", "PARCOURS_API_UPLOAD_LIMIT"),
            ("max_batch", "PARCOURS_API_MAX_BATCH"),
        ):
            raw = os.environ.get(var)
            if raw is None:
                continue
            if not raw.isdigit() or int(raw) <= 0:
                raise InputError(f"{var}={raw!r} is not allowed; give a positive whole number")
            values[field] = int(raw)
        return cls(**values)


class ServerState:
    """The server's workspace and the lock that serialises its use."""

    def __init__(
        self,
        workspace: str | Path | parcours.Workspace,
        settings: ApiSettings,
        workspace_settings: Settings | None = None,
    ):
        # A path is opened (and closed) here; an open workspace stays its caller's.
        self._workspace: parcours.Workspace
        if isinstance(workspace, parcours.Workspace):
            self.owned = False
            self._workspace = workspace
        else:
            self.owned = True
            self._workspace = parcours.open(
                workspace, settings=workspace_settings or from_env(), direct=True
            )
        self.settings = settings
        # The file the server holds (None in memory), and the credential of the local
        # channel that the CLI uses meanwhile (see parcours.remote).
        url = self._workspace.url
        self.workspace_path = (
            str(Path(url.removeprefix("duckdb://")).resolve()) if remote.is_file_path(url) else None
        )
        self.local_token = remote.new_token()
        # Where this server answers on the machine, once it serves (parcours.cli.serve sets
        # it): the app writes the server file while it runs (see announced).
        self.local_url: str | None = None
        self.lock = threading.RLock()
        # Keys already checked, by the SHA-256 of their token (only keys that passed: an
        # unknown token is looked up each time, so guessing cannot fill the memory). While
        # the server runs it holds the workspace file, so keys change only through
        # /v1/keys or the local channel (the CLI), which both call forget_keys().
        self.known_keys: dict[str, ApiKey] = {}

    @contextmanager
    def workspace(self) -> Iterator[parcours.Workspace]:
        """The workspace, for the time of one ``with`` block, with nobody else using it."""
        with self.lock:
            yield self._workspace

    def announced(self) -> AbstractContextManager[None]:
        """Say beside the workspace file that this server holds it, for the time of a
        ``with`` block (the app's life): the CLI and ``parcours.open`` then go through it."""
        if self.local_url is None or self.workspace_path is None:
            return nullcontext()
        return remote.announced(self.workspace_path, self.local_url, self.local_token)

    async def run_local(self, body: bytes) -> bytes:
        """A call of the local channel (:func:`parcours.remote.serve_call`), in a worker
        thread. It may have changed the keys: they are checked again from now on."""
        from fastapi.concurrency import run_in_threadpool

        def run() -> bytes:
            with self.workspace() as ws:
                return remote.serve_call(ws, body)

        try:
            return await run_in_threadpool(run)
        finally:
            self.forget_keys()

    def verify(self, token: str) -> ApiKey | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        if digest in self.known_keys:
            return self.known_keys[digest]
        with self.workspace() as ws:
            key = keys.verify_key(ws.con, token)
        if key is not None:
            self.known_keys[digest] = key
        return key

    def forget_keys(self) -> None:
        self.known_keys.clear()

    def close(self) -> None:
        if self.owned:
            with self.lock:
                self._workspace.close()
