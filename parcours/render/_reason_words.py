"""Why an input row was rejected or skipped, in French and English: a part of the error
catalogue (:mod:`parcours.render._error_words`, keys ``refused.reason.<name>``).

The workspace keeps each reason as the ingestion wrote it, in English (the ``rejected``
table, the API); the CLI and the dashboard show it in the reader's language through
:func:`parcours.render.present.error_text`. The English text is the pattern of the reason
(``{}`` for each value: the field, the value quoted, a line number); the French one says the
same with ``{0}``, ``{1}``... in any order, ``{{``/``}}`` for a literal brace. A reason
counted by kind (the ingest summary) has ``…`` for its values: the same patterns read it.
"""

from __future__ import annotations

Pair = tuple[str, str]  # (fr, en)

ROW_REASONS: dict[str, Pair] = {
    # a field (parcours.store.ingest.stage)
    "empty": ("{0} est vide", "{} is empty"),
    "nul": (
        "la colonne « {0} » contient un octet NUL ; le fichier est-il binaire ou abîmé ?",
        "column '{}' holds a NUL byte; is the file binary or damaged?",
    ),
    "no_identifier": (
        "aucun identifiant ; il en faut un parmi {0}",
        "no identifier; need one of {}",
    ),
    "identifier_flag": (
        "{0} vaut vrai ou faux (la colonne « {1} » contient des booléens), ce n'est pas un "
        "identifiant ; faites correspondre une colonne d'identifiants",
        "{} is true/false (column '{}' holds booleans), not an identifier; map a column of "
        "identifiers",
    ),
    "phone": (
        "téléphone {0} : pas un numéro de téléphone (région par défaut {1})",
        "phone {} is not a phone number (default region {})",
    ),
    "timestamp_iso": (
        "{0} {1} n'est pas une date-heure ; attendu : une date-heure ISO 8601 comme "
        "2026-03-01T14:05:00+01:00 ou 2026-03-01 14:05:00",
        "{} {} is not a timestamp; expected an ISO 8601 date-time such as "
        "2026-03-01T14:05:00+01:00 or 2026-03-01 14:05:00",
    ),
    "timestamp": (
        "{0} {1} n'est pas une date-heure ; format attendu : {2}",
        "{} {} is not a timestamp; expected {}",
    ),
    **{
        f"epoch_{unit}": (
            f"{{0}} {{1}} n'est pas un nombre de {french} depuis le 1970-01-01 (unité : {{2}})",
            f"{{}} {{}} is not a number of {english} since 1970-01-01 (unit: {{}})",
        )
        for unit, french, english in (
            ("s", "secondes", "seconds"),
            ("ms", "millisecondes", "milliseconds"),
            ("us", "microsecondes", "microseconds"),
        )
    },
    "number_not_time": (
        "{0} {1} est un nombre, pas une date-heure ; déclarez son unité dans la "
        "correspondance ({2} : {{column: {3}, unit: s|ms|us}})",
        "{} {} is a number, not a date-time; declare its unit in the mapping "
        "({}: {column: {}, unit: s|ms|us})",
    ),
    "number_not_time_or_format": (
        "{0} {1} est un nombre, pas une date-heure ; déclarez son unité dans la "
        "correspondance ({2} : {{column: {3}, unit: s|ms|us}}) ou son timestamp_format",
        "{} {} is a number, not a date-time; declare its unit in the mapping "
        "({}: {column: {}, unit: s|ms|us}) or its timestamp_format",
    ),
    "outside_window": (
        "{0} {1} (UTC) est hors de la fenêtre plausible du {2} au {3} UTC ; si la date est "
        "juste, élargissez Settings.earliest_ts ou Settings.latest_ts_ahead",
        "{} {} (UTC) is outside the plausible window {} to {} UTC; if it is right, widen "
        "Settings.earliest_ts or Settings.latest_ts_ahead",
    ),
    "not_a_number": ("{0} {1} n'est pas un nombre", "{} {} is not a number"),
    "not_finite": ("{0} {1} n'est pas un nombre fini", "{} {} is not a finite number"),
    # feedback
    "kind_empty": (
        "le type est vide ; possibles : {0}",
        "kind is empty; allowed: {}",
    ),
    "kind_unknown": (
        "type {0} inconnu ; possibles : {1}",
        "kind {} is unknown; allowed: {}",
    ),
    "score_range": (
        "note hors de l'échelle de {0} ; permises : de {1} à {2}",
        "score out of range for {}; allowed: {} to {}",
    ),
    "score_empty": (
        "la note est vide (seul un avis peut ne pas avoir de note)",
        "score is empty (only a review may have no score)",
    ),
    "no_answer": ("aucune réponse dans la colonne {0}", "no answer in column {}"),
    "not_applicable": (
        "la note {0} veut dire « sans objet »{1}",
        "score {} means not applicable{}",
    ),
    "answer_in": ("{0} (réponse de la colonne {1})", "{} (answer in column {})"),
    # the same key twice (parcours.store.conflicts)
    "conflict_stored": (
        "{0} {1} est déjà enregistré avec un autre {2} ; la première version est gardée "
        "(on_conflict: latest garde la dernière)",
        "{} {} is already stored with another {}; the first version is kept (on_conflict: "
        "latest keeps the last)",
    ),
    "conflict_row": (
        "{0} {1} est déjà donné par la ligne {2} avec un autre {3} ; la première version est "
        "gardée (on_conflict: latest garde la dernière)",
        "{} {} is already given by row {} with another {}; the first version is kept "
        "(on_conflict: latest keeps the last)",
    ),
    "conflict_again": (
        "{0} {1} est donné à nouveau par la ligne {2} avec un autre {3} ; la dernière version "
        "est gardée (on_conflict: first garde la première)",
        "{} {} is given again by row {} with another {}; the latest version is kept "
        "(on_conflict: first keeps the first)",
    ),
    "conflict_replaced": (
        "{0} {1} : cette version enregistrée a été remplacée par la ligne {2} de {3}, qui a un "
        "autre {4} (on_conflict: latest)",
        "{} {}: this stored version was replaced by row {} of {}, which has another {} "
        "(on_conflict: latest)",
    ),
    # lines the engine could not read (parcours.store.salvage)
    "csv_utf8": (
        "ligne CSV {0} mal formée : pas du texte UTF-8 ({1})",
        "malformed CSV line {}: not UTF-8 text ({})",
    ),
    "csv_quote": (
        "ligne CSV {0} mal formée : un guillemet ouvert ici n'est jamais fermé",
        "malformed CSV line {}: a quote opened here is never closed",
    ),
    "csv_fields": (
        "ligne CSV {0} mal formée : {1} champs attendus, {2} trouvés",
        "malformed CSV line {}: expected {} fields, found {}",
    ),
    "csv_other": ("ligne CSV {0} mal formée : {1}", "malformed CSV line {}: {}"),
    "ndjson_utf8": (
        "la ligne NDJSON {0} n'est pas du texte UTF-8 ({1})",
        "NDJSON line {} is not UTF-8 text ({})",
    ),
    "ndjson_json": (
        "la ligne NDJSON {0} n'est pas du JSON valide : {1}",
        "NDJSON line {} is not valid JSON: {}",
    ),
    "ndjson_kind": (
        "la ligne NDJSON {0} contient {1}, pas un objet JSON",
        "NDJSON line {} holds {}, not a JSON object",
    ),
    "ndjson_nul": (
        "ligne NDJSON {0} : la clé {1} contient un octet NUL ; nommez chaque clé avec du texte",
        "NDJSON line {}: the key {} holds a NUL byte; name every key with text",
    ),
    "ndjson_case": (
        "ligne NDJSON {0} : la clé {1} ne diffère que par la casse de la clé {2} d'une ligne "
        "précédente, ce que le moteur ne distingue pas ; écrivez chaque clé d'une seule façon",
        "NDJSON line {}: the key {} differs only in case from the key {} of an earlier line, "
        "which the engine does not tell apart; spell each key one way",
    ),
    "ndjson_empty_key": (
        "ligne NDJSON {0} : une clé est vide ; nommez chaque clé avec du texte",
        "NDJSON line {}: a key is empty; name every key with text",
    ),
    "ndjson_key_twice": (
        "ligne NDJSON {0} : la clé {1} est donnée deux fois dans un objet ; donnez-la une fois",
        "NDJSON line {}: the key {} is given twice in one object; give it once",
    ),
    "ndjson_keys_case": (
        "ligne NDJSON {0} : les clés {1} et {2} ne diffèrent que par la casse, ce que le "
        "moteur ne distingue pas ; renommez-en une",
        "NDJSON line {}: the keys {} and {} differ only in case, which the engine does not "
        "tell apart; rename one",
    ),
}

# The words inside a conflict's list of differences (parcours.store.conflicts.differences:
# ``ts '10:06' (kept: '10:05'), email empty (was: 'a@x.fr')``), in French.
DIFFERENCE_WORDS: dict[str, str] = {"kept": "version gardée", "was": "avant", "empty": "vide"}
