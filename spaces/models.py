"""Coworking spaces (tiers-lieux) and their rooms.

A space is operated by an organization; its space managers run it. Rooms are
what events book (the events app owns the no-double-booking rule).
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Also imported from here by migrations and other apps.
from backend.validators import date_in_range, paired_coordinates, single_line, validate_time_zone
from network.models import Organization, department_code, insee_code


class Space(models.Model):
    name = models.CharField(_("nom"), max_length=200, validators=[single_line])
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    operator = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="spaces", verbose_name=_("gestionnaire")
    )
    address = models.CharField(_("adresse"), max_length=300, validators=[single_line])
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    region = models.CharField(_("région"), max_length=80, blank=True, validators=[single_line])
    department = models.CharField(_("département"), max_length=3, blank=True, validators=[department_code])
    commune_insee = models.CharField(_("commune (code INSEE)"), max_length=5, blank=True,
                                     validators=[insee_code])
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Paris",
                                 validators=[validate_time_zone])
    desk_capacity = models.PositiveIntegerField(_("postes de travail"), default=0)
    amenities = models.JSONField(_("équipements"), default=list, blank=True)
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    self_checkin_allowed = models.BooleanField(
        _("les membres pointent eux-mêmes"), default=False,
        help_text=_("Un·e membre peut enregistrer sa propre arrivée depuis l'application."),
    )

    class Meta:
        verbose_name = _("espace")
        verbose_name_plural = _("espaces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        paired_coordinates(self.latitude, self.longitude)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_date(self, moment: datetime) -> date:
        """The calendar day ``moment`` falls on at the space: visit-days are counted in it."""
        return moment.astimezone(self.zone).date()

    def opening_range_at(self, moment: datetime) -> tuple[datetime, datetime] | None:
        """The opening range (aware start, aware end) that contains ``moment``, or None when closed.

        Hours are wall-clock times in the space's zone, so converting the instant
        to local time first keeps DST days right (a 9:00-18:00 day lasts 9 hours
        on both change days). Uses prefetched ``opening_hours``/``closures`` when present.
        """
        local = moment.astimezone(self.zone)
        day = local.date()
        if any(c.starts_on <= day <= c.ends_on for c in self.closures.all()):
            return None
        for hours in self.opening_hours.all():
            if hours.weekday == day.weekday() and hours.opens <= local.time() < hours.closes:
                return (datetime.combine(day, hours.opens, tzinfo=self.zone),
                        datetime.combine(day, hours.closes, tzinfo=self.zone))
        return None

    def is_open_at(self, moment: datetime) -> bool:
        return self.opening_range_at(moment) is not None


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("lundi")
    TUESDAY = 1, _("mardi")
    WEDNESDAY = 2, _("mercredi")
    THURSDAY = 3, _("jeudi")
    FRIDAY = 4, _("vendredi")
    SATURDAY = 5, _("samedi")
    SUNDAY = 6, _("dimanche")


class OpeningHours(models.Model):
    """One opening range on one weekday, in the space's local time.

    A range never crosses midnight: a space open until midnight closes at 23:59:59.999999
    (``time.max``), since a range ends before its closing time.
    Ranges of one weekday never overlap (checked by ``opening_hours_set``).
    """

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    opens = models.TimeField(_("ouverture"))
    closes = models.TimeField(_("fermeture"))

    class Meta:
        verbose_name = _("horaire d'ouverture")
        verbose_name_plural = _("horaires d'ouverture")
        # By the column, not the space: "space" would join spaces_space for its name.
        ordering = ["space_id", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes__gt=models.F("opens")),
                                   name="opening_hours_end_after_start"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="opening_hours_weekday"),
            models.UniqueConstraint(fields=["space", "weekday", "opens"],
                                    name="opening_hours_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": _("L'heure de fermeture doit suivre l'heure d'ouverture.")})


class Closure(models.Model):
    """Exceptional closure: whole local days, both ends included (holidays, works)."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField(_("du"), validators=[date_in_range])
    ends_on = models.DateField(_("au"), validators=[date_in_range])
    reason = models.CharField(_("motif"), max_length=200, blank=True, validators=[single_line])

    class Meta:
        verbose_name = _("fermeture exceptionnelle")
        verbose_name_plural = _("fermetures exceptionnelles")
        ordering = ["space_id", "starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="closure_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.space} {self.starts_on}–{self.ends_on}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("La date de fin doit suivre la date de début.")})



class Room(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("nom"), max_length=120, validators=[single_line])
    slug = models.SlugField(_("identifiant"), max_length=80)
    capacity = models.PositiveIntegerField(_("capacité"))
    equipment = models.JSONField(_("équipement"), default=list, blank=True)

    class Meta:
        verbose_name = _("salle")
        verbose_name_plural = _("salles")
        ordering = ["space__name", "name"]
        constraints = [models.UniqueConstraint(fields=["space", "slug"], name="room_unique_slug")]

    def __str__(self) -> str:
        return f"{self.space.name} — {self.name}"
