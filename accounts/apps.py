"""Accounts: signing up, proving an address, resetting a password, invitations.

Added as an app of its own because joining is one concern that touches several others: it
creates ``network`` people and roles, hands over ``passes`` sold before the buyer had an
account, and attaches ``events`` registrations made as a guest. ``network`` stays the home of
who holds which role; this app is how people get there. The flows are Django's own (its
password validators, its token generator, its password-reset confirmation and password-change
views), not django-allauth: see ``docs/accounts.md``.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes : inscription, invitations")
