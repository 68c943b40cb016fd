from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("KPO meetings")

    def ready(self) -> None:
        from meetings import audit, receivers  # noqa: F401
        from meetings.notifications import register_kinds

        register_kinds()  # its kinds of mail and its planner, with the outbox
        from meetings import personal_data

        personal_data.register()  # what it holds about people, and how long
