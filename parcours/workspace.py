"""The workspace a user opens: the store's tables and journeys, with every analysis as a method.

    >>> import parcours
    >>> ws = parcours.open(":memory:")
    >>> "funnel" in dir(ws)
    True

:class:`Workspace` joins the two layers below it: :class:`parcours.store.Store` (tables,
ingestion, identity, journeys, maps) and :mod:`parcours.analyses` (one typed function per
analysis over a :class:`~parcours.analyses.Context`). ``ws.funnel(...)`` is
``ws.analyze("funnel", ...)``: each analysis of :data:`parcours.analyses.ANALYSES` is a method.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from parcours.analyses import REGISTRY, Context, Result, get
from parcours.analyses._split import split_by
from parcours.config import Settings
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.store import Store, connect


def open(url: str | Path = "parcours.duckdb", *, settings: Settings | None = None) -> Workspace:  # noqa: A001
    """Open (or create) a workspace: a DuckDB file path, ``:memory:``, or an Ibis URL."""
    return Workspace(connect(url), str(url), settings or Settings())


class Workspace(Store):
    """A workspace's tables and journeys (:class:`~parcours.store.Store`) and its analyses."""

    def context(self, jm: JourneyMap | None = None, lang: str | None = None) -> Context:
        """The input of the analyses: journey table, map and workspace tables."""
        jm = jm or self.default_map()
        return Context(
            journeys=self.journey_table(jm),
            map=jm,
            feedback=self.feedback,
            customers=self.customers,
            identities=self.identities(),
            lang=lang,
        )

    def analyze(
        self,
        name: str,
        map: JourneyMap | None = None,  # noqa: A002
        by: str | None = None,
        lang: str | None = None,
        **params: Any,
    ) -> Result:
        """Run analysis ``name`` (see :data:`parcours.analyses.ANALYSES`) with ``params``;
        ``by="persona"`` runs it once per value of that journey column."""
        analysis = get(name)
        ctx = self.context(map, lang=lang)
        if by:
            return split_by(analysis, ctx, by, **params)
        return analysis(ctx, **params)

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
