from __future__ import annotations

import re
from collections import Counter

from evaluations.default_questionnaire import (
    DEFAULT_ITEMS,
    DEFAULT_TITLE,
    OPEN,
    SECTIONS,
    STATEMENT,
    items_for_role,
)
from partners.models import Role

SECTION_KEYS = [key for key, _heading in SECTIONS]
STATEMENTS = [item for item in DEFAULT_ITEMS if item.kind == STATEMENT]
OPEN_ITEMS = [item for item in DEFAULT_ITEMS if item.kind == OPEN]


def test_title_is_dutch():
    assert DEFAULT_TITLE == "Procesevaluatie kernpartneraanpak"


def test_keys_are_unique_slugs():
    keys = [item.key for item in DEFAULT_ITEMS]
    assert [key for key, count in Counter(keys).items() if count > 1] == []
    assert all(re.fullmatch(r"[a-z0-9_]+", key) for key in keys), keys


def test_sections_are_known_and_none_is_empty():
    assert len(set(SECTION_KEYS)) == len(SECTION_KEYS)
    assert all(heading and heading == heading.strip() for _key, heading in SECTIONS)
    used = {item.section for item in DEFAULT_ITEMS}
    assert used <= set(SECTION_KEYS)
    assert set(SECTION_KEYS) <= used


def test_items_follow_section_order():
    order = [SECTION_KEYS.index(item.section) for item in DEFAULT_ITEMS]
    assert order == sorted(order)


def test_kinds():
    assert {item.kind for item in DEFAULT_ITEMS} <= {STATEMENT, OPEN}
    assert len(STATEMENTS) >= 25


def test_open_questions_warn_against_naming_pupils():
    assert 3 <= len(OPEN_ITEMS) <= 4
    for item in OPEN_ITEMS:
        text = item.text.lower()
        assert "leerling" in text
        assert "namen" in text


def test_boundary_crossing_mechanisms_are_covered():
    grenzen = " ".join(f"{item.text} {item.source}" for item in DEFAULT_ITEMS if item.section == "grenzen")
    for mechanism in ("identificatie", "coördinatie", "reflectie", "transformatie"):
        assert mechanism in grenzen.lower(), mechanism


def test_the_form_of_the_kpo_is_evaluated():
    assert any("vorm van ons overleg" in item.text for item in DEFAULT_ITEMS if item.section == "overleg")


def test_roles_are_role_values():
    assert {role for item in DEFAULT_ITEMS for role in item.roles} <= set(Role.values)


def test_single_role_items_are_asked_of_that_role_only():
    single = [item for item in DEFAULT_ITEMS if len(item.roles) == 1]
    assert len(single) >= 2
    assert len({item.roles[0] for item in single}) >= 2
    for item in single:
        (role,) = item.roles
        assert item in items_for_role(role)
        for other in Role.values:
            if other != role:
                assert item not in items_for_role(other)


def test_items_for_role_keeps_order_and_shared_items():
    shared = [item for item in DEFAULT_ITEMS if not item.roles]
    for role in Role.values:
        items = items_for_role(role)
        assert list(items) == [item for item in DEFAULT_ITEMS if item in items]
        assert set(shared) <= set(items)
        assert 25 <= sum(item.kind == STATEMENT for item in items) <= 35


def test_action_lines():
    assert all(item.action_line is None or 1 <= item.action_line <= 5 for item in DEFAULT_ITEMS)
    assert all(item.action_line is None for item in OPEN_ITEMS)


def test_informal_dutch_and_tidy_texts():
    for item in DEFAULT_ITEMS:
        assert not re.search(r"\b(u|uw)\b", item.text, flags=re.IGNORECASE), item.key
        assert " u " not in item.text
        assert len(item.text) <= 200, item.key
        assert item.text == item.text.strip()
        assert "\n" not in item.text
        assert item.source, item.key
