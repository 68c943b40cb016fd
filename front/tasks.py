"""Celery tasks of the pages that combine apps: they take ids and call one function each."""

from celery import shared_task


@shared_task(name="front.dashboard_count", ignore_result=True)
def dashboard_count_task(*, user_id: int, gemeente: str | None, year: str | None, language: str) -> None:
    """Count a dashboard's figures again in the background (front.views_dashboard: the national view)."""
    from front.views_dashboard import count_for

    count_for(user_id=user_id, gemeente=gemeente, year=year, language=language)
