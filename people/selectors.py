"""Reads for the people pages."""

from django.db.models import Q, QuerySet

from people.models import Organisation, User
from people.roles import TRAINER


def organisation_list_to_review() -> QuerySet[Organisation]:
    """Organisations typed in at sign-up and not yet accepted or merged, with their people count."""
    return (
        Organisation.objects.to_review()
        .with_people_count()
        .prefetch_related("domains")
        .order_by("name")
    )


def trainer_list() -> QuerySet[User]:
    """Active people holding the trainer role (a superuser is not offered unless a trainer)."""
    return User.objects.filter(is_active=True, groups__name=TRAINER).distinct()


def trainer_search(text: str, *, limit: int = 20) -> list[User]:
    """Trainers whose name or email contains every word of `text`, at most `limit` of them."""
    words = text.split()
    if not words:
        return []
    found = trainer_list()
    for word in words:
        found = found.filter(Q(full_name__icontains=word) | Q(email__icontains=word))
    return list(found.order_by("full_name", "email")[:limit])
