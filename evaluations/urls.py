from django.urls import path

from evaluations import views, views_area, views_export, views_followup, views_questionnaire, views_rounds

app_name = "evaluations"
urlpatterns = [
    path("", views.my_evaluations, name="mine"),
    path("<int:round_pk>/<int:school_pk>/", views.answer, name="answer"),
    path("results/", views_area.area_results_view, name="area-results"),
    path("results/<int:school_pk>/", views.school_results, name="school-results"),
    path("results/<int:school_pk>/xlsx/", views_export.school_results_xlsx, name="school-results-xlsx"),
    path("results/<int:school_pk>/print/", views_export.school_results_print, name="school-results-print"),
    path(
        "results/<int:school_pk>/<int:year>/plan-meeting/",
        views_followup.conversation_plan,
        name="followup-plan",
    ),
    path(
        "results/<int:school_pk>/<int:year>/agreement/<slug:key>/",
        views_followup.result_agreement,
        name="followup-agreement",
    ),
    path("rounds/", views_rounds.round_list, name="rounds"),
    path("rounds/new/", views_rounds.round_open, name="round-open"),
    path("moment/", views_rounds.moment_update, name="moment"),
    path("questionnaire/", views_questionnaire.version_list, name="questionnaire-list"),
    path("questionnaire/new/", views_questionnaire.version_create, name="questionnaire-create"),
    path("questionnaire/<int:pk>/", views_questionnaire.version_update, name="questionnaire-update"),
]
