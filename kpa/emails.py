"""E-mails as template triples: emails/<name>_subject.txt, _body.txt and _body.html."""

from __future__ import annotations

import email.policy
from collections.abc import Hashable, Mapping
from email.headerregistry import HeaderRegistry

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import conditional_escape

from kpa.validators import one_line


class _OneClassPerHeader(HeaderRegistry):
    """The standard library's header factory makes a new class for every header it parses (a type() call
    each time), which costs more than the parsing and slows every class after it; one class per header
    name, made once, gives the same headers (a mail of the outbox is built about a third faster).

    It also keeps the headers it parsed from text, by name and value: most headers of a batch of mails
    repeat (MIME-Version, From, the parts' Content-Type and Content-Transfer-Encoding, the subject that
    every invitee of a meeting gets), and parsing them is most of the cost of building a mail. A header
    object is never changed after it is made (a change to a message's header makes a new one), so the
    same object can stand in several messages; the folded header is the same as a new parse gives
    (tests/kpa/test_emails.py). At most MEMO_SIZE headers are kept; then the memo starts again."""

    MEMO_SIZE = 4096

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}
        self._parsed: dict[tuple[str, str], object] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._classes:
            self._classes[key] = super().__getitem__(name)
        return self._classes[key]

    def __call__(self, name: str, value):
        if type(value) is not str:  # a datetime for Date, say: made each time
            return self[name](name, value)
        key = (name, value)
        header = self._parsed.get(key)
        if header is None:
            if len(self._parsed) >= self.MEMO_SIZE:
                self._parsed.clear()
            header = self._parsed[key] = self[name](name, value)
        return header


POLICY = email.policy.default.clone(header_factory=_OneClassPerHeader())


class TemplateMail(EmailMultiAlternatives):
    def message(self, *, policy=POLICY):
        return super().message(policy=policy)


def send_template_mail(
    name: str, *, to: list[str], context: dict, attachments=(), headers: dict | None = None
) -> None:
    """`headers` are extra headers, e.g. the outbox's deterministic Message-ID."""
    template_mail(name, to=to, context=context, attachments=attachments, headers=headers).send()


def template_mail(
    name: str,
    *,
    to: list[str],
    context: dict,
    attachments=(),
    headers: dict | None = None,
    merge: MailMerge | None = None,
    merge_key: Hashable | None = None,
    fills: Mapping[str, str] | None = None,
) -> EmailMultiAlternatives:
    """The message, rendered and not sent (the outbox sends a batch of them over one connection).
    With `merge` and a `merge_key`, mails of one group are rendered once (MailMerge). `fills`: marks
    (fill_mark) the context holds in place of this mail's own values, and the values."""
    if merge is not None and merge_key is not None:
        subject, text, html = merge.parts(name, merge_key, context, fills or {})
    else:
        subject, text, html = _render(name, _filled(context, fills or {}))
    message = TemplateMail(subject=subject, body=text, to=to, headers=headers)
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(*attachment)
    return message


def _render(name: str, context: dict) -> tuple[str, str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"site_url": settings.SITE_URL, **context}
        # One line whatever a stored name holds: a line break in a header would fail the whole mail.
        subject = one_line(render_to_string(f"emails/{name}_subject.txt", context))
        text = render_to_string(f"emails/{name}_body.txt", context)
        html = render_to_string(f"emails/{name}_body.html", context)
    return subject, text, html


_MARK = "\ue000recipient\ue001"  # private-use characters: no escaping or filter of a template changes them


def fill_mark(name: str) -> str:
    """A mark to put in a mail's context in place of a value that differs per mail (Mail.fills)."""
    return f"\ue000{name}\ue001"


def _filled(context: dict, fills: Mapping[str, str]) -> dict:
    """The context with each mark (a value, or an item of a list or tuple value) replaced by its fill."""
    if not fills:
        return context

    def fill(value):
        if isinstance(value, str):
            return fills.get(value, value)
        if isinstance(value, list | tuple):
            return type(value)(fill(item) for item in value)
        return value

    return {key: fill(value) for key, value in context.items()}


class _RecipientStandIn:
    """What a template sees as `recipient` when a group's mail is rendered once: its short name is a
    mark, put in its place later. Anything else the template asks of the recipient makes the group
    unmergeable (it is then rendered per recipient, as without a merge)."""

    def __init__(self) -> None:
        self.calls = 0
        self.other = False

    def get_short_name(self) -> str:
        self.calls += 1
        return _MARK

    def __getattr__(self, name: str):
        self.other = True
        raise AttributeError(name)

    def __str__(self) -> str:
        self.other = True
        return ""


class MailMerge:
    """Renders a template triple once for a group of mails that differ only in whom they greet: the
    invitees of one meeting get the same reminder but for "Beste <name>,". The caller names the group
    (merge_key: the same key only where the context, apart from `recipient`, is the same); the triple is
    rendered once with a stand-in recipient whose short name is a mark, and each recipient's mail is that
    text with their name in place of the mark (HTML-escaped in the HTML part). Where a template uses more
    of the recipient than the short name, or uses it other than by printing it once per use, the group
    is rendered per recipient: a merged mail is always the mail a rendering of its own would give
    (tests/kpa/test_emails.py). Other values that differ per mail can be marks too (`fills`, fill_mark):
    the evaluation prompt's list of a person's schools, so that everyone asked in one round shares one
    rendering. One MailMerge lives as long as one batch."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, Hashable], tuple[str, str, str] | None] = {}

    def parts(
        self, name: str, key: Hashable, context: dict, fills: Mapping[str, str] | None = None
    ) -> tuple[str, str, str]:
        recipient = context["recipient"]
        fills = fills or {}
        group = (name, key)
        if group not in self._groups:
            stand_in = _RecipientStandIn()
            parts = _render(name, {**context, "recipient": stand_in})
            marks = sum(part.count(_MARK) for part in parts)
            # A fill's mark must come out as it went in (printed, not filtered), in some part.
            kept = all(any(mark in part for part in parts) for mark in fills)
            mergeable = not stand_in.other and marks == stand_in.calls and kept
            self._groups[group] = parts if mergeable else None
        merged = self._groups[group]
        if merged is None:
            return _render(name, _filled(context, fills))
        subject, text, html = merged
        for mark, value in {_MARK: recipient.get_short_name(), **fills}.items():
            subject = subject.replace(mark, value)
            text = text.replace(mark, value)
            html = html.replace(mark, conditional_escape(value))
        return one_line(subject), text, html
