"""Dutch wherever a user reads: Django's own texts and the admin's included, one form of address ("je"),
dates written the Dutch way, and the admin's favicon."""

import datetime as dt
import gettext
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
import time_machine
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from meetings.models import Meeting
from partners.models import Role
from schools.models import Wijk
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db
AMSTERDAM = dt.timezone(dt.timedelta(hours=1))  # winter time, enough for a date in January

# "u" or "uw" as a word: the polite form of address KPA does not use. (A placeholder like %(u)s is no word.)
U_FORM = re.compile(r"(?<![\w%(])(?:u|uw|U|Uw)(?![\w)])")


class _Readable(HTMLParser):
    """What a person reads on a page: text outside scripts and styles, and the texts of alt, title,
    aria-label, placeholder and button values."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        attrs = dict(attrs)
        for name in ("alt", "title", "aria-label", "placeholder"):
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def readable(response) -> str:
    assert response.status_code == 200, response
    page = _Readable()
    page.feed(response.content.decode())
    return "\n".join(page.texts)


# --- Django's own texts -------------------------------------------------------------------------------


def test_it_offers_the_empty_choice_of_a_form_in_dutch(wijk):
    class WijkForm(forms.Form):
        wijk = forms.ModelChoiceField(queryset=Wijk.objects.all())

    with translation.override("nl"):
        html = str(WijkForm()["wijk"])
    assert '<option value="" selected>- Kies een optie -</option>' in html
    assert "Select an option" not in html


ENGLISH_IN_THE_ADMIN = (
    "Select an option",  # Django 6.1's new empty choice
    "Search",  # the search box's icon and heading
    "Pagination",
    "Filter by",
    "user session",
    "created at",
    "Created at",
    "last seen at",
    "Last seen at",
    "User agent",
    "Are you sure",
    "Deleting the",
)


@pytest.fixture
def user_session(admin_user):
    from allauth.usersessions.models import UserSession

    return UserSession.objects.create(
        user=admin_user, ip="192.0.2.7", session_key="k" * 32, user_agent="Firefox"
    )


@pytest.mark.parametrize(
    ("url_name", "with_pk"),
    [
        ("admin:usersessions_usersession_changelist", None),
        ("admin:usersessions_usersession_change", "user_session"),
        ("admin:schools_school_changelist", None),
        ("admin:schools_school_add", None),
        ("admin:schools_school_change", "school"),
        ("admin:schools_wijk_delete", "wijk"),
        ("admin:partners_assignment_add", None),
    ],
)
def test_it_shows_the_admin_in_dutch(client, request, admin_user, school, partner, url_name, with_pk):
    client.force_login(admin_user)
    args = [request.getfixturevalue(with_pk).pk] if with_pk else []
    text = readable(client.get(reverse(url_name, args=args)))
    found = [english for english in ENGLISH_IN_THE_ADMIN if english in text]
    assert not found, f"English on {url_name}: {found}"


def test_it_heads_the_third_party_apps_of_the_admin_index_in_dutch(client, admin_user):
    client.force_login(admin_user)
    headings = re.findall(r"<caption>\s*<a [^>]*>(.*?)</a>", client.get(reverse("admin:index")).text, re.S)
    assert "Auditlog" in headings
    assert "Twee-factor-authenticatie" in headings
    assert not {"Audit log", "MFA"} & set(headings)


def test_it_names_allauth_s_account_app_apart_from_kpa_s_in_the_admin(client, admin_user):
    """'Accounts' next to 'Accounts en toegang' said nothing about which is which."""
    client.force_login(admin_user)
    headings = re.findall(r"<caption>\s*<a [^>]*>(.*?)</a>", client.get(reverse("admin:index")).text, re.S)
    assert "E-mailadressen" in headings
    assert "Accounts en toegang" in headings
    assert "Accounts" not in headings


def test_it_shows_user_sessions_read_only_in_the_admin(client, admin_user, user_session):
    client.force_login(admin_user)
    add = reverse("admin:usersessions_usersession_add")
    for page in ("admin:index", "admin:usersessions_usersession_changelist"):
        assert f'href="{add}"' not in client.get(reverse(page)).text
    assert client.get(add).status_code == 403
    change = reverse("admin:usersessions_usersession_change", args=[user_session.pk])
    page = client.get(change).text
    assert "192.0.2.7" in page
    assert not re.search(r'name="(user|ip|user_agent|created_at|last_seen_at)"', page)
    client.post(change, {"ip": "198.51.100.1", "user_agent": "Edge", "user": admin_user.pk})
    user_session.refresh_from_db()
    assert (user_session.ip, user_session.user_agent) == ("192.0.2.7", "Firefox")


def test_it_names_the_user_sessions_in_dutch_in_the_admin(client, admin_user, user_session):
    client.force_login(admin_user)
    text = readable(client.get(reverse("admin:usersessions_usersession_changelist")))
    assert "Selecteer gebruikerssessie om te wijzigen" in text
    assert "Zoeken in gebruikerssessies" in text
    assert "Laatst gezien op" in text


def test_it_names_the_fields_of_third_party_models_in_dutch():
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    with translation.override("nl"):
        assert str(UserSession._meta.verbose_name_plural) == "gebruikerssessies"
        assert str(UserSession._meta.get_field("ip").verbose_name) == "IP-adres"
        assert str(Authenticator._meta.get_field("last_used_at").verbose_name) == "laatst gebruikt op"


def test_it_shows_the_audit_trail_in_dutch(client, admin_user, school):
    school.name = "OBS De Nieuwe Naam"
    school.save()  # outside a request: logged without a person, by "the system"
    client.force_login(admin_user)
    text = readable(client.get(reverse("admin:auditlog_logentry_changelist")))
    assert "systeem" in text.splitlines()
    assert re.search(r"^\d+ wijzigingen: .*Naam", text, re.MULTILINE)
    assert "Correlatie-ID" in text
    found = [english for english in ("system", "changes", "Correlation ID", "Search") if english in text]
    assert not found


def test_it_speaks_dutch_in_the_admins_javascript(client, admin_user):
    client.force_login(admin_user)
    body = client.get(reverse("admin:jsi18n")).content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});\n", body, re.DOTALL).group(1))
    assert catalog["Today (%(date)s)"] == "Vandaag (%(date)s)"
    texts = [t for value in catalog.values() for t in (value if isinstance(value, list) else [value])]
    assert not [t for t in texts if U_FORM.search(t)]


# --- One form of address: "je" ------------------------------------------------------------------------


def _msgstrs(path: Path) -> list[str]:
    """Every msgstr (and msgstr[n]) of a .po file, continuation lines joined."""
    msgstrs, current = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgstr"):
            current = line.split(" ", 1)[1][1:-1]
            msgstrs.append(current)
        elif line.startswith('"') and current is not None:
            msgstrs[-1] += line[1:-1]
        else:
            current = None
    return msgstrs


def test_it_says_je_in_every_text_of_the_catalogue():
    folder = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES"
    polite = [text for po in folder.glob("*.po") for text in _msgstrs(po) if U_FORM.search(text)]
    assert not polite


STRAIGHT_QUOTED = re.compile(r'\\"(%(\(\w+\))?[sd]|\{\w*\})\\"')  # \"%(name)s\" as a .po line has it


def test_it_quotes_with_curly_quotes_in_every_text_of_the_catalogue():
    """Flash messages said 'Afspraak "…" is verwijderd.' where the warnings say “…”: one style, “…”."""
    folder = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES"
    straight = [text for po in folder.glob("*.po") for text in _msgstrs(po) if STRAIGHT_QUOTED.search(text)]
    assert not straight
    assert STRAIGHT_QUOTED.search('Afspraak \\"%(agreement)s\\" is verwijderd.')  # what it looked like
    assert not STRAIGHT_QUOTED.search('<a href=\\"https://docs/%(version)s/\\" target=\\"_blank\\">')


def _django_catalogues():
    """Django's own nl catalogues and those of its contrib apps that KPA installs. (allauth's texts are
    kept to "je" by kpa/i18n_allauth.py and its tests.)"""
    folders = [Path(django.__file__).parent / "conf" / "locale"]
    folders += [
        Path(config.path) / "locale" for config in apps.get_app_configs() if config.name.startswith("django.")
    ]
    return [mo for folder in folders if (mo := folder / "nl" / "LC_MESSAGES" / "django.mo").exists()]


def test_it_says_je_where_django_says_u():
    catalogues = _django_catalogues()
    assert len(catalogues) >= 4  # Django, admin, auth, contenttypes, ...
    polite = []
    with translation.override("nl"):
        for mo in catalogues:
            with mo.open("rb") as file:
                keys = gettext.GNUTranslations(file)._catalog.keys()
            for key in keys:
                if isinstance(key, tuple):
                    text = translation.ngettext(key[0], key[0], 1 if key[1] == 0 else 2)
                elif "\x04" in key:
                    text = translation.pgettext(*key.split("\x04", 1))
                else:
                    text = translation.gettext(key)
                if U_FORM.search(text):
                    polite.append(text)
    assert not polite, polite


# --- Dates --------------------------------------------------------------------------------------------


def test_it_writes_short_dates_the_dutch_way():
    with translation.override("nl"):
        assert date_format(dt.date(2027, 1, 5), "SHORT_DATE_FORMAT") == "5 jan. 2027"
        assert date_format(dt.date(2027, 3, 5), "SHORT_DATE_FORMAT") == "5 mrt. 2027"
        assert date_format(dt.date(2027, 5, 5), "SHORT_DATE_FORMAT") == "5 mei 2027"
        assert date_format(dt.date(2027, 9, 5), "SHORT_DATE_FORMAT") == "5 sep. 2027"
        assert date_format(dt.date(2027, 1, 5), "l j F Y") == "dinsdag 5 januari 2027"
        assert date_format(dt.date(2027, 1, 9), "D j F") == "za 9 januari"


@time_machine.travel(dt.datetime(2026, 12, 15, 9, 0, tzinfo=AMSTERDAM), tick=False)
def test_it_shows_the_next_kpo_and_an_ending_role_in_dutch_on_the_roster(client, school, coordinator):
    Meeting.objects.create(school=school, starts_at=dt.datetime(2027, 1, 5, 10, 0, tzinfo=AMSTERDAM))
    AssignmentFactory(school=school, role=Role.JGZ, end_date=dt.date(2027, 1, 8))
    client.force_login(coordinator)
    text = readable(client.get(reverse("schools:list")))
    assert "5 jan. 2027" in text
    assert "8 jan." in text
    assert "5 Jan" not in text
    assert "8 Jan" not in text


# --- The team table and the admin's favicon -----------------------------------------------------------


def test_it_heads_the_team_tables_person_column_with_person(client, admin_user, school, partner):
    client.force_login(admin_user)
    body = client.get(reverse("manage:school-team", args=[school.pk])).content.decode()
    head = re.search(r'<table class="table table-sm team-table">.*?<thead>(.*?)</thead>', body, re.DOTALL)
    columns = re.findall(r"<th[^>]*>(.*?)</th>", head.group(1))
    assert columns[0] == "Persoon"
    assert "Vandaag" not in columns


@pytest.mark.parametrize(
    "url_name", ["admin:index", "admin:schools_school_changelist", "admin:schools_school_add"]
)
def test_it_gives_the_admin_kpas_favicon(client, admin_user, url_name):
    client.force_login(admin_user)
    body = client.get(reverse(url_name)).content.decode()
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', body)
    assert len(icons) == 1
    assert icons[0].startswith(settings.STATIC_URL)
    assert finders.find(icons[0].removeprefix(settings.STATIC_URL))
    home = client.get(reverse("kpa:home")).content.decode()
    assert f'<link rel="icon" href="{icons[0]}"' in home  # the same icon as KPA's own pages
