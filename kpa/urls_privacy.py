"""kpa's privacy pages (issue 14), under /privacy/ in the "privacy" namespace: the retention policies, the
access log (kpa.views_accesslog) and inzage (kpa.views_inzage). The verwerkingsregister, the privacy
statement and the help on free text are front's (front.urls.privacy_patterns): they name gemeenten."""

from django.urls import path

from kpa import views_accesslog, views_inzage, views_retention

urlpatterns: list = [
    # --- kpa.views_accesslog: the access log ---
    path("toegang/", views_accesslog.access_log, name="access-log"),
    path("toegang/export.csv", views_accesslog.access_log_export, name="access-log-export"),
    # --- kpa.views_inzage: inzage ---
    path("mijn-gegevens/", views_inzage.inzage, name="inzage"),
    path("mijn-gegevens.json", views_inzage.inzage_download, name="inzage-json"),
    path("inzage/<int:pk>/", views_inzage.inzage_person, name="inzage-person"),
    path("inzage/<int:pk>.json", views_inzage.inzage_person_download, name="inzage-person-json"),
    # --- kpa.views_retention: the retention page ---
    path("bewaartermijnen/", views_retention.retention_list, name="retention"),
]
