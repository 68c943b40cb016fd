from __future__ import annotations

import datetime as dt
import os
import socket
import time

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.cache import cache

from kpa.models import UserKind
from partners.models import Role
from tests.factories import AssignmentFactory, GemeenteFactory, SchoolFactory, UserFactory, WijkFactory


def _test_clock() -> dt.datetime | None:
    """KPA_TEST_CLOCK=2026-12-02T23:30:00Z runs every test at that moment (ISO 8601 with an offset)."""
    value = os.environ.get("KPA_TEST_CLOCK", "").strip()
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise pytest.UsageError(f"KPA_TEST_CLOCK={value!r}: give an ISO 8601 moment with its offset.")
    return moment


TEST_CLOCK = _test_clock()


def pytest_report_header(config):
    if TEST_CLOCK:
        return f"KPA_TEST_CLOCK: every test starts at {TEST_CLOCK.isoformat()} (ticking)"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Under KPA_TEST_CLOCK each test (its fixtures included) starts at that moment and the clock ticks
    on from there, so timeouts still work; a test that travels itself nests inside. A test marked
    real_clock starts processes that cannot see a travelled clock and keeps the real one."""
    if TEST_CLOCK is None or item.get_closest_marker("real_clock"):
        return (yield)
    with time_machine.travel(TEST_CLOCK, tick=True):
        return (yield)


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def stamp_queries(db) -> int:
    """The queries a results page asks more per school year on PostgreSQL: the gemeente's stamp, read
    before its responses (evaluations.results._known_digest). SQLite has no stamps."""
    from django.db import connection

    return 1 if connection.vendor == "postgresql" else 0


@pytest.fixture(autouse=True)
def _no_network(monkeypatch, request):
    """Tests cannot reach the network, only this machine (the services tests use 127.0.0.1)."""
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in ("127.0.0.1", "::1", "localhost")
            and not host.startswith("/")
        ):
            raise RuntimeError(f"Tests may not reach the network (tried {address!r}).")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def with_totp(user):
    """Give a user an authenticator app, as if they had set up MFA."""
    TOTP.activate(user, TOTP_SECRET)
    return user


def totp_code(secret: str = TOTP_SECRET, margin: float = 2.0) -> str:
    """The authenticator app's code now. allauth accepts only the current 30-second window (no
    tolerance), so with less than `margin` seconds of it left this waits for the next window: the server
    never sees a code that expired on the way, whatever the hour."""
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def wijk(db):
    return WijkFactory(name="West")


@pytest.fixture
def other_wijk(db):
    return WijkFactory(name="Overvecht")


@pytest.fixture
def school(wijk):
    return SchoolFactory(name="OBS De Zonnewijzer", wijk=wijk)


@pytest.fixture
def other_school(other_wijk):
    return SchoolFactory(name="KBS Het Kompas", wijk=other_wijk)


@pytest.fixture
def ib(school):
    """The owner: IB-er of `school`."""
    user = UserFactory(kind=UserKind.SCHOOL, email="ib@school.example")
    AssignmentFactory(person=user, school=school, role=Role.IB)
    return user


@pytest.fixture
def partner(school):
    """A colleague: the buurtteam kernpartner of `school`."""
    user = UserFactory(kind=UserKind.KERNPARTNER, email="partner@lokalis.example")
    AssignmentFactory(person=user, school=school, role=Role.BUURTTEAM)
    return user


@pytest.fixture
def outsider(other_school):
    """A kernpartner of another school in another wijk: sees none of `school`."""
    user = UserFactory(kind=UserKind.KERNPARTNER, email="outsider@example.org")
    AssignmentFactory(person=user, school=other_school, role=Role.JGZ)
    return user


@pytest.fixture
def coordinator(wijk):
    """City-wide coordinator of the gemeente, with MFA set up."""
    return with_totp(
        UserFactory(kind=UserKind.COORDINATOR, gemeente=wijk.gemeente, email="coord@example.org")
    )


@pytest.fixture
def wijk_coordinator(other_wijk):
    """Coordinator of `other_wijk` only, with MFA set up."""
    return with_totp(
        UserFactory(
            kind=UserKind.COORDINATOR,
            gemeente=other_wijk.gemeente,
            wijk=other_wijk,
            email="coord.wijk@example.org",
        )
    )


@pytest.fixture
def admin_user(db):
    return with_totp(
        UserFactory(kind=UserKind.ADMIN, is_staff=True, is_superuser=True, email="admin@example.org")
    )


@pytest.fixture
def gemeente(db):
    return GemeenteFactory()
