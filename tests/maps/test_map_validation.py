"""Golden cases: each file in fixtures/invalid says, in ``# expect:`` lines, every problem the
validator must report (line | field | message), in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from parcours.errors import InputError, MapError
from parcours.maps import JourneyMap, find_problems, validate_data, validate_file

FIXTURES = Path(__file__).parent / "fixtures"
INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))


def _expected(path: Path) -> list[tuple[int | None, str | None, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            number, field, message = (p.strip() for p in line[len("# expect:") :].split(" | ", 2))
            rows.append((int(number) if number else None, field or None, message))
    return rows


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_map_reports_every_problem_at_its_line(path: Path) -> None:
    expected = _expected(path)
    assert expected, f"{path.name} has no '# expect:' line"
    with pytest.raises(MapError) as caught:
        validate_file(path)
    got = [(p.line, p.field, p.message) for p in caught.value.problems]
    assert got == expected
    assert all(p.file == str(path) for p in caught.value.problems)


def test_map_error_is_an_input_error_and_reads_as_file_line_message() -> None:
    path = FIXTURES / "invalid" / "unknown_stage.yaml"
    with pytest.raises(InputError) as caught:
        JourneyMap.load(path)
    assert str(caught.value) == (
        f"journey map is not valid: {path}:12: touchpoint 'paiement' points to unknown stage "
        "'decison'; allowed stages: decouverte, consideration, decision "
        "(field touchpoints[0].stage)"
    )


def test_missing_file_is_a_map_error() -> None:
    with pytest.raises(MapError, match="cannot read the map"):
        validate_file(FIXTURES / "nope.yaml")


def test_empty_text_is_not_a_map() -> None:
    with pytest.raises(MapError, match="not an empty file"):
        JourneyMap.loads("")


def test_cross_checks_run_on_plain_data_without_lines() -> None:
    data = {
        "map": "m",
        "title": "T",
        "stages": [{"id": "a", "title": "A"}, {"id": "a", "title": "A bis"}],
        "channels": ["web"],
        "touchpoints": [{"id": "t", "stage": "b", "channel": "web", "match": {"event": "x"}}],
        "conversion": {"event": "purchase"},
        "flow": [["a", "b"]],
    }
    problems = find_problems(data, "in-memory")
    assert [(p.line, p.field) for p in problems] == [
        (None, "stages[1].id"),
        (None, "touchpoints[0].stage"),
        (None, "flow[0][1]"),
    ]
    assert problems[0].message == (
        "duplicate stage id 'a' (already used by stages[0].id); give each its own id, e.g. a_2"
    )


def test_a_valid_map_built_in_python_passes_the_cross_checks() -> None:
    journey_map = JourneyMap.load(FIXTURES / "valid" / "mode-femme.yaml")
    assert validate_data(journey_map.model_dump(mode="json")) == journey_map
