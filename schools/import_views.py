"""DUO register import and postcode-to-wijk mapping screens (admins only). Being written."""

from django.http import Http404


def duo_upload(request):
    raise Http404


def duo_preview(request, upload_id: str):
    raise Http404


def postcode_areas(request):
    raise Http404


def unplaced_schools(request):
    raise Http404
