"""The production URLs and the floor: the cheapest Django view there is, behind the same middleware."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from kpa.urls import urlpatterns as kpa_urlpatterns

FLOOR_PATH = "bench/floor/"


def floor(request: HttpRequest) -> HttpResponse:
    """No query of its own: what is left is the framework and the middleware (for a signed-in user, that
    is loading the session and the user, and saving the session: SESSION_SAVE_EVERY_REQUEST)."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path(FLOOR_PATH, floor, name="bench-floor"), *kpa_urlpatterns]
