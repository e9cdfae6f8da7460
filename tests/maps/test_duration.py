from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcours.errors import InputError
from parcours.maps import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("45m", timedelta(minutes=45)),
        ("90s", timedelta(seconds=90)),
        ("2w", timedelta(weeks=2)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("1w2d3h4m5s", timedelta(weeks=1, days=2, hours=3, minutes=4, seconds=5)),
        (" 30D ", timedelta(days=30)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["30", "30 days", "1.5d", "-2d", "d", "", "0d", "3y", "1d 12h", "36526d", "99999999999999d"],
)
def test_parse_duration_refuses_and_says_what_is_allowed(text: str) -> None:
    with pytest.raises(InputError, match=r"number followed by s, m, h, d or w, e\.g\. 30d"):
        parse_duration(text)


def test_parse_duration_reads_up_to_100_years_and_says_so_past_them() -> None:
    assert parse_duration("36525d") == timedelta(days=36525)
    with pytest.raises(InputError, match=r"'5219w' is longer than 100 years \(36525d\)"):
        parse_duration("5219w")


def test_parse_duration_refuses_a_plain_number() -> None:
    with pytest.raises(InputError, match="duration 30 is not valid"):
        parse_duration(30)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(days=30), "4w2d"),
        (timedelta(days=1, hours=12), "1d12h"),
        (timedelta(seconds=59), "59s"),
    ],
)
def test_format_duration(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text


@pytest.mark.parametrize(
    "delta", [timedelta(0), timedelta(seconds=-5), timedelta(milliseconds=1500)]
)
def test_format_duration_refuses_what_cannot_be_written(delta: timedelta) -> None:
    with pytest.raises(InputError):
        format_duration(delta)


@given(st.integers(min_value=1, max_value=10**9))
def test_format_then_parse_is_identity(seconds: int) -> None:
    delta = timedelta(seconds=seconds)
    assert parse_duration(format_duration(delta)) == delta
