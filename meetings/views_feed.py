"""Calendar: the personal feed (a secret URL that calendar apps fetch without logging in), its settings
page, and the .ics download of one meeting."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kpa.accesslog import access_record
from kpa.models import AccessAction, AccessLog
from meetings import ics, selectors
from meetings.models import CalendarFeed, new_feed_token

FEED_PAST = dt.timedelta(days=60)
FEED_AHEAD = dt.timedelta(days=365)
FEED_LIMIT = 500
CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


def feed_url(feed: CalendarFeed) -> str:
    return settings.SITE_URL + reverse("meetings:feed", args=[feed.token])


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """The person's feed address with instructions; POST makes a new address (the old one stops)."""
    feed, _created = CalendarFeed.objects.get_or_create(user=request.user)
    if request.method == "POST":
        feed.token = new_feed_token()
        feed.save(update_fields=["token", "created_at"])
        messages.success(
            request,
            _(
                "Your calendar has a new address. The old address no longer works: add the new one to your "
                "calendar app."
            ),
        )
        return redirect("meetings:calendar")
    url = feed_url(feed)
    return render(
        request,
        "meetings/calendar_settings.html",
        {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]},
    )


FEED_WHAT = "calendar-feed"


def _record_feed_fetch(feed: CalendarFeed, meetings: int) -> None:
    """The access log: one entry per feed per Amsterdam day, however often calendar apps poll it (every
    few minutes). The common case (an entry of today exists) costs one query; the first fetch of the day
    locks the feed's row and looks again, so two polls at the same moment write one entry (PostgreSQL)."""
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    day_start = timezone.make_aware(dt.datetime.combine(today, dt.time.min), timezone.get_default_timezone())
    logged_today = AccessLog.objects.filter(actor_id=feed.user_id, what=FEED_WHAT, at__gte=day_start)
    if logged_today.exists():
        return
    with transaction.atomic():
        CalendarFeed.objects.select_for_update().filter(pk=feed.pk).first()
        if logged_today.exists():
            return
        access_record(
            actor=feed.user,
            action=AccessAction.EXPORT,
            what=FEED_WHAT,
            detail={"feed": feed.pk, "meetings": meetings},
        )


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself. No login (calendar apps cannot log in): the secret token is the key. What it
    shows is what its owner may see today; an unknown token or a deactivated owner answers 404."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if feed is None:
        raise Http404
    now = timezone.now()
    visible = selectors.meetings_visible_to(feed.user).select_related("school")
    # The coming year first, then as much of the last two months as fits: a limit never drops the
    # meetings people still have to go to.
    upcoming = list(
        visible.filter(starts_at__gte=now, starts_at__lte=now + FEED_AHEAD).order_by("starts_at", "pk")[
            :FEED_LIMIT
        ]
    )
    recent = (
        list(
            visible.filter(starts_at__gte=now - FEED_PAST, starts_at__lt=now).order_by("-starts_at", "-pk")[
                : max(FEED_LIMIT - len(upcoming), 0)
            ]
        )
        if len(upcoming) < FEED_LIMIT
        else []
    )
    meetings = [*reversed(recent), *upcoming]
    _record_feed_fetch(feed, len(meetings))
    with translation.override("nl"):
        name = _("KPA meetings")
    response = HttpResponse(
        ics.feed_calendar(meetings, name=name, base_url=settings.SITE_URL),
        content_type=CALENDAR_CONTENT_TYPE,
    )
    response["Content-Disposition"] = 'inline; filename="kpa.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_safe
def meeting_ics_download(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting in scope as an .ics file to add to one's own calendar (METHOD:PUBLISH). Logged."""
    meeting = selectors.get_meeting_for_user(request.user, pk)
    access_record(
        actor=request.user,
        action=AccessAction.EXPORT,
        what="meeting.ics",
        school_id=meeting.school_id,
        detail={"meeting": meeting.pk},
    )
    response = HttpResponse(
        ics.meeting_calendar(
            meeting,
            method="PUBLISH",
            attendees=[],
            organizer_email=ics.organizer_email(),
            url=ics.meeting_url(meeting),
        ),
        content_type=CALENDAR_CONTENT_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{ics.ics_filename(meeting)}"'
    return response
