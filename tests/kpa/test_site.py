"""Cross-cutting promises: security headers, no caching of private pages, Dutch, migrations."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_it_has_no_pending_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_it_sends_a_content_security_policy_without_inline_code(client, partner):
    client.force_login(partner)
    response = client.get(reverse("kpa:home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    body = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", body), "inline <script> found"
    assert not re.search(r"<style", body), "inline <style> found"
    assert not re.search(r"\sstyle=", body), "style attribute found"
    assert not re.search(r"\son[a-z]+=", body), "inline event handler found"


def test_it_sends_the_login_page_with_the_same_policy(client):
    response = client.get(reverse("account_login"))
    assert "Content-Security-Policy" in response
    assert not re.search(r"\sstyle=", response.content.decode())


def test_it_forbids_caching_pages_behind_login(client, partner):
    client.force_login(partner)
    response = client.get(reverse("schools:list"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_it_has_a_skip_link_and_landmarks(client, partner):
    client.force_login(partner)
    body = client.get(reverse("kpa:home")).content.decode()
    assert 'href="#main"' in body
    assert '<main id="main"' in body
    assert "<nav" in body
    assert '<html lang="nl">' in body


def test_it_really_translates_into_dutch():
    with translation.override("nl"):
        assert translation.gettext("My schools") == "Mijn scholen"
        assert translation.gettext("Skip to content") == "Direct naar de inhoud"


def test_it_speaks_dutch_on_the_login_page(client):
    body = client.get(reverse("account_login")).content.decode()
    assert "Wachtwoord" in body
    assert "Direct naar de inhoud" in body


def test_it_has_every_string_of_the_code_in_the_catalogue():
    """Every literal English msgid in Python (_("…")) and templates ({% translate "…" %}) is in the .po,
    so a string added without `make messages` fails here rather than showing English to a user."""
    from pathlib import Path

    from django.conf import settings

    base = Path(settings.BASE_DIR)
    known = {msgid for msgid, _msgstr in _po_entries(base / "locale" / "nl" / "LC_MESSAGES" / "django.po")}
    python_call = re.compile(r"""\b(?:_|gettext|gettext_lazy|pgettext)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]""")
    template_tag = re.compile(r"""{%\s*(?:translate|trans)\s+"([^"]+)"\s*(?:as \w+\s*)?%}""")
    missing = []
    for folder in ("kpa", "schools", "partners", "meetings", "evaluations", "templates"):
        for path in (base / folder).rglob("*"):
            if "migrations" in path.parts or path.suffix not in (".py", ".html", ".txt"):
                continue
            text = path.read_text(encoding="utf-8")
            pattern = python_call if path.suffix == ".py" else template_tag
            missing += [f"{path.relative_to(base)}: {m}" for m in pattern.findall(text) if m not in known]
    assert not missing, missing


def test_it_answers_the_health_check(client, db):
    response = client.get(reverse("kpa:health"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_it_audits_changes_to_schools_and_assignments(school, partner):
    from auditlog.models import LogEntry

    school.name = "OBS De Nieuwe Naam"
    school.save()
    entry = LogEntry.objects.get_for_object(school).latest("timestamp")
    assert "OBS De Nieuwe Naam" in str(entry.changes)
    assignment = partner.assignments.get()
    assert LogEntry.objects.get_for_object(assignment).exists()


def test_it_never_audits_password_hashes(partner):
    from auditlog.models import LogEntry

    partner.set_password("Another-password-1")
    partner.first_name = "Nieuw"
    partner.save()
    entry = LogEntry.objects.get_for_object(partner).latest("timestamp")
    assert "password" not in (entry.changes or {})


def test_it_records_who_made_a_change(client, admin_user, django_capture_on_commit_callbacks):
    from auditlog.models import LogEntry

    from kpa.models import User

    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("kpa:person-invite"),
            {"email": "nieuw@example.org", "first_name": "N", "last_name": "N", "kind": "kernpartner"},
        )
    entry = LogEntry.objects.get_for_object(User.objects.get(email="nieuw@example.org")).first()
    assert entry.actor == admin_user


def _po_entries(path):
    """(msgid, msgstr) pairs of a .po file; plural entries give their msgid and first msgstr."""
    entries, values, current = [], {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith(("msgid ", "msgid_plural ", "msgstr ", "msgstr[", "msgctxt ")):
            current = line.split(" ", 1)[0]
            values[current] = line.split(" ", 1)[1][1:-1]
        elif line.startswith('"') and current:
            values[current] += line[1:-1]
        elif not line.strip() and values:
            entries.append((values.get("msgid", ""), values.get("msgstr", values.get("msgstr[0]", ""))))
            values, current = {}, None
    return [(msgid, msgstr) for msgid, msgstr in entries if msgid]


def test_it_translates_every_string_and_ships_the_compiled_catalogue():
    import gettext
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES"
    entries = _po_entries(folder / "django.po")
    assert len(entries) > 150
    untranslated = [msgid for msgid, msgstr in entries if not msgstr]
    assert not untranslated, untranslated
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    compiled_ids = {key[0] if isinstance(key, tuple) else key for key in compiled}
    # An entry with a msgctxt is compiled as "context\x04msgid".
    compiled_ids |= {key.split("\x04", 1)[1] for key in compiled_ids if "\x04" in key}
    stale = [msgid.replace("\\n", "\n").replace('\\"', '"') for msgid, _ in entries]
    stale = [msgid for msgid in stale if msgid not in compiled_ids]
    assert not stale, f"django.mo is older than django.po (run make messages): {stale[:3]}"
