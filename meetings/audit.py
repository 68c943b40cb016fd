from auditlog.registry import auditlog

from meetings.models import (
    AgendaItem,
    AgendaTemplate,
    Agreement,
    CaseworkCount,
    CollectiveQuestion,
    Invitee,
    Meeting,
)

# Everything that holds meeting content or who took part: who changed what, and when.
for model in (Meeting, Invitee, AgendaItem, AgendaTemplate, CaseworkCount, CollectiveQuestion, Agreement):
    auditlog.register(model)
