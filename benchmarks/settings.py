"""Settings of the load bench (`make bench`): the production settings, plus one trivial view as the floor.

gunicorn runs with DJANGO_SETTINGS_MODULE=benchmarks.settings, so the production URLs stay as they are and
the floor (benchmarks.urls) is served by the very same stack: middleware, sessions, database, Redis.
"""

from kpa.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
# The bench loads pages, never their CSS or scripts, and runs no collectstatic: plain storage, so
# {% static %} needs no manifest. (The manifest lookup it skips is a dictionary read per tag.)
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
