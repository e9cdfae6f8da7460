"""Identity resolution on the demo retailer, against the simulator's ground truth."""

from __future__ import annotations

import pandas as pd

from parcours.demo import simulate
from parcours.store.normalize import normalize_phone
from tests.conftest import DEMO_PERSONS

KINDS = ("customer_id", "anonymous_id", "email", "phone", "loyalty_id")


def _row_identifiers(frame: pd.DataFrame) -> list[set[str]]:
    """Normalised identifiers of each row, as the workspace writes them."""
    rows = []
    for values in frame[list(c for c in KINDS if c in frame.columns)].itertuples(index=False):
        found = set()
        for kind, value in zip([c for c in KINDS if c in frame.columns], values, strict=True):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                continue
            text = str(value).strip()
            if kind == "email":
                text = text.lower()
            if kind == "phone":
                text = normalize_phone(text, "FR")
            found.add(f"{kind}:{text}")
        rows.append(found)
    return rows


def _linked_identifiers(data, owner: dict[str, str]) -> set[str]:
    linked: set[str] = set()
    for ids in _row_identifiers(data.events) + _row_identifiers(data.customers):
        known = [i for i in ids if i in owner]
        for ident in known:
            if any(owner[o] == owner[ident] for o in known if o != ident):
                linked.add(ident)
    return linked


def test_no_two_true_persons_are_merged_and_personal_ids_are_stitched(demo_ws):
    data = simulate(persons=DEMO_PERSONS, seed=7)
    truth = data.truth
    ids = demo_ws.identities().to_pandas().set_index("identifier")
    owner = {
        ident: key
        for key, idents in zip(truth.person_key, truth.identifiers, strict=True)
        for ident in idents
    }

    # No false merge: each resolved person holds identifiers of one true person only
    # (identifiers the simulator does not attribute — the store tablets — stay apart).
    resolved = ids[ids.index.isin(owner)].assign(true=lambda f: f.index.map(owner))
    assert resolved.groupby("person_id")["true"].nunique().max() == 1

    # Every identifier seen on a row together with another identifier of its true person
    # (all spellings of an email, all formats of a phone, cookies after login, the card at
    # the till with a phone...) ends on that person's one resolved person. An identifier
    # never seen beside another one (a phone given alone at the till) cannot be stitched.
    linked = _linked_identifiers(data, owner)
    stitched = resolved[resolved.index.isin(linked)]
    split = stitched.groupby("true")["person_id"].nunique()
    assert (split == 1).all(), split[split > 1].head()
    assert len(stitched) > 0.9 * len(resolved[resolved.kind != "anonymous_id"])

    # The five store tablets are found and not used to merge.
    shared = ids[ids.shared]
    assert len(shared) == 5
    assert set(shared.kind) == {"anonymous_id"}
    assert shared.persons.min() > 5
