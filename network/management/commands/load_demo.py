"""``manage.py load_demo``: realistic demo data, dated relative to today.

Each app that has demo data provides ``<app>/demo.py`` with
``load(*, today, log) -> None``; they run in INSTALLED_APPS order (network
first, since everything else hangs on organizations and people). Every loader
is idempotent: it looks rows up by a natural key and updates them, so running
the command twice leaves the same data.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from backend.modules import app_modules


class Command(BaseCommand):
    help = "Charge (ou met à jour) les données de démonstration."

    def handle(self, *args, **options):
        today = timezone.localdate()
        for config, module in app_modules("demo"):
            self.stdout.write(f"→ {config.verbose_name}…")
            with transaction.atomic():
                module.load(today=today, log=self._log)
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))

    def _log(self, message: str) -> None:
        self.stdout.write(f"  {message}")
