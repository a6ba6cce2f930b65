"""Input validation only: the services decide what is allowed (BookingError.field says where)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.line_manager import line_manager_email_problem
from bookings.models import Booking, CancellationReason, EventMessage
from bookings.reasons import (
    REASON_LABEL_REQUIRED,
    REASON_LABEL_TAKEN,
    cancellation_reason_validate,
)
from bookings.services import SUBSTITUTE_SAME_ORG, Mark
from core.forms import GovukForm, GovukFormMixin
from courses.models import Event
from people.models import Organisation, User

S = Booking.Status
MARK_CHOICES = [
    (S.ATTENDED, "Attended"),
    (S.PARTIAL, "Partially attended"),
    (S.NO_SHOW, "Did not attend"),
]
NO_ACCOUNT = "There is no account with this email address."


def _user_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).select_related("organisation").first()


class BookingForm(GovukForm):
    line_manager_name = forms.CharField(
        label="Your line manager's name (optional)", max_length=200, required=False
    )
    line_manager_email = forms.EmailField(
        label="Your line manager's email address (optional)",
        required=False,
        help_text="Their work address at a partner organisation. We tell them about your "
        "booking, and a few months after the course ask what difference it has made.",
    )
    access_needs = forms.CharField(
        label="Access needs (optional)",
        required=False,
        widget=forms.Textarea,
        help_text="Anything the trainer should know so you can take part fully.",
    )
    dietary_needs = forms.CharField(
        label="Dietary needs (optional)", max_length=300, required=False
    )

    def __init__(self, *args, event, delegate_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.delegate_email = delegate_email
        if event.course.delivery_mode != "face_to_face":
            del self.fields["dietary_needs"]

    def clean(self):
        data = super().clean()
        if data.get("line_manager_name") and not data.get("line_manager_email"):
            self.add_error(
                "line_manager_email", "Enter your line manager's email address, or remove the name."
            )
        email = data.get("line_manager_email")
        if email:
            problem = line_manager_email_problem(email, delegate_email=self.delegate_email)
            if problem:
                self.add_error("line_manager_email", problem)
        return data


class CancelForm(GovukForm):
    reason = forms.ModelChoiceField(
        label="Why are you cancelling?",
        queryset=CancellationReason.objects.none(),
        widget=forms.RadioSelect,
        required=False,
        empty_label=None,
    )
    detail = forms.CharField(label="Tell us more", max_length=300, required=False)

    def __init__(self, *args, leaving_waitlist: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if leaving_waitlist:
            self.fields["reason"].label = "Why are you leaving the waiting list? (optional)"
        self.fields["reason"].queryset = CancellationReason.objects.filter(
            is_active=True,
            use__in=(CancellationReason.Use.CANCELLATION, CancellationReason.Use.BOTH),
        )


class SubstituteForm(GovukForm):
    colleague = forms.EmailField(
        label="Your colleague's email address",
        help_text="They must have an account and work for your organisation.",
    )

    def clean_colleague(self):
        colleague = _user_by_email(self.cleaned_data["colleague"])
        if colleague is None:
            # The same answer as "another organisation" (bookings.services).
            raise forms.ValidationError(SUBSTITUTE_SAME_ORG)
        return colleague


class CompletionForm(GovukForm):
    completed_on = forms.DateField(
        label="Date you completed it",
        help_text="For example, 27/3/2025",
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": "Enter a real date",
            "required": "Enter the date you completed it",
        },
    )


class PersonEmailForm(GovukForm):
    """The L&D lead books on someone's behalf: they must already have an account."""

    email = forms.EmailField(label="Their email address")

    def clean_email(self):
        person = _user_by_email(self.cleaned_data["email"])
        if person is None:
            raise forms.ValidationError(NO_ACCOUNT)
        return person


class MoveForm(GovukForm):
    to_event = forms.ModelChoiceField(
        label="Move to", queryset=None, empty_label="Choose a date", required=True
    )

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_event"].queryset = events
        self.fields["to_event"].error_messages["required"] = "Choose the date to move them to"


class EventCancelForm(GovukForm):
    reason = forms.CharField(
        label="Why is the event cancelled?",
        widget=forms.Textarea,
        help_text="Every delegate and everyone on the waiting list is told this reason.",
        error_messages={"required": "Give a reason for cancelling the event."},
    )


class WalkInForm(GovukForm):
    email = forms.EmailField(label="Email address")
    full_name = forms.CharField(
        label="Full name", max_length=200, required=False, help_text="Needed if they are new to us."
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.partners(),
        required=False,
        empty_label="Choose an organisation",
        help_text="Needed if they are new to us.",
    )
    status = forms.ChoiceField(
        label="Attendance",
        choices=MARK_CHOICES[:2],
        initial=S.ATTENDED,
        widget=forms.RadioSelect,
    )


SESSION_CHOICES = [("", "Not marked"), ("present", "Present"), ("absent", "Absent")]


class RegisterForm(GovukForm):
    """One form for the whole register: radios, a reason and (for cancelled places) reinstate.

    On an event of several sessions each delegate has one choice per session (present, absent,
    or not marked yet) instead of the radios; their status follows from the sessions.
    """

    def __init__(self, *args, bookings: list[Booking], reasons, sessions=(), marked=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.bookings = bookings
        self.sessions = list(sessions)
        marked = marked or {}
        # Plain choices, not a ModelChoiceField per row: cleaning 40 of those is 40 queries.
        reason_choices = [("", "Reason not known")] + [(str(r.pk), r.label) for r in reasons]
        for booking in bookings:
            current = booking.status if booking.status in dict(MARK_CHOICES) else None
            if not self.sessions:
                self.fields[f"status-{booking.pk}"] = forms.ChoiceField(
                    label=f"Attendance of {booking.person}",
                    choices=MARK_CHOICES,
                    widget=forms.RadioSelect,
                    required=False,
                    initial=current,
                )
            for session in self.sessions:
                present = marked.get((booking.pk, session.pk))
                name = f"session-{booking.pk}-{session.pk}"
                self.fields[name] = forms.ChoiceField(
                    label=f"{booking.person} at session {session.order}",
                    choices=SESSION_CHOICES,
                    required=False,
                    initial="" if present is None else ("present" if present else "absent"),
                )
                self.fields[name].widget.attrs["class"] = "govuk-select"
            self.fields[f"reason-{booking.pk}"] = forms.ChoiceField(
                label="Reason for not attending",
                choices=reason_choices,
                required=False,
                initial=booking.non_attendance_reason_id,
            )
            self.fields[f"reason-{booking.pk}"].widget.attrs["class"] = "govuk-select"
            if booking.status == S.CANCELLED:
                self.fields[f"reinstate-{booking.pk}"] = forms.BooleanField(
                    label=f"Reinstate {booking.person}", required=False
                )
                self.fields[f"reinstate-{booking.pk}"].widget.attrs["class"] = (
                    "govuk-checkboxes__input"
                )

    def _first(self, booking: Booking) -> str:
        """The field a delegate's error goes on: their radios, or their first session."""
        if self.sessions:
            return f"session-{booking.pk}-{self.sessions[0].pk}"
        return f"status-{booking.pk}"

    def rows(self):
        """(booking, status field or None, reason field, reinstate field or None, session fields)
        for each delegate."""
        for booking in self.bookings:
            reinstate = f"reinstate-{booking.pk}"
            status = f"status-{booking.pk}"
            yield (
                booking,
                self[status] if status in self.fields else None,
                self[f"reason-{booking.pk}"],
                self[reinstate] if reinstate in self.fields else None,
                [self[f"session-{booking.pk}-{s.pk}"] for s in self.sessions],
            )

    def _sessions_marked(self, booking: Booking) -> dict[int, bool]:
        marked = {}
        for session in self.sessions:
            value = self.cleaned_data.get(f"session-{booking.pk}-{session.pk}")
            if value:
                marked[session.pk] = value == "present"
        return marked

    def clean(self):
        data = super().clean()
        for booking in self.bookings:
            if self.sessions:
                marked = bool(self._sessions_marked(booking))
            else:
                marked = bool(data.get(f"status-{booking.pk}"))
            reinstate = data.get(f"reinstate-{booking.pk}", False)
            if booking.status == S.CANCELLED:
                if reinstate and not marked:
                    message = f"Choose whether {booking.person} attended"
                    self.add_error(self._first(booking), message)
                elif marked and not reinstate:
                    self.add_error(
                        self._first(booking),
                        f"Tick 'Reinstate' to mark {booking.person}, who had cancelled",
                    )
        return data

    def marks(self) -> dict[int, Mark]:
        """{booking id: Mark} for every delegate given a mark (unmarked rows are left alone)."""
        marks = {}
        for booking in self.bookings:
            reason = self.cleaned_data.get(f"reason-{booking.pk}")
            reinstate = bool(self.cleaned_data.get(f"reinstate-{booking.pk}"))
            if self.sessions:
                sessions = self._sessions_marked(booking)
                if not sessions and not (reason and booking.status == S.NO_SHOW):
                    continue
                marks[booking.pk] = Mark(
                    reason_id=int(reason) if reason else None,
                    reinstate=reinstate,
                    sessions=sessions,
                )
                continue
            status = self.cleaned_data.get(f"status-{booking.pk}")
            if not status:
                continue
            marks[booking.pk] = Mark(
                status=status,
                reason_id=int(reason) if reason and status == S.NO_SHOW else None,
                reinstate=reinstate,
            )
        return marks


# --- the lead's page for one event ------------------------------------------------------------


class _EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, event):
        free = event.places_left
        when = timezone.localtime(event.start)
        return f"{when:%A} {when.day} {when:%B %Y, %H:%M} ({free} place{'s' * (free != 1)} free)"


class DelegatesMoveForm(GovukForm):
    """Tick delegates with a place, choose another date of the course: they move together."""

    bookings = forms.TypedMultipleChoiceField(
        label="Delegates to move",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose the delegates to move",
            "invalid_choice": "Someone chosen no longer has a place here: check the list and "
            "choose again",
        },
    )
    to_event = _EventChoiceField(
        label="Move them to",
        queryset=None,
        empty_label="Choose a date",
        error_messages={
            "required": "Choose the date to move them to",
            "invalid_choice": "Choose one of the dates listed",
        },
    )

    def __init__(self, *args, bookings: list[Booking], targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bookings"].choices = [
            (b.pk, b.person.get_full_name()) for b in bookings if b.status == S.CONFIRMED
        ]
        self.fields["to_event"].queryset = (
            Event.objects.filter(pk__in=[t.pk for t in targets])
            .with_places_taken()
            .select_related("course")
        )

    def checkboxes(self) -> dict[int, object]:
        """{booking id: its checkbox}, to put each in its delegate's row."""
        return {int(w.data["value"]): w for w in self["bookings"].subwidgets}


class WaitlistMoveForm(forms.Form):
    """Up or down one place, from the position the lead saw (a changed list is refused)."""

    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])
    position = forms.IntegerField(min_value=1)


class EventMessageForm(GovukForm):
    audience = forms.ChoiceField(
        label="Who is it for?",
        choices=EventMessage.Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who to send the message to"},
    )
    subject = forms.CharField(
        label="Subject",
        max_length=150,
        error_messages={"required": "Enter a subject"},
    )
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea,
        max_length=5000,
        help_text="We add a greeting, the event's date and place, and a sign-off.",
        error_messages={"required": "Enter the message"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["rows"] = 8


class CancellationReasonForm(GovukFormMixin, forms.ModelForm):
    """A reason on the lead's list: its words, when it is offered, and whether it is in use."""

    class Meta:
        model = CancellationReason
        fields = ["label", "use", "needs_detail", "order", "is_active"]
        labels = {
            "label": "Reason",
            "use": "Offered when",
            "needs_detail": "Ask the person to say more (for a reason such as ‘Other’)",
            "order": "Position in the list",
            "is_active": "In use: offered to people. Untick to retire it",
        }
        help_texts = {
            "order": "Lower numbers come first; reasons with the same number are in "
            "alphabetical order.",
            "needs_detail": "",
        }
        error_messages = {
            "label": {"required": REASON_LABEL_REQUIRED, "unique": REASON_LABEL_TAKEN},
            "order": {"invalid": "Enter a whole number, 0 or more"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].widget.attrs["class"] += " govuk-input--width-3"
        self.fields["order"].error_messages["min_value"] = "Enter a whole number, 0 or more"
        self.fields["use"].choices = [
            (CancellationReason.Use.BOTH, "When cancelling and when not attending"),
            (CancellationReason.Use.CANCELLATION, "When cancelling only"),
            (CancellationReason.Use.NON_ATTENDANCE, "When not attending only"),
        ]

    def clean(self):
        cleaned = super().clean()
        probe = CancellationReason(pk=self.instance.pk, label=cleaned.get("label") or "")
        try:
            cancellation_reason_validate(reason=probe)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in self.errors:
                    self.add_error(field, messages)
        return cleaned
