"""Celery tasks of the process evaluation: they take no objects and call one function each."""

from celery import shared_task


@shared_task(name="evaluations.warm_results", ignore_result=True)
def warm_results_task() -> int:
    """The nightly beat job (settings.CELERY_BEAT_SCHEDULE): make the disclosure decisions of the school
    years whose rounds closed in the last year before anyone opens a results page (a large gemeente's
    takes seconds). Returns how many it made or found."""
    from evaluations.results import warm_decisions

    return warm_decisions()
