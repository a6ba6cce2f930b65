"""Reads for the catalogue pages: querysets with the joins each page needs; per-user reads."""

from __future__ import annotations

import difflib
import re
from datetime import date

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Greatest
from django.db.models.lookups import GreaterThanOrEqual
from django.http import Http404
from django.utils import timezone

from core.clock import day_start
from courses.models import PLACE_HOLDING_STATUSES, Course, CourseName, Event, EventSession, Venue

# Booking statuses under which a person is "on" an event (bookings.Booking.ACTIVE); spelt out here
# because courses must not import bookings.
ACTIVE_BOOKING_STATUSES = ("waitlisted", *PLACE_HOLDING_STATUSES)


def event_list_catalogue() -> QuerySet[Event]:
    """Upcoming bookable events with their course, priority area and places taken, in date order."""
    return (
        Event.objects.upcoming()
        .bookable()
        .select_related("venue", "course", "course__priority_area")
        .with_places_taken()
        .order_by("start", "pk")
    )


# Typo-forgiving search ("neglet" finds Neglect): words this long or longer also match a word of a
# course's title or priority area that is spelt nearly the same.
FUZZY_MIN_LENGTH = 4
# PostgreSQL: pg_trgm's word_similarity (share of the search word's trigrams found in the text).
TRIGRAM_WORD_THRESHOLD = 0.5
# Elsewhere (SQLite): difflib's ratio between the search word and each word of the text.
DIFFLIB_THRESHOLD = 0.8

_WORD_RE = re.compile(r"\w+")


def _course_ids_spelt_like(word: str) -> list[int]:
    """Courses with a title or priority-area word close to `word` (difflib; the catalogue is
    small: a few hundred courses at most)."""
    word = word.casefold()
    ids = []
    for pk, title, area in Course.objects.values_list("pk", "title", "priority_area__name"):
        tokens = _WORD_RE.findall(f"{title} {area}".casefold())
        matcher = difflib.SequenceMatcher(a=word)
        for token in tokens:
            matcher.set_seq2(token)
            if matcher.ratio() >= DIFFLIB_THRESHOLD:
                ids.append(pk)
                break
    return ids


def _spelt_like_q(word: str, prefix: str) -> Q:
    """Rows whose course (at `prefix`) has a title or priority-area word spelt like `word`."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramWordSimilarity

        similarity = Greatest(
            TrigramWordSimilarity(word, f"{prefix}title"),
            TrigramWordSimilarity(word, f"{prefix}priority_area__name"),
        )
        return Q(GreaterThanOrEqual(similarity, TRIGRAM_WORD_THRESHOLD))
    return Q(**{f"{prefix}pk__in": _course_ids_spelt_like(word)})


def _search_q(text: str, prefix: str, course_ref: str) -> Q:
    condition = Q()
    for word in text.split():
        former = CourseName.objects.filter(course=OuterRef(course_ref), title__icontains=word)
        # Exists (not a join on names) so a course with several former titles cannot multiply rows
        # and inflate the places-taken count.
        word_q = (
            Q(**{f"{prefix}title__icontains": word})
            | Q(**{f"{prefix}summary__icontains": word})
            | Q(**{f"{prefix}learning_outcomes__icontains": word})
            | Q(**{f"{prefix}priority_area__name__icontains": word})
            | Exists(former)
        )
        if len(word) >= FUZZY_MIN_LENGTH:
            word_q |= _spelt_like_q(word, prefix)
        condition &= word_q
    return condition


def event_search_q(text: str) -> Q:
    """Every word of `text` appears in the course's title, summary, outcomes, priority area or a
    former title, or (a typo) is spelt nearly like a word of its title or priority area."""
    return _search_q(text, "course__", "course")


def course_search_q(text: str) -> Q:
    """event_search_q for courses themselves."""
    return _search_q(text, "", "pk")


def course_list_catalogue() -> QuerySet[Course]:
    """Live courses for the public list, with their priority area."""
    return Course.objects.live().select_related("priority_area").order_by("title", "pk")


def course_list_manage() -> QuerySet[Course]:
    """Every course for the L&D lead, with its priority area and counts of events."""
    return Course.objects.select_related("priority_area").order_by("title", "pk")


def course_get_for_manage(pk: int) -> Course:
    """Any course (live or retired) for the lead's pages, or 404."""
    try:
        return (
            Course.objects.select_related("priority_area")
            .prefetch_related("prerequisites", "names")
            .get(pk=pk)
        )
    except Course.DoesNotExist:
        raise Http404("No such course") from None


def course_prerequisite_choices(exclude: Course | None = None) -> QuerySet[Course]:
    """Courses that can be a prerequisite: live courses and e-learning modules (not itself)."""
    queryset = Course.objects.live().order_by("title", "pk")
    if exclude is not None and exclude.pk is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset


def event_list_month(month: date, *, with_drafts: bool = False) -> QuerySet[Event]:
    """Events (not cancelled) of published courses starting in the month (London), in order;
    drafts only `with_drafts` (the L&D lead's view)."""
    next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    hidden = [Event.Status.CANCELLED]
    if not with_drafts:
        hidden.append(Event.Status.DRAFT)
    return (
        Event.objects.filter(
            course__is_published=True,
            start__gte=day_start(month),
            start__lt=day_start(next_month),
        )
        .exclude(status__in=hidden)
        .select_related("course")
        .with_places_taken()
        .order_by("start", "pk")
    )


def course_get_published(*, slug: str) -> Course:
    """A published course by slug with its priority area and titles, or 404."""
    queryset = Course.objects.published().select_related("priority_area")
    try:
        return queryset.prefetch_related("names", "prerequisites").get(slug=slug)
    except Course.DoesNotExist:
        raise Http404("No such course") from None


def course_former_titles(course: Course) -> list[str]:
    """Titles the course was known by before its current one, most recent first."""
    names = [n for n in course.names.all() if n.title.casefold() != course.title.casefold()]
    names.sort(key=lambda n: (n.valid_until is not None, n.valid_until), reverse=True)
    return [n.title for n in names]


def event_list_for_course(course: Course) -> QuerySet[Event]:
    """A course's upcoming bookable events with places taken."""
    return (
        Event.objects.upcoming()
        .bookable()
        .filter(course=course)
        .select_related("venue", "course")
        .with_places_taken()
        .order_by("start", "pk")
    )


def event_get_for_page(*, pk: int, user) -> Event:
    """An event for its public page, or 404 (events of unpublished courses only for staff,
    drafts only for the L&D lead)."""
    queryset = (
        Event.objects.select_related("venue", "course", "course__priority_area")
        .with_places_taken()
        .prefetch_related(Prefetch("trainers", to_attr="trainer_list"))
    )
    if not (user.is_authenticated and (user.is_staff or user.is_lead)):
        queryset = queryset.filter(course__is_published=True)
    if not (user.is_authenticated and user.is_lead):
        queryset = queryset.exclude(status=Event.Status.DRAFT)
    try:
        return queryset.get(pk=pk)
    except Event.DoesNotExist:
        raise Http404("No such event") from None


def event_booking_for_user(*, event: Event, user):
    """The user's active booking (waiting or holding a place) on the event, or None."""
    if not user.is_authenticated:
        return None
    return (
        event.bookings.filter(person=user, status__in=ACTIVE_BOOKING_STATUSES)
        .order_by("-pk")
        .first()
    )


def course_get_by_any_title(title: str) -> Course | None:
    """The course currently or formerly called `title` (case-insensitive, spaces trimmed), or None.

    A current title wins over a former one, so imports across a rename land on one course.
    """
    title = " ".join((title or "").split())
    if not title:
        return None
    current = Course.objects.filter(title__iexact=title).order_by("pk").first()
    if current is not None:
        return current
    name = (
        CourseName.objects.filter(title__iexact=title)
        .select_related("course")
        .order_by(F("valid_until").desc(nulls_first=True), "-pk")
        .first()
    )
    return name.course if name else None


# --- the lead's pages -----------------------------------------------------------------------


def manage_course_for_new_event(course_id) -> Course | None:
    """The course a new event is for (from ?course=), if it is one that has events."""
    if not str(course_id or "").isdigit():
        return None
    return (
        Course.objects.exclude(delivery_mode=Course.DeliveryMode.ELEARNING)
        .filter(pk=int(course_id))
        .first()
    )


def manage_event_get(*, pk: int) -> Event:
    """Any event (published course or not) with its course, venue and trainers, or 404."""
    queryset = Event.objects.select_related("venue", "course").prefetch_related("trainers")
    try:
        return queryset.get(pk=pk)
    except Event.DoesNotExist:
        raise Http404("No such event") from None


def venue_list() -> QuerySet[Venue]:
    """Every venue, those in use first, with its number of upcoming events."""
    return Venue.objects.annotate(
        upcoming=Count(
            "events",
            filter=Q(events__start__gte=timezone.now(), events__status=Event.Status.SCHEDULED),
        )
    ).order_by("-is_active", "is_online", "name")


def venue_get(*, pk: int) -> Venue:
    try:
        return Venue.objects.get(pk=pk)
    except Venue.DoesNotExist:
        raise Http404("No such venue") from None


def event_get_for_lead(*, pk: int) -> Event:
    """Any event with its course and sessions, for the L&D lead's pages, or 404."""
    try:
        return (
            Event.objects.select_related("course")
            .prefetch_related(Prefetch("sessions", queryset=EventSession.objects.order_by("order")))
            .get(pk=pk)
        )
    except Event.DoesNotExist:
        raise Http404("No such event") from None
