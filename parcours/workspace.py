"""The workspace a user opens: the store's tables and journeys, with every analysis as a method.

    >>> import parcours
    >>> ws = parcours.open(":memory:")
    >>> "funnel" in dir(ws)
    True

:class:`Workspace` joins the two layers below it: :class:`parcours.store.Store` (tables,
ingestion, identity, journeys, maps) and :mod:`parcours.analyses` (one typed function per
analysis over a :class:`~parcours.analyses.Context`). ``ws.funnel(...)`` is
``ws.analyze("funnel", ...)``: each analysis of :data:`parcours.analyses.ANALYSES` is a method.

Every way of asking for a result ends in :meth:`Workspace.analyze` — the methods, the CLI
commands, the REST routes, the dashboard and the report (through :meth:`Workspace.runner`) —
which keeps the results in the workspace (:mod:`parcours.store.results`): asked again with
the same map, data and parameters, an analysis is read, not computed.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import ibis.expr.types as ir
import pandas as pd

from parcours import config, remote
from parcours.analyses import REGISTRY, Analysis, Context, Result, get
from parcours.analyses._nested import rollup
from parcours.analyses._opportunities import conversion_value
from parcours.analyses._opportunities import rank as rank_opportunities
from parcours.analyses._split import SplitResult, split_by
from parcours.analyses.base import AsOf
from parcours.config import Settings
from parcours.errors import InputError, ParcoursError, WorkspaceBusyError, WorkspaceError
from parcours.maps import JourneyMap, nesting
from parcours.store import Store, connect, journey_store, results, schema
from parcours.store.engine import not_yet
from parcours.store.results import ResultKeys, events_since

# Saved maps kept read (the versions in use: a few).
READ_MAPS = 16

# How the report and the canvas ask for a result: (analysis, language, parameters).
Runner = Callable[[str, str | None, dict[str, Any]], Result]


class Scope(Protocol):
    """A restriction of an analysis' input that its result depends on (the dashboard's
    filters): ``key()`` tells one restriction from another, ``apply`` makes it."""

    def key(self) -> tuple[Any, ...]: ...

    def apply(self, ctx: Context) -> Context: ...


def map_digest(jm: JourneyMap) -> str:
    """What a map says (as ``JourneyMap.__eq__`` compares maps: comments and layout aside),
    digested; its YAML text would take a hundred times longer to write."""
    content = json.dumps(jm.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(content.encode()).hexdigest()


def open(  # noqa: A001
    url: str | Path = "parcours.duckdb",
    *,
    settings: Settings | None = None,
    direct: bool = False,
) -> Workspace:
    """Open (or create) a workspace: a DuckDB file path, ``:memory:``, ``spark:DIR`` (its
    tables Parquet files in DIR, worked on by Spark: see :mod:`parcours.store.spark`), or
    an Ibis URL.

    When a parcours server holds the file, the workspace is reached through it (a
    :class:`parcours.remote.RemoteWorkspace`, with the same methods); ``direct=True`` opens
    the file itself, as the server does."""
    if not direct:
        server = remote.find_server(url)
        if server is not None:
            # the same methods, run in the server
            return remote.RemoteWorkspace(server, str(url), settings, like=Workspace)  # type: ignore[return-value]
    try:
        settings = settings or Settings()
        return Workspace(connect(url, settings), str(url), settings)
    except WorkspaceBusyError as busy:
        if direct or not remote.is_file_path(url):
            raise
        holder = str(busy).split(" holds this workspace")[0]
        raise WorkspaceBusyError(
            f"{holder} holds this workspace and is not a parcours server (no live "
            f"{remote.server_file(url).name} beside it), so nothing can go through it: a "
            "notebook or a script has it open. Close it there, then try again; to share one "
            "workspace between the dashboard, the CLI and Python, let `parcours serve` hold "
            "it; or work on a copy of the file (-w copy.duckdb)"
        ) from None


class Workspace(Store):
    """A workspace's tables and journeys (:class:`~parcours.store.Store`) and its analyses."""

    def __init__(self, con: Any, url: str, settings: Settings):
        # Saved maps already read, by their text (see load_map).
        self._read_maps: dict[tuple[str, str], JourneyMap] = {}
        super().__init__(con, url, settings)

    def load_map(self, map_id: str, version: int | None = None) -> JourneyMap:
        """A saved map (see :meth:`~parcours.store.Store.load_map`), read once per text: the
        YAML reader takes longer than answering with a kept result. The same text gives the
        same object: read it, do not change it."""
        record = self.map_record(map_id, version)
        source = f"{map_id}@v{record['version']}"
        key = (source, record["yaml"])
        if key not in self._read_maps:
            if len(self._read_maps) >= READ_MAPS:
                self._read_maps.pop(next(iter(self._read_maps)))
            self._read_maps[key] = JourneyMap.loads(record["yaml"], source=source)
        return self._read_maps[key]

    def context(
        self, jm: JourneyMap | None = None, lang: str | None = None, scope: Scope | None = None
    ) -> Context:
        """The input of the analyses: journey table, map and workspace tables; restricted
        by ``scope`` when given (a segment: ``Segment.persona("ropo")``)."""
        jm = jm or self.default_map()
        table = self.journey_table(jm)
        ctx = Context(
            journeys=table,
            map=jm,
            feedback=self.feedback,
            customers=self.customers,
            identities=self.identities(),
            lang=lang,
            parts=self._parts(table),
        )
        return ctx if scope is None else scope.apply(ctx)

    def _parts(self, journeys: ir.Table) -> int:
        # DuckDB cannot spill an ordered list or a window past its memory limit: a pass
        # over every journey runs in the parts of persons the journey build uses. Spark
        # spills on its own.
        if self.con.name != "duckdb":
            return 1
        rows = int(journeys.count().to_pyarrow().as_py())
        return journey_store.parts(rows, config.memory_bytes(self.settings.memory_limit))

    def analyze(
        self,
        name: str,
        map: JourneyMap | None = None,  # noqa: A002
        by: str | None = None,
        lang: str | None = None,
        *,
        scope: Scope | None = None,
        fresh: bool = False,
        max_age: timedelta | float | None = None,
        **params: Any,
    ) -> Result:
        """Run analysis ``name`` (see :data:`parcours.analyses.ANALYSES`) with ``params``;
        ``by="persona"`` runs it once per value of that journey column; ``scope`` restricts
        its input (the dashboard's filters).

        The result is kept in the workspace: asked again with the same map, data version,
        parameters, language and scope, it is read instead of computed (see
        :mod:`parcours.store.results`). ``fresh=True`` computes it again and keeps the new one.
        With ``max_age`` (a timedelta, or seconds), a result kept for the same request on
        older data is read too when it was computed less than that long ago: its ``as_of``
        says when, and how many events arrived since (a collector adding events every few
        seconds would otherwise leave nothing to read).
        """
        analysis = get(name)
        jm = map or self.default_map()
        keys, version, found = self._kept_result(
            analysis, jm, by, lang, scope, params, fresh, max_age
        )
        if found is not None:
            return found
        result = self._compute(analysis, jm, by, lang, scope, params)
        if keys is not None:
            self._keep_result(keys, name, version, result)
        return result

    def _kept_result(
        self,
        analysis: Analysis,
        jm: JourneyMap,
        by: str | None,
        lang: str | None,
        scope: Scope | None,
        params: dict[str, Any],
        fresh: bool,
        max_age: timedelta | float | None = None,
    ) -> tuple[ResultKeys | None, int, Result | None]:
        """``(its keys, data version, the kept result or None)`` of a request."""
        version = schema.data_version(self.con)
        keys = self._result_key(analysis, jm, by, lang, scope, version, params)
        if keys is None or fresh:
            return keys, version, None
        found = results.load(self.con, keys.result)
        if isinstance(found, Result):
            return keys, version, found
        if max_age is not None:
            earlier = self._earlier_result(keys.request, version, max_age)
            if earlier is not None:
                return keys, version, earlier
        return keys, version, None

    def _earlier_result(
        self, request: str, version: int, max_age: timedelta | float
    ) -> Result | None:
        """The latest result of ``request`` kept on older data, written within ``max_age``,
        with its ``as_of``."""
        now = datetime.now(UTC).replace(tzinfo=None)
        seconds = max_age.total_seconds() if isinstance(max_age, timedelta) else max_age
        # An age reaching before year 1 (a client's "any age", 1e300) accepts every result.
        since = datetime.min
        if seconds < (now - datetime.min).total_seconds():
            since = now - timedelta(seconds=seconds)
        latest = results.latest(self.con, request, since=since)
        if latest is None or not isinstance(latest.result, Result):
            return None
        found: Result = latest.result
        found.as_of = AsOf(
            computed_at=latest.created_at,
            data_version=latest.data_version,
            current_version=version,
            events_since=events_since(self.con, latest.created_at),
        )
        return found

    def _compute(
        self,
        analysis: Analysis,
        jm: JourneyMap,
        by: str | None,
        lang: str | None,
        scope: Scope | None,
        params: dict[str, Any],
    ) -> Result:
        gap = not_yet(self.con, analysis.name)
        if gap is not None:
            raise WorkspaceError(
                f"analysis '{analysis.name}' does not run on the {self.con.name} engine yet: "
                f"{gap}; run it on a DuckDB workspace"
            )
        ctx = self.context(jm, lang=lang)
        if scope is not None:
            ctx = scope.apply(ctx)
        try:
            return split_by(analysis, ctx, by, **params) if by else analysis(ctx, **params)
        except ParcoursError:
            raise
        except Exception as exc:
            if self.con.name == "duckdb":  # the reference engine: a bug, shown as it is
                raise
            # Another engine lacking a function or a type the analysis uses: say which.
            cause = (str(exc).strip().splitlines() or [""])[0][:300]
            raise WorkspaceError(
                f"analysis '{analysis.name}' does not run on the {self.con.name} engine yet "
                f"({type(exc).__name__}: {cause}); run it on a DuckDB workspace"
            ) from exc

    def _keep_result(self, keys: ResultKeys, name: str, version: int, result: Result) -> None:
        results.save(self.con, keys.result, keys.request, name, version, result)

    def _result_key(
        self,
        analysis: Analysis,
        jm: JourneyMap,
        by: str | None,
        lang: str | None,
        scope: Scope | None,
        version: int,
        params: dict[str, Any],
    ) -> ResultKeys | None:
        """The keys of a result (:func:`parcours.store.results.result_key` and
        :func:`~parcours.store.results.request_key`): the parameters with the analysis'
        defaults filled in, and what a ``*_file`` parameter's file holds; None when a part
        cannot be told apart (then the result is computed every time)."""
        own = list(inspect.signature(analysis.function).parameters.values())[1:]
        values = {p.name: p.default for p in own if p.default is not inspect.Parameter.empty}
        values.update(params)
        files = {}
        for name, value in values.items():
            if name.endswith("_file") and value is not None:
                files[name] = results.file_digest(value)
                if files[name] is None:  # unreadable: the analysis says why
                    return None
        kind = SplitResult if by else analysis.result_type
        try:
            return ResultKeys.of(
                {
                    "analysis": analysis.name,
                    "params": values,
                    "files": files,
                    "by": by,
                    "lang": lang or jm.lang,
                    "scope": None if scope is None else scope.key(),
                    "map": map_digest(jm),
                    "data_version": version,
                    "result": f"{kind.__module__}.{kind.__qualname__}",
                }
            )
        except TypeError:  # a value with no canonical form
            return None

    def opportunities(
        self,
        map: JourneyMap | None = None,  # noqa: A002
        lang: str | None = None,
        scope: Scope | None = None,
    ) -> pd.DataFrame:
        """The map's opportunities ranked by what the data says is at stake: the frictions
        analysis' scores at touchpoint level (a kept result, the report's own) × the mean
        value of a conversion; see :mod:`parcours.analyses._opportunities`."""
        jm = map or self.default_map()
        frictions = self.analyze("frictions", jm, lang=lang, scope=scope, level="touchpoint")
        ctx = self.context(jm, lang)
        journeys = (scope.apply(ctx) if scope is not None else ctx).journeys
        return rank_opportunities(jm, frictions.table, conversion_value(journeys), lang=lang)

    def nested_figures(
        self,
        map: JourneyMap | None = None,  # noqa: A002
        lang: str | None = None,
    ) -> pd.DataFrame:
        """What each sub-map the map opens (``submap:``) adds to its stage or touchpoint,
        counted within that element's persons; see :mod:`parcours.analyses._nested`. The
        sub-maps are looked up in the workspace (by id) or next to the map's file; a missing
        one or a cycle raises MapError."""
        jm = map or self.default_map()
        found = nesting.children(jm, self.load_map)
        return rollup(jm, self.journey_table(jm), found, self.journey_table, lang)

    def runner(
        self,
        map: JourneyMap | None = None,  # noqa: A002
        scope: Scope | None = None,
        fresh: bool = False,
        max_age: timedelta | float | None = None,
    ) -> Runner:
        """``run(name, lang, params)``: :meth:`analyze` on ``map`` within ``scope``, for the
        report and the canvas (:mod:`parcours.render.report`), so that they share the kept
        results (those of earlier data younger than ``max_age`` too, as :meth:`analyze`)."""
        jm = map or self.default_map()

        def run(name: str, lang: str | None, params: dict[str, Any]) -> Result:
            return self.analyze(
                name, jm, lang=lang, scope=scope, fresh=fresh, max_age=max_age, **params
            )

        return run

    def __getattr__(self, name: str) -> Callable[..., Result]:
        # ws.funnel(...), ws.paths(...): every registered analysis is a method.
        if name.startswith("_") or name not in REGISTRY:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        analysis = REGISTRY[name]

        def run(
            *args: Any,
            map: JourneyMap | None = None,  # noqa: A002
            by: str | None = None,
            **params: Any,
        ) -> Result:
            # Positional arguments follow the analysis' own parameters (ws.funnel([...])).
            names = [p.name for p in analysis.parameters()]
            if len(args) > len(names):
                raise InputError(f"{name}() takes at most {len(names)} positional arguments")
            params.update(zip(names, args, strict=False))
            return self.analyze(name, map, by=by, **params)

        run.__doc__ = analysis.doc
        run.__name__ = name
        return run

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(REGISTRY))
