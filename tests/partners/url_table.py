"""Expected answers per role for the management screens (manage:*), merged into tests/kpa/test_urls.py.

The URL walk fills every `pk` with the `school` fixture's pk. For schools that is a real object (admin 200).
For a wijk or an organisation it is just a number: whether a wijk or organisation with that pk exists
depends on the database's id sequences (SQLite hands out 1 to both, PostgreSQL does not roll sequences back),
so the admin may get either the page or 404 there; both prove the view answers an admin without error."""

from __future__ import annotations

from tests.helpers import ROLES


class OneOf:
    """An expected outcome that accepts any of a few answers."""

    def __init__(self, *outcomes: object) -> None:
        self.outcomes = outcomes

    def __eq__(self, other: object) -> bool:
        return other in self.outcomes

    def __hash__(self) -> int:
        return hash(self.outcomes)

    def __repr__(self) -> str:
        return " or ".join(map(str, self.outcomes))


def admin_only(admin: object = 200) -> dict[str, object]:
    return {"anonymous": "login", **dict.fromkeys(ROLES[1:-1], 403), "admin": admin}


MANAGE_EXPECTED: dict[str, dict[str, object]] = {
    "manage:wijk-list": admin_only(),
    "manage:search-people": admin_only(),
    "manage:search-organisations": {"anonymous": "login", **dict.fromkeys(ROLES[1:], 200)},
    "manage:wijk-create": admin_only(),
    "manage:wijk-detail": admin_only(OneOf(200, 404)),
    "manage:wijk-update": admin_only(OneOf(200, 404)),
    "manage:school-create": admin_only(),
    "manage:school-update": admin_only(),
    "manage:school-team": admin_only(),
    "manage:school-move": admin_only(),
    "manage:assignment-end": admin_only(405),  # POST only
    "manage:organisation-list": admin_only(),
    "manage:organisation-create": admin_only(),
    "manage:organisation-update": admin_only(OneOf(200, 404)),
    "manage:handover": admin_only(),
}
