from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from partners import seat_summary, services
from partners.models import Assignment, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


class AssignmentAdminForm(forms.ModelForm):
    """The Django admin keeps the same seat rules as KPA's own screens (one holder per role at a time,
    school staff in school seats, kernpartners in partner seats)."""

    class Meta:
        model = Assignment
        fields = "__all__"  # noqa: DJ007  (the admin shows every field)

    def clean(self):
        data = super().clean()
        if not self.errors:
            candidate = Assignment(
                pk=self.instance.pk, **{f: data.get(f) for f in self.Meta.model.SEAT_FIELDS}
            )
            try:
                services.validate_seat(candidate)
            except ValidationError as error:
                raise ValidationError(error.messages) from error
        return data


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    form = AssignmentAdminForm
    list_display = ["school", "role", "person", "start_date", "end_date", "is_stand_in"]
    list_filter = ["role", "is_stand_in"]
    search_fields = ["school__name", "person__email", "person__last_name"]
    list_select_related = ["school", "person"]
    autocomplete_fields = ["school", "person"]
    date_hierarchy = "start_date"

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "school" in form.changed_data and form.initial.get("school"):
            # The seat left its old school: that school's seat summary is counted again too (the save's
            # own receiver tells only the new one).
            seat_summary.seats_changed([form.initial["school"]])
