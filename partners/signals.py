"""What partners tells the apps above it. partners imports no app above it: an app that cares connects a
receiver (meetings does, in meetings/receivers.py)."""

from django.dispatch import Signal

# Sent after a change to the teams of some schools (an assignment added, ended or handed over), inside the
# transaction that made it, with school_ids=[...]. Planned meetings invite the team of their day.
team_changed = Signal()

# Sent by handover_apply inside its transaction, with from_person=, to_person=, on= and school_ids=[...]
# (the schools whose seats were handed over): what the leaver does there moves too (meetings: their open
# agreements at those schools).
seats_handed_over = Signal()
