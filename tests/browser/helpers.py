"""Helpers the journeys share: emails from Django's outbox, screenshots."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.conftest import ARTIFACTS


def verified(user):
    """An existing account, as it is after its first sign-in: its email address confirmed."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def emails_to(address: str) -> list:
    from django.core import mail

    return [m for m in mail.outbox if address in m.to]


def last_email_to(address: str, subject_contains: str = ""):
    from django.core import mail

    found = [m for m in emails_to(address) if subject_contains.lower() in m.subject.lower()]
    assert found, (
        f"no email to {address} with {subject_contains!r} in its subject; outbox has: "
        + "; ".join(f"{m.to} {m.subject!r}" for m in mail.outbox)
    )
    return found[-1]


def code_in(message) -> str:
    """The sign-in or verification code allauth emails (e.g. MTDM-NCBV, not always digits): the
    line that holds nothing else."""
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.M)
    assert match, f"no code in email {message.subject!r}:\n{message.body}"
    return match.group(1)


def link_in(message, path_part: str) -> str:
    for url in re.findall(r"https?://\S+", message.body):
        if path_part in url:
            return url.rstrip(".,)")
    raise AssertionError(f"no link containing {path_part!r} in email {message.subject!r}")


_FOCUS_JS = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return {ok: false, what: 'nothing focused'};
    const shows = (style) => (style.boxShadow && style.boxShadow !== 'none')
        || (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
            && style.outlineColor !== 'rgba(0, 0, 0, 0)' && style.outlineColor !== 'transparent');
    let ok = shows(getComputedStyle(e));
    if (!ok && e.labels && e.labels[0]) {
        // GOV.UK radios and checkboxes draw the focus ring on the label's ::before / ::after.
        const label = e.labels[0];
        ok = shows(getComputedStyle(label, '::before'))
            || shows(getComputedStyle(label, '::after'));
    }
    return {ok, what: e.outerHTML.slice(0, 120)};
}"""


def tab_to(page, target, *, limit: int = 60) -> None:
    """Press Tab (only) until `target` has the focus; every stop on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(_FOCUS_JS)
        assert focus["ok"], f"no visible focus indicator on {focus['what']} ({page.url})"
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"{target} never got the focus after {limit} presses of Tab")
