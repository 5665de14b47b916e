"""Account pages: sign-up, verification, password reset and change, profile, erasure,
invitations, and an organization's members. The rules are ``accounts/services.py``'s and
``network/services.py``'s; these views show forms and answers."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import services
from accounts.models import Invitation, InvitationStatus
from accounts.throttling import refused_for
from accounts.tokens import person_for_link, reset_tokens, verification_tokens
from backend.api import DomainError
from network import privacy
from network.models import Membership, Organization, Person, Role
from network.selectors import has_role
from network.services import membership_remove, organization_create
from web.account_forms import (
    EmailChangeForm,
    EmailForm,
    EraseForm,
    InvitationSignupForm,
    InviteForm,
    NewPasswordForm,
    OrganizationForm,
    PasswordChangeForm,
    ProfileForm,
    SignupForm,
    show_refusal,
)


def _too_many(request, wait: float):
    response = render(request, "web/account/too_many.html", status=429)
    response["Retry-After"] = str(int(wait))
    return response


def _private(response):
    """Pages reached through a secret link are never kept by a cache."""
    add_never_cache_headers(response)
    return response


# --- Sign-up and verification ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("web:account")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if wait := refused_for(request, form.cleaned_data["email"]):
            return _too_many(request, wait)
        try:
            services.signup(**form.cleaned_data, language=get_language() or "fr")
        except ValidationError as error:
            show_refusal(form, error)
        else:
            return redirect("web:signup-sent")
    return render(request, "web/account/signup.html", {"form": form})


@require_safe
def signup_sent(request):
    return render(request, "web/account/sent.html", {"signup": True})


@require_http_methods(["GET", "POST"])
def verify(request, uid: str, token: str):
    """The link of the verification email. Opening it shows a button: mail scanners that fetch
    links must not use up a single-use link."""
    if request.method == "POST":
        try:
            person = services.email_verify(uid=uid, token=token)
        except DomainError as error:
            messages.error(request, error.detail)
            return redirect("web:account" if request.user.is_authenticated else "web:signin")
        messages.success(request, _("Votre adresse e-mail est confirmée."))
        if request.user.is_authenticated and request.user.pk == person.pk:
            return redirect("web:account")
        return redirect(f"{reverse('web:signin')}?next={reverse('web:account')}")
    valid = person_for_link(uid, token, verification_tokens) is not None
    return _private(render(request, "web/account/verify.html", {"valid": valid},
                           status=200 if valid else 400))


@login_required
@require_POST
def verify_resend(request):
    if wait := refused_for(request, request.user.email):
        return _too_many(request, wait)
    services.verification_send(person=request.user)
    messages.success(request, _("Un nouveau lien de confirmation est parti vers %(email)s.")
                     % {"email": request.user.email})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("web:account")
    return redirect(target)


# --- Passwords ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if wait := refused_for(request, form.cleaned_data["email"]):
            return _too_many(request, wait)
        services.password_reset_request(email=form.cleaned_data["email"])
        return redirect("web:password-reset-sent")
    return render(request, "web/account/password_reset.html", {"form": form})


@require_safe
def password_reset_sent(request):
    return render(request, "web/account/sent.html", {"signup": False})


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request, uid: str, token: str):
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(uid=uid, token=token, password=form.cleaned_data["password"])
        except (DomainError, ValidationError) as error:
            show_refusal(form, error)
        else:
            if request.user.is_authenticated:
                logout(request)
            messages.success(request, _("Votre mot de passe est changé : connectez-vous avec le nouveau."))
            return redirect("web:signin")
    valid = person_for_link(uid, token, reset_tokens) is not None
    return _private(render(request, "web/account/password_reset_confirm.html",
                           {"form": form, "valid": valid}, status=200 if valid else 400))


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(person=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as error:
            show_refusal(form, error)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Votre mot de passe est changé."))
            return redirect("web:account")
    return render(request, "web/account/password_change.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def email_change(request):
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if wait := refused_for(request, form.cleaned_data["email"]):
            return _too_many(request, wait)
        try:
            services.email_change_request(person=request.user, new_email=form.cleaned_data["email"],
                                          password=form.cleaned_data["password"])
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Un message vient de partir vers %(email)s : votre adresse "
                                        "changera quand vous ouvrirez son lien.") % form.cleaned_data)
            return redirect("web:account")
    return render(request, "web/account/email_change.html", {"form": form})


@require_http_methods(["GET", "POST"])
def email_change_confirm(request, token: str):
    """The link sent to the new address; a button again, for mail scanners."""
    if request.method == "POST":
        try:
            services.email_change_confirm(token=token)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("Votre adresse e-mail est changée."))
        return redirect("web:account" if request.user.is_authenticated else "web:signin")
    return _private(render(request, "web/account/verify.html", {"valid": True, "email_change": True}))


# --- Profile, data, erasure ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Votre profil est enregistré."))
        response = redirect("web:account")
        # The chosen language applies at once, as Django's set_language view would.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"],
                            max_age=settings.LANGUAGE_COOKIE_AGE, samesite=settings.LANGUAGE_COOKIE_SAMESITE)
        return response
    memberships = (Membership.objects.filter(person=request.user).select_related("organization")
                   .order_by("organization__name", "role"))
    return render(request, "web/account/account.html", {"form": form, "memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def erase(request):
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not request.user.check_password(form.cleaned_data["password"]):
            form.add_error("password", _("Mot de passe incorrect."))
        else:
            try:
                privacy.person_erase(person=request.user)
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                logout(request)
                messages.success(request, _("Votre compte et vos données personnelles sont supprimés."))
                return redirect("web:home")
    return render(request, "web/account/erase.html", {"form": form})


# --- Invitations ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    """An invitation's link: accept it signed in with the invited address, or create the account."""
    found = services.invitation_by_secret(token)
    if found is None or found.status != InvitationStatus.PENDING:
        return _private(render(request, "web/account/invitation.html", {"invitation": found, "closed": True},
                               status=410))
    context = {"invitation": found, "token": token}
    form = None
    if request.user.is_authenticated:
        if services.normalize_email(request.user.email) != services.normalize_email(found.email):
            context["other_person"] = True
            return _private(render(request, "web/account/invitation.html", context, status=403))
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=found, person=request.user)
            except DomainError as error:
                messages.error(request, error.detail)
                return redirect("web:account")
            return _accepted(request, found)
    elif Person.objects.filter(email__iexact=found.email).exists():
        context["sign_in_first"] = True
    else:
        form = InvitationSignupForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if wait := refused_for(request):
                return _too_many(request, wait)
            try:
                person = services.invitation_accept_new(invitation=found, language=get_language() or "fr",
                                                        **form.cleaned_data)
            except (DomainError, ValidationError) as error:
                show_refusal(form, error)
            else:
                login(request, person, backend="django.contrib.auth.backends.ModelBackend")
                return _accepted(request, found)
    context["form"] = form
    return _private(render(request, "web/account/invitation.html", context))


def _accepted(request, invitation: Invitation):
    if invitation.held_pass_id:
        messages.success(request, _("Bienvenue ! Voici votre pass."))
        return redirect("web:my-pass")
    organization = invitation.organization
    assert organization is not None, "an invitation is to a pass or to an organization"
    messages.success(request, _("Bienvenue dans %(organization)s : vous y êtes %(role)s.") % {
        "organization": organization.name, "role": invitation.get_role_display().lower()})
    if invitation.role in (Role.ORGANIZER, Role.ADMIN):
        return redirect("web:my-events")
    return redirect("web:account")


# --- Organizations ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organization_new(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = organization_create(creator=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("La structure %(name)s est créée : vous en êtes "
                                        "l'administrateur·rice.") % {"name": organization.name})
            return redirect("web:members", slug=organization.slug)
    return render(request, "web/account/organization_new.html", {"form": form})


def _administered(request, slug: str) -> Organization:
    organization = get_object_or_404(Organization, slug=slug)
    if not has_role(request.user, organization.id, Role.ADMIN):
        raise Http404
    return organization


@login_required
@require_http_methods(["GET", "POST"])
def members(request, slug: str):
    """An organization's roles and invitations, for its admins."""
    organization = _administered(request, slug)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(inviter=request.user, organization=organization, **form.cleaned_data)
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Invitation envoyée à %(email)s.") % form.cleaned_data)
            return redirect("web:members", slug=slug)
    return render(request, "web/account/members.html", {
        "organization": organization, "form": form,
        "memberships": organization.memberships.select_related("person").order_by("person__email", "role"),
        "invitations": organization.invitations.filter(accepted_at=None, revoked_at=None),
    })


@login_required
@require_POST
def member_remove(request, slug: str, pk: int):
    organization = _administered(request, slug)
    membership = get_object_or_404(Membership, pk=pk, organization=organization)
    try:
        membership_remove(membership=membership)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Rôle retiré."))
    return redirect("web:members", slug=slug)


@login_required
@require_POST
def invitation_manage(request, slug: str, pk: int, action: str):
    if action not in ("resend", "revoke"):
        raise Http404
    organization = _administered(request, slug)
    found = get_object_or_404(Invitation, pk=pk, organization=organization)
    try:
        if action == "resend":
            services.invitation_resend(invitation=found)
            messages.success(request, _("Invitation renvoyée à %(email)s.") % {"email": found.email})
        else:
            services.invitation_revoke(invitation=found)
            messages.success(request, _("Invitation révoquée."))
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("web:members", slug=slug)
