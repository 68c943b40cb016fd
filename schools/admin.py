from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from schools.models import Gemeente, School, Wijk


@admin.register(Gemeente)
class GemeenteAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "privacy_covenant", "privacy_covenant_since"]
    search_fields = ["name", "code"]
    fieldsets = [
        (None, {"fields": ["code", "name"]}),
        (
            _("Privacy (shown in the verwerkingsregister)"),
            {
                "fields": [
                    "privacy_controller",
                    "privacy_covenant",
                    "privacy_covenant_url",
                    "privacy_covenant_since",
                ]
            },
        ),
    ]


@admin.register(Wijk)
class WijkAdmin(admin.ModelAdmin):
    list_display = ["name", "gemeente"]
    list_filter = ["gemeente"]
    search_fields = ["name"]
    list_select_related = ["gemeente"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "brin", "vestiging", "sector", "wijk", "gemeente", "is_active"]
    list_filter = ["sector", "is_active", "gemeente"]
    search_fields = ["name", "brin"]
    list_select_related = ["wijk", "gemeente"]
    autocomplete_fields = ["wijk", "gemeente"]
