"""Demo organizations and people, drawn from the ESS actors of the seed documents.

Every demo account uses the password in ``DEMO_PASSWORD`` (written in the README).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib.auth.hashers import make_password

from network.models import Membership, Organization, OrganizationKind, Person, Role

DEMO_PASSWORD = "essaim-demo"  # noqa: S105 - documented demo password

ORGANIZATIONS = [
    # slug, name, kind, region, department, commune INSEE, website, description
    ("cress-hdf", "CRESS Hauts-de-France", OrganizationKind.RESEAU, "Hauts-de-France", "59",
     "59350", "https://cress-hdf.org",
     "Chambre régionale de l'économie sociale et solidaire : elle recense, sélectionne et "
     "promeut les événements du Mois de l'ESS en région."),
    ("cress-pdl", "CRESS Pays de la Loire", OrganizationKind.RESEAU, "Pays de la Loire", "44",
     "44109", "https://www.cress-pdl.org",
     "Coordonne le Mois de l'ESS en Pays de la Loire, dont la Sarthe."),
    ("ess-france", "ESS France", OrganizationKind.RESEAU, "", "", "", "https://www.ess-france.org",
     "Chambre française de l'ESS : coordonne le Mois de l'ESS à l'échelle nationale."),
    ("apes", "APES — Acteurs pour une économie solidaire", OrganizationKind.RESEAU,
     "Hauts-de-France", "59", "59350", "https://www.apes-hdf.org",
     "Réseau régional de l'économie solidaire, installé à la Maison de l'Économie Solidaire."),
    ("mutualab", "Mutualab", OrganizationKind.ASSOCIATION, "Hauts-de-France", "59", "59350",
     "https://www.mutualab.org",
     "Espace de coworking lillois autofinancé et cogéré : 300 membres sur 1 000 m² près de la "
     "place de la République. Co-fondateur du ch'tipass."),
    ("grands-ensemble", "Grands Ensemble", OrganizationKind.CAE, "Hauts-de-France", "59",
     "59350", "https://www.grandsensemble.coop",
     "Coopérative d'activités et d'emploi : elle crée des coopérations entre entrepreneurs qui "
     "ne se seraient pas connus autrement."),
    ("ceas-72", "CEAS 72", OrganizationKind.ASSOCIATION, "Pays de la Loire", "72", "72181",
     "https://www.ceas72.fr",
     "Centre d'études et d'action sociale de la Sarthe : cafés, forums et formations sur "
     "l'ESS et le développement durable."),
    ("lilas-autopartage", "Lilas Autopartage", OrganizationKind.SCIC, "Hauts-de-France", "59",
     "59350", "https://www.lilas-autopartage.com",
     "SCIC d'autopartage lancée à l'initiative de la Ville de Lille."),
    ("kaleide", "Kaléide", OrganizationKind.SCIC, "Hauts-de-France", "59", "59508",
     "http://kaleide-npdc.fr",
     "SCIC de la petite enfance et de la jeunesse, née d'une association de Roncq."),
    ("mel", "Métropole Européenne de Lille", OrganizationKind.COLLECTIVITE, "Hauts-de-France",
     "59", "59350", "https://www.lillemetropole.fr",
     "Son plan de soutien à l'ESS favorise la mise en réseau et les mutualisations."),
    ("ville-roubaix", "Ville de Roubaix", OrganizationKind.COLLECTIVITE, "Hauts-de-France", "59",
     "59512", "https://www.ville-roubaix.fr",
     "Plan ESSAIMER : ESS Agir Innover Mutualiser Entreprendre à Roubaix."),
    ("le-mans-metropole", "Le Mans Métropole", OrganizationKind.COLLECTIVITE,
     "Pays de la Loire", "72", "72181", "https://www.lemans.fr", ""),
    ("upc-roubaix", "Université Populaire et Citoyenne", OrganizationKind.ASSOCIATION,
     "Hauts-de-France", "59", "59512", "",
     "Collectif « Travail choisi et ESS » : monnaie locale, revenu de base, coopératives."),
    ("baraka", "SCOP Baraka", OrganizationKind.SCOP, "Hauts-de-France", "59", "59512", "",
     "Restaurant coopératif de Roubaix, animations autour des déchets."),
    ("anis-catalyst", "ANIS — collectif Catalyst", OrganizationKind.ASSOCIATION,
     "Hauts-de-France", "59", "59350", "",
     "Accompagne des projets d'innovation sociale avec le numérique."),
]

PEOPLE = [
    # email, full name, language, [(organization slug, role)]
    ("admin@essaim.demo", "Camille Admin", "fr", []),
    ("coordination@cress-hdf.demo", "Manon Coordination", "fr",
     [("cress-hdf", Role.COORDINATOR), ("cress-hdf", Role.ADMIN)]),
    ("coordination@cress-pdl.demo", "Pauline Coordination", "fr",
     [("cress-pdl", Role.COORDINATOR)]),
    ("coordination@ess-france.demo", "Nadia Coordination", "fr", [("ess-france", Role.COORDINATOR)]),
    ("organisation@apes.demo", "Samia Organisatrice", "fr",
     [("apes", Role.ORGANIZER), ("apes", Role.ADMIN)]),
    ("organisation@grandsensemble.demo", "Hugo Organisateur", "fr",
     [("grands-ensemble", Role.ORGANIZER)]),
    ("organisation@ceas72.demo", "Jeanne Organisatrice", "fr", [("ceas-72", Role.ORGANIZER)]),
    ("accueil@mutualab.demo", "Emmanuel Accueil", "fr",
     [("mutualab", Role.SPACE_MANAGER), ("mutualab", Role.ADMIN)]),
    ("membre@essaim.demo", "Alex Membre", "fr", []),
    ("member@essaim.demo", "Sam Member", "en", []),
]


def load(*, today: date, log: Callable[[str], None]) -> None:
    for slug, name, kind, region, dept, insee, website, description in ORGANIZATIONS:
        Organization.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name, "kind": kind, "region": region, "department": dept,
                "commune_insee": insee, "website": website, "description": description,
                "contact_email": f"contact@{slug}.demo",
            },
        )
    log(f"{len(ORGANIZATIONS)} structures")

    organizations = {o.slug: o for o in Organization.objects.filter(slug__in=[o[0] for o in ORGANIZATIONS])}
    # Hashed once for every demo account: hashing is slow on purpose.
    password_hash = make_password(DEMO_PASSWORD)
    for email, full_name, language, roles in PEOPLE:
        defaults: dict[str, object] = {"full_name": full_name, "language": language,
                                       "password": password_hash}
        if email == "admin@essaim.demo":
            defaults.update(is_staff=True, is_superuser=True)
        person, _created = Person.objects.update_or_create(email=email, defaults=defaults)
        for org_slug, role in roles:
            Membership.objects.get_or_create(
                person=person, organization=organizations[org_slug], role=role
            )
    log(f"{len(PEOPLE)} comptes de démonstration (mot de passe : {DEMO_PASSWORD})")
