"""Signals the competency app sends, for apps above it (documented, never our own workflow).

`needs_survey_changed(sender=NeedsSurvey, survey=..., actor=..., created=..., before=...,
after=...)`: the L&D lead created a training needs survey (`created` True, `before` empty) or
changed one (only the fields that changed). Values are plain (text, ISO dates); the topics are
one key per priority area, "topics: <area>", their texts joined by "; ". Sent inside the
service's transaction, so a change and its record commit together. privacy.audit records it in
the audit trail (this app cannot import privacy, which sits above it).
"""

from django.dispatch import Signal

needs_survey_changed = Signal()
