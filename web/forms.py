"""Forms of the web pages. Rules stay in the services; forms only read input."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.api import DomainError
from events.models import NOTE_MAX, TEXT_MAX, Campaign, Event, EventFormat, EventStatus, Theme
from network.models import Organization
from passes.selectors import is_well_formed_code
from spaces.models import Room, validate_time_zone


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


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input: a wall time, read in the event's zone by :class:`EventForm`."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class EventForm(forms.Form):
    """What an organizer types; ``event_create`` and ``event_update`` check the rules."""

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
    time_zone = forms.CharField(label=_("Fuseau horaire"), max_length=64, initial="Europe/Paris",
                                validators=[validate_time_zone],
                                help_text=_("Les heures ci-dessus s'entendent dans ce fuseau."))
    room = forms.ModelChoiceField(label=_("Salle"), required=False,
                                  queryset=Room.objects.select_related("space").order_by("space__name",
                                                                                         "name"),
                                  help_text=_("Ou une adresse libre ci-dessous."))
    address = forms.CharField(label=_("Adresse"), max_length=300, required=False)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, required=False,
                                  help_text=_("Vide : sans limite."))
    campaign = forms.ModelChoiceField(label=_("Proposer à la campagne"), required=False,
                                      queryset=Campaign.objects.order_by("-starts_on"))
    co_organizers = forms.ModelMultipleChoiceField(label=_("Co-organisateurs"), required=False,
                                                   queryset=Organization.objects.all(),
                                                   widget=forms.SelectMultiple(attrs={"size": 5}))
    status = forms.ChoiceField(label=_("Statut"), initial=EventStatus.DRAFT,
                               choices=[(EventStatus.DRAFT, EventStatus.DRAFT.label),
                                        (EventStatus.PUBLISHED, EventStatus.PUBLISHED.label)])

    def __init__(self, *args, organizations=None, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is None:
            # Editing: the lead organization does not change, nor co-organizes its own event.
            del self.fields["organization"]
            self.fields["co_organizers"].queryset = Organization.objects.exclude(pk=lead.pk)
        else:
            self.fields["organization"].queryset = organizations
            if len(organizations) == 1:
                self.fields["organization"].initial = organizations[0]

    def clean(self) -> dict:
        data = super().clean()
        zone = data.get("time_zone")
        if zone:
            tz = zoneinfo.ZoneInfo(zone)
            # The field read the wall time in the site's zone; it means the event's zone.
            for name in ("starts_at", "ends_at"):
                if data.get(name):
                    data[name] = timezone.make_naive(data[name]).replace(tzinfo=tz)
        return data

    @classmethod
    def initial_for(cls, event: Event) -> dict:
        tz = zoneinfo.ZoneInfo(event.time_zone)
        return {
            "title": event.title, "description": event.description, "format": event.format,
            "themes": list(event.themes.all()), "time_zone": event.time_zone,
            "starts_at": event.starts_at.astimezone(tz).replace(tzinfo=None),
            "ends_at": event.ends_at.astimezone(tz).replace(tzinfo=None),
            "room": event.room_id, "address": event.address, "capacity": event.capacity,
            "campaign": event.campaign_id, "co_organizers": list(event.co_organizers.all()),
            "status": event.status,
        }

    def add_service_error(self, error: DomainError | ValidationError) -> None:
        """Show a service's refusal next to the field it names, or above the form."""
        if isinstance(error, DomainError):
            self.add_error(error.field if error.field in self.fields else None, error.detail)
            return
        for field, messages in error.message_dict.items() if hasattr(error, "error_dict") else [
                (None, error.messages)]:
            self.add_error(field if field in self.fields else None, messages)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Motif de l'annulation"), max_length=NOTE_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Il s'affiche sur la page de l'événement et part aux inscrit·es."))


class ModerationForm(forms.Form):
    comment = forms.CharField(label=_("Commentaire pour les organisateur·rices"), required=False,
                              max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("Obligatoire pour un refus."))


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
