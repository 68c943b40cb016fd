from django.urls import path

from evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("", views.my_evaluations, name="mine"),
    path("<int:round_pk>/<int:school_pk>/", views.answer, name="answer"),
    path("results/<int:school_pk>/", views.school_results, name="school-results"),
]
