"""The web dashboard, served by the REST app: ``parcours serve`` prints its address.

    >>> from parcours.cli.serve import server_app
    >>> app = server_app(":memory:")          # the REST app with the dashboard mounted
    >>> app.state.dashboard.sessions.url("127.0.0.1", 8765).startswith("http://127.0.0.1:8765/?token=")
    True

Pages: the journey map canvas (``/``), one page per analysis with its form and the
period / persona / channel filters (``/analyses/{name}``; the friction ranking at
``/analyses/frictions``), the map's YAML editor with live validation (``/editor``) and the
version history with diffs (``/history``), and the experience (``/experience``: emotion per
persona, the service blueprint measured, as-is against to-be). French and English. Every asset is served by the
app itself (plotly.js from the installed plotly package): it works without internet.
Browsers log in with the address printed at start or with an API key (:mod:`.session`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from parcours.web.experience import router as experience_router
from parcours.web.filters import Filters, filter_context
from parcours.web.map_objects import router as map_objects_router
from parcours.web.routes import HERE, Dashboard, router
from parcours.web.session import Sessions

__all__ = ["Dashboard", "Filters", "Sessions", "filter_context", "mount_dashboard"]


def mount_dashboard(app: FastAPI) -> Dashboard:
    """Add the dashboard's pages to ``app`` (built by :func:`parcours.api.create_app`); :func:`parcours.cli.serve.server_app` joins them."""
    board = Dashboard()
    app.state.dashboard = board
    outer = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The pages' background computations live (and end) inside the app's own life.
        async with outer(app), board.jobs.running():
            yield

    app.router.lifespan_context = lifespan
    app.include_router(router)
    app.include_router(map_objects_router)
    app.include_router(experience_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="dashboard-static")
    return board
