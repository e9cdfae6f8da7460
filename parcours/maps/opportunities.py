"""Opportunities as objects: the map's ``opportunities:``, and the free-text form read as them.

An opportunity has an id, a title, the stages, touchpoints and friction points it addresses,
an owner, a status (idea, planned, in_progress, done) and an expected effect:

    opportunities:
      - id: paiement-express
        title: {fr: Paiement en un clic, en: One-click payment}
        touchpoints: [paiement]
        frictions: [paiement]        # the friction point measured at touchpoint paiement
        owner: Équipe e-commerce
        status: planned
        effect: {fr: "−20 % d'abandons au paiement", en: "−20% exits at payment"}

A friction point is named by the touchpoint where the frictions analysis measures it (its
``id`` column); a stage id names every friction point of that stage's touchpoints.

The first form, free text under a stage's or touchpoint's ``opportunities:``, still loads:
each text is read as an opportunity with id ``<stage or touchpoint id>-opportunity-<n>``
(n from 1 in the file's order), status ``idea``, no owner, addressing that stage's or
touchpoint's friction points. The file is not rewritten; move a text into ``opportunities:``
to give it an owner and a status.

    >>> from parcours.maps import JourneyMap, render_template
    >>> jm = JourneyMap.loads(render_template("cinq-phases"))
    >>> [o.id for o in opportunities_of(jm)][:2]
    ['decouverte-opportunity-1', 'consideration-opportunity-1']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parcours.maps.opportunity_checks import STATUSES, check_opportunities

if TYPE_CHECKING:
    from parcours.maps.model import JourneyMap, Opportunity

__all__ = [
    "STATUSES",
    "check_opportunities",
    "converted_id",
    "friction_keys",
    "opportunities_of",
    "stage_of",
]


def converted_id(element: str, n: int) -> str:
    """The id a free-text opportunity gets: its n-th (from 1) on that stage or touchpoint."""
    return f"{element}-opportunity-{n}"


def opportunities_of(jm: JourneyMap) -> list[Opportunity]:
    """The map's opportunities, then its free-text ones read as objects (see module doc)."""
    from parcours.maps.model import Opportunity

    found = list(jm.opportunities)
    for stage in jm.stages:
        for n, text in enumerate(stage.opportunities, 1):
            found.append(
                Opportunity(
                    id=converted_id(stage.id, n),
                    title=text,
                    stages=[stage.id],
                    frictions=[stage.id],
                )
            )
    for tp in jm.touchpoints:
        for n, text in enumerate(tp.opportunities, 1):
            found.append(
                Opportunity(
                    id=converted_id(tp.id, n), title=text, touchpoints=[tp.id], frictions=[tp.id]
                )
            )
    return found


def stage_of(opportunity: Opportunity, jm: JourneyMap) -> str | None:
    """The stage column an opportunity is drawn in: its first stage, else the stage of its
    first touchpoint, else of its first friction point; None when it names none."""
    stages = {s.id for s in jm.stages}
    by_touchpoint = {t.id: t.stage for t in jm.touchpoints}
    for ref in [*opportunity.stages, *opportunity.touchpoints, *opportunity.frictions]:
        if ref in stages:
            return ref
        if ref in by_touchpoint:
            return by_touchpoint[ref]
    return None


def friction_keys(opportunity: Opportunity, jm: JourneyMap, level: str = "touchpoint") -> list[str]:
    """The friction points an opportunity addresses, as the frictions analysis names them at
    ``level``: at touchpoint level a stage id stands for its touchpoints; at stage level a
    touchpoint id stands for its stage. Each key once, in the order first named."""
    stage_of_tp = {t.id: t.stage for t in jm.touchpoints}
    keys: list[str] = []
    for ref in opportunity.frictions:
        if level == "stage":
            named = [stage_of_tp.get(ref, ref)]
        elif ref in stage_of_tp:
            named = [ref]
        else:
            named = [t.id for t in jm.touchpoints if t.stage == ref]
        keys += [k for k in named if k not in keys]
    return keys
