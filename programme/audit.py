from auditlog.registry import auditlog

from programme.models import Activity, Indicator, IndicatorValue, Programme, ProgressUpdate

# The programme's content: who changed what, and when (as meetings' content). Not the action lines and
# speerpunten: data migrations write those (programme 0003), and tests that flush put them back with
# save(), which must not log entries pointing at content types the flush has renumbered.
for model in (Programme, Activity, Indicator, IndicatorValue, ProgressUpdate):
    auditlog.register(model)
