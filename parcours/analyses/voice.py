"""Voice of the customer: survey scores, sentiment, themes and the emotion curve.

Read from the feedback table (``kind`` nps, csat, ces or review; a ``score``; an optional
``verbatim`` in some ``language``), per touchpoint and per stage of the map. Feedback that
names only a touchpoint gets its stage from the map.

* NPS = % of 9–10 minus % of 0–6 (scale 0–10), from -100 to 100. Its interval is the normal
  one for a difference of two proportions of the same sample:
  var = (p + d - (p - d)²) / n, with p and d the promoter and detractor shares.
* CSAT = share of 4–5 answers on a 1–5 scale; Wilson score interval.
* CES = mean effort on a 1–7 scale (high is bad); Student t interval.
* reviews: mean rating (1–5 stars).
* sentiment: each verbatim scored -1..1 offline, in French or English
  (:mod:`parcours.analyses._sentiment`: links and @handles removed, hashtags read as words,
  emoji kept; a verbatim without a language is given French or English by py3langid); read
  as positive, neutral or negative. Verbatims without a score (a review of text only) are
  scored and grouped into themes too; the scores (NPS, CSAT, CES, ratings, emotion) count
  the answers with a score only.
* themes: keywords of the negative verbatims (words and word pairs, French and English stop
  words left out, counted once per answer), grouped greedily: the most frequent keyword seeds
  a theme holding every verbatim that says it, then the next on what is left.
* emotion curve: per stage, on the map's emotion scale from -2 to +2
  (:mod:`parcours.maps.experience`), the measured emotion beside the one the map designed
  (its score; the labels positive +1, neutral 0, negative -1). Measured: each scored answer
  mapped to -2..2 (NPS (s - 5) / 2.5, CSAT and reviews s - 3, CES (4 - s) * 2 / 3),
  averaged; a stage with verbatims but no score takes twice its mean sentiment (-1..1)
  instead (``basis``: scores or sentiment). ``curve`` is the measured one when there is one,
  the designed one otherwise.

A group with no answer of a kind has NaN for it. Tiny groups get degenerate intervals (one
answer, or all passives: an NPS interval of zero width); ``small`` flags fewer than 30 answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from parcours.analyses import _sentiment
from parcours.analyses._scores import is_csat_satisfied, is_detractor, is_promoter
from parcours.analyses.base import Context, Result, figure, table
from parcours.analyses.registry import Analysis
from parcours.errors import InputError
from parcours.maps import JourneyMap
from parcours.maps.experience import emotion_score
from parcours.maps.model import text_of

KINDS = ("nps", "csat", "ces", "review")
SMALL = 30
SCALE = 2.0  # answers and sentiment (-1..1) onto the emotion scale (-2..2)


def nps_interval(promoters: int, detractors: int, n: int, confidence: float = 0.95):
    """NPS and its normal interval, in points (-100..100); NaN when ``n`` is 0.

    >>> [round(x, 1) for x in nps_interval(50, 20, 100)]
    [30.0, 14.7, 45.3]
    """
    from scipy import stats  # in each function: importing this module should not load SciPy

    if n == 0:
        return (np.nan, np.nan, np.nan)
    p, d = promoters / n, detractors / n
    half = stats.norm.ppf(0.5 + confidence / 2) * np.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
    return (100 * (p - d), float(100 * (p - d - half)), float(100 * (p - d + half)))


def wilson_interval(successes: int, n: int, confidence: float = 0.95):
    """Share and its Wilson score interval; NaN when ``n`` is 0.

    >>> [round(x, 3) for x in wilson_interval(8, 10)]
    [0.8, 0.49, 0.943]
    """
    from scipy import stats

    if n == 0:
        return (np.nan, np.nan, np.nan)
    ci = stats.binomtest(int(successes), int(n)).proportion_ci(confidence, method="wilson")
    return (successes / n, float(ci.low), float(ci.high))


def mean_interval(total: float, squares: float, n: int, confidence: float = 0.95):
    """Mean and its Student t interval from sums; the interval is NaN below 2 answers.

    >>> [round(x, 3) for x in mean_interval(12.0, 50.0, 3)]
    [4.0, 1.516, 6.484]
    """
    from scipy import stats

    if n == 0:
        return (np.nan, np.nan, np.nan)
    mean = total / n
    if n < 2:
        return (mean, np.nan, np.nan)
    sd = np.sqrt(max(squares - n * mean * mean, 0.0) / (n - 1))
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n)
    return (mean, float(mean - half), float(mean + half))


def _prepared(feedback: ir.Table, jm: JourneyMap) -> ir.Table:
    """Feedback with a stage for each answer that names a touchpoint of the map."""
    cases = [(feedback.touchpoint == t.id, t.stage) for t in jm.touchpoints]
    from_map = ibis.cases(*cases, else_=ibis.null("string")) if cases else ibis.null("string")
    return feedback.mutate(
        stage=ibis.coalesce(feedback.stage, from_map),
        language=feedback.language.fill_null(""),
        kind=feedback.kind.lower(),
    )


def _scored_verbatims(fb: ir.Table) -> pd.DataFrame:
    """Distinct (verbatim, language) with the language they are scored in and their
    sentiment: the only Python pass over text."""
    texts = fb.filter(fb.verbatim.notnull()).select("verbatim", "language").distinct()
    # Sorted here, not in the engine: Ibis 12 splits a DISTINCT ... ORDER BY for Spark into
    # a subquery whose DISTINCT also holds the columns the filter read (kind, score), so
    # a verbatim came back once per score (ibis-project/ibis#11671).
    frame = texts.to_pandas().sort_values(["verbatim", "language"], ignore_index=True)
    frame["scored_in"] = [
        _sentiment.language_of(_sentiment.normalize(v), lang)
        for v, lang in zip(frame.verbatim, frame.language, strict=True)
    ]
    frame["sentiment"] = _sentiment.score(frame.verbatim.tolist(), frame.scored_in.tolist())
    return frame


def _unit(fb: ir.Table) -> ir.FloatingValue:
    """Each answer mapped to -1..1 (the emotion curve doubles it: see module doc)."""
    s = fb.score
    return ibis.cases(
        (fb.kind == "nps", (s - 5) / 5),
        (fb.kind.isin(["csat", "review"]), (s - 3) / 2),
        (fb.kind == "ces", (4 - s) / 3),
        else_=ibis.null("float64"),
    )


def _cells(fb: ir.Table) -> pd.DataFrame:
    """Additive sums per (touchpoint, stage, kind): the one aggregate the engine computes;
    every level (touchpoint, stage, overall) is summed from it in pandas."""
    s = fb.score
    has_text = fb.sentiment.notnull()
    cells = fb.group_by(["touchpoint", "stage", "kind"]).aggregate(
        n=s.count(),
        # high: NPS promoters, else the CSAT satisfied band (read for CSAT only); low: detractors
        high=ibis.cases(
            ((fb.kind == "nps") & is_promoter(s), 1),
            ((fb.kind != "nps") & is_csat_satisfied(s), 1),
            else_=0,
        ).sum(),
        low=ibis.ifelse((fb.kind == "nps") & is_detractor(s), 1, 0).sum(),
        total=s.sum(),
        squares=(s * s).sum(),
        unit=_unit(fb).sum(),
        verbatims=ibis.ifelse(has_text, 1, 0).sum(),
        sentiment_sum=fb.sentiment.fill_null(0).sum(),
        negative=ibis.ifelse(has_text & (fb.sentiment <= -_sentiment.NEUTRAL), 1, 0).sum(),
    )
    frame = cells.to_pandas()
    numbers = ["n", "high", "low", "total", "squares", "unit", "verbatims", "sentiment_sum"]
    frame[numbers] = frame[numbers].astype(float).fillna(0.0)
    frame["negative"] = frame.negative.fillna(0).astype(float)
    return frame


def _aggregate(cells: pd.DataFrame, key: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(per key and kind, verbatims per key, emotion per key) summed from the cells."""
    valid = cells[cells[key].notna()]
    per = valid.groupby([key, "kind"], as_index=False)[
        ["n", "high", "low", "total", "squares"]
    ].sum()
    sums = valid.groupby(key, as_index=False)[
        ["n", "unit", "verbatims", "sentiment_sum", "negative"]
    ].sum()
    text = sums[sums.verbatims > 0].assign(sentiment=lambda f: f.sentiment_sum / f.verbatims)
    text = text[[key, "verbatims", "sentiment", "negative"]]
    emotion = sums.assign(answers=sums.n.astype("int64"), measured=sums.unit / sums.n)
    return per, text, emotion[[key, "answers", "measured"]]


def _scores(per: pd.DataFrame, key: str, confidence: float) -> pd.DataFrame:
    rows: dict[str, dict] = {}
    for r in per.itertuples(index=False):
        row = rows.setdefault(getattr(r, key), {})
        n = int(r.n)
        if r.kind == "nps":
            row["nps"], row["nps_low"], row["nps_high"] = nps_interval(
                int(r.high), int(r.low), n, confidence
            )
            row["nps_answers"] = n
        elif r.kind == "csat":
            row["csat"], row["csat_low"], row["csat_high"] = wilson_interval(
                int(r.high), n, confidence
            )
            row["csat_answers"] = n
        elif r.kind == "ces":
            row["ces"], row["ces_low"], row["ces_high"] = mean_interval(
                float(r.total or 0), float(r.squares or 0), n, confidence
            )
            row["ces_answers"] = n
        elif r.kind == "review":
            row["rating"] = r.total / n if n else np.nan
            row["reviews"] = n
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("id").reset_index()


SCORE_COLUMNS = [
    *("nps", "nps_low", "nps_high", "nps_answers"),
    *("csat", "csat_low", "csat_high", "csat_answers"),
    *("ces", "ces_low", "ces_high", "ces_answers"),
    *("rating", "reviews"),
]


def _level_table(
    cells: pd.DataFrame, jm: JourneyMap, level: str, confidence: float, lang: str
) -> pd.DataFrame:
    per, text, emotion = _aggregate(cells, level)
    table = _scores(per, level, confidence)
    table = table.reindex(columns=["id", *SCORE_COLUMNS])
    table = table.merge(emotion.rename(columns={level: "id"}), on="id", how="outer")
    table = table.merge(text.rename(columns={level: "id"}), on="id", how="left")
    if level == "touchpoint":
        known = {t.id: t for t in jm.touchpoints}
        table["stage"] = [known[i].stage if i in known else None for i in table.id]
        table["title"] = [text_of(known[i].title, lang) if i in known else i for i in table.id]
        order = {t.id: n for n, t in enumerate(jm.touchpoints)}
    else:
        known_s = {s.id: s for s in jm.stages}
        table["stage"] = table.id
        table["title"] = [text_of(known_s[i].title, lang) if i in known_s else i for i in table.id]
        order = {s: n for n, s in enumerate(jm.stage_ids)}
    table["_order"] = [order.get(i, len(order)) for i in table.id]
    table = table.sort_values(["_order", "id"]).drop(columns="_order")
    table.insert(0, "level", level)
    counts = ("answers", "verbatims", "negative", "nps_answers", "csat_answers", "ces_answers")
    for column in (*counts, "reviews"):
        if column in table:
            table[column] = table[column].fillna(0).astype("int64")
    table["negative_share"] = np.where(
        table.verbatims > 0, table.negative / table.verbatims.where(table.verbatims > 0), np.nan
    )
    table["small"] = table.answers < SMALL
    return table.drop(columns=["negative", "measured"])


def _themes(negative: pd.DataFrame, themes: int, lang: str) -> tuple[pd.DataFrame, list[str]]:
    """Negative verbatims (distinct, with counts) grouped into themes; see module doc.

    Keywords are words and word pairs (stop words left out) counted once per answer. The
    most frequent keyword seeds a theme: every verbatim holding it joins the theme, whose
    keywords are then the most frequent among its members; repeat on what is left."""
    columns = ["theme", "keywords", "verbatims", "share", "touchpoints", "example"]
    if negative.empty:
        return pd.DataFrame(columns=columns), ["themes: no negative verbatim."]
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    vectorizer = CountVectorizer(
        ngram_range=(1, 2),
        stop_words=sorted(_stopwords() | set(ENGLISH_STOP_WORDS)),
        token_pattern=r"(?u)\b[^\W\d_]{3,}\b",
        binary=True,
    )
    try:
        matrix = vectorizer.fit_transform(negative.verbatim).tocsc()
    except ValueError:  # only stop words
        return pd.DataFrame(columns=columns), ["themes: no keyword left after stop words."]
    terms = vectorizer.get_feature_names_out()
    weights = negative.answers.to_numpy(dtype=float)
    left = np.ones(len(negative), dtype=bool)
    total = weights.sum()
    rows: list[dict[str, Any]] = []
    while len(rows) < themes and left.any():
        frequency = matrix.T @ (weights * left)
        if frequency.max() <= 0:
            break
        # the most frequent keyword; among ties the longer one (a word pair says more)
        seed = max(range(len(terms)), key=lambda i: (frequency[i], " " in terms[i], -i))
        members = left & (matrix[:, seed].toarray().ravel() > 0)
        inside = matrix.T @ (weights * members)
        top = [terms[i] for i in np.argsort(-inside, kind="stable")[:6] if inside[i] > 0]
        group = negative[members]
        by_tp = group.groupby("touchpoint", dropna=False).answers.sum().nlargest(3)
        rows.append(
            {
                "theme": terms[seed],
                "keywords": ", ".join(top),
                "verbatims": int(group.answers.sum()),
                "share": group.answers.sum() / total,
                "touchpoints": ", ".join(f"{t} ({n})" for t, n in by_tp.items()),
                "example": group.sort_values("answers", ascending=False).verbatim.iloc[0],
            }
        )
        left &= ~members
    if left.any():
        rest = negative[left]
        rows.append(
            {
                "theme": "(other)",
                "keywords": "",
                "verbatims": int(rest.answers.sum()),
                "share": rest.answers.sum() / total,
                "touchpoints": "",
                "example": rest.sort_values("answers", ascending=False).verbatim.iloc[0],
            }
        )
    return pd.DataFrame(rows, columns=columns), []


def _stopwords() -> set[str]:
    from importlib import resources

    text = (
        resources.files("parcours.analyses").joinpath("data", "stopwords_fr.txt").read_text("utf-8")
    )
    words = {w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")}
    return words | {_sentiment.fold(w).strip() for w in words}


def _emotion_curve(emotion: pd.DataFrame, text: pd.DataFrame, jm: JourneyMap, lang: str):
    measured = emotion.set_index("stage")
    sentiment = text.set_index("stage")
    rows = []
    for stage in jm.stages:
        designed = stage.emotion
        answers = int(measured.answers.get(stage.id, 0)) if len(measured) else 0
        felt = float(sentiment.sentiment.get(stage.id, np.nan)) if len(sentiment) else np.nan
        value = float(measured.measured.get(stage.id, np.nan)) if answers else np.nan
        basis = "scores" if answers else ("sentiment" if not np.isnan(felt) else None)
        score = emotion_score(designed)
        rows.append(
            {
                "stage": stage.id,
                "title": text_of(stage.title, lang),
                "designed": designed,
                "designed_value": np.nan if score is None else float(score),
                "measured": SCALE * (value if answers else felt),
                "basis": basis,
                "answers": answers,
                "sentiment": felt,
            }
        )
    curve = pd.DataFrame(rows)
    has = curve.measured.notna()
    curve["curve"] = np.where(has, curve.measured, curve.designed_value)
    curve["source"] = np.where(
        has & curve.designed.notna(), "both", np.where(has, "measured", "designed")
    )
    curve.loc[~has & curve.designed.isna(), "source"] = None
    return curve


@dataclass(kw_only=True, repr=False)
class VoiceResult(Result):
    """Scores per touchpoint and stage (``table``: level, id, stage, answers, nps, nps_low,
    nps_high, csat, csat_low, csat_high, ces, ces_low, ces_high, rating, sentiment,
    negative_share, small)."""

    analysis: ClassVar[str] = "voice"
    answers: int = figure("answers")
    nps: float | None = figure("NPS", default=None)
    csat: float | None = figure("CSAT", default=None)
    ces: float | None = figure("CES", default=None)
    answers_with_verbatim: int | None = figure("verbatims", default=None)
    negative_verbatim_share: float | None = figure("negative verbatims", default=None)
    themes: pd.DataFrame = table()  # theme, keywords, verbatims, share, touchpoints, example
    emotion_curve: pd.DataFrame = table()  # stage, title, designed, designed_value, measured...
    verbatims: pd.DataFrame = table()  # the most frequent verbatims (all with top=0), sentiment
    counts: pd.DataFrame = table()  # answers of each kind per touchpoint and stage


def voice(
    ctx: Context,
    level: Literal["touchpoint", "stage", "both"] = "both",
    confidence: float = 0.95,
    themes: int = 6,
    top: int = 20,
) -> VoiceResult:
    """NPS, CSAT, CES and sentiment per touchpoint and stage; themes; emotion curve.

    level: touchpoint, stage or both.
    confidence: level of the confidence intervals, between 0 and 1 (0.95).
    themes: how many themes to group negative verbatims into (1 to 20).
    top: how many verbatims to list with their sentiment, most frequent first (0: every verbatim).
    """
    if level not in ("touchpoint", "stage", "both"):
        raise InputError(f"voice: level '{level}' is not known; allowed: touchpoint, stage, both")
    if not 0 < confidence < 1:
        raise InputError(f"voice: confidence must be between 0 and 1 (e.g. 0.95), not {confidence}")
    if not 1 <= themes <= 20:
        raise InputError(f"voice: themes must be from 1 to 20, not {themes}")
    if top < 0:
        raise InputError(f"voice: top must be 0 (every verbatim) or more, not {top}")
    if ctx.feedback is None:
        raise InputError(
            "voice: needs the feedback table; ingest it with `parcours ingest feedback`"
        )
    jm, lang = ctx.map, ctx.language
    fb = _prepared(ctx.feedback, jm)
    unknown_kinds = fb.filter(~fb.kind.isin(KINDS)).count().to_pyarrow().as_py()
    has_text = fb.verbatim.notnull() & (fb.verbatim.strip().length() > 0)
    fb = fb.filter(fb.kind.isin(KINDS) & (fb.score.notnull() | has_text))
    scored = _scored_verbatims(fb)
    lookup = ibis.memtable(
        scored.rename(columns={"verbatim": "_v", "language": "_l"}).astype(
            {"_v": "string", "_l": "string", "scored_in": "string", "sentiment": "float64"}
        )
    )
    fb = fb.left_join(lookup, (fb.verbatim == lookup._v) & (fb.language == lookup._l)).drop(
        "_v", "_l"
    )
    levels = ["touchpoint", "stage"] if level == "both" else [level]
    cells = _cells(fb)
    table = pd.concat(
        [_level_table(cells, jm, lv, confidence, lang) for lv in levels], ignore_index=True
    )
    main = [
        "level", "id", "stage", "answers", "nps", "nps_low", "nps_high", "csat", "csat_low",
        "csat_high", "ces", "ces_low", "ces_high", "rating", "sentiment", "negative_share", "small",
    ]  # fmt: skip
    counts = table[
        ["level", "id", "title", "answers", "nps_answers", "csat_answers", "ces_answers"]
        + ["reviews", "verbatims"]
    ].reset_index(drop=True)
    table = table[main]

    _, stage_text, stage_emotion = _aggregate(cells, "stage")
    curve = _emotion_curve(stage_emotion, stage_text, jm, lang)

    words = fb.filter(fb.sentiment.notnull())
    per_text = (
        words.group_by(["verbatim", "language", "scored_in", "touchpoint"])
        .aggregate(answers=words.count(), score=words.score.mean(), sentiment=words.sentiment.max())
        .order_by(["verbatim", "language", "touchpoint"])
        .to_pandas()
    )
    per_text["label"] = _sentiment.label(per_text.sentiment.to_numpy())
    distinct = (
        per_text.sort_values("answers", ascending=False, kind="stable")
        .groupby(["verbatim", "language"], as_index=False)
        .agg(
            scored_in=("scored_in", "first"),
            answers=("answers", "sum"),
            sentiment=("sentiment", "first"),
            label=("label", "first"),
            touchpoint=("touchpoint", "first"),
        )
    )
    negative = per_text[per_text.label == "negative"].reset_index(drop=True)
    theme_table, theme_notes = _themes(negative, themes, lang)
    ranked = distinct.sort_values(
        ["answers", "sentiment", "verbatim"], ascending=[False, True, True], kind="stable"
    )
    top_table = (
        (ranked.head(top) if top else ranked)[
            ["verbatim", "language", "scored_in", "answers", "sentiment", "label", "touchpoint"]
        ]
    ).reset_index(drop=True)

    overall_per, overall_text, overall_emotion = _aggregate(cells.assign(overall="all"), "overall")
    overall = _scores(overall_per, "overall", confidence)
    scores: dict[str, float | None] = dict.fromkeys(("nps", "csat", "ces"))
    for name in scores:
        if len(overall) and name in overall and pd.notna(overall[name].iloc[0]):
            scores[name] = round(float(overall[name].iloc[0]), 3)
    with_verbatim, negative_share = None, None
    if len(overall_text):
        with_verbatim = int(overall_text.verbatims.iloc[0])
        negative_share = round(
            float(overall_text.negative.iloc[0] / max(overall_text.verbatims.iloc[0], 1)), 3
        )

    notes = [
        "NPS = % 9–10 minus % 0–6 (0–10 scale), from -100 to 100; normal interval for a "
        "difference of proportions.",
        "CSAT = share of 4–5 answers (1–5 scale); Wilson interval.",
        "CES = mean effort (1–7 scale, high is bad); t interval.",
        "rating = mean review rating (1–5 stars); NaN = no answer of that kind.",
        f"sentiment: verbatims scored -1..1 offline (French lexicon with negation, VADER for "
        f"English) after removing links and @handles; a verbatim without a language is given "
        f"French or English by py3langid (column scored_in); |score| < {_sentiment.NEUTRAL} "
        "is neutral. Verbatims without a score are scored and in the themes.",
        "emotion curve: answers (or else twice the mean sentiment) mapped to -2..2 beside the "
        "map's designed emotion; curve = measured when there is one, designed otherwise.",
    ]
    small = table[table.small & (table.answers > 0)]
    if len(small):
        notes.append(
            f"{len(small)} group(s) with fewer than {SMALL} answers (wide or degenerate "
            f"intervals): {', '.join(small.id.astype(str).head(8))}."
        )
    empty = table[(table.answers == 0) & (counts.verbatims.to_numpy() == 0)]
    if len(table) == 0:
        notes.append("no feedback answers: every score is NaN.")
    elif len(empty):
        notes.append(f"no answers for: {', '.join(empty.id.astype(str))}.")
    if unknown_kinds:
        notes.append(f"{unknown_kinds} answer(s) of a kind other than {', '.join(KINDS)} left out.")
    notes += theme_notes
    return VoiceResult(
        title="Voice of the customer",
        table=table.reset_index(drop=True),
        params={"level": level, "confidence": confidence, "themes": themes, "top": top},
        answers=int(overall_emotion.answers.sum()) if len(overall_emotion) else 0,
        nps=scores["nps"],
        csat=scores["csat"],
        ces=scores["ces"],
        answers_with_verbatim=with_verbatim,
        negative_verbatim_share=negative_share,
        themes=theme_table,
        emotion_curve=curve,
        verbatims=top_table,
        counts=counts,
        notes=notes,
    )


ANALYSIS = Analysis(
    "voice",
    voice,
    example="parcours voice --level touchpoint",
    needs=("feedback",),
    overview=lambda _: {"level": "both"},
)
