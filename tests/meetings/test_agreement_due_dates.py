"""Due dates of new agreements on the log page: a date far out is refused (it is a typing error), a date
that has passed is saved only once the IB-er confirms it ("Toch opslaan"). The owner is `ib` (IB-er of
`school`), who logs yesterday's KPO; the clock stands on Tuesday 1 September 2026."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.forms_log import NEW_AGREEMENT_ROWS, NEW_QUESTION_ROWS
from meetings.models import Agreement, CaseworkTheme, Meeting

pytestmark = pytest.mark.django_db

WINDOW_ERROR = "Kies een datum tussen 1 augustus 2025 en 17 juli 2028."
PAST_WARNING = "Deze datum is al voorbij. Controleer hem, of vink “Toch opslaan” aan om deze datum te houden."


@pytest.fixture(autouse=True)
def _pinned_now():
    with time_machine.travel("2026-09-01 10:00 +02:00", tick=False):
        yield


@pytest.fixture
def meeting(school, ib, partner) -> Meeting:
    return services.meeting_schedule(school=school, starts_at=timezone.now() - dt.timedelta(days=1))


def log_with_agreement(meeting, owner, due_date: str, **extra) -> dict[str, str]:
    """The log page as the browser posts it, with one new agreement and everything else empty."""
    data = {"action": "save", "minutes": "Verzuim besproken."}
    for invitee in meeting.invitees.all():
        data[f"attendance-{invitee.pk}-state"] = invitee.attendance
        data[f"attendance-{invitee.pk}-replaced_by"] = ""
    data |= {f"casework_{theme}": "" for theme in CaseworkTheme.values}
    data |= {f"question-{n}-text": "" for n in range(1, NEW_QUESTION_ROWS + 1)}
    for n in range(1, NEW_AGREEMENT_ROWS + 1):
        for name in ("description", "owner", "due_date", "action_line"):
            data[f"agreement-{n}-{name}"] = ""
    data |= {
        "agreement-1-description": "Ouders uitnodigen voor een informatieavond",
        "agreement-1-owner": str(owner.pk),
        "agreement-1-due_date": due_date,
        **extra,
    }
    return data


def post_log(client, meeting, data):
    return client.post(reverse("meetings:log", args=[meeting.pk]), data)


def assert_kept_and_not_saved(response, meeting, due_date):
    assert response.status_code == 200
    form = response.context["forms"].new_agreements[0]
    assert form["description"].value() == "Ouders uitnodigen voor een informatieavond"
    assert form["due_date"].value() == due_date
    assert response.context["forms"].log["minutes"].value() == "Verzuim besproken."
    assert not Agreement.objects.exists()
    meeting.refresh_from_db()
    assert meeting.minutes == ""  # the page is saved all or nothing


@pytest.mark.parametrize("due_date", ["9999-12-31", "0001-01-01", "2028-07-18", "2025-07-31"])
def test_it_refuses_a_due_date_outside_the_window(client, meeting, ib, partner, due_date):
    client.force_login(ib)
    response = post_log(
        client, meeting, log_with_agreement(meeting, partner, due_date, **{"agreement-1-past_due_ok": "on"})
    )
    assert_kept_and_not_saved(response, meeting, due_date)
    assert response.context["forms"].new_agreements[0].errors["due_date"] == [WINDOW_ERROR]


def test_it_asks_before_saving_a_due_date_that_has_passed(client, meeting, ib, partner):
    client.force_login(ib)
    response = post_log(client, meeting, log_with_agreement(meeting, partner, "2026-08-31"))

    assert_kept_and_not_saved(response, meeting, "2026-08-31")
    form = response.context["forms"].new_agreements[0]
    assert form.errors["due_date"] == [PAST_WARNING]
    body = response.content.decode()
    assert 'name="agreement-1-past_due_ok"' in body
    assert "Toch opslaan, met een datum die al voorbij is" in body
    assert 'name="agreement-2-past_due_ok"' not in body  # asked only where the date has passed

    response = post_log(
        client,
        meeting,
        log_with_agreement(meeting, partner, "2026-08-31", **{"agreement-1-past_due_ok": "on"}),
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert (agreement.due_date, agreement.owner) == (dt.date(2026, 8, 31), partner)


@pytest.mark.parametrize("due_date", ["2026-09-01", "2028-07-17"])
def test_it_saves_a_due_date_from_today_on_without_asking(client, meeting, ib, partner, due_date):
    client.force_login(ib)
    response = post_log(client, meeting, log_with_agreement(meeting, partner, due_date))
    assert response.status_code == 302
    assert Agreement.objects.get().due_date.isoformat() == due_date
    assert "past_due_ok" not in client.get(reverse("meetings:log", args=[meeting.pk])).content.decode()


def test_it_guards_the_log_service_against_a_due_date_outside_the_window(meeting, partner):
    for due_date in (dt.date(9999, 12, 31), dt.date(2025, 7, 31)):
        with pytest.raises(ValidationError) as refused:
            services.meeting_log_save(
                meeting=meeting,
                attendance={},
                minutes="Niet bewaard",
                casework={},
                new_questions=[],
                new_agreements=[services.AgreementInput("Iets", partner, due_date)],
            )
        assert refused.value.messages == [WINDOW_ERROR]
    meeting.refresh_from_db()
    assert meeting.minutes == ""
    assert not Agreement.objects.exists()
