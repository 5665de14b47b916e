"""Forms of the attendees and door pages; the rules they lead to live in ``events.services``
and ``events.attendance``."""

from __future__ import annotations

import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from events import attendance
from events.models import Audience, RegistrationStatus


class RegistrationSearchForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), max_length=100, required=False,
                        help_text=_("Nom, adresse e-mail ou code d'entrée."),
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    status = forms.ChoiceField(label=_("Statut"), required=False, choices=[
        ("", _("Confirmées et liste d'attente")), *RegistrationStatus.choices, ("all", _("Toutes"))])


class RegistrationAddForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = forms.EmailField(label=_("Adresse e-mail"), max_length=254,
                             help_text=_("La personne reçoit la confirmation et son code d'entrée."),
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))


class EventMessageForm(forms.Form):
    audience = forms.ChoiceField(label=_("À qui"), choices=Audience.choices, initial=Audience.CONFIRMED)
    subject = forms.CharField(label=_("Objet"), max_length=150)
    body = forms.CharField(label=_("Message"), max_length=5_000,
                           help_text=_("Envoyé à chaque personne, avec les informations de l'événement "
                                       "et le lien de son inscription."),
                           widget=forms.Textarea(attrs={"rows": 6}))
    # Made when the form is shown: posting the same form twice sends the message once.
    key = forms.RegexField(regex=r"^[A-Za-z0-9_-]{8,64}$", widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", secrets.token_urlsafe(16))


class DoorForm(forms.Form):
    """The code the door types or scans; ``registration_check_in`` checks everything else."""

    code = forms.CharField(
        label=_("Code d'entrée"), max_length=32,
        help_text=_("Les 8 caractères de la confirmation d'inscription, ou son QR code."),
        widget=forms.TextInput(attrs={
            "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
            "autofocus": True, "class": "code-input",
        }),
    )

    def clean_code(self) -> str:
        try:
            return attendance.code_clean(self.cleaned_data["code"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["code"]) from error
