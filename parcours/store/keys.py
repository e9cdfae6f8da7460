"""API keys of the REST server: created, listed, revoked, and checked on every request.

    >>> import parcours
    >>> from parcours.store import keys
    >>> ws = parcours.open(":memory:")
    >>> token, key = keys.create_key(ws.con, "read", name="dashboard")
    >>> token.startswith(key.key_id + "_"), key.scope
    (True, 'read')
    >>> keys.verify_key(ws.con, token).key_id == key.key_id
    True
    >>> keys.revoke_key(ws.con, key.key_id).revoked_at is not None
    True
    >>> keys.verify_key(ws.con, token) is None
    True

A token reads ``pk_<key id>_<secret>``: the key id (8 hex digits) is public and names the
key in lists and logs; the secret is 256 random bits. The workspace stores the SHA-256 of the
whole token, never the token itself, so the token is shown once, when the key is created. A
plain SHA-256 is enough here (unlike passwords, a random 256-bit secret cannot be guessed
from its hash); lookups go by key id and the hashes are compared in constant time.

Scopes, from the narrowest: ``read`` (maps and analyses), ``write`` (send events and upload
files, nothing else: a key safe to embed in a web site or an app), ``admin`` (everything,
including editing maps and managing keys). ``admin`` includes the two others; ``read`` and
``write`` are disjoint, so a collector key leaked from a web page reads nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import ibis

from parcours.errors import InputError
from parcours.store.engine import temp_name, writing
from parcours.store.schema import API_KEYS

SCOPES: tuple[str, ...] = ("read", "write", "admin")

# scope of a key -> the scopes it grants.
GRANTS: dict[str, frozenset[str]] = {
    "read": frozenset({"read"}),
    "write": frozenset({"write"}),
    "admin": frozenset(SCOPES),
}

PREFIX = "pk_"
_TOKEN = re.compile(r"^(pk_[0-9a-f]{8})_[A-Za-z0-9_-]{20,}$")


@dataclass(frozen=True)
class ApiKey:
    """One API key as stored (without its secret)."""

    key_id: str
    name: str | None
    scope: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def grants(self, scope: str) -> bool:
        """Whether this key may do what ``scope`` allows."""
        return self.active and scope in GRANTS[self.scope]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "name": self.name,
            "scope": self.scope,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def check_scope(scope: str) -> str:
    if scope not in SCOPES:
        raise InputError(f"scope '{scope}' is not known; allowed: {', '.join(SCOPES)}")
    return scope


def create_key(con: Any, scope: str, name: str | None = None) -> tuple[str, ApiKey]:
    """Create a key; return its token (shown once, never stored) and the stored key."""
    check_scope(scope)
    key_id = PREFIX + secrets.token_hex(4)
    token = f"{key_id}_{secrets.token_urlsafe(32)}"
    key = ApiKey(key_id=key_id, name=name, scope=scope, created_at=_now())
    row = {**key.to_dict(), "token_sha256": _digest(token)}
    row["created_at"], row["revoked_at"] = key.created_at, None
    con.insert("api_keys", ibis.memtable({c: [row[c]] for c in API_KEYS.names}, schema=API_KEYS))
    return token, key


def _keys(con: Any, key_id: str | None = None) -> list[dict[str, Any]]:
    t = con.table("api_keys")
    if key_id is not None:
        t = t.filter(t.key_id == key_id)
    return t.order_by("created_at").to_pyarrow().to_pylist()


def _key(row: dict[str, Any]) -> ApiKey:
    return ApiKey(
        key_id=row["key_id"],
        name=row["name"],
        scope=row["scope"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


def list_keys(con: Any) -> list[ApiKey]:
    """Every key, revoked ones included (they stay for the record), oldest first."""
    return [_key(row) for row in _keys(con)]


def revoke_key(con: Any, key_id: str) -> ApiKey:
    """Revoke a key: requests with its token are refused from now on."""
    rows = _keys(con, key_id)
    if not rows:
        known = ", ".join(k.key_id for k in list_keys(con) if k.active) or "none"
        raise InputError(f"no API key '{key_id}'; active keys: {known}")
    if rows[0]["revoked_at"] is not None:
        return _key(rows[0])
    t = con.table("api_keys")
    updated = t.mutate(
        revoked_at=ibis.ifelse(
            t.key_id == key_id, ibis.literal(_now(), type="timestamp"), t.revoked_at
        )
    )
    name = temp_name("api_keys_next")  # two revocations at once must not share it
    try:
        con.create_table(name, updated, temp=True, overwrite=True)
        with writing(con):
            con.insert("api_keys", con.table(name), overwrite=True)
    finally:
        con.drop_table(name, force=True)
    return _key(_keys(con, key_id)[0])


def active_by_digest(con: Any) -> dict[str, ApiKey]:
    """The active keys by the SHA-256 of their token (what a server keeps to verify
    requests without reading the table each time)."""
    found = {row["token_sha256"]: _key(row) for row in _keys(con)}
    return {digest: key for digest, key in found.items() if key.active}


def verify_key(con: Any, token: str) -> ApiKey | None:
    """The active key whose token this is, or None (unknown, malformed or revoked)."""
    found = _TOKEN.match(token or "")
    if not found:
        return None
    rows = _keys(con, found.group(1))
    if not rows or not hmac.compare_digest(rows[0]["token_sha256"], _digest(token)):
        return None
    key = _key(rows[0])
    return key if key.active else None
