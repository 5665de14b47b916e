from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedsConfig(AppConfig):
    name = "feeds"
    verbose_name = _("Agendas iCal")

    def ready(self) -> None:
        from feeds import signals, sources  # noqa: F401  (receivers and feed sources register)
