from django.urls import path

from schools import holiday_views, import_views

app_name = "schools"
urlpatterns = [
    # The roster and the school page (list, detail, export-*) are front's; kpa/urls.py adds them here.
    # DUO register and wijk placement (admins)
    path("import/", import_views.duo_upload, name="import"),
    path("import/<uuid:pk>/", import_views.duo_preview, name="import-preview"),
    path("import/<uuid:pk>/progress/", import_views.duo_progress, name="import-progress"),
    path("postcodes/", import_views.postcode_areas, name="postcode-areas"),
    path("unplaced/", import_views.unplaced_schools, name="unplaced"),
    # School holidays from the Rijksoverheid open data (admins)
    path("holidays/import/", holiday_views.holiday_import, name="holiday-import"),
]
