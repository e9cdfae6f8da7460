"""The service blueprint and the designed experience in the map: what loads, what is refused
(with the line, the field and what is allowed), the emotion scale and its old labels."""

from __future__ import annotations

import pytest

from parcours.errors import MapError
from parcours.maps import JourneyMap
from parcours.maps.blueprint import blueprint_lanes, measured_items
from parcours.maps.experience import designed_emotion, emotion_score, personas_with_emotions

GOOD = """\
map: pret
state: as-is
title: {fr: Prêt, en: Loan}
stages:
  - id: depot
    title: Dépôt
    emotion: -2                 # very negative
    emotions: {presse: 1}
    blueprint:
      evidence: [Accusé de réception]
      customer: [Remplit le formulaire]
      frontstage: [{fr: Conseiller au téléphone, en: Adviser on the phone}]
      backstage:
        - {id: tri, title: Tri des demandes, match: {event: {prefix: W_Afhandelen}}}
        - Archivage
      support: [Scoring crédit]
  - id: offre
    title: Offre
personas:
  - {id: presse, title: Client pressé}
channels: [web]
touchpoints:
  - {id: envoi, stage: offre, channel: web, match: {event: O_SENT}, emotion: positive}
  - {id: relance, stage: offre, channel: web, match: {event: W_Nabellen}, emotion: -2, emotions: {presse: -1}}
conversion: {event: A_APPROVED}
"""


def test_a_blueprint_and_emotion_scores_load_and_round_trip():
    jm = JourneyMap.loads(GOOD)
    assert jm.state == "as-is"
    depot = jm.stage("depot")
    assert depot.blueprint is not None
    assert [i.id for i in depot.blueprint.backstage] == ["tri", None]
    assert depot.blueprint.frontstage[0].title == {
        "fr": "Conseiller au téléphone",
        "en": "Adviser on the phone",
    }
    assert blueprint_lanes(jm) == ["evidence", "customer", "frontstage", "backstage", "support"]
    assert [(stage, item.id) for stage, item in measured_items(jm)] == [("depot", "tri")]
    assert jm.dumps() == GOOD  # comments, short items and labels kept as written
    assert JourneyMap.loads(jm.dumps()) == jm


def test_the_old_labels_read_as_scores():
    assert [emotion_score(v) for v in ("negative", "neutral", "positive", -2, 2, None)] == [
        -1,
        0,
        1,
        -2,
        2,
        None,
    ]


def test_designed_emotion_per_stage_and_per_persona():
    jm = JourneyMap.loads(GOOD)
    # depot: its own -2; offre: mean of its touchpoints, positive (+1) and -2 -> -0.5
    assert designed_emotion(jm) == {"depot": -2.0, "offre": -0.5}
    # presse: depot +1 (own), offre: +1 and -1 (relance's own) -> 0
    assert designed_emotion(jm, "presse") == {"depot": 1.0, "offre": 0.0}
    assert designed_emotion(jm, "unknown") == designed_emotion(jm)
    assert personas_with_emotions(jm) == ["presse"]


def _problems(text: str) -> list[str]:
    with pytest.raises(MapError) as caught:
        JourneyMap.loads(text, "pret.yaml")
    return [f"{p.line} {p.field}: {p.message}" for p in caught.value.problems]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    emotion: -2                 # very negative\n",
            "    emotion: 3\n",
            "7 stages[0].emotion: 3 is not an emotion: write a score from -2 (very negative) "
            "to +2 (very positive), e.g. emotion: -1, or one of the labels negative (-1), "
            "neutral (0), positive (+1)",
        ),
        (
            "    emotion: -2                 # very negative\n",
            "    emotion: 1.5\n",
            "7 stages[0].emotion: 1.5 is not an emotion",
        ),
        (
            "    emotions: {presse: 1}\n",
            "    emotions: {pressé: 1, inconnu: -1}\n",
            "8 stages[0].emotions.inconnu: emotions names unknown persona 'inconnu'; allowed "
            "personas: presse, e.g. emotions: {presse: -1}",
        ),
        (
            "      support: [Scoring crédit]\n",
            "      support: [{id: score, title: Scoring, match: {event: S}}]\n",
            "16 stages[0].blueprint.support: item 'score' of the support lane has a match: "
            "only backstage items match events",
        ),
        (
            "        - Archivage\n",
            "        - {title: Archivage, match: {event: W_Archive}}\n",
            "15 stages[0].blueprint.backstage[1]: a blueprint item that matches events needs "
            "an id, under which its figures are kept, e.g. {id: validation",
        ),
        (
            "        - Archivage\n",
            "        - {id: tri, title: Archivage, match: {event: W_Archive}}\n",
            "15 stages[0].blueprint.backstage[1].id: duplicate blueprint item id 'tri' "
            "(already used by stages[0].blueprint.backstage[0], line 14); give each its own "
            "id, e.g. tri_2",
        ),
        (
            "        - Archivage\n",
            "        - {id: envoi, title: Archivage}\n",
            "15 stages[0].blueprint.backstage[1].id: blueprint item id 'envoi' is also a "
            "touchpoint's id; give the item its own id, e.g. envoi_backstage",
        ),
        (
            "      evidence: [Accusé de réception]\n",
            "      evidences: [Accusé de réception]\n",
            "10 stages[0].blueprint.evidences: unknown field 'evidences'; allowed fields: "
            "evidence, customer, frontstage, backstage, support",
        ),
        (
            "        - Archivage\n",
            "        - 12\n",
            "15 stages[0].blueprint.backstage[1]: 12 is not a blueprint item: write a text",
        ),
        (
            "state: as-is\n",
            "state: draft\n",
            "2 state: 'draft' is not allowed for state; allowed: 'as-is', 'to-be'",
        ),
    ],
    ids=[
        "emotion_out_of_scale",
        "emotion_not_whole",
        "emotion_of_unknown_persona",
        "match_outside_backstage",
        "measured_item_without_id",
        "duplicate_item_id",
        "item_id_of_a_touchpoint",
        "unknown_lane",
        "item_not_text",
        "unknown_state",
    ],
)
def test_bad_blueprint_or_emotion_says_where_and_what_is_allowed(old, new, expected):
    assert GOOD.count(old) == 1
    problems = _problems(GOOD.replace(old, new))
    assert any(p.startswith(expected) for p in problems), problems
