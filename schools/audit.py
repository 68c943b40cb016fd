from auditlog.registry import auditlog

from schools.models import Gemeente, PostcodeArea, School, Wijk

auditlog.register(Gemeente)
auditlog.register(Wijk)
auditlog.register(School)
auditlog.register(PostcodeArea)
