"""The plain-language sentences of the friction points, in French and English.

Kept apart from :mod:`parcours.analyses.frictions` (the measures): one sentence per signal,
with its interval, and the properties or earlier touchpoints that go with abandoning.
"""

from __future__ import annotations

import pandas as pd


def _pct(value: float, lang: str) -> str:
    text = f"{100 * value:.0f}"
    return f"{text} %" if lang == "fr" else f"{text}%"


def _points(value: float) -> str:
    return f"{100 * value:+.0f}"


def _number(value: float, lang: str, digits: int = 1) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "fr" else text


def _p(value: float, lang: str) -> str:
    if value < 0.001:
        return "p < 0,001" if lang == "fr" else "p < 0.001"
    return f"p = {_number(value, lang, 3)}"


WORDS = {
    "fr": {
        "exits": "{rate} des parcours qui atteignent « {title} » s'y arrêtent sans aller au bout, contre "
        "{base} pour les autres points de contact{channel} de l'étape {stage} (écart {low} à {high} points, "
        "IC {conf} %).",
        "exits_stage": "{rate} des parcours qui atteignent l'étape {title} s'y arrêtent sans "
        "aller au bout, contre {base} pour les autres étapes (écart {low} à {high} points, IC {conf} %).",
        "contacts": "{rate} des passages par « {title} » sont suivis d'un appel au service "
        "client, contre {base} ailleurs (écart {low} à {high} points, IC {conf} %).",
        "bounces": "{rate} des sessions web et app qui commencent sur « {title} » s'arrêtent à "
        "la première page (rebond), contre {base} pour les autres sessions (IC {conf} % de "
        "l'écart : {low} à {high} points).",
        "feedback": "{rate} des avis recueillis sur « {title} » sont négatifs, contre {base} "
        "pour les autres (écart {low} à {high} points, IC {conf} %).",
        "nps": "NPS {nps} ({n} réponses).",
        "correlate": "L'abandon ou l'appel au service client y est plus fréquent avec {features}.",
        "feature": "{feature} ({arate} contre {brate} ; odds ratio {odds}, {p})",
        "and": " et avec ",
        "declared": "Friction déclarée dans la carte : {text}.",
        "declared_unseen": "Friction déclarée dans la carte ({text}), que les données ne "
        "montrent pas au seuil de {conf} %.",
        "preceded_by": "un passage préalable par « {value} »",
        "persona": "le persona {value}",
        "property": "{name} = {value}",
        "time": "Temps médian passé dans le parcours avant l'abandon : {time}.",
    },
    "en": {
        "exits": "{rate} of the journeys that reach '{title}' end there without getting through, "
        "against {base} for the other{channel} touchpoints of the {stage} stage (difference {low} to "
        "{high} points, {conf}% CI).",
        "exits_stage": "{rate} of the journeys that reach the {title} stage end there without "
        "getting through, against {base} for the other stages (difference {low} to {high} points, "
        "{conf}% CI).",
        "contacts": "{rate} of the passages through '{title}' are followed by a call for "
        "help, against {base} elsewhere (difference {low} to {high} points, {conf}% CI).",
        "bounces": "{rate} of the web and app sessions that start on '{title}' stop at the "
        "first page (bounce), against {base} for the other sessions (difference {low} to "
        "{high} points, {conf}% CI).",
        "feedback": "{rate} of the feedback given on '{title}' is negative, against {base} "
        "for the rest (difference {low} to {high} points, {conf}% CI).",
        "nps": "NPS {nps} ({n} answers).",
        "correlate": "Abandoning or calling for help there is more frequent with {features}.",
        "feature": "{feature} ({arate} against {brate}; odds ratio {odds}, {p})",
        "and": " and with ",
        "declared": "Friction declared in the map: {text}.",
        "declared_unseen": "Friction declared in the map ({text}) that the data does not show "
        "at the {conf}% level.",
        "preceded_by": "an earlier visit to '{value}'",
        "persona": "persona {value}",
        "property": "{name} = {value}",
        "time": "Median time spent in the journey before abandoning: {time}.",
    },
}


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
    confidence: float,
    short: bool = False,
) -> str:
    """The plain-language sentences of one friction point; ``short``: only its strongest
    signal, what goes with it, and a declared friction the data does not show."""
    words = WORDS["fr" if lang == "fr" else "en"]
    conf = f"{100 * confidence:g}"
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
        parts.append(
            template.format(
                rate=_pct(row[f"{prefix}_rate"], lang),
                base=_pct(row[f"{prefix}_baseline"], lang),
                low=_points(row[f"{prefix}_low"]),
                high=_points(row[f"{prefix}_high"]),
                title=row["title"],
                stage=stage_titles.get(row["stage"], row["stage"]),
                channel=f" {row['channel']}" if "/" in str(row.get("exit_group")) else "",
                conf=conf,
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
        if feature["feature"] == "preceded_by":
            value = titles.get(value, value)
        features.append(
            words["feature"].format(
                feature=words[feature["feature"]].format(name=feature["name"], value=value),
                arate=_pct(feature["abandon_rate"], lang),
                brate=_pct(feature["abandon_rate_without"], lang),
                odds=_number(feature["odds_ratio"], lang),
                p=_p(feature["q_value"], lang),
            )
        )
    if features:
        parts.append(words["correlate"].format(features=words["and"].join(features)))
    if row["declared"] and not (short and row["score"] > 0):
        text = " ; ".join(row["declared"]) if lang == "fr" else "; ".join(row["declared"])
        key = "declared" if row["score"] > 0 else "declared_unseen"
        parts.append(words[key].format(text=text, conf=conf))
    return " ".join(parts)
