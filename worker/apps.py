from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    name = "worker"
    verbose_name = _("Travaux de fond")

    def ready(self) -> None:
        # Each app's ``messages`` module registers the checks of the messages it records
        # (worker.outbox.message_condition); whoever sends them must know those checks.
        autodiscover_modules("messages")
