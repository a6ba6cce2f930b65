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
    "bookings.OutboundEmail": "Every email sent about their bookings (purpose, recipient, when).",
    "courses.Event": "Events the person trains on.",
    "evaluations.Invitation": (
        "Evaluation invitations (stage, respondent, dates, a line manager's address; no link)."
    ),
    "evaluations.Response": "Evaluation responses (started, submitted, imported score).",
    "evaluations.Answer": "Each answer with the question's text.",
    "people.OrganisationLog": "Organisation changes the person made (accepted, merged).",
    "admin.LogEntry": "Admin changes the person made, and admin changes to their account.",
    "privacy.AuditEntry": "Audit entries where they are the actor or the subject.",
    "imports.ImportRun": "Imports of past records they uploaded (when, which files, outcome); "
    "not the files (deleted once imported) nor the problems found in other people's rows.",
}

# label -> why it is not in the export
EXCLUDED = {
    # Hold a person's id without a foreign key, so the walk does not find them; listed for the
    # record. Anonymisation decodes and cleans them (privacy.services).
    "sessions.Session": "Sign-in sessions (a random key and the user id), gone within 12 hours.",
    "django_q.Task": "Task names, ids and results: tasks carry booking and invitation ids only.",
    "django_q.OrmQ": "Queued tasks (ids only), gone once run.",
}

# Relations followed when looking for a person's records: from the user model outwards to
# models pointing at it, and from those to models pointing at them. Reference data a person's
# records point *to* (courses, questionnaires, organisations) is not followed.
