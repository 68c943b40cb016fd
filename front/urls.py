"""The pages of front/. kpa/urls.py places them in the namespaces they always had ("kpa:home",
"schools:list", ...), so every reverse() and {% url %} keeps working."""

from django.urls import path

from front import views, views_dashboard, views_privacy, views_schools

home_patterns = [
    path("", views.home, name="home"),
]

school_patterns = [
    path("", views_schools.school_list, name="list"),
    path("<int:pk>/", views_schools.school_detail, name="detail"),
    path("heavy-loads/", views_schools.heavy_load_list, name="heavy-loads"),
    path("export.csv", views_schools.school_export, {"fmt": "csv"}, name="export-csv"),
    path("export.xlsx", views_schools.school_export, {"fmt": "xlsx"}, name="export-xlsx"),
]

dashboard_patterns = [
    path("", views_dashboard.dashboard_view, name="index"),
    path("export.xlsx", views_dashboard.dashboard_export, name="export-xlsx"),
]

# The verwerkingsregister, the privacy statement and the help on free text (issue 14), under /privacy/ in the
# "privacy" namespace beside kpa's own privacy pages (kpa.urls_privacy).
privacy_patterns = [
    path("", views_privacy.statement, name="statement"),
    path("verwerkingsregister/", views_privacy.register, name="register"),
    path("wat-mag-ik-delen/", views_privacy.sharing, name="sharing"),
]
