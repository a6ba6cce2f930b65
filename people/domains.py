"""The L&D lead's organisations and their email domains (/manage/organisations/).

A domain puts whoever signs up with an address on it (or on a subdomain of it) in its
organisation: people.services.organisation_for_email, most specific domain first. So a domain
belongs to one organisation, and a public mail provider's or a shared public suffix's never
belongs to any.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from people.models import Organisation, OrganisationDomain, OrganisationLog

if TYPE_CHECKING:
    from people.models import User

logger = logging.getLogger(__name__)

# Anyone can have an address here: matching on them would put strangers in an organisation.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "btinternet.com",
        "gmail.com",
        "gmx.com",
        "googlemail.com",
        "hotmail.co.uk",
        "hotmail.com",
        "icloud.com",
        "live.co.uk",
        "live.com",
        "mail.com",
        "me.com",
        "msn.com",
        "outlook.com",
        "proton.me",
        "protonmail.com",
        "sky.com",
        "talktalk.net",
        "virginmedia.com",
        "yahoo.co.uk",
        "yahoo.com",
    }
)
# Shared suffixes: every council, school or force is below one of these.
PUBLIC_SUFFIXES = frozenset(
    {
        "ac.uk",
        "co.uk",
        "gov.uk",
        "ltd.uk",
        "me.uk",
        "net.uk",
        "nhs.uk",
        "org.uk",
        "plc.uk",
        "police.uk",
        "sch.uk",
    }
)
_DOMAIN = re.compile(r"^(?=.{4,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

DOMAIN_REQUIRED = "Enter the email domain, like dudley.gov.uk"
DOMAIN_INVALID = "Enter a domain like dudley.gov.uk: letters, numbers, hyphens and dots, no spaces"
DOMAIN_PUBLIC = (
    "{domain} is a public email provider: anyone can have an address there, so it cannot "
    "identify an organisation"
)
DOMAIN_SHARED = (
    "{domain} is shared by many organisations: enter the organisation's own domain, "
    "like dudley.gov.uk"
)
DOMAIN_TAKEN = "{domain} already belongs to {organisation}"
ORGANISATION_REQUIRED = "Select the organisation"


def domain_normalise(text: str) -> str:
    """A domain as stored: lower case, without spaces, a leading @ or the dots at either end
    (people type "@Dudley.gov.uk" or paste a whole address's domain part)."""
    return (text or "").strip().rsplit("@", 1)[-1].strip().strip(".").lower()


def organisation_list_with_domains() -> QuerySet[Organisation]:
    """The partner organisations by name, with their people count and domains."""
    return (
        Organisation.objects.partners()
        .with_people_count()
        .prefetch_related("domains")
        .order_by("name")
    )


def organisation_changes_recent(*, limit: int = 20) -> QuerySet[OrganisationLog]:
    """The latest changes to organisations (created, accepted, merged, domains), newest first."""
    return OrganisationLog.objects.select_related("organisation", "actor").order_by("-at", "-id")[
        :limit
    ]


def organisation_domain_get(*, pk: int) -> OrganisationDomain:
    """One domain with its organisation, or 404."""
    return get_object_or_404(OrganisationDomain.objects.select_related("organisation"), pk=pk)


def organisation_domain_validate(*, domain: str) -> str:
    """The domain normalised, or a ValidationError on the "domain" field."""
    domain = domain_normalise(domain)
    if not domain:
        raise ValidationError({"domain": DOMAIN_REQUIRED})
    if not _DOMAIN.match(domain):
        raise ValidationError({"domain": DOMAIN_INVALID})
    if domain in PUBLIC_MAIL_DOMAINS:
        raise ValidationError({"domain": DOMAIN_PUBLIC.format(domain=domain)})
    if domain in PUBLIC_SUFFIXES:
        raise ValidationError({"domain": DOMAIN_SHARED.format(domain=domain)})
    owner = OrganisationDomain.objects.filter(domain=domain).select_related("organisation").first()
    if owner is not None:
        raise ValidationError(
            {"domain": DOMAIN_TAKEN.format(domain=domain, organisation=owner.organisation.name)}
        )
    return domain


@transaction.atomic
def organisation_domain_add(
    *, organisation: Organisation, domain: str, actor: User
) -> OrganisationDomain:
    """Give an organisation an email domain: people signing up on it are matched to it."""
    domain = organisation_domain_validate(domain=domain)
    try:
        with transaction.atomic():
            added = OrganisationDomain.objects.create(organisation=organisation, domain=domain)
    except IntegrityError:  # added by someone else since the check
        organisation_domain_validate(domain=domain)
        raise
    OrganisationLog.objects.create(
        organisation=organisation,
        actor=actor,
        action=OrganisationLog.Action.DOMAIN_ADDED,
        detail=domain,
    )
    logger.info("domain %s added to organisation %s by user %s", domain, organisation.pk, actor.pk)
    return added


@transaction.atomic
def organisation_domain_remove(*, domain: OrganisationDomain, actor: User) -> None:
    """Take a domain from its organisation; people already in it stay where they are."""
    logger.info(
        "domain %s removed from organisation %s by user %s",
        domain.domain,
        domain.organisation_id,
        actor.pk,
    )
    OrganisationLog.objects.create(
        organisation_id=domain.organisation_id,
        actor=actor,
        action=OrganisationLog.Action.DOMAIN_REMOVED,
        detail=domain.domain,
    )
    domain.delete()
