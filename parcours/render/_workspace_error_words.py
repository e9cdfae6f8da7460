"""The messages of the workspace, its store and the command line's own checks, in French and
English: a part of :mod:`parcours.render._error_words`, in its form (``key: (French, English
pattern)``, ``{}`` where the source puts a value). The store raises them in English
(``WorkspaceError``, ``WorkspaceBusyError``, the ``InputError`` of privacy, keys, comments,
export); :func:`parcours.render.present.error_text` says them in the reader's language.
tests/render/test_workspace_error_words.py reads every such ``raise`` and checks that it has
an entry here or in the other tables.
"""

from __future__ import annotations

Pair = tuple[str, str]  # (fr, en pattern)

WORKSPACE_ERRORS: dict[str, Pair] = {
    # -- opening, holding, migrating ------------------------------------------------------
    "held": (
        "{0} : un autre processus{1} tient cet espace de travail (un `parcours serve` en "
        "cours, un notebook, une autre commande). Arrêtez-le ou fermez-y l'espace de travail, "
        "puis réessayez ; ou travaillez sur une copie du fichier (-w copie.duckdb)",
        "{}: another process{} holds this workspace (a running `parcours serve`, a notebook, "
        "another command). Stop it or close its workspace, then try again; or work on a copy "
        "of the file (-w copy.duckdb)",
    ),
    "held_not_server": (
        "{0} tient cet espace de travail et n'est pas un serveur parcours (pas de {1} actif à "
        "côté) : rien ne peut passer par lui, un notebook ou un script l'a ouvert. Fermez-le "
        "là-bas, puis réessayez ; pour partager un espace de travail entre le tableau de bord, "
        "la ligne de commande et Python, laissez `parcours serve` le tenir ; ou travaillez sur "
        "une copie du fichier (-w copie.duckdb)",
        "{} holds this workspace and is not a parcours server (no live {} beside it), so "
        "nothing can go through it: a notebook or a script has it open. Close it there, then "
        "try again; to share one workspace between the dashboard, the CLI and Python, let "
        "`parcours serve` hold it; or work on a copy of the file (-w copy.duckdb)",
    ),
    "max_age_option": (
        "--max-age : {0}",
        "--max-age: {}",
    ),
    "cannot_open": (
        "impossible d'ouvrir l'espace de travail {0} : {1}",
        "cannot open workspace {}: {}",
    ),
    "not_readable": (
        "{0} : ce n'est pas un espace de travail parcours que cette version sait lire",
        "{}: not a parcours workspace this version can read",
    ),
    "newer_schema": (
        "cet espace de travail a la version de schéma {0}, plus récente que celle que ce "
        "parcours comprend ({1}) ; mettez parcours à jour pour l'ouvrir",
        "this workspace has schema version {}, newer than this parcours understands ({}); "
        "upgrade parcours to open it",
    ),
    "timezone": (
        "le fuseau horaire « {0} » est inconnu ; donnez un nom de fuseau IANA comme "
        "Europe/Paris ou UTC (dans --timezone, le timezone de la correspondance ou "
        "PARCOURS_TIMEZONE){1}",
        "time zone '{}' is not known; give an IANA zone name such as Europe/Paris or UTC (in "
        "--timezone, the mapping's timezone or PARCOURS_TIMEZONE){}",
    ),
    "unknown_table": ("table « {0} » inconnue ; tables : {1}", "unknown table '{}'; tables: {}"),
    "no_map": (
        "pas de carte du parcours : donnez-en une (map=JourneyMap.load(...), ou --map "
        "FICHIER), ou enregistrez-en une dans l'espace de travail (`parcours maps save "
        "FICHIER`)",
        "no journey map: pass one (map=JourneyMap.load(...), or --map FILE), or save one in "
        "the workspace (`parcours maps save FILE`)",
    ),
    "positional": (
        "{0}() prend au plus {1} arguments positionnels",
        "{}() takes at most {} positional arguments",
    ),
    # -- the server that holds a workspace ------------------------------------------------
    "server_refused_command": (
        "{0} : le serveur de {1} a refusé la commande ({2}) : {3}",
        "{}: the server at {} refused the command ({}): {}",
    ),
    "server_refused_call": (
        "{0} : le serveur de {1} a refusé l'appel ({2}) : {3}",
        "{}: the server at {} refused the call ({}): {}",
    ),
    "server_silent": (
        "{0} : le serveur de {1} (PID {2}) qui tient cet espace de travail n'a pas répondu "
        "({3}) ; tourne-t-il encore ?",
        "{}: the server at {} (PID {}) that holds this workspace did not answer ({}); is it "
        "still running?",
    ),
    "server_running": (
        "{0} : un serveur parcours (PID {1}) sert déjà cet espace de travail à l'adresse {2} ; "
        "utilisez-le (la ligne de commande passe par lui), ou arrêtez-le d'abord",
        "{}: a parcours server (PID {}) already serves this workspace at {}; use it (the CLI "
        "goes through it), or stop it first",
    ),
    "server_step": ("étape inconnue {0}", "unknown step {}"),
    # -- what opening a workspace found (said as a note, not an error) ----------------------
    "notice_erasure_finished": (
        "{0} : la réécriture d'un effacement interrompu (`parcours forget`) est terminée",
        "{}: finished the rewrite of an interrupted erasure (`parcours forget`)",
    ),
    "notice_erasure_pending": (
        "un effacement n'est pas encore sorti des octets du fichier : {0}",
        "an erasure is not yet out of the file's bytes: {}",
    ),
    "notice_unused": (
        "{0} : {1} Mio du fichier sont de l'espace libre, laissé par des lignes effacées ou "
        "réécrites (personnes et parcours gardés mis à jour) ou par un chargement inachevé ; "
        "DuckDB le réutilise en écrivant, `parcours compact` le rend au disque tout de suite",
        "{}: {} MiB of the file are free space, left by rows deleted or rewritten (kept "
        "persons and journeys brought up to date) or by an ingest that did not finish; DuckDB "
        "fills it again as it writes, `parcours compact` gives it back to the disk now",
    ),
    # -- ingestion, identifiers -------------------------------------------------------------
    "ingest_engine": (
        "le chargement de fichiers passe par DuckDB ; cet espace de travail tourne sur {0}. "
        "Chargez dans un espace de travail DuckDB ou spark:, ou chargez les tables avec les "
        "outils de votre moteur",
        "ingestion streams files through DuckDB; this workspace runs on {}. Ingest into a "
        "DuckDB or spark: workspace, or load the tables with your engine's tools",
    ),
    "hash_clear": (
        "cet espace de travail garde les identifiants en clair ; le hachage ne peut pas être "
        "activé pour les nouvelles lignes seulement (elles ne correspondraient plus). Créez un "
        "nouvel espace de travail avec un sel",
        "this workspace stores identifiers in clear; hashing cannot be switched on for new rows "
        "only (they would no longer match). Start a new workspace with a salt",
    ),
    "hash_salt": (
        "cet espace de travail garde les identifiants hachés avec un sel ; donnez le même sel "
        "(PARCOURS_HASH_SALT) pour y charger des données",
        "this workspace stores identifiers hashed with a salt; give the same salt "
        "(PARCOURS_HASH_SALT) to ingest into it",
    ),
    # -- privacy, compaction --------------------------------------------------------------
    "forget_format": (
        "« {0} » : écrivez l'identifiant sous la forme type:valeur, le type parmi {1} (par ex. "
        "email:alice@example.fr)",
        "'{}': write the identifier as kind:value, kind one of {} (e.g. email:alice@example.fr)",
    ),
    "forget_kind": ("type « {0} » inconnu ; possibles : {1}", "unknown kind '{}'; allowed: {}"),
    "forget_nobody": (
        "personne n'a {0} « {1} » dans cet espace de travail ; rien n'a été effacé",
        "no person has {} '{}' in this workspace; nothing erased",
    ),
    "forget_shared": (
        "{0} « {1} » est partagé par {2} personnes (ce n'est l'identifiant propre de "
        "personne) ; effacez chaque personne par l'un de ses propres identifiants",
        "{} '{}' is shared by {} persons (not anyone's own identifier); erase each person by "
        "one of their own identifiers",
    ),
    "forget_unfinished": (
        "la personne est effacée de toutes les tables (ligne d'audit écrite) mais pas encore "
        "des octets du fichier ; la prochaine ouverture termine le travail. {0}",
        "the person is deleted from every table (audit line written) but not yet out of the "
        "file's bytes; the next open finishes it. {}",
    ),
    # what became of an erased person's bytes (`parcours forget`, Erasure.physical)
    "forget_bytes_parquet": (
        "les fichiers Parquet de {0} qui les contenaient ont été réécrits sans elles, et les "
        "anciens fichiers supprimés",
        "the Parquet files of {} that held them were written again without them, and the old "
        "files removed",
    ),
    "forget_bytes_memory": (
        "en mémoire : rien n'a été écrit sur le disque, effacer les lignes suffit",
        "in memory: nothing was written to disk, deleting the rows is enough",
    ),
    "forget_bytes_engine": (
        "lignes effacées sur {0} ; effacer leurs octets du stockage demande un fichier "
        "d'espace de travail DuckDB (ou la purge des anciens fichiers et instantanés par le "
        "moteur)",
        "rows deleted on {}; erasing their bytes from storage needs a DuckDB workspace file "
        "(or the engine's own purge of old files and snapshots)",
    ),
    "forget_bytes_later": (
        "lignes effacées ; {0} garde leurs octets jusqu'à sa réécriture (`parcours compact`, "
        "ou la prochaine ouverture)",
        "rows deleted; {} still holds their bytes until it is rewritten (`parcours compact`, "
        "or the next open)",
    ),
    "forget_bytes_rewritten": (
        "{0} réécrit sans leurs octets, sans journal WAL à côté",
        "{} rewritten without their bytes, no WAL beside it",
    ),
    "compact_nothing": (
        "{0} : pas d'espace de travail ici ; rien à compacter",
        "{}: no workspace here; nothing to compact",
    ),
    "compact_engine": (
        "cet espace de travail tourne sur {0} : il n'y a pas de fichier DuckDB à réécrire ; le "
        "compactage demande un fichier d'espace de travail (parcours.duckdb)",
        "this workspace runs {}: there is no DuckDB file to rewrite; compaction needs a "
        "workspace file (parcours.duckdb)",
    ),
    "compact_held": (
        "{0} n'a pas été réécrit : {1}. Fermez toute autre connexion à ce fichier (un autre "
        "parcours.open du même fichier, un serveur), puis lancez `parcours compact`",
        "{} was not rewritten: {}. Close every other connection to it (another parcours.open "
        "of the same file, a server), then run `parcours compact`",
    ),
    "compact_failed": ("la réécriture de {0} a échoué : {1}", "the rewrite of {} failed: {}"),
    # -- analyses on another engine, export ------------------------------------------------
    "engine_gap": (
        "l'analyse « {0} » ne tourne pas encore sur le moteur {1} : {2} ; lancez-la sur un "
        "espace de travail DuckDB",
        "analysis '{}' does not run on the {} engine yet: {}; run it on a DuckDB workspace",
    ),
    "engine_failed": (
        "l'analyse « {0} » ne tourne pas encore sur le moteur {1} ({2} : {3}) ; lancez-la sur "
        "un espace de travail DuckDB",
        "analysis '{}' does not run on the {} engine yet ({}: {}); run it on a DuckDB workspace",
    ),
    "export_format": (
        "export : le format « {0} » est inconnu ; possibles : xes, csv",
        "export: format '{}' is not known; allowed: xes, csv",
    ),
    "export_case": (
        "export XES : le cas « {0} » est inconnu ; possibles : {1}",
        "XES export: case '{}' is not known; allowed: {}",
    ),
    # -- the spark: and warehouse engines --------------------------------------------------
    "spark_needs": (
        "un espace de travail spark: demande PySpark (et Java 17) : pip install 'parcours[spark]'",
        "a spark: workspace needs PySpark (and Java 17): pip install 'parcours[spark]'",
    ),
    "spark_directory": (
        "spark: demande un dossier : spark:/data/parcours ou spark:warehouse",
        "spark: needs a directory: spark:/data/parcours or spark:warehouse",
    ),
    "spark_temporary": ("pas de table temporaire « {0} »", "no temporary table '{}'"),
    "warehouse_no_table": (
        "pas de table « {0} » dans l'entrepôt {1} ; tables : {2}",
        "no table '{}' in the warehouse {}; tables: {}",
    ),
    "warehouse_transaction": (
        "une partie est écrite dans une transaction (Catalog.transaction)",
        "a part is written inside a transaction (Catalog.transaction)",
    ),
    "warehouse_not_empty": (
        "{0} n'est pas vide et ne contient pas de {1} : ce n'est pas un entrepôt parcours ; "
        "donnez un dossier vide ou nouveau",
        "{} is not empty and holds no {}: not a parcours warehouse; give an empty or new directory",
    ),
    "warehouse_catalog": (
        "{0} ne peut pas être lu comme un catalogue parcours : {1}",
        "{} cannot be read as a parcours catalog: {}",
    ),
    "warehouse_format": (
        "{0} a le format de catalogue {1} ; ce parcours lit {2}",
        "{} has catalog format {}; this parcours reads {}",
    ),
    "warehouse_held": (
        "cet espace de travail est déjà ouvert ({0} est tenu, dans ce processus ou un autre) ; "
        "fermez-le là-bas d'abord : un seul processus possède un dossier d'entrepôt",
        "this workspace is open already ({} is held, in this process or another); close it "
        "there first: one process owns a warehouse directory",
    ),
    "warehouse_columns": (
        "impossible d'écrire les colonnes {0} dans une table de {1}",
        "cannot write columns {} into a table of {}",
    ),
    "warehouse_exists": (
        "la table « {0} » existe dans l'entrepôt",
        "table '{}' exists in the warehouse",
    ),
    # -- API keys, comments --------------------------------------------------------------
    "key_scope": (
        "portée « {0} » inconnue ; possibles : {1}",
        "scope '{}' is not known; allowed: {}",
    ),
    "key_unknown": (
        "pas de clé d'API « {0} » ; clés actives : {1}",
        "no API key '{}'; active keys: {}",
    ),
    "comment_element": (
        "élément « {0} » : écrivez type:id, le type parmi {1} (par ex. stage:{2})",
        "element '{}': write kind:id, kind one of {} (e.g. stage:{})",
    ),
    "comment_no_element": (
        "la carte « {0} » n'a pas d'élément « {1} » ; éléments de type {2} : {3}",
        "map '{}' has no element '{}'; {} elements: {}",
    ),
    "comment_text": (
        "un commentaire demande un texte, par ex. « Les clients appellent ici : à revoir »",
        "a comment needs a text, e.g. 'Les clients appellent ici : à revoir'",
    ),
    "comment_long": (
        "un commentaire a au plus {0} caractères ; celui-ci en a {1}",
        "a comment has at most {} characters; this one has {}",
    ),
    "comment_author": (
        "l'auteur d'un commentaire est un nom de 1 à {0} caractères",
        "a comment's author is a name of 1 to {} characters",
    ),
    "comment_not_yours": (
        "la carte « {0} » n'a pas de commentaire « {1} » écrit par vous",
        "map '{}' has no comment '{}' written by you",
    ),
    "comment_unknown": (
        "la carte « {0} » n'a pas de commentaire « {1} »",
        "map '{}' has no comment '{}'",
    ),
    # -- parcours init ----------------------------------------------------------------------
    "init_exists": (
        "{0} existe déjà ; choisissez un autre --out ou ajoutez --force",
        "{} already exists; choose another --out or add --force",
    ),
    "init_no_workspace": (
        "{0} : pas d'espace de travail ici ; chargez d'abord des événements (`parcours ingest "
        "events FICHIER -w {1}`) ou donnez-en un avec -w",
        "{}: no such workspace; load events first (`parcours ingest events FILE -w {}`) or "
        "give one with -w",
    ),
    "init_no_events": (
        "l'espace de travail n'a aucun événement pour esquisser une carte ; chargez-en d'abord "
        "(`parcours ingest events FICHIER`), ou partez d'un modèle (`parcours init`)",
        "the workspace has no events to draft a map from; load some first (`parcours ingest "
        "events FILE`), or start from a template (`parcours init`)",
    ),
}
