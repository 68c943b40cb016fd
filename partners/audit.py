from auditlog.registry import auditlog

from partners.models import Assignment, Organisation

auditlog.register(Organisation)
auditlog.register(Assignment)
