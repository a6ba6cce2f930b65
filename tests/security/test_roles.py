"""Each role's rights come from people.roles.ROLE_PERMISSIONS, and the admin gives nobody but a
superuser scheduled tasks, permissions, groups beyond the roles, staff or superuser flags."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django_q.models import Schedule

from people import roles
from people.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _held(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_every_role_group_holds_exactly_its_list_after_all_migrations():
    for name in roles.ALL_ROLES:
        group = Group.objects.get(name=name)
        outside = _held(group) - roles.ROLE_PERMISSIONS[name]
        assert not outside, f"{name} holds permissions outside people.roles: {sorted(outside)}"
        missing = roles.ROLE_PERMISSIONS[name] - _held(group)
        assert not missing, f"{name} lacks {sorted(missing)} (is the list out of date?)"


def test_the_lists_name_real_permissions_and_no_write_on_schedules_or_auth():
    real = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    for name, allowed in roles.ROLE_PERMISSIONS.items():
        assert allowed <= real, (name, sorted(allowed - real))
        for perm in allowed:
            app, codename = perm.split(".")
            if app in roles.SUPERUSER_ONLY_APPS:
                assert codename.startswith("view_"), (name, perm)


@pytest.fixture
def lead_browser(client, lead):
    client.force_login(lead)
    return client


def _refused(response) -> bool:
    """The admin sends a signed-in non-superuser to its sign-in, which answers 403."""
    return response.status_code == 403


def test_a_lead_cannot_reach_the_schedule_add_page_or_post_a_schedule(lead_browser):
    url = reverse("admin:django_q_schedule_add")
    assert _refused(lead_browser.get(url, follow=True))
    response = lead_browser.post(
        url, {"func": "os.system", "args": "'touch /tmp/pwned'", "schedule_type": "O"}, follow=True
    )
    assert _refused(response)
    assert not Schedule.objects.filter(func="os.system").exists()


def test_a_lead_cannot_change_an_existing_schedule(lead_browser):
    schedule = Schedule.objects.first()
    assert schedule is not None  # the app's own jobs, registered by migrations
    url = reverse("admin:django_q_schedule_change", args=[schedule.pk])
    page = lead_browser.get(url, follow=True)
    assert _refused(page) and 'name="func"' not in page.content.decode()
    lead_browser.post(url, {"func": "os.system", "schedule_type": "O"})
    schedule.refresh_from_db()
    assert schedule.func != "os.system"


def test_a_lead_cannot_add_or_change_groups_or_permissions(lead_browser):
    group = Group.objects.get(name=roles.TRAINER)
    assert _refused(lead_browser.get(reverse("admin:auth_group_add"), follow=True))
    permission = Permission.objects.get(codename="add_schedule")
    lead_browser.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": roles.TRAINER, "permissions": [permission.pk]},
    )
    assert not group.permissions.filter(pk=permission.pk).exists()


def _user_form(user: User, **extra) -> dict:
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "job_title": user.job_title,
        "organisation": user.organisation_id or "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "09:00:00",
    }
    data.update(extra)
    return data


def test_a_lead_posting_to_the_user_admin_changes_nothing(lead_browser, practitioner):
    """The admin is for superusers only: even the lead's own staff flag opens nothing."""
    add_schedule = Permission.objects.get(codename="add_schedule")
    trainer_role = Group.objects.get(name=roles.TRAINER)
    response = lead_browser.post(
        reverse("admin:people_user_change", args=[practitioner.pk]),
        _user_form(
            practitioner,
            job_title="Changed by the lead",
            is_superuser="on",
            is_staff="on",
            user_permissions=[add_schedule.pk],
            groups=[trainer_role.pk],
        ),
        follow=True,
    )
    assert _refused(response)
    practitioner.refresh_from_db()
    assert practitioner.job_title != "Changed by the lead"
    assert not practitioner.is_trainer
    assert not practitioner.is_superuser
    assert not practitioner.is_staff
    assert not practitioner.user_permissions.exists()


def test_a_lead_cannot_change_anyone_s_password_in_the_admin(lead_browser, practitioner):
    root = UserFactory(email="root@dudley.gov.uk", is_superuser=True, is_staff=True)
    old_hashes = {p.pk: p.password for p in (practitioner, root)}
    new_password = {
        "usable_password": "true",
        "password1": "Taken-over-2026!",
        "password2": "Taken-over-2026!",
        "set-password": "1",
    }
    for person in (practitioner, root):
        lead_browser.post(
            reverse("admin:auth_user_password_change", args=[person.pk]), new_password
        )
        person.refresh_from_db()
        assert person.password == old_hashes[person.pk]


def test_a_superuser_still_can_set_the_flags(client, practitioner):
    root = UserFactory(email="root@dudley.gov.uk", is_superuser=True, is_staff=True)
    client.force_login(root)
    response = client.post(
        reverse("admin:people_user_change", args=[practitioner.pk]),
        _user_form(practitioner, is_staff="on"),
    )
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.is_staff
