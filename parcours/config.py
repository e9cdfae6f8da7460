"""Typed settings and their defaults, in one place.

Every default a user may want to change lives here, so that the CLI, the API and the
Python surface agree on them. Values can be overridden per workspace with ``Settings(...)``
or from the environment (``PARCOURS_*`` variables, read by :func:`from_env`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from parcours.errors import InputError

# The identifier columns an event, a CRM row or a survey answer may carry, in the order
# used to pick an anchor for a row: the most personal identifier first.
IDENTIFIERS: tuple[str, ...] = ("customer_id", "loyalty_id", "email", "phone", "anonymous_id")

# Identifiers that name one person (as opposed to a device: a cookie or an app install id).
PERSON_LEVEL_IDENTIFIERS: tuple[str, ...] = ("customer_id", "loyalty_id", "email", "phone")

# The label of "no value" in a result (a person without persona, a breakdown or a split
# without value): one spelling everywhere, so that tables, charts and filters agree.
NONE_LABEL = "(none)"

# The default online channels: the self-service digital channels where a visit is a session
# of page or screen views (a single-event session is a bounce). Frictions measures bounces on
# them unless told otherwise.
ONLINE_CHANNELS: tuple[str, ...] = ("web", "app")

# The default physical (offline) channels: every other channel seen in the data is online
# (web, app, email, social networks, call centre...). Read by the channels analysis (ROPO,
# showrooming, the omnichannel level).
OFFLINE_CHANNELS: tuple[str, ...] = ("magasin", "store")


@dataclass(frozen=True)
class YamlLimits:
    """What a journey map or a column mapping may cost to read, whoever sends it.

    A real map is under 200 KB, nested under 20 levels, with a few aliases; these bounds are
    several times that, and refuse a YAML bomb (nested aliases that expand to billions of
    values) before it is built.

    max_bytes: size of the document, UTF-8 encoded.
    max_depth: nesting of mappings and lists.
    max_aliases: number of aliases (``*name``) in the document.
    max_nodes: values in the document once every alias is expanded (a value reached through
        an alias counts as many times as it is reached); a 500 KB map holds about 40,000.
    max_seconds: CPU time of the reading thread for parsing and composing the document, a
        backstop: ruamel's round-trip reader is pure Python (a 200 KB map takes about 3 s
        of CPU), so this leaves room for the largest real maps and holds no worker for long.
    """

    max_bytes: int = 500_000
    max_depth: int = 50
    max_aliases: int = 500
    max_nodes: int = 100_000
    max_seconds: float = 10.0


YAML_LIMITS = YamlLimits()


@dataclass(frozen=True)
class CollectorSettings:
    """The collector's spool (``POST /v1/events``; see docs/settings.md).

    spool_limit: bytes the spool beside the workspace may hold (acknowledged batches not
        yet loaded into the workspace); past it the collector answers 503 with Retry-After
        until the loader catches up. About 14 MB per 100,000 events of one property.
    retry_after: the seconds a refused client is told to wait (Retry-After).
    load_bytes: spooled bytes the loader takes into one load at most (bounds its memory).
    load_every: seconds between the starts of two loads (sooner when the spool is half
        full). A load has a fixed cost (some fifty small statements, 0.07 s of CPU) beside
        its rows' (0.3 s for 20,000 events): spacing loads makes each take more batches,
        and leaves the requests the CPU in between (benchmarks/RESULTS.md).
    """

    spool_limit: int = 256 * 1024 * 1024
    retry_after: int = 1
    load_bytes: int = 16 * 1024 * 1024
    load_every: float = 5.0

    @classmethod
    def from_env(cls) -> CollectorSettings:
        """Defaults with ``PARCOURS_SPOOL_LIMIT`` (bytes) and ``PARCOURS_RETRY_AFTER``
        (seconds) applied."""
        values = {}
        for name, var in (
            ("spool_limit", "PARCOURS_SPOOL_LIMIT"),
            ("retry_after", "PARCOURS_RETRY_AFTER"),
        ):
            raw = os.environ.get(var)
            if raw is None:
                continue
            if not raw.isdigit() or int(raw) <= 0:
                raise InputError(f"{var}={raw!r} is not allowed; give a positive whole number")
            values[name] = int(raw)
        return cls(**values)


# An amount of memory as DuckDB reads it: 3GB, 512 MB, 1.5GiB.
MEMORY = re.compile(r"\d+(\.\d+)?\s*(B|[KMGT]i?B)", re.IGNORECASE)


def memory_bytes(amount: str) -> int:
    """The bytes of an amount of memory as :data:`MEMORY` reads it (``3GB``: 3·10⁹)."""
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?)(i?)B", amount.strip(), re.IGNORECASE)
    if found is None:
        raise InputError(f"'{amount}' is not an amount of memory; write e.g. 3GB or 512MiB")
    number, prefix, binary = found.groups()
    power = "KMGT".find(prefix.upper()) + 1  # 0 for plain bytes
    return int(float(number) * (1024 if binary else 1000) ** power)


@dataclass(frozen=True)
class Settings:
    """Workspace-wide settings.

    timezone: the zone given to naive timestamps on ingest (aware ones are converted to UTC).
    phone_region: the region assumed for phone numbers written without a country code.
    max_persons_per_identifier: an identifier seen with more persons than this (a shared
        store tablet's cookie) is not used to merge persons, and is reported.
    hash_salt: when set, identifiers are stored as salted SHA-256 hashes instead of values.
    earliest_ts, latest_ts_ahead: the plausible window of an ingested timestamp, from
        earliest_ts (UTC) to latest_ts_ahead after the moment of the ingest; a row whose
        timestamp falls outside (a clock reset to 1970, a year typed 2062) is rejected.
    memory_limit: what DuckDB's buffer manager may hold (``2.5GB``, ``512MB``); past it,
        big sorts, joins and temporary tables spill to ``temp_directory``. It bounds the
        buffers, not every allocation: Python and DuckDB's own allocations add about 1.2 GB
        at 100M events, so 2.5 GB keeps a step under 4 GB resident.
    threads: DuckDB's worker threads; None for every core.
    temp_directory: where DuckDB spills; None for DuckDB's own place beside a workspace
        file (``<file>.tmp/``), or a folder of its own in the system's temporary folder for
        an in-memory workspace.
    spark_master: the master URL of the Spark session of a ``spark:DIR`` workspace
        (``local[2]``: two cores of this machine; ``spark://host:7077``, ``yarn``).
    spark_remote: a Spark Connect address (``sc://host:15002``) to work on a remote
        cluster instead; the master is then the cluster's.
    spark_memory: the Spark driver's memory (``2g``), read when the session starts.
    spark_shuffle_partitions: partitions of Spark's joins and aggregations; a few per core
        of the cluster (Spark's 200 are made for big clusters and slow small data down).
    """

    timezone: str = "Europe/Paris"
    phone_region: str = "FR"
    max_persons_per_identifier: int = 5
    hash_salt: str | None = None
    earliest_ts: datetime = datetime(1990, 1, 1)
    latest_ts_ahead: timedelta = timedelta(days=1)
    memory_limit: str = "2.5GB"
    threads: int | None = None
    temp_directory: str | None = None
    spark_master: str = "local[2]"
    spark_remote: str | None = None
    spark_memory: str = "2g"
    spark_shuffle_partitions: int = 4

    def __post_init__(self) -> None:
        if not MEMORY.fullmatch(self.memory_limit):
            raise InputError(
                f"memory_limit '{self.memory_limit}' is not an amount of memory; write a "
                "number and a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. 3GB"
            )
        if self.threads is not None and self.threads < 1:
            raise InputError(f"threads {self.threads}: give 1 or more (None: every core)")
        if self.spark_shuffle_partitions < 1:
            raise InputError(
                f"spark_shuffle_partitions {self.spark_shuffle_partitions}: give 1 or more"
            )

    def with_(
        self,
        *,
        timezone: str | None = None,
        phone_region: str | None = None,
        max_persons_per_identifier: int | None = None,
        hash_salt: str | None = None,
        memory_limit: str | None = None,
        threads: int | None = None,
        temp_directory: str | None = None,
        spark_master: str | None = None,
        spark_remote: str | None = None,
        spark_memory: str | None = None,
        spark_shuffle_partitions: int | None = None,
    ) -> Settings:
        """A copy with the given settings changed; ``None`` keeps the current value."""
        return replace(
            self,
            timezone=self.timezone if timezone is None else timezone,
            phone_region=self.phone_region if phone_region is None else phone_region,
            max_persons_per_identifier=self.max_persons_per_identifier
            if max_persons_per_identifier is None
            else max_persons_per_identifier,
            hash_salt=self.hash_salt if hash_salt is None else hash_salt,
            memory_limit=self.memory_limit if memory_limit is None else memory_limit,
            threads=self.threads if threads is None else threads,
            temp_directory=self.temp_directory if temp_directory is None else temp_directory,
            spark_master=spark_master or self.spark_master,
            spark_remote=spark_remote or self.spark_remote,
            spark_memory=spark_memory or self.spark_memory,
            spark_shuffle_partitions=self.spark_shuffle_partitions
            if spark_shuffle_partitions is None
            else spark_shuffle_partitions,
        )


def from_env() -> Settings:
    """Settings with the ``PARCOURS_*`` environment variables applied."""
    env = os.environ
    max_persons = env.get("PARCOURS_MAX_PERSONS_PER_IDENTIFIER")
    return Settings().with_(
        timezone=env.get("PARCOURS_TIMEZONE"),
        phone_region=env.get("PARCOURS_PHONE_REGION"),
        max_persons_per_identifier=int(max_persons) if max_persons else None,
        hash_salt=env.get("PARCOURS_HASH_SALT"),
        memory_limit=env.get("PARCOURS_MEMORY_LIMIT") or None,
        threads=_count("PARCOURS_THREADS", env.get("PARCOURS_THREADS")),
        temp_directory=env.get("PARCOURS_TEMP_DIRECTORY") or None,
        spark_master=env.get("PARCOURS_SPARK_MASTER") or None,
        spark_remote=env.get("PARCOURS_SPARK_REMOTE") or None,
        spark_memory=env.get("PARCOURS_SPARK_MEMORY") or None,
        spark_shuffle_partitions=_count(
            "PARCOURS_SPARK_SHUFFLE_PARTITIONS", env.get("PARCOURS_SPARK_SHUFFLE_PARTITIONS")
        ),
    )


def _count(name: str, text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InputError(f"{name}='{text}' is not a whole number; e.g. {name}=2") from None
