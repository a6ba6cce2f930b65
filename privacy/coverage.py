"""Which models hold a person's records, and which of them the subject access export covers.

tests/privacy/test_subject_access_coverage.py walks every installed model with a relation to the
user model (or to a model that is itself a person's record, such as a booking or a response) and
fails when one is in neither list: a new model that points at a person must be exported, or
excluded here with a reason.
"""

# label -> what the export holds for it
COVERED = {
    "people.User": "The profile: email, name, job title, organisation, roles, sign-in dates.",
    "account.EmailAddress": "Email addresses used to sign in, and whether they are verified.",
    "account.EmailConfirmation": "When verification emails were sent (not the secret key).",
    "bookings.Booking": "Every place booked, waited for, cancelled, attended, with its history.",
    "bookings.BookingLog": "The history of each booking, and changes the person made to others'.",
    "bookings.Enrolment": "E-learning enrolments and completions.",
    "courses.CourseInterest": "Courses they asked to hear about when dates are announced, and "
    "when they were told.",
    "competency.StaffRole": "Their job role in the competency framework, and when it was set.",
    "competency.NeedsInvitation": "Training needs surveys they were asked to answer: the "
    "survey, their organisation then, when asked, emailed and answered (not the link).",
    "competency.NeedsAnswer": "Their confidence in each topic of a needs survey they answered.",
    "bookings.EventMessage": "Messages they sent to an event's delegates or waiting list (as "
    "the L&D lead): the event, who to, the subject and text, when and to how many.",
    "messaging.OutboundEmail": "Every email sent about their bookings, or to them about no "
    "booking (dates announced, an achievement running out): purpose, recipient, when.",
    "courses.Event": "Events the person trains on.",
    "evaluations.Invitation": (
        "Evaluation invitations (stage, respondent, dates, a line manager's address; no link)."
    ),
    "evaluations.Response": "Evaluation responses (started, submitted, imported score).",
    "evaluations.Answer": "Each answer with the question's text.",
    "people.OrganisationLog": "Organisation changes the person made "
    "(accepted, merged, email domains).",
    "admin.LogEntry": "Admin changes the person made, and admin changes to their account.",
    "privacy.AuditEntry": "Audit entries where they are the actor or the subject.",
    "imports.ImportRun": "Imports of past records they uploaded (when, which files, outcome); "
    "not the files (deleted once imported) nor the problems found in other people's rows.",
    "imports.ImportMapping": "Column mappings for imports they saved (name, when).",
}

# label -> why it is not in the export
EXCLUDED = {
    # Hold a person's id without a foreign key, so the walk does not find them; listed for the
    # record. Anonymisation decodes and cleans them (privacy.anonymise).
    "sessions.Session": "Sign-in sessions (a random key and the user id), gone within 12 hours.",
    "django_q.Task": "Task names, ids and results: tasks carry booking and invitation ids only.",
    "django_q.OrmQ": "Queued tasks (ids only), gone once run.",
    "bookings.SessionAttendance": (
        "Not a section of its own: presence at each session is in its booking's row (sessions)."
    ),
    "competency.NeedsSurvey": (
        "A needs survey the L&D lead wrote: the partnership's questions, not the writer's "
        "record (who created it is kept only to show staff)."
    ),
    "competency.NeedsTopic": "Reference data: a needs survey's topics.",
    "courses.EventSession": (
        "An event's session times: nobody's data (each booking's attendance at them is exported)."
    ),
}


# Text columns where someone's name or email can stand, in anyone's rows: typed as free text,
# copied from a record, or logged. Anonymising a person replaces their email, and a full name of
# two words or more, in these columns of every row (privacy.anonymise); nowhere else.
PERSONAL_TEXT = {
    "admin.LogEntry": ("object_repr", "change_message"),
    "django_q.Schedule": ("name", "args", "kwargs"),
    "people.OrganisationLog": ("detail",),
    "courses.Event": ("joining_instructions", "cancellation_reason"),
    # Typed by the lead, as the venue text they replace was: a contact may be named.
    "courses.Venue": ("name", "address", "room", "accessibility"),
    "bookings.Booking": (
        "cancellation_detail",
        "line_manager_name",
        "line_manager_email",
        "access_needs",
        "dietary_needs",
    ),
    "bookings.BookingLog": ("note",),
    "bookings.EventMessage": ("subject", "body"),
    "evaluations.Invitation": ("email",),
    "evaluations.Answer": ("text",),
    "imports.ImportRun": ("file_names", "summary", "errors", "failure"),
    # Named freely by the lead who saves it.
    "imports.ImportMapping": ("name",),
    "privacy.AuditEntry": ("object_repr", "before", "after"),
}

# Every other text column, by model, and why it holds no one's name or email, or how
# anonymisation cleans it instead. Columns are listed one by one, never a whole model, so a column
# a model gains later is in neither list until someone decides:
# tests/privacy/test_personal_text_registry.py fails until then.
NOT_PERSONAL_TEXT = {
    "admin.LogEntry": (("object_id",), "An id."),
    "auth.Permission": (("name", "codename"), "Reference data: permission names and codes."),
    "auth.Group": (("name",), "Reference data: role names."),
    "contenttypes.ContentType": (("app_label", "model"), "Reference data: app and model names."),
    "sessions.Session": (
        ("session_data",),
        "Encoded: decoded, and every session naming the person deleted.",
    ),
    "django_q.Task": (
        ("name", "func", "hook", "group", "cluster"),
        "Task names and code paths; tasks whose pickled arguments or results name the person "
        "are decoded and deleted.",
    ),
    "django_q.Schedule": (
        ("func", "hook", "schedule_type", "cron", "task", "cluster", "intended_date_kwarg"),
        "Code paths, codes, a cron expression, a task id, a cluster and an argument name.",
    ),
    "django_q.OrmQ": (
        ("key", "payload"),
        "Signed payloads: decoded, and queued tasks naming the person deleted.",
    ),
    "account.EmailAddress": (
        ("email",),
        "The person's addresses, and any row with their address, are deleted; other rows are "
        "other people's addresses.",
    ),
    "account.EmailConfirmation": (
        ("key",),
        "A random key; the person's confirmations are deleted.",
    ),
    "people.Organisation": (
        ("name", "name_key", "sector"),
        "Reference data: organisations, not people.",
    ),
    "people.OrganisationDomain": (("domain",), "Reference data: email domains, not addresses."),
    "people.OrganisationLog": (("action",), "A code."),
    "people.User": (
        ("password", "email", "full_name", "job_title"),
        "The person's own row is rewritten; other people's rows hold their own details.",
    ),
    "courses.PriorityArea": (("name", "description"), "Reference data: priority areas."),
    "competency.Level": (("name", "description"), "Reference data: the framework's levels."),
    "competency.NeedsSurvey": (
        ("title", "intro"),
        "Reference data: a survey's title and introduction, written for everyone asked.",
    ),
    "competency.NeedsTopic": (("text",), "Reference data: a survey's topics."),
    "competency.NeedsInvitation": (("key",), "A random key for the link."),
    "competency.JobRole": (
        ("name", "sector", "description"),
        "Reference data: job roles in the framework, not people.",
    ),
    "courses.Course": (
        (
            "title",
            "slug",
            "summary",
            "learning_outcomes",
            "audience",
            "delivery_mode",
            "launch_url",
        ),
        "Reference data: the published catalogue (and an e-learning module's address).",
    ),
    "courses.CourseName": (("title",), "Reference data: a course's earlier titles."),
    "courses.Event": (
        ("joining_link", "status", "external_ref"),
        "A meeting link, a code and an imported record's reference.",
    ),
    "bookings.CancellationReason": (("label", "use"), "Reference data: the reasons offered."),
    "bookings.Booking": (
        ("status", "offer_key", "external_ref", "calendar_uid"),
        "A code, a random key, an imported record's reference and the calendar entry's UID (a "
        "random id, or the booking's id, on the site's domain).",
    ),
    "bookings.BookingLog": (("action", "from_status", "to_status"), "Codes."),
    "bookings.EventMessage": (("audience",), "A code."),
    "messaging.OutboundEmail": (
        ("purpose", "recipient_role", "task", "state", "note"),
        "Codes: purpose, recipient role, task id, state; the note is the outbox's own sentence "
        "with an error's kind and SMTP code, never its text (which can quote an address).",
    ),
    "evaluations.Questionnaire": (
        ("name", "stage", "respondent", "family", "intro"),
        "Reference data: questionnaires.",
    ),
    "evaluations.Item": (
        ("text", "help_text", "kind", "low_label", "high_label", "choices"),
        "Reference data: questions.",
    ),
    "evaluations.Invitation": (
        ("stage", "respondent", "key"),
        "Codes and a random key: stage, respondent, link key.",
    ),
    "evaluations.Answer": (("choice",), "One of the question's options."),
    "imports.ImportRun": (
        ("state", "mapping"),
        "A code; column headers of the uploaded files and the fields they became.",
    ),
    "imports.ImportMapping": (
        ("columns",),
        "Column headers of other systems' exports and the fields they become.",
    ),
    "privacy.AuditEntry": (("action", "object_type", "object_id"), "A code, a label, an id."),
}


def text_columns() -> list[str]:
    """Every text column (char, text or JSON) of every model, as "app.Model.field"."""
    from django.apps import apps
    from django.db import models

    return [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField, models.JSONField))
        and not field.primary_key
    ]


def unregistered_text_columns() -> list[str]:
    """Text columns in neither PERSONAL_TEXT nor NOT_PERSONAL_TEXT (there should be none)."""
    registered = {f"{label}.{name}" for label, names in PERSONAL_TEXT.items() for name in names}
    registered |= {
        f"{label}.{name}" for label, (names, _) in NOT_PERSONAL_TEXT.items() for name in names
    }
    return [column for column in text_columns() if column not in registered]
