from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = _("Schools and wijken")

    def ready(self) -> None:
        from schools import audit, personal_data  # noqa: F401

        personal_data.register()
