"""Questionnaire versions and rounds (issue 13): the only way they are made.

- `install_default` writes the default questionnaire (evaluations.default_questionnaire) as the first
  default version; its migration calls it. Other questions later are a new version, never an edit of one
  a round used (`update_item` refuses).
- `new_version` copies a version's items into the next version of a gemeente, for its coordinator to
  change; the rounds already opened keep theirs.
- `open_round` opens a round for chosen schools; `open_due_rounds`, a planner of the outbox sweep (every
  minute), opens each gemeente's automatic round of the school year on its evaluation moment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import Answer, EvaluationMoment, Item, QuestionnaireVersion, Response, Round
from kpa.models import User
from schools.models import Gemeente, School
from schools.years import school_year_start


def install_default(version_model: Any = QuestionnaireVersion, item_model: Any = Item) -> bool:
    """The default questionnaire as default version 1, unless a default version exists. The models are
    arguments so that a data migration can pass its historical ones. True when it was written."""
    from evaluations.default_questionnaire import DEFAULT_ITEMS, DEFAULT_TITLE, SECTIONS

    if version_model.objects.filter(gemeente=None).exists():
        return False
    headings = dict(SECTIONS)
    version = version_model.objects.create(gemeente=None, number=1, title=DEFAULT_TITLE)
    item_model.objects.bulk_create(
        item_model(
            version=version,
            key=item.key,
            order=order,
            section=headings[item.section],
            kind=item.kind,
            text=item.text,
            roles=list(item.roles),
            action_line_number=item.action_line,
        )
        for order, item in enumerate(DEFAULT_ITEMS, start=1)
    )
    return True


def default_version() -> QuestionnaireVersion:
    """The newest default version; written first when a flush emptied the table (a test database, or
    seed_scale --flush), as migration 0002 wrote it."""
    version = QuestionnaireVersion.objects.filter(gemeente=None).order_by("-number").first()
    if version is None:
        install_default()
        version = QuestionnaireVersion.objects.filter(gemeente=None).get(number=1)
    return version


def current_version(gemeente: Gemeente) -> QuestionnaireVersion:
    """The gemeente's newest version, else the newest default."""
    own = QuestionnaireVersion.objects.filter(gemeente=gemeente).order_by("-number").first()
    return own or default_version()


@transaction.atomic
def new_version(
    base: QuestionnaireVersion, gemeente: Gemeente, user: User | None = None
) -> QuestionnaireVersion:
    """The next version of the gemeente's questionnaire: `base`'s title and items copied, to be changed."""
    last = (
        QuestionnaireVersion.objects.select_for_update().filter(gemeente=gemeente).aggregate(n=Max("number"))
    )
    version = QuestionnaireVersion.objects.create(
        gemeente=gemeente, number=(last["n"] or 0) + 1, title=base.title, based_on=base, created_by=user
    )
    Item.objects.bulk_create(
        Item(
            version=version,
            key=item.key,
            order=item.order,
            section=item.section,
            kind=item.kind,
            text=item.text,
            roles=list(item.roles),
            action_line_number=item.action_line_number,
        )
        for item in base.items.order_by("order")
    )
    return version


def update_item(item: Item, **fields: Any) -> Item:
    """Change an item of a version no round has used; a used version keeps its questions."""
    if item.version.is_used:
        raise ValidationError(
            _(
                "A round has used this version: its questions stay as they were. Make a new version to "
                "change them."
            )
        )
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean()
    item.save()
    return item


# --- Rounds ----------------------------------------------------------------------------------------------


def moment_of(gemeente: Gemeente, school_year: int) -> tuple[dt.date, dt.date]:
    """(opens_on, closes_on) of the gemeente's automatic round in the school year starting in August of
    `school_year`: its EvaluationMoment, else settings.KPA_EVALUATION_MOMENT ("MM-DD") and
    KPA_EVALUATION_WEEKS."""
    try:
        moment: EvaluationMoment = gemeente.evaluation_moment
        month, day, weeks = moment.month, moment.day, moment.weeks_open
    except EvaluationMoment.DoesNotExist:
        month, day = (int(part) for part in settings.KPA_EVALUATION_MOMENT.split("-"))
        weeks = settings.KPA_EVALUATION_WEEKS
    year = school_year if month >= 8 else school_year + 1
    opens = dt.date(year, month, day)
    return opens, opens + dt.timedelta(weeks=weeks, days=-1)


@transaction.atomic
def open_round(
    gemeente: Gemeente,
    school_year: int,
    schools: QuerySet[School],
    opens_on: dt.date,
    closes_on: dt.date,
    *,
    user: User | None = None,
    automatic: bool = False,
) -> Round:
    """A round of the gemeente's current questionnaire for the active `schools` of that gemeente."""
    if closes_on < opens_on:
        raise ValidationError(_("A round cannot close before it opens."))
    chosen = schools.filter(gemeente=gemeente, is_active=True)
    round_ = Round.objects.create(
        gemeente=gemeente,
        school_year=school_year,
        version=current_version(gemeente),
        opens_on=opens_on,
        closes_on=closes_on,
        automatic=automatic,
        opened_by=user,
    )
    round_.schools.set(chosen)
    return round_


def open_due_rounds(now: dt.datetime) -> dict[str, int]:
    """Open the automatic round of each gemeente whose evaluation moment has come this school year and
    whose round is not open yet, while its period lasts (a moment long past opens nothing). A planner of
    the outbox sweep: one query when nothing is due. Two sweeps at once open one round (the database's
    constraint refuses the second)."""
    today = timezone.localdate(now)
    school_year = school_year_start(today).year
    has_round = Round.objects.filter(gemeente=OuterRef("pk"), school_year=school_year, automatic=True)
    active = School.objects.filter(gemeente=OuterRef("pk"), is_active=True)
    candidates = (
        Gemeente.objects.filter(Exists(active))
        .filter(~Exists(has_round))
        .select_related("evaluation_moment")
        .order_by("pk")
    )
    opened = 0
    for gemeente in candidates:
        opens_on, closes_on = moment_of(gemeente, school_year)
        if not opens_on <= today <= closes_on:
            continue
        try:
            with transaction.atomic():
                open_round(
                    gemeente,
                    school_year,
                    School.objects.filter(gemeente=gemeente),
                    today,
                    closes_on,
                    automatic=True,
                )
        except IntegrityError:
            continue  # another sweep opened it a moment ago
        opened += 1
    return {"evaluation_rounds": opened}


# --- Answering -------------------------------------------------------------------------------------------


@transaction.atomic
def save_answers(
    round_: Round,
    school: School,
    user: User,
    role: str,
    answers: dict[int, tuple[int | None, bool, str]],
    *,
    send: bool,
    today: dt.date | None = None,
) -> Response:
    """The respondent's answers for the school, as they stand now: what is left empty is removed, the rest
    written; `send` marks them sent (they can still be changed, and sent again, until the round closes).
    Refused once the round has closed (or before it opens)."""
    today = today or timezone.localdate()
    if not round_.is_open_on(today):
        raise ValidationError(_("This evaluation round is closed: answers can no longer be changed."))
    response, _created = Response.objects.select_for_update().get_or_create(
        round=round_, school=school, respondent=user, defaults={"role": role}
    )
    allowed = set(round_.version.items.values_list("pk", flat=True))
    chosen = {pk: value for pk, value in answers.items() if pk in allowed}
    response.answers.exclude(item_id__in=list(chosen)).delete()
    existing = {answer.item_id: answer for answer in response.answers.all()}
    new: list[Answer] = []
    changed: list[Answer] = []
    for item_id, (score, unknown, text) in chosen.items():
        answer = existing.get(item_id) or Answer(response=response, item_id=item_id)
        answer.score, answer.unknown, answer.text = score, unknown, text
        (changed if answer.pk else new).append(answer)
    Answer.objects.bulk_create(new)
    Answer.objects.bulk_update(changed, ["score", "unknown", "text"])
    response.role = role
    if send:
        response.submitted_at = timezone.now()
    response.save()
    return response


# --- Questionnaire versions: the coordinator's editor ----------------------------------------------------

# What the editor changes of an item; its key, kind and version stay, so a question keeps its key.
ITEM_EDITABLE_FIELDS = ("text", "section", "order", "roles", "action_line_number")


def questionnaire_version_lock(*, version: QuestionnaireVersion) -> QuestionnaireVersion:
    """The version, locked until the transaction ends, refused when it is the default or a round uses it.
    Lock and check go together: a round opened meanwhile (on PostgreSQL its insert waits for the lock)
    is seen here, so no round is ever asked questions that change after it opened."""
    locked = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if locked.gemeente_id is None:
        raise ValidationError(
            _("The default questionnaire is every municipality's: make a new version to change it."),
            code="default",
        )
    if locked.rounds.exists():
        raise ValidationError(
            _(
                "A round has used this version: its questions stay as they were. Make a new "
                "version to change them."
            ),
            code="used",
        )
    return locked


def item_key_from_text(*, text: str, taken: set[str]) -> str:
    """A new item's key: its text as a slug, at most as long as the column, with -2, -3, … if taken."""
    from django.utils.text import slugify

    length = Item._meta.get_field("key").max_length or 60
    base = slugify(text)[:length].strip("-")
    if not base:
        raise ValidationError(
            {"text": _("Write the text with letters or digits: the question's key is made from them.")},
            code="no_key",
        )
    key, number = base, 1
    while key in taken:
        number += 1
        suffix = f"-{number}"
        key = base[: length - len(suffix)].rstrip("-") + suffix
    return key


@transaction.atomic
def questionnaire_version_update(
    *,
    version: QuestionnaireVersion,
    title: str,
    changes: dict[int, dict[str, Any]],
    removed: set[int],
) -> QuestionnaireVersion:
    """Change a version no round uses, all or nothing: its title, the fields of its items (`changes` by
    item id, of ITEM_EDITABLE_FIELDS) and the items `removed`, the rest numbered 1, 2, 3, … in their new
    order. At least one statement stays."""
    from evaluations.models import ItemKind

    locked = questionnaire_version_lock(version=version)
    locked.title = title
    locked.full_clean(exclude={"gemeente", "based_on", "created_by"}, validate_constraints=False)  # as were
    locked.save(update_fields=["title"])
    items = {item.pk: item for item in locked.items.all()}
    if (set(changes) | removed) - set(items):
        raise ValidationError(_("A question was not found in this version: reload the page."), code="gone")
    kept = [item for pk, item in items.items() if pk not in removed]
    if not any(item.kind == ItemKind.STATEMENT for item in kept):
        raise ValidationError(
            _("Keep at least one statement: a questionnaire without statements has no scores."),
            code="no_statement",
        )
    was = {item.pk: item.order for item in kept}
    for item in kept:
        for name, value in changes.get(item.pk, {}).items():
            if name not in ITEM_EDITABLE_FIELDS:
                raise ValueError(f"{name!r} is not an item field the editor changes")
            setattr(item, name, value)
        # Key and version are as they were (the version locked above, the pair unique): no query per item.
        item.full_clean(exclude={"version"}, validate_unique=False, validate_constraints=False)
    # Numbered 1, 2, 3, … again, so that no two share a place: a question given the place of another
    # goes before it ("move to 3"), the rest keep their order.
    kept.sort(key=lambda item: (item.order, item.order == was[item.pk], was[item.pk], item.pk))
    for number, item in enumerate(kept, start=1):
        item.order = number
    Item.objects.filter(version=locked, pk__in=removed).delete()
    Item.objects.bulk_update(kept, ITEM_EDITABLE_FIELDS)
    return locked


@transaction.atomic
def questionnaire_item_add(
    *,
    version: QuestionnaireVersion,
    kind: str,
    text: str,
    section: str,
    roles: list[str] | None = None,
    action_line_number: int | None = None,
    key: str = "",
) -> Item:
    """A statement or open question added at the end of a version no round uses. Its key is `key` when
    given (an earlier question's, to compare its results over the years), else made from the text;
    unique in the version either way."""
    locked = questionnaire_version_lock(version=version)
    taken = set(locked.items.values_list("key", flat=True))
    if key in taken:
        raise ValidationError(
            {"key": _("This version already has a question with this key: choose another one.")},
            code="duplicate_key",
        )
    last = locked.items.aggregate(n=Max("order"))["n"] or 0
    item = Item(
        version=locked,
        key=key or item_key_from_text(text=text, taken=taken),
        order=last + 1,
        section=section,
        kind=kind,
        text=text,
        roles=list(roles or []),
        action_line_number=action_line_number,
    )
    item.full_clean()
    item.save()
    return item
