"""A web worker's long-lived objects out of the garbage collector's way (kpa.wsgi installs it).

Python's collector now and then makes a full collection, which walks every object the process tracks. In
a warmed gunicorn worker that is about 150,000 objects (Django, the apps, the URLconf, the compiled
templates), and a full collection took 80-90 ms at 10,000 schools (docs/performance.md): whichever request
was running then took that much longer, a few times per thousand requests. Almost none of those objects
ever become garbage.

So after a worker's first KPA_GC_FREEZE_AFTER requests (50; 0 turns it off), when the pages asked most
have loaded their modules and compiled their templates, the garbage is collected once and everything left
is moved to the collector's permanent generation (gc.freeze): later full collections walk only what was
made since, a few milliseconds. Every request counts, health checks too: a worker that served only those
freezes before the pages' templates are compiled, and its full collections then walk those too (17-29 ms
measured, still less than without). Objects are still freed when nothing refers to them; what is frozen
and later becomes unreachable in a cycle stays until the worker stops (gunicorn restarts it every
max_requests).
"""

from __future__ import annotations

import gc
import threading

from django.core.signals import request_finished

DISPATCH_UID = "kpa.gc_freeze"
AFTER = 50  # requests, unless settings.KPA_GC_FREEZE_AFTER says otherwise


class FreezeAfter:
    """A request_finished receiver that counts requests and, at the `requests`-th, collects the garbage,
    freezes what is left and disconnects itself. Threads (gunicorn's gthread workers) may finish requests
    at once: the count is taken under a lock, so it freezes once."""

    def __init__(self, requests: int) -> None:
        self.left = requests
        self._lock = threading.Lock()

    def __call__(self, **kwargs) -> None:
        with self._lock:
            if self.left <= 0:
                return
            self.left -= 1
            if self.left:
                return
        request_finished.disconnect(dispatch_uid=DISPATCH_UID)
        gc.collect()
        gc.freeze()


def install(requests: int) -> FreezeAfter | None:
    """Freeze after this process's next `requests` requests (0: never); installing again starts anew."""
    request_finished.disconnect(dispatch_uid=DISPATCH_UID)
    if requests <= 0:
        return None
    receiver = FreezeAfter(requests)
    request_finished.connect(receiver, weak=False, dispatch_uid=DISPATCH_UID)
    return receiver
