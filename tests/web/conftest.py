"""The small shop the dashboard tests serve: the events and map of tests/store/test_results."""

from __future__ import annotations

import pytest

import parcours
from parcours.maps import JourneyMap
from tests.store.test_results import FIRST, MAP
from tests.timelines import events_frame


@pytest.fixture
def shop():
    ws = parcours.open(":memory:")
    ws.ingest_events(events_frame(FIRST))
    ws.save_map(JourneyMap.loads(MAP), "test map")
    yield ws
    ws.close()
