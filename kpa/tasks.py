from celery import shared_task


@shared_task(name="kpa.ping")
def ping_task() -> str:
    """A health probe for the worker: proves a task travels through the broker and back."""
    return "pong"
