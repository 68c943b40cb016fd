"""Calendar: the personal feed and .ics downloads. Being written."""

from django.http import Http404


def calendar_settings(request):
    raise Http404


def calendar_feed(request, token: str):
    raise Http404


def meeting_ics_download(request, pk: int):
    raise Http404
