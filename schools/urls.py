from django.urls import path

from schools import import_views, views

app_name = "schools"
urlpatterns = [
    path("", views.school_list, name="list"),
    path("<int:pk>/", views.school_detail, name="detail"),
    path("export.csv", views.school_export, {"fmt": "csv"}, name="export-csv"),
    path("export.xlsx", views.school_export, {"fmt": "xlsx"}, name="export-xlsx"),
    # DUO register and wijk placement (admins)
    path("import/", import_views.duo_upload, name="import"),
    path("import/<str:upload_id>/", import_views.duo_preview, name="import-preview"),
    path("postcodes/", import_views.postcode_areas, name="postcode-areas"),
    path("unplaced/", import_views.unplaced_schools, name="unplaced"),
]
