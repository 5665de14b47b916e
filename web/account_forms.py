"""Forms of the account pages; the rules they lead to live in ``accounts/services.py``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backend.api import DomainError
from network.models import Organization, Person, Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _password(label, autocomplete: str, *, help_text: StrOrPromise = "") -> forms.CharField:
    return forms.CharField(label=label, strip=False, max_length=256, help_text=help_text,
                           widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}))


def _new_password(label=None) -> forms.CharField:
    return _password(label or _("Mot de passe"), "new-password",
                     help_text=_("Au moins 8 caractères, pas seulement des chiffres, ni trop courant."))


def _email() -> forms.EmailField:
    return forms.EmailField(label=_("Adresse e-mail"), max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))


def _full_name(required: bool = False) -> forms.CharField:
    return forms.CharField(label=_("Nom complet"), max_length=150, required=required,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))


def show_refusal(form: forms.BaseForm, error: DomainError | ValidationError) -> None:
    """Put a service's refusal on the field it names (or above the form)."""
    if isinstance(error, DomainError):
        form.add_error(error.field if error.field in form.fields else None, error.detail)
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class SignupForm(forms.Form):
    full_name = _full_name()
    email = _email()
    password = _new_password()


class EmailForm(forms.Form):
    email = _email()


class NewPasswordForm(forms.Form):
    password = _new_password(_("Nouveau mot de passe"))


class PasswordChangeForm(forms.Form):
    current_password = _password(_("Mot de passe actuel"), "current-password")
    new_password = _new_password(_("Nouveau mot de passe"))


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("Nouvelle adresse e-mail"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = _password(_("Votre mot de passe, pour confirmer"), "current-password")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["full_name", "language"]
        widgets = {"full_name": forms.TextInput(attrs={"autocomplete": "name"})}


class EraseForm(forms.Form):
    password = _password(_("Votre mot de passe, pour confirmer"), "current-password")


class InviteForm(forms.Form):
    email = _email()
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices, initial=Role.ORGANIZER)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class InvitationSignupForm(forms.Form):
    full_name = _full_name(required=True)
    password = _new_password()


class OrganizationForm(forms.ModelForm):
    website = forms.URLField(label=_("Site web"), max_length=200, required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = ["name", "kind", "region", "department", "commune_insee", "website",
                  "contact_email", "description"]

