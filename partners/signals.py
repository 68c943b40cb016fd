"""What partners tells the apps above it. partners imports no app above it: an app that cares connects a
receiver (meetings does, in meetings/receivers.py)."""

from django.dispatch import Signal

# Sent after a change to the teams of some schools (an assignment added, ended or handed over), inside the
# transaction that made it, with school_ids=[...]. Planned meetings invite the team of their day.
team_changed = Signal()
