from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = _("Programme")

    def ready(self) -> None:
        from programme import audit  # noqa: F401
        from programme.notifications import register_kinds

        register_kinds()  # the weekly digest of stale activities and its planner, with the outbox
        from programme import personal_data

        personal_data.register()  # what it holds about people, and how long
