from celery import shared_task


@shared_task(name="meetings.send_due_notifications")
def send_due_notifications_task() -> int:
    """Send every notification that is due. Being written: the sweep lives in meetings.notifications."""
    from meetings import notifications

    return notifications.send_due()
