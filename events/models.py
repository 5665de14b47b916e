"""Shared events: campaigns (Mois de l'ESS), co-organized events, recurring series, registrations.

Rules live in ``events/services.py``; the models only hold data and the
invariants a row can check on its own (``clean``) or that the database keeps
(constraints). On PostgreSQL, migration 0002 adds an exclusion constraint so
that two non-cancelled events never hold the same room at overlapping times;
it is not declared in ``Meta`` because SQLite cannot build it.
"""

from __future__ import annotations

import secrets
import zoneinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backend.codes import SHORT_CODE_LENGTH, new_short_code
from backend.validators import EVENT_MAX_DURATION, date_in_range, paired_coordinates, single_line
from network.models import Organization, department_code, insee_code
from spaces.models import Room, validate_time_zone

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TEXT_MAX = 10_000
NOTE_MAX = 2_000


class Campaign(models.Model):
    """A coordinated programme (the Mois de l'ESS): organizers submit, coordinators moderate."""

    title = models.CharField(_("titre"), max_length=200, validators=[single_line])
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX)
    coordinators = models.ManyToManyField(
        Organization, related_name="coordinated_campaigns", verbose_name=_("structures coordinatrices")
    )
    starts_on = models.DateField(_("début"), validators=[date_in_range])
    ends_on = models.DateField(_("fin"), validators=[date_in_range])
    submissions_open_on = models.DateField(_("ouverture des propositions"), null=True, blank=True,
                                           validators=[date_in_range])
    submissions_close_on = models.DateField(_("clôture des propositions"), null=True, blank=True,
                                            validators=[date_in_range])
    label = models.CharField(_("label"), max_length=120, blank=True, validators=[single_line],
                             help_text=_("Porté par les seuls événements approuvés."))
    moderation_required = models.BooleanField(_("modération requise"), default=True)
    # Editions of a campaign are separate rows (one per November); the coordinators name the
    # previous one, which the campaign's figures are compared with (observatory/campaign.py).
    previous_edition = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_editions",
        verbose_name=_("édition précédente"),
        help_text=_("Les chiffres de la campagne sont comparés à ceux de cette édition."))
    resubmit_on_source_change = models.BooleanField(
        _("renvoyer en modération ce que sa source déplace"), default=False,
        help_text=_("Un événement approuvé, importé d'un agenda, revient en attente quand sa source "
                    "change son horaire ou son lieu."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="campaign_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("La fin de la campagne doit suivre son début.")})
        if self.previous_edition is not None and self.starts_on and (
                self.previous_edition_id == self.pk or self.previous_edition.starts_on >= self.starts_on):
            raise ValidationError({"previous_edition": _(
                "L'édition précédente doit commencer avant cette campagne.")})
        if (self.submissions_open_on and self.submissions_close_on
                and self.submissions_close_on < self.submissions_open_on):
            raise ValidationError({"submissions_close_on": _(
                "La clôture des propositions doit suivre leur ouverture.")})


class Theme(models.Model):
    slug = models.SlugField(_("identifiant"), max_length=50, unique=True)
    name = models.CharField(_("nom"), max_length=100, validators=[single_line])

    class Meta:
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EventFormat(models.TextChoices):
    CAFE_METIERS = "cafe_metiers", _("Café métiers")
    FORUM = "forum", _("Forum")
    ATELIER = "atelier", _("Atelier")
    CONFERENCE = "conference", _("Conférence-débat")
    VISITE = "visite", _("Visite, portes ouvertes")
    RENCONTRES = "rencontres", _("Journée de rencontres")
    FORMATION = "formation", _("Formation")
    PROJECTION = "projection", _("Projection")
    AUTRE = "autre", _("Autre")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")
    CANCELLED = "cancelled", _("Annulé")


class Moderation(models.TextChoices):
    NONE = "none", _("Hors campagne")
    PENDING = "pending", _("En attente")
    APPROVED = "approved", _("Approuvé")
    REJECTED = "rejected", _("Refusé")


class Series(models.Model):
    """A recurrence (cafés métiers): each date is its own :class:`Event`.

    ``rrule`` is an RFC 5545 rule read with python-dateutil against
    ``starts_at`` seen in ``time_zone``, so every date keeps the local wall time
    across daylight-saving changes.
    """

    title = models.CharField(_("titre"), max_length=200, validators=[single_line])
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="series",
                                     verbose_name=_("structure organisatrice"))
    rrule = models.CharField(_("règle de récurrence"), max_length=500)
    starts_at = models.DateTimeField(_("première date"), validators=[date_in_range])
    duration = models.DurationField(_("durée"))
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Paris",
                                 validators=[validate_time_zone])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("série")
        verbose_name_plural = _("séries")
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def rule_text(self) -> str:
        """The rule in words, in the current language ("le 1er jeudi du mois, 6 dates")."""
        from events.recurrence import describe

        return describe(rrule=self.rrule, starts_at=self.starts_at, time_zone=self.time_zone)


def default_reminders() -> list[str]:
    """The day before at 9:00 local time, and two hours before (see ``events/reminders.py``)."""
    return ["1d@09:00", "2h"]


class Event(models.Model):
    title = models.CharField(_("titre"), max_length=200, validators=[single_line])
    slug = models.SlugField(_("identifiant"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX)
    format = models.CharField(_("format"), max_length=20, choices=EventFormat.choices,
                              default=EventFormat.AUTRE)
    themes = models.ManyToManyField(Theme, blank=True, related_name="events", verbose_name=_("thèmes"))
    audience = models.CharField(_("public"), max_length=200, blank=True, validators=[single_line])
    accessibility = models.TextField(_("accessibilité"), blank=True, max_length=NOTE_MAX)
    price_text = models.CharField(_("tarif"), max_length=200, blank=True, validators=[single_line])
    online_url = models.URLField(_("lien en ligne"), blank=True)
    # Written only by the services, from an upload checked and re-encoded by ``events/images.py``.
    image = models.FileField(_("image"), max_length=200, blank=True, editable=False)
    image_alt = models.CharField(_("description de l'image"), max_length=200, blank=True,
                                 validators=[single_line])

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="lead_events",
                                     verbose_name=_("structure organisatrice"))
    # The co-organizers that accepted (see ``CoOrganization``): only
    # ``events/services.py`` writes this set, when a request is accepted or withdrawn.
    co_organizers = models.ManyToManyField(Organization, blank=True, related_name="co_organized_events",
                                           verbose_name=_("co-organisateurs"))

    status = models.CharField(_("statut"), max_length=10, choices=EventStatus.choices,
                              default=EventStatus.DRAFT)
    cancel_reason = models.TextField(_("motif d'annulation"), blank=True, max_length=NOTE_MAX)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="events", verbose_name=_("campagne"))
    moderation = models.CharField(_("modération"), max_length=10, choices=Moderation.choices,
                                  default=Moderation.NONE)
    moderation_comment = models.TextField(_("commentaire de modération"), blank=True, max_length=NOTE_MAX)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)

    starts_at = models.DateTimeField(_("début"), validators=[date_in_range])
    ends_at = models.DateTimeField(_("fin"), validators=[date_in_range])
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Paris",
                                 validators=[validate_time_zone])
    all_day = models.BooleanField(_("toute la journée"), default=False)

    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="events", verbose_name=_("salle"))
    address = models.CharField(_("adresse"), max_length=300, blank=True, validators=[single_line])
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    # The territory is copied from the room's space when there is one, so that
    # listings filter on the event's own columns.
    region = models.CharField(_("région"), max_length=80, blank=True, validators=[single_line])
    department = models.CharField(_("département"), max_length=3, blank=True, validators=[department_code])
    commune_insee = models.CharField(_("commune (code INSEE)"), max_length=5, blank=True,
                                     validators=[insee_code])

    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True,
                                           help_text=_("Vide : sans limite."))
    registration_opens_at = models.DateTimeField(_("ouverture des inscriptions"), null=True, blank=True,
                                                 validators=[date_in_range])
    registration_closes_at = models.DateTimeField(_("clôture des inscriptions"), null=True, blank=True,
                                                  validators=[date_in_range],
                                                  help_text=_("Vide : au début de l'événement."))

    series = models.ForeignKey(Series, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="events", verbose_name=_("série"))
    # The date this occurrence was generated for (iCal RECURRENCE-ID); it does
    # not move when the occurrence itself is moved.
    recurrence_id = models.DateTimeField(null=True, blank=True)
    # Raised on every change that matters to attendees (time, place, status):
    # calendar clients key updates on it (iCal SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    reminders = models.JSONField(
        _("rappels"), default=default_reminders, blank=True,
        help_text=_("Quand rappeler l'événement aux inscrit·es : « 1d@09:00 » (la veille à 9 h, "
                    "heure locale), « 2h » (deux heures avant), « 30m »."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="event_ends_after_start"),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="event_cancel_has_reason"),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="event_status_start_idx"),
            models.Index(fields=["room", "starts_at"], name="event_room_start_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("web:event", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("La date de fin doit suivre la date de début.")
        elif self.starts_at and self.ends_at and self.ends_at - self.starts_at > EVENT_MAX_DURATION:
            errors["ends_at"] = _("Un événement dure au plus %(days)s jours.") % {
                "days": EVENT_MAX_DURATION.days}
        if self.room_id and self.address:
            errors["address"] = _("Une adresse libre ou une salle, pas les deux.")
        try:
            paired_coordinates(self.latitude, self.longitude)
        except ValidationError as error:
            errors.update((field, messages[0]) for field, messages in error.message_dict.items())
        if (self.registration_opens_at and self.registration_closes_at
                and self.registration_closes_at <= self.registration_opens_at):
            errors["registration_closes_at"] = _(
                "La clôture des inscriptions doit suivre leur ouverture.")
        elif (self.registration_opens_at and self.starts_at and not self.registration_closes_at
                and self.registration_opens_at >= self.starts_at):
            errors["registration_opens_at"] = _(
                "Les inscriptions doivent ouvrir avant le début de l'événement, où elles se closent "
                "sauf date de clôture.")
        if self.registration_closes_at and self.ends_at and self.registration_closes_at > self.ends_at:
            errors["registration_closes_at"] = _(
                "La clôture des inscriptions ne peut pas suivre la fin de l'événement.")
        if errors:
            raise ValidationError(errors)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The event's own time zone, in which its day and hours are read."""
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def registration_deadline(self):
        return self.registration_closes_at or self.starts_at

    @property
    def image_url(self) -> str:
        """The page-size image's address on this site, or empty."""
        return reverse("web:image", kwargs={"name": self.image.name.rpartition("/")[2]}) if self.image else ""

    @property
    def thumb_url(self) -> str:
        if not self.image:
            return ""
        return reverse("web:image", kwargs={"name": self.image.name.rpartition("/")[2].replace(
            ".jpg", "-thumb.jpg")})

    @property
    def label(self) -> str:
        """The campaign label, carried by approved events only."""
        if self.moderation == Moderation.APPROVED and self.campaign is not None:
            return self.campaign.label or self.campaign.title
        return ""


class ModerationDecision(models.Model):
    """A coordinator's decision on an event submitted to a campaign: its moderation history.

    ``event.moderation`` is the latest decision (or "pending" again once a refused event is
    edited); these rows keep every one, with who decided, when and why. They are written by
    ``events.services.event_moderate`` only.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="moderation_decisions")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="moderation_decisions",
                                 verbose_name=_("campagne"))
    decision = models.CharField(_("décision"), max_length=10, choices=[
        (Moderation.APPROVED, Moderation.APPROVED.label), (Moderation.REJECTED, Moderation.REJECTED.label)])
    comment = models.TextField(_("commentaire"), blank=True, max_length=NOTE_MAX)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("décidée par"))
    decided_at = models.DateTimeField(_("décidée le"))

    class Meta:
        verbose_name = _("décision de modération")
        verbose_name_plural = _("décisions de modération")
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["event", "decided_at"], name="moderation_decision_event_idx")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} — {self.event}"


class CoOrganizationStatus(models.TextChoices):
    PENDING = "pending", _("En attente de réponse")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Déclinée")


class CoOrganization(models.Model):
    """An organization named co-organizer of an event, and its answer.

    Naming an organization only asks: its organizers (or admins) accept or
    decline. An organization is a co-organizer (``Event.co_organizers``: rights
    on the event, its feeds, the ``organization`` filters) only while its
    request is accepted; the services keep the two in step.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="co_organizations")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="co_organization_requests",
                                     verbose_name=_("structure invitée"))
    status = models.CharField(_("réponse"), max_length=10, choices=CoOrganizationStatus.choices,
                              default=CoOrganizationStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+", verbose_name=_("demandée par"))
    requested_at = models.DateTimeField(_("demandée le"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("décidée par"))
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-organisation")
        verbose_name_plural = _("co-organisations")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "organization"], name="co_organization_once"),
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="co_organization_org_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.event}"


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmée")
    WAITLISTED = "waitlisted", _("En liste d'attente")
    CANCELLED = "cancelled", _("Annulée")


ACTIVE_REGISTRATION = Q(status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED])


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Registration(models.Model):
    """A seat or a place in the waitlist, by an account or by name and email.

    ``position`` is the place in the waitlist (1 is next), kept dense by the
    services under the event's row lock; it is empty for other statuses.
    ``token`` is the secret of the link sent by email (guests confirm and
    cancel with it). ``code`` is what the person shows at the door (typed or as a
    QR code): it only lets the event's organizers mark them present
    (``checked_in_at``), so it may be short and printed.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="registrations")
    name = models.CharField(_("nom"), max_length=150, validators=[single_line])
    email = models.EmailField(_("adresse e-mail"))
    status = models.CharField(_("statut"), max_length=10, choices=RegistrationStatus.choices)
    position = models.PositiveIntegerField(_("rang en liste d'attente"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    code = models.CharField(_("code d'entrée"), max_length=SHORT_CODE_LENGTH, unique=True,
                            default=new_short_code, editable=False)
    email_confirmed_at = models.DateTimeField(_("adresse confirmée le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(_("passée en place confirmée le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("entrée le"), null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+", verbose_name=_("entrée pointée par"))

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], condition=ACTIVE_REGISTRATION,
                                    name="registration_one_active_per_person"),
            models.UniqueConstraint(fields=["event", "email"], condition=ACTIVE_REGISTRATION,
                                    name="registration_one_active_per_email"),
            models.CheckConstraint(
                condition=(Q(status=RegistrationStatus.WAITLISTED, position__isnull=False)
                           | (~Q(status=RegistrationStatus.WAITLISTED) & Q(position__isnull=True))),
                name="registration_position_iff_waitlisted",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"], name="registration_event_status_idx")]

    def __str__(self) -> str:
        return f"{self.name} — {self.event}"


class Reminder(models.Model):
    """One reminder of one confirmed registration, due at ``due_at``.

    ``kind`` is the event's rule that produced it (``1d@09:00``, ``2h``); a
    registration has at most one row per rule. ``sent_at`` is set when its message
    is recorded in the outbox, in the same transaction (``events/reminders.py``).
    """

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("règle"), max_length=20)
    due_at = models.DateTimeField(_("à envoyer le"))
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("rappel")
        verbose_name_plural = _("rappels")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "kind"], name="reminder_one_per_rule"),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(sent_at__isnull=True), name="reminder_unsent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} — {self.registration}"


class Audience(models.TextChoices):
    CONFIRMED = "confirmed", _("Inscrit·es confirmé·es")
    WAITLISTED = "waitlisted", _("Liste d'attente")
    ALL = "all", _("Tous (confirmé·es et liste d'attente)")


class EventMessage(models.Model):
    """A message an event's organizers wrote to its registrants.

    Each recipient's email is an outbox row keyed by this message and the
    registration. ``key`` makes a submission idempotent: the same form posted
    twice (or a retried API call) finds this row and records nothing more.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="messages")
    audience = models.CharField(_("destinataires"), max_length=10, choices=Audience.choices)
    subject = models.CharField(_("objet"), max_length=150, validators=[single_line])
    body = models.TextField(_("message"), max_length=5_000)
    key = models.CharField(max_length=64)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("écrit par"))
    recipients = models.PositiveIntegerField(_("nombre de destinataires"), default=0)
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("message aux inscrit·es")
        verbose_name_plural = _("messages aux inscrit·es")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "key"], name="event_message_key_once"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} — {self.event}"
