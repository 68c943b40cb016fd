import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import ngettext

from partners import services
from partners.models import Assignment, Role
from partners.selectors import teams_for_schools
from tests.factories import AssignmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def url():
    return reverse("manage:handover")


@pytest.fixture
def leaving(school, wijk):
    """Ada leaves. From today: one current assignment splits, one future one moves whole, one where the
    successor already has the role is just ended; one that ended long ago stays as it is."""
    today = timezone.localdate()
    ada = UserFactory(first_name="Ada", last_name="Vertrekt")
    bea = UserFactory(first_name="Bea", last_name="Opvolger")
    second, third = SchoolFactory(wijk=wijk, name="CBS Tweede"), SchoolFactory(wijk=wijk, name="OBS Derde")
    split = AssignmentFactory(person=ada, school=school, role=Role.JGZ)
    move = AssignmentFactory(
        person=ada, school=second, role=Role.JGZ, start_date=today + dt.timedelta(days=20)
    )
    skip = AssignmentFactory(person=ada, school=third, role=Role.JGZ, is_stand_in=True)
    AssignmentFactory(person=bea, school=third, role=Role.JGZ, is_stand_in=True)
    old = AssignmentFactory(
        person=ada,
        school=second,
        role=Role.LEERPLICHT,
        start_date=today - dt.timedelta(days=900),
        end_date=today - dt.timedelta(days=400),
    )
    return {"ada": ada, "bea": bea, "split": split, "move": move, "skip": skip, "old": old, "today": today}


def form_data(leaving, action="preview"):
    return {
        "from_person": leaving["ada"].pk,
        "to_person": leaving["bea"].pk,
        "on": leaving["today"].isoformat(),
        "action": action,
    }


def test_it_lets_only_admins_hand_over(client, admin_user, partner, coordinator, leaving):
    response = client.get(url())
    assert response["Location"].startswith(reverse("account_login"))
    for user in (partner, coordinator):
        client.force_login(user)
        assert client.get(url()).status_code == 403
        assert client.post(url(), form_data(leaving, "confirm")).status_code == 403
    assert Assignment.objects.filter(person=leaving["bea"]).count() == 1
    client.force_login(admin_user)
    assert client.get(url()).status_code == 200


def test_it_previews_every_affected_assignment_without_changing_anything(client, admin_user, leaving):
    before = list(Assignment.objects.order_by("pk").values())
    client.force_login(admin_user)
    response = client.post(url(), form_data(leaving))
    steps = response.context["steps"]
    assert steps == services.handover_plan(
        from_person=leaving["ada"], to_person=leaving["bea"], on=leaving["today"]
    )
    assert {s.assignment_id: s.action for s in steps} == {
        leaving["split"].pk: "split",
        leaving["move"].pk: "move",
        leaving["skip"].pk: "skip",
    }
    body = response.content.decode()
    for school_name in ("OBS De Zonnewijzer", "CBS Tweede", "OBS Derde"):
        assert school_name in body
    assert 'name="action" value="confirm"' in body
    assert list(Assignment.objects.order_by("pk").values()) == before


def test_it_applies_exactly_what_it_previewed_and_keeps_history(
    client, admin_user, leaving, school, monkeypatch
):
    ada, bea, today = leaving["ada"], leaving["bea"], leaving["today"]
    applied = []
    real_apply = services.handover_apply

    def recording_apply(**kwargs):
        applied.append(real_apply(**kwargs))
        return applied[-1]

    monkeypatch.setattr(services, "handover_apply", recording_apply)
    client.force_login(admin_user)
    preview = client.post(url(), form_data(leaving))
    previewed = preview.context["steps"]
    response = client.post(url(), {**form_data(leaving, "confirm"), "plan": preview.context["plan"]})

    assert response["Location"] == url()
    assert applied == [previewed]
    count = Assignment.objects.count()
    # history stays: every old assignment is still there, ended instead of deleted
    for key in ("split", "skip"):
        leaving[key].refresh_from_db()
        assert leaving[key].person == ada
        assert leaving[key].end_date == today - dt.timedelta(days=1)
    leaving["move"].refresh_from_db()
    assert leaving["move"].person == bea
    leaving["old"].refresh_from_db()
    assert (leaving["old"].person, leaving["old"].end_date) == (ada, today - dt.timedelta(days=400))
    successor = Assignment.objects.get(person=bea, school=school)
    assert (successor.role, successor.start_date, successor.end_date) == (Role.JGZ, today, None)
    assert count == 6  # the five of the fixture and the successor's new one: nothing deleted
    # the roster today shows the successor
    team = teams_for_schools([school.pk])[school.pk]
    assert [a.person for a in team.seats[2].holders] == [bea]

    with translation.override("nl"):
        names = {"leaver": ada, "successor": bea, "date": formats.date_format(today)}
        moved = ngettext(
            "%(count)d assignment of %(leaver)s handed over to %(successor)s from %(date)s.",
            "%(count)d assignments of %(leaver)s handed over to %(successor)s from %(date)s.",
            2,
        ) % {"count": 2, **names}
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown[0] == moved
    assert len(shown) == 2  # and one about the assignment that just ended


def test_it_applies_nothing_when_the_assignments_changed_after_the_preview(
    client, admin_user, leaving, other_school
):
    client.force_login(admin_user)
    preview = client.post(url(), form_data(leaving))
    late = AssignmentFactory(person=leaving["ada"], school=other_school, role=Role.LEERPLICHT)
    response = client.post(url(), {**form_data(leaving, "confirm"), "plan": preview.context["plan"]})
    assert response.status_code == 200
    assert response.context["changed"]
    assert late.pk in {s.assignment_id for s in response.context["steps"]}
    for key in ("split", "move", "skip"):
        before = leaving[key]
        before.refresh_from_db()
        assert (before.person, before.end_date) == (leaving["ada"], None)
    assert Assignment.objects.filter(person=leaving["bea"]).count() == 1


def test_it_refuses_the_same_person_as_successor_and_keeps_the_input(client, admin_user, leaving):
    client.force_login(admin_user)
    data = {**form_data(leaving), "to_person": leaving["ada"].pk}
    response = client.post(url(), data)
    assert response.status_code == 200
    assert response.context["form"].has_error(NON_FIELD_ERRORS, code="same_person")
    assert response.context["steps"] is None
    assert f'value="{leaving["today"].isoformat()}"' in response.content.decode()


def test_it_requires_all_three_values(client, admin_user, leaving):
    client.force_login(admin_user)
    response = client.post(url(), {**form_data(leaving, "confirm"), "on": ""})
    assert response.context["form"].has_error("on", code="required")
    leaving["split"].refresh_from_db()
    assert leaving["split"].end_date is None


def test_it_says_when_there_is_nothing_to_hand_over(client, admin_user, leaving):
    client.force_login(admin_user)
    response = client.post(url(), {**form_data(leaving), "from_person": admin_user.pk})
    assert response.context["steps"] == []
    assert 'value="confirm"' not in response.content.decode()


def test_it_fills_in_who_leaves_from_the_deactivation_page_link(client, admin_user, leaving):
    client.force_login(admin_user)
    ada = leaving["ada"]
    response = client.get(url(), {"from_person": ada.pk})
    assert str(response.context["form"]["from_person"].value()) == str(ada.pk)
    assert response.context["form"]["on"].value() == leaving["today"]


def test_a_handover_moves_the_leavers_open_agreements_at_those_schools(leaving, school):
    from meetings.models import Agreement, AgreementStatus
    from tests.factories import AgreementFactory, MeetingFactory

    ada, bea = leaving["ada"], leaving["bea"]
    meeting = MeetingFactory(school=school)
    open_here = AgreementFactory(meeting=meeting, school=school, owner=ada)
    done_here = AgreementFactory(meeting=meeting, school=school, owner=ada, status=AgreementStatus.DONE)
    elsewhere_school = SchoolFactory(name="Elders")
    elsewhere = AgreementFactory(
        meeting=MeetingFactory(school=elsewhere_school), school=elsewhere_school, owner=ada
    )

    services.handover_apply(from_person=ada, to_person=bea, on=leaving["today"])

    owners = dict(Agreement.objects.values_list("pk", "owner_id"))
    assert owners[open_here.pk] == bea.pk
    assert owners[done_here.pk] == ada.pk  # history
    assert owners[elsewhere.pk] == ada.pk  # not a school of the handover


def test_a_handover_to_someone_who_left_is_refused(leaving):
    from django.core.exceptions import ValidationError

    from kpa.services import user_deactivate

    user_deactivate(user=leaving["bea"], by=None)
    with pytest.raises(ValidationError) as refused:
        services.handover_plan(from_person=leaving["ada"], to_person=leaving["bea"], on=leaving["today"])
    assert refused.value.code == "inactive"
