"""The plain-language sentences of the friction points, in French and English.

Kept apart from :mod:`parcours.analyses.frictions` (the measures): one sentence per signal,
said as a CX lead reads it (the rates, "significant", the gap's lower bound in points, "n times
as often"), and the properties or earlier touchpoints that go with abandoning.
"""

from __future__ import annotations

import pandas as pd


def _pct(value: float, lang: str, digits: int = 0) -> str:
    text = f"{100 * value:.{digits}f}"
    text = text.replace(".", ",") if lang == "fr" else text
    return f"{text} %" if lang == "fr" else f"{text}%"


def _digits(rate: float) -> int:
    """The decimals of a rate as the tables write it: one under 10 % (0 is 0)."""
    return 1 if 0 < abs(rate) < 0.1 else 0


def _compared(rate: float, base: float, lang: str) -> tuple[str, str]:
    """Two rates a sentence sets against each other, written as the tables write them, with
    more decimals when they would read alike ("2 % against 2 %" would read as no gap).

    >>> _compared(0.10, 0.0, "fr"), _compared(0.006, 0.002, "fr"), _compared(0.35, 0.3541, "en")
    (('10 %', '0 %'), ('0,6 %', '0,2 %'), ('35.0%', '35.4%'))
    """
    for extra in (0, 1, 2):
        pair = (_pct(rate, lang, _digits(rate) + extra), _pct(base, lang, _digits(base) + extra))
        if pair[0] != pair[1]:
            break
    return pair


def _number(value: float, lang: str, digits: int = 1) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "fr" else text


# Every signal a sentence names is beyond its baseline at the confidence level (its excess
# is 0 otherwise), so a sentence says "significant" and the gap's lower bound in points; the
# intervals, odds ratios and p-values stay in the measures and correlations tables.
WORDS = {
    "fr": {
        "exits": "{rate} des parcours qui atteignent « {title} » s'y arrêtent sans aller au bout, "
        "contre {base} pour les autres points de contact{channel} de l'étape {stage}{gap}",
        "exits_stage": "{rate} des parcours qui atteignent l'étape {title} s'y arrêtent sans "
        "aller au bout, contre {base} pour les autres étapes{gap}",
        "contacts": "{rate} des passages par « {title} » sont suivis d'un appel au service "
        "client, contre {base} ailleurs{gap}",
        "bounces": "{rate} des sessions web et app qui commencent sur « {title} » s'arrêtent à "
        "la première page (rebond), contre {base} pour les autres sessions{gap}",
        "feedback": "{rate} des avis recueillis sur « {title} » sont négatifs, contre {base} "
        "pour les autres{gap}",
        "gap": " : un écart significatif, d'au moins {low} points.",
        "gap_one": " : un écart significatif, d'au moins 1 point.",
        "gap_small": " : un écart significatif.",
        "nps": "NPS {nps} ({n} réponses).",
        "correlate": "On y abandonne (ou on appelle le service client) plus souvent avec "
        "{features}.",
        "feature": "{feature} ({arate} contre {brate} sans, {ratio} fois plus souvent)",
        "feature_none": "{feature} ({arate} contre {brate} sans)",
        "and": " et avec ",
        "declared": "Friction déclarée dans la carte : {text}.",
        "declared_unseen": "Friction déclarée dans la carte ({text}), que les données ne "
        "confirment pas : aucun écart significatif.",
        "preceded_by": "un passage préalable par « {value} »",
        "persona": "le persona {value}",
        "property": "{name} « {value} »",
        "true": "oui",
        "false": "non",
        "time": "Temps médian passé dans le parcours avant l'abandon : {time}.",
    },
    "en": {
        "exits": "{rate} of the journeys that reach '{title}' end there without getting through, "
        "against {base} for the other{channel} touchpoints of the {stage} stage{gap}",
        "exits_stage": "{rate} of the journeys that reach the {title} stage end there without "
        "getting through, against {base} for the other stages{gap}",
        "contacts": "{rate} of the passages through '{title}' are followed by a call for "
        "help, against {base} elsewhere{gap}",
        "bounces": "{rate} of the web and app sessions that start on '{title}' stop at the "
        "first page (bounce), against {base} for the other sessions{gap}",
        "feedback": "{rate} of the feedback given on '{title}' is negative, against {base} "
        "for the rest{gap}",
        "gap": ": a significant gap, of at least {low} points.",
        "gap_one": ": a significant gap, of at least 1 point.",
        "gap_small": ": a significant gap.",
        "nps": "NPS {nps} ({n} answers).",
        "correlate": "Customers abandon (or call for help) there more often with {features}.",
        "feature": "{feature} ({arate} against {brate} without, {ratio} times as often)",
        "feature_none": "{feature} ({arate} against {brate} without)",
        "and": " and with ",
        "declared": "Friction declared in the map: {text}.",
        "declared_unseen": "Friction declared in the map ({text}) that the data does not "
        "confirm: no significant gap.",
        "preceded_by": "an earlier visit to '{value}'",
        "persona": "persona {value}",
        "property": "{name} '{value}'",
        "true": "yes",
        "false": "no",
        "time": "Median time spent in the journey before abandoning: {time}.",
    },
}


def _gap(low: float, words: dict[str, str]) -> str:
    """The plain reading of a significant gap: its lower bound, in whole points."""
    points = round(100 * low)
    if points == 1:
        return words["gap_one"]
    return words["gap"].format(low=points) if points > 1 else words["gap_small"]


def _feature(feature: pd.Series, text: str, words: dict[str, str], lang: str) -> str:
    """One feature that goes with abandoning: the two abandon rates and how many times."""
    with_it, without = feature["abandon_rate"], feature["abandon_rate_without"]
    arate, brate = _compared(with_it, without, lang)
    rates = {"feature": text, "arate": arate, "brate": brate}
    if without > 0:
        return words["feature"].format(**rates, ratio=_number(with_it / without, lang))
    return words["feature_none"].format(**rates)


def _channel(row: pd.Series, channel_titles: dict[str, str], lang: str) -> str:
    """The channel the exit baseline shares (its title, as the map names it), or nothing when
    the baseline is the whole stage."""
    if "/" not in str(row.get("exit_group")):
        return ""
    title = channel_titles.get(row["channel"], row["channel"])
    return f" du canal {title}" if lang == "fr" else f" {title}"


def _duration(seconds: float, lang: str) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} " + ("j" if lang == "fr" else "d")


def explain(
    row: pd.Series,
    stage_titles: dict[str, str],
    top: pd.DataFrame | None,
    titles: dict[str, str],
    level: str,
    lang: str,
    short: bool = False,
    channel_titles: dict[str, str] | None = None,
    property_titles: dict[str, str] | None = None,
) -> str:
    """The plain-language sentences of one friction point; ``short``: only its strongest
    signal, what goes with it, and a declared friction the data does not show.
    ``property_titles``: the data's fields as the map names them."""
    words = WORDS["fr" if lang == "fr" else "en"]
    parts: list[str] = []
    prefixes = {"exits": "exit", "contacts": "contact", "bounces": "bounce", "feedback": "negative"}
    # every signal beyond its baseline, the strongest first
    shown = sorted(
        (s for s in prefixes if row.get(f"{prefixes[s]}_excess", 0) > 0),
        key=lambda s: -row[f"{prefixes[s]}_excess"],
    )
    for signal in shown[:1] if short else shown:
        prefix = prefixes[signal]
        template = words["exits_stage"] if signal == "exits" and level == "stage" else words[signal]
        rate, base = _compared(row[f"{prefix}_rate"], row[f"{prefix}_baseline"], lang)
        parts.append(
            template.format(
                rate=rate,
                base=base,
                gap=_gap(row[f"{prefix}_low"], words),
                title=row["title"],
                stage=stage_titles.get(row["stage"], row["stage"]),
                channel=_channel(row, channel_titles or {}, lang),
            )
        )
        if signal == "exits" and not short and pd.notna(row.get("median_hours_lost")):
            hours = row["median_hours_lost"]
            parts.append(words["time"].format(time=_duration(3600 * hours, lang)))
    if row.get("nps_answers", 0) > 0 and not short:
        parts.append(words["nps"].format(nps=f"{row['nps']:+.0f}", n=row["nps_answers"]))
    features = []
    for _, feature in (top if top is not None else pd.DataFrame()).iterrows():
        value = feature["value"]
        name = feature["name"]
        if feature["feature"] in ("preceded_by", "persona"):
            value = titles.get(value, value)
        elif feature["feature"] == "property":  # the field as the map names it
            name = (property_titles or {}).get(name, name)
            if str(value).lower() in ("true", "false"):  # a yes/no property, said in words
                value = words[str(value).lower()]
        text = words[feature["feature"]].format(name=name, value=value)
        features.append(_feature(feature, text, words, lang))
    if features:
        parts.append(words["correlate"].format(features=words["and"].join(features)))
    if row["declared"] and not (short and row["score"] > 0):
        text = " ; ".join(row["declared"]) if lang == "fr" else "; ".join(row["declared"])
        key = "declared" if row["score"] > 0 else "declared_unseen"
        parts.append(words[key].format(text=text))
    return " ".join(parts)
