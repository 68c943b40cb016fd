from django.urls import path

from programme import views

app_name = "programme"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/lines/new/", views.line_create, name="line-create"),
    path("lines/<int:pk>/", views.line_detail, name="line-detail"),
    path("lines/<int:pk>/edit/", views.line_update, name="line-update"),
    path("lines/<int:pk>/activities/new/", views.activity_create, name="activity-create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/edit/", views.activity_update, name="activity-update"),
    path("activities/<int:pk>/updates/new/", views.update_create, name="update-create"),
]

from programme import views_report  # noqa: E402  (the voortgangsrapportage, appended to the list above)

urlpatterns += [
    path("<int:pk>/report/", views_report.report_page, name="report"),
    path("<int:pk>/report.xlsx", views_report.report_xlsx, name="report-xlsx"),
]

# Correcting and removing a progress update (appended).
urlpatterns += [
    path("updates/<int:pk>/edit/", views.update_update, name="update-update"),
    path("updates/<int:pk>/delete/", views.update_delete, name="update-delete"),
]

# Every activity in scope, with filters: the list behind the dashboard's programme figures (appended).
from programme import views_activities  # noqa: E402

urlpatterns += [path("activities/", views_activities.activity_list, name="activity-list")]
