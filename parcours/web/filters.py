"""The dashboard's filters: a period, a persona and a channel, applied to whole journeys.

Cutting journeys would change what every analysis measures (a funnel whose first steps fell
outside the period, an exit that is only the edge of the filter), so the filters keep or drop
whole journeys:

* period (``start`` .. ``end``, days, inclusive, UTC): journeys whose first event falls in it;
* persona: journeys of persons of that persona (``-`` for persons matching no persona);
* channel: journeys with at least one event on that channel.

Survey answers (``ctx.feedback``) are filtered on the period only: they carry identifiers,
not persons. Everything stays an Ibis expression over the journey table.

    >>> Filters.parse({"start": "2026-01-01", "persona": "ropo"}).label()
    'start=2026-01-01, persona=ropo'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import ibis

from parcours.analyses import Context
from parcours.errors import InputError
from parcours.maps import JourneyMap

NO_PERSONA = "-"
FIELDS = ("start", "end", "persona", "channel")


def _day(name: str, text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"filter {name}: '{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-31"
        ) from None


@dataclass(frozen=True)
class Filters:
    """What the filter bar holds; every field optional."""

    start: date | None = None
    end: date | None = None
    persona: str | None = None
    channel: str | None = None

    @classmethod
    def parse(cls, values: Any) -> Filters:
        """From query parameters (a mapping of text); empty values mean no filter."""
        text = {name: (values.get(name) or "").strip() or None for name in FIELDS}
        made = cls(
            start=_day("start", text["start"]),
            end=_day("end", text["end"]),
            persona=text["persona"],
            channel=text["channel"],
        )
        if made.start and made.end and made.start > made.end:
            raise InputError(
                f"filters: start {made.start} is after end {made.end}; "
                "the period must start on or before its end"
            )
        return made

    def check(self, jm: JourneyMap) -> Filters:
        """Refuse a persona or a channel the map does not declare."""
        personas = [p.id for p in jm.personas]
        if self.persona and self.persona != NO_PERSONA and self.persona not in personas:
            raise InputError(
                f"filter persona: '{self.persona}' is not a persona of map '{jm.map}'; "
                f"personas: {', '.join(personas) or 'none'}, or '{NO_PERSONA}' for none"
            )
        channels = [c.id for c in jm.channels]
        if self.channel and self.channel not in channels:
            raise InputError(
                f"filter channel: '{self.channel}' is not a channel of map '{jm.map}'; "
                f"channels: {', '.join(channels)}"
            )
        return self

    @property
    def active(self) -> bool:
        return any(getattr(self, name) is not None for name in FIELDS)

    def query(self) -> dict[str, str]:
        """The filters as query parameters (for links that keep them)."""
        return {name: str(value) for name in FIELDS if (value := getattr(self, name)) is not None}

    def label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.query().items())

    def key(self) -> tuple:
        return dataclasses.astuple(self)

    def apply(self, ctx: Context) -> Context:
        """``ctx`` restricted to these filters (a :class:`parcours.workspace.Scope`: the
        workspace keeps results per filters)."""
        return filter_context(ctx, self)


def filter_context(ctx: Context, filters: Filters) -> Context:
    """``ctx`` with its journeys (and feedback) restricted to ``filters``; ``ctx`` itself when
    no filter is set."""
    if not filters.active:
        return ctx
    journeys = ctx.journeys
    if filters.persona == NO_PERSONA:
        journeys = journeys.filter(journeys.persona.isnull())
    elif filters.persona:
        journeys = journeys.filter(journeys.persona == filters.persona)
    low = datetime.combine(filters.start, time.min) if filters.start else None
    high = datetime.combine(filters.end + timedelta(days=1), time.min) if filters.end else None
    if low or high or filters.channel:
        per = journeys.group_by("journey_id").aggregate(
            first_ts=journeys.ts.min(),
            on_channel=(journeys.channel == filters.channel).any()
            if filters.channel
            else ibis.literal(True),
        )
        keep = per.filter(per.on_channel)
        if low is not None:
            keep = keep.filter(keep.first_ts >= low)
        if high is not None:
            keep = keep.filter(keep.first_ts < high)
        journeys = journeys.semi_join(keep.select("journey_id"), "journey_id")
    feedback = ctx.feedback
    if feedback is not None and (low or high):
        if low is not None:
            feedback = feedback.filter(feedback.ts >= low)
        if high is not None:
            feedback = feedback.filter(feedback.ts < high)
    return dataclasses.replace(ctx, journeys=journeys, feedback=feedback)
