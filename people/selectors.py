"""Reads for the people pages."""

from django.db.models import QuerySet

from people.models import Organisation


def organisation_list_to_review() -> QuerySet[Organisation]:
    """Organisations typed in at sign-up and not yet accepted or merged, with their people count."""
    return (
        Organisation.objects.to_review()
        .with_people_count()
        .prefetch_related("domains")
        .order_by("name")
    )
