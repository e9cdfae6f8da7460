"""Sentiment of a customer verbatim, in French or English, offline.

* English: VADER (the ``vaderSentiment`` package, MIT), its lexicon completed with the words of
  customer feedback it leaves out (``data/sentiment_en_extra.tsv``: late, slow, overpriced...).
* French: the same idea (a valence per word, summed, then squashed to -1..1 as VADER does) over
  a lexicon written for customer feedback (``data/sentiment_fr.tsv``), with the rules French
  needs: negation around the verb (``ne ... pas``, ``n'est pas``, ``jamais``, ``sans``,
  ``aucun``), intensifiers (``très``, ``vraiment``) and dampeners (``un peu``, ``assez``),
  ``trop`` before a neutral word (``trop petit``), expressions read whole (``pas mal``,
  ``rien à redire``, ``en retard``), and the clause after ``mais`` weighing more than the one
  before it. Matching ignores case and accents (customers often type without them).

Before scoring, a text is normalised (:func:`normalize`): links and @handles are removed (a
brand's handle, ``@united``, is a name, not a feeling), a hashtag is read as its words
(``#NeverAgain`` -> ``Never Again``), and emoji keep their meaning: VADER reads them in
English, and in French each emoji adds the valence VADER gives its description. A text
without a language is given one by py3langid (its model ships in its wheel), choosing
between French and English only.

The result is a compound score in -1..1; :func:`label` reads it as positive, negative or
neutral (``|score| < NEUTRAL`` is neutral). The accuracy of both on a labelled set of
verbatims written for the purpose is measured in ``tests/analyses/test_sentiment.py``, and
against plain VADER on a telecom's NPS verbatims by ``benchmarks/sentiment.py``.

>>> round(float(score(["Livraison rapide, rien à redire."], ["fr"])[0]), 2) > 0
True
>>> label(score(["Je ne recommande pas.", "The parcel was late."], ["fr", "en"])).tolist()
['negative', 'negative']
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from importlib import resources

import numpy as np

NEUTRAL = 0.05  # |compound| below this is neutral (VADER's usual threshold)
ALPHA = 15.0  # VADER's normalisation: x / sqrt(x^2 + alpha)
NEGATION = -0.74  # VADER's scalar for a negated word
BOOST = 0.293  # VADER's booster increment
TOO_MUCH = -1.0  # "trop" before a word with no valence ("trop petit")
DENIAL = -1.0  # a negated verb with no valence: "ne répond jamais", "hasn't arrived"

NEGATORS = {"pas", "jamais", "aucun", "aucune", "sans", "non", "ni", "rien", "nullement"}
AFTER_NE = NEGATORS | {"plus", "guere", "point", "personne"}
BOOSTERS = {
    "tres",
    "vraiment",
    "extremement",
    "tellement",
    "hyper",
    "super",
    "si",
    "particulierement",
    "totalement",
    "completement",
    "absolument",
    "vachement",
    "vivement",
    "beaucoup",
    "bien",
    "fort",
    "archi",
    "ultra",
}
DAMPENERS = {"peu", "assez", "plutot", "legerement", "moyennement", "relativement"}
CONTRAST = {"mais", "cependant", "pourtant", "neanmoins", "toutefois"}
CONTRAST_PAIRS = {("par", "contre"), ("en", "revanche")}
ELISIONS = re.compile(r"\b([ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
TOKEN = re.compile(r"[a-z0-9]+|!|[.;:?,]")

URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
HANDLE = re.compile(r"(?<![\w@])@\w+")
HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
CAMEL = re.compile(r"(?<=[a-zà-ÿ])(?=[A-Z])")
CLAUSE_END = re.compile(r"[,;:.!?]+(?=\s)")
CLAUSE_BREAK = r"\g<0> zzclause zzclause zzclause "  # no valence, not a negation, not a booster
LANGUAGES = ("fr", "en")  # the languages scored; a text without one is given one of these


def normalize(text: str) -> str:
    """The text with links and @handles removed and hashtags read as words.

    >>> normalize("@united lost my bag again #NeverAgain https://t.co/x1")
    'lost my bag again Never Again'
    """
    text = URL.sub(" ", text)
    text = HANDLE.sub(" ", text)
    text = HASHTAG.sub(lambda m: " " + CAMEL.sub(" ", m.group(1)).replace("_", " ") + " ", text)
    return " ".join(text.split())


def fold(text: str) -> str:
    """Lower case, no accents, elisions split (``l'accueil`` -> ``l accueil``)."""
    text = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return ELISIONS.sub(r"\1 ", text).replace("'", " ").replace("’", " ")


def _read(name: str) -> list[tuple[str, float]]:
    text = resources.files("parcours.analyses").joinpath("data", name).read_text("utf-8")
    rows = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            term, value = line.rsplit("\t", 1)
            rows.append((term.strip(), float(value)))
    return rows


@cache
def _french() -> tuple[dict[str, float], list[tuple[str, float]], dict[tuple[str, ...], float]]:
    words: dict[str, float] = {}
    prefixes: list[tuple[str, float]] = []
    phrases: dict[tuple[str, ...], float] = {}
    for term, value in _read("sentiment_fr.tsv"):
        folded = fold(term)
        if " " in folded.strip():
            phrases[tuple(folded.split())] = value
        elif folded.endswith("*"):
            prefixes.append((folded[:-1], value))
        else:
            words[folded] = value
    prefixes.sort(key=lambda p: -len(p[0]))  # the longest prefix wins
    return words, prefixes, phrases


@cache
def _english():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(dict(_read("sentiment_en_extra.tsv")))
    return analyzer


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


@cache
def _emoji() -> dict[str, float]:
    return dict(_read("emoji_valence.tsv"))


def _emoji_total(text: str) -> float:
    """The summed valence of the emoji of a text: ``data/emoji_valence.tsv`` for those it
    lists, else VADER's reading of their descriptions, brought back from its -1..1 compound
    to a sum of valences."""
    table, emojis = _emoji(), _english().emojis
    total = sum(table[c] for c in text if c in table)
    described = " ".join(emojis[c] for c in text if c in emojis and c not in table)
    if described:
        compound = float(_english().polarity_scores(described)["compound"])
        compound = max(min(compound, 0.999), -0.999)
        total += compound * math.sqrt(ALPHA / (1 - compound * compound))
    return total


def _valence(token: str) -> float | None:
    words, prefixes, _ = _french()
    if token in words:
        return words[token]
    for prefix, value in prefixes:
        if token.startswith(prefix):
            return value
    return None


def _normalize(total: float) -> float:
    return total / math.sqrt(total * total + ALPHA)


def french(text: str) -> float:
    """Compound sentiment of one French text, -1..1 (see module doc)."""
    tokens = TOKEN.findall(fold(text))
    _, _, phrases = _french()
    longest = max((len(p) for p in phrases), default=1)
    # 1. Expressions first; their words are consumed.
    units: list[tuple[str, float | None]] = []  # (token, valence or None)
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 1, -1):
            if tuple(tokens[i : i + size]) in phrases:
                units.append(("_phrase_", phrases[tuple(tokens[i : i + size])]))
                i += size
                break
        else:
            units.append((tokens[i], _valence(tokens[i])))
            i += 1
    # 2. Each word with a valence, adjusted by its neighbours within the clause.
    scores: list[float] = []
    clause_weights: list[float] = []
    contrast_at = None
    bangs = 0
    for k, (token, value) in enumerate(units):
        if token == "!":
            bangs += 1
        previous = units[k - 1][0] if k else ""
        if token in CONTRAST or (previous, token) in CONTRAST_PAIRS:
            contrast_at = len(scores)
        if value is None or value == 0:
            continue
        before = [u[0] for u in units[max(0, k - 3) : k]]
        after = [u[0] for u in units[k + 1 : k + 3]]
        if "." in before or "," in before or ";" in before:  # clauses stop the window
            before = before[max(i for i, t in enumerate(before) if t in ".,;") + 1 :]
        if token in BOOSTERS and after and _valence(after[0]) not in (None, 0):
            continue  # an intensifier here ("super rapide"), not a word of its own
        v = value
        if before and before[-1] in BOOSTERS:
            v += BOOST if v > 0 else -BOOST
        if before and before[-1] in DAMPENERS:
            v -= BOOST if v > 0 else -BOOST
        if before and before[-1] == "trop":
            v += BOOST if v > 0 else -BOOST
        ne_before = any(t in ("ne", "n") for t in before[-2:])
        negated = any(t in NEGATORS for t in before) or (
            ne_before and any(t in AFTER_NE for t in after)
        )
        if not negated and after and after[0] in ("pas", "jamais") and token != "_phrase_":
            negated = True  # spoken French drops the "ne": "je recommande pas"
        if negated and token != "_phrase_":
            v *= NEGATION
        scores.append(v)
    # "trop" before a word with no valence is an excess: "trop petit", "trop long".
    for k, (token, _) in enumerate(units[:-1]):
        nxt = units[k + 1]
        if token == "trop" and nxt[1] is None and nxt[0] not in ".,;!?":
            scores.append(TOO_MUCH)
    # A negated verb with no feeling of its own is a complaint in feedback: "le chat ne répond
    # jamais", "je n'ai rien reçu" ("pas encore", not yet, is not one).
    for k, (token, _) in enumerate(units):
        if token not in ("ne", "n"):
            continue
        window = units[k + 1 : k + 4]
        negator = next((m for m, u in enumerate(window) if u[0] in AFTER_NE), None)
        if negator is None:
            continue
        following = units[k + 2 + negator][0] if k + 2 + negator < len(units) else ""
        span = units[k + 1 : k + 4 + negator]
        if following != "encore" and not any(v for _, v in span):
            scores.append(DENIAL)
    clause_weights = [1.0] * len(scores)
    if contrast_at is not None:
        for j in range(len(clause_weights)):
            clause_weights[j] = 0.5 if j < contrast_at else 1.5
    total = sum(s * w for s, w in zip(scores, clause_weights, strict=True))
    total += _emoji_total(text)
    if total:
        total += math.copysign(min(bangs, 4) * 0.292, total)
    return _normalize(total)


def english(text: str) -> float:
    """Compound sentiment of one English text, -1..1 (VADER with the extra words)."""
    from vaderSentiment.vaderSentiment import negated

    # VADER negates a word when "not", "never"... is among the three words before it, even
    # across a comma ("never arrived, terrible" read as positive): a clause ends the window.
    text = CLAUSE_END.sub(CLAUSE_BREAK, text)
    listed = [c for c in text if c in _emoji()]
    if listed:  # emoji VADER cannot read: their valence joins the sum before squashing
        base = float(
            _english().polarity_scores("".join(c for c in text if c not in _emoji()))["compound"]
        )
        base = max(min(base, 0.999), -0.999)
        total = base * math.sqrt(ALPHA / (1 - base * base)) + sum(_emoji()[c] for c in listed)
        return _normalize(total)
    compound = float(_english().polarity_scores(text)["compound"])
    if compound == 0 and negated(text.lower().split()):
        compound = _normalize(DENIAL)  # "my order still hasn't arrived"
    return compound


def guess_language(text: str) -> str:
    """``fr`` or ``en``, whichever py3langid finds likelier (on the normalised text).

    >>> guess_language("my parcel never came"), guess_language("colis jamais reçu")
    ('en', 'fr')
    """
    return str(_identifier().classify(normalize(text))[0])


def language_of(text: str, language: str | None) -> str:
    """The language a text is scored in: its own when it is one of :data:`LANGUAGES`,
    else the detected one."""
    lang = (language or "").lower()[:2]
    return lang if lang in LANGUAGES else guess_language(text)


def score(texts: Sequence[str | None], languages: Sequence[str | None]) -> np.ndarray:
    """Compound sentiment (-1..1) of each text; NaN for a missing text.

    ``languages`` gives each text's language (``fr``/``en``, other or missing: detected).
    A text with nothing left after :func:`normalize` (only a link or a handle) has none."""
    out = np.full(len(texts), np.nan)
    for i, (text, language) in enumerate(zip(texts, languages, strict=True)):
        clean = normalize(text) if isinstance(text, str) else ""
        if not clean:
            continue
        out[i] = english(clean) if language_of(clean, language) == "en" else french(clean)
    return out


def label(scores: np.ndarray | Sequence[float], neutral: float = NEUTRAL) -> np.ndarray:
    """positive / negative / neutral for each compound score (missing stays None)."""
    values = np.asarray(scores, dtype=float)
    out = np.where(
        values >= neutral, "positive", np.where(values <= -neutral, "negative", "neutral")
    ).astype(object)
    out[np.isnan(values)] = None
    return out
