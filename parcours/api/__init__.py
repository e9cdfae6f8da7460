"""The REST API of parcours (FastAPI): maps, analyses, ingestion, the event collector.

    parcours keys create --scope admin        # prints a token, once
    parcours serve --port 8765                # then open http://127.0.0.1:8765/docs

Build the app in Python with :func:`create_app`; the dashboard mounts on the same app.
"""

from parcours.api.app import create_app
from parcours.api.state import ApiSettings, ServerState

__all__ = ["ApiSettings", "ServerState", "create_app"]
