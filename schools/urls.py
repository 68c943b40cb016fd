from django.urls import path

from schools import import_views

app_name = "schools"
urlpatterns = [
    # The roster and the school page (list, detail, export-*) are front's; kpa/urls.py adds them here.
    # DUO register and wijk placement (admins)
    path("import/", import_views.duo_upload, name="import"),
    path("import/<str:upload_id>/", import_views.duo_preview, name="import-preview"),
    path("postcodes/", import_views.postcode_areas, name="postcode-areas"),
    path("unplaced/", import_views.unplaced_schools, name="unplaced"),
]
