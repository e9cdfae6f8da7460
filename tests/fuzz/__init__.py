"""Fuzz tests: generated inputs through every door (files, maps, mappings, the REST API).

They run with the rest of the suite (``make test``), so their time is bounded: each test
draws a fixed number of examples (:func:`budget`) from the ``fuzz`` Hypothesis profile; the
whole folder takes about a minute on two cores. To fuzz longer, scale every budget:

    PARCOURS_FUZZ_SCALE=20 .venv/bin/pytest tests/fuzz --hypothesis-seed=$RANDOM

A failing example is printed with ``@reproduce_failure`` and kept in ``.hypothesis/``, so
the next run replays it first.
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

SCALE = float(os.environ.get("PARCOURS_FUZZ_SCALE", "1"))

settings.register_profile(
    "fuzz",
    # CI draws the same examples at every run, so that a red build is always a change of
    # the code, never a lucky draw; a developer's run draws new ones at each run (scale it
    # with PARCOURS_FUZZ_SCALE). A failure prints its seed and its @reproduce_failure blob.
    derandomize=os.environ.get("CI") == "true",
    print_blob=True,
    # An ingest costs about a second of query compilation: generating is never the slow part.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def budget(examples: int, seconds: float) -> settings:
    """The ``fuzz`` profile with ``examples`` examples (times ``PARCOURS_FUZZ_SCALE``), each
    allowed ``seconds``: far above its usual time, so that only a runaway input fails it."""
    return settings(
        settings.get_profile("fuzz"),
        max_examples=max(1, round(examples * SCALE)),
        deadline=timedelta(seconds=seconds),
    )
