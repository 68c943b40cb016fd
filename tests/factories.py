"""factory_boy factories, one for every model of our apps (tests/test_factories.py checks that each
builds a valid, saved row). Each builds the least a valid row needs; tests name what matters to them."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from decimal import Decimal

import factory
from django.utils import timezone

from evaluations.models import (
    Answer,
    ArchivedTotal,
    EvaluationMoment,
    Item,
    ItemKind,
    QuestionnaireVersion,
    Response,
    ResponsesState,
    ResultsArchive,
    Round,
)
from kpa.models import AccessAction, AccessLog, Invitation, User, UserKind, hash_token
from kpa.outbox.models import Notification
from meetings.models import (
    AgendaItem,
    AgendaTemplate,
    Agreement,
    AgreementStatus,
    CalendarFeed,
    CaseworkCount,
    CaseworkTheme,
    CollectiveQuestion,
    Invitee,
    Meeting,
    MeetingKind,
    MeetingSeries,
    MeetingStatus,
    NotificationKind,
)
from meetings.reminders import KEY_FORMATS
from partners.models import Assignment, Organisation, OrganisationKind, Role, SeatSummary
from programme.models import (
    ActionLine,
    Activity,
    ActivityStatus,
    Indicator,
    IndicatorValue,
    PdcaPhase,
    Programme,
    ProgressUpdate,
    Speerpunt,
    TrafficLight,
)
from schools.models import (
    DuoImport,
    Gemeente,
    HolidayRegion,
    PostcodeArea,
    School,
    SchoolHoliday,
    Sector,
    Wijk,
)

PASSWORD = "correct-horse-battery"


_gemeente_codes = itertools.count(9000)
# A gemeente other than Utrecht, for a row of which a gemeente has only one (its agenda).
_other_gemeente_code = factory.LazyFunction(lambda: f"{next(_gemeente_codes) % 10000:04d}")


class GemeenteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gemeente
        django_get_or_create = ("code",)

    code = "0344"
    name = "Utrecht"


class WijkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wijk

    gemeente = factory.SubFactory(GemeenteFactory)
    name = factory.Sequence(lambda n: f"Wijk {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    brin = factory.Sequence(lambda n: f"{n % 100:02d}{chr(65 + n // 100 % 26)}{chr(65 + n // 2600 % 26)}")
    vestiging = factory.Sequence(lambda n: f"{n // 67600 % 100:02d}")
    name = factory.Sequence(lambda n: f"School {n}")
    sector = Sector.PO
    wijk = factory.SubFactory(WijkFactory)
    gemeente = factory.SelfAttribute("wijk.gemeente")
    street = "Schoolstraat 1"
    postcode = "3511 AA"
    city = "Utrecht"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    kind = OrganisationKind.BUURTTEAM


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Sequence(lambda n: f"Voornaam{n}")
    last_name = "Achternaam"
    kind = UserKind.KERNPARTNER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_with_verified_email(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            # Every real account comes from an accepted invitation, which verifies the address.
            from kpa.services import mark_email_verified

            mark_email_verified(obj)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    person = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    role = Role.BUURTTEAM
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=100))
    end_date = None


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation that can still be accepted; only the hash of its token is stored."""

    class Meta:
        model = Invitation

    user = factory.SubFactory(UserFactory)
    token_hash = factory.Sequence(lambda n: hash_token(f"token-{n}"))
    created_by = factory.SubFactory(UserFactory, kind=UserKind.ADMIN)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class AccessLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessLog

    actor = factory.SubFactory(UserFactory, kind=UserKind.COORDINATOR)
    action = AccessAction.EXPORT
    what = "roster"


class PostcodeAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostcodeArea

    wijk = factory.SubFactory(WijkFactory)
    gemeente = factory.SelfAttribute("wijk.gemeente")
    postcode4 = factory.Sequence(lambda n: f"{3500 + n % 6500:04d}")


class SchoolHolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolHoliday

    region = HolidayRegion.MIDDEN
    name = "Herfstvakantie"
    start_date = dt.date(2026, 10, 17)
    end_date = dt.date(2026, 10, 25)


class DuoImportFactory(factory.django.DjangoModelFactory):
    """An upload of a DUO file, not yet confirmed."""

    class Meta:
        model = DuoImport

    created_by = factory.SubFactory(UserFactory, kind=UserKind.ADMIN)
    file_name = "vestigingen.csv"
    data = b"INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;POSTCODE;GEMEENTENUMMER;GEMEENTENAAM\r\n"


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """Utrecht's PO programme by default (got, not made twice: one programme per gemeente and sector)."""

    class Meta:
        model = Programme
        django_get_or_create = ("gemeente", "sector")

    gemeente = factory.SubFactory(GemeenteFactory)
    sector = "PO"
    title = "Doorontwikkeling KPA in het PO"


class ActionLineFactory(factory.django.DjangoModelFactory):
    """Numbers from 10 on: Utrecht's five real lines are 1-5 (migrations, utrecht_programme_ensure)."""

    class Meta:
        model = ActionLine

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 10)
    title = factory.Sequence(lambda n: f"Actielijn {n}")


class SpeerpuntFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speerpunt

    line = factory.SubFactory(ActionLineFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Speerpunt {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    """A running citywide activity; ActivityFactory(wijken=[...], schools=[...]) sets where it runs."""

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    line = factory.SubFactory(ActionLineFactory)
    title = factory.Sequence(lambda n: f"Activiteit {n}")
    status = ActivityStatus.RUNNING
    citywide = True

    @factory.post_generation
    def wijken(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.wijken.set(extracted)

    @factory.post_generation
    def schools(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.schools.set(extracted)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    activity = factory.SubFactory(ActivityFactory)
    name = factory.Sequence(lambda n: f"Indicator {n}")


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    activity = factory.SubFactory(ActivityFactory)
    date = dt.date(2026, 10, 1)
    text = "Eerste bijeenkomst gehouden."
    phase = PdcaPhase.DO
    light = TrafficLight.GREEN


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    """A value measured on its own (not with a progress update)."""

    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    date = dt.date(2026, 10, 1)
    value = Decimal("12.50")


class MeetingSeriesFactory(factory.django.DjangoModelFactory):
    """The series only; its meetings come from MeetingFactory(series=...) or meetings.services."""

    class Meta:
        model = MeetingSeries

    school = factory.SubFactory(SchoolFactory)
    interval_weeks = 4
    created_by = factory.SubFactory(UserFactory, kind=UserKind.SCHOOL)


class MeetingFactory(factory.django.DjangoModelFactory):
    """A planned KPO a week from now, 90 minutes long, with no invitees and no mails (those come from
    meetings.services.meeting_schedule, which tests of planning use)."""

    class Meta:
        model = Meeting

    school = factory.SubFactory(SchoolFactory)
    kind = MeetingKind.KPO
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + dt.timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda meeting: meeting.starts_at + dt.timedelta(minutes=90))
    location = "Teamkamer"
    status = MeetingStatus.PLANNED


class InviteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitee

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(UserFactory)
    role = Role.BUURTTEAM


class AgendaTemplateFactory(factory.django.DjangoModelFactory):
    """A gemeente's own agenda (one per gemeente), so each gets a gemeente of its own."""

    class Meta:
        model = AgendaTemplate

    gemeente = factory.SubFactory(GemeenteFactory, code=_other_gemeente_code, name="Gemeente")
    items = "Opening\nCasuïstiek\nCollectieve vragen\nAfspraken"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n % 1000)
    title = factory.Sequence(lambda n: f"Agendapunt {n}")


class CaseworkCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseworkCount

    meeting = factory.SubFactory(MeetingFactory)
    theme = CaseworkTheme.ATTENDANCE
    count = 2


class CollectiveQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollectiveQuestion

    meeting = factory.SubFactory(MeetingFactory)
    school = factory.SelfAttribute("meeting.school")
    text = factory.Sequence(lambda n: f"Hoe gaan we om met verzuim in groep {n % 8 + 1}?")


class AgreementFactory(factory.django.DjangoModelFactory):
    """An open agreement of the meeting's school, due two weeks from today."""

    class Meta:
        model = Agreement

    meeting = factory.SubFactory(MeetingFactory)
    school = factory.SelfAttribute("meeting.school")
    description = factory.Sequence(lambda n: f"Afspraak {n}")
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))
    status = AgreementStatus.OPEN


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    user = factory.SubFactory(UserFactory)


class NotificationFactory(factory.django.DjangoModelFactory):
    """An outbox row: an invitation to a meeting, due now, keyed as meetings.reminders keys it."""

    class Meta:
        model = Notification

    meeting = factory.SubFactory(MeetingFactory)
    recipient = factory.SubFactory(UserFactory)
    kind = NotificationKind.INVITATION
    key = factory.LazyAttribute(
        lambda row: KEY_FORMATS[NotificationKind.INVITATION].format(
            uid=row.meeting.uid, part="0", person=row.recipient.pk
        )
    )
    due_at = factory.LazyFunction(timezone.now)


# --- Process evaluations (issue 13) ------------------------------------------------------------------------


class QuestionnaireVersionFactory(factory.django.DjangoModelFactory):
    """A gemeente's own version (the default one, of no gemeente, is the migration's)."""

    class Meta:
        model = QuestionnaireVersion

    gemeente = factory.SubFactory(GemeenteFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Procesevaluatie kernpartneraanpak"


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    version = factory.SubFactory(QuestionnaireVersionFactory)
    key = factory.Sequence(lambda n: f"stelling_{n}")
    order = factory.Sequence(lambda n: n + 1)
    section = "Ingrediënten van goede samenwerking"
    kind = ItemKind.STATEMENT
    text = factory.Sequence(lambda n: f"Stelling {n}.")


class EvaluationMomentFactory(factory.django.DjangoModelFactory):
    """One per gemeente: a gemeente of its own unless given one."""

    class Meta:
        model = EvaluationMoment

    gemeente = factory.SubFactory(
        GemeenteFactory,
        code=factory.Sequence(lambda n: f"{8000 + n % 2000}"),  # four digits, however long the suite runs
        name=factory.Sequence(lambda n: f"G{n}"),
    )
    month = 10
    day = 1


class RoundFactory(factory.django.DjangoModelFactory):
    """A round of the school year 2026-2027, open in October 2026, asking no school until given some."""

    class Meta:
        model = Round
        skip_postgeneration_save = True

    gemeente = factory.SubFactory(GemeenteFactory)
    school_year = 2026
    version = factory.SubFactory(QuestionnaireVersionFactory, gemeente=factory.SelfAttribute("..gemeente"))
    opens_on = dt.date(2026, 10, 1)
    closes_on = dt.date(2026, 10, 28)

    @factory.post_generation
    def schools(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.schools.set(extracted)


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    round = factory.SubFactory(RoundFactory)
    school = factory.SubFactory(SchoolFactory)
    respondent = factory.SubFactory(UserFactory)
    role = Role.IB


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    item = factory.SubFactory(ItemFactory, version=factory.SelfAttribute("..response.round.version"))
    score = 4


class ResultsArchiveFactory(factory.django.DjangoModelFactory):
    """A gemeente's school year kept as figures (evaluations.results.year_archive makes the real ones)."""

    class Meta:
        model = ResultsArchive

    gemeente = factory.SubFactory(GemeenteFactory)
    school_year = factory.Sequence(lambda n: 2015 + n % 5)
    respondents = factory.LazyFunction(lambda: {"city": 0})


class ResponsesStateFactory(factory.django.DjangoModelFactory):
    """A gemeente's stamp (on PostgreSQL its triggers write the real ones: evaluations.models)."""

    class Meta:
        model = ResponsesState

    gemeente = factory.SubFactory(
        GemeenteFactory,
        code=factory.Sequence(lambda n: f"{9000 + n % 1000}"),
        name=factory.Sequence(lambda n: f"Gemeente {n}"),
    )
    stamp = factory.LazyFunction(uuid.uuid4)


class ArchivedTotalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArchivedTotal

    archive = factory.SubFactory(ResultsArchiveFactory)
    item_key = "stelling_1"
    school = factory.SubFactory(SchoolFactory, gemeente=factory.SelfAttribute("..archive.gemeente"))
    wijk_id = None
    role = Role.IB
    n = 3
    total = 12.0
    squares = 50.0
    low = 3
    high = 5


class SeatSummaryFactory(factory.django.DjangoModelFactory):
    """A school's seat summary as partners.seat_summary keeps it; counted for today at its version."""

    class Meta:
        model = SeatSummary

    school = factory.SubFactory(SchoolFactory)
    version = 1
    computed_version = 1
    day = factory.LazyFunction(timezone.localdate)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # On PostgreSQL the school's row exists already (partners migration 0006's trigger): written over.
        school = kwargs.pop("school")
        summary, _created = model_class.objects.update_or_create(school=school, defaults=kwargs)
        return summary


def random_seats(
    rng, schools, roles, *, around: dt.date, people: int = 6, most: int = 3, days=(-60, 20), stand_ins=0.2
) -> None:
    """Up to `most`-1 random seats per school and role around a day: gaps, stand-ins, seats that end, follow
    on or start later (for the tests that compare a kept or combined answer with counting the seats)."""
    persons = [UserFactory() for _ in range(people)]
    for school in schools:
        for role in roles:
            for _ in range(rng.randrange(most)):
                start = around + dt.timedelta(days=rng.randrange(*days))
                end = None if rng.random() < 0.4 else start + dt.timedelta(days=rng.randrange(0, 60))
                AssignmentFactory(
                    school=school,
                    role=role,
                    person=rng.choice(persons),
                    start_date=start,
                    end_date=end,
                    is_stand_in=rng.random() < stand_ins,
                )
