"""Every URL pattern of the project, walked from the resolver as anonymous and as each role.

The expected answer of each pattern for each role is in EXPECTED below; a pattern missing from the table
fails the test, so a new view cannot be forgotten. Codes: "login" = redirect to the login page,
"mfa" = redirect to MFA set-up, "reauth" = asked for the password again, "home" = redirect to the
start page, "302" = any other redirect; or a status code."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.admin import site as admin_site
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from kpa.models import Invitation, hash_token
from kpa.services import invitation_send
from tests.conftest import totp_code
from tests.evaluations import url_table as evaluations_url_table
from tests.factories import PASSWORD
from tests.front import url_table as url_table_front
from tests.helpers import ROLES
from tests.meetings import url_table_feed, url_table_log, url_table_plan
from tests.partners.url_table import MANAGE_EXPECTED
from tests.programme import url_table as programme_url_table

ALL_SIGNED_IN_200 = {"anonymous": "login", **dict.fromkeys(ROLES[1:], 200)}
ADMIN_ONLY = {"anonymous": "login", **dict.fromkeys(ROLES[1:-1], 403), "admin": 200}
SCOPED_SCHOOL = {
    "anonymous": "login",
    "ib": 200,
    "partner": 200,
    "outsider": 404,
    "coordinator": 200,
    "wijk_coordinator": 404,
    "admin": 200,
}
PUBLIC = dict.fromkeys(ROLES, 200)
COORDINATION = {"anonymous": "login", **dict.fromkeys(ROLES[1:4], 403), **dict.fromkeys(ROLES[4:], 200)}
WITH_MFA = ("coordinator", "wijk_coordinator", "admin")
WITHOUT_MFA = ("ib", "partner", "outsider")

EXPECTED: dict[str, dict[str, object]] = {
    "kpa:home": ALL_SIGNED_IN_200,
    "kpa:health": PUBLIC,
    "kpa:person-list": ADMIN_ONLY,
    "kpa:person-invite": ADMIN_ONLY,
    "kpa:person-deactivate": ADMIN_ONLY,
    # Issue 14: the access log and the retention page are the admins'; everyone sees their own data, an
    # admin anyone's (others must not learn whether the person exists: 404).
    "privacy:access-log": ADMIN_ONLY,
    "privacy:access-log-export": ADMIN_ONLY,
    "privacy:retention": ADMIN_ONLY,
    "privacy:inzage": ALL_SIGNED_IN_200,
    "privacy:inzage-json": ALL_SIGNED_IN_200,
    "privacy:inzage-person": {"anonymous": "login", **dict.fromkeys(ROLES[1:-1], 404), "admin": 200},
    "privacy:inzage-person-json": {"anonymous": "login", **dict.fromkeys(ROLES[1:-1], 404), "admin": 200},
    "kpa:invitation-accept": PUBLIC,
    "schools:list": ALL_SIGNED_IN_200,
    "schools:detail": SCOPED_SCHOOL,
    "schools:export-csv": COORDINATION,
    "schools:export-xlsx": COORDINATION,
    "schools:import": ADMIN_ONLY,
    "schools:import-preview": {"anonymous": "login", **dict.fromkeys(ROLES[1:-1], 403), "admin": 404},
    "schools:import-progress": {"anonymous": "login", **dict.fromkeys(ROLES[1:-1], 403), "admin": 404},
    "schools:holiday-import": ADMIN_ONLY,
    "schools:postcode-areas": ADMIN_ONLY,
    "schools:unplaced": ADMIN_ONLY,
    # allauth
    "account_login": {"anonymous": 200, **dict.fromkeys(ROLES[1:], "home")},
    "account_logout": {"anonymous": "home", **dict.fromkeys(ROLES[1:], 200)},
    "account_inactive": PUBLIC,
    "account_signup": {"anonymous": 200, **dict.fromkeys(ROLES[1:], "home")},
    "account_reauthenticate": ALL_SIGNED_IN_200,
    "account_email": ALL_SIGNED_IN_200,
    "account_email_verification_sent": PUBLIC,
    "account_change_password": ALL_SIGNED_IN_200,
    "account_set_password": {"anonymous": "login", **dict.fromkeys(ROLES[1:], "302")},
    "account_reset_password": PUBLIC,
    "account_confirm_login_code": {"anonymous": "login", **dict.fromkeys(ROLES[1:], "home")},
    "account_confirm_email": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "mfa_index": ALL_SIGNED_IN_200,
    "mfa_authenticate": {"anonymous": "login", **dict.fromkeys(ROLES[1:], "home")},
    # MFA pages answer by the person's own MFA state; changing it asks for the password again first.
    "mfa_reauthenticate": {
        "anonymous": "login",
        **dict.fromkeys(WITHOUT_MFA, "reauth"),
        **dict.fromkeys(WITH_MFA, 200),
    },
    "mfa_activate_totp": {"anonymous": "login", **dict.fromkeys(ROLES[1:], "reauth")},
    "mfa_deactivate_totp": {
        "anonymous": "login",
        **dict.fromkeys(WITHOUT_MFA, 404),
        **dict.fromkeys(WITH_MFA, "reauth"),
    },
    "mfa_view_recovery_codes": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 404)},
    "mfa_generate_recovery_codes": {"anonymous": "login", **dict.fromkeys(ROLES[1:], "reauth")},
    "mfa_download_recovery_codes": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 404)},
    "usersessions_list": ALL_SIGNED_IN_200,
    **MANAGE_EXPECTED,
    **url_table_plan.EXPECTED,
    **url_table_log.EXPECTED,
    **url_table_feed.EXPECTED,
    **url_table_front.EXPECTED,
    **programme_url_table.EXPECTED,
    **evaluations_url_table.EXPECTED,
}

# The Django admin: every page of it is for admins only, anonymous visitors go to the (allauth) login.
ADMIN_DEFAULT = {"anonymous": "login", **dict.fromkeys(ROLES[1:-1], 403), "admin": 200}
ADMIN_EXCEPTIONS: dict[str, dict[str, object]] = {
    "admin:login": {"anonymous": "login", **dict.fromkeys(ROLES[1:-1], 403), "admin": "302"},
    "admin:logout": {"anonymous": "302", **dict.fromkeys(ROLES[1:-1], 403), "admin": 405},
    "admin:view_on_site": {"anonymous": "login", **dict.fromkeys(ROLES[1:-1], 403), "admin": 404},
    # The audit trail is read-only, for admins too.
    "admin:auditlog_logentry_add": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 403)},
    "admin:auditlog_logentry_delete": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 403)},
    "admin:autocomplete": {"anonymous": "login", **dict.fromkeys(ROLES[1:-1], 403), "admin": 403},
    # Second factors are set up by their owner, never added in the admin (it shows no secrets either).
    "admin:mfa_authenticator_add": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 403)},
    # A session is made by signing in, never added in the admin (an administrator may delete one).
    "admin:usersessions_usersession_add": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 403)},
}


def walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else ns or namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), full_ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern


def admin_model_for(route: str):
    match = re.match(r"admin/(\w+)/(\w+)/", route)
    if not match:
        return None
    for model in admin_site._registry:
        if (model._meta.app_label, model._meta.model_name) == match.groups():
            return model
    return None


@pytest.fixture
def objects(school, other_school, ib, partner, outsider, coordinator, wijk_coordinator, admin_user):
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    from partners.models import Assignment, Organisation

    Group.objects.create(name="Beheer")
    Organisation.objects.create(name="Lokalis", kind="buurtteam")
    from allauth.usersessions.models import UserSession

    assert EmailAddress.objects.filter(user=partner, verified=True).exists()
    UserSession.objects.create(user=partner, ip="127.0.0.1", session_key="s" * 32, user_agent="pytest")
    from meetings.models import CalendarFeed
    from meetings.services import AgreementInput, meeting_log_save, meeting_schedule

    meeting = meeting_schedule(school=school, starts_at=timezone.now() + dt.timedelta(days=3))
    meeting_log_save(
        meeting=meeting,
        attendance={},
        minutes="",
        casework={},
        new_questions=["Hoe bereiken we ouders die geen Nederlands spreken?"],
        new_agreements=[AgreementInput("Ouders uitnodigen", partner, timezone.localdate())],
    )
    agreement = meeting.agreements.get()
    question = meeting.collective_questions.get()
    agenda_item = meeting.agenda_items.first()
    feed = CalendarFeed.objects.create(user=partner)
    invitation = invitation_send(user=partner, invited_by=admin_user)
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=hash_token("a-valid-token"))
    assert Assignment.objects.exists()
    return {
        "users": {
            "ib": ib,
            "partner": partner,
            "outsider": outsider,
            "coordinator": coordinator,
            "wijk_coordinator": wijk_coordinator,
            "admin": admin_user,
        },
        "kwargs": {
            "pk": school.pk,
            "token": "a-valid-token",
            "key": "abc",
            "uidb36": "0",
            "app_label": "schools",
            "upload_id": "0123456789abcdef0123456789abcdef",
            "school_pk": school.pk,
        },
        # URLs whose `pk` is not a school's: the objects they need, by URL name.
        "by_name": {
            "kpa:person-deactivate": {"pk": partner.pk},
            # An import nobody has (an admin's own upload: tests/schools/test_import_views.py).
            "schools:import-preview": {"pk": "01234567-89ab-cdef-0123-456789abcdef"},
            "schools:import-progress": {"pk": "01234567-89ab-cdef-0123-456789abcdef"},
            "privacy:inzage-person": {"pk": partner.pk},
            "privacy:inzage-person-json": {"pk": partner.pk},
            **{
                name: {"pk": meeting.pk}
                for name in (
                    "meetings:detail",
                    "meetings:update",
                    "meetings:cancel",
                    "meetings:log",
                    "meetings:ics",
                )
            },
            "meetings:agreement-done": {"pk": agreement.pk},
            "meetings:agenda-update": {"pk": meeting.pk},
            "meetings:agenda-item-delete": {"pk": meeting.pk, "item_pk": agenda_item.pk},
            "meetings:agreement-update": {"pk": meeting.pk, "agreement_pk": agreement.pk},
            "meetings:agreement-delete": {"pk": meeting.pk, "agreement_pk": agreement.pk},
            "meetings:question-update": {"pk": meeting.pk, "question_pk": question.pk},
            "meetings:question-delete": {"pk": meeting.pk, "question_pk": question.pk},
            "meetings:feed": {"token": feed.token},
            **programme_url_table.objects(),
            **evaluations_url_table.objects(school),
        },
    }


def url_for(route: str, name: str | None, pattern: URLPattern, objects: dict) -> str:
    kwargs = {**objects["kwargs"], **objects["by_name"].get(name, {})}
    needed = set(pattern.pattern.regex.groupindex)
    if route.startswith("admin/"):
        model = admin_model_for(route)
        if "content_type_id" in needed:  # view on site
            return reverse(name, kwargs={"content_type_id": 1, "object_id": "1"})
        if "object_id" in needed:
            obj = model._default_manager.order_by("pk").first()
            assert obj is not None, f"no {model.__name__} to open {route}"
            kwargs = {**kwargs, "object_id": str(obj.pk)}
        if "id" in needed:  # the user admin's password change
            kwargs = {**kwargs, "id": str(model._default_manager.order_by("pk").first().pk)}
        if "url" in needed:  # the admin's catch-all for unknown URLs
            return "/admin/does-not-exist/"
    if name is None:  # an unnamed pattern: fill in its route by hand
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)
    return reverse(name, kwargs={k: v for k, v in kwargs.items() if k in needed})


def sign_in(client, user) -> None:
    """Through the real login form (and second factor), so allauth's reauthentication sees a fresh login."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    if response["Location"] == reverse("mfa_authenticate"):
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert client.session.get("_auth_user_id") == str(user.pk), response


def outcome(response) -> object:
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith(reverse("account_login")) or location.startswith(reverse("admin:login")):
            return "login"
        if location.startswith(reverse("account_reauthenticate")):
            return "reauth"
        if location == reverse("mfa_activate_totp"):
            return "mfa"
        if location == reverse("kpa:home"):
            return "home"
        return "302"
    return response.status_code


def expected_for(route: str, name: str | None) -> dict[str, object] | None:
    if route.startswith("admin/"):
        if name is None and route.endswith("$"):  # the catch-all: admins see 404, others are kept out
            return {"anonymous": "login", **dict.fromkeys(ROLES[1:-1], 403), "admin": 404}
        if name is None:  # /admin/<app>/<model>/<id>/ redirects to the change page
            return {"anonymous": "login", **dict.fromkeys(ROLES[1:-1], 403), "admin": "302"}
        return ADMIN_EXCEPTIONS.get(name, ADMIN_DEFAULT)
    return EXPECTED.get(name)


@pytest.mark.django_db
def test_it_answers_every_url_as_the_table_says(client, objects):
    from allauth.account.models import EmailAddress  # noqa: F401  (the fixture made one)

    patterns = list(walk(get_resolver().url_patterns))
    missing = [f"{route} ({name})" for route, name, _ in patterns if expected_for(route, name) is None]
    assert not missing, f"URL patterns without an entry in the table: {missing}"

    wrong = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            sign_in(client, objects["users"][role])
        for route, name, pattern in patterns:
            url = url_for(route, name, pattern, objects)
            response = client.get(url)
            got = outcome(response)
            want = expected_for(route, name)[role]
            if got != want:
                wrong.append(f"{role:>16} {url}: got {got}, want {want} {response.get('Location', '')}")
            wrong += page_promises(response, url, role)
    assert not wrong, "\n".join(wrong)


INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=")


def page_promises(response, url: str, role: str) -> list[str]:
    """What every page keeps: a CSP, no caching behind login, and no inline code in our own pages."""
    problems = []
    if "Content-Security-Policy" not in response:
        problems.append(f"{role:>16} {url}: no Content-Security-Policy")
    if role != "anonymous" and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"{role:>16} {url}: may be cached although signed in")
    own_html_page = (
        response.status_code == 200
        and response.get("Content-Type", "").startswith("text/html")
        and not url.startswith("/admin/")
    )
    if own_html_page and INLINE_CODE.search(response.content.decode()):
        problems.append(f"{role:>16} {url}: inline script, style or event handler")
    return problems


@pytest.mark.django_db
def test_it_sends_a_coordinator_without_mfa_to_the_set_up_from_every_page(client, objects, gemeente):
    """Until they have an authenticator app, admins and coordinators reach only the MFA and logout pages."""
    from kpa.middleware import RequireMFAMiddleware
    from kpa.models import UserKind
    from tests.factories import UserFactory

    sign_in(client, UserFactory(kind=UserKind.COORDINATOR, gemeente=gemeente))
    wrong = []
    for route, name, pattern in walk(get_resolver().url_patterns):
        url = url_for(route, name, pattern, objects)
        got = outcome(client.get(url))
        allowed = name in RequireMFAMiddleware.ALLOWED_URL_NAMES
        if allowed == (got == "mfa"):
            wrong.append(f"{url}: got {got}")
    assert not wrong, "\n".join(wrong)
