"""Celery tasks of the core: they take no objects and call one function each. What is due lives in the
database (outbox rows), so a task lost or run twice costs nothing: the next sweep sends what is due, and a
sent row is never sent again. Results are not kept (nobody waits for them)."""

from celery import shared_task


@shared_task(name="kpa.ping")
def ping_task() -> str:
    """A health probe for the worker: proves a task travels through the broker and back."""
    return "pong"


@shared_task(name="kpa.outbox.send_due", ignore_result=True)
def outbox_send_due_task() -> int:
    """Send what is due now; queued after a write that made mails commits, so they go out within seconds."""
    from kpa.outbox import sender

    return sender.send_due()


@shared_task(name="kpa.outbox.sweep", ignore_result=True)
def outbox_sweep_task() -> dict[str, int]:
    """The beat job (every minute, settings.CELERY_BEAT_SCHEDULE): run the planners the apps registered
    (reminders, nudges, digests that have come due), then send everything due."""
    from kpa.outbox import sender

    return sender.sweep()


@shared_task(name="kpa.purge", ignore_result=True)
def purge_task() -> dict[str, int]:
    """The nightly job: apply every retention policy of the register of personal data (kpa.retention).
    Run twice, the second run finds nothing left to do."""
    from kpa import retention

    outcomes = retention.purge()
    failed = [f"{o.retention.key}: {'; '.join(o.errors)}" for o in outcomes if o.errors]
    if failed:  # after every policy ran: the worker's log and the task's state say what failed
        raise RuntimeError("Retention policies failed: " + " | ".join(failed))
    return {outcome.retention.key: outcome.total for outcome in outcomes}
