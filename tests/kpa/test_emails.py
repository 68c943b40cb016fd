"""Building mails fast without changing them (kpa.emails): the header memo gives the same bytes as the
standard library's policy, and a merged mail (MailMerge: a meeting's mail rendered once for all its
invitees) is exactly the mail a rendering of its own gives, names with HTML in them included."""

from __future__ import annotations

import datetime as dt
import email.policy
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from kpa import emails
from kpa.models import UserKind
from kpa.outbox import registry, sender
from kpa.outbox.models import Notification
from meetings import reminders, services
from tests.factories import AssignmentFactory, UserFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 9, 1, 10, 0, tzinfo=AMS)
SUBJECT = (
    "Herinnering: KPO Openbare Basisschool De Klimop – locatie Émile Zolastraat op maandag 26 oktober "
    "om 09:00, met een onderwerp dat langer is dan één regel"
)


def _as_bytes(message: EmailMultiAlternatives, policy) -> bytes:
    built = message.message(policy=policy)
    built.set_boundary("===grens===")
    return built.as_bytes()


def _message(to: str) -> EmailMultiAlternatives:
    message = emails.TemplateMail(
        subject=SUBJECT,
        body="Beste Anne,\n\nTot maandag.\n",
        to=[to],
        headers={"Message-ID": "<abc@kpa.example>", "Date": "Mon, 26 Oct 2026 09:00:00 +0100"},
    )
    message.attach_alternative("<p>Beste Anne,</p>", "text/html")
    return message


def test_a_mail_built_with_remembered_headers_has_the_bytes_of_a_fresh_parse():
    stock = _as_bytes(_message("anne@example.org"), email.policy.default)
    first = _as_bytes(_message("anne@example.org"), emails.POLICY)
    again = _as_bytes(_message("anne@example.org"), emails.POLICY)  # every header from the memo now
    assert first == stock
    assert again == stock
    other = _as_bytes(_message("jo@example.org"), emails.POLICY)
    assert b"To: jo@example.org" in other and b"anne@example.org" not in other


def test_the_header_memo_is_bounded():
    factory = emails._OneClassPerHeader()
    for n in range(factory.MEMO_SIZE + 10):
        factory("X-Probe", f"waarde {n}")
    assert len(factory._parsed) <= factory.MEMO_SIZE


@pytest.fixture
def team(school):
    names = ['Anne & "Jo"', "<b>Bo</b>", "Émile"]
    people = [
        UserFactory(kind=UserKind.SCHOOL if n == 0 else UserKind.KERNPARTNER, first_name=name)
        for n, name in enumerate(names)
    ]
    for person, role in zip(people, ["ib", "buurtteam", "jgz"], strict=True):
        AssignmentFactory(person=person, school=school, role=role, start_date=dt.date(2020, 8, 1))
    return people


def _alone(row: Notification) -> EmailMultiAlternatives:
    """The row's mail rendered on its own, without a merge."""
    kind = registry.get(row.kind)
    assert kind is not None
    batch = list(Notification.objects.filter(pk=row.pk).select_related("recipient"))
    found = kind.render(batch[0], kind.load(batch, dt.datetime.now(tz=AMS)))
    return emails.template_mail(
        found.template,
        to=[row.recipient.email],
        context={"recipient": row.recipient, **found.context},
        fills=found.fills,
    )


def _same(sent: EmailMultiAlternatives, alone: EmailMultiAlternatives) -> None:
    assert sent.subject == alone.subject
    assert sent.body == alone.body
    assert sent.alternatives[0].content == alone.alternatives[0].content


@pytest.mark.django_db
def test_each_merged_mail_is_the_mail_rendered_on_its_own(school, team, monkeypatch):
    renders = []
    real = emails.render_to_string
    monkeypatch.setattr(emails, "render_to_string", lambda name, ctx: renders.append(name) or real(name, ctx))
    with time_machine.travel(NOW, tick=False):
        meeting = services.meeting_schedule(school=school, starts_at=dt.datetime(2026, 10, 26, 9, tzinfo=AMS))
        assert sender.send_due() == 3
    assert len(renders) == 3  # one subject, one text and one HTML body for the three invitees
    with time_machine.travel(dt.datetime(2026, 10, 19, 9, 30, tzinfo=AMS), tick=False):
        reminders.plan_due()
        assert sender.send_due() == 3  # the week-before reminder
        by_address = {m.to[0]: m for m in mail.outbox}
        greetings = set()
        for row in Notification.objects.filter(meeting=meeting).select_related("recipient"):
            matching = [m for m in mail.outbox if m.extra_headers["Message-ID"] == sender.message_id(row.key)]
            assert len(matching) == 1, row.key
            _same(matching[0], _alone(row))
            greetings.add(matching[0].alternatives[0].content.split("</p>")[0])
    assert len(by_address) == 3
    assert {g.rsplit("<p>", 1)[1] for g in greetings} == {
        "Hallo Anne &amp; &quot;Jo&quot;,",
        "Hallo &lt;b&gt;Bo&lt;/b&gt;,",
        "Hallo Émile,",
    }
    assert any(m.body.startswith('Hallo Anne & "Jo",') for m in mail.outbox)  # the text part: as written


class _Person:
    email = "anne@example.org"

    def __init__(self, name: str) -> None:
        self.name = name

    def get_short_name(self) -> str:
        return self.name


@pytest.mark.parametrize(
    "body",
    [
        "Beste {{ recipient.get_short_name }}, uw adres: {{ recipient.email }}",  # more than the name
        "{% if recipient.get_short_name %}Hallo{% endif %} daar",  # the name asked, not printed
        "{{ recipient.get_short_name|upper }}",  # the name changed by a filter
        "Hallo {{ recipient }}",  # the recipient printed whole
    ],
)
def test_a_template_that_uses_the_recipient_otherwise_is_rendered_per_recipient(tmp_path, settings, body):
    folder = tmp_path / "emails"
    folder.mkdir()
    (folder / "probe_subject.txt").write_text("Onderwerp")
    (folder / "probe_body.txt").write_text(body)
    (folder / "probe_body.html").write_text(f"<p>{body}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    merge = emails.MailMerge()
    for name in ["Anne", "Bo"]:
        person = _Person(name)
        merged = emails.template_mail(
            "probe", to=[person.email], context={"recipient": person}, merge=merge, merge_key="same"
        )
        alone = emails.template_mail("probe", to=[person.email], context={"recipient": person})
        _same(merged, alone)


@pytest.mark.parametrize(
    ("item", "shared"),
    [
        ("{{ school }}", True),  # printed: one rendering for both
        ("{{ school|upper }}", False),  # changed by a filter: each rendered on its own
    ],
)
def test_fills_share_a_rendering_and_give_each_mail_its_own_values(
    tmp_path, settings, monkeypatch, item, shared
):
    """Values that differ per mail (a person's schools) as marks: rendered once where the template prints
    them as they are, and every mail is the one its own rendering with its values would give."""
    folder = tmp_path / "emails"
    folder.mkdir()
    (folder / "probe_subject.txt").write_text("Onderwerp")
    loop = "{% for school in schools %}" + item + ";{% endfor %}"
    (folder / "probe_body.txt").write_text(
        "{% autoescape off %}Hallo {{ recipient.get_short_name }}: " + loop + "{% endautoescape %}"
    )
    (folder / "probe_body.html").write_text("<p>Hallo {{ recipient.get_short_name }}: " + loop + "</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    renders = []
    real = emails.render_to_string
    monkeypatch.setattr(emails, "render_to_string", lambda name, ctx: renders.append(name) or real(name, ctx))
    merge = emails.MailMerge()
    merging: list[int] = []
    marks = [emails.fill_mark("school0"), emails.fill_mark("school1")]
    for name, schools in [("Anne", ["OBS A & B", "<i>De Fontein</i>"]), ("Bo", ["KBS 't Kompas", "Émile"])]:
        person = _Person(name)
        fills = dict(zip(marks, schools, strict=True))
        before = len(renders)
        merged = emails.template_mail(
            "probe",
            to=[person.email],
            context={"recipient": person, "schools": marks},
            merge=merge,
            merge_key="two schools",
            fills=fills,
        )
        merging.append(len(renders) - before)
        alone = emails.template_mail(
            "probe", to=[person.email], context={"recipient": person, "schools": schools}
        )
        _same(merged, alone)
    assert merged.body.startswith("Hallo Bo: ")
    assert ("KBS 't Kompas;Émile;" in merged.body) == shared
    # Shared: the group's three templates once, then nothing. Not shared: the group tried, then each mail
    # rendered on its own.
    assert merging == ([3, 0] if shared else [6, 3])
