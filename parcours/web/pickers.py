"""Parameters whose values are the map's objects, picked by their titles.

A funnel's steps, the channels of a bounce, the personas to compare: a reader picks
"Considération" or "Web" in a list, never types ``consideration`` or ``web``. Each picked
parameter offers the kinds of object it accepts, in the map's order. A value the list does
not hold (a step with a filter, an event given in the page's address) is kept, shown in
words under "Other values", so a form sent back asks the same thing.

    >>> from parcours.demo.load import demo_map
    >>> jm = demo_map()
    >>> from parcours.render.present import Titles
    >>> names = Titles.of(jm, "fr")
    >>> groups = options("funnel", "steps", jm, names, {"steps": ["decouverte"]})
    >>> [title for title, _ in groups]
    ['Étapes', 'Points de contact', 'Conversion']
    >>> groups[0][1][:2]
    [('decouverte', 'Découverte'), ('consideration', 'Considération')]
    >>> options("funnel", "steps", jm, names, {"steps": ["panier?"]})[-1]
    ('Autres valeurs', [('panier?', 'Ajout au panier (facultative)')])
"""

from __future__ import annotations

from typing import Any

from parcours.maps import JourneyMap
from parcours.render import i18n, present

Choices = list[tuple[str, str]]  # (value sent back, what the reader reads)
Groups = list[tuple[str, Choices]]  # (group title, its choices); an untitled group: ""

# (analysis, parameter) -> the kinds of value it offers. A map kind (stage, touchpoint,
# channel, persona), ``conversion`` (the map's conversion event), ``level`` (objects of the
# form's current level), ``property`` (the data's fields the map names, as property:KEY),
# ``field`` (the same fields, by their key alone)
# or a fixed list of the analysis' own words (``dimension``, ``feature``, ``model``,
# ``attribution``, ``case``).
PICKED: dict[tuple[str, str], tuple[str, ...]] = {
    ("funnel", "steps"): ("stage", "touchpoint", "conversion"),
    ("compare", "steps"): ("stage", "touchpoint", "conversion"),
    ("funnel", "breakdown"): ("dimension", "property"),
    ("funnel", "breakdown_attribution"): ("attribution",),
    ("funnel", "correlation"): ("feature", "property"),
    ("frictions", "bounce_channels"): ("channel",),
    ("frictions", "contacts"): ("touchpoint", "stage", "channel"),
    ("paths", "start"): ("level",),
    ("paths", "end"): ("level",),
    ("process", "case"): ("case",),
    ("channels", "offline"): ("channel",),
    ("channels", "fulfilment"): ("field",),
    ("channels", "research"): ("stage", "touchpoint", "channel"),
    ("attribution", "models"): ("model",),
    ("attribution", "exclude"): ("channel", "touchpoint"),
    ("retention", "start_event"): ("touchpoint", "conversion"),
    ("retention", "return_event"): ("touchpoint", "conversion"),
    ("personas", "compare"): ("persona",),
}

_MAP_KINDS = ("stage", "touchpoint", "channel", "persona")
# What the analyses accept besides the map's objects, in the order a reader looks for them.
_WORDS = {
    "dimension": ("channel", "touchpoint", "stage", "event", "persona"),
    "feature": ("event", "touchpoint", "persona"),
    "model": ("first_touch", "last_touch", "linear", "position", "time_decay", "markov", "shapley"),
    "case": ("person", "journey"),
}


def picked(analysis: str, parameter: str, values: dict[str, Any]) -> bool:
    """Whether ``parameter`` is picked from a list (paths' start at the event level is
    typed: the map does not list every event)."""
    kinds = PICKED.get((analysis, parameter))
    return bool(kinds) and (kinds != ("level",) or _level(values) is not None)


def _level(values: dict[str, Any]) -> str | None:
    level = str(values.get("level") or "touchpoint")
    return level if level in _MAP_KINDS else None


def options(
    analysis: str, parameter: str, jm: JourneyMap, names: present.Titles, values: dict[str, Any]
) -> Groups:
    """The choices of a picked ``parameter``, grouped, given the form's current ``values``
    (lists as lists) and the map's titles: the chosen ones that no group holds come last,
    in words."""
    lang = names.lang
    groups: Groups = []
    for kind in PICKED[(analysis, parameter)]:
        if kind == "level":  # paths' start and end: objects of the level read
            kind = _level(values) or "touchpoint"
        title, choices = _group(kind, jm, names, values)
        if choices:
            groups.append((title, choices))
    offered = {value for _, choices in groups for value, _ in choices}
    chosen = values.get(parameter) or []
    others = [(v, _in_words(v, names)) for v in as_list(chosen) if v and v not in offered]
    if others:
        groups.append((i18n.t("params.group.other", lang), others))
    return groups


def _group(
    kind: str, jm: JourneyMap, names: present.Titles, values: dict[str, Any]
) -> tuple[str, Choices]:
    lang = names.lang
    if kind in _MAP_KINDS:
        return i18n.t(f"params.group.{kind}", lang), list(names.kinds.get(kind, {}).items())
    if kind == "conversion":
        events = list(jm.conversion.events)
        label = present.conversion_name(jm, lang)
        choices = [(e, label if len(events) == 1 else f"{label} ({e})") for e in events]
        return i18n.t("params.group.conversion", lang), choices
    if kind in ("property", "field"):
        fields = names.kinds.get("property", {})
        prefix = "property:" if kind == "property" else ""
        return i18n.t("params.group.property", lang), [(prefix + k, t) for k, t in fields.items()]
    if kind == "attribution":
        steps = as_list(values.get("steps"))
        choices = [(v, present.option_label(v, lang, names)) for v in ("first_touch", "last_touch")]
        for n, step in enumerate(steps, start=1):
            at = i18n.t("params.at_step", lang, n=n, title=_in_words(step, names))
            choices.append((f"step:{n}", at))
        return "", choices
    if kind == "case":
        fields = names.kinds.get("property", {})
        own = [(v, present.option_label(v, lang, names)) for v in _WORDS["case"]]
        return "", own + list(fields.items())
    words = _WORDS[kind]
    if kind == "model":
        return "", [(v, i18n.t(f"figure.{v}", lang)) for v in words]
    return "", [(v, names.breakdown_header(v)) for v in words]


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _in_words(value: str, names: present.Titles) -> str:
    """A value as a reader reads it: ``panier?`` -> "Ajout au panier (facultative)",
    ``purchase[channel=web]`` -> "Achat [channel=web]", ``property:device`` -> "Appareil"."""
    optional = value.endswith("?")
    base = value[:-1] if optional else value
    base, bracket, where = base.partition("[")
    if base.startswith(("property:", "customer:")):
        words = names.breakdown_header(base)
    else:
        words = names.text(base)
    if bracket:
        words += f" [{where}"
    if optional:
        words += " " + present.optional_word(names.lang)
    return words
