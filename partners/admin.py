from django.contrib import admin

from partners.models import Assignment, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["school", "role", "person", "start_date", "end_date", "is_stand_in"]
    list_filter = ["role", "is_stand_in"]
    search_fields = ["school__name", "person__email", "person__last_name"]
    list_select_related = ["school", "person"]
    autocomplete_fields = ["school", "person"]
    date_hierarchy = "start_date"
