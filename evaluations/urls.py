from django.urls import path

from evaluations import views, views_rounds

app_name = "evaluations"
urlpatterns = [
    path("", views.my_evaluations, name="mine"),
    path("<int:round_pk>/<int:school_pk>/", views.answer, name="answer"),
    path("results/<int:school_pk>/", views.school_results, name="school-results"),
    path("rounds/", views_rounds.round_list, name="rounds"),
    path("rounds/new/", views_rounds.round_open, name="round-open"),
    path("moment/", views_rounds.moment_update, name="moment"),
]
