"""Input validation for the catalogue's admin forms and the lead's pages (rules: services)."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from core.clock import LONDON, london_time, year_in_range
from core.forms import GovukForm, GovukFormMixin
from courses.models import Course, Event, PriorityArea, Venue
from courses.priority_areas import (
    PRIORITY_AREA_NAME_REQUIRED,
    PRIORITY_AREA_NAME_TAKEN,
    PRIORITY_AREA_YEAR_OUT_OF_RANGE,
    priority_area_validate,
)
from courses.selectors import course_get_by_any_title
from courses.services import (
    COURSE_RENAME_TO_FORMER_TITLE,
    COURSE_TITLE_TAKEN,
    EVENT_CAPACITY_BELOW_ONE,
    EVENT_END_NOT_AFTER_START,
    SESSIONS_MAX,
    SESSIONS_NONE,
    VENUE_NAME_TAKEN,
    event_copies,
    event_series_problems,
    event_validate,
    event_warnings,
    series_slots,
    venue_validate,
)
from people.selectors import trainer_list, trainer_search


def _formfield(db_field, **kwargs):
    # Joining links are https; also silences Django 6's change of the default scheme.
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class EventForm(forms.ModelForm):
    """An event as the L&D lead edits it: times in order, at least one place, no overbooking.

    No status or cancellation reason: an event is cancelled by `bookings.services.event_cancel`
    (which tells everyone booked) and marked delivered by the register.
    """

    class Meta:
        model = Event
        fields = [
            "course",
            "start",
            "end",
            "capacity",
            "places_per_organisation",
            "venue",
            "joining_link",
            "joining_instructions",
            "trainers",
            "notice_working_days",
            "external_ref",
        ]
        error_messages = {"capacity": {"min_value": EVENT_CAPACITY_BELOW_ONE}}
        formfield_callback = _formfield

    recording_history = forms.BooleanField(
        required=False,
        label="Recording history",
        help_text="Tick to record an event that has already happened (its start is in the past).",
    )

    def clean(self):
        cleaned = super().clean()
        probe = Event(pk=self.instance.pk)
        for name in self._meta.fields:
            if name in cleaned and name != "trainers":
                setattr(probe, name, cleaned[name])
        _validate_on_fields(self, probe, cleaned.get("recording_history", False))
        return cleaned


def _validate_on_fields(form, probe: Event, recording_history: bool) -> None:
    """Run the service's checks on an unsaved event; each error goes on its field (or the form)."""
    try:
        event_validate(event=probe, recording_history=recording_history)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            if target is None or target not in form.errors:
                form.add_error(target, messages)


class CourseForm(forms.ModelForm):
    """A course; a changed title becomes a rename (see CourseAdmin.save_model)."""

    class Meta:
        model = Course
        fields = [
            "title",
            "slug",
            "summary",
            "learning_outcomes",
            "priority_area",
            "audience",
            "competency_level",
            "delivery_mode",
            "launch_url",
            "is_published",
            "retired_on",
            "prerequisites",
        ]
        formfield_callback = _formfield

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if self.instance.pk and title.casefold() == self.instance.title.casefold():
            return title
        holder = course_get_by_any_title(title)
        if holder is not None and holder.pk != self.instance.pk:
            raise ValidationError(COURSE_TITLE_TAKEN)
        if self.instance.pk and self.instance.names.filter(title__iexact=title).exists():
            raise ValidationError(COURSE_RENAME_TO_FORMER_TITLE)
        return title


# --- the lead's own pages (/manage/) --------------------------------------------------------

# Service errors keyed by the model's field, shown on the page's own field.
_ON_PAGE_FIELD = {"start": "day", "end": "end_time"}
NO_TRAINER_FOUND = "No trainer matches this: check the spelling, or give them the trainer role"


def _date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Enter a real date", "required": f"Enter the {label.lower()}"},
        **kwargs,
    )


def _time_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H.%M"],
        help_text="For example, 09:30",
        error_messages={
            "invalid": "Enter a time like 09:30",
            "required": f"Enter the {label.lower()}",
        },
    )


def _recording_history_field() -> forms.BooleanField:
    return forms.BooleanField(
        required=False,
        label="Recording history: this event has already happened",
        help_text="Only then may the date be in the past.",
    )


def _confirm_field() -> forms.BooleanField:
    return forms.BooleanField(required=False, label="I have checked the warnings: save anyway")


def _place_errors(form, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        target = _ON_PAGE_FIELD.get(field, field)
        target = target if target in form.fields else None
        if target is None or target not in form.errors:
            form.add_error(target, messages)
    form.mark_errors()


class EventManageForm(GovukFormMixin, forms.ModelForm):
    """An event as the lead creates or edits it on their own pages: a date and two times, a venue
    from the list, trainers found by search among people with the trainer role.

    `is_valid()` runs every check of `courses.services.event_validate`; `warnings` (a duplicate,
    a bank holiday) are for the page to show until `confirm` is ticked.
    """

    day = _date_field("Date")
    start_time = _time_field("Start time")
    end_time = _time_field("End time")
    recording_history = _recording_history_field()
    trainer_search = forms.CharField(
        label="Find a trainer",
        required=False,
        max_length=100,
        help_text="Part of their name or email address. Only people with the trainer role.",
    )
    confirm = _confirm_field()

    class Meta:
        model = Event
        fields = [
            "course",
            "venue",
            "capacity",
            "places_per_organisation",
            "notice_working_days",
            "joining_link",
            "joining_instructions",
            "trainers",
        ]
        labels = {
            "venue": "Venue",
            "capacity": "Places",
            "places_per_organisation": "Most places for one organisation (optional)",
            "notice_working_days": "Notice period for cancelling (working days)",
            "joining_link": "Joining link (for an online event)",
            "joining_instructions": "Joining instructions (optional)",
        }
        help_texts = {
            "venue": "Leave as 'To be confirmed' if it is not yet known. Add venues on the "
            "venues page.",
            "joining_link": "Shown only to delegates holding a place.",
            "capacity": "",
        }
        error_messages = {
            "capacity": {
                "min_value": EVENT_CAPACITY_BELOW_ONE,
                "required": "Enter the number of places",
            },
            "course": {"required": "Choose the course"},
            "notice_working_days": {"required": "Enter the notice period, 0 or more"},
        }
        widgets = {"trainers": forms.CheckboxSelectMultiple}
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        self.found_trainers: list = []
        fields = self.fields
        fields["course"].queryset = Course.objects.exclude(
            delivery_mode=Course.DeliveryMode.ELEARNING
        ).order_by("title")
        fields["course"].empty_label = "Choose a course"
        if self.instance.pk:
            fields["course"].disabled = True  # another course is another event: copy instead
        venues = Venue.objects.filter(is_active=True)
        if self.instance.venue_id:
            venues = Venue.objects.filter(Q(is_active=True) | Q(pk=self.instance.venue_id))
        fields["venue"].queryset = venues.order_by("is_online", "name")
        fields["venue"].empty_label = "To be confirmed"
        fields["places_per_organisation"].widget.attrs["class"] += " govuk-input--width-4"
        fields["capacity"].widget.attrs["class"] += " govuk-input--width-4"
        fields["notice_working_days"].widget.attrs["class"] += " govuk-input--width-4"
        fields["notice_working_days"].error_messages["min_value"] = "Enter 0 or more"
        fields["places_per_organisation"].error_messages["min_value"] = (
            "Allow each organisation at least 1 place, or leave it blank"
        )
        # Any trainer may be chosen; the page lists only those chosen and those found.
        fields["trainers"].queryset = trainer_list()
        fields["trainers"].required = False
        if self.instance.pk and not self.is_bound:
            local_start, local_end = (
                london_time(self.instance.start),
                london_time(self.instance.end),
            )
            self.initial.setdefault("day", local_start.date())
            self.initial.setdefault("start_time", local_start.time())
            self.initial.setdefault("end_time", local_end.time())
        self._limit_trainer_choices()

    def _chosen_trainer_ids(self) -> list[str]:
        if self.is_bound:
            return self.data.getlist(self.add_prefix("trainers"))
        chosen = self.initial.get("trainers")
        if chosen is None and self.instance.pk:
            chosen = self.instance.trainers.all()
        return [str(getattr(t, "pk", t)) for t in chosen or []]

    def _limit_trainer_choices(self) -> None:
        ids = [i for i in self._chosen_trainer_ids() if str(i).isdigit()]
        chosen = list(trainer_list().filter(pk__in=ids).order_by("full_name", "email"))
        query = (self.data.get(self.add_prefix("trainer_search")) if self.is_bound else "") or ""
        if not query:
            query = self.initial.get("trainer_search") or ""
        if query.strip():
            known = {t.pk for t in chosen}
            self.found_trainers = [t for t in trainer_search(query) if t.pk not in known]
        people = chosen + self.found_trainers
        self.fields["trainers"].widget.choices = [(t.pk, _trainer_label(t)) for t in people]
        self.trainer_query = query
        self.searched = bool(query.strip())

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start_time"), cleaned.get("end_time")
        probe = Event(pk=self.instance.pk)
        for name in self._meta.fields:
            if name in cleaned and name != "trainers":
                setattr(probe, name, cleaned[name])
        if day and start and end:
            probe.start = datetime.combine(day, start, tzinfo=LONDON)
            probe.end = datetime.combine(day, end, tzinfo=LONDON)
            cleaned["start"], cleaned["end"] = probe.start, probe.end
        try:
            event_validate(event=probe, recording_history=cleaned.get("recording_history", False))
        except ValidationError as error:
            _place_errors(self, error)
        if not self.errors and probe.start and probe.course_id:
            self.warnings = event_warnings(event=probe)
        return cleaned

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.warnings) and not self.cleaned_data.get("confirm")

    def add_validation_error(self, error: ValidationError) -> None:
        """A service's refusal (keyed by the model's fields) on this page's fields."""
        _place_errors(self, error)

    def values(self) -> dict:
        """The model's new values (trainers apart), as `bookings.services.event_update` takes."""
        names = [n for n in self._meta.fields if n not in ("trainers", "course")]
        return {"start": self.cleaned_data["start"], "end": self.cleaned_data["end"]} | {
            name: self.cleaned_data[name] for name in names
        }

    def event(self) -> Event:
        """The event with the form's values, unsaved (trainers apart: `cleaned_data`)."""
        event = self.save(commit=False)
        event.start, event.end = self.cleaned_data["start"], self.cleaned_data["end"]
        return event


def event_initial_from_course(course: Course | None) -> dict:
    """A new event of `course` starts like its latest one: times, venue, places and limits."""
    if course is None:
        return {}
    initial = {"course": course}
    latest = course.events.exclude(status=Event.Status.CANCELLED).order_by("-start").first()
    if latest is not None:
        initial |= {
            "start_time": london_time(latest.start).time(),
            "end_time": london_time(latest.end).time(),
            "venue": latest.venue_id if latest.venue_id and latest.venue.is_active else None,
            "capacity": latest.capacity,
            "places_per_organisation": latest.places_per_organisation,
            "notice_working_days": latest.notice_working_days,
            "joining_instructions": latest.joining_instructions,
        }
    return initial


def _trainer_label(user) -> str:
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


class EventCopyForm(GovukForm):
    """New dates for a copy of an event: one date, or a series every so many weeks."""

    day = _date_field("First date")
    start_time = _time_field("Start time")
    end_time = _time_field("End time")
    every_weeks = forms.IntegerField(
        label="Repeat every (weeks)",
        min_value=1,
        max_value=52,
        initial=1,
        help_text="2 for every second week.",
        error_messages={
            "required": "Enter how many weeks apart, 1 or more",
            "min_value": "Enter how many weeks apart, 1 or more",
            "max_value": "Enter 52 weeks or fewer",
        },
    )
    count = forms.IntegerField(
        label="Number of dates",
        min_value=1,
        initial=1,
        help_text="1 for a single copy. For example, 6 for six dates.",
        error_messages={
            "required": "Enter the number of dates, 1 or more",
            "min_value": "Enter the number of dates, 1 or more",
        },
    )
    recording_history = _recording_history_field()
    confirm = _confirm_field()

    def __init__(self, *args, source: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.warnings: list[str] = []
        self.copies: list[Event] = []
        for name in ("every_weeks", "count"):
            self.fields[name].widget.attrs["class"] += " govuk-input--width-3"
        self.fields["count"].widget.attrs["max"] = settings.EVENT_SERIES_MAX  # series_slots checks
        # An event of several sessions is copied with its sessions' own days and times.
        self.sessions = list(source.sessions.order_by("order")) if source.sessions_total else []
        if self.sessions:
            for name in ("start_time", "end_time"):
                self.fields[name].required = False
        if not self.is_bound:
            self.initial.setdefault("start_time", london_time(source.start).time())
            self.initial.setdefault("end_time", london_time(source.end).time())

    def clean(self):
        cleaned = super().clean()
        if self.sessions:
            first = self.sessions[0]
            cleaned["start_time"] = london_time(first.start).time()
            cleaned["end_time"] = london_time(first.end).time()
        day, start, end = cleaned.get("day"), cleaned.get("start_time"), cleaned.get("end_time")
        every, count = cleaned.get("every_weeks"), cleaned.get("count")
        if self.errors or None in (day, start, end, every, count):
            return cleaned
        if end <= start:
            self.add_error("end_time", EVENT_END_NOT_AFTER_START)
            return cleaned
        try:
            self.slots = series_slots(
                first_day=day, start=start, end=end, every_weeks=every, count=count
            )
        except ValidationError as error:
            _place_errors(self, error)
            return cleaned
        self.copies = event_copies(source=self.source, slots=self.slots)
        problems = event_series_problems(
            self.copies, recording_history=cleaned.get("recording_history", False)
        )
        for problem in problems:
            self.add_error("day" if len(self.copies) == 1 else None, problem)
        if not problems:
            self.warnings = [
                f"{london_time(copy.start):%d %B %Y}: {warning}"
                for copy in self.copies
                for warning in event_warnings(event=copy)
            ]
        self.mark_errors()
        return cleaned

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.warnings) and not self.cleaned_data.get("confirm")


class VenueForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Venue
        fields = ["name", "is_online", "address", "room", "capacity", "accessibility", "is_active"]
        labels = {
            "name": "Name",
            "is_online": "Online (no address: each event has its own joining link)",
            "address": "Address",
            "room": "Room (optional)",
            "capacity": "Most people the room holds (optional)",
            "accessibility": "Accessibility (optional)",
            "is_active": "In use: offered for new events",
        }
        help_texts = {"capacity": "Events here cannot offer more places than this."}
        error_messages = {
            "name": {"required": "Enter the venue's name", "unique": VENUE_NAME_TAKEN},
            "capacity": {"min_value": "Enter 1 or more, or leave it blank"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].widget.attrs["class"] += " govuk-input--width-4"
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].validators.append(MinValueValidator(1))

    def clean(self):
        cleaned = super().clean()
        probe = Venue(pk=self.instance.pk)
        for name in self._meta.fields:
            if name in cleaned:
                setattr(probe, name, cleaned[name])
        try:
            venue_validate(venue=probe)
        except ValidationError as error:
            _place_errors(self, error)
        return cleaned


# --- The L&D lead's course pages (/manage/courses/) ------------------------------------------

COURSE_TITLE_MISSING = "Enter the course's title"
COURSE_SUMMARY_MISSING = "Enter a summary of the course"
COURSE_PRIORITY_MISSING = "Choose the course's priority area"
COURSE_LAUNCH_URL_INVALID = "Enter a web address, like https://learning.example.org/module"
MANAGE_SEARCH_TOO_LONG = "Search for 100 characters or fewer"


class CourseManageForm(GovukFormMixin, forms.Form):
    """A course as the L&D lead creates, edits or copies it; the rules live in the services."""

    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": COURSE_TITLE_MISSING}
    )
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea,
        help_text="What the course is about and who it is for, as the catalogue shows it",
        error_messages={"required": COURSE_SUMMARY_MISSING},
    )
    learning_outcomes = forms.CharField(
        label="Learning outcomes",
        widget=forms.Textarea,
        required=False,
        help_text="One learning outcome per line",
    )
    priority_area = forms.ModelChoiceField(
        label="Priority area",
        queryset=None,
        empty_label="Choose a priority area",
        error_messages={"required": COURSE_PRIORITY_MISSING},
    )
    audience = forms.ChoiceField(
        label="For people working with",
        choices=Course.Audience.choices,
        initial=Course.Audience.ALL,
        widget=forms.RadioSelect,
    )
    competency_level = forms.TypedChoiceField(
        label="Level",
        choices=Course.Level.choices,
        coerce=int,
        initial=Course.Level.L2,
        widget=forms.RadioSelect,
    )
    delivery_mode = forms.ChoiceField(
        label="How it is delivered",
        choices=Course.DeliveryMode.choices,
        initial=Course.DeliveryMode.FACE_TO_FACE,
        widget=forms.RadioSelect,
    )
    launch_url = forms.URLField(
        label="Launch link (e-learning only)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="The https address where the module is taken, for example "
        "https://learning.example.org/module",
        error_messages={"invalid": COURSE_LAUNCH_URL_INVALID},
    )
    prerequisites = forms.ModelMultipleChoiceField(
        label="Prerequisites",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Courses a delegate must have attended, or e-learning modules completed, "
        "before booking this one",
    )

    def __init__(self, *args, course: Course | None = None, **kwargs):
        from courses.models import PriorityArea
        from courses.selectors import course_prerequisite_choices

        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["priority_area"].queryset = PriorityArea.objects.order_by("name")
        choices = course_prerequisite_choices(exclude=course)
        if course is not None and course.pk is not None:
            # Keep a prerequisite that has since been retired selectable (and visible).
            choices = (choices | course.prerequisites.all()).distinct()
        self.fields["prerequisites"].queryset = choices

    @staticmethod
    def initial_from(course: Course) -> dict:
        return {
            "title": course.title,
            "summary": course.summary,
            "learning_outcomes": course.learning_outcomes,
            "priority_area": course.priority_area_id,
            "audience": course.audience,
            "competency_level": course.competency_level,
            "delivery_mode": course.delivery_mode,
            "launch_url": course.launch_url,
            "prerequisites": [c.pk for c in course.prerequisites.all()],
        }

    def full_clean(self):
        super().full_clean()
        self.mark_errors()

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError (keyed by field) on the fields it names."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error)
        self.mark_errors()


class CourseManageSearchForm(GovukFormMixin, forms.Form):
    STATUS_CHOICES = [("live", "Offered now"), ("retired", "Retired"), ("all", "All courses")]

    q = forms.CharField(
        label="Search courses",
        required=False,
        max_length=100,
        error_messages={"max_length": MANAGE_SEARCH_TOO_LONG},
        widget=forms.SearchInput(attrs={"spellcheck": "false"}),
    )
    status = forms.ChoiceField(label="Show", choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def full_clean(self):
        super().full_clean()
        self.mark_errors()


class RetireForm(forms.Form):
    """Nothing to fill in: the POST is the lead's confirmation."""


class EventSessionsForm(forms.Form):
    """An event's sessions as rows of a date, a start and an end time (London), each removable.

    A row left wholly blank is ignored, so "Add another session" can offer an empty one. The
    rules (end after start, no overlap, at most SESSIONS_MAX) are the service's
    (courses.services.event_sessions_set); `add_problems` puts its refusals on their fields.
    """

    DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

    def __init__(self, *args, rows: int, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.row_count = max(1, min(rows, SESSIONS_MAX))
        for i in range(self.row_count):
            n = i + 1
            self.fields[f"s{i}-date"] = forms.DateField(
                label=f"Date of session {n}",
                required=False,
                input_formats=self.DATE_FORMATS,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={"invalid": "Enter a real date"},
                validators=[year_in_range],
            )
            self.fields[f"s{i}-start"] = forms.TimeField(
                label=f"Start time of session {n}",
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                error_messages={"invalid": "Enter a time, for example 09:30"},
            )
            self.fields[f"s{i}-end"] = forms.TimeField(
                label=f"End time of session {n}",
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                error_messages={"invalid": "Enter a time, for example 13:00"},
            )
            self.fields[f"s{i}-remove"] = forms.BooleanField(
                label=f"Remove session {n}", required=False
            )
        for name, field in self.fields.items():
            if name.endswith("-remove"):
                field.widget.attrs["class"] = "govuk-checkboxes__input"
            elif name.endswith("-date"):
                field.widget.attrs["class"] = "govuk-input govuk-input--width-10"
            else:
                field.widget.attrs["class"] = "govuk-input govuk-input--width-5"

    def rows(self):
        """(number, date, start, end, remove) bound fields for each row."""
        for i in range(self.row_count):
            yield (
                i + 1,
                self[f"s{i}-date"],
                self[f"s{i}-start"],
                self[f"s{i}-end"],
                self[f"s{i}-remove"],
            )

    def clean(self):
        cleaned = super().clean()
        self.kept: list[int] = []  # the row behind each session given to the service
        for i in range(self.row_count):
            if cleaned.get(f"s{i}-remove"):
                continue
            names = [f"s{i}-date", f"s{i}-start", f"s{i}-end"]
            if any(name in self.errors for name in names):
                self.kept.append(i)
                continue
            values = [cleaned.get(name) for name in names]
            if not any(values):
                continue  # a blank row
            self.kept.append(i)
            for name, value, what in zip(
                names, values, ("date", "start time", "end time"), strict=True
            ):
                if value is None:
                    self.add_error(name, f"Enter the {what} of session {i + 1}")
        if not self.errors and not self.kept:
            raise ValidationError(SESSIONS_NONE)
        return cleaned

    def times(self) -> list[tuple[datetime, datetime]]:
        """The sessions kept, as London times, in the order of the rows."""
        out = []
        for i in self.kept:
            day = self.cleaned_data[f"s{i}-date"]
            out.append(
                (
                    datetime.combine(day, self.cleaned_data[f"s{i}-start"], tzinfo=LONDON),
                    datetime.combine(day, self.cleaned_data[f"s{i}-end"], tzinfo=LONDON),
                )
            )
        return out

    def add_problems(self, problems) -> None:
        """Put the service's refusals on the rows they name (or on the form)."""
        for problem in problems:
            if problem.index is None or problem.index >= len(self.kept):
                self.add_error(None, problem.message)
                continue
            row = self.kept[problem.index]
            name = f"s{row}-{'end' if problem.field == 'end' else 'start'}"
            self.add_error(name, problem.message)

    def mark_errors(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "--error" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] += " govuk-input--error"
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def error_links(self) -> list[tuple[str, str]]:
        links = []
        for name, errors in self.errors.items():
            anchor = self[name].auto_id if name in self.fields else ""
            links.extend((anchor, message) for message in errors)
        return links


def sessions_initial(sessions) -> dict:
    """The form's initial values for an event's sessions (EventSession rows or (start, end))."""
    initial = {}
    for i, (start, end) in enumerate(sessions):
        start, end = start.astimezone(LONDON), end.astimezone(LONDON)
        initial[f"s{i}-date"] = start.date()
        initial[f"s{i}-start"] = start.time().replace(second=0, microsecond=0)
        initial[f"s{i}-end"] = end.time().replace(second=0, microsecond=0)
    return initial


# --- The L&D lead's priority areas (/manage/priority-areas/) ----------------------------------


class PriorityAreaForm(GovukFormMixin, forms.ModelForm):
    """A priority area's name, description and the reporting years it is a priority."""

    class Meta:
        model = PriorityArea
        fields = ["name", "description", "first_year", "last_year"]
        labels = {
            "name": "Name",
            "description": "Description (optional)",
            "first_year": "First reporting year (optional)",
            "last_year": "Last reporting year (optional)",
        }
        help_texts = {
            "first_year": "2025 means 2025/26. Leave blank if it has always been a priority.",
            "last_year": "To retire the area, give the last year it was a priority. Leave blank "
            "while it still is.",
        }
        error_messages = {
            "name": {"required": PRIORITY_AREA_NAME_REQUIRED, "unique": PRIORITY_AREA_NAME_TAKEN},
            "first_year": {"invalid": PRIORITY_AREA_YEAR_OUT_OF_RANGE},
            "last_year": {"invalid": PRIORITY_AREA_YEAR_OUT_OF_RANGE},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_year", "last_year"):
            field = self.fields[name]
            field.widget.attrs["class"] += " govuk-input--width-4"
            field.widget.attrs["inputmode"] = "numeric"
            field.error_messages["min_value"] = PRIORITY_AREA_YEAR_OUT_OF_RANGE

    def clean(self):
        cleaned = super().clean()
        probe = PriorityArea(pk=self.instance.pk)
        for name in self._meta.fields:
            setattr(probe, name, cleaned.get(name))
        try:
            priority_area_validate(area=probe)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in self.errors:
                    self.add_error(field, messages)
        return cleaned
