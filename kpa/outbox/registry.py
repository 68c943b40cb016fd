"""Where an app declares its kinds of mail. A kind is data: its name (stored in Notification.kind), how
its key is made, what to check again right before sending, and how to render it. Kinds that share a
`load` (a callable reading, in a fixed number of queries, what the checks and mails of a batch need) get
one load per batch between them. Apps register from their AppConfig.ready(); the sweep also runs every
registered planner (a callable that turns rules into rows, such as meetings' reminders) before sending.

    outbox.register(Kind(name="invitation", key_format="invitation:{uid}:{sequence}:{person}",
                         load=load, why_not_send=why_not_send, render=render))
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kpa.outbox.models import Notification


@dataclasses.dataclass(frozen=True)
class Mail:
    """What a kind renders one row into: the template triple's name (templates/emails/<template>_
    {subject.txt,body.txt,body.html}), its context, and attachments as (filename, content, mimetype).

    merge_key: rows of a batch whose Mail has the same template and merge_key get the same mail but for
    the recipient's name (the same context and attachments): their templates are rendered once
    (kpa.emails.MailMerge). None: rendered for this row alone.

    fills: marks (kpa.emails.fill_mark) that the context holds in place of this row's own values, and the
    values; the mail has the values (HTML-escaped in the HTML part). So rows that differ only in those
    values can share a merge_key: a school's name in a list, say. The templates must only print a mark
    (no filter, no comparison): where one does not come out as it went in, the row is rendered alone."""

    template: str
    context: dict
    attachments: Sequence[tuple[str, Any, str]] = ()
    merge_key: Hashable | None = None
    fills: Mapping[str, str] = dataclasses.field(default_factory=dict)


Loader = Callable[["Sequence[Notification]", dt.datetime], Any]


@dataclasses.dataclass(frozen=True)
class Kind:
    name: str  # stored in Notification.kind (at most 20 characters)
    key_format: str  # str.format pattern of the row's unique key, e.g. "log_nudge:{uid}:{person}"
    load: Loader  # (rows of a batch, now) -> the batch's context, read in a fixed number of queries
    why_not_send: Callable[[Notification, Any, dt.datetime], str]  # "" when it may go out
    render: Callable[[Notification, Any], Mail]

    def key(self, **parts: object) -> str:
        return self.key_format.format(**parts)


_kinds: dict[str, Kind] = {}
_planners: list[Callable[[dt.datetime], dict[str, int]]] = []


def register(*kinds: Kind) -> None:
    """Declare kinds of mail (again: the same name replaces the entry, so a reloaded app is harmless)."""
    for kind in kinds:
        if len(kind.name) > 20:
            raise ValueError(f"Kind name {kind.name!r} is longer than Notification.kind allows.")
        _kinds[kind.name] = kind


def register_planner(planner: Callable[[dt.datetime], dict[str, int]]) -> None:
    """A callable the sweep runs before sending, with the time; it returns counts of rows it planned."""
    if planner not in _planners:
        _planners.append(planner)


def get(name: str) -> Kind | None:
    return _kinds.get(name)


def kinds() -> dict[str, Kind]:
    return dict(_kinds)


def planners() -> list[Callable[[dt.datetime], dict[str, int]]]:
    return list(_planners)
