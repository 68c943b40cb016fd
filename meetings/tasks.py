"""Celery tasks of meetings: they take no objects and call one function each. What is due lives in the
database (Notification rows), so a task lost or run twice costs nothing: the next sweep sends what is
due, and a sent row is never sent again. Results are not kept (nobody waits for them)."""

from celery import shared_task


@shared_task(name="meetings.send_due_notifications", ignore_result=True)
def send_due_notifications_task() -> int:
    """Send what is due now; queued after a meeting write commits, so mails go out within seconds."""
    from meetings import notifications

    return notifications.send_due()


@shared_task(name="meetings.sweep", ignore_result=True)
def sweep_task() -> dict[str, int]:
    """The beat job (every minute, settings.CELERY_BEAT_SCHEDULE): plan the reminders, nudges and
    digests that have come due, then send everything due."""
    from meetings import notifications

    return notifications.sweep()
