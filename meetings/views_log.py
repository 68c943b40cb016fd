"""Logging meetings, 'Mijn afspraken' and the agenda template. Being written."""

from django.http import Http404


def meeting_log(request, pk: int):
    raise Http404


def my_agreements(request):
    raise Http404


def agreement_done(request, pk: int):
    raise Http404


def agenda_template(request):
    raise Http404
