"""Coworking spaces (tiers-lieux) and their rooms.

A space is operated by an organization; its space managers run it. Rooms are
what events book (the events app owns the no-double-booking rule).
"""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from network.models import Organization, department_code, insee_code


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Fuseau horaire inconnu : %(zone)s."), params={"zone": value})


class Space(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    operator = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="spaces", verbose_name=_("gestionnaire")
    )
    address = models.CharField(_("adresse"), max_length=300)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    region = models.CharField(_("région"), max_length=80, blank=True)
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

    class Meta:
        verbose_name = _("espace")
        verbose_name_plural = _("espaces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("nom"), max_length=120)
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
