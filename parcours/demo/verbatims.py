"""What customers write in surveys and reviews, by theme, tone and language.

A verbatim is a core sentence, sometimes followed by an add-on, so that thousands of answers
do not repeat the same twenty strings. Negative cores name the real pains of the demo
(late delivery, refused payment, waiting on the phone), so theme and sentiment analyses find
the planted frictions.
"""

from __future__ import annotations

import numpy as np

CORES: dict[tuple[str, str, str], tuple[str, ...]] = {
    ("delivery_late", "neg", "fr"): (
        "Livraison en retard de presque une semaine",
        "Colis livré avec 5 jours de retard, aucune information",
        "livraison en retard et suivi de colis jamais mis à jour",
        "Commande attendue pour un anniversaire, arrivée trop tard",
        "Le transporteur a repoussé la livraison trois fois",
        "Livraison en retard, j'ai dû appeler le service client pour avoir des nouvelles",
    ),
    ("delivery_late", "neg", "en"): (
        "Late delivery, almost a week behind schedule",
        "Parcel arrived 5 days late with no update",
        "Tracking never updated and the delivery was late",
    ),
    ("delivery", "neg", "fr"): (
        "Colis abîmé à l'arrivée",
        "Article pas conforme à la photo",
        "La taille ne correspond pas au guide des tailles",
    ),
    ("delivery", "neg", "en"): (
        "Parcel arrived damaged",
        "The item does not look like the picture",
    ),
    ("delivery", "mid", "fr"): (
        "Livraison correcte mais emballage un peu léger",
        "Délai respecté, rien de plus",
        "Bien reçu, les frais de port restent élevés",
    ),
    ("delivery", "mid", "en"): ("Delivery was fine, shipping costs a bit high",),
    ("delivery", "pos", "fr"): (
        "Livré en avance, colis très bien emballé",
        "Livraison rapide et soignée",
        "Reçu en deux jours, parfait",
        "Très contente de ma commande, la qualité est au rendez-vous",
        "Suivi de colis clair, livreur aimable",
    ),
    ("delivery", "pos", "en"): ("Fast delivery, nicely packed", "Arrived in two days, perfect"),
    ("store", "neg", "fr"): (
        "File d'attente interminable en caisse",
        "Personne pour me conseiller en rayon",
        "Produit vu sur le site mais introuvable en magasin",
    ),
    ("store", "neg", "en"): ("Long queue at the till", "Nobody to help me in the store"),
    ("store", "mid", "fr"): (
        "Magasin agréable mais un peu en désordre",
        "Bon accueil, choix limité en taille",
    ),
    ("store", "mid", "en"): ("Nice store, limited choice of sizes",),
    ("store", "pos", "fr"): (
        "Conseillère très agréable et de bon conseil",
        "Vendeuse souriante, j'ai trouvé exactement ce que je cherchais",
        "Très bel accueil en boutique",
        "Magasin lumineux, conseils personnalisés, je reviendrai",
        "Passage en caisse rapide avec la carte de fidélité",
    ),
    ("store", "pos", "en"): ("Very friendly sales assistant", "Lovely store and great advice"),
    ("pickup", "neg", "fr"): (
        "Commande pas prête à l'heure indiquée",
        "Attente de 20 minutes au comptoir click & collect",
    ),
    ("pickup", "neg", "en"): ("Order was not ready when I came to collect it",),
    ("pickup", "mid", "fr"): ("Retrait correct, comptoir difficile à trouver",),
    ("pickup", "mid", "en"): ("Pick-up was ok, counter hard to find",),
    ("pickup", "pos", "fr"): (
        "Retrait en magasin rapide",
        "Click & collect pratique, commande prête en deux heures",
        "Retrait en magasin rapide, personnel efficace",
        "Très pratique de récupérer ma commande en sortant du travail",
    ),
    ("pickup", "pos", "en"): ("Quick and easy click and collect",),
    ("payment", "neg", "fr"): (
        "Paiement refusé alors que ma carte fonctionne partout",
        "paiement refusé deux fois, j'ai abandonné mon panier",
        "La validation 3D Secure ne s'affiche jamais",
        "Page de paiement qui tourne dans le vide",
        "Impossible de payer avec PayPal sur le site",
    ),
    ("payment", "neg", "en"): ("Payment declined twice, I gave up", "3D Secure page never loaded"),
    ("payment", "mid", "fr"): ("Paiement un peu long mais ça a fini par passer",),
    ("payment", "mid", "en"): ("Checkout was slow but it worked",),
    ("payment", "pos", "fr"): (
        "Paiement simple et rapide",
        "Payer dans l'appli prend dix secondes",
    ),
    ("payment", "pos", "en"): ("Quick and easy checkout",),
    ("call", "neg", "fr"): (
        "Attente au téléphone de plus de 30 minutes",
        "attente au téléphone interminable, musique insupportable",
        "On m'a raccroché au nez après 20 minutes",
        "Trois appels pour obtenir une réponse",
    ),
    ("call", "neg", "en"): ("Waited on the phone for over 30 minutes",),
    ("call", "mid", "fr"): (
        "Réponse obtenue mais après un long moment",
        "Conseiller poli, solution partielle",
    ),
    ("call", "mid", "en"): ("Got an answer eventually",),
    ("call", "pos", "fr"): ("Conseiller efficace et rassurant", "Problème réglé en un seul appel"),
    ("call", "pos", "en"): ("Helpful agent, solved in one call",),
    ("review", "neg", "fr"): (
        "Tissu qui bouloche après deux lavages",
        "Taille beaucoup trop petite",
        "Couleur différente de la photo",
        "Reçu en retard et la qualité ne suit pas",
    ),
    ("review", "neg", "en"): ("Fabric pilled after two washes", "Runs very small"),
    ("review", "mid", "fr"): ("Joli mais un peu cher pour la qualité", "Correct, sans plus"),
    ("review", "mid", "en"): ("Nice but a bit pricey",),
    ("review", "pos", "fr"): (
        "Superbe qualité, je recommande",
        "Coupe parfaite, taille normalement",
        "Très belle matière, conforme à la photo",
        "Le linge de maison est magnifique",
        "Coup de cœur pour cette collection",
    ),
    ("review", "pos", "en"): ("Great quality, true to size", "Beautiful fabric, highly recommend"),
}
ADDONS = {
    ("neg", "fr"): (" Très déçue.", " Je ne commanderai plus.", " Dommage.", " Inadmissible."),
    ("neg", "en"): (" Very disappointed.", " Not ordering again."),
    ("mid", "fr"): (" Peut mieux faire.", ""),
    ("mid", "en"): ("",),
    ("pos", "fr"): (" Merci !", " Bravo à l'équipe.", " Je recommande Maison Lumière."),
    ("pos", "en"): (" Thanks!", " Will buy again."),
}


def write(
    rng: np.random.Generator, themes: np.ndarray, tones: np.ndarray, langs: np.ndarray
) -> np.ndarray:
    """One verbatim per answer, for the given theme, tone (neg/mid/pos) and language."""
    out = np.empty(len(themes), dtype=object)
    pick, add, use_add = (
        rng.random(len(themes)),
        rng.random(len(themes)),
        rng.random(len(themes)) < 0.35,
    )
    for i, (theme, tone, lang) in enumerate(zip(themes, tones, langs, strict=True)):
        cores = (
            CORES.get((theme, tone, lang))
            or CORES[("delivery" if theme == "delivery_late" else theme, tone, lang)]
        )
        text = cores[int(pick[i] * len(cores))]
        addons = ADDONS[(tone, lang)]
        addon = addons[int(add[i] * len(addons))] if use_add[i] else ""
        text = f"{text}.{addon}" if addon else text
        out[i] = text
    return out
