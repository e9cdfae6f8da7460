"""A result as its reader reads it: labels from the one i18n table, numbers in the reader's
locale, the map's titles instead of ids, model internals set apart for analysts.

The dashboard and the CLI's table output show results through this module; ids stay in the
CLI's ``--format json/csv`` and in the API.

>>> from parcours.maps import JourneyMap, render_template
>>> jm = JourneyMap.loads(render_template("cinq-phases", "fr"))
>>> names = Titles.of(jm, "fr")
>>> names.text("decouverte")
'Découverte'
>>> figure_text("conversion", 0.2874, "fr", names), figure_text("entered", 25201, "en", names)
('29\\xa0%', '25,201')
>>> cell_text("median_time_s", 102353.64, "fr", names), cell_text("path", "decouverte > decision", "fr", names)
('1,2\\xa0j', 'Découverte → Décision')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from parcours.maps import METRICS, JourneyMap, text_of
from parcours.render._error_words import ERROR_PATTERNS
from parcours.render._reason_words import DIFFERENCE_WORDS
from parcours.render._result_words import COLUMNS, NOTE_PATTERNS
from parcours.render.i18n import (
    STRINGS,
    date,
    duration,
    labelled,
    lang_of,
    moment,
    money,
    number,
    pct,
    period,
    period_name,
    points,
    signed,
    t,
)

__all__ = [
    "Titles",
    "about",
    "as_of",
    "cell_text",
    "column_label",
    "dropped_label",
    "quote",
    "conversion_name",
    "date",
    "error_text",
    "figure_text",
    "figures",
    "goal_text",
    "heading",
    "notes",
    "option_label",
    "param_help",
    "param_label",
    "table",
    "table_count",
]

# Figures and columns that are shares (0..1), durations, or plain numbers with decimals.
_PCT_FIGURES = {
    "conversion",
    "conversion_a",
    "conversion_b",
    "mean_fitness",
    "median_fitness",
    "csat",
    "repeat_purchase_rate",
    "share_without_persona",
    "conversion_closed",
}
_WHOLE = {"nps", "nps_a", "nps_b", "mean_clv_per_buyer", "journeys_lost_beyond_baseline"}
_PCT_COLUMNS = {
    "buyers",  # personas: the share of a persona's persons who converted
    "reach",
    "conversion",
    "exit_rate",
    "exit_baseline",
    "from_previous",
    "drop_off_rate",
    "share",
    "conversion_rate",
    "cumulative_share",
    "fitness",
    "mixing",
    "ropo",
    "showrooming",
    "click_collect",
    "cross_channel",
    "omnichannel",
    "csat",
    "declared_share",
    "reached",
    "cumulative",
    "rate_a",
    "rate_b",
    "exit_rate_a",
    "exit_rate_b",
    "mean",
    "conversion_with",
    "conversion_without",
    "abandon_rate_without",
    "removal_effect",
    "removal_effect_value",
    "probability",
}
_MONEY = {
    "value_credited",
    "revenue",
    "expected_revenue_over_horizon",
    "mean_clv_per_buyer",
    "monetary",
    "clv",
    "revenue_per_person",
}
_ID_COLUMNS = {
    "id",
    "stage",
    "channel",
    "touchpoint",
    "persona",
    "source",
    "target",
    "step",
    "from_channel",
    "to_channel",
    "main_channel",
    "path",
    "variant",
    "name",
    "value",
    "feature",
    "activity",
}
_QUOTES = {"verbatim", "example", "verbatims", "keywords"}  # customer text, as written
_KIND_OF = {
    "stage": "stage",
    "touchpoint": "touchpoint",
    "channel": "channel",
    "from_channel": "channel",
    "to_channel": "channel",
    "main_channel": "channel",
    "persona": "persona",
}
_NO_ANSWER = "present.no_answers"


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@dataclass
class Titles:
    """The map's titles by id (touchpoints, stages, channels, personas), in one language."""

    lang: str
    names: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, dict[str, str]] = field(default_factory=dict)  # stage -> {id: title}
    group: str | None = None  # the header of a breakdown's column: what it is broken down by
    currency: str | None = None  # the map's: amounts are written with it
    horizon: int | None = None  # months a forecast covers (retention's CLV): said in its header

    @classmethod
    def of(cls, jm: JourneyMap | None, lang: str | None) -> Titles:
        lang = lang_of(lang)
        names: dict[str, str] = {}
        kinds: dict[str, dict[str, str]] = {}
        if jm is not None:
            # a stage's title wins over a touchpoint of the same id (as in the charts)
            groups = (("channel", jm.channels), ("persona", jm.personas),
                      ("touchpoint", jm.touchpoints), ("stage", jm.stages))  # fmt: skip
            for kind, group in groups:
                for item in group:
                    title = getattr(item, "title", None)
                    names[item.id] = text_of(title, lang) if title else item.id
                    kinds.setdefault(kind, {})[item.id] = names[item.id]
            # an event is shown as the touchpoint it is (the conversion as the map names it)
            for event in _events(jm.conversion):
                names.setdefault(event, conversion_name(jm, lang))
            for tp in jm.touchpoints:
                for event in _events(tp.match):
                    names.setdefault(event, kinds["touchpoint"][tp.id])
            # the data's fields as the map names them (a map's ids win over a field's name)
            kinds["property"] = {key: jm.property_title(key, lang) for key in jm.property_titles}
            for key, title in kinds["property"].items():
                names.setdefault(key, title)
        return cls(lang, names, kinds, currency=jm.currency if jm is not None else None)

    def prefer(self, kind: str | None) -> Titles:
        """These titles where an id of ``kind`` wins over another of the same id (a result
        at touchpoint level names its rows after the touchpoints)."""
        if not kind or kind not in self.kinds:
            return self
        names = {**self.names, **self.kinds[kind]}
        return Titles(self.lang, names, self.kinds, self.group, self.currency)

    @classmethod
    def for_result(cls, jm: JourneyMap | None, lang: str | None, result: Any) -> Titles:
        """The titles to read ``result`` with: at its level (``params['level']``), its
        breakdown's column named after what it is broken down by."""
        params = getattr(result, "params", None) or {}
        titles = cls.of(jm, lang).prefer(str(params.get("level") or "") or None)
        if params.get("breakdown"):
            titles.group = titles.breakdown_header(str(params["breakdown"]))
        if isinstance(params.get("horizon_months"), int):
            titles.horizon = params["horizon_months"]
        return titles

    def breakdown_header(self, breakdown: str) -> str:
        """``channel`` -> "Canal"; ``property:device`` -> the map's title of the field."""
        kind, _, key = breakdown.partition(":")
        if key:
            title = self.kinds.get("property", {}).get(key, key)
        else:
            title = t(f"option.{kind}", self.lang) if f"option.{kind}" in STRINGS else kind
        return title[:1].upper() + title[1:]

    def of_kind(self, kind: str, value: Any) -> str:
        """``value`` read as a ``kind`` (stage, touchpoint, channel, persona) first."""
        found = self.kinds.get(kind, {}).get(str(value))
        return found if found is not None else self.text(value)

    def text(self, value: Any) -> str:
        """An id as its title; a category as its words; a path ``a > b`` as titles."""
        if isinstance(value, list | tuple):
            return " → ".join(self.text(v) for v in value)
        text = str(value)
        if text in self.names:
            return self.names[text]
        key = f"value.{text}"
        if key in STRINGS:
            return t(key, self.lang)
        if " > " in text:
            return " → ".join(self.text(part) for part in text.split(" > "))
        counted = re.fullmatch(r"(\S+) \((\d+)\)", text)
        if counted and counted.group(1) in self.names:
            return f"{self.names[counted.group(1)]} ({counted.group(2)})"
        if ", " in text and all(re.fullmatch(r"(\S+) \(\d+\)", part) for part in text.split(", ")):
            return ", ".join(self.text(part) for part in text.split(", "))
        days = re.fullmatch(r"(?:(\d+)-(\d+)|over (\d+)) days", text)
        if days:
            unit = "j" if self.lang == "fr" else "days"
            if days.group(3):
                return f"{'plus de' if self.lang == 'fr' else 'over'} {days.group(3)} {unit}"
            return f"{days.group(1)}–{days.group(2)} {unit}"
        if text.startswith("cluster_") and text[8:].isdigit():
            return f"{t('column.cluster', self.lang)} {text[8:]}"
        return text


def _share_of(name: str, names: Titles) -> str | None:
    """``share_web`` -> "Part Web": a column per channel of the map."""
    for prefix, key in (("share_", "column.share"), ("buy_", "column.conversions")):
        if name.startswith(prefix) and name[len(prefix) :] in names.names:
            return f"{t(key, names.lang)} {names.names[name[len(prefix) :]]}"
    return None


# A retention cohort's k-th period: m3 (month), w3 (ISO week) or d3 (day).
_PERIOD_COLUMN = re.compile(r"([mwd])(\d+)")
# The column that names, per row, the cohort cell whose period is not over yet (a cohort
# table), or says that the row's period is not over yet (the lifecycle table).
_PARTIAL = "partial"


def column_label(
    name: str, names: Titles, columns: tuple[str, ...] = (), unit: str | None = None
) -> str | None:
    """A column's header in the reader's words, or None for a column meant for analysts;
    a funnel counting journeys or attempts (``unit``) names its counts after them."""
    if f"column.{name}.{unit}" in STRINGS:
        return t(f"column.{name}.{unit}", names.lang)
    if names.horizon is not None and f"column.{name}.horizon" in STRINGS:
        return t(f"column.{name}.horizon", names.lang, months=names.horizon)
    period = _PERIOD_COLUMN.fullmatch(name) if "cohort" in columns else None
    if period:  # a cohort's k-th period: "mois 3", "semaine 3", "jour 3"
        unit_key = {"m": "retention.month", "w": "retention.week", "d": "retention.day"}
        return t(unit_key[period[1]], names.lang, k=int(period[2]))
    if name == "breakdown":  # the groups of a broken-down result, named by what they are
        return names.group or t("column.breakdown", names.lang)
    if name == "target" and "source" in columns:
        return t("column.target_to", names.lang)
    if name == "source" and "target" not in columns:  # where a value comes from
        return t("column.origin", names.lang)
    if name == "step" and "source" in columns:  # a flow of paths: a position, not a stage
        return t("column.path_position", names.lang)
    if name == "label" and "sentiment" in columns:  # a verbatim's tone, not a time bin
        return t("column.sentiment_label", names.lang)
    if f"column.{name}" in STRINGS:
        return t(f"column.{name}", names.lang)
    return _share_of(name, names)


def dropped_label(name: str, names: Titles) -> str:
    """A column a table leaves to analysts, in the note that lists them: its words
    (``analyst.<name>``), else its header's, else its name.

    >>> dropped_label("drop_off_low", Titles("fr")), dropped_label("title", Titles("en"))
    ('Taux de sortie (borne basse)', 'Name')
    """
    if f"analyst.{name}" in STRINGS:
        return t(f"analyst.{name}", names.lang)
    return column_label(name, names) or name


def figure_label(
    name: str, lang: str, unit: str | None = None, horizon: int | None = None
) -> str | None:
    """A headline figure's label, or None for a model internal (shown to analysts); a
    funnel counting journeys or attempts (``unit``) names its counts after them; a forecast
    says the months it covers (``horizon``)."""
    if horizon is not None and f"figure.{name}.horizon" in STRINGS:
        return t(f"figure.{name}.horizon", lang, months=horizon)
    for key in (f"figure.{name}.{unit}", f"figure.{name}"):
        if key in STRINGS:
            return t(key, lang)
    return None


def unit_of(result: Any) -> str | None:
    """What a result counts once (the funnel's ``unit``: persons, journeys, attempts)."""
    params = getattr(result, "params", None)
    return params.get("unit") if isinstance(params, dict) else None


def _float_text(value: float, lang: str) -> str:
    if math.isinf(value):
        return "∞"
    return number(value, lang, 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2)


def _score_text(name: str, value: Any, lang: str) -> str | None:
    """A score written as a reader reads it, figure or cell alike (NPS whole: -8, not -8,33;
    effort with one decimal), or None for anything else."""
    if name in _WHOLE:
        return number(value, lang)
    if name == "ces":
        return number(value, lang, 1)
    return None


def figure_text(name: str, value: Any, lang: str, names: Titles) -> str:
    """A headline figure's value as its reader reads it."""
    if _missing(value):
        return "–"
    if isinstance(value, bool):
        return t("label.yes" if value else "label.no", lang)
    if name in _PCT_FIGURES or name.endswith(("_share", "_rate")):
        return pct(value, lang, 1 if abs(float(value)) < 0.1 else 0)
    if name == "conversion_change":  # B − A of two shares
        return points(value, lang)
    if name == "median_days_between_purchases":
        return duration(float(value) * 86400, lang)
    if name == "calibration_end":
        return date(value, lang)
    if name in _MONEY:
        return money(value, lang, names.currency)
    score = _score_text(name, value, lang)
    if score is not None:
        return score
    if isinstance(value, int):
        return number(value, lang)
    if isinstance(value, float):
        return number(value, lang, 0) if value.is_integer() else _float_text(value, lang)
    if isinstance(value, str):
        return _sentence(value, names)
    return names.text(value)


_STEP = re.compile(r"^step (\d+) (.+) \(([\d.]+)%\)$")


def _sentence(text: str, names: Titles) -> str:
    """A short text figure: an id, a category, or the funnel's 'step N x (p%)'."""
    found = _STEP.match(text)
    if found:
        n, step, share = found.groups()
        word = t("column.step", names.lang)
        return f"{word} {n}, {names.text(step)} ({pct(float(share) / 100, names.lang, 1)})"
    if ".." in text and len(text) == 22:  # a period FIRST..LAST
        first, last = text.split("..")
        return period(first, last, names.lang)
    return names.text(text)


def cell_text(column: str, value: Any, lang: str, names: Titles) -> str:
    """One table cell as its reader reads it."""
    if _missing(value) if not isinstance(value, list | tuple) else False:
        return ""
    if isinstance(value, bool):
        return t("label.yes" if value else "label.no", lang)
    if isinstance(value, int | float) and not isinstance(value, bool):
        number_value = float(value)
        if (
            column in _PCT_COLUMNS
            or column.endswith(("_rate", "_share"))
            or (column.startswith("share_") or re.fullmatch(r"m\d+", column))
        ):
            return pct(number_value, lang, 1 if abs(number_value) < 0.1 else 0)
        if column.endswith("_time_s") or column == "lower_s":
            return duration(number_value, lang)
        if column.startswith("median_hours"):
            return duration(number_value * 3600, lang)
        if column in _MONEY:
            return money(number_value, lang, names.currency)
        score = _score_text(column, number_value, lang)  # as its headline figure says it
        if score is not None:
            return score
        if isinstance(value, int) or number_value.is_integer():
            return number(number_value, lang)
        return _float_text(number_value, lang)
    if column == "path" and isinstance(value, str) and not value.strip():
        return t("column.path.empty", lang)  # converted with no touch before (attribution)
    if isinstance(value, str) and _KIND_OF.get(column):
        return names.of_kind(_KIND_OF[column], value)
    if column in ("cohort", "period") and isinstance(value, str):  # retention's periods
        return period_name(value, lang)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return date(value, lang)
    if isinstance(value, dict):
        return ", ".join(labelled(names.text(k), names.text(v), lang) for k, v in value.items())
    return names.text(value)


def _row_text(name: str, record: dict[str, Any], lang: str, names: Titles) -> str | None:
    """A cell read with its row, or None for a cell read alone: what goes with abandoning or
    converting (a ``feature`` and its ``value``), a goal's ``metric``, ``target`` and
    ``value`` (kpis' goals: a share, a score or an amount by the metric)."""
    if "feature" in record and "value" in record and name in ("feature", "name", "value"):
        return _feature_text(name, record, lang, names)
    if "metric" in record and "met" in record and name in ("metric", "target", "value"):
        return goal_text(name, str(record["metric"]), record[name], lang, names)
    if name == "label" and "bin" in record and "lower_s" in record and not _missing(record["bin"]):
        return duration_bin_label(int(record["bin"]), lang)
    return None


def duration_bin_label(index: int, lang: str) -> str:
    """A bin of durations (:mod:`parcours.analyses._durations`) in the reader's units.

    >>> duration_bin_label(4, "fr"), duration_bin_label(7, "fr"), duration_bin_label(4, "en")
    ('6 h – 1 j', '≥ 30 j', '6 h – 1 d')
    """
    from parcours.analyses._durations import bin_labels  # a result of theirs: loaded

    return bin_labels("j" if lang == "fr" else "d")[index]


def _feature_text(name: str, record: dict[str, Any], lang: str, names: Titles) -> str:
    """A correlation's feature (frictions: property, preceded_by, persona with its ``name``;
    a funnel: event, touchpoint, persona, property:KEY), said in words; its value by its
    kind: a persona or a touchpoint by its title, a property's value as the data writes it."""
    kind, _, key = str(record["feature"]).partition(":")
    field_name = str(record.get("name") or "")
    if name == "feature":
        words = t(f"feature.{kind}", lang) if f"feature.{kind}" in STRINGS else kind
        return (
            labelled(words, names.kinds.get("property", {}).get(key, key), lang) if key else words
        )
    if name == "name":  # the property's field, or what an earlier passage is (touchpoint, stage)
        if kind == "property":
            return names.kinds.get("property", {}).get(field_name, field_name)
        return names.text(field_name)
    value = record["value"]
    if _missing(value):
        return ""
    if kind == "property":  # data: as written, a yes/no in words
        text = str(value)
        return t(f"label.{_YES_NO[text.lower()]}", lang) if text.lower() in _YES_NO else text
    if kind in ("persona", "touchpoint"):
        return names.of_kind(kind, value)
    if kind == "preceded_by":  # an earlier touchpoint or stage, by the result's level
        return names.of_kind(field_name, value)
    return names.text(value)


_YES_NO = {"true": "yes", "false": "no"}


def goal_text(column: str, metric: str, value: Any, lang: str, names: Titles) -> str:
    """A cell of kpis' goals: the ``metric`` in words, a ``target`` or ``value`` as the
    metric is written (a rate as a share, NPS and effort as scores, reach as persons,
    revenue as an amount, time to convert in days); a value the analysis does not measure says where it is.

    >>> names = Titles("fr")
    >>> goal_text("metric", "bounce_rate", None, "fr", names), goal_text("value", "exit_rate", 0.24, "fr", names)
    ('taux de rebond', '24\xa0%')
    >>> goal_text("value", "nps", None, "en", names)
    'measured in “Voice of the customer”'
    """
    if column == "metric":
        return t(f"metric.{metric}", lang) if f"metric.{metric}" in STRINGS else names.text(metric)
    if _missing(value):
        from parcours.analyses.kpis import MEASURED_ELSEWHERE  # a result of kpis: loaded

        if column == "value" and metric in MEASURED_ELSEWHERE:
            return t(
                "present.measured_in",
                lang,
                analysis=t(f"section.{MEASURED_ELSEWHERE[metric]}", lang),
            )
        return ""
    number_value = float(value)
    low, high, _, _ = METRICS.get(metric, (0, float("inf"), "", ""))
    if (low, high) == (0, 1):  # a share
        return pct(number_value, lang, 1 if abs(number_value) < 0.1 else 0)
    if metric == "revenue":
        return money(number_value, lang, names.currency)
    if metric == "time_to_convert":  # days
        return duration(number_value * 86400, lang)
    if metric == "ces":
        return number(number_value, lang, 1)
    return number(number_value, lang)


def quote(text: str, language: str | None = None) -> Markup:
    """Customer text as written, marked as a quote in its own language (given, else
    guessed between French and English) so that readers and checks tell it from the page.

    >>> str(quote("Livraison très lente"))
    '<q lang="fr">Livraison très lente</q>'
    """
    if not language:
        from parcours.analyses._sentiment import guess_language

        language = guess_language(text)
    return Markup('<q lang="{}">{}</q>').format(language[:8], text)


@dataclass
class Shown:
    """A table ready to show: headers, rows of HTML-safe cells, what was set aside."""

    columns: list[str]
    rows: list[list[Markup]]
    total: int
    long: list[bool]
    dropped: list[str]
    names: list[str] = field(default_factory=list)  # the source column of each header


def _not_over(name: str, record: dict[str, Any], cols: tuple[str, ...]) -> bool:
    """The cell is a period not over yet: the cohort cell its row's ``partial`` names, or the
    period of a lifecycle row whose ``partial`` is true."""
    if "cohort" in cols:
        return bool(record.get(_PARTIAL) == name)
    return name == "period" and record.get(_PARTIAL) in (True,)  # numpy's True too


def table(
    frame: pd.DataFrame, lang: str, names: Titles, rows: int = 50, unit: str | None = None
) -> Shown:
    """``frame`` with the columns a user reads, labelled and formatted for ``lang``; the
    other columns (model internals, ids beside their title) are listed in ``dropped``.
    Customer text keeps its own language: a verbatim is a ``<q lang=..>``. ``unit``: what a
    funnel counts (:func:`unit_of`), which names its count columns."""
    lang = lang_of(lang)
    cols = tuple(str(c) for c in frame.columns)
    keep: list[tuple[str, str]] = []
    dropped: list[str] = []
    for name in cols:
        label = column_label(name, names, cols, unit)
        if name == _PARTIAL and ("cohort" in cols or "period" in cols):  # said by a mark
            label = None
        moneyless = (
            name in _MONEY
            and len(frame) > 0  # no rows (a table's columns only): nothing says no money
            and bool(pd.to_numeric(frame[name], errors="coerce").fillna(0).eq(0).all())
        )  # a journey without money (a helpdesk): the column says nothing
        if (
            label is None
            or moneyless
            or (name == "id" and "title" in cols)
            or (name == "name" and "persona" in cols)
            or (name == "title" and "persona" in cols)  # the persona is shown by its title
        ):
            dropped.append(name)
        else:
            keep.append((name, label))
    shown = frame.head(rows)
    languages = shown["language"].tolist() if "language" in shown else [None] * len(shown)
    out: list[list[Markup]] = []
    for record, language in zip(
        shown.astype(object).to_dict(orient="records"), languages, strict=True
    ):
        line = []
        for name, _ in keep:
            if name == "change":  # B − A: of two NPS, or of two shares (in points)
                text = (signed(record[name], lang, 1) if "nps_a" in cols else
                        points(record[name], lang))  # fmt: skip
            else:  # a cell read with its row, else alone
                by_row = _row_text(name, record, lang, names)
                read_as = "share" if "cohort" in cols and _PERIOD_COLUMN.fullmatch(name) else name
                text = cell_text(read_as, record[name], lang, names) if by_row is None else by_row
            if text and _not_over(name, record, cols):
                text += "*"  # its period is not over: see the note "* période en cours"
            if name in _QUOTES and text:
                line.append(quote(text, language if isinstance(language, str) else None))
            else:
                line.append(escape(text))
        out.append(line)
    # a column that repeats another one cell for cell (an id beside its stage) says nothing
    texts = {j for j, (name, _) in enumerate(keep) if frame[name].dtype == object}
    same = [j for j in range(1, len(keep)) if j in texts and out and any(
        i in texts and all(row[i] == row[j] for row in out) for i in range(j))]  # fmt: skip
    if same:
        dropped += [keep[j][0] for j in same]
        keep = [k for j, k in enumerate(keep) if j not in same]
        out = [[c for j, c in enumerate(row) if j not in same] for row in out]
    long = [any(len(str(row[i])) > 60 for row in out) for i in range(len(keep))]
    return Shown([label for _, label in keep], out, len(frame), long, dropped,
                 [name for name, _ in keep])  # fmt: skip


def table_count(result: Any, name: str, lang: str) -> str:
    """What the count after a secondary table's heading says: its rows ("20"), or, for a
    table of the most frequent among more (a process map's variants), "the 20 most frequent
    of 2,861" so that it does not read as the total beside the figure that is.

    >>> from types import SimpleNamespace as Result
    >>> shown = Result(variants=pd.DataFrame({"cases": range(20)}), variants_shown=2861)
    >>> table_count(shown, "variants", "fr")
    'les 20 plus fréquentes sur 2\u202f861'
    """
    rows = len(getattr(result, name))
    of = getattr(result, "variants_shown", None) if name == "variants" else None
    if of is not None and of > rows:
        return t("table.variants.top", lang).format(rows=number(rows, lang), of=number(of, lang))
    return number(rows, lang)


def figures(
    result: Any, lang: str, names: Titles
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The headline figures (label, value) a user reads, and the model internals apart."""
    lang = lang_of(lang)
    user: list[tuple[str, str]] = []
    internals: list[tuple[str, str]] = []
    for f in result.figure_fields():
        value = getattr(result, f.name)
        if value is None and f.default is None:
            continue
        label = figure_label(f.name, lang, unit_of(result), names.horizon)
        if f.name in _MONEY and not _missing(value) and float(value) == 0:
            continue  # no money in the data (a helpdesk, a permit office): nothing to read
        if f.name in _STORE_FIGURES and _storeless(result) and (_missing(value) or not value):
            continue  # no shop on the map: no "ROPO 0", no "Showrooming 0"
        if label is None:
            raw = f.metadata["label"]
            internals.append((raw(result) if callable(raw) else raw, _raw(value)))
        else:
            user.append((label, figure_text(f.name, value, lang, names)))
    return user, internals


# What a journey through a shop shows (channels): said only where the map has one.
_STORE_FIGURES = {
    "ropo_journeys",
    "showrooming_journeys",
    "click_collect_journeys",
    "stitched_share",
}


def _storeless(result: Any) -> bool:
    params = getattr(result, "params", None) or {}
    return getattr(result, "analysis", "") == "channels" and not params.get("offline")


def _raw(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def optional_word(lang: str) -> str:
    """What an optional funnel step (``step?``) is called after its title: "(facultative)"."""
    return f"({COLUMNS['optional'][0 if lang_of(lang) == 'fr' else 1].lower()})"


def _step_title(step: str, lang: str, names: Titles) -> str:
    """A funnel step by its title; an optional one (``step?``) says so in words."""
    if not step.endswith("?"):
        return names.text(step)
    return f"{names.text(step[:-1])} {optional_word(lang)}"


def heading(result: Any, lang: str, names: Titles) -> str:
    """The heading of a result: the analysis' name, and the funnel's steps by their titles."""
    title = t(f"section.{result.analysis}", lang)
    steps = result.params.get("steps") if isinstance(result.params, dict) else None
    if result.analysis == "funnel" and steps:
        return labelled(title, " → ".join(_step_title(s, lang, names) for s in steps), lang)
    return title


def about(analysis: str, lang: str) -> str:
    return t(f"about.{analysis}", lang)


def as_of(found: Any, lang: str, written: bool = False) -> str | None:
    """How old a result computed on earlier data is (its ``as_of``,
    :class:`parcours.analyses.base.AsOf`), in words; None for None (a result computed on
    the workspace's current data). ``written``: for a document read later (the report),
    the moment only, no age.

    >>> from datetime import datetime
    >>> from parcours.analyses.base import AsOf
    >>> print(as_of(AsOf(datetime(2026, 12, 1, 14, 5), 7, 9, 1240), "en"))  # doctest: +ELLIPSIS
    Computed ... ago (1 Dec 2026, 14:05 UTC) on the data of then: 1,240 events have arrived since.
    """
    if found is None:
        return None
    events = found.events_since
    key = "as_of.other" if events == 0 else "as_of.one" if events == 1 else "as_of.many"
    if written:
        key = key.replace("as_of.", "as_of.written.")
    return t(
        key,
        lang,
        age=duration(max(found.age().total_seconds(), 1), lang),
        moment=moment(found.computed_at, lang),
        events=number(events, lang),
    )


def _param_key(name: str, analysis: str | None, suffix: str = "") -> str:
    """A parameter's catalogue key: the analysis' own words first (``order`` is a funnel's
    step order but an attribution's Markov memory), else the words shared by name."""
    own = f"param.{analysis}.{name}{suffix}"
    return own if analysis and own in STRINGS else f"param.{name}{suffix}"


def param_label(name: str, lang: str, analysis: str | None = None) -> str:
    key = _param_key(name, analysis)
    return t(key, lang) if key in STRINGS else name


def param_help(name: str, lang: str, fallback: str = "", analysis: str | None = None) -> str:
    key = _param_key(name, analysis, ".help")
    return t(key, lang) if key in STRINGS else fallback


def option_label(value: str, lang: str, names: Titles) -> str:
    key = f"option.{value}"
    return t(key, lang) if key in STRINGS else names.text(value)


def _events(rule: Any) -> list[str]:
    events = getattr(rule, "events", None)
    return list(events() if callable(events) else events or [])


def conversion_name(jm: JourneyMap, lang: str) -> str:
    """What the map converts to, in its own words: the conversion's title, else the title of
    the one touchpoint that matches the conversion event (a permit process: "Permis
    délivré"), else "conversion" (never an event name such as "purchase" on a screen)."""
    title = getattr(jm.conversion, "title", None)  # a plain MatchRule put in by model_copy
    if title:
        return text_of(title, lang)
    events = set(_events(jm.conversion))
    matching = [tp for tp in jm.touchpoints if set(_events(tp.match)) & events and tp.title]
    if len(matching) == 1:
        return text_of(matching[0].title, lang)
    return t("present.conversion", lang)


def _pattern(template: str) -> re.Pattern[str]:
    # A quoted value ('{}') also matches without its quotes: a reason counted by kind has
    # "…" for its values, quotes included (column … holds a NUL byte).
    template = re.escape(template).replace("'\\{\\}'", "'?\\{\\}'?")
    return re.compile("^" + template.replace("\\{\\}", "(.+?)") + "$", re.S)


_NOTES = [(key, _pattern(text)) for key, text in NOTE_PATTERNS.items()]


def notes(result: Any, lang: str, names: Titles) -> list[str]:
    """The notes a reader needs, in plain words in ``lang`` (each analysis' notes as written
    are for analysts: :attr:`Result.notes`)."""
    shown = []
    for note in result.notes:
        for key, pattern in _NOTES:
            found = pattern.match(note)
            if found:
                values = [_note_value(v, lang, names) for v in found.groups()]
                if found.groups()[:1] == ("1",) and f"{key}.one" in STRINGS:
                    key = f"{key}.one"  # "1 groupe a", not "1 groupe(s) ont"
                shown.append(t(key, lang).format(*values))
                break
    return shown


# The most specific pattern first: "kpis: level 'x'..." before "{}: level '{}'...".
_ERRORS = sorted(
    ((key, _pattern(text)) for key, text in ERROR_PATTERNS.items()),
    key=lambda item: -len(ERROR_PATTERNS[item[0]].replace("{}", "")),
)


def error_text(message: str, lang: str | None) -> str:
    """An error message of the analyses or the API (written in English) in ``lang``, its
    values (field names, what is allowed, what was given) as written; a message with no
    entry in the catalogue stays as it is.

    >>> error_text("frictions: top 0 is not allowed; give 1 or more", "fr")
    "frictions : top 0 n'est pas permis ; donnez 1 ou plus"
    """
    lang = lang_of(lang)
    if lang == "en":
        return message
    head = ERROR_PATTERNS["refused.map.invalid"]
    if message.startswith(head + ":"):  # a MapError: its head, then one problem per line
        problems = [line.strip() for line in message[len(head) + 1 :].split("\n") if line.strip()]
        said = [_problem_text(line, lang) for line in problems]
        text = t("refused.map.invalid", lang)
        return f"{text} : {said[0]}" if "\n" not in message else f"{text} :\n  " + "\n  ".join(said)
    return _problem_text(message, lang)


def parameters_named(text: str, names: dict[str, str]) -> str:
    """``text`` (an error of an analysis, in the reader's words) with each of the analysis'
    parameters in ``names`` written as the reader knows it: the dashboard's form label
    (« Période A »), the command's flag (--period-a). Only names with an underscore are
    sought (period_a, min_journeys): a one-word name (top, level) is also a plain word."""
    for name, shown in names.items():
        if "_" in name:
            text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", shown, text)
    return text


_AT_FIELD = re.compile(r"^(.*) \(field ([^()]+)\)$", re.S)


def _problem_text(message: str, lang: str) -> str:
    """A message, or a located problem ``file:line: message (field path)``, in ``lang``; as
    it is when the catalogue does not know it."""
    body, field_suffix = message, ""
    at = _AT_FIELD.match(message)
    if at:  # a located problem: its place first, so "{}: ..." patterns do not take it in
        body, field_suffix = at[1], " " + t("refused.map.at_field", lang).format(at[2])
    else:
        said = _known_text(message, lang)
        if said is not None:
            return said
    said, start = None, 0
    while said is None and (split := body.find(": ", start)) > 0:  # after 'file:line'
        said = _known_text(body[split + 2 :], lang)
        if said is not None:
            said = f"{body[:split]} : {said}"
        start = split + 2
    if said is None:
        said = _known_text(body, lang)
    return message if said is None else said + field_suffix


def _known_text(message: str, lang: str) -> str | None:
    for key, pattern in _ERRORS:
        found = pattern.match(message)
        if found:
            return t(key, lang).format(*(_value_text(v, lang) for v in found.groups()))
    return None


# A count or a limit that a message writes with English thousands separators ("1,048,576").
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")


def _value_text(value: str, lang: str) -> str:
    """A message's value as written, unless it is a count the message grouped in thousands
    (then in the reader's digits: ``1,000`` is ``1 000`` in French), or itself a message
    (the problem of a sub-map, the reason a map is not found): then that message in
    ``lang`` too. Other numbers stay as written: a reader copies them into the command."""
    if _GROUPED.fullmatch(value):
        return number(int(value.replace(",", "")), lang)
    if " " not in value or len(value) < 12:  # a name, a number: shown as written
        return value
    said = _problem_text(value, lang)
    if said != value:
        return said
    return _DIFFERENCE.sub(
        lambda m: DIFFERENCE_WORDS[m[1] or m[2] or m[3]] + (" : " if m[1] else ""), said
    )


# The words of a conflict's differences, ``ts 'a' (kept: 'b'), email empty (was: 'c')``: a
# label after an opening parenthesis, "empty" where a value is shown (the values themselves,
# quoted, are left as written).
_DIFFERENCE = re.compile(r"(?<=\()(kept|was): |(?<=\w )(empty)(?= \()|(?<=: )(empty)(?=\))")


def _note_value(text: str, lang: str, names: Titles) -> str:
    if re.fullmatch(r"\d+(\.\d+)?%", text):
        return pct(float(text[:-1]) / 100, lang)
    if re.fullmatch(r"\d+", text):
        return number(int(text), lang)
    if re.fullmatch(r"\d+[smhdw]", text):
        unit = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[text[-1]]
        return duration(int(text[:-1]) * unit, lang)
    return ", ".join(names.text(part.strip()) for part in text.split(","))
