"""Shared fixtures: a fresh in-memory workspace per test, and the shared data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

import parcours

SHARED_DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


@pytest.fixture
def ws():
    workspace = parcours.open(":memory:")
    yield workspace
    workspace.close()


@pytest.fixture
def shared_datasets() -> Path:
    if not SHARED_DATASETS.exists():
        pytest.skip(f"real data sets not present at {SHARED_DATASETS} (they live in ../shared)")
    return SHARED_DATASETS
