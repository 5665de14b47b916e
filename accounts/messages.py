"""The account emails, recorded in the outbox (``worker/outbox.py``) like every other message.

All are essential: they answer something the person (or an organization's admin, or a space
that sold them a pass) just asked for, so they carry no unsubscribe link.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import Invitation
from accounts.tokens import reset_tokens, uid_for, verification_tokens
from network.models import Person
from worker.outbox import message_record


def site_link(name: str, *args: str) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _send(*, kind: str, key: str, to: str, language: str, subject: str, lines: list[str]) -> None:
    # Each request is a message of its own: a second link asked for is sent too.
    message_record(key=f"{kind}:{key}:{secrets.token_hex(8)}", kind=kind, to=to, language=language,
                   subject=subject, body_text="\n\n".join(lines), essential=True)


def _hello(person: Person | None) -> str:
    if person is not None and person.full_name:
        return gettext("Bonjour %(name)s,") % {"name": person.full_name}
    return gettext("Bonjour,")


def verification(person: Person) -> None:
    link = site_link("web:account-verify", uid_for(person), verification_tokens.make_token(person))
    with translation.override(person.language):
        _send(kind="account_verification", key=str(person.pk), to=person.email, language=person.language,
              subject=gettext("Confirmez votre adresse e-mail"), lines=[
                  _hello(person),
                  gettext("Pour confirmer votre adresse sur Essaim, ouvrez ce lien :"),
                  link,
                  gettext("Ce lien sert une fois et expire dans %(days)s jours. Si vous n'avez pas créé "
                          "de compte, ignorez ce message.") % {"days": _link_days()},
              ])


def signup_again(person: Person) -> None:
    """Someone asked to create an account with an address that has one: tell its owner."""
    with translation.override(person.language):
        _send(kind="account_exists", key=str(person.pk), to=person.email, language=person.language,
              subject=gettext("Vous avez déjà un compte Essaim"), lines=[
                  _hello(person),
                  gettext("Quelqu'un (vous, sans doute) a demandé à créer un compte Essaim avec cette "
                          "adresse, qui en a déjà un. Connectez-vous :"),
                  site_link("web:signin"),
                  gettext("Mot de passe oublié ? Choisissez-en un nouveau :"),
                  site_link("web:password-reset"),
              ])


def email_change(person: Person, new_email: str, token: str) -> None:
    link = site_link("web:email-change-confirm", token)
    with translation.override(person.language):
        _send(kind="email_change", key=str(person.pk), to=new_email, language=person.language,
              subject=gettext("Confirmez votre nouvelle adresse e-mail"), lines=[
                  _hello(person),
                  gettext("Pour que votre compte Essaim utilise désormais cette adresse, ouvrez ce lien :"),
                  link,
                  gettext("Ce lien sert une fois et expire dans %(days)s jours. Si vous n'avez rien "
                          "demandé, ignorez ce message.") % {"days": _link_days()},
              ])


def email_changed(person: Person, *, old_email: str) -> None:
    """Tell the previous address, in case the change was not its owner's doing."""
    with translation.override(person.language):
        _send(kind="email_changed", key=str(person.pk), to=old_email, language=person.language,
              subject=gettext("Votre adresse e-mail a changé"), lines=[
                  _hello(person),
                  gettext("Votre compte Essaim utilise désormais l'adresse %(email)s. Si ce n'est pas "
                          "vous, répondez à ce message.") % {"email": person.email},
              ])


def password_reset(person: Person) -> None:
    link = site_link("web:password-reset-confirm", uid_for(person), reset_tokens.make_token(person))
    with translation.override(person.language):
        _send(kind="password_reset", key=str(person.pk), to=person.email, language=person.language,
              subject=gettext("Nouveau mot de passe"), lines=[
                  _hello(person),
                  gettext("Pour choisir un nouveau mot de passe, ouvrez ce lien :"),
                  link,
                  gettext("Ce lien sert une fois et expire dans %(days)s jours. Si vous n'avez rien "
                          "demandé, ignorez ce message : votre mot de passe ne change pas.")
                  % {"days": _link_days()},
              ])


def invitation(invitation: Invitation, secret: str, language: str) -> None:
    link = site_link("web:invitation", secret)
    inviter = invitation.invited_by.get_full_name() if invitation.invited_by else "Essaim"
    with translation.override(language):
        if (held := invitation.held_pass) is not None:
            space = held.issuing_space.name
            subject = gettext("Votre pass coworking — %(space)s") % {"space": space}
            what = gettext("%(space)s vous a vendu un pass coworking « %(plan)s ». Pour le recevoir, "
                           "ouvrez ce lien et créez votre compte (ou connectez-vous) :") % {
                "space": space, "plan": held.plan.name}
        else:
            organization = invitation.organization
            assert organization is not None, "an invitation is to a pass or to an organization"
            subject = gettext("Invitation à rejoindre %(organization)s sur Essaim") % {
                "organization": organization.name}
            what = gettext("%(inviter)s vous invite à rejoindre %(organization)s sur Essaim comme "
                           "%(role)s. Pour accepter, ouvrez ce lien :") % {
                "inviter": inviter, "organization": organization.name,
                "role": invitation.get_role_display().lower()}
        _send(kind="invitation", key=str(invitation.pk), to=invitation.email, language=language,
              subject=subject, lines=[
                  gettext("Bonjour,"), what, link,
                  gettext("Cette invitation expire le %(date)s.") % {
                      "date": timezone.localtime(invitation.expires_at).strftime("%d/%m/%Y")},
              ])


def _link_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
