"""The journey map as code: models, YAML in and out with line numbers, validation, templates.

Pure: nothing here touches a database; ``to_ibis`` methods only build expressions.

    >>> from parcours.maps import JourneyMap, render_template
    >>> jm = JourneyMap.loads(render_template("cinq-phases"))
    >>> jm.stage_ids[:2]
    ['decouverte', 'consideration']
"""

from parcours.maps.checks import ANY_CHANNEL
from parcours.maps.duration import duration_for, format_duration, parse_duration
from parcours.maps.model import (
    METRICS,
    Channel,
    Conversion,
    Goal,
    JourneyMap,
    JourneySettings,
    Kpi,
    MatchRule,
    Pattern,
    Persona,
    Stage,
    Text,
    Touchpoint,
    text_of,
)
from parcours.maps.rules import Rule, scalar_text
from parcours.maps.templates import TEMPLATES, render_template
from parcours.maps.validate import (
    CHECKS,
    find_problems,
    validate_data,
    validate_file,
    validate_text,
)

__all__ = [
    "ANY_CHANNEL",
    "CHECKS",
    "METRICS",
    "TEMPLATES",
    "Channel",
    "Conversion",
    "Goal",
    "JourneyMap",
    "JourneySettings",
    "Kpi",
    "MatchRule",
    "Pattern",
    "Persona",
    "Rule",
    "Stage",
    "Text",
    "Touchpoint",
    "find_problems",
    "duration_for",
    "format_duration",
    "parse_duration",
    "render_template",
    "scalar_text",
    "text_of",
    "validate_data",
    "validate_file",
    "validate_text",
]
