from django.urls import path

from meetings import views_agreements, views_feed, views_log, views_log_edit, views_plan, views_questions

app_name = "meetings"
urlpatterns = [
    path("", views_plan.meeting_list, name="list"),
    path("plan/<int:school_pk>/", views_plan.meeting_plan, name="plan"),
    path("<int:pk>/", views_plan.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views_plan.meeting_update, name="update"),
    path("<int:pk>/cancel/", views_plan.meeting_cancel, name="cancel"),
    path("<int:pk>/log/", views_log.meeting_log, name="log"),
    path("<int:pk>/agenda/", views_log_edit.agenda_update, name="agenda-update"),
    path(
        "<int:pk>/agenda/<int:item_pk>/delete/", views_log_edit.agenda_item_delete, name="agenda-item-delete"
    ),
    path(
        "<int:pk>/agreements/<int:agreement_pk>/edit/",
        views_log_edit.agreement_update,
        name="agreement-update",
    ),
    path(
        "<int:pk>/agreements/<int:agreement_pk>/delete/",
        views_log_edit.agreement_delete,
        name="agreement-delete",
    ),
    path(
        "<int:pk>/questions/<int:question_pk>/edit/", views_log_edit.question_update, name="question-update"
    ),
    path(
        "<int:pk>/questions/<int:question_pk>/delete/", views_log_edit.question_delete, name="question-delete"
    ),
    path("<int:pk>/invite.ics", views_feed.meeting_ics_download, name="ics"),
    path("agreements/", views_log.my_agreements, name="my-agreements"),
    path("agreements/all/", views_agreements.agreement_list, name="agreements-list"),
    path("questions/", views_questions.question_list, name="questions"),
    path("agreements/<int:pk>/done/", views_log.agreement_done, name="agreement-done"),
    path("agenda-template/", views_log.agenda_template, name="agenda-template"),
    path("calendar/", views_feed.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views_feed.calendar_feed, name="feed"),
]
