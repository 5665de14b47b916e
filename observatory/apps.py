from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "observatory"
    verbose_name = "Observatoire"

    def ready(self) -> None:
        # Each kind of figures registers its computation on import.
        from observatory import (
            campaign,  # noqa: F401
            cooperation,  # noqa: F401
            flows,  # noqa: F401
        )
