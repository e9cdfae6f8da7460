"""A column mapping file is read within the same limits as a map: a YAML bomb, deep nesting
or an oversized file is refused at once with a MappingError naming the file and the limit."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from parcours.errors import MappingError
from tests.yaml_bombs import BOMB_MAPPING, FAST_SECONDS

SOURCE = "ts,customer_id,channel,event\n2026-03-01T10:00:00Z,c1,web,view\n"


def files(tmp_path: Path, mapping: str) -> tuple[Path, Path]:
    source, path = tmp_path / "events.csv", tmp_path / "mapping.yaml"
    source.write_text(SOURCE, encoding="utf-8")
    path.write_text(mapping, encoding="utf-8")
    return source, path


def test_mapping_bomb_refused_at_once_through_ingest(ws, tmp_path):
    source, mapping = files(tmp_path, BOMB_MAPPING)
    started = time.perf_counter()
    with pytest.raises(MappingError) as caught:
        ws.ingest_events(source, mapping=mapping)
    assert time.perf_counter() - started < FAST_SECONDS
    assert str(caught.value) == (
        f"{mapping}:6: the aliases expand the document to more than 100,000 values; "
        "at most 100,000 are allowed"
    )
    assert ws.counts()["events"] == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "events:\n  ignore: " + "[" * 60 + "]" * 60 + "\n",
            ":2: mappings and lists nested deeper",
        ),
        ("#" * 500_001 + "\nevents: {}\n", ": the document is more than 500,000 bytes"),
        ("events:\n  ts: [\n", ":3: YAML syntax error"),
    ],
    ids=["deep", "oversize", "syntax"],
)
def test_mapping_past_a_limit_or_broken_names_the_file(ws, tmp_path, text, message):
    source, mapping = files(tmp_path, text)
    with pytest.raises(MappingError, match=re.escape(str(mapping) + message)):
        ws.ingest_events(source, mapping=mapping)
