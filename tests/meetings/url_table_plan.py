"""Expected answers per role for the meetings:* URLs of views_plan, merged into tests/kpa/test_urls.py."""

EXPECTED: dict[str, dict[str, object]] = {}
