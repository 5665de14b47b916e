"""Writes of the account flows: sign-up, verification, password reset and change, invitations.

Answers never tell whether an address has an account: signing up with a known address sends
its owner a note instead of a verification link, asking for a reset with an unknown one sends
nothing, and both cost the same password hash as the real thing.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.authtoken.models import Token

from accounts import messages
from accounts.models import Invitation, InvitationStatus
from accounts.tokens import new_secret, person_for_link, reset_tokens, secret_hash, verification_tokens
from backend.api import DomainError
from events.models import Registration
from feeds.tasks import feeds_mark_stale
from network.models import Membership, Organization, Person, Role
from network.selectors import organization_ids_for
from network.services import MembershipExists, membership_add
from passes.models import PassStatus
from passes.services import pass_issue, pass_set_status
from spaces.models import Space


class LinkInvalid(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "link_invalid"
    message = _("Ce lien a expiré ou a déjà servi. Demandez-en un nouveau.")


class WrongPassword(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "wrong_password"
    message = _("Mot de passe incorrect.")


class SameEmail(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "same_email"
    message = _("C'est déjà l'adresse de votre compte.")


class InvitationInvalid(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "invitation_invalid"
    message = _("Cette invitation a expiré, a été révoquée ou a déjà été acceptée.")


class InvitationForSomeoneElse(DomainError):
    status = status.HTTP_403_FORBIDDEN
    code = "invitation_other_person"
    message = _("Cette invitation est adressée à une autre adresse e-mail que celle de votre compte. "
                "Déconnectez-vous, puis ouvrez de nouveau le lien.")


class AccountExists(DomainError):
    code = "account_exists"
    message = _("Un compte existe déjà avec l'adresse de cette invitation : connectez-vous pour "
                "l'accepter.")


class AlreadyInvited(DomainError):
    code = "already_invited"
    message = _("Une invitation à ce rôle attend déjà cette adresse : renvoyez-la plutôt.")


class InvitationClosed(DomainError):
    code = "invitation_closed"
    message = _("Cette invitation a déjà été acceptée ou révoquée.")


def normalize_email(email: str) -> str:
    return Person.objects.normalize_email(email.strip()).lower()


def _validate_password(password: str, person: Person, field: str = "password") -> None:
    try:
        validate_password(password, person)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


# --- Sign-up and verification ---------------------------------------------------


def signup(*, email: str, password: str, full_name: str = "", language: str = "fr") -> Person | None:
    """Create an unverified account and send its verification link; for an address that has an
    account, tell its owner instead (the caller answers the same either way). The password is
    checked against Django's validators first, whatever the address."""
    email = normalize_email(email)
    _validate_password(password, Person(email=email, full_name=full_name))
    hashed = make_password(password)
    existing = Person.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                person = Person.objects.create(email=email, password=hashed, full_name=full_name,
                                               language=language, email_verified=False)
                messages.verification(person)
                return person
        except IntegrityError:  # the same address signed up at the same moment
            existing = Person.objects.filter(email__iexact=email).first()
    if existing is not None and existing.is_active:
        messages.signup_again(existing)
    return None


def verification_send(*, person: Person) -> None:
    if not person.email_verified:
        messages.verification(person)


@transaction.atomic
def email_verify(*, uid: str, token: str) -> Person:
    person = person_for_link(uid, token, verification_tokens)
    if person is None:
        raise LinkInvalid(field="token")
    _mark_verified(person)
    return person


def _mark_verified(person: Person) -> None:
    """The person proved their address: registrations made with it as a guest become theirs."""
    if not person.email_verified:
        person.email_verified = True
        person.save(update_fields=["email_verified"])
    attached = (Registration.objects.filter(person=None, email__iexact=person.email)
                .exclude(event__in=Registration.objects.filter(person=person).values("event"))
                .update(person=person))
    if attached:
        feeds_mark_stale([f"person:{person.pk}"])  # their personal feed now holds these events


# --- Changing one's address ------------------------------------------------------------

EMAIL_CHANGE_SALT = "accounts.email-change"


@transaction.atomic
def email_change_request(*, person: Person, new_email: str, password: str) -> None:
    """Send a confirmation link to ``new_email``; the address changes when it is opened. An
    address that already has an account gets a note instead (the answer is the same)."""
    if not person.check_password(password):
        raise WrongPassword(field="password")
    new_email = normalize_email(new_email)
    if new_email == normalize_email(person.email):
        raise SameEmail(field="email")
    owner = Person.objects.filter(email__iexact=new_email).first()
    if owner is not None:
        messages.signup_again(owner)
        return
    token = signing.dumps({"id": person.pk, "old": person.email, "new": new_email}, salt=EMAIL_CHANGE_SALT)
    messages.email_change(person, new_email, token)


@transaction.atomic
def email_change_confirm(*, token: str) -> Person:
    """Move the account to the new address of a link; the link serves once (it names the old
    address) and expires like the others."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature as error:
        raise LinkInvalid(field="token") from error
    person = Person.objects.select_for_update().filter(pk=data["id"], email=data["old"],
                                                       is_active=True).first()
    if person is None or Person.objects.filter(email__iexact=data["new"]).exists():
        raise LinkInvalid(field="token")
    person.email = data["new"]
    person.save(update_fields=["email"])
    _mark_verified(person)
    messages.email_changed(person, old_email=data["old"])
    return person


# --- Passwords --------------------------------------------------------------------


def password_reset_request(*, email: str) -> None:
    """Send a reset link if ``email`` names an active account; nothing otherwise."""
    person = Person.objects.filter(email__iexact=normalize_email(email), is_active=True).first()
    if person is not None:
        messages.password_reset(person)


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, password: str) -> Person:
    """Set a new password through a reset link. The link served once (the password hash it
    signs changes); the API tokens made with the old password stop working; the address is
    proved, since the link was sent to it."""
    person = person_for_link(uid, token, reset_tokens)
    if person is None:
        raise LinkInvalid(field="token")
    _set_password(person, password, field="password")
    _mark_verified(person)
    return person


@transaction.atomic
def password_change(*, person: Person, current_password: str, new_password: str) -> None:
    if not person.check_password(current_password):
        raise WrongPassword(field="current_password")
    _set_password(person, new_password, field="new_password")


def _set_password(person: Person, password: str, *, field: str) -> None:
    _validate_password(password, person, field)
    person.set_password(password)
    person.save(update_fields=["password"])
    Token.objects.filter(user=person).delete()


# --- Invitations ---------------------------------------------------------------------


def _expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


def _send(invitation: Invitation, language: str | None = None) -> Invitation:
    secret, digest = new_secret()
    invitation.token_hash = digest
    invitation.sent_at = timezone.now()
    invitation.expires_at = _expiry()
    invitation.save()
    messages.invitation(invitation, secret, language or get_language() or "fr")
    return invitation


@transaction.atomic
def invitation_create(*, inviter: Person, organization: Organization, email: str, role: str) -> Invitation:
    """Invite ``email`` to ``role`` in ``organization`` (the caller checked the inviter is its
    admin). The role is given when the invited person accepts."""
    email = normalize_email(email)
    if Membership.objects.filter(organization=organization, role=role, person__email__iexact=email).exists():
        raise MembershipExists(field="role")
    pending = Invitation.objects.filter(organization=organization, role=role, email__iexact=email,
                                        accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
    if pending.exists():
        raise AlreadyInvited(field="email")
    return _send(Invitation(email=email, organization=organization, role=role, invited_by=inviter))


@transaction.atomic
def pass_sell(*, seller: Person, plan, email: str, issuing_space: Space, valid_from) -> tuple:
    """Sell a pass to ``email`` (the caller checked the seller runs ``issuing_space``): to its
    account when the address is verified; otherwise the pass is issued without a holder and an
    invitation hands it over once accepted. Returns the pass and the invitation (or None)."""
    holder = verified_person(email)
    held_pass = pass_issue(plan=plan, holder=holder, issuing_space=issuing_space, valid_from=valid_from)
    if holder is not None:
        return held_pass, None
    return held_pass, _send(Invitation(email=normalize_email(email), held_pass=held_pass, invited_by=seller))


@transaction.atomic
def invitation_resend(*, invitation: Invitation) -> Invitation:
    """A new link (the previous one stops working) and a new expiry."""
    if invitation.status in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED):
        raise InvitationClosed()
    return _send(invitation)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Close a pending invitation; a pass waiting for it is revoked with it."""
    if invitation.status in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED):
        raise InvitationClosed()
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    if invitation.held_pass is not None:
        pass_set_status(pass_obj=invitation.held_pass, status=PassStatus.REVOKED)
    return invitation


def invitation_by_secret(secret: str) -> Invitation | None:
    """The invitation of a link, whatever its status (None for an unknown link)."""
    return (Invitation.objects.select_related("organization", "held_pass__issuing_space", "held_pass__plan")
            .filter(token_hash=secret_hash(secret)).first())


@transaction.atomic
def invitation_accept(*, invitation: Invitation, person: Person) -> Invitation:
    """``person`` (signed in with the invited address) takes the role or the pass."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != InvitationStatus.PENDING:
        raise InvitationInvalid(field="token")
    if normalize_email(person.email) != normalize_email(invitation.email):
        raise InvitationForSomeoneElse(field="token")
    _mark_verified(person)
    if (held := invitation.held_pass) is not None:
        held.holder = person
        held.save(update_fields=["holder"])
    else:
        organization = invitation.organization
        assert organization is not None, "an invitation is to a pass or to an organization"
        if not Membership.objects.filter(person=person, organization=organization,
                                         role=invitation.role).exists():
            membership_add(organization=organization, person=person, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = person
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation


@transaction.atomic
def invitation_accept_new(*, invitation: Invitation, password: str, full_name: str = "",
                          language: str = "fr") -> Person:
    """Create the invited person's account (verified: the link came to the address) and accept."""
    if invitation.status != InvitationStatus.PENDING:
        raise InvitationInvalid(field="token")
    if Person.objects.filter(email__iexact=invitation.email).exists():
        raise AccountExists()
    person = Person(email=normalize_email(invitation.email), full_name=full_name, language=language)
    _validate_password(password, person)
    person.set_password(password)
    person.save()
    invitation_accept(invitation=invitation, person=person)
    return person


def verified_person(email: str) -> Person | None:
    """The active account of ``email`` whose address is proved, to which a role or a pass may
    go directly; None means an invitation has to reach the address first."""
    return Person.objects.filter(email__iexact=normalize_email(email), is_active=True,
                                 email_verified=True).first()


def invitations_managed_by(person: Person):
    """The invitations ``person`` may see, resend and revoke: those of the organizations they
    administer, and of the passes sold by the spaces they run."""
    admin_of = organization_ids_for(person, Role.ADMIN)
    spaces = Space.objects.filter(operator_id__in=organization_ids_for(person, Role.SPACE_MANAGER))
    return (Invitation.objects.filter(Q(organization_id__in=admin_of)
                                      | Q(held_pass__issuing_space__in=spaces))
            .select_related("organization", "invited_by", "held_pass__issuing_space"))
