"""The persons of the benchmark generator: attributes and identifiers, a hash of their number.

A person's persona, account, loyalty card, cookies, home store and identifiers are a pure
function of ``(seed, person number)``: a chunk of persons needs no state from the others,
and an increment finds existing persons again (same email, same cookies) without reading the
base file.

    >>> import numpy as np
    >>> people = Persons.of(7, np.arange(3))
    >>> people.identifiers()["customer_id"].to_pylist()
    ['C00000001', 'C00000002', 'C00000003']

Identifiers are written as people type them: an email in four spellings, a phone in five
formats (identity resolution normalises before matching); one to three cookies per person
plus a fourth for increments (a new phone, cookies cleared); and the shared cookie of each
flagship store's tablet.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parcours.demo import planted as P
from parcours.demo.identities import DOMAINS, FEMALE, LAST, MALE, OPT_IN, OTHER_STORES

ANONYMOUS_ONLY = 0.30  # persons who never log in, hold no card and never buy: cookies only
MAX_COOKIES = 4  # cookie slots per person (the last one is for increments)
STORES = P.FLAGSHIP_STORES + OTHER_STORES
DEVICES = ("mobile", "desktop", "ios", "android")


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection of uint64 whose outputs look independent."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def hashed(seed: int, idx: np.ndarray, salt: int) -> np.ndarray:
    """A uint64 per person number, a function of ``(seed, number, salt)`` only."""
    key = _mix(np.array([(seed * 1_000_003 + salt * 7_919 + 1) % 2**64], np.uint64))
    with np.errstate(over="ignore"):
        return _mix(idx.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + key)


def uniform(seed: int, idx: np.ndarray, salt: int) -> np.ndarray:
    """A number in [0, 1) per person number (see :func:`hashed`)."""
    return (hashed(seed, idx, salt) >> np.uint64(11)).astype(np.float64) * 2.0**-53


def pick(u: np.ndarray, shares: tuple | np.ndarray) -> np.ndarray:
    """The option each uniform ``u`` falls into, options weighted by ``shares``."""
    cum = np.cumsum(shares) / np.sum(shares)
    return np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)


@dataclass
class Persons:
    """Persons by global number; every array has one entry per person."""

    seed: int
    idx: np.ndarray
    persona: np.ndarray  # code into P.PERSONAS
    account: np.ndarray
    card: np.ndarray
    non_buyer: np.ndarray
    opt_in: np.ndarray
    cookies: np.ndarray  # cookies used in the base year (1 to 3)
    store: np.ndarray  # home store, code into STORES (flagships first)
    app_os: np.ndarray  # code into DEVICES

    @classmethod
    def of(cls, seed: int, idx: np.ndarray) -> Persons:
        u = [uniform(seed, idx, salt) for salt in range(10)]
        persona = pick(u[0], P.PERSONA_SHARES)
        anonymous = u[1] < ANONYMOUS_ONLY
        account = ~anonymous & (u[2] < np.take(P.HAS_ACCOUNT, persona))
        card = ~anonymous & (u[3] < np.take(P.HAS_CARD, persona))
        non_buyer = anonymous | (u[4] < np.take(P.NON_BUYER, persona))
        opt_in = (account | card) & (u[5] < np.take(OPT_IN, persona))
        cookies = 1 + (u[6] < 0.40) + (u[6] < 0.12)
        flagships = len(P.FLAGSHIP_STORES)
        store = np.where(
            u[7] < P.P_HOME_FLAGSHIP,
            (u[8] * flagships).astype(np.int64),
            flagships + (u[8] * (len(STORES) - flagships)).astype(np.int64),
        )
        app_os = np.where(u[9] < 0.55, DEVICES.index("ios"), DEVICES.index("android"))
        return cls(seed, idx, persona, account, card, non_buyer, opt_in, cookies, store, app_os)

    @property
    def size(self) -> int:
        return len(self.idx)

    @property
    def flagship(self) -> np.ndarray:
        return self.store < len(P.FLAGSHIP_STORES)

    def identifiers(self) -> dict[str, pa.Array]:
        """Per person: ``customer_id``, ``loyalty_id``; ``email`` (4 spellings) and ``phone``
        (5 formats) at ``variant * size + person``; ``anonymous_id`` at ``slot * size +
        person``, then the tablets' cookies at ``MAX_COOKIES * size + store``."""
        idx, seed = self.idx, self.seed
        digits = pc.cast(pa.array(idx), pa.string())
        female = uniform(seed, idx, 20) < 0.62
        h = hashed(seed, idx, 21)
        first = np.where(
            female, h % np.uint64(len(_FEMALE)), len(_FEMALE) + h % np.uint64(len(_MALE))
        ).astype(np.int64)
        first_name = _FIRST_NAMES.take(pa.array(first))
        last_name = _LAST_NAMES.take(pa.array(_below(hashed(seed, idx, 22), len(_LAST))))
        domain = _DOMAINS.take(pa.array(_below(hashed(seed, idx, 23), len(DOMAINS))))
        local = _join(first_name, ".", last_name, digits)
        email = _join(local, "@", domain)
        title = _join(pc.utf8_capitalize(first_name), ".", pc.utf8_capitalize(last_name), digits)
        mobile = pc.cast(pa.array(np.where(uniform(seed, idx, 24) < 0.8, 6, 7)), pa.string())
        national = _join(mobile, _pad((idx * 7919 + 12_345_678) % 10**8, 8))  # no collision
        lead = pc.utf8_slice_codeunits(national, 0, 1)
        pairs = _join(*[pc.utf8_slice_codeunits(national, k, k + 2) for k in (1, 3, 5, 7)], sep=" ")  # fmt: skip
        return {
            "customer_id": _join("C", _pad(idx + 1, 8)),
            "loyalty_id": _join("ML", _pad((idx * 7919 + 31) % 10**10, 10)),
            "email": pa.concat_arrays(
                [
                    email,
                    _join(title, "@", pc.utf8_capitalize(domain), " "),
                    _join(local, "@", pc.utf8_upper(domain)),
                    _join(" ", email),
                ]
            ),
            "phone": pa.concat_arrays(
                [
                    _join("0", lead, " ", pairs),
                    _join("+33 ", lead, " ", pairs),
                    _join("0033", national),
                    _join("0", national),
                    _join("+33", national),
                ]
            ),
            "anonymous_id": pa.concat_arrays(
                [hex16(hashed(seed, idx, 100 + slot)) for slot in range(MAX_COOKIES)]
                + [pa.array(P.TABLETS)]
            ),
        }


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


_FEMALE, _MALE, _LAST = FEMALE.split(), MALE.split(), LAST.split()
_FIRST_NAMES = pa.array([_ascii(x) for x in _FEMALE + _MALE])
_LAST_NAMES = pa.array([_ascii(x).replace(" ", "") for x in _LAST])
_DOMAINS = pa.array(DOMAINS)


def _below(h: np.ndarray, n: int) -> np.ndarray:
    return (h % np.uint64(n)).astype(np.int64)


def _join(*parts: object, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _pad(numbers: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width=width, padding="0")


def numbered(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` and each number zero-padded to ``width`` digits."""
    return _join(prefix, _pad(numbers, width))


def hex16(values: np.ndarray) -> pa.Array:
    """16 lowercase hexadecimal digits of each uint64, as an Arrow string array."""
    shifts = np.arange(60, -1, -4, dtype=np.uint64)
    nibbles = ((values[:, None] >> shifts) & np.uint64(15)).astype(np.uint8)
    data = np.frombuffer(b"0123456789abcdef", np.uint8)[nibbles]
    offsets = np.arange(0, 16 * len(values) + 1, 16, dtype=np.int32)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(data.tobytes())]
    return pa.Array.from_buffers(pa.string(), len(values), buffers)


def order_ids(idx: np.ndarray, number: np.ndarray) -> pa.Array:
    """``CMD-<person>-<journey>`` as in the demo."""
    return _join("CMD-", _pad(idx, 7), "-", _pad(number, 2))


def suffixed(values: pa.Array, suffix: str) -> pa.Array:
    return _join(values, suffix)
