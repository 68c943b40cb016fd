"""The load bench's own logic (benchmarks.load, benchmarks.pages): who is in the mix and which targets it
checks. The bench itself needs PostgreSQL, Redis and minutes: `make bench`."""

from benchmarks import load
from benchmarks.pages import (
    ADMIN_MEETINGS,
    ADMIN_PAGES,
    ADMIN_PEOPLE,
    ADMIN_ROSTER,
    ADMIN_WIJKEN,
    FLOOR,
    ONLY_ADMIN_ENV,
    ROSTER,
    in_mix,
)


def stats(name: str, p95: float, failures: int = 0) -> load.PageStats:
    return load.PageStats(name=name, requests=100, failures=failures, rps=1.0, p50=p95 / 2, p95=p95, p99=p95)


def test_the_admin_is_always_in_the_mix_and_alone_with_admin():
    assert all(in_mix(pool, {}) for pool in ("ib", "partner", "coordinator", "admin", "floor"))
    alone = {ONLY_ADMIN_ENV: "1"}
    assert [pool for pool in ("ib", "partner", "coordinator", "admin", "floor") if in_mix(pool, alone)] == [
        "admin",
        "floor",
    ]
    assert set(ADMIN_PAGES) == {ADMIN_ROSTER, ADMIN_MEETINGS, ADMIN_WIJKEN, ADMIN_PEOPLE}


def test_the_admin_pages_are_targets():
    run = [stats(FLOOR, 20), stats(ROSTER, 60), stats(ADMIN_ROSTER, 60), stats(ADMIN_PEOPLE, 81)]

    lines = load.check({100: run, 10_000: run})

    missed = [text for ok, text in lines if not ok]
    assert len(missed) == 2 and all(ADMIN_PEOPLE in text for text in missed)  # 81 > 4 x 20, at both scales


def test_the_admin_roster_must_scale_like_the_coordinators():
    small = [stats(FLOOR, 20), stats(ROSTER, 50), stats(ADMIN_ROSTER, 40)]
    large = [stats(FLOOR, 20), stats(ROSTER, 50), stats(ADMIN_ROSTER, 70)]

    lines = load.check({100: small, 10_000: large})

    assert [text for ok, text in lines if not ok] == [
        "admin roster (national) p95 at 10,000 schools 70 ms vs 40 ms at 100: 1.75x (limit 1.5x)"
    ]


def test_a_run_of_the_admin_alone_checks_no_coordinator_roster():
    run = [stats(FLOOR, 20), stats(ADMIN_ROSTER, 40)]

    lines = load.check({100: run, 10_000: run})

    assert all(ok for ok, _text in lines)
    assert not any("coordinator roster" in text for _ok, text in lines)
