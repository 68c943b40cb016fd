from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from front import urls as front_urls
from kpa import urls_privacy, views
from partners import people_views
from schools import urls as schools_urls

# The one module of kpa that knows the feature apps: it puts their pages at their addresses. front's pages
# keep the names they had ("kpa:home", "schools:list", ...).

admin.site.login = secure_admin_login(admin.site.login)

kpa_patterns = (
    [
        *front_urls.home_patterns,
        path("health/", views.health, name="health"),
        path("people/", people_views.person_list, name="person-list"),
        path("people/invite/", people_views.person_invite, name="person-invite"),
        path("people/<int:pk>/deactivate/", people_views.person_deactivate, name="person-deactivate"),
        path("invitation/<str:token>/", views.invitation_accept, name="invitation-accept"),
    ],
    "kpa",
)

urlpatterns = [
    path("", include(kpa_patterns)),
    path("schools/", include(([*front_urls.school_patterns, *schools_urls.urlpatterns], "schools"))),
    path("manage/", include("partners.manage_urls")),
    path("meetings/", include("meetings.urls")),
    path("dashboard/", include((front_urls.dashboard_patterns, "dashboard"))),
    path("programma/", include("programme.urls")),
    path("evaluaties/", include("evaluations.urls")),
    path("privacy/", include(([*front_urls.privacy_patterns, *urls_privacy.urlpatterns], "privacy"))),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
