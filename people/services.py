"""Every write to people and organisations goes through these functions.

Views, admin actions, sign-up (the account adapter) and imports call the same code.
"""

import logging

from django.contrib.auth.models import Group
from django.db import models, transaction

from core.text import clean_line
from people.models import Organisation, OrganisationLog, User, normalise_name
from people.roles import ALL_ROLES, LEAD, ORG_MANAGER

logger = logging.getLogger(__name__)

ORGANISATION_NAME_REQUIRED = "Enter the name of the organisation"
MERGE_INTO_ITSELF = "An organisation cannot be merged into itself"
MERGE_TARGET_NOT_PARTNER = "Merge into a listed partner organisation"
FULL_NAME_REQUIRED = "Enter your full name"
UNKNOWN_ROLE = "Unknown role: {role}"
PERSON_IS_ADMINISTRATOR = (
    "This person is an administrator (a superuser): only an administrator changes their account"
)
LEAD_ROLE_OWN = (
    "You cannot take the L&D lead role from yourself: ask another lead or an administrator"
)
MANAGER_NEEDS_ORGANISATION = (
    "An organisation manager sees their organisation's figures: choose their organisation"
)
ORGANISATION_SET_BY_LEAD = (
    "Your organisation decides whose reports you see, so the L&D lead sets it while you hold "
    "a role. Ask the L&D lead to change it."
)


def person_organisation_locked(person: User) -> bool:
    """A role holder's organisation is their scope: only the L&D lead (in the admin) moves it."""
    if person.is_superuser:
        return False
    return any(person.has_role(role) for role in ALL_ROLES)


class OrganisationError(Exception):
    """A change to an organisation that the rules refuse."""


class PersonError(Exception):
    """A change to a person that the rules refuse."""


def email_domain_candidates(email: str) -> list[str]:
    """The email's domain and its parent domains, most specific first (never a bare TLD)."""
    domain = (email or "").rsplit("@", 1)[-1].strip().strip(".").lower()
    labels = [label for label in domain.split(".") if label]
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def organisation_for_email(email: str) -> Organisation | None:
    """The organisation owning the email's domain or its nearest parent domain, if any."""
    from people.models import OrganisationDomain

    candidates = email_domain_candidates(email)
    if not candidates:
        return None
    owned = {
        d.domain: d.organisation
        for d in OrganisationDomain.objects.filter(domain__in=candidates).select_related(
            "organisation"
        )
    }
    for domain in candidates:  # most specific wins: cid.example.uk before example.uk
        if domain in owned:
            return owned[domain]
    return None


@transaction.atomic
def organisation_get_or_create_by_name(
    *, name: str, sector: str = Organisation.Sector.OTHER
) -> Organisation:
    """The organisation with this name (any case or spacing), else a new unlisted one."""
    key = normalise_name(name)
    if not key:
        raise OrganisationError(ORGANISATION_NAME_REQUIRED)
    # get_or_create retries the lookup if a concurrent sign-up inserted the same key first.
    organisation, created = Organisation.objects.get_or_create(
        name_key=key, defaults={"name": name, "sector": sector, "is_partner": False}
    )
    if created:
        OrganisationLog.objects.create(
            organisation=organisation,
            action=OrganisationLog.Action.CREATED,
            detail=f"Typed in as a new organisation: {organisation.name}",
        )
    return organisation


def _reverse_relations(model: type[models.Model]):
    # `_meta.related_objects` leaves out hidden relations (related_name="+", such as
    # Enrolment.organisation), so ask for every reverse relation, hidden ones included.
    for field in model._meta.get_fields(include_hidden=True):
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one):
            yield field


@transaction.atomic
def organisation_merge(
    *, source: Organisation, target: Organisation, actor: User | None
) -> Organisation:
    """Move everything pointing at `source` (people, domains, bookings...) to `target`."""
    if source.pk == target.pk:
        raise OrganisationError(MERGE_INTO_ITSELF)
    # Lock both rows so a concurrent sign-up cannot attach someone to the source mid-merge.
    locked = {
        o.pk: o
        for o in Organisation.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    }
    source, target = locked[source.pk], locked[target.pk]
    moved = {}
    for relation in _reverse_relations(Organisation):
        related_model = relation.related_model
        fk_name = relation.field.name
        rows = related_model._base_manager.filter(**{fk_name: source})
        if related_model._meta.auto_created:
            # An automatic many-to-many table: drop links the target already has, or the
            # move would duplicate them.
            other = next(
                f.name
                for f in related_model._meta.fields
                if f.is_relation and f.name != fk_name and f.name != "id"
            )
            already = related_model._base_manager.filter(**{fk_name: target}).values(other)
            rows.filter(**{f"{other}__in": already}).delete()
        count = rows.update(**{fk_name: target})
        if count:
            moved[related_model._meta.label] = count
    source_name = source.name
    source.delete()
    summary = ", ".join(f"{n} {label}" for label, n in sorted(moved.items())) or "nothing"
    OrganisationLog.objects.create(
        organisation=target,
        actor=actor,
        action=OrganisationLog.Action.MERGED,
        detail=f"Merged '{source_name}' into '{target.name}': moved {summary}"[:500],
    )
    logger.info(
        "Organisation %r merged into %r by %s: %s", source_name, target.name, actor, summary
    )
    return target


@transaction.atomic
def organisation_accept(
    *, organisation: Organisation, actor: User | None, sector: str | None = None
) -> Organisation:
    """List an organisation typed in at sign-up as a partner, so others can choose it."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    organisation.is_partner = True
    if sector:
        organisation.sector = sector
    organisation.save(update_fields=["is_partner", "sector"])
    OrganisationLog.objects.create(
        organisation=organisation,
        actor=actor,
        action=OrganisationLog.Action.ACCEPTED,
        detail=f"Listed as a partner ({organisation.get_sector_display()})",
    )
    return organisation


@transaction.atomic
def person_set_roles(*, person: User, roles: list[str] | tuple[str, ...]) -> User:
    """Give the person exactly these roles (Django groups); other groups are left alone."""
    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise PersonError(UNKNOWN_ROLE.format(role=", ".join(sorted(unknown))))
    role_groups = Group.objects.filter(name__in=ALL_ROLES)
    held = set(person.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
    # Only real changes, so the audit trail records what changed and nothing else.
    dropped = [g for g in role_groups if g.name not in roles and g.name in held]
    given = [g for g in role_groups if g.name in roles and g.name not in held]
    if dropped:
        person.groups.remove(*dropped)
    if given:
        person.groups.add(*given)
    if hasattr(person, "_group_name_cache"):
        del person._group_name_cache
    logger.info("Roles of %s set to %s", person.pk, sorted(roles))
    return person


@transaction.atomic
def person_update_by_lead(
    *, person: User, roles: list[str], organisation: Organisation | None, actor: User
) -> User:
    """The L&D lead's change to a person: exactly these roles and this organisation (a role
    holder's scope). Never an administrator's account; never the lead's own lead role. Both
    changes reach the audit trail (privacy.audit, with the actor) like any other change."""
    if person.is_superuser:
        raise PersonError(PERSON_IS_ADMINISTRATOR)
    if person.pk == actor.pk and LEAD not in roles:
        raise PersonError(LEAD_ROLE_OWN)
    if ORG_MANAGER in roles and organisation is None:
        raise PersonError(MANAGER_NEEDS_ORGANISATION)
    person_set_roles(person=person, roles=roles)
    if person.organisation_id != (organisation.pk if organisation else None):
        person.organisation = organisation
        person.save(update_fields=["organisation"])
    return person


@transaction.atomic
def person_update_profile(
    *,
    person: User,
    full_name: str,
    job_title: str,
    organisation: Organisation | None = None,
    organisation_name: str = "",
) -> User:
    """Update name, job title and organisation; a typed organisation name is matched or created."""
    full_name = clean_line(full_name)
    if not full_name:
        raise PersonError(FULL_NAME_REQUIRED)
    if person_organisation_locked(person):
        # A manager who could move themselves would see another organisation's figures.
        current = person.organisation_id
        if (organisation.pk if organisation else None) != current or (
            organisation is None and normalise_name(organisation_name)
        ):
            raise PersonError(ORGANISATION_SET_BY_LEAD)
    elif organisation is None and normalise_name(organisation_name):
        organisation = organisation_get_or_create_by_name(name=organisation_name)
    person.full_name = full_name
    person.job_title = clean_line(job_title)
    person.organisation = organisation
    person.save(update_fields=["full_name", "job_title", "organisation"])
    return person


def person_set_reminder_emails(*, person: User, on: bool) -> User:
    """Turn a person's reminder emails off or on (people.reminders: the signed links)."""
    User.objects.filter(pk=person.pk).update(reminder_emails=on)
    person.reminder_emails = on
    logger.info("Reminder emails of %s turned %s", person.pk, "on" if on else "off")
    return person
