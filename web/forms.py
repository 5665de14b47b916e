"""Forms of the web pages. Rules stay in the services; forms only read input."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from typing import cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.api import DomainError
from backend.validators import date_in_range
from events import images
from events.models import (
    NOTE_MAX,
    TEXT_MAX,
    Campaign,
    CoOrganizationStatus,
    Event,
    EventFormat,
    EventStatus,
    Series,
    Theme,
)
from events.recurrence import rule_parts
from network.models import Organization
from network.territories import DEPARTMENTS, departments_of
from passes.models import PassStatus, Plan
from passes.selectors import is_well_formed_code, one_day_plans, subscription_plans
from spaces.models import Room, Space, validate_time_zone


def refusal_text(error: DomainError | ValidationError) -> str:
    """The sentence a service's refusal shows to people."""
    return error.detail if isinstance(error, DomainError) else " ".join(error.messages)


class SignInForm(AuthenticationForm):
    """Email and password; Django's form authenticates through ``USERNAME_FIELD`` (email)."""

    username = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect."),
        "inactive": _("Ce compte est désactivé."),
    }


class GuestRegistrationForm(forms.Form):
    """Registering without an account: a name and an address the messages go to."""

    name = forms.CharField(label=_("Nom"), max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("Adresse e-mail"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


def _wall_time(moment: datetime | None, zone: zoneinfo.ZoneInfo) -> datetime | None:
    """What a ``datetime-local`` input shows of ``moment`` in ``zone``."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment else None


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input: a wall time, read in the event's zone by :class:`EventForm`."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


# A price read as the "Gratuit" box ticked, in either language.
FREE_WORDS = {"gratuit", "free", "gratuite", "entrée libre"}
# The reminder rules offered as checkboxes (see ``events/reminders.py``).
DAY_BEFORE, TWO_HOURS = "1d@09:00", "2h"
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class Repeat(models.TextChoices):
    """Plain-language recurrences; the form turns the choice into an RRULE, the service checks it."""

    NONE = "", _("Ne se répète pas")
    WEEKLY = "weekly", _("Chaque semaine, le même jour")
    BIWEEKLY = "biweekly", _("Toutes les deux semaines, le même jour")
    MONTHLY_WEEKDAY = "monthly_weekday", _("Chaque mois, le même jour de la semaine "
                                           "(ex. le 1er jeudi du mois)")
    MONTHLY_DAY = "monthly_day", _("Chaque mois, à la même date (ex. le 15)")
    CUSTOM = "custom", _("Règle avancée (RRULE) ci-dessous")


def preset_rrule(repeat: str, start: datetime, *, count: int | None, until: date | None) -> str:
    """The RRULE of a preset, from the local start; COUNT or UNTIL only if given."""
    weekday = WEEKDAYS[start.weekday()]
    nth = (start.day - 1) // 7 + 1
    rules: dict[str, str] = {
        Repeat.WEEKLY: f"FREQ=WEEKLY;BYDAY={weekday}",
        Repeat.BIWEEKLY: f"FREQ=WEEKLY;INTERVAL=2;BYDAY={weekday}",
        # A fifth weekday is the month's last one: most months have no fifth.
        Repeat.MONTHLY_WEEKDAY: f"FREQ=MONTHLY;BYDAY={-1 if nth == 5 else nth}{weekday}",
        Repeat.MONTHLY_DAY: f"FREQ=MONTHLY;BYMONTHDAY={start.day}",
    }
    parts = rules[repeat]
    if count:
        parts += f";COUNT={count}"
    if until:
        parts += f";UNTIL={until:%Y%m%d}"
    return parts


# The zones of France first (the mainland, then overseas), then every other city-named IANA zone.
FRENCH_ZONES = [
    ("Europe/Paris", _("France métropolitaine (Paris)")),
    ("America/Guadeloupe", _("Guadeloupe")),
    ("America/Martinique", _("Martinique")),
    ("America/Cayenne", _("Guyane")),
    ("Indian/Reunion", _("La Réunion")),
    ("Indian/Mayotte", _("Mayotte")),
    ("America/Miquelon", _("Saint-Pierre-et-Miquelon")),
    ("Pacific/Noumea", _("Nouvelle-Calédonie")),
    ("Pacific/Tahiti", _("Polynésie française (Tahiti)")),
    ("Pacific/Wallis", _("Wallis-et-Futuna")),
]
WORLD_REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian",
                 "Pacific")


def time_zone_choices(current: str | None = None) -> list:
    french = {zone for zone, _label in FRENCH_ZONES}
    others = sorted(zone for zone in zoneinfo.available_timezones()
                    if zone.split("/", 1)[0] in WORLD_REGIONS and zone not in french)
    if current and current not in french and current not in others:
        others.insert(0, current)  # a zone set through the API stays as it was
    return [(_("France"), [(zone, f"{label} — {zone}") for zone, label in FRENCH_ZONES]),
            (_("Autres fuseaux"), [(zone, zone.replace("_", " ")) for zone in others])]


class CoOrganizerPicker(forms.CheckboxSelectMultiple):
    """Checkboxes with a search box above them (``essaim.js``); the lead organization is hidden."""

    template_name = "web/widgets/co_organizer_picker.html"


def preset_of(rrule: str, start: datetime) -> tuple[str, int | None, date | None] | None:
    """The form's choice that makes ``rrule`` from ``start``, with its number of dates or last day:
    a series reopens on what its organizer chose. None for a rule written by hand."""
    try:
        parts = rule_parts(rrule)
    except DomainError:
        return None
    count = int(parts.pop("COUNT")) if "COUNT" in parts else None
    until_text = parts.pop("UNTIL", "")
    if until_text and len(until_text) != len("YYYYMMDD"):
        return None  # the form writes a day, never a time
    until = datetime.strptime(until_text, "%Y%m%d").date() if until_text else None
    for repeat in Repeat:
        if repeat in (Repeat.NONE, Repeat.CUSTOM):
            continue
        if rule_parts(preset_rrule(repeat, start, count=None, until=None) + ";COUNT=1") == {
                **parts, "COUNT": "1"}:
            return repeat, count, until
    return None


class EventForm(forms.Form):
    """What an organizer types; ``event_create`` and ``event_update`` check the rules.

    With ``repeat=True`` (the create page and the series page) it also reads a
    recurrence: ``cleaned_data["rrule"]`` is then the RRULE to give
    ``series_create`` or ``series_update``, or None for a single event.
    """

    organization = forms.ModelChoiceField(label=_("Structure organisatrice"),
                                          queryset=Organization.objects.none())
    title = forms.CharField(label=_("Titre"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}),
                                  required=False, max_length=TEXT_MAX)
    format = forms.ChoiceField(label=_("Format"), choices=EventFormat.choices, initial=EventFormat.AUTRE)
    themes = forms.ModelMultipleChoiceField(label=_("Thèmes"), queryset=Theme.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    starts_at = LocalDateTimeField(label=_("Début"))
    ends_at = LocalDateTimeField(label=_("Fin"))
    all_day = forms.BooleanField(label=_("Toute la journée"), required=False,
                                 help_text=_("Du début du premier jour à la fin du dernier : les heures "
                                             "ci-dessus ne comptent plus."))
    time_zone = forms.ChoiceField(label=_("Fuseau horaire"), initial="Europe/Paris",
                                  choices=time_zone_choices, validators=[validate_time_zone],
                                  help_text=_("Les heures de début, de fin et d'inscription s'entendent "
                                              "dans ce fuseau."))
    room = forms.ModelChoiceField(label=_("Salle"), required=False,
                                  queryset=Room.objects.select_related("space").order_by("space__name",
                                                                                         "name"),
                                  help_text=_("Ou une adresse libre ci-dessous."))
    address = forms.CharField(label=_("Adresse"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Lien en ligne"), required=False, max_length=200,
                                assume_scheme="https",
                                help_text=_("Visioconférence ou diffusion, pour un événement en ligne "
                                            "ou hybride."))
    capacity = forms.IntegerField(label=_("Places"), min_value=1, required=False,
                                  help_text=_("Vide : sans limite."))
    registration_opens_at = LocalDateTimeField(
        label=_("Ouverture des inscriptions"), required=False,
        help_text=_("Vide : dès la publication."))
    registration_closes_at = LocalDateTimeField(
        label=_("Clôture des inscriptions"), required=False,
        help_text=_("Vide : au début de l'événement."))
    free = forms.BooleanField(label=_("Gratuit"), required=False)
    price_text = forms.CharField(label=_("Tarif"), max_length=200, required=False,
                                 help_text=_("S'il est payant : ex. « 5 €, gratuit pour les adhérent·es »."))
    audience = forms.CharField(label=_("Public"), max_length=200, required=False,
                               help_text=_("Ex. « Tout public », « Porteur·ses de projet », "
                                           "« Élu·es et agent·es des collectivités »."))
    accessibility = forms.CharField(
        label=_("Accessibilité"), required=False, max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Accès en fauteuil, boucle magnétique, interprétation LSF, transports…"))
    image = forms.FileField(
        label=_("Image"), required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        help_text=_("JPEG, PNG, WebP ou GIF, %(max)s Mo au plus ; idéalement en paysage, 1200 pixels "
                    "de large. Elle est réenregistrée sans ses métadonnées (position GPS comprise)."))
    image_clear = forms.BooleanField(label=_("Retirer l'image"), required=False)
    image_alt = forms.CharField(label=_("Description de l'image"), max_length=200, required=False,
                                help_text=_("Pour les personnes qui ne la voient pas : ce qu'elle montre."))
    campaign = forms.ModelChoiceField(label=_("Proposer à la campagne"), required=False,
                                      queryset=Campaign.objects.order_by("-starts_on"))
    co_organizers = forms.ModelMultipleChoiceField(
        label=_("Co-organisateurs"), required=False, queryset=Organization.objects.order_by("name"),
        widget=CoOrganizerPicker,
        help_text=_("Cochez les structures qui organisent avec vous. Chacune reçoit une demande et "
                    "devient co-organisatrice quand ses organisateur·rices l'acceptent."))
    status = forms.ChoiceField(label=_("Statut"), initial=EventStatus.DRAFT,
                               choices=[(EventStatus.DRAFT, EventStatus.DRAFT.label),
                                        (EventStatus.PUBLISHED, EventStatus.PUBLISHED.label)])
    reminder_day_before = forms.BooleanField(label=_("La veille à 9 h"), required=False, initial=True)
    reminder_two_hours = forms.BooleanField(label=_("2 heures avant"), required=False, initial=True)
    # Named after the model field: the services report reminder errors under ``reminders``.
    reminders = forms.CharField(label=_("Autres rappels"), max_length=200, required=False,
                                help_text=_("Séparés par des virgules : « 3d@18:00 » (3 jours avant à 18 h), "
                                            "« 30m » (30 minutes avant)."))
    repeat = forms.ChoiceField(label=_("Répétition"), choices=Repeat.choices, required=False)
    repeat_count = forms.IntegerField(label=_("Nombre de dates"), min_value=2, max_value=52, required=False)
    repeat_until = forms.DateField(label=_("Ou jusqu'au"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    rrule = forms.CharField(label=_("Règle avancée (RRULE)"), max_length=500, required=False,
                            help_text=_("Pour les expert·es, avec « Règle avancée » choisie : "
                                        "ex. FREQ=MONTHLY;BYDAY=1TH;COUNT=10 (COUNT ou UNTIL obligatoire)."))

    REPEAT_FIELDS = ("repeat", "repeat_count", "repeat_until", "rrule")

    # Absolute dates, which a series' many dates cannot share: set them date by date.
    SINGLE_EVENT_FIELDS = ("registration_opens_at", "registration_closes_at")

    def __init__(self, *args, organizations=None, lead=None, repeat: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = self.fields["image"].help_text % {
            "max": images.megabytes(settings.EVENT_IMAGE_MAX_BYTES)}
        self.fields["image"].widget.attrs.update({
            "data-max-bytes": settings.EVENT_IMAGE_MAX_BYTES,
            # The server's own sentence, the size filled in by essaim.js.
            "data-too-large": str(images.TOO_HEAVY).replace(
                "%(max)s", images.megabytes(settings.EVENT_IMAGE_MAX_BYTES))})
        zones = self.fields["time_zone"]
        assert isinstance(zones, forms.ChoiceField)
        zones.choices = time_zone_choices(self.initial.get("time_zone"))
        if repeat and organizations is None:
            for name in self.SINGLE_EVENT_FIELDS:
                del self.fields[name]
        # Where a refusal of the rule shows: the preset choice, or the free rule.
        self.rrule_field = "rrule"
        if not repeat:
            for name in self.REPEAT_FIELDS:
                del self.fields[name]
        elif organizations is None:
            # A series repeats: its page changes the rule, never drops it.
            cast(forms.ChoiceField, self.fields["repeat"]).choices = Repeat.choices[1:]
            self.fields["repeat"].required = True
        if organizations is None:
            # Editing: the lead organization does not change, nor co-organizes its own event.
            del self.fields["organization"]
            cast(forms.ModelMultipleChoiceField, self.fields["co_organizers"]).queryset = (
                Organization.objects.exclude(pk=lead.pk).order_by("name"))
        else:
            cast(forms.ModelChoiceField, self.fields["organization"]).queryset = organizations
            if len(organizations) == 1:
                self.fields["organization"].initial = organizations[0]

    def clean_image(self) -> images.PreparedImage | None:
        upload = self.cleaned_data.get("image")
        return images.prepare(upload) if upload else None

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        zone = data.get("time_zone")
        if zone:
            tz = zoneinfo.ZoneInfo(zone)
            # The field read the wall time in the site's zone; it means the event's zone.
            for name in ("starts_at", "ends_at", *self.SINGLE_EVENT_FIELDS):
                if data.get(name):
                    data[name] = timezone.make_naive(data[name]).replace(tzinfo=tz)
        if data.pop("free", False):
            data["price_text"] = str(_("Gratuit"))
        # A new image replaces the old one; "Retirer l'image" alone takes it away (the service
        # reads "" so); neither keeps it.
        if data.pop("image_clear", False) and not data.get("image"):
            data["image"] = ""
        if data.get("image") is None:
            data.pop("image", None)
        lead = data.get("organization")
        if lead is not None and lead in data.get("co_organizers", ()):
            self.add_error("co_organizers", _("« %(name)s » organise déjà l'événement : elle n'en est pas "
                                              "co-organisatrice.") % {"name": lead.name})
        others = [rule.strip() for rule in data.get("reminders", "").split(",") if rule.strip()]
        data["reminders"] = [
            *([DAY_BEFORE] if data.pop("reminder_day_before", False) else []),
            *([TWO_HOURS] if data.pop("reminder_two_hours", False) else []),
            *others,
        ]
        if "repeat" in self.fields:
            data["rrule"] = self._rrule(data)
        return data

    def _rrule(self, data: dict) -> str | None:
        """The RRULE the organizer chose, unchecked (the service validates it)."""
        repeat = data.pop("repeat", "")
        count, until = data.pop("repeat_count", None), data.pop("repeat_until", None)
        typed = data.get("rrule", "").strip()
        if repeat == Repeat.CUSTOM or (typed and not repeat):
            return typed
        if not repeat:
            return None
        self.rrule_field = "repeat"
        if count and until:
            self.add_error("repeat_until", _("Indiquez un nombre de dates ou une date de fin, pas les deux."))
            return None
        if not data.get("starts_at"):
            return None
        return preset_rrule(repeat, data["starts_at"], count=count, until=until)

    @classmethod
    def initial_for(cls, event: Event) -> dict:
        tz = zoneinfo.ZoneInfo(event.time_zone)
        return {
            "title": event.title, "description": event.description, "format": event.format,
            "themes": list(event.themes.all()), "time_zone": event.time_zone,
            "starts_at": event.starts_at.astimezone(tz).replace(tzinfo=None),
            "ends_at": event.ends_at.astimezone(tz).replace(tzinfo=None),
            "room": event.room_id, "address": event.address, "capacity": event.capacity,
            "all_day": event.all_day, "online_url": event.online_url, "audience": event.audience,
            "accessibility": event.accessibility, "image_alt": event.image_alt,
            "free": event.price_text.strip().lower() in FREE_WORDS,
            "price_text": "" if event.price_text.strip().lower() in FREE_WORDS else event.price_text,
            **{name: _wall_time(getattr(event, name), tz) for name in cls.SINGLE_EVENT_FIELDS},
            "campaign": event.campaign_id,
            # Invited and not declined: saving the form keeps pending requests, and choosing a
            # structure that declined asks it again.
            "co_organizers": [c.organization for c in event.co_organizations.exclude(
                status=CoOrganizationStatus.DECLINED).select_related("organization")],
            "status": event.status,
            "reminder_day_before": DAY_BEFORE in event.reminders,
            "reminder_two_hours": TWO_HOURS in event.reminders,
            "reminders": ", ".join(r for r in event.reminders if r not in (DAY_BEFORE, TWO_HOURS)),
        }

    @classmethod
    def initial_for_series(cls, series: Series, template: Event | None) -> dict:
        """The series' rule and first date, and the shared fields of ``template`` (a coming date)."""
        tz = zoneinfo.ZoneInfo(series.time_zone)
        start = series.starts_at.astimezone(tz).replace(tzinfo=None)
        initial = cls.initial_for(template) if template else {"title": series.title}
        initial.update(title=series.title, time_zone=series.time_zone, starts_at=start,
                       ends_at=start + series.duration)
        preset = preset_of(series.rrule, start)
        if preset is None:
            initial.update(repeat=Repeat.CUSTOM, rrule=series.rrule)
        else:
            initial.update(zip(("repeat", "repeat_count", "repeat_until"), preset, strict=True))
        return initial

    def add_service_error(self, error: DomainError | ValidationError) -> None:
        """Show a service's refusal next to the field it names, or above the form."""
        if isinstance(error, DomainError):
            self.add_error(self._field_for(error.field), error.detail)
            return
        for field, messages in error.message_dict.items() if hasattr(error, "error_dict") else [
                (None, error.messages)]:
            self.add_error(self._field_for(field), messages)

    def _field_for(self, name: str | None) -> str | None:
        if name == "rrule" and "repeat" in self.fields:
            return self.rrule_field
        return name if name in self.fields else None


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Motif de l'annulation"), max_length=NOTE_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Il s'affiche sur la page de l'événement et part aux inscrit·es."))


class ModerationForm(forms.Form):
    comment = forms.CharField(label=_("Commentaire pour les organisateur·rices"), required=False,
                              max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("Obligatoire pour un refus."))


class QueueFilterForm(forms.Form):
    """The moderation queue's filters; the choices are the coordinator's own territory."""

    moderation = forms.ChoiceField(label=_("État"), required=False, choices=[
        ("pending", _("En attente")), ("approved", _("Approuvés")), ("rejected", _("Refusés")),
        ("all", _("Tous"))])
    campaign = forms.ChoiceField(label=_("Campagne"), required=False)
    region = forms.ChoiceField(label=_("Région"), required=False)
    department = forms.ChoiceField(label=_("Département"), required=False)

    def __init__(self, *args, campaigns: list[Campaign], regions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["campaign"]).choices = [
            ("", _("Toutes")), *((c.slug, c.title) for c in campaigns)]
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            ("", _("Tout mon territoire")), *((r, r) for r in regions)]
        cast(forms.ChoiceField, self.fields["department"]).choices = [("", _("Tous")), *(
            (code, f"{name} ({code})") for code, name in sorted(
                ((code, DEPARTMENTS[code][0]) for code in departments_of(set(regions))),
                key=lambda pair: pair[1]))]

    def filters(self) -> dict[str, str]:
        """What the queue selector takes: pending events unless another state is chosen."""
        data = self.cleaned_data if self.is_valid() else {}
        moderation = data.get("moderation") or "pending"
        return {"moderation": "" if moderation == "all" else moderation,
                "campaign": data.get("campaign", ""), "region": data.get("region", ""),
                "department": data.get("department", "")}


class BulkModerationForm(forms.Form):
    events = forms.TypedMultipleChoiceField(coerce=int, error_messages={
        "required": _("Cochez au moins un événement."),
        "invalid_choice": _("Un des événements cochés n'est plus dans la file : rechargez la page.")})
    decision = forms.ChoiceField(choices=[("approve", _("Approuver")), ("reject", _("Refuser"))])
    comment = forms.CharField(label=_("Commentaire pour les organisateur·rices"), required=False,
                              max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("Obligatoire pour un refus ; "
                                          "le même pour chaque événement choisi."))

    def __init__(self, *args, event_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["events"]).choices = [(pk, pk) for pk in event_ids]


class DeskCheckinForm(forms.Form):
    """The code a desk types or scans; ``checkin_attempt`` checks everything else."""

    code = forms.CharField(
        label=_("Code du pass"), max_length=64,
        help_text=_("Les 8 caractères du code court, ou le code lu dans le QR code."),
        widget=forms.TextInput(attrs={
            "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
            "autofocus": True, "class": "code-input",
        }),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not is_well_formed_code(code):
            raise ValidationError(
                _("Code de pass mal formé : 32 caractères du QR code ou 8 caractères du code court."))
        return code


class WalkInForm(forms.Form):
    """A walk-in or trial day given at the desk; ``passes.services.walk_in`` checks the rest."""

    plan = forms.ModelChoiceField(label=_("Formule"), queryset=Plan.objects.none(), empty_label=None)
    name = forms.CharField(label=_("Nom"), max_length=150, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = forms.EmailField(
        label=_("Adresse e-mail"), required=False,
        help_text=_("Facultative pour une journée sur place ; "
                    "obligatoire pour une journée d'essai, offerte une fois par adresse."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, space: Space, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["plan"]).queryset = one_day_plans(space)


class PassSellForm(forms.Form):
    """A pass sold at a space; an address without an account receives an invitation."""

    plan = forms.ModelChoiceField(label=_("Forfait"), queryset=Plan.objects.none(), empty_label=None)
    email = forms.EmailField(label=_("Adresse e-mail du ou de la titulaire"),
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    valid_from = forms.DateField(label=_("Valable à partir du"), validators=[date_in_range],
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, space: Space, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["plan"]).queryset = subscription_plans(space)
        self.fields["valid_from"].initial = space.local_date(timezone.now())


class PassSearchForm(forms.Form):
    q = forms.CharField(label=_("Nom, e-mail ou code court"), required=False, max_length=150)
    status = forms.ChoiceField(label=_("Statut"), required=False,
                               choices=[("", _("Tous")), *PassStatus.choices])


class SourceForm(forms.Form):
    """An imported agenda: an address or a file, and what its events get."""

    name = forms.CharField(label=_("Nom"), max_length=200, required=False,
                           help_text=_("Vide : l'adresse ou le nom du fichier."))
    url = forms.CharField(label=_("Adresse de l'agenda"), max_length=2000, required=False,
                          widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://…"}),
                          help_text=_("Le lien iCal (.ics, webcal://) que donnent Google Agenda, Nextcloud, "
                                      "Outlook, Mobilizon, Gancio ou votre site."))
    file = forms.FileField(label=_("Ou un fichier"), required=False,
                           help_text=_("Un agenda .ics, ou un programme .csv (voir le modèle)."))
    format = forms.ChoiceField(label=_("Format par défaut"), choices=EventFormat.choices,
                               initial=EventFormat.AUTRE)
    themes = forms.ModelMultipleChoiceField(label=_("Thèmes"), queryset=Theme.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    campaign = forms.ModelChoiceField(label=_("Proposer à la campagne"), required=False,
                                      queryset=Campaign.objects.order_by("-starts_on"),
                                      help_text=_("Les dates dans la période de la campagne lui sont "
                                                  "proposées et attendent sa modération."))
    keyword = forms.CharField(label=_("Mot-clé"), max_length=100, required=False,
                              help_text=_("N'importer que les événements dont le titre ou les catégories "
                                          "contiennent ce mot (ex. ESS)."))
    time_zone = forms.CharField(label=_("Fuseau horaire de la structure"), max_length=64,
                                initial="Europe/Paris", validators=[validate_time_zone],
                                help_text=_("Les heures sans fuseau de l'agenda y sont lues."))
    interval_minutes = forms.IntegerField(label=_("Synchroniser toutes les (minutes)"), min_value=15,
                                          max_value=24 * 60, initial=60)

    def __init__(self, *args, editing: bool = False, kept_file: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing, self.kept_file = editing, kept_file
        if editing:
            del self.fields["file"]

    def clean(self) -> dict:
        data = super().clean() or {}
        if not (self.editing or self.kept_file) and not data.get("url") and not data.get("file"):
            self.add_error("url", _("Indiquez l'adresse de l'agenda ou joignez un fichier."))
        if data.get("url") and data.get("file"):
            self.add_error("file", _("Une adresse ou un fichier, pas les deux."))
        return data

    def service_fields(self) -> dict:
        """The fields of ``source_create`` (or ``source_update``); a file is read into bytes."""
        data = dict(self.cleaned_data)
        uploaded = data.pop("file", None)
        if not self.editing:
            if uploaded is not None:
                name = uploaded.name or ""
                data.update(kind="csv" if name.lower().endswith(".csv") else "ics", upload=uploaded.read(),
                            upload_name=name, url="")
            else:
                data["kind"] = "url"
        elif not data.get("url"):
            data.pop("url")
        return data

    def add_service_error(self, error: DomainError | ValidationError) -> None:
        if isinstance(error, DomainError):
            self.add_error(error.field if error.field in self.fields else None, error.detail)
            return
        for field, messages in error.message_dict.items() if hasattr(error, "error_dict") else [
                (None, error.messages)]:
            self.add_error(field if field in self.fields else None, messages)

    @classmethod
    def initial_for(cls, source) -> dict:
        return {"name": source.name, "url": source.url, "format": source.format,
                "themes": list(source.themes.all()), "campaign": source.campaign_id,
                "keyword": source.keyword, "time_zone": source.time_zone,
                "interval_minutes": source.interval_minutes}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Nouvelle version du fichier"))
