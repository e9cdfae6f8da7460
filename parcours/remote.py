"""A workspace held by a running server, reached through it: the CLI and ``parcours.open``
work while ``parcours serve`` (or the demo's server) holds the file.

A DuckDB file has one owner process at a time. While a parcours server runs, it writes a
small file beside the workspace, ``<workspace>.server`` (mode 0600), with its address, its
process id and a local credential made at start::

    {"url": "http://127.0.0.1:8765", "pid": 4242, "token": "...", "workspace": "/abs/ws.duckdb"}

:func:`parcours.open` reads it first (:func:`find_server`): when the process lives and its
server answers with that credential, the workspace is a :class:`RemoteWorkspace`, which has
the methods of :class:`parcours.Workspace` and runs each one in the server, on the server's
workspace, so that the results are those of opening the file. A file left by a server that
died (SIGKILL) is stale: ignored, and removed. The server removes its file when it stops.

How a call travels. ``ws.save_map(jm, "msg")`` is one request to ``POST /v1/local/call``
whose body is the pickled call (``[("getattr", "save_map"), ("call", (jm, "msg"), {})]``);
the answer is the pickled return value. A value that only means something in the server
(an Ibis expression over its tables: ``ws.rejected``, ``ws.identities()``) comes back as
a :class:`Remote`, a recipe: what is done with it is recorded (``.order_by(...)``,
``.filter(~ids.shared)``) and sent when the result is asked for (``.to_pandas()``,
``.to_pyarrow()``, ``.execute()``). A :class:`Remote` given as an argument travels as its
recipe and is rebuilt in the server.

Pickle runs code when it is loaded: the server loads a call only with the credential,
which only the server's user can read (mode 0600), and only from the machine itself
(loopback); that user can already read and change the workspace file. Results kept in the
workspace are pickled too (:mod:`parcours.store.results`).
"""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import os
import pickle
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from parcours.config import Settings
from parcours.errors import ParcoursError, WorkspaceError

SUFFIX = ".server"
# Header carrying the local credential (the REST API's keys are another matter).
HEADER = "X-Parcours-Local"
# How long a client waits for a server whose process lives (it may be starting, or busy).
START_WAIT = 10.0
# A server writes its file as it starts, just before it listens: a file younger than this
# whose address refuses connections may be a server starting; an older one is stale.
START_GRACE = 5.0
# Requests to the server's own loopback address never go through a proxy ($http_proxy).
LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# Methods of a recipe that ask for its value.
TERMINAL = frozenset(
    {"to_pandas", "to_pyarrow", "to_polars", "execute", "to_list", "to_pylist", "to_csv"}
)
# Operators a recipe records (``~ids.shared``, ``t.a == 1``, ``t["a"]``).
OPERATORS = (
    "__invert__",
    "__neg__",
    "__and__",
    "__or__",
    "__xor__",
    "__eq__",
    "__ne__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__add__",
    "__sub__",
    "__mul__",
    "__truediv__",
    "__getitem__",
)


class RemoteError(ParcoursError):
    """The server met an error that is not a parcours error (an internal error there)."""


def server_file(workspace: str | Path) -> Path:
    """Where the server of ``workspace`` says where it is: ``<workspace>.server``."""
    return Path(str(workspace) + SUFFIX)


def is_file_path(url: str | Path) -> bool:
    text = str(url)
    if text == ":memory:" or text.startswith("spark:"):  # spark:DIR: a directory of its own
        return False
    return "://" not in text or text.startswith("duckdb://")


def _path(url: str | Path) -> Path:
    return Path(str(url).removeprefix("duckdb://")).resolve()


@dataclass(frozen=True)
class ServerInfo:
    """What a server's file says."""

    url: str
    pid: int
    token: str
    workspace: str


def new_token() -> str:
    return secrets.token_urlsafe(32)


def write_server_file(workspace: str | Path, url: str, token: str) -> Path:
    """Say that this process serves ``workspace`` at ``url`` (mode 0600, written whole)."""
    target = server_file(_path(workspace))
    info = {"url": url, "pid": os.getpid(), "token": token, "workspace": str(_path(workspace))}
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(info, out)
    os.replace(partial, target)
    return target


def remove_server_file(workspace: str | Path, token: str) -> None:
    """Remove the server file of ``workspace`` if it is this server's (its token)."""
    target = server_file(_path(workspace))
    info = _read(target)
    if info is not None and info.token == token:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()


def _read(file: Path) -> ServerInfo | None:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        return ServerInfo(str(data["url"]), int(data["pid"]), str(data["token"]), data["workspace"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _ping(info: ServerInfo, timeout: float) -> str:
    """``ours``: this server answers with this credential; ``other``: something else
    answers there; ``closed``: nothing listens; ``silent``: something listens but did not
    answer within ``timeout`` seconds."""
    request = urllib.request.Request(f"{info.url}/v1/local/ping", headers={HEADER: info.token})
    try:
        with LOOPBACK.open(request, timeout=timeout) as answer:
            return (
                "ours" if json.loads(answer.read()).get("workspace") == info.workspace else "other"
            )
    except urllib.error.HTTPError:
        return "other"
    except TimeoutError:
        return "silent"
    except urllib.error.URLError as failed:
        return "silent" if isinstance(failed.reason, TimeoutError) else "closed"
    except (OSError, ValueError):
        return "other"


def post(
    server: ServerInfo,
    route: str,
    data: bytes,
    *,
    workspace: str,
    what: Literal["command", "call"],
    content_type: str = "application/octet-stream",
    unknown_route_ok: bool = False,
) -> bytes | None:
    """POST ``data`` to ``route`` of ``server`` with its credential: the answer's bytes.
    A refusal or no answer is a :class:`WorkspaceError` naming ``workspace`` and ``what``
    was asked; with ``unknown_route_ok``, a 404 (a server of an earlier version, without
    that route) gives None."""
    request = urllib.request.Request(
        f"{server.url}{route}",
        data=data,
        headers={HEADER: server.token, "Content-Type": content_type},
        method="POST",
    )
    try:
        with LOOPBACK.open(request) as answer:
            return bytes(answer.read())
    except urllib.error.HTTPError as refused:
        if refused.code == 404 and unknown_route_ok:
            return None
        code, detail = refused.code, refused.read().decode("utf-8", "replace")[:500]
        # Two whole sentences, not one with the word put in: each has its French words.
        if what == "command":
            raise WorkspaceError(
                f"{workspace}: the server at {server.url} refused the command ({code}): {detail}"
            ) from None
        raise WorkspaceError(
            f"{workspace}: the server at {server.url} refused the call ({code}): {detail}"
        ) from None
    except (urllib.error.URLError, OSError) as lost:
        raise WorkspaceError(
            f"{workspace}: the server at {server.url} (PID {server.pid}) that holds this "
            f"workspace did not answer ({lost}); is it still running?"
        ) from None


def find_server(workspace: str | Path, wait: float = START_WAIT) -> ServerInfo | None:
    """The live server holding ``workspace``, or None (no file, or a stale one: removed).

    Stale: its process is gone, or something other than this server answers at its address,
    or nothing listens there and the file is older than :data:`START_GRACE` (a younger one
    may be a server starting: waited for up to ``wait`` seconds). A server that accepts the
    connection but is too busy to answer within ``wait`` seconds is taken as live."""
    if not is_file_path(workspace):
        return None
    file = server_file(_path(workspace))
    info = _read(file)
    if info is None:
        return None
    deadline = time.monotonic() + wait
    while _alive(info.pid):
        answered = _ping(info, timeout=max(0.5, deadline - time.monotonic()))
        if answered == "ours":
            return info
        if answered == "silent" and time.monotonic() >= deadline:
            return info
        if answered == "other" or time.monotonic() >= deadline or _older_than(file, START_GRACE):
            break
        time.sleep(0.1)
    with contextlib.suppress(OSError):  # stale: its server is gone
        if _read(file) == info:
            file.unlink()
    return None


def _older_than(file: Path, seconds: float) -> bool:
    try:
        return time.time() - file.stat().st_mtime > seconds
    except OSError:
        return True


# -- the client side ---------------------------------------------------------------------

Step = tuple[Any, ...]


class Remote:
    """A value that lives in the server (an Ibis expression over its tables): a recipe,
    sent when its result is asked for (see the module doc)."""

    def __init__(self, workspace: RemoteWorkspace, steps: list[Step]):
        object.__setattr__(self, "_workspace", workspace)
        object.__setattr__(self, "_steps", steps)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return Remote(self._workspace, [*self._steps, ("getattr", name)])

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        steps = [*self._steps, ("call", args, kwargs)]
        last = self._steps[-1] if self._steps else None
        if last and last[0] == "getattr" and last[1] in TERMINAL:
            return self._workspace._run(steps)
        return Remote(self._workspace, steps)

    def __repr__(self) -> str:
        return f"<value in the server: {describe(self._steps)}>"

    def __bool__(self) -> bool:
        raise TypeError("a value held by the server has no truth value; ask for its result")


def _operator(name: str) -> Callable[..., Remote]:
    def record(self: Remote, *args: Any) -> Remote:
        return Remote(self._workspace, [*self._steps, ("op", name, args)])

    record.__name__ = name
    return record


for _name in OPERATORS:
    setattr(Remote, _name, _operator(_name))
Remote.__hash__ = object.__hash__  # type: ignore[method-assign]  # __eq__ records, hashing stays by identity


def describe(steps: list[Step]) -> str:
    parts = ["ws"]
    for step in steps:
        if step[0] == "getattr":
            parts.append(f".{step[1]}")
        elif step[0] == "call":
            parts.append("(...)")
        elif step[0] == "op":
            parts.append(f" {step[1]} ")
        elif step[0] == "apply":
            parts.append(f" | {getattr(step[1], '__name__', step[1])}")
    return "".join(parts)


class _Pickler(pickle.Pickler):
    """Sends a :class:`Remote` as its recipe; turns a path into an absolute one (the
    server's working folder is not the client's)."""

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, Remote):
            return ("remote", obj._steps)
        return None

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Path) and not obj.is_absolute():
            return type(obj), (str(obj.resolve()),)
        return NotImplemented


def dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


class RemoteWorkspace:
    """A workspace held by a running parcours server, with the methods of
    :class:`parcours.Workspace`, each run in the server (see the module doc).

    The server's settings apply there (memory, threads, salt); ``settings`` given here are
    this process's own only. ``like`` is the class whose methods it offers
    (:class:`parcours.Workspace`, handed over by :func:`parcours.open`, which imports this
    module: so this module need not import it back)."""

    def __init__(self, info: ServerInfo, url: str, settings: Settings | None = None, *, like: type):
        self.server = info
        self.url = url
        self._like = like
        self._local_settings = settings
        # What opening found is the server's to say (it opened the file); nothing here.
        self.notices: list[str] = []

    def __repr__(self) -> str:
        return f"RemoteWorkspace({self.url!r}, served at {self.server.url})"

    def close(self) -> None:
        """Nothing to close here: the server keeps its workspace open."""

    def __enter__(self) -> RemoteWorkspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, steps: list[Step]) -> Any:
        body = post(self.server, "/v1/local/call", dumps(steps), workspace=self.url, what="call")
        assert body is not None  # the call route is every server's
        kind, *rest = pickle.loads(body)  # noqa: S301 - the server's answer to our credential
        if kind == "value":
            return rest[0]
        if kind == "remote":
            return Remote(self, steps)
        raise rebuild_error(*rest)

    def _method(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            # A callback cannot cross: progress is said once, at the end.
            progress = kwargs.pop("on_progress", None)
            named = args and isinstance(args[0], str) and Path(args[0]).exists()
            if name.startswith("ingest_") and named:  # the server's working folder differs
                args = (str(Path(args[0]).resolve()), *args[1:])
            value = self._run([("getattr", name), ("call", args, kwargs)])
            if progress is not None:
                progress(100.0)
            return value

        call.__name__ = name
        return call

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        from parcours.analyses import REGISTRY

        found = inspect.getattr_static(self._like, name, None)
        if name in REGISTRY or (callable(found) and not isinstance(found, property)):
            return self._method(name)
        return self._run([("getattr", name)])

    def __dir__(self) -> list[str]:
        return dir(self._like)

    def apply(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``function(con, *args, **kwargs)`` with the server's connection as ``con``:
        for the functions of :mod:`parcours.store` that take a connection (keys, ...)."""
        return self._run([("getattr", "con"), ("apply", function, args, kwargs)])

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``function(workspace, *args, **kwargs)`` run in the server on its workspace: for
        work that builds Ibis expressions over several tables (a map drafted from data)."""
        return self._run([("apply", function, args, kwargs)])

    def context(self, jm: Any = None, lang: str | None = None, scope: Any = None) -> Any:
        """The input of the analyses, its tables held by the server; give it to the
        renderers with :meth:`runner`, which runs each analysis there. A ``scope`` (a
        segment) is applied in the server too: restricting the feedback to a segment's
        persons places it among the identities, which a recipe cannot do."""
        from parcours.analyses import Context

        jm = jm or self.default_map()

        def table(*steps: Step) -> Remote:
            return Remote(self, list(steps))

        if scope is not None:
            scoped = (("getattr", "context"), ("call", (jm,), {"lang": lang, "scope": scope}))
            return Context(
                journeys=table(*scoped, ("getattr", "journeys")),
                map=jm,
                feedback=table(*scoped, ("getattr", "feedback")),
                customers=table(*scoped, ("getattr", "customers")),
                identities=table(*scoped, ("getattr", "identities")),
                lang=lang,
            )
        return Context(
            journeys=table(("getattr", "journey_table"), ("call", (jm,), {})),
            map=jm,
            feedback=table(("getattr", "feedback")),
            customers=table(("getattr", "customers")),
            identities=table(("getattr", "identities"), ("call", (), {})),
            lang=lang,
        )

    def runner(
        self,
        map: Any = None,  # noqa: A002
        scope: Any = None,
        fresh: bool = False,
        max_age: Any = None,
    ) -> Any:
        """As :meth:`parcours.Workspace.runner`: each analysis runs in the server."""
        jm = map or self.default_map()

        def run(name: str, lang: str | None, params: dict[str, Any]) -> Any:
            return self.analyze(
                name, jm, lang=lang, scope=scope, fresh=fresh, max_age=max_age, **params
            )

        return run


def in_context(ctx: Any, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(ctx, *args, **kwargs)`` where the tables of the analysis context ``ctx``
    live: in the server when it holds them (a recipe records Ibis calls, not what needs
    their values, such as a UDF's argument or a truth value), here otherwise. The context
    travels with its tables as recipes; what comes back must be a value (a data frame)."""
    server = _holder(ctx)
    if server is None:
        return function(ctx, *args, **kwargs)
    return server.call(_with_context, function, ctx, *args, **kwargs)


def scoped(ctx: Any, scope: Any) -> Any:
    """The analysis context ``ctx`` restricted by ``scope`` (a segment), where its tables
    live: in the server when it holds them, as :meth:`RemoteWorkspace.context` does."""
    server = _holder(ctx)
    if server is None:
        return scope.apply(ctx)
    return server.context(ctx.map, ctx.lang, scope=scope)


def _holder(ctx: Any) -> RemoteWorkspace | None:
    """The server's workspace holding the tables of the analysis context ``ctx``, if any."""
    held = [v for v in vars(ctx).values() if isinstance(v, Remote)]
    return held[0]._workspace if held else None


def _with_context(ws: Any, function: Callable[..., Any], ctx: Any, *args: Any, **kw: Any) -> Any:
    return function(ctx, *args, **kw)


def apply(ws: Any, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(ws.con, *args, **kwargs)``, in the server when ``ws`` is remote."""
    if isinstance(ws, RemoteWorkspace):
        return ws.apply(function, *args, **kwargs)
    return function(ws.con, *args, **kwargs)


class _Sql:
    """``execute(sql)`` over an Ibis backend, as a DuckDB connection has it."""

    def __init__(self, con: Any):
        self._con = con

    def execute(self, sql: str) -> Any:
        return self._con.raw_sql(sql)


def _status_in_server(con: Any, path: str) -> dict[str, Any] | None:
    from parcours.store.status import read_open

    return read_open(_Sql(con), Path(path))


def served_status(ws: Any) -> dict[str, Any] | None:
    """What ``parcours status`` shows, asked of the server when ``ws`` is remote (the file
    cannot be read beside it); None for a workspace opened here."""
    if not isinstance(ws, RemoteWorkspace):
        return None
    return ws.apply(_status_in_server, ws.server.workspace)


def call(ws: Any, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(ws, *args, **kwargs)``, in the server when ``ws`` is remote."""
    if isinstance(ws, RemoteWorkspace):
        return ws.call(function, *args, **kwargs)
    return function(ws, *args, **kwargs)


# -- errors cross as their class and message ----------------------------------------------


def error_parts(error: BaseException) -> tuple[str, str, str, dict[str, Any]]:
    kind = type(error)
    state = {k: v for k, v in vars(error).items() if _picklable(v)}
    return kind.__module__, kind.__qualname__, str(error), state


def rebuild_error(module: str, qualname: str, message: str, state: dict[str, Any]) -> Exception:
    """A parcours error as raised in the server; any other error as :class:`RemoteError`."""
    import importlib

    kind: Any = None
    if module.startswith("parcours"):
        with contextlib.suppress(ImportError, AttributeError):
            kind = importlib.import_module(module)
            for part in qualname.split("."):
                kind = getattr(kind, part)
    if isinstance(kind, type) and issubclass(kind, ParcoursError):
        error = kind.__new__(kind)
        Exception.__init__(error, message)
        error.__dict__.update(state)
        return error
    return RemoteError(f"the server failed: {qualname}: {message}")


def _picklable(value: Any) -> bool:
    try:
        pickle.dumps(value)
    except Exception:  # noqa: BLE001 - any failure means: leave it out
        return False
    return True


# -- the server side ----------------------------------------------------------------------


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, evaluate: Callable[[list[Step]], Any]):
        super().__init__(io.BytesIO(data))
        self._evaluate = evaluate

    def persistent_load(self, pid: Any) -> Any:
        kind, steps = pid
        if kind != "remote":
            raise pickle.UnpicklingError(f"unknown reference {kind!r}")
        return self._evaluate(steps)


def _holds_server_state(value: Any) -> bool:
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

    return isinstance(value, ir.Expr | BaseBackend) or inspect.ismethod(value)


def serve_call(ws: Any, body: bytes) -> bytes:
    """Run a pickled call (a recipe of steps) on ``ws``; the pickled answer:
    ``("value", v)``, ``("remote",)`` for a value that only means something here, or
    ``("error", module, qualname, message, state)``."""
    memo: dict[bytes, Any] = {}

    def evaluate(steps: list[Step]) -> Any:
        key = pickle.dumps(steps, protocol=pickle.HIGHEST_PROTOCOL)
        if key not in memo:
            memo[key] = _follow(ws, steps)
        return memo[key]

    try:
        steps = _Unpickler(body, evaluate).load()
        value = evaluate(steps)
        if _holds_server_state(value):
            return pickle.dumps(("remote",))
        return pickle.dumps(("value", value), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # noqa: BLE001 - every error goes back to the caller
        return pickle.dumps(("error", *error_parts(error)))


def _follow(ws: Any, steps: list[Step]) -> Any:
    value = ws
    for step in steps:
        if step[0] == "getattr":
            value = getattr(value, step[1])
        elif step[0] == "call":
            value = value(*step[1], **step[2])
        elif step[0] == "op":
            value = getattr(value, step[1])(*step[2])
        elif step[0] == "apply":
            value = step[1](value, *step[2], **step[3])
        else:
            raise WorkspaceError(f"unknown step {step[0]!r}")
    return value


@contextlib.contextmanager
def announced(workspace: str | Path, url: str, token: str) -> Iterator[None]:
    """Write the server file of ``workspace`` for the time of the block (a server's run)."""
    if not is_file_path(workspace):
        yield
        return
    write_server_file(workspace, url, token)
    try:
        yield
    finally:
        remove_server_file(workspace, token)
