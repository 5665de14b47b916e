from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import api

router = SimpleRouter()
router.register("invitations", api.InvitationViewSet, basename="invitation")

urlpatterns = [
    path("auth/signup/", api.signup, name="auth-signup"),
    path("auth/verify/", api.verify, name="auth-verify"),
    path("auth/verify/resend/", api.verify_resend, name="auth-verify-resend"),
    path("auth/password-reset/", api.password_reset, name="auth-password-reset"),
    path("auth/password-reset/confirm/", api.password_reset_confirm, name="auth-password-reset-confirm"),
    path("me/password/", api.password_change, name="me-password"),
    path("me/email/", api.email_change, name="me-email"),
    path("me/email/confirm/", api.email_change_confirm, name="me-email-confirm"),
    path("invitations/accept/", api.invitation_accept, name="invitation-accept"),
    *router.urls,
]
