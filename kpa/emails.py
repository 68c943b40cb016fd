"""E-mails as template triples: emails/<name>_subject.txt, _body.txt and _body.html."""

from __future__ import annotations

import email.policy
from email.headerregistry import HeaderRegistry

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from kpa.validators import one_line


class _OneClassPerHeader(HeaderRegistry):
    """The standard library's header factory makes a new class for every header it parses (a type() call
    each time), which costs more than the parsing and slows every class after it; one class per header
    name, made once, gives the same headers (a mail of the outbox is built about a third faster)."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._classes:
            self._classes[key] = super().__getitem__(name)
        return self._classes[key]


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
    name: str, *, to: list[str], context: dict, attachments=(), headers: dict | None = None
) -> EmailMultiAlternatives:
    """The message, rendered and not sent (the outbox sends a batch of them over one connection)."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {"site_url": settings.SITE_URL, **context}
        # One line whatever a stored name holds: a line break in a header would fail the whole mail.
        subject = one_line(render_to_string(f"emails/{name}_subject.txt", context))
        text = render_to_string(f"emails/{name}_body.txt", context)
        html = render_to_string(f"emails/{name}_body.html", context)
    message = TemplateMail(subject=subject, body=text, to=to, headers=headers)
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(*attachment)
    return message
