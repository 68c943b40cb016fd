"""The audit trail in the Django admin, in Dutch. django-auditlog's own admin writes a few texts as plain
English strings that no catalogue reaches ("system", "3 changes: name, wijk", "Correlation ID"); this is
the same admin with those texts through gettext, and the changed fields by their (Dutch) names."""

from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from auditlog.render import get_field_verbose_name
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

SHORT = 75  # characters of field names in the list, as auditlog's own admin


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(AuditlogLogEntryAdmin):
    @admin.display(description=_("User"))
    def user_url(self, obj):
        return super().user_url(obj) if obj.actor else _("system")

    @admin.display(description=_("Changes"))
    def msg_short(self, obj):
        if not super().msg_short(obj):  # a deletion or an access: no field changes to list
            return ""
        changes = obj.changes_dict
        fields = ", ".join(str(get_field_verbose_name(obj, name)) for name in changes)
        if len(fields) > SHORT:
            cut = fields.rfind(" ", 0, SHORT)
            fields = fields[: cut if cut > 0 else SHORT] + " …"
        return ngettext("%(count)d change: %(fields)s", "%(count)d changes: %(fields)s", len(changes)) % {
            "count": len(changes),
            "fields": fields,
        }

    @admin.display(description=_("Correlation ID"))
    def cid_url(self, obj):
        return super().cid_url(obj)
