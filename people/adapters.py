"""How django-allauth fits Learning Loop: who may sign up, what sign-up saves, and how its
emails look (the partnership's, like every other email)."""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction

from core.mail import compose
from people.account_mail import account_email_queue
from people.services import email_domain_candidates, person_update_profile

EMAIL_DOMAIN_NOT_ALLOWED = (
    "Use your work email address from a partner organisation. If you cannot, ask the "
    "partnership's training team to add your organisation."
)


def signup_domain_allowed(email: str) -> bool:
    """True when SIGNUP_ALLOWED_DOMAINS is empty, or the email's domain (or a parent) is in it."""
    allowed = {
        d.strip().lstrip("@").lower() for d in getattr(settings, "SIGNUP_ALLOWED_DOMAINS", [])
    }
    allowed.discard("")
    if not allowed:
        return True
    return any(domain in allowed for domain in email_domain_candidates(email))


def _on_site(url: str) -> str:
    """A link in an email on SITE_URL, like every other email's, not on the request's host."""
    parts = urlsplit(url)
    return settings.SITE_URL + parts.path + (f"?{parts.query}" if parts.query else "")


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Our templates/account/email/* name the partnership and the site, never the request's
        # host ("Hello from 127.0.0.1:8000!" was allauth's default, from the Host header).
        # Rendered here, sent by the worker (people.tasks.send_account_email), like every email:
        # the request neither waits on the mail relay nor fails with it.
        context = {
            **context,
            "partnership_name": settings.PARTNERSHIP_NAME,
            "site_url": settings.SITE_URL,
        }
        account_email_queue(self.render_mail(template_prefix, email, context))

    def get_reset_password_from_key_url(self, key: str) -> str:
        return _on_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return _on_site(super().get_email_confirmation_url(request, emailconfirmation))

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's subject and text, in the partnership's base template with both parts and
        the headers every email carries (core.mail.compose)."""
        rendered = super().render_mail(template_prefix, email, context, headers=headers)
        message = compose(
            subject=rendered.subject,
            text=rendered.body,
            to=rendered.to,
            from_email=rendered.from_email,
        )
        message.extra_headers.update(headers or {})
        return message

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        if not signup_domain_allowed(email):
            raise forms.ValidationError(EMAIL_DOMAIN_NOT_ALLOWED)
        return email

    def save_user(self, request, user, form, commit=True):
        data = form.cleaned_data
        if not commit or "job_title" not in data:
            # Not our sign-up form (e.g. a future social sign-up): allauth's defaults only.
            return super().save_user(request, user, form, commit=commit)
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=True)
            person_update_profile(
                person=user,
                full_name=data["full_name"],
                job_title=data["job_title"],
                organisation=data.get("organisation"),
                organisation_name=data.get("organisation_name", ""),
            )
        if getattr(form, "matched_by_email", False) and request is not None:
            messages.info(
                request,
                f"We matched your email address to {user.organisation}. "
                "You can change this on your profile page.",
            )
        return user
