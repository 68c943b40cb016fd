"""The WSGI application gunicorn serves (docker/gunicorn.conf.py)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from kpa import gc_freeze

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpa.settings")
application = get_wsgi_application()

if os.environ.get("REDIS_URL"):
    # Django imports its Redis client at the first use of the cache, inside a request: about 90 ms (400
    # without bytecode) for the first cached page of every worker, and a worker starts again every 1,000
    # requests (max_requests). Imported here, it is part of the worker's start.
    import redis  # noqa: F401

# Full garbage collections walk only what was made after the worker's first requests (kpa.gc_freeze).
# Installed here, at the import of the web server's application: only gunicorn and runserver import this
# module (the tests' client does not, so the test process is never frozen).
gc_freeze.install(settings.KPA_GC_FREEZE_AFTER)
