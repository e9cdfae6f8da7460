"""Sentiment of verbatims: accuracy on a labelled set, and the French rules by name.

``tests/fixtures/sentiment_labelled.csv`` holds 227 French and English verbatims labelled
positive / negative / neutral by hand, written for this test (none from the demo's
templates). ``split=dev`` (167 rows) was written first and the lexicon was then completed
while looking at its errors (85.6 % before, 94 % after); ``split=holdout`` (60 rows) was
written afterwards and never tuned on (80 %: French 72.5 %, English 95 %). Most errors are
neutral readings of words the lexicon lacks, almost never a reversed polarity.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from parcours.analyses import _sentiment as S
from parcours.demo.verbatims import ADDONS, CORES

LABELLED = Path(__file__).resolve().parents[1] / "fixtures" / "sentiment_labelled.csv"


@pytest.fixture(scope="module")
def labelled() -> pd.DataFrame:
    frame = pd.read_csv(LABELLED)
    frame["predicted"] = S.label(S.score(frame.text.tolist(), frame.language.tolist()))
    frame["correct"] = frame.predicted == frame.label
    return frame


def test_labelled_set_is_large_varied_and_not_the_demo_templates(labelled):
    assert len(labelled) >= 150
    assert set(labelled.label) == {"positive", "negative", "neutral"}
    assert labelled.groupby(["language", "label"]).size().min() >= 6
    demo = {S.fold(t).strip(" .!") for texts in CORES.values() for t in texts}
    demo |= {S.fold(t).strip(" .!") for texts in ADDONS.values() for t in texts if t}
    assert not {S.fold(t).strip(" .!") for t in labelled.text} & demo


def test_accuracy_above_floors(labelled):
    by_split = labelled.groupby("split").correct.mean()
    assert by_split["dev"] >= 0.90, by_split
    assert by_split["holdout"] >= 0.75, by_split
    by_language = labelled.groupby("language").correct.mean()
    assert by_language["fr"] >= 0.80 and by_language["en"] >= 0.85, by_language


def test_polarity_is_almost_never_reversed(labelled):
    reversed_ = labelled[
        {"positive", "negative"} == labelled[["label", "predicted"]].apply(set, axis=1)
    ]
    assert len(reversed_) / len(labelled) <= 0.02, reversed_[["text", "label", "predicted"]]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("negation_ne_pas_flips", "Je ne suis pas satisfaite.", "negative"),
        ("negation_after_the_verb", "Je recommande pas.", "negative"),
        ("sans_flips_a_problem", "Retour fait sans problème.", "positive"),
        ("pas_mal_is_positive", "Pas mal du tout.", "positive"),
        ("expression_read_whole", "Livrée dans les temps.", "positive"),
        ("trop_before_a_neutral_word", "La veste est trop petite.", "negative"),
        (
            "negated_neutral_verb_is_a_complaint",
            "Le colis n'est jamais arrivé chez moi.",
            "negative",
        ),
        ("pas_encore_is_not_a_complaint", "Je n'ai pas encore ouvert le colis.", "neutral"),
        ("accents_are_optional", "tres decue", "negative"),
        ("factual_is_neutral", "Commande passée lundi.", "neutral"),
    ],
)
def test_french_rules(name, text, expected):
    assert S.label(S.score([text], ["fr"]))[0] == expected, name


def test_clause_after_mais_weighs_more():
    after_positive = S.french("Un peu lent mais vraiment parfait")
    after_negative = S.french("Vraiment parfait mais un peu lent")
    assert after_positive > 0 > S.french("Joli mais décevant")
    assert after_positive > after_negative


def test_intensifier_raises_the_score():
    assert S.french("très rapide") > S.french("rapide") > S.french("un peu rapide") > 0


def test_english_gets_the_feedback_words_vader_lacks():
    assert S.english("The parcel was late.") < 0
    assert S.english("My order still hasn't arrived.") < 0
    assert S.english("Paid by credit card.") == 0


def test_missing_text_is_nan_and_unknown_language_is_guessed():
    # (two words such as "Fast delivery" are too short for py3langid's n-grams: it says fr)
    scores = S.score(
        [None, "", "Livraison rapide", "Fast delivery, thank you"], [None, "fr", None, "de"]
    )
    assert np.isnan(scores[:2]).all() and (scores[2:] > 0).all()
    assert S.guess_language("The delivery was fast") == "en"
    assert S.guess_language("La livraison est rapide") == "fr"


def test_demo_verbatims_follow_their_scores(demo_ws):
    """On text we did not write: detractors' verbatims read mostly negative, promoters' not."""
    fb = demo_ws.feedback.filter(lambda t: t.verbatim.notnull() & (t.kind == "nps")).to_pandas()
    fb["label"] = S.label(S.score(fb.verbatim.tolist(), fb.language.tolist()))
    detractors = fb[fb.score <= 6].label.value_counts(normalize=True)
    promoters = fb[fb.score >= 9].label.value_counts(normalize=True)
    assert detractors.get("negative", 0) > 0.6, detractors
    assert promoters.get("negative", 0) < 0.15, promoters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@united lost my bag again #NeverAgain https://t.co/x1", "lost my bag again Never Again"),
        ("RT @Fnac_Darty: super accueil", "RT : super accueil"),
        ("mail: a@b.fr #1", "mail: a@b.fr 1"),
        ("www.example.com only", "only"),
    ],
)
def test_normalize_links_handles_hashtags(text, expected):
    assert S.normalize(text) == expected


def test_a_brand_handle_is_not_read_as_a_feeling():
    """VADER reads "united" as positive: the handle @united must not lift a complaint."""
    assert S.english("united") > 0
    assert S.score(["@united delayed again and no answer"], ["en"])[0] < 0
    assert np.isnan(S.score(["@united https://t.co/x"], ["en"])[0])


def test_emoji_carry_their_feeling_in_french():
    neutral = S.score(["Commande reçue"], ["fr"])[0]
    assert (
        S.score(["Commande reçue 😡"], ["fr"])[0]
        < neutral
        < S.score(["Commande reçue 😍"], ["fr"])[0]
    )


SOCIAL_FR = LABELLED.parent / "sentiment_fr_social.csv"


def test_french_social_set_polarity():
    """40 French verbatims written for this test after the lexicon (tweets with handles,
    hashtags and emoji among them): benchmarks/sentiment.py measured 92.5 %."""
    frame = pd.read_csv(SOCIAL_FR)
    scores = S.score(frame.text.tolist(), [None] * len(frame))
    right = np.sign(scores) == np.where(frame.label == "positive", 1, -1)
    assert right.mean() >= 0.9


@pytest.mark.shared_data
def test_nps_verbatims_better_than_plain_vader(shared_datasets):
    """Promoters (9-10) positive, detractors (0-6) negative: the share read with the right
    sign, parcours against plain VADER (benchmarks/sentiment.py: 76.1 % against 63.6 %)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    frame = pd.read_csv(shared_datasets / "telecom-nps-verbatims" / "text_data.csv")
    frame = frame[frame.text.notna() & frame.NPS_RATING.isin(["Promoter", "Detractor"])]
    sign = np.where(frame.NPS_RATING == "Promoter", 1, -1)
    vader = SentimentIntensityAnalyzer()
    plain = np.array([vader.polarity_scores(t)["compound"] for t in frame.text])
    ours = S.score(frame.text.tolist(), [None] * len(frame))
    assert (np.sign(ours) == sign).mean() >= (np.sign(plain) == sign).mean() + 0.10
    detected = [S.guess_language(t) for t in frame.text]
    assert np.mean([d == "en" for d in detected]) >= 0.98
