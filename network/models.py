"""Who is who: people, the organizations of the ESS, and each person's roles.

Every permission in Essaim is a :class:`Membership` role in an organization:
an organizer edits the events of their organizations, a coordinator moderates
the campaigns their organization coordinates, a space manager runs the spaces
their organization operates, an admin manages the organization itself.
"""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.validators import single_line


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> Person:
        if not email:
            raise ValueError("email is required")
        person = self.model(email=self.normalize_email(email).lower(), **extra)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, email: str, password: str | None = None, **extra) -> Person:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> Person:
        return self.get(email__iexact=username)


class Person(AbstractBaseUser, PermissionsMixin):
    """An account. People log in with their email address."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    full_name = models.CharField(_("nom complet"), max_length=150, blank=True, validators=[single_line])
    language = models.CharField(
        _("langue"), max_length=5, choices=[("fr", "Français"), ("en", "English")], default="fr"
    )
    # Accounts made by an operator (administration, demo) or through an invitation link are
    # trusted; a person who signs up alone proves their address with the link sent to it.
    email_verified = models.BooleanField(_("adresse vérifiée"), default=True)
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class OrganizationKind(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    SCOP = "scop", _("Coopérative (SCOP)")
    SCIC = "scic", _("Coopérative (SCIC)")
    CAE = "cae", _("Coopérative d'activités et d'emploi (CAE)")
    MUTUELLE = "mutuelle", _("Mutuelle")
    FONDATION = "fondation", _("Fondation")
    COLLECTIVITE = "collectivite", _("Collectivité")
    ENTREPRISE = "entreprise", _("Entreprise de l'ESS")
    RESEAU = "reseau", _("Réseau (CRESS, fédération…)")


insee_code = RegexValidator(r"^(\d{5}|2[AB]\d{3})$", _("Code INSEE à 5 caractères attendu."))
department_code = RegexValidator(r"^(\d{2,3}|2[AB])$", _("Code de département attendu."))


class Organization(models.Model):
    """A structure of the ESS: association, cooperative, mutual, local authority, network."""

    name = models.CharField(_("nom"), max_length=200, validators=[single_line])
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=OrganizationKind.choices)
    region = models.CharField(_("région"), max_length=80, blank=True, validators=[single_line])
    department = models.CharField(
        _("département"), max_length=3, blank=True, validators=[department_code]
    )
    commune_insee = models.CharField(
        _("commune (code INSEE)"), max_length=5, blank=True, validators=[insee_code]
    )
    website = models.URLField(_("site web"), blank=True)
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrateur·rice")
    ORGANIZER = "organizer", _("Organisateur·rice")
    COORDINATOR = "coordinator", _("Coordinateur·rice")
    SPACE_MANAGER = "space_manager", _("Gestionnaire d'espace")


class Membership(models.Model):
    """A person's role in an organization; one row per (person, organization, role)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rôle dans une structure")
        verbose_name_plural = _("rôles dans les structures")
        ordering = ["organization__name", "person__email", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organization", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.organization} ({self.get_role_display()})"
