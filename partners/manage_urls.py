from django.urls import path

from partners import manage_views as views
from partners import search_views

app_name = "manage"
urlpatterns = [
    path("wijken/", views.wijk_list, name="wijk-list"),
    path("wijken/new/", views.wijk_create, name="wijk-create"),
    path("wijken/<int:pk>/", views.wijk_detail, name="wijk-detail"),
    path("wijken/<int:pk>/edit/", views.wijk_update, name="wijk-update"),
    path("schools/new/", views.school_create, name="school-create"),
    path("schools/<int:pk>/edit/", views.school_update, name="school-update"),
    path("schools/<int:pk>/team/", views.school_team, name="school-team"),
    path("schools/<int:pk>/move/", views.school_move, name="school-move"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment-end"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/edit/", views.organisation_update, name="organisation-update"),
    path("handover/", views.handover, name="handover"),
    # The searches behind kpa.widgets.AutocompleteSelect; organisations also serve the roster's filter.
    path("search/people/", search_views.people_search, name="search-people"),
    path("search/organisations/", search_views.organisations_search, name="search-organisations"),
]
