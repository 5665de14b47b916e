"""The multi-space coworking pass: networks, plans, passes, visit-days, check-ins, settlement.

A visit-day (``Visit``) is the unit of allowance: one per pass, host space and
local date, whatever the number of check-ins that day. Check-ins record
presence (live occupancy); settlement counts visit-days.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.codes import SHORT_CODE_LENGTH, new_short_code
from backend.validators import INT_MAX, date_in_range, single_line
from network.models import Organization
from spaces.models import Space

if TYPE_CHECKING:
    from passes.selectors import PassOutlook

# A plan is sold for at most ten years.
VALIDITY_DAYS_MAX = 3660


def new_pass_code() -> str:
    """192 random bits, URL-safe: what the QR code carries."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PassNetwork(models.Model):
    """A group of spaces whose members may work in each other's space (e.g. the ch'tipass)."""

    name = models.CharField(_("nom"), max_length=120, validators=[single_line])
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    coordinator = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="pass_networks",
        verbose_name=_("structure coordinatrice"),
        help_text=_("Ses coordinateur·rices voient et clôturent les décomptes mensuels."),
    )
    spaces = models.ManyToManyField(Space, related_name="pass_networks", verbose_name=_("espaces"))
    visit_value = models.DecimalField(
        _("valeur d'un passage"), max_digits=8, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Reversée à l'espace qui accueille. Vide : prix du forfait divisé par son quota."),
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    public_flows = models.BooleanField(
        _("flux publics"), default=False,
        help_text=_("Tout le monde peut alors lire les flux de coworking du réseau, en chiffres "
                    "agrégés (les effectifs de moins de 5 personnes restent masqués)."),
    )

    class Meta:
        verbose_name = _("réseau de pass")
        verbose_name_plural = _("réseaux de pass")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Period(models.TextChoices):
    MONTH = "month", _("mois calendaire")
    ROLLING_30 = "rolling_30", _("30 jours glissants")
    UNLIMITED = "unlimited", _("illimité")


class PlanKind(models.TextChoices):
    SUBSCRIPTION = "subscription", _("abonnement")
    # Sold at the desk to someone without a pass: one visit-day, today, at the space that sells it.
    DAY = "day", _("journée sur place")
    # Offered once per email address across the network: one free visit-day, today, anywhere in it.
    TRIAL = "trial", _("journée d'essai")


class Plan(models.Model):
    network = models.ForeignKey(PassNetwork, on_delete=models.PROTECT, related_name="plans",
                                verbose_name=_("réseau"))
    kind = models.CharField(_("type"), max_length=12, choices=PlanKind.choices,
                            default=PlanKind.SUBSCRIPTION)
    name = models.CharField(_("nom"), max_length=120, validators=[single_line])
    slug = models.SlugField(_("identifiant"), max_length=80)
    price = models.DecimalField(_("prix"), max_digits=8, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0"))])
    period = models.CharField(_("période"), max_length=12, choices=Period.choices, default=Period.MONTH)
    allowance = models.PositiveIntegerField(
        _("passages par période"), null=True, blank=True, validators=[MaxValueValidator(INT_MAX)],
        help_text=_("Nombre de journées de coworking par période ; vide si illimité."),
    )
    validity_days = models.PositiveIntegerField(
        _("durée de validité (jours)"),
        validators=[MinValueValidator(1), MaxValueValidator(VALIDITY_DAYS_MAX)])
    per_space_cap = models.PositiveIntegerField(
        _("plafond par espace et par période"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(INT_MAX)],
        help_text=_("Pour que le pass serve à découvrir les autres espaces ; "
                    "l'espace émetteur n'est pas plafonné."),
    )
    eligible_spaces = models.ManyToManyField(
        Space, blank=True, related_name="plans", verbose_name=_("espaces accessibles"),
        help_text=_("Vide : tous les espaces du réseau."),
    )
    is_active = models.BooleanField(_("en vente"), default=True)

    class Meta:
        verbose_name = _("forfait")
        verbose_name_plural = _("forfaits")
        ordering = ["network", "price"]
        constraints = [
            models.UniqueConstraint(fields=["network", "slug"], name="plan_unique_slug"),
            models.CheckConstraint(
                condition=(Q(period=Period.UNLIMITED, allowance__isnull=True)
                           | (~Q(period=Period.UNLIMITED) & Q(allowance__gte=1))),
                name="plan_allowance_matches_period",
            ),
            models.CheckConstraint(condition=Q(per_space_cap__isnull=True) | Q(per_space_cap__gte=1),
                                   name="plan_cap_positive"),
            models.CheckConstraint(condition=Q(validity_days__gte=1), name="plan_validity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.network} — {self.name}"

    @property
    def is_one_day(self) -> bool:
        """A walk-in or trial day: sold for today only, with one visit-day."""
        return self.kind in (PlanKind.DAY, PlanKind.TRIAL)

    def visit_value(self) -> Decimal:
        """What one visit-day of this plan is worth to the host space."""
        if self.network.visit_value is not None:
            return self.network.visit_value
        if self.allowance:
            # Half up, to the cent.
            return (self.price / self.allowance).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return Decimal("0.00")


class PassStatus(models.TextChoices):
    ACTIVE = "active", _("actif")
    SUSPENDED = "suspended", _("suspendu")
    EXPIRED = "expired", _("expiré")
    REVOKED = "revoked", _("révoqué")


class Pass(models.Model):
    # Empty only once its holder erased their account: the visits stay for settlement.
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                               related_name="passes", verbose_name=_("titulaire"))
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="passes",
                             verbose_name=_("forfait"))
    issuing_space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="issued_passes",
                                      verbose_name=_("espace émetteur"))
    valid_from = models.DateField(_("valable du"), validators=[date_in_range])
    valid_until = models.DateField(_("valable jusqu'au"))
    status = models.CharField(_("statut"), max_length=10, choices=PassStatus.choices,
                              default=PassStatus.ACTIVE)
    # Who a walk-in or trial day was given to, when they hold no account (both optional for a
    # walk-in; the email is required for a trial day, offered once per address).
    guest_name = models.CharField(_("nom de la personne accueillie"), max_length=150, blank=True,
                                  validators=[single_line])
    guest_email = models.EmailField(_("e-mail de la personne accueillie"), blank=True)
    code = models.CharField(_("code"), max_length=64, unique=True, default=new_pass_code, editable=False)
    short_code = models.CharField(_("code court"), max_length=SHORT_CODE_LENGTH, unique=True,
                                  default=new_short_code, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Not stored: set on the passes shown to their holder (selectors.passes_held_by, then the
    # member's page: the QR code and the outlook of a pass still usable, else None, and the
    # spaces where the holder may check themselves in).
    remaining_allowance: int | None
    state: str
    qr_svg: str | None
    outlook: PassOutlook | None
    self_checkin_spaces: list[Space]

    class Meta:
        verbose_name = _("pass")
        verbose_name_plural = _("pass")
        ordering = ["-valid_from", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")),
                                   name="pass_until_after_from"),
        ]

    def __str__(self) -> str:
        return f"{self.short_code} — {self.holder or '—'}"

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until


class TrialDay(models.Model):
    """The trial day a network offered to an email address: once per address and network."""

    network = models.ForeignKey(PassNetwork, on_delete=models.PROTECT, related_name="trial_days")
    email = models.EmailField(_("e-mail"))
    pass_obj = models.OneToOneField(Pass, on_delete=models.CASCADE, related_name="trial_day",
                                    db_column="pass_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("journée d'essai")
        verbose_name_plural = _("journées d'essai")
        constraints = [models.UniqueConstraint(fields=["network", "email"], name="trial_once_per_email")]

    def __str__(self) -> str:
        return f"{self.network} — {self.email}"


class Visit(models.Model):
    """A visit-day: the pass was used at ``space`` on the local date ``day``."""

    # Every check-in writes a visit-day or reads one: no index of its own for either key,
    # the unique (pass, space, day) and the (space, day) index lead with them.
    pass_obj = models.ForeignKey(Pass, on_delete=models.PROTECT, related_name="visits",
                                 db_column="pass_id", db_index=False, verbose_name=_("pass"))
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="visits",
                              db_index=False, verbose_name=_("espace"))
    day = models.DateField(_("jour"))
    # Fixed when the visit happens, so that changing a plan's price later
    # does not rewrite what a past month owes.
    value = models.DecimalField(_("valeur"), max_digits=8, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        ordering = ["-day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pass_obj", "space", "day"], name="visit_unique_day"),
        ]
        indexes = [models.Index(fields=["space", "day"])]

    def __str__(self) -> str:
        return f"{self.pass_obj.short_code} @ {self.space} {self.day}"


class Channel(models.TextChoices):
    DESK = "desk", _("accueil")
    KIOSK = "kiosk", _("borne")
    SELF = "self", _("le·la membre")


class Kiosk(models.Model):
    """A check-in terminal of one space; it authenticates with a secret token (only its hash is kept)."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="kiosks",
                              verbose_name=_("espace"))
    name = models.CharField(_("nom"), max_length=120)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("borne")
        verbose_name_plural = _("bornes")
        ordering = ["space", "name"]
        constraints = [models.UniqueConstraint(fields=["space", "name"], name="kiosk_unique_name")]

    def __str__(self) -> str:
        return f"{self.space} — {self.name}"


class CheckIn(models.Model):
    pass_obj = models.ForeignKey(Pass, on_delete=models.PROTECT, related_name="checkins",
                                 db_column="pass_id", verbose_name=_("pass"))
    # Indexes are written on every check-in, so there are no more than the reads need:
    # the space's are the two below (its day, and who is there now: the live occupancy and
    # the desk capacity count open check-ins), and who checked in (a person or a kiosk,
    # never both) is indexed only where it is set.
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="checkins",
                              db_index=False, verbose_name=_("espace"))
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="checkins")
    checked_in_at = models.DateTimeField(_("arrivée"))
    checked_out_at = models.DateTimeField(_("départ"), null=True, blank=True)
    auto_checked_out = models.BooleanField(_("départ automatique"), default=False)
    channel = models.CharField(_("canal"), max_length=5, choices=Channel.choices)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                      blank=True, db_index=False, related_name="+")
    kiosk = models.ForeignKey(Kiosk, on_delete=models.SET_NULL, null=True, blank=True,
                              db_index=False, related_name="+")

    # Not stored: the visit-days left, set on the check-in that a check-in attempt returns.
    remaining_allowance: int | None

    class Meta:
        verbose_name = _("pointage")
        verbose_name_plural = _("pointages")
        ordering = ["-checked_in_at"]
        constraints = [
            # Last line of defence behind the pass lock: one person, one place at a time.
            models.UniqueConstraint(fields=["pass_obj"], condition=Q(checked_out_at__isnull=True),
                                    name="checkin_one_open_per_pass"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=models.F("checked_in_at")),
                name="checkin_out_after_in",
            ),
        ]
        indexes = [
            models.Index(fields=["space", "checked_in_at"], name="checkin_by_space"),
            models.Index(fields=["space"], condition=Q(checked_out_at__isnull=True),
                         name="checkin_open_by_space"),
            models.Index(fields=["checked_in_by"], condition=Q(checked_in_by__isnull=False),
                         name="checkin_by_person"),
            models.Index(fields=["kiosk"], condition=Q(kiosk__isnull=False), name="checkin_by_kiosk"),
        ]

    def __str__(self) -> str:
        return f"{self.pass_obj.short_code} @ {self.space} {self.checked_in_at:%Y-%m-%d %H:%M}"


class CheckinAttempt(models.Model):
    """A refused check-in and why: refusals are audited and unknown codes throttled (a
    success is its :class:`CheckIn`)."""

    at = models.DateTimeField(_("le"), db_index=True)
    outcome = models.CharField(_("résultat"), max_length=32)
    space = models.ForeignKey(Space, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    pass_obj = models.ForeignKey(Pass, on_delete=models.CASCADE, null=True, blank=True,
                                 db_column="pass_id", related_name="attempts")
    # Only a prefix of an unknown code is kept: enough to spot a misprint, not a secret.
    code_prefix = models.CharField(_("début du code"), max_length=4, blank=True)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("tentative de pointage")
        verbose_name_plural = _("tentatives de pointage")
        ordering = ["-at"]
        indexes = [models.Index(fields=["kiosk", "outcome", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.outcome}"


class SettlementMonth(models.Model):
    """A closed month of a network: its lines are frozen; later corrections go to the next month."""

    network = models.ForeignKey(PassNetwork, on_delete=models.PROTECT, related_name="settlement_months")
    month = models.DateField(_("mois"), help_text=_("Premier jour du mois."))
    closed_at = models.DateTimeField(_("clôturé le"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")

    class Meta:
        verbose_name = _("mois clôturé")
        verbose_name_plural = _("mois clôturés")
        ordering = ["network", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["network", "month"], name="settlement_month_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.network} {self.month:%Y-%m}"


class SettlementLine(models.Model):
    settlement_month = models.ForeignKey(SettlementMonth, on_delete=models.PROTECT, related_name="lines")
    issuing_space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="+")
    host_space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="+")
    visit_days = models.IntegerField(_("passages"))
    amount = models.DecimalField(_("montant"), max_digits=10, decimal_places=2)
    adjustment_days = models.IntegerField(_("régularisation (passages)"), default=0)
    adjustment_amount = models.DecimalField(_("régularisation (montant)"), max_digits=10,
                                            decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("ligne de décompte")
        verbose_name_plural = _("lignes de décompte")
        ordering = ["settlement_month", "issuing_space__name", "host_space__name"]
        constraints = [
            models.UniqueConstraint(fields=["settlement_month", "issuing_space", "host_space"],
                                    name="settlement_line_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.settlement_month}: {self.issuing_space} → {self.host_space}"
