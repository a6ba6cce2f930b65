"""Reads of the audit trail, for the L&D lead's page and its CSV (privacy.trail_views)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from privacy.models import AuditEntry


def audit_entry_list() -> QuerySet[AuditEntry]:
    """Every audit entry, newest first, each with its actor (one query for a page of them)."""
    return AuditEntry.objects.select_related("actor").order_by("-at", "-id")


def audit_object_types() -> list[str]:
    """The kinds of record ("app_label.model") that have at least one entry."""
    return list(
        AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )


def audit_actions() -> list[str]:
    """The action codes that have at least one entry."""
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def audit_actors() -> QuerySet:
    """The people who made at least one entry, by name."""
    acted = AuditEntry.objects.filter(actor__isnull=False).values("actor_id")
    return get_user_model().objects.filter(pk__in=acted).order_by("full_name", "email")
