from django.urls import path

from meetings import views_feed, views_log, views_plan

app_name = "meetings"
urlpatterns = [
    path("", views_plan.meeting_list, name="list"),
    path("plan/<int:school_pk>/", views_plan.meeting_plan, name="plan"),
    path("<int:pk>/", views_plan.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views_plan.meeting_update, name="update"),
    path("<int:pk>/cancel/", views_plan.meeting_cancel, name="cancel"),
    path("<int:pk>/log/", views_log.meeting_log, name="log"),
    path("<int:pk>/invite.ics", views_feed.meeting_ics_download, name="ics"),
    path("agreements/", views_log.my_agreements, name="my-agreements"),
    path("agreements/<int:pk>/done/", views_log.agreement_done, name="agreement-done"),
    path("agenda-template/", views_log.agenda_template, name="agenda-template"),
    path("calendar/", views_feed.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views_feed.calendar_feed, name="feed"),
]
