"""Browser sessions for the dashboard, the way Jupyter does it.

API keys are bearer tokens, which a page cannot send by itself. So the server makes a login
token when it starts (kept in memory only) and prints ``http://127.0.0.1:8765/?token=...``.
Opening that address, or pasting an API key in the login page, starts a session: a random
id in an ``HttpOnly; SameSite=Strict`` cookie, of which the server keeps only the SHA-256.

* The login token gives an ``admin`` session (whoever can read the server's console owns the
  workspace anyway); an API key gives a session with the key's scope.
* The token works once: the first browser that opens the address gets the session and the
  token is burnt, so an address found later in a terminal's scrollback, a shell history or a
  log opens nothing. The same browser opening it again is simply let in (its cookie is
  enough); another browser gets the login page, where it may paste an API key; an admin
  session can make a new single-use address (``POST /ui/login-link``); restarting the server
  prints a new one too. The token dies with the server, and is redacted from uvicorn's
  access log (:func:`redact_login_tokens`).
* Failed logins (a wrong token, a wrong API key) are counted per client address: after
  ``LoginThrottle.limit`` in ``LoginThrottle.window`` seconds, that address is refused (429)
  until the window ends (:class:`LoginThrottle`).
* Sessions die with the server, or after ``SESSION_HOURS``.
* Sessions are accepted by the dashboard's pages and its own JSON calls only; ``/v1`` still
  needs a bearer key. Dashboard calls that change something (logging out included) must also
  carry the header ``X-Parcours-Dashboard: 1``, which a form of another site cannot send
  (CSRF), on top of the SameSite cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

COOKIE = "parcours_session"
LANG_COOKIE = "parcours_lang"
CSRF_HEADER = "X-Parcours-Dashboard"
SESSION_HOURS = 24


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Session:
    scope: str  # read or admin (a write key cannot read the dashboard)
    via: str  # "token" or the API key id
    expires: float

    def grants(self, scope: str) -> bool:
        return self.scope == "admin" or self.scope == scope


@dataclass
class Sessions:
    """The login token and the live sessions of one server."""

    # The pending single-use login token; None once used (until :meth:`renew`).
    login_token: str | None = field(default_factory=_new_token)
    _sessions: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def redeem(self, token: str | None) -> bool:
        """Whether ``token`` is the pending login token; if so it is burnt (it works once)."""
        if not token:
            return False
        with self._lock:
            pending = self.login_token
            if pending is None or not hmac.compare_digest(token.encode(), pending.encode()):
                return False
            self.login_token = None
        return True

    def renew(self) -> str:
        """A new single-use login token, replacing the pending one if any."""
        with self._lock:
            self.login_token = token = _new_token()
        return token

    def start(self, scope: str, via: str) -> str:
        """A new session; returns the cookie value (shown once, stored hashed)."""
        sid = secrets.token_urlsafe(32)
        with self._lock:
            now = time.time()
            self._sessions = {k: s for k, s in self._sessions.items() if s.expires > now}
            self._sessions[_digest(sid)] = Session(scope, via, now + SESSION_HOURS * 3600)
        return sid

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self._lock:
            found = self._sessions.get(_digest(sid))
        if found is None or found.expires <= time.time():
            return None
        return found

    def end(self, sid: str | None) -> None:
        if sid:
            with self._lock:
                self._sessions.pop(_digest(sid), None)

    def url(self, host: str, port: int) -> str:
        """The address to print: loopback when the server listens on every interface. It holds
        the pending login token, a new one if the last was used."""
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        shown = f"[{shown}]" if ":" in shown else shown
        return f"http://{shown}:{port}/?token={self.login_token or self.renew()}"


@dataclass
class LoginThrottle:
    """Failed logins per client address: at most ``limit`` in a window of ``window`` seconds
    (counted from the first failure), then that address is refused until the window ends.

    A successful login clears its address. At most ``capacity`` addresses are remembered
    (the oldest windows are forgotten first), so memory stays bounded whatever the traffic.
    """

    limit: int = 10
    window: float = 60.0
    capacity: int = 4096
    # address -> (start of its window, failures in it); ordered by window start
    _failures: OrderedDict[str, tuple[float, int]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _forget_old(self, now: float) -> None:
        while self._failures:
            start, _ = next(iter(self._failures.values()))
            if start + self.window > now and len(self._failures) <= self.capacity:
                break
            self._failures.popitem(last=False)

    def retry_after(self, address: str) -> int:
        """Seconds until ``address`` may try again; 0 when it may try now."""
        now = time.monotonic()
        with self._lock:
            self._forget_old(now)
            start, count = self._failures.get(address, (now, 0))
        if count < self.limit:
            return 0
        return max(1, math.ceil(start + self.window - now))

    def failed(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            start, count = self._failures.get(address, (now, 0))
            if start + self.window <= now:
                start, count = now, 0
            if count == 0:  # a new window: to the end, which keeps the order by start
                self._failures.pop(address, None)
            self._failures[address] = (start, count + 1)
            self._forget_old(now)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)

    def __len__(self) -> int:
        return len(self._failures)


_QUERY_PAIR = re.compile(r"([?&])([^=&?\s\"]*)=([^&\s\"]*)")


def _redact(text: str) -> str:
    def hide(match: re.Match[str]) -> str:
        sep, key, value = match.groups()
        if unquote_plus(key) != "token" or not value:
            return match.group(0)
        return f"{sep}{key}=[redacted]"

    return _QUERY_PAIR.sub(hide, text) if "=" in text else text


def redact_login_tokens(record: logging.LogRecord) -> bool:
    """A logging filter: hide the values of ``token=`` in the addresses a record holds (in
    uvicorn's access log: ``"GET /?token=[redacted] HTTP/1.1" 303``). Keeps every record.

    >>> record = logging.LogRecord("uvicorn.access", 20, "", 0, '%s - "%s %s HTTP/%s" %d',
    ...     ("127.0.0.1:50000", "GET", "/editor?token=s3cret&map=m", "1.1", 303), None)
    >>> redact_login_tokens(record), record.getMessage()
    (True, '127.0.0.1:50000 - "GET /editor?token=[redacted]&map=m HTTP/1.1" 303')
    """
    if isinstance(record.msg, str):
        record.msg = _redact(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_redact(a) if isinstance(a, str) else a for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
    return True


def hide_tokens_from_logs(*names: str) -> None:
    """Install :func:`redact_login_tokens` on the named loggers (by default uvicorn's access
    and error logs), once each."""
    for name in names or ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if redact_login_tokens not in logger.filters:
            logger.addFilter(redact_login_tokens)
