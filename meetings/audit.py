from auditlog.registry import auditlog

from meetings.models import Meeting

auditlog.register(Meeting)
