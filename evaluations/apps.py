from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Process evaluations")

    def ready(self) -> None:
        from evaluations.services import open_due_rounds
        from kpa.outbox.registry import register_planner

        register_planner(open_due_rounds)  # the automatic yearly round, run by the outbox sweep
        from evaluations.notifications import register_kinds

        register_kinds()  # the prompt and reminder mails and their planner, with the outbox
        from evaluations import personal_data

        personal_data.register()  # what it holds about people, and how long
