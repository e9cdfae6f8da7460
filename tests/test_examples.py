"""The examples in ``examples/``: their mappings and journey maps validate, and the real logs
they were written for ingest through them whole (BPIC 2012 from its CSV export, Helpdesk from
its XES file), one case per person, every activity on a touchpoint of the map."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from ruamel.yaml import YAML

import parcours
from parcours.maps import JourneyMap
from parcours.store.mapping import ColumnMapping
from parcours.store.xes import read_xes

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# name -> (file the test ingests, events in the log, cases in the log), from each SOURCE.md
LOGS = {
    "bpic2012": ("bpic2012/bpic2012.csv.gz", 262_200, 13_087),
    "helpdesk": ("helpdesk/helpdesk.xes.gz", 21_348, 4_580),
}


@pytest.mark.parametrize("name", sorted(LOGS))
def test_example_mapping_validates(name):
    mapping = ColumnMapping.load("events", EXAMPLES / name / "mapping.yaml")
    assert mapping.fields["customer_id"].columns == ("case:concept:name",)
    assert mapping.fields["event"].columns == ("concept:name",)


@pytest.mark.parametrize("name", sorted(LOGS))
def test_example_journey_map_validates(name):
    jm = JourneyMap.load(EXAMPLES / name / "journey.yaml")
    assert jm.touchpoints and jm.conversion.events


def test_readme_names_every_example():
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for name in LOGS:
        assert f"examples/{name}/mapping.yaml" in readme
        assert f"examples/{name}/journey.yaml" in readme


def _log_frame(path: Path) -> pd.DataFrame:
    if path.name.endswith(".xes.gz"):
        return read_xes(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module", params=sorted(LOGS))
def ingested(request, tmp_path_factory):
    from tests.conftest import SHARED_DATASETS

    if not SHARED_DATASETS.exists():
        pytest.skip(f"real data sets not present at {SHARED_DATASETS} (they live in ../shared)")
    name = request.param
    relative, events, cases = LOGS[name]
    path = SHARED_DATASETS / relative
    ws = parcours.open(":memory:")
    report = ws.ingest_events(path, mapping=str(EXAMPLES / name / "mapping.yaml"))
    jm = JourneyMap.load(EXAMPLES / name / "journey.yaml")
    yield name, path, events, cases, report, ws, jm
    ws.close()


@pytest.mark.shared_data
def test_real_log_ingests_whole(ingested):
    name, path, events, _, report, _, _ = ingested
    assert report.rows == events
    assert report.rejected == 0, report.reasons
    # Rows repeated exactly (same case, activity, time and every attribute) share one
    # content key and count as duplicates unless the mapping keeps duplicate rows
    # (Helpdesk repeats 127 rows; BPIC 2012 none).
    keeps = YAML(typ="safe").load((EXAMPLES / name / "mapping.yaml").read_text("utf-8"))
    keeps = keeps["events"].get("duplicate_rows") == "keep"
    repeated = 0 if keeps else int(_log_frame(path).duplicated().sum())
    assert (report.accepted, report.duplicates) == (events - repeated, repeated)


@pytest.mark.shared_data
def test_real_log_one_person_per_case_every_activity_mapped(ingested):
    _, _, _, cases, _, ws, jm = ingested
    journeys = ws.journey_table(jm)
    assert journeys.person_id.nunique().execute() == cases
    unmapped = journeys.filter(journeys.touchpoint == "unmapped").event.value_counts().to_pandas()
    assert unmapped.empty, unmapped
    converted = journeys.filter(journeys.is_conversion).journey_id.nunique().execute()
    assert 0 < converted <= cases
