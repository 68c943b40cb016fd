from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from kpa import views

admin.site.login = secure_admin_login(admin.site.login)

kpa_patterns = (
    [
        path("", views.home, name="home"),
        path("health/", views.health, name="health"),
        path("people/", views.person_list, name="person-list"),
        path("people/invite/", views.person_invite, name="person-invite"),
        path("invitation/<str:token>/", views.invitation_accept, name="invitation-accept"),
    ],
    "kpa",
)

urlpatterns = [
    path("", include(kpa_patterns)),
    path("schools/", include("schools.urls")),
    path("manage/", include("partners.manage_urls")),
    path("meetings/", include("meetings.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
