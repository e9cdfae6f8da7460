"""The dashboard's own words (menus, filters, forms, login, editor, history), in French and
English: a part of the one table of :mod:`parcours.render.i18n`."""

from __future__ import annotations

DASHBOARD: dict[str, dict[str, str]] = {
    "app.title": {"fr": "parcours — tableau de bord", "en": "parcours — dashboard"},
    "nav.map": {"fr": "Carte du parcours", "en": "Journey map"},
    "nav.frictions": {"fr": "Points de friction", "en": "Friction points"},
    "nav.analyses": {"fr": "Analyses", "en": "Analyses"},
    "nav.editor": {"fr": "Éditer la carte", "en": "Edit the map"},
    "nav.history": {"fr": "Historique", "en": "History"},
    "nav.logout": {"fr": "Se déconnecter", "en": "Log out"},
    "nav.login_link": {"fr": "Lien de connexion", "en": "Login link"},
    "nav.api": {"fr": "API", "en": "API"},
    "filters.title": {"fr": "Filtres", "en": "Filters"},
    "filters.start": {"fr": "Du", "en": "From"},
    "filters.end": {"fr": "Au", "en": "To"},
    "filters.persona": {"fr": "Persona", "en": "Persona"},
    "filters.channel": {"fr": "Canal", "en": "Channel"},
    "filters.all": {"fr": "tous", "en": "all"},
    "filters.none_persona": {"fr": "sans persona", "en": "no persona"},
    "filters.apply": {"fr": "Appliquer", "en": "Apply"},
    "filters.reset": {"fr": "Réinitialiser", "en": "Reset"},
    "filters.help": {
        "fr": "Les filtres gardent les parcours entiers qui commencent dans la période, des "
        "personnes du persona choisi, passant par le canal choisi. Les avis clients sont filtrés "
        "sur la période seulement.",
        "en": "Filters keep whole journeys that start within the period, of persons of the "
        "chosen persona, that pass through the chosen channel. Survey answers are filtered on "
        "the period only.",
    },
    "filters.active": {"fr": "Filtres actifs", "en": "Active filters"},
    "params.title": {"fr": "Paramètres", "en": "Parameters"},
    "params.run": {"fr": "Lancer", "en": "Run"},
    "params.list_help": {"fr": "séparés par des virgules", "en": "comma-separated"},
    "params.default": {"fr": "(par défaut)", "en": "(default)"},
    "params.add": {"fr": "+ ajouter", "en": "+ add"},
    "params.at_step": {"fr": "à l'étape {n} ({title})", "en": "at step {n} ({title})"},
    "params.group.stage": {"fr": "Étapes", "en": "Stages"},
    "params.group.touchpoint": {"fr": "Points de contact", "en": "Touchpoints"},
    "params.group.channel": {"fr": "Canaux", "en": "Channels"},
    "params.group.persona": {"fr": "Personas", "en": "Personas"},
    "params.group.conversion": {"fr": "Conversion", "en": "Conversion"},
    "params.group.property": {"fr": "Champs des données", "en": "Data fields"},
    "params.group.other": {"fr": "Autres valeurs", "en": "Other values"},
    "params.needed": {
        "fr": "Renseignez les paramètres obligatoires puis lancez l'analyse.",
        "en": "Fill in the required parameters, then run the analysis.",
    },
    "result.summary": {"fr": "En bref", "en": "At a glance"},
    "result.table": {"fr": "Tableau", "en": "Table"},
    "result.more_tables": {"fr": "Autres tableaux", "en": "More tables"},
    "result.notes": {"fr": "Définitions et précautions", "en": "Definitions and caveats"},
    "result.rows": {"fr": "{shown} lignes sur {total}", "en": "{shown} of {total} rows"},
    "result.first_bars": {
        "fr": "les {shown} premiers sur {total} : le tableau ci-dessous les montre tous",
        "en": "the first {shown} of {total}: the table below shows them all",
    },
    "result.error": {"fr": "L'analyse a refusé ces paramètres", "en": "The analysis refused"},
    "result.no_rows": {"fr": "(aucune ligne)", "en": "(no rows)"},
    "result.figures": {"fr": "Graphiques", "en": "Charts"},
    "result.example": {"fr": "En ligne de commande", "en": "On the command line"},
    # after "Calculé il y a 3 min ... arrivés depuis." (a result kept on earlier data)
    "result.as_of.current": {
        "fr": "Calculer sur les données actuelles",
        "en": "Compute on the current data",
    },
    "canvas.persona": {"fr": "Vue du persona", "en": "Persona view"},
    "canvas.hover": {
        "fr": "Survolez un point de contact, un ⚠ ou un ! pour lire l'explication.",
        "en": "Hover over a touchpoint, a ⚠ or a ! to read the explanation.",
    },
    "canvas.download": {"fr": "Télécharger le SVG", "en": "Download the SVG"},
    "objects.opportunities": {"fr": "Opportunités classées", "en": "Opportunities ranked"},
    "objects.submaps": {"fr": "Sous-parcours", "en": "Sub-journeys"},
    "objects.open": {"fr": "Ouvrir", "en": "Open"},
    "comments.title": {"fr": "Commentaires", "en": "Comments"},
    "comments.none": {
        "fr": "Pas encore de commentaire sur cette version de la carte.",
        "en": "No comment on this version of the map yet.",
    },
    "comments.element": {"fr": "Sur", "en": "On"},
    # what a comment is on, before its title in the "On" list
    "comments.kind.map": {"fr": "carte", "en": "map"},
    "comments.kind.stage": {"fr": "étape", "en": "stage"},
    "comments.kind.touchpoint": {"fr": "point de contact", "en": "touchpoint"},
    "comments.kind.persona": {"fr": "persona", "en": "persona"},
    "comments.kind.channel": {"fr": "canal", "en": "channel"},
    "comments.kind.opportunity": {"fr": "opportunité", "en": "opportunity"},
    "comments.text": {"fr": "Votre commentaire", "en": "Your comment"},
    "comments.add": {"fr": "Commenter", "en": "Comment"},
    "comments.delete": {"fr": "Supprimer", "en": "Delete"},
    "comments.as": {"fr": "Vous écrivez en tant que {author}.", "en": "You write as {author}."},
    "comments.privacy": {
        "fr": "Parlez des parcours, pas d'une personne : un commentaire qui cite l'e-mail ou le "
        "téléphone d'un client est effacé avec lui (parcours forget).",
        "en": "Write about journeys, not about a person: a comment quoting a customer's email or "
        "phone is erased with them (parcours forget).",
    },
    "comments.version": {
        "fr": "écrit sur la version {version}",
        "en": "written on version {version}",
    },
    "progress.title": {"fr": "Calcul en cours", "en": "Computing"},
    "progress.intro": {
        "fr": "Ce résultat n'est pas encore calculé : le serveur le calcule en arrière-plan et "
        "il s'affichera ici dès qu'il sera prêt. Vous pouvez quitter la page, le calcul continue.",
        "en": "This result is not computed yet: the server is computing it in the background "
        "and it will show here as soon as it is ready. You may leave the page; the computation "
        "goes on.",
    },
    "progress.queued": {
        "fr": "En attente : d'autres calculs occupent le serveur",
        "en": "Waiting: other computations keep the server busy",
    },
    "progress.started": {"fr": "Préparation", "en": "Preparing"},
    "progress.step": {"fr": "En cours : {step}", "en": "Now: {step}"},
    "progress.query": {"fr": "requête en cours à {percent}", "en": "current query {percent} done"},
    "progress.elapsed": {"fr": "depuis {elapsed}", "en": "for {elapsed}"},
    "progress.failed": {"fr": "Le calcul a échoué", "en": "The computation failed"},
    "colon": {"fr": "\u00a0:", "en": ":"},  # after a heading word: French spaces it
    "frictions.intro": {
        "fr": "Là où les clients hésitent et abandonnent, classés par parcours perdus au-delà "
        "de la normale de l'étape.",
        "en": "Where customers doubt and abandon, ranked by journeys lost beyond the stage's "
        "baseline.",
    },
    "frictions.score": {"fr": "score", "en": "score"},
    "frictions.status.declared": {"fr": "prévue dans la carte", "en": "declared in the map"},
    "frictions.status.discovered": {"fr": "découverte", "en": "discovered"},
    "frictions.signal.exits": {"fr": "sorties", "en": "exits"},
    "frictions.signal.bounces": {"fr": "rebonds", "en": "bounces"},
    "frictions.signal.contacts": {"fr": "appels à l'aide", "en": "calls for help"},
    "frictions.signal.feedback": {"fr": "avis négatifs", "en": "negative feedback"},
    "editor.title": {"fr": "Éditer la carte", "en": "Edit the map"},
    "editor.map": {"fr": "Carte", "en": "Map"},
    "editor.version": {"fr": "version {version}", "en": "version {version}"},
    "editor.valid": {"fr": "La carte est valide.", "en": "The map is valid."},
    "editor.checking": {"fr": "Vérification…", "en": "Checking…"},
    "editor.problems": {"fr": "{count} problèmes", "en": "{count} problems"},
    "editor.problem": {"fr": "1 problème", "en": "1 problem"},  # the editor's JS: one
    "editor.line": {"fr": "ligne {line}", "en": "line {line}"},
    "editor.message": {"fr": "Ce qui a changé", "en": "What changed"},
    "editor.save": {"fr": "Enregistrer une nouvelle version", "en": "Save a new version"},
    "editor.saved": {"fr": "Version {version} enregistrée.", "en": "Version {version} saved."},
    "editor.unchanged": {
        "fr": "Aucun changement : rien n'a été enregistré.",
        "en": "No change: nothing was saved.",
    },
    "editor.readonly": {
        "fr": "Votre session ne permet que la lecture : enregistrer demande une clé admin.",
        "en": "Your session can only read: saving needs an admin key.",
    },
    "editor.help": {
        "fr": "La carte est vérifiée à chaque frappe ; les problèmes s'affichent avec leur ligne.",
        "en": "The map is checked as you type; problems are shown with their line.",
    },
    "history.title": {"fr": "Historique des versions", "en": "Version history"},
    "history.version": {"fr": "Version", "en": "Version"},
    "history.saved_at": {"fr": "Enregistrée le", "en": "Saved at"},  # each time says UTC
    "history.message": {"fr": "Message", "en": "Message"},
    "history.compare": {"fr": "Comparer", "en": "Compare"},
    "history.from": {"fr": "de la version", "en": "from version"},
    "history.to": {"fr": "à la version", "en": "to version"},
    "history.added": {"fr": "ajoutés", "en": "added"},
    "history.removed": {"fr": "retirés", "en": "removed"},
    "history.changed": {"fr": "modifiés", "en": "changed"},
    "history.identical": {"fr": "Versions identiques.", "en": "The versions are identical."},
    "history.single": {
        "fr": "Une seule version : rien à comparer encore.",
        "en": "A single version: nothing to compare yet.",
    },
    "history.fields": {"fr": "Autres champs modifiés", "en": "Other fields changed"},
    "history.section.stages": {"fr": "Étapes", "en": "Stages"},
    "history.section.touchpoints": {"fr": "Points de contact", "en": "Touchpoints"},
    "history.section.personas": {"fr": "Personas", "en": "Personas"},
    "history.section.channels": {"fr": "Canaux", "en": "Channels"},
    "login.title": {"fr": "Connexion au tableau de bord", "en": "Log in to the dashboard"},
    "login.intro": {
        "fr": "Ce tableau de bord montre les données de l'espace de travail : il faut se "
        "connecter.",
        "en": "This dashboard shows the workspace's data: please log in.",
    },
    "login.url": {
        "fr": "Ouvrez l'adresse affichée par « parcours serve » (ou « parcours demo ») au "
        "démarrage : elle contient un jeton de connexion, par exemple",
        "en": "Open the address that `parcours serve` (or `parcours demo`) printed when it "
        "started: it holds a login token, for example",
    },
    "login.key": {
        "fr": "Ou collez une clé d'API (créée avec « parcours keys create --scope admin ») :",
        "en": "Or paste an API key (made with `parcours keys create --scope admin`):",
    },
    "login.submit": {"fr": "Se connecter", "en": "Log in"},
    "login.once": {
        "fr": "Cette adresse ne sert qu'une fois : le premier navigateur qui l'ouvre est "
        "connecté (la rouvrir dans ce même navigateur ne change rien). Pour un autre "
        "navigateur : collez une clé d'API ci-dessous, ou demandez une nouvelle adresse à "
        "une session déjà ouverte (« Lien de connexion » en haut de page), ou redémarrez "
        "« parcours serve », qui en affiche une nouvelle.",
        "en": "This address works once: the first browser that opens it is logged in (opening "
        "it again in that browser changes nothing). For another browser: paste an API key "
        "below, or get a new address from a browser already logged in (“Login link” at the "
        "top of the page), or restart `parcours serve`, which prints a new one.",
    },
    "login.bad_token": {
        "fr": "Ce lien de connexion n'est pas (ou plus) valable : il ne sert qu'une fois, et "
        "le serveur a peut-être été redémarré. Connectez-vous avec une clé d'API ci-dessous, "
        "demandez une nouvelle adresse à une session déjà ouverte (« Lien de connexion »), "
        "ou redémarrez « parcours serve », qui en affiche une nouvelle.",
        "en": "This login link is not valid (any more): it works once, and the server may "
        "have been restarted. Log in with an API key below, get a new address from a browser "
        "already logged in (“Login link”), or restart `parcours serve`, which prints a new "
        "one.",
    },
    "login.throttled": {
        "fr": "Trop d'échecs de connexion depuis votre adresse : réessayez dans {seconds} s.",
        "en": "Too many failed logins from your address: try again in {seconds} s.",
    },
    "login.link_intro": {
        "fr": "Nouvelle adresse de connexion pour un autre navigateur ; elle ne sert qu'une "
        "fois et remplace la précédente si celle-ci n'a pas servi :",
        "en": "A new login address for another browser; it works once, and replaces the "
        "previous one if that was not used:",
    },
    "login.bad_key": {
        "fr": "Cette clé d'API est inconnue ou a été révoquée.",
        "en": "This API key is unknown or was revoked.",
    },
    "login.logged_out": {"fr": "Vous êtes déconnecté.", "en": "You are logged out."},
    "error.no_map": {
        "fr": "Aucune carte dans cet espace de travail : enregistrez-en une avec "
        "« parcours maps save FICHIER », ou lancez « parcours demo ».",
        "en": "No journey map in this workspace: save one with `parcours maps save FILE`, or "
        "run `parcours demo`.",
    },
    "error.not_found": {"fr": "Page introuvable", "en": "Page not found"},
    "lang.switch": {"fr": "English", "en": "Français"},
}
