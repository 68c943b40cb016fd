"""The coordinator's questionnaire versions (issue 13): a new version copies the current one and is changed
in the editor; a round keeps the version it opened with, a new round asks the newest; a used version is
read-only; bad input changes nothing; only the gemeente's city-wide coordinator gets in."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from evaluations import services
from evaluations.models import Item, ItemKind, QuestionnaireVersion, Round
from kpa.models import UserKind
from partners.models import Role
from schools.models import School
from tests.conftest import with_totp
from tests.factories import GemeenteFactory, ItemFactory, QuestionnaireVersionFactory, UserFactory
from tests.helpers import at

pytestmark = pytest.mark.django_db
USED = "A round has used this version: its questions stay as they were. Make a new version to change them."
LIST, CREATE = reverse("evaluations:questionnaire-list"), reverse("evaluations:questionnaire-create")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(2026, 11, 2, 10), tick=False):
        yield


def edit_url(version) -> str:
    return reverse("evaluations:questionnaire-update", args=[version.pk])


def answer_url(round_, school) -> str:
    return reverse("evaluations:answer", args=[round_.pk, school.pk])


def open_round(gemeente, school) -> Round:
    return services.open_round(
        gemeente, 2026, School.objects.filter(pk=school.pk), dt.date(2026, 11, 2), dt.date(2026, 11, 29)
    )


def draft(gemeente) -> QuestionnaireVersion:
    """The gemeente's next version, copied from the current one, as "New version" makes it."""
    return services.new_version(services.current_version(gemeente), gemeente)


def items_of(version) -> list[Item]:
    return list(version.items.order_by("order", "pk"))


def editor_data(version, changes=None, **title) -> dict[str, object]:
    """The editor's POST as the page sends it unchanged, with `changes` {(item, field): value} on top."""
    data: dict[str, object] = {"version-title": title.get("title", version.title), "save": ""}
    for item in items_of(version):
        prefix = f"item-{item.pk}"
        data[f"{prefix}-text"] = item.text
        data[f"{prefix}-section"] = item.section
        data[f"{prefix}-order"] = item.order
        data[f"{prefix}-roles"] = list(item.roles)
        data[f"{prefix}-action_line_number"] = item.action_line_number or ""
    for (item, field), value in (changes or {}).items():
        data[f"item-{item.pk}-{field}"] = value
    return data


def new_item_data(**fields) -> dict[str, object]:
    data = {"kind": ItemKind.STATEMENT, "text": "Wij delen wat we leren met de wijk.", "section": "Overleg"}
    data.update(fields)
    return {"add": "", **{f"new-{name}": value for name, value in data.items()}}


def snapshot() -> tuple[list, list]:
    """Every version and item as stored: what 'nothing changed' compares."""
    versions = list(QuestionnaireVersion.objects.order_by("pk").values_list())
    items = list(Item.objects.order_by("pk").values_list())
    return versions, items


def nl(msgid: str) -> str:
    """A message as the Dutch catalogue has it (new messages: as /work/notes/po-questionnaire.po, merged)."""
    with translation.override("nl"):
        return translation.gettext(msgid)


def a_statement_for_everyone(version) -> Item:
    return next(i for i in items_of(version) if i.kind == ItemKind.STATEMENT and not i.roles)


# --- Versioning -------------------------------------------------------------------------------------------


def test_the_old_round_keeps_its_questions_and_a_new_round_asks_the_new_version(
    client, coordinator, ib, school
):
    gemeente = school.gemeente
    old_round = open_round(gemeente, school)  # asks the default
    old_item = a_statement_for_everyone(old_round.version)
    client.force_login(ib)
    assert old_item.text in client.get(answer_url(old_round, school)).content.decode()

    client.force_login(coordinator)
    created = client.post(CREATE)
    version = QuestionnaireVersion.objects.get(gemeente=gemeente)
    assert created.status_code == 302 and created["Location"] == edit_url(version)
    assert (version.number, version.based_on, version.created_by) == (1, old_round.version, coordinator)
    item = version.items.get(key=old_item.key)
    saved = client.post(edit_url(version), editor_data(version, {(item, "text"): "Wij werken als één team."}))
    assert saved.status_code == 302, saved.context and saved.context["editor"].intro

    item.refresh_from_db()
    assert (item.key, item.text) == (old_item.key, "Wij werken als één team.")  # the key stays
    client.force_login(ib)
    old_page = client.get(answer_url(old_round, school)).content.decode()
    assert old_item.text in old_page and "Wij werken als één team." not in old_page

    new_round = open_round(gemeente, school)
    assert new_round.version == version == services.current_version(gemeente)
    new_page = client.get(answer_url(new_round, school)).content.decode()
    assert "Wij werken als één team." in new_page and old_item.text not in new_page


def test_the_list_shows_the_versions_and_which_one_the_next_round_asks(client, coordinator, school):
    gemeente = school.gemeente
    client.force_login(coordinator)
    page = client.get(LIST)
    default = services.default_version()
    assert page.context["own"] == [] and page.context["current"] == default
    assert [v.pk for v in page.context["defaults"]] == [default.pk]

    used = draft(gemeente)
    open_round(gemeente, school)  # asks `used`
    newest = draft(gemeente)
    page = client.get(LIST)
    assert page.context["own"] == [newest, used]
    assert page.context["current"] == newest == services.current_version(gemeente)
    assert page.context["draft"] == newest  # no round asks it yet: the page links to it, no second copy
    rounds = {v.pk: [r.school_year for r in v.rounds_here] for v in page.context["own"]}
    assert rounds == {newest.pk: [], used.pk: [2026]}
    body = page.content.decode()
    assert edit_url(newest) in body and edit_url(used) in body and "2026–2027 (2 november 2026)" in body
    assert reverse("evaluations:questionnaire-create") not in body


def test_the_rounds_page_links_to_the_versions_for_the_city_coordinator(client, coordinator, school):
    client.force_login(coordinator)
    assert LIST in client.get(reverse("evaluations:rounds")).content.decode()


def test_new_version_opens_the_draft_when_no_round_uses_the_newest_yet(client, coordinator, school):
    client.force_login(coordinator)
    first = client.post(CREATE)
    second = client.post(CREATE)  # a second click
    version = QuestionnaireVersion.objects.get(gemeente=school.gemeente)
    assert first["Location"] == second["Location"] == edit_url(version)
    open_round(school.gemeente, school)
    third = client.post(CREATE)
    newest = services.current_version(school.gemeente)
    assert (newest.number, newest.based_on) == (2, version) and third["Location"] == edit_url(newest)


# --- The editor -------------------------------------------------------------------------------------------


def test_the_editor_changes_text_section_order_roles_action_line_and_removes(client, coordinator, school):
    version = draft(school.gemeente)
    first, second, third, *_rest = items_of(version)
    count = version.items.count()
    client.force_login(coordinator)
    data = editor_data(
        version,
        {
            (first, "section"): "Samen",
            (first, "roles"): [Role.IB, Role.JGZ],
            (first, "action_line_number"): "3",
            (third, "order"): "1",  # moved to the top
            (second, "remove"): "on",
        },
        title="Procesevaluatie 2027",
    )
    assert client.post(edit_url(version), data).status_code == 302
    version.refresh_from_db()
    assert version.title == "Procesevaluatie 2027"
    items = items_of(version)
    assert len(items) == count - 1 and not Item.objects.filter(pk=second.pk).exists()
    assert [i.pk for i in items[:2]] == [third.pk, first.pk]
    assert [i.order for i in items] == list(range(1, count))  # numbered again, no two in one place
    assert (items[1].section, items[1].roles, items[1].action_line_number) == ("Samen", ["ib", "jgz"], 3)
    first_again = editor_data(version, {(items[1], "action_line_number"): "", (items[1], "roles"): []})
    assert client.post(edit_url(version), first_again).status_code == 302
    items[1].refresh_from_db()
    assert (items[1].roles, items[1].action_line_number) == ([], None)


def test_add_a_statement_and_an_open_question(client, coordinator, school):
    version = draft(school.gemeente)
    last = items_of(version)[-1]
    client.force_login(coordinator)
    response = client.post(edit_url(version), new_item_data())
    added = version.items.get(key="wij-delen-wat-we-leren-met-de-wijk")
    assert response["Location"] == f"{edit_url(version)}#item-{added.pk}"
    assert (added.kind, added.order, added.section, added.roles) == (
        "statement",
        last.order + 1,
        "Overleg",
        [],
    )
    client.post(edit_url(version), new_item_data())  # the same text again: a key of its own
    assert version.items.filter(key="wij-delen-wat-we-leren-met-de-wijk-2").exists()
    client.post(
        edit_url(version),
        new_item_data(
            kind=ItemKind.OPEN,
            text="Wat zou jij als JGZ anders willen? Noem geen leerlingen.",
            roles=[Role.JGZ],
            action_line_number="3",
            key="jgz-anders",
        ),
    )
    question = version.items.get(key="jgz-anders")
    assert (question.kind, question.roles, question.action_line_number) == ("open", ["jgz"], 3)


def test_a_used_version_is_read_only_and_a_post_is_refused(client, coordinator, school):
    version = draft(school.gemeente)
    open_round(school.gemeente, school)
    client.force_login(coordinator)
    page = client.get(edit_url(version))
    assert page.status_code == 200 and not page.context["editable"] and page.context["editor"] is None
    body = page.content.decode()
    assert 'name="save"' not in body and 'name="add"' not in body
    assert nl(USED) in body
    item = items_of(version)[0]
    before = snapshot()
    for data in (editor_data(version, {(item, "text"): "Anders."}), new_item_data()):
        assert client.post(edit_url(version), data).status_code == 403
    assert snapshot() == before
    with pytest.raises(ValidationError) as refused:
        services.questionnaire_version_update(version=version, title="X", changes={}, removed=set())
    assert refused.value.code == "used"


def test_the_default_questionnaire_is_read_only(client, coordinator, school):
    default = services.default_version()
    client.force_login(coordinator)
    page = client.get(edit_url(default))
    assert page.status_code == 200 and not page.context["editable"]
    before = snapshot()
    assert client.post(edit_url(default), editor_data(default)).status_code == 403
    assert snapshot() == before


# --- Bad input --------------------------------------------------------------------------------------------

ONE_LINE = (
    "Haal het regeleinde, de tab of het onzichtbare teken op positie {} ({}) weg: schrijf dit op één regel."
)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("text", "", "Dit veld is verplicht."),
        ("text", "x" * 301, "Zorg dat deze waarde niet meer dan 300 tekens bevat (het zijn er nu 301)."),
        ("text", "Wij werken\nsamen.", ONE_LINE.format(11, "U+000A")),
        ("text", "Wij\u200bwerken samen.", ONE_LINE.format(4, "U+200B")),  # zero-width: looks like "Wij"
        ("text", "Wij werken \u202esamen.", ONE_LINE.format(12, "U+202E")),  # bidi override
        ("section", "Samen\twerken", ONE_LINE.format(6, "U+0009")),
        ("section", "", "Dit veld is verplicht."),
        ("order", "0", "Zorg ervoor dat deze waarde minstens 1 is."),
        ("action_line_number", "6", "Selecteer een geldige keuze. 6 is geen beschikbare keuze."),
        ("roles", ["schoolleider"], "Selecteer een geldige keuze. schoolleider is geen beschikbare keuze."),
    ],
)
def test_bad_input_in_the_editor_is_refused_and_nothing_is_saved(
    client, coordinator, school, field, value, message
):
    version = draft(school.gemeente)
    first, second = items_of(version)[:2]
    client.force_login(coordinator)
    before = snapshot()
    data = editor_data(version, {(first, "text"): "Goed veranderd.", (second, field): value}, title="Nieuw")
    response = client.post(edit_url(version), data)
    assert response.status_code == 200
    form = next(f for f in response.context["editor"].item_forms if f.instance.pk == second.pk)
    assert form.errors[field] == [message]
    assert snapshot() == before  # the valid change of the first item and the title neither
    body = response.content.decode()
    assert 'class="alert alert-danger error-summary"' in body
    if field != "roles":  # a group of check boxes has no one control to link to
        assert f'href="#id_item-{second.pk}-{field}"' in body


def test_a_version_without_statements_is_refused(client, coordinator, school):
    version = draft(school.gemeente)
    statements = [i for i in items_of(version) if i.kind == ItemKind.STATEMENT]
    client.force_login(coordinator)
    before = snapshot()
    data = editor_data(version, {(i, "remove"): "on" for i in statements}, title="Alleen open vragen")
    response = client.post(edit_url(version), data)
    assert response.status_code == 200
    assert response.context["editor"].non_field_errors == [str(response.context["editor"].NO_STATEMENT)]
    assert snapshot() == before


def test_the_service_saves_all_or_nothing(coordinator, school):
    """The service's own checks roll back what it wrote before them (the title, earlier items)."""
    version = draft(school.gemeente)
    items = items_of(version)
    statements = {i.pk for i in items if i.kind == ItemKind.STATEMENT}
    before = snapshot()
    cases = [
        ({items[0].pk: {"text": "Goed."}, items[5].pk: {"text": "x" * 301}}, set(), "text"),
        ({items[0].pk: {"text": "Goed."}}, statements, "no_statement"),
        ({items[0].pk: {"text": "Goed."}, items[1].pk: {"section": "A\u2028B"}}, set(), "section"),
        ({items[0].pk: {"text": "Goed."}, 10**9: {"text": "Elders."}}, set(), "gone"),
    ]
    for changes, removed, what in cases:
        with pytest.raises(ValidationError) as refused:
            services.questionnaire_version_update(
                version=version, title="Half opgeslagen?", changes=changes, removed=removed
            )
        assert what in getattr(refused.value, "error_dict", {}) or refused.value.code == what
        assert snapshot() == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": ""}, "text", "Dit veld is verplicht."),
        (
            {"text": "x" * 301},
            "text",
            "Zorg dat deze waarde niet meer dan 300 tekens bevat (het zijn er nu 301).",
        ),
        ({"text": "Wij\u200b werken samen."}, "text", ONE_LINE.format(4, "U+200B")),
        ({"text": "???"}, "text", None),  # no letters: no key can be made of it
        ({"section": "Over\nleg"}, "section", ONE_LINE.format(5, "U+000A")),
        ({"key": "Niet geldig!"}, "key", None),
        ({"kind": "score"}, "kind", None),
        ({"action_line_number": "7"}, "action_line_number", None),
    ],
)
def test_bad_input_when_adding_is_refused_and_nothing_is_added(
    client, coordinator, school, fields, field, message
):
    version = draft(school.gemeente)
    client.force_login(coordinator)
    before = snapshot()
    response = client.post(edit_url(version), new_item_data(**fields))
    assert response.status_code == 200
    errors = response.context["new_item"].errors[field]
    assert errors == [message] if message else errors
    assert response.context["new_item"].data["new-text"] == fields.get(
        "text", "Wij delen wat we leren met de wijk."
    )
    assert snapshot() == before


def test_a_duplicate_key_is_refused(client, coordinator, school):
    version = draft(school.gemeente)
    taken = items_of(version)[0].key
    client.force_login(coordinator)
    before = snapshot()
    response = client.post(edit_url(version), new_item_data(key=taken))
    assert response.status_code == 200 and response.context["new_item"].has_error("key")
    assert snapshot() == before
    with pytest.raises(ValidationError) as refused:
        services.questionnaire_item_add(
            version=version, kind="statement", text="Dubbel.", section="X", key=taken
        )
    assert "key" in refused.value.error_dict


# --- Who gets in ------------------------------------------------------------------------------------------


def test_another_gemeentes_coordinator_gets_404(client, school):
    version = draft(school.gemeente)
    amsterdam = GemeenteFactory(code="0363", name="Amsterdam")
    stranger = with_totp(UserFactory(kind=UserKind.COORDINATOR, gemeente=amsterdam))
    client.force_login(stranger)
    before = snapshot()
    assert client.get(edit_url(version)).status_code == 404
    assert client.post(edit_url(version), editor_data(version)).status_code == 404
    assert client.post(edit_url(version), new_item_data()).status_code == 404
    assert client.get(LIST).context["own"] == []
    assert snapshot() == before


def test_others_are_refused(client, ib, partner, wijk_coordinator, admin_user, school):
    version = draft(school.gemeente)
    before = snapshot()
    for person in (ib, partner, wijk_coordinator, admin_user):  # as the evaluation moment: 403
        client.force_login(person)
        assert client.get(LIST).status_code == 403
        assert client.post(CREATE).status_code == 403
        assert client.get(edit_url(version)).status_code == 403
        assert client.post(edit_url(version), editor_data(version)).status_code == 403
    client.logout()
    for response in (client.get(LIST), client.post(CREATE), client.get(edit_url(version))):
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert snapshot() == before


def test_new_version_is_post_only(client, coordinator, school):
    client.force_login(coordinator)
    assert client.get(CREATE).status_code == 405
    assert not QuestionnaireVersion.objects.filter(gemeente=school.gemeente).exists()


# --- Queries ----------------------------------------------------------------------------------------------


def test_the_editor_keeps_its_queries_flat(client, coordinator, school, django_assert_max_num_queries):
    big = draft(school.gemeente)  # the default's items, about forty
    small = QuestionnaireVersionFactory(gemeente=school.gemeente, number=2)
    ItemFactory.create_batch(3, version=small)
    assert big.items.count() > 30
    client.force_login(coordinator)
    counts = []
    for version in (small, big):
        # session, user, has the user an authenticator (MFA), the user's gemeente, the version, its
        # rounds, its items, the current version (the gemeente's newest), and the session saved again
        # (savepoint, update, release: the idle timeout)
        with django_assert_max_num_queries(11) as captured:
            assert client.get(edit_url(version)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    saves = []
    for version in (small, big):
        data = editor_data(version, {(items_of(version)[0], "text"): "Anders."})
        # the seven of the page above but the current version; savepoint, the version locked, its
        # rounds, the title, the items, all items in one update, release; the session saved (three)
        with django_assert_max_num_queries(17) as captured:
            assert client.post(edit_url(version), data).status_code == 302
        saves.append(len(captured))
    assert saves[0] == saves[1]
