"""Input validation only: the services decide what is allowed (BookingError.field says where)."""

from __future__ import annotations

from django import forms

from bookings.line_manager import line_manager_email_problem
from bookings.models import Booking, CancellationReason
from bookings.services import SUBSTITUTE_SAME_ORG, Mark
from core.text import clean_text
from people.models import Organisation, User

S = Booking.Status
MARK_CHOICES = [
    (S.ATTENDED, "Attended"),
    (S.PARTIAL, "Partially attended"),
    (S.NO_SHOW, "Did not attend"),
]
NO_ACCOUNT = "There is no account with this email address."


def _cleaning(to_python):
    def wrapped(value):
        return to_python(clean_text(value) if isinstance(value, str) else value)

    return wrapped


class GovukForm(forms.Form):
    """Adds the GOV.UK classes to each widget and marks fields in error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "govuk-checkboxes__input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "govuk-select")
            elif isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("class", "govuk-textarea")
                widget.attrs["rows"] = 4
            else:
                widget.attrs.setdefault("class", "govuk-input")

    def full_clean(self):
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not hasattr(field, "_cleans_text"):
                # Control characters are removed where text comes in (core.text).
                field.to_python = _cleaning(field.to_python)
                field._cleans_text = True
        super().full_clean()
        self.mark_errors()

    def mark_errors(self):
        """Give the fields in error the GOV.UK error class and point them at the message."""
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            css = widget.attrs.get("class", "")
            if css and "--error" not in css and not css.endswith("__input"):
                widget.attrs["class"] = f"{css} {css.split()[0]}--error"
            auto_id = self[name].auto_id
            hint = f"{auto_id}_helptext " if self.fields[name].help_text else ""
            widget.attrs["aria-describedby"] = f"{hint}{auto_id}-error"

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary: each links to its field's first input."""
        links = []
        for name, errors in self.errors.items():
            if name in self.fields:
                bound = self[name]
                subwidgets = bound.subwidgets
                anchor = subwidgets[0].id_for_label if subwidgets else bound.auto_id
            else:
                anchor = ""
            links.extend((anchor, message) for message in errors)
        return links

    def add_service_error(self, error) -> None:
        """Put a BookingError on the field it names (or on the form as a whole)."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)
        self.mark_errors()


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
