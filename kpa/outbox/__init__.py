"""The outbox: every mail KPA sends is a Notification row first, written in the transaction that causes it,
and sent by the sweep (kpa.tasks). An app declares its kinds of mail in the registry (kpa.outbox.registry:
what to check again before sending, how to render, the key's format) from its AppConfig.ready(); the
sender (kpa.outbox.sender) claims due rows in batches, re-checks, renders and mails them, and keeps the
bookkeeping (retry with backoff, giving up, pruning old rows). Nothing here knows a feature app."""
