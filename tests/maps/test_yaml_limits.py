"""Reading is bounded: a YAML bomb, deep nesting or an oversized document is refused fast,
with the file, the line, the limit passed and the value allowed; real maps still load."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from parcours.config import YAML_LIMITS, YamlLimits
from parcours.demo.load import demo_map_text
from parcours.errors import MapError
from parcours.maps import TEMPLATES, JourneyMap, render_template
from parcours.maps.yaml_io import read_data, read_document
from tests.yaml_bombs import BOMB_MAP, DEEP_MAP, FAST_SECONDS, OVERSIZE_MAP


def refused(text: str, source: str = "map.yaml") -> tuple[str, float]:
    """The message refusing ``text`` and the seconds it took."""
    started = time.perf_counter()
    with pytest.raises(MapError) as caught:
        JourneyMap.loads(text, source)
    return str(caught.value), time.perf_counter() - started


def test_billion_laughs_refused_in_milliseconds_naming_file_line_and_limit():
    message, seconds = refused(BOMB_MAP, "bomb.yaml")
    assert seconds < FAST_SECONDS
    assert message == (
        "journey map is not valid: bomb.yaml:8: the aliases expand the document to more than "
        "100,000 values; at most 100,000 are allowed"
    )


def test_billion_laughs_refused_as_plain_data_too():
    with pytest.raises(MapError, match="mapping.yaml:8: the aliases expand the document"):
        read_data(BOMB_MAP, "mapping.yaml")


def test_nesting_deeper_than_the_limit_refused_at_its_line():
    message, seconds = refused(DEEP_MAP)
    assert seconds < FAST_SECONDS
    line = len(DEEP_MAP.splitlines())
    assert (
        f"map.yaml:{line}: mappings and lists nested deeper than 50 levels; at most 50" in message
    )


def test_oversize_document_refused_before_parsing():
    message, seconds = refused(OVERSIZE_MAP)
    assert seconds < FAST_SECONDS
    size = len(OVERSIZE_MAP.encode())
    assert f"map.yaml: the document is {size:,} bytes; at most 500,000 are allowed" in message


def test_oversize_file_refused_without_reading_it_whole(tmp_path: Path):
    path = tmp_path / "big.yaml"
    path.write_text(OVERSIZE_MAP, encoding="utf-8")
    with pytest.raises(MapError, match="big.yaml: the document is more than 500,000 bytes"):
        JourneyMap.load(path)


def test_too_many_aliases_refused():
    text = "map: x\ntitle: X\nanchor: &a 1\nmany: [" + ", ".join(["*a"] * 501) + "]\n"
    message, _ = refused(text)
    assert "map.yaml:4: more than 500 aliases (*name); at most 500 are allowed" in message


def test_recursive_alias_refused():
    message, _ = refused("map: x\ntitle: X\nloop: &loop [a, *loop]\n")
    assert "map.yaml:3: alias *loop is inside the node it names; recursive aliases" in message


def test_cpu_time_limit_refuses_a_slow_read():
    with pytest.raises(MapError, match=r"5a.yaml:\d+: reading took more than 0 s of CPU"):
        read_document(render_template("5a"), "5a.yaml", YamlLimits(max_seconds=0))


def test_a_few_aliases_in_a_real_map_are_fine():
    text = render_template("5a")
    text = text.replace("kpis: [{metric: reach", "kpis: &reach [{metric: reach", 1)
    text = text.replace("kpis: [{metric: bounce_rate, target: 0.4}]", "kpis: *reach", 1)
    journey_map = JourneyMap.loads(text)
    assert journey_map.stages[1].kpis == journey_map.stages[0].kpis
    assert journey_map.dumps() == text


def test_real_maps_are_a_tenth_of_the_size_limit_or_less():
    # They load and round-trip under the limits: tests/maps/test_map_templates.py, the demo.
    texts = [render_template(name, lang) for name in TEMPLATES for lang in ("fr", "en")]
    for text in [*texts, demo_map_text()]:
        assert len(text.encode()) < YAML_LIMITS.max_bytes // 10
