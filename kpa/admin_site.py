from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied


class KpaAdminSite(admin.AdminSite):
    """The Django admin for functional administrators. Its login is allauth's (same rate limits and MFA);
    a signed-in person who is not an administrator gets 403 instead of a second login form."""

    site_header = "KPA"
    site_title = "KPA"

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return guarded


class KpaAdminConfig(AdminConfig):
    default_site = "kpa.admin_site.KpaAdminSite"
