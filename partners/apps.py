from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and teams")

    def ready(self) -> None:
        from partners import audit, personal_data, receivers  # noqa: F401

        personal_data.register()  # what it holds about people, and how long
