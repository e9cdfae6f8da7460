"""Sentiment and language detection of verbatims, measured on labelled texts; prints figures.

    .venv/bin/python benchmarks/sentiment.py

* English: the NPS verbatims of ``../shared/datasets/telecom-nps-verbatims`` (a UK telecom's
  survey): promoters (9-10) are labelled positive, detractors (0-6) negative, passives left
  out. Accuracy = share whose score has the label's sign (a score of 0 counts as wrong).
  Compared: plain VADER (``vaderSentiment``, its own lexicon) against parcours
  (:mod:`parcours.analyses._sentiment`: normalisation, VADER with feedback words).
* French: ``tests/fixtures/sentiment_fr_social.csv`` (40 verbatims, positive / negative,
  some written as tweets with @handles, hashtags and emoji), and the French rows of
  ``tests/fixtures/sentiment_labelled.csv`` (positive and negative only).
* Language: how often a text without a language is given the right one, by py3langid
  (what parcours uses) and by the former guess from common words, over the same texts.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parcours.analyses import _sentiment as S  # noqa: E402

NPS = ROOT.parent / "shared" / "datasets" / "telecom-nps-verbatims" / "text_data.csv"
FR_SOCIAL = ROOT / "tests" / "fixtures" / "sentiment_fr_social.csv"
LABELLED = ROOT / "tests" / "fixtures" / "sentiment_labelled.csv"

# The former language guess (common words; French when in doubt), kept here to compare.
FRENCH_HINTS = {
    "le", "la", "les", "des", "est", "et", "une", "un", "je", "pas", "tres", "pour", "avec",
    "mon", "ma", "mes", "du", "au", "aux", "sur", "dans", "que", "qui", "ne", "ce", "cette",
    "vous", "nous", "j", "c", "l", "d", "n", "plus", "commande", "colis", "livraison",
}  # fmt: skip
ENGLISH_HINTS = {
    "the", "and", "is", "was", "my", "i", "it", "to", "of", "for", "with", "not", "very",
    "this", "that", "on", "in", "at", "you", "your", "be", "have", "has", "order", "delivery",
}  # fmt: skip


def hints_language(text: str) -> str:
    tokens = re.findall(r"[a-z0-9]+", S.fold(text))
    fr = sum(t in FRENCH_HINTS for t in tokens)
    en = sum(t in ENGLISH_HINTS for t in tokens)
    return "en" if en > fr else "fr"


def polar_accuracy(scores: np.ndarray, labels: pd.Series) -> float:
    sign = np.where(labels.to_numpy() == "positive", 1, -1)
    return float(np.mean(np.sign(scores) == sign))


def english() -> pd.DataFrame:
    frame = pd.read_csv(NPS)
    frame = frame[frame.text.notna() & frame.text.str.strip().astype(bool)]
    frame = frame[frame.NPS_RATING.isin(["Promoter", "Detractor"])]
    frame["label"] = np.where(frame.NPS_RATING == "Promoter", "positive", "negative")
    return frame[["text", "label"]].reset_index(drop=True)


def main() -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    en = english()
    plain = np.array([vader.polarity_scores(t)["compound"] for t in en.text])
    ours = S.score(en.text.tolist(), ["en"] * len(en))
    undeclared = S.score(en.text.tolist(), [None] * len(en))
    print(
        f"English NPS verbatims (promoters {sum(en.label == 'positive')}, "
        f"detractors {sum(en.label == 'negative')}):"
    )
    print(f"  plain VADER               {polar_accuracy(plain, en.label):.1%}")
    print(f"  parcours (language given) {polar_accuracy(ours, en.label):.1%}")
    print(f"  parcours (no language)    {polar_accuracy(undeclared, en.label):.1%}")
    for name, values in (("promoters", "positive"), ("detractors", "negative")):
        keep = en.label == values
        print(
            f"    {name}: VADER {polar_accuracy(plain[keep], en.label[keep]):.1%}, "
            f"parcours {polar_accuracy(ours[keep], en.label[keep]):.1%}"
        )

    social = pd.read_csv(FR_SOCIAL)
    labelled = pd.read_csv(LABELLED)
    fr_lab = labelled[(labelled.language == "fr") & labelled.label.isin(["positive", "negative"])]
    print("French:")
    for name, frame in (
        ("sentiment_fr_social (40)", social),
        (f"sentiment_labelled fr ({len(fr_lab)})", fr_lab),
    ):
        given = S.score(frame.text.tolist(), ["fr"] * len(frame))
        none = S.score(frame.text.tolist(), [None] * len(frame))
        plain_fr = np.array([vader.polarity_scores(t)["compound"] for t in frame.text])
        print(
            f"  {name}: parcours {polar_accuracy(given, frame.label):.1%} "
            f"(no language {polar_accuracy(none, frame.label):.1%}); "
            f"plain VADER {polar_accuracy(plain_fr, frame.label):.1%}"
        )

    texts = {
        "en": en.text.tolist() + labelled[labelled.language == "en"].text.tolist(),
        "fr": social.text.tolist() + labelled[labelled.language == "fr"].text.tolist(),
    }
    print("Language of texts without one (share given the right language):")
    for lang, items in texts.items():
        start = time.perf_counter()
        detected = [S.guess_language(t) for t in items]
        took = time.perf_counter() - start
        hinted = [hints_language(t) for t in items]
        print(
            f"  {lang} ({len(items)} texts): py3langid {np.mean([d == lang for d in detected]):.1%} "
            f"({took / len(items) * 1e6:.0f} µs a text); common words "
            f"{np.mean([h == lang for h in hinted]):.1%}"
        )


if __name__ == "__main__":
    main()
