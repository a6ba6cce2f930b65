"""Reads for the people pages."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from people.models import Organisation, User
from people.roles import ALL_ROLES, TRAINER

PEOPLE_SHOWN_MAX = 50


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


def person_list_for_lead(text: str = "") -> QuerySet[User]:
    """People for the lead's roles page: those whose name or email contains every word of
    `text`, or, without a search, everyone holding a role; at most PEOPLE_SHOWN_MAX, by name."""
    people = User.objects.select_related("organisation").prefetch_related("groups")
    words = text.split()
    if words:
        for word in words:
            people = people.filter(Q(full_name__icontains=word) | Q(email__icontains=word))
    else:
        people = people.filter(groups__name__in=ALL_ROLES).distinct()
    return people.filter(is_active=True).order_by("full_name", "email")[:PEOPLE_SHOWN_MAX]


def person_get_for_lead(pk: int) -> User:
    """An active person the lead may change (not an administrator), or 404."""
    return get_object_or_404(User, pk=pk, is_active=True, is_superuser=False)
