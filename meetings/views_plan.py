"""Planning and following meetings. Being written."""

from django.http import Http404


def meeting_list(request):
    raise Http404


def meeting_plan(request, school_pk: int):
    raise Http404


def meeting_detail(request, pk: int):
    raise Http404


def meeting_update(request, pk: int):
    raise Http404


def meeting_cancel(request, pk: int):
    raise Http404
