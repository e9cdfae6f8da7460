"""Browser sessions for the dashboard, the way Jupyter does it.

API keys are bearer tokens, which a page cannot send by itself. So the server makes a login
token when it starts (kept in memory only) and prints ``http://127.0.0.1:8765/?token=...``.
Opening that address, or pasting an API key in the login page, starts a session: a random
id in an ``HttpOnly; SameSite=Strict`` cookie, of which the server keeps only the SHA-256.

* The login token gives an ``admin`` session (whoever can read the server's console owns the
  workspace anyway); an API key gives a session with the key's scope.
* The token stays valid while the server runs (a second browser may use the printed address
  too), and dies with it; sessions die with the server, or after ``SESSION_HOURS``.
* Sessions are accepted by the dashboard's pages and its own JSON calls only; ``/v1`` still
  needs a bearer key. Dashboard calls that change something must also carry the header
  ``X-Parcours-Dashboard: 1``, which a form of another site cannot send (CSRF), on top of
  the SameSite cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

COOKIE = "parcours_session"
LANG_COOKIE = "parcours_lang"
CSRF_HEADER = "X-Parcours-Dashboard"
SESSION_HOURS = 24


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


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

    login_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    _sessions: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check_token(self, token: str | None) -> bool:
        if not token:
            return False
        return hmac.compare_digest(token.encode(), self.login_token.encode())

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
        """The address to print: loopback when the server listens on every interface."""
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        shown = f"[{shown}]" if ":" in shown else shown
        return f"http://{shown}:{port}/?token={self.login_token}"
