"""The command line's own sentences (what a command did, what to run next), in French and
English: a part of the one table of :mod:`parcours.render.i18n`. A command prints in the
language of ``parcours --lang`` (or ``PARCOURS_LANG``, or its own ``--lang``), else its
map's, else the locale's (:func:`parcours.cli.output.reader_lang`)."""

from __future__ import annotations

Pair = tuple[str, str]  # (fr, en)

_CLI: dict[str, Pair] = {
    "error": ("Erreur :", "Error:"),
    "internal_error": ("Erreur interne :", "Internal error:"),
    "usage": ("Utilisation :", "Usage:"),
    "usage_hint": ("Voyez « {command} --help » pour l'aide.", "Try '{command} --help' for help."),
    "aborted": ("Abandon.", "Aborted."),
    # after a result read with --max-age (parcours.cli.output.emit_result)
    "as_of": (
        "Sans --max-age, la commande calcule sur les données actuelles.",
        "Without --max-age, the command computes on the current data.",
    ),
    "internal_hint": (
        "Relancez avec PARCOURS_DEBUG=1 pour voir la trace, et signalez-la.",
        "Run again with PARCOURS_DEBUG=1 for the traceback, and report it.",
    ),
    # the help of every command (parcours/cli/localize.py): Typer's panels and brackets
    "help.arguments": ("Arguments", "Arguments"),
    "help.options": ("Options", "Options"),
    "help.commands": ("Commandes", "Commands"),
    "help.default": ("[par défaut : {}]", "[default: {}]"),
    "help.envvar": ("[variable d'environnement : {}]", "[env var: {}]"),
    "help.required": ("[requis]", "[required]"),
    "help.help_option": ("Afficher cette aide et quitter.", "Show this message and exit."),
    "help.example": ("Exemple :", "Example:"),
    "help.options_metavar": ("[OPTIONS]", "[OPTIONS]"),
    "help.subcommand_metavar": ("COMMANDE [ARGUMENTS]...", "COMMAND [ARGS]..."),
    # what a value is, beside its option (Typer would show the Python type: <str>)
    "help.type.str": ("texte", "text"),
    "help.type.int": ("entier", "integer"),
    "help.type.float": ("nombre", "number"),
    "help.type.path": ("fichier", "file"),
    "note": ("remarque :", "note:"),
    "column.field": ("champ", "field"),
    "column.value": ("valeur", "value"),
    # validate, init
    "valid": (
        "{file} est valide : {title} — {stages}, {touchpoints}, {personas}, {channels}.",
        "{file} is valid: {title} — {stages}, {touchpoints}, {personas}, {channels}.",
    ),
    "init.wrote": (
        "Écrit {out} : {title} — {stages}, {touchpoints}, {personas}.",
        "Wrote {out}: {title} — {stages}, {touchpoints}, {personas}.",
    ),
    "init.next": (
        "Modifiez-la, puis vérifiez-la avec {check}",
        "Edit it, then check it with {check}",
    ),
    "init.and": (" et ", " and "),
    # ingest, rejected
    "ingest.progress": ("Chargement de {file}", "Ingesting {file}"),
    "ingest.rows": (
        "{target} de {file} : {rows} lignes — ",
        "{target} from {file}: {rows} rows — ",
    ),
    "ingest.accepted": ("{n} acceptées", "{n} accepted"),
    "ingest.duplicates": ("{n} doublons", "{n} duplicates"),
    "ingest.conflicts": ("{n} conflits", "{n} conflicts"),
    "ingest.rejected": ("{n} refusées", "{n} rejected"),
    "ingest.replaced": ("{n} lignes remplacées", "{n} stored rows replaced"),
    "ingest.skipped": ("{n} ignorées", "{n} skipped"),
    # the singular, for the counts the language says so (French: 0 and 1)
    "ingest.rows.one": (
        "{target} de {file} : {rows} ligne — ",
        "{target} from {file}: {rows} row — ",
    ),
    "ingest.accepted.one": ("{n} acceptée", "{n} accepted"),
    "ingest.duplicates.one": ("{n} doublon", "{n} duplicate"),
    "ingest.conflicts.one": ("{n} conflit", "{n} conflict"),
    "ingest.rejected.one": ("{n} refusée", "{n} rejected"),
    "ingest.replaced.one": ("{n} ligne remplacée", "{n} stored row replaced"),
    "ingest.skipped.one": ("{n} ignorée", "{n} skipped"),
    "ingest.skipped_because": ("{n} ignorées : {reason}", "{n} skipped: {reason}"),
    "ingest.see": ("Voyez-les avec `parcours rejected`.", "See them with `parcours rejected`."),
    "rejected.title": ("Lignes refusées ({limit} premières)", "Rejected rows (first {limit})"),
    "rejected.none": ("Aucune ligne refusée.", "No rejected row."),
    "rejected.row": ("{source}, ligne {row} ({target})", "{source}, row {row} ({target})"),
    # status, identities
    "status.title": ("Espace de travail", "Workspace"),
    "status.resolved": ("oui", "yes"),
    "status.unresolved": (
        "non : des données sont arrivées depuis (`parcours identities`, ou toute analyse, les "
        "relie)",
        "no: data came in since (`parcours identities`, or any analysis, resolves them)",
    ),
    "identities.resolved": (
        "{identifiers} identifiants reliés en {persons} personnes.",
        "{identifiers} identifiers resolved into {persons} persons.",
    ),
    "identities.shared": (
        "{n} identifiants sont partagés par plus de {limit} personnes et n'ont pas servi à "
        "relier :",
        "{n} identifiers are shared by more than {limit} persons and were not used to merge:",
    ),
    "identities.title": ("Identifiants partagés", "Shared identifiers"),
    # forget, compact, coverage, export
    "forget.confirm": (
        "Effacer toutes les lignes de la personne qui a {identifier} ?",
        "Erase every row of the person holding {identifier}?",
    ),
    "forget.erased": (
        "Personne effacée, avec {identifiers} identifiants : {deleted}.",
        "Erased a person with {identifiers} identifiers: {deleted}.",
    ),
    "forget.bytes": ("Octets : {physical}.", "Bytes: {physical}."),
    "compact.done": (
        "{path} compacté : {before} Mio → {after} Mio ({reclaimed} Mio rendus, {seconds} s).",
        "Compacted {path}: {before} MiB → {after} MiB ({reclaimed} MiB given back, {seconds} s).",
    ),
    "coverage.mapped": (
        "{map} : {mapped} événements sur {total} rattachés à un point de contact ({share}).",
        "{map}: {mapped} of {total} events mapped to a touchpoint ({share}).",
    ),
    "coverage.unmatched": (
        "Noms d'événements les plus fréquents sans point de contact : {names}{more}.",
        "Biggest unmatched event names: {names}{more}.",
    ),
    "coverage.more": (" et {n} autres", " and {n} more"),
    "coverage.title": (
        "Couverture de la carte (les moins couverts d'abord)",
        "Mapping coverage (least covered first)",
    ),
    "export.done": (
        "{events} événements écrits dans {output} ({format}).",
        "{events} events written to {output} ({format}).",
    ),
    # maps
    "maps.saved": ("{map} enregistrée, version {version}.", "Saved {map} version {version}."),
    "maps.title": ("Cartes", "Maps"),
    "maps.versions": ("Versions de {map}", "Versions of {map}"),
    "maps.identical": ("Les deux versions sont identiques.", "The two versions are identical."),
    # a change between two versions of a map: per section of the map, per kind of change
    "maps.change.stages.added": ("étapes ajoutées : {label}", "stages added: {label}"),
    "maps.change.stages.removed": ("étapes retirées : {label}", "stages removed: {label}"),
    "maps.change.stages.changed": ("étapes modifiées : {label}", "stages changed: {label}"),
    "maps.change.touchpoints.added": (
        "points de contact ajoutés : {label}",
        "touchpoints added: {label}",
    ),
    "maps.change.touchpoints.removed": (
        "points de contact retirés : {label}",
        "touchpoints removed: {label}",
    ),
    "maps.change.touchpoints.changed": (
        "points de contact modifiés : {label}",
        "touchpoints changed: {label}",
    ),
    "maps.change.personas.added": ("personas ajoutés : {label}", "personas added: {label}"),
    "maps.change.personas.removed": ("personas retirés : {label}", "personas removed: {label}"),
    "maps.change.personas.changed": ("personas modifiés : {label}", "personas changed: {label}"),
    "maps.change.channels.added": ("canaux ajoutés : {label}", "channels added: {label}"),
    "maps.change.channels.removed": ("canaux retirés : {label}", "channels removed: {label}"),
    "maps.change.channels.changed": ("canaux modifiés : {label}", "channels changed: {label}"),
    "maps.change.opportunities.added": (
        "opportunités ajoutées : {label}",
        "opportunities added: {label}",
    ),
    "maps.change.opportunities.removed": (
        "opportunités retirées : {label}",
        "opportunities removed: {label}",
    ),
    "maps.change.opportunities.changed": (
        "opportunités modifiées : {label}",
        "opportunities changed: {label}",
    ),
    "maps.other_fields": ("autres champs modifiés : {fields}", "other fields changed: {fields}"),
    # demo
    "demo.progress": (
        "Simulation et chargement de Maison Lumière",
        "Simulating and ingesting Maison Lumière",
    ),
    "demo.loaded": (
        "Maison Lumière chargée dans {workspace} (graine {seed}) :",
        "Maison Lumière loaded into {workspace} (seed {seed}):",
    ),
    "demo.rows": (
        "  {events} événements, {customers} fiches clients, {feedback} réponses d'enquête",
        "  {events} events, {customers} CRM rows, {feedback} survey answers",
    ),
    "demo.already": (" ({n} déjà là)", " ({n} already there)"),
    "demo.persons": (
        "  {simulated} personnes simulées reliées en {resolved} personnes ({shared} "
        "identifiants de tablettes en magasin partagés, non utilisés pour relier)",
        "  {simulated} simulated persons resolved into {resolved} persons ({shared} shared "
        "store-tablet identifiers not used to merge)",
    ),
    "demo.map": (
        "  carte du parcours « {map} » version {version}, écrite aussi dans {out}",
        "  journey map '{map}' version {version}, also written to {out}",
    ),
    "demo.next": ("Ensuite :", "Next:"),
    "demo.frictions": (
        "# où les clients abandonnent, par ordre d'importance",
        "# where customers abandon, ranked",
    ),
    "demo.planted": (
        "Les vérités plantées dans cette démo sont listées dans parcours/demo/PLANTED.md.",
        "The planted truths of this demo are listed in parcours/demo/PLANTED.md.",
    ),
    # report
    "report.building": ("Construction du rapport…", "Building the report…"),
    "report.running": ("Calcul de {name}…", "Running {name}…"),
    "report.measuring": ("Mesure de la carte…", "Measuring the map…"),
    "report.laying_out": ("Mise en page du rapport…", "Laying out the report…"),
    "report.wrote": ("Écrit {path} ({size} Mo).", "Wrote {path} ({size} MB)."),
    "report.wrote_map": ("Écrit {path}.", "Wrote {path}."),
    # keys, serve
    "keys.created": (
        "Clé {id} créée (portée {scope}{name}). Son jeton, affiché cette seule fois :",
        "Created key {id} (scope {scope}{name}). Its token, shown this once:",
    ),
    "keys.send": (
        "Envoyez-le en « Authorization: Bearer <jeton> ». Gardez-le secret ; révoquez-le avec "
        "`parcours keys revoke {id}`.",
        "Send it as 'Authorization: Bearer <token>'. Keep it secret; revoke it with "
        "`parcours keys revoke {id}`.",
    ),
    "keys.title": ("Clés d'API", "API keys"),
    "keys.revoked": (
        "{id} (portée {scope}) révoquée le {when}.",
        "Revoked {id} (scope {scope}) on {when}.",
    ),
    "serve.elsewhere": (
        "Un serveur parcours (PID {pid}) sert {url} à l'adresse {address} : ouvrez-y le "
        "tableau de bord.",
        "A parcours server (PID {pid}) serves {url} at {address}: open the dashboard there.",
    ),
    "serve.serving": (
        "{name} est servi — documentation de l'API sur {url}/docs",
        "Serving {name} — API docs at {url}/docs",
    ),
    "serve.login": (
        "Ouvrez le tableau de bord (cette adresse vous connecte une fois ; gardez-la pour vous) :",
        "Open the dashboard (this address logs you in, once; keep it to yourself):",
    ),
    "serve.network": (
        "À l'écoute sur {host} : le tableau de bord est joignable depuis le réseau en HTTP "
        "simple. Placez-le derrière HTTPS avant de le partager.",
        "Listening on {host}: the dashboard is reachable from the network over plain HTTP. Put "
        "it behind HTTPS before sharing it.",
    ),
    "serve.no_key": (
        "Pas encore de clé d'API : l'API REST (/v1) répond 401 tant que vous n'en créez pas une "
        "avec `parcours keys create --scope admin` (le tableau de bord fonctionne sans).",
        "No API key yet: the REST API (/v1) answers 401 until you make one with `parcours keys "
        "create --scope admin` (the dashboard works without).",
    ),
}

# The labels of `parcours status` (its JSON keeps the field names).
_FIELDS: dict[str, Pair] = {
    "workspace": ("espace de travail", "workspace"),
    "events": ("événements", "events"),
    "customers": ("fiches clients", "customers"),
    "feedback": ("réponses d'enquête", "feedback"),
    "rejected": ("lignes refusées", "rejected"),
    "maps": ("cartes", "maps"),
    "persons": ("personnes", "persons"),
    "identities": ("identifiants", "identities"),
    "shared_identifiers": ("identifiants partagés", "shared identifiers"),
    "persons_resolved": ("personnes reliées", "persons resolved"),
    "results": ("résultats gardés", "results kept"),
    "batches": ("lots chargés", "batches"),
    "map_id": ("carte", "map"),
    "latest_version": ("dernière version", "latest version"),
    "last_saved": ("enregistrée le", "last saved"),
    "version": ("version", "version"),
    "saved_at": ("enregistrée le", "saved at"),
    "message": ("ce qui a changé", "what changed"),
    "event": ("événement", "event"),
    "channel": ("canal", "channel"),
    "mapped": ("rattachés", "mapped"),
    "share": ("part", "share"),
    "target": ("table", "table"),
    "source": ("fichier", "file"),
    "row_number": ("ligne", "row"),
    "reason": ("raison", "reason"),
    "record": ("contenu", "content"),
    "identifier": ("identifiant", "identifier"),
    "kind": ("type", "kind"),
    "key_id": ("clé", "key"),
    "name": ("nom", "name"),
    "scope": ("portée", "scope"),
    "created_at": ("créée le", "created at"),
    "revoked_at": ("révoquée le", "revoked at"),
    "spooled_events": ("événements reçus, pas encore chargés", "events received, not yet loaded"),
}

# `parcours report`: a line on stderr per section as it is done (its analysis, its time).
_REPORT_PROGRESS: dict[str, Pair] = {
    "report.section": (
        "  [{n}/{total}] {title} : {seconds} s",
        "  [{n}/{total}] {title}: {seconds} s",
    ),
}

CLI: dict[str, dict[str, str]] = {
    **{f"cmd.{key}": {"fr": fr, "en": en} for key, (fr, en) in _CLI.items()},
    **{f"cmd.{key}": {"fr": fr, "en": en} for key, (fr, en) in _REPORT_PROGRESS.items()},
    **{f"cmd.field.{key}": {"fr": fr, "en": en} for key, (fr, en) in _FIELDS.items()},
}
