"""Sending what is due from the Notification outbox. Being written."""


def send_due(limit: int = 500) -> int:
    return 0
