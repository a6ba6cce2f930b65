"""The L&D lead's course pages under /manage/: the Manage index, list and search, create, edit
(a new title is a rename), copy, retire and offer again; bad input and permissions."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.clock import london_today
from courses import services
from courses.models import Course, CourseName, Event
from tests.factories import CourseFactory, EventFactory, PriorityAreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def neglect():
    return PriorityAreaFactory(name="Neglect")


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def course_data(area, **changes):
    data = {
        "title": "Neglect: Recognising the Signs",
        "summary": "Spotting neglect early.",
        "learning_outcomes": "Recognise the signs\nKnow who to tell",
        "priority_area": area.pk,
        "audience": "children",
        "competency_level": "3",
        "delivery_mode": "face_to_face",
        "launch_url": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- the Manage entry --------------------------------------------------------------------


def test_the_menu_links_manage_to_the_lead_s_page_not_the_admin(lead_client):
    page = lead_client.get(reverse("courses:catalogue")).content.decode()
    assert f'href="{reverse("courses:manage")}">Manage</a>' in page
    assert reverse("admin:index") not in page


def test_manage_is_not_in_a_practitioner_s_menu(client, practitioner):
    client.force_login(practitioner)
    page = client.get(reverse("courses:catalogue")).content.decode()
    assert reverse("courses:manage") not in page


def test_the_manage_page_lists_the_lead_s_tasks_and_never_the_admin(lead_client):
    page = lead_client.get(reverse("courses:manage")).content.decode()
    for name in (
        "courses:manage_courses",
        "reports:index",
        "imports:upload",
        "messaging:problems",
        "people:organisations_review",
        "privacy:person_find",
    ):
        assert f'href="{reverse(name)}"' in page, name
    assert "/admin/" not in page


@pytest.mark.parametrize(
    "name,args",
    [
        ("courses:manage", []),
        ("courses:manage_courses", []),
        ("courses:manage_course_create", []),
        ("courses:manage_course_edit", ["course"]),
        ("courses:manage_course_copy", ["course"]),
        ("courses:manage_course_retire", ["course"]),
    ],
)
@pytest.mark.parametrize("who", ["practitioner", "trainer", "org_manager"])
def test_manage_pages_refuse_everyone_but_the_lead(client, request, name, args, who, neglect):
    course = CourseFactory(priority_area=neglect)
    client.force_login(request.getfixturevalue(who))
    url = reverse(name, args=[course.pk for _ in args])
    assert client.get(url).status_code == 403
    assert client.post(url, course_data(neglect, title="Sneaky")).status_code == 403
    assert not Course.objects.filter(title="Sneaky").exists()
    course.refresh_from_db()
    assert course.retired_on is None


def test_manage_pages_send_the_signed_out_to_sign_in(client):
    response = client.get(reverse("courses:manage"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


# --- create ------------------------------------------------------------------------------


def test_the_lead_creates_a_course_with_its_slug_filled_in(lead_client, neglect):
    intro = CourseFactory(title="Introduction to safeguarding", priority_area=neglect)
    response = lead_client.post(
        reverse("courses:manage_course_create"),
        course_data(neglect, prerequisites=[intro.pk]),
    )
    assert response.status_code == 302
    course = Course.objects.get(title="Neglect: Recognising the Signs")
    assert course.slug == "neglect-recognising-the-signs"
    assert course.priority_area == neglect
    assert course.competency_level == 3 and course.audience == "children"
    assert course.outcomes == ["Recognise the signs", "Know who to tell"]
    assert list(course.prerequisites.all()) == [intro]
    assert course.is_published and course.retired_on is None
    # The public list and the course page show it.
    assert course.title in lead_client.get(reverse("courses:course_list")).content.decode()
    assert lead_client.get(reverse("courses:course", args=[course.slug])).status_code == 200


def test_a_slug_already_taken_gets_a_number(neglect):
    CourseFactory(title="Neglect basics", slug="neglect-basics")
    course = services.course_create(
        title="Neglect: basics",
        summary="s",
        priority_area=neglect,
        audience="all",
        competency_level=1,
        delivery_mode="face_to_face",
    )
    assert course.slug == "neglect-basics-2"


def test_missing_fields_are_reported_on_each_field(lead_client, neglect):
    response = lead_client.post(
        reverse("courses:manage_course_create"),
        course_data(neglect, title="", summary="", priority_area=""),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["title"] == ["Enter the course's title"]
    assert form.errors["summary"] == ["Enter a summary of the course"]
    assert form.errors["priority_area"] == ["Choose the course's priority area"]
    page = response.content.decode()
    assert "There is a problem" in page and 'href="#id_title"' in page
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    "taken", ["Neglect: Recognising the Signs", "neglect: recognising THE signs"]
)
def test_a_duplicate_title_is_refused(lead_client, neglect, taken):
    CourseFactory(title="Neglect: Recognising the Signs")
    response = lead_client.post(
        reverse("courses:manage_course_create"), course_data(neglect, title=taken)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [services.COURSE_TITLE_TAKEN]
    assert Course.objects.count() == 1


def test_a_former_title_of_another_course_is_refused(lead_client, neglect):
    other = CourseFactory(title="Harm Outside the Home")
    CourseName.objects.create(course=other, title="Child Exploitation")
    response = lead_client.post(
        reverse("courses:manage_course_create"), course_data(neglect, title="Child exploitation")
    )
    assert response.context["form"].errors["title"] == [services.COURSE_TITLE_TAKEN]


@pytest.mark.parametrize(
    "mode,url,message",
    [
        ("elearning", "", services.COURSE_LAUNCH_URL_REQUIRED),
        ("elearning", "http://learning.example.org/m1", services.COURSE_LAUNCH_URL_NOT_HTTPS),
        (
            "elearning",
            "ftp://learning.example.org/m1",
            services.COURSE_LAUNCH_URL_NOT_HTTPS,
        ),
        (
            "elearning",
            "not a link",
            "Enter a web address, like https://learning.example.org/module",
        ),
        (
            "face_to_face",
            "https://learning.example.org/m1",
            services.COURSE_LAUNCH_URL_NOT_ELEARNING,
        ),
    ],
)
def test_the_launch_link_is_https_and_for_e_learning_only(lead_client, neglect, mode, url, message):
    response = lead_client.post(
        reverse("courses:manage_course_create"),
        course_data(neglect, delivery_mode=mode, launch_url=url),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["launch_url"] == [message]
    assert not Course.objects.exists()


def test_an_e_learning_module_is_created_with_its_launch_link(lead_client, neglect):
    lead_client.post(
        reverse("courses:manage_course_create"),
        course_data(
            neglect,
            title="Neglect e-learning",
            delivery_mode="elearning",
            launch_url="https://learning.example.org/neglect",
        ),
    )
    course = Course.objects.get(title="Neglect e-learning")
    assert course.is_elearning and course.launch_url == "https://learning.example.org/neglect"


def test_a_retired_course_cannot_become_a_new_prerequisite(lead_client, neglect):
    old = CourseFactory(title="Old course", retired_on=london_today(), is_published=False)
    response = lead_client.post(
        reverse("courses:manage_course_create"), course_data(neglect, prerequisites=[old.pk])
    )
    assert response.status_code == 200
    assert "prerequisites" in response.context["form"].errors


# --- edit --------------------------------------------------------------------------------


def test_editing_the_title_is_a_rename_that_keeps_the_history(lead_client, neglect):
    course = CourseFactory(
        title="Child Exploitation", slug="child-exploitation", priority_area=neglect
    )
    response = lead_client.post(
        reverse("courses:manage_course_edit", args=[course.pk]),
        course_data(neglect, title="Harm Outside the Home", summary="New summary"),
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Harm Outside the Home"
    assert course.summary == "New summary"
    assert course.slug == "child-exploitation"  # links keep working
    names = {n.title: (n.valid_from, n.valid_until) for n in course.names.all()}
    today = london_today()
    assert names == {
        "Child Exploitation": (None, today - timedelta(days=1)),
        "Harm Outside the Home": (today, None),
    }
    assert services.course_get_by_any_title("Child Exploitation") == course


def test_a_second_rename_the_same_day_corrects_today_s_title(lead_client, neglect):
    course = CourseFactory(title="Child Exploitation", priority_area=neglect)
    url = reverse("courses:manage_course_edit", args=[course.pk])
    lead_client.post(url, course_data(neglect, title="Harm Outside the Hoem"))
    response = lead_client.post(url, course_data(neglect, title="Harm Outside the Home"))
    assert response.status_code == 302
    assert sorted(course.names.values_list("title", flat=True)) == [
        "Child Exploitation",
        "Harm Outside the Home",
    ]


def test_editing_to_another_course_s_title_is_refused(lead_client, neglect):
    CourseFactory(title="Graded Care Profile 2")
    course = CourseFactory(title="Neglect basics", priority_area=neglect)
    response = lead_client.post(
        reverse("courses:manage_course_edit", args=[course.pk]),
        course_data(neglect, title="Graded Care Profile 2", summary="Changed"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [services.COURSE_TITLE_TAKEN]
    course.refresh_from_db()
    assert course.title == "Neglect basics" and course.summary != "Changed"


def test_a_course_cannot_require_itself_or_a_course_that_requires_it(lead_client, neglect):
    course = CourseFactory(title="Advanced", priority_area=neglect)
    later = CourseFactory(title="Expert", priority_area=neglect)
    later.prerequisites.add(course)
    url = reverse("courses:manage_course_edit", args=[course.pk])
    response = lead_client.post(
        url, course_data(neglect, title="Advanced", prerequisites=[later.pk])
    )
    assert response.context["form"].errors["prerequisites"] == [
        services.COURSE_PREREQUISITE_CYCLE.format(other="Expert")
    ]
    # Itself is not even offered as a choice.
    response = lead_client.post(
        url, course_data(neglect, title="Advanced", prerequisites=[course.pk])
    )
    assert "prerequisites" in response.context["form"].errors
    assert not course.prerequisites.exists()


def test_the_edit_form_opens_with_the_course_s_values(lead_client, neglect):
    course = CourseFactory(title="Graded Care Profile 2", priority_area=neglect)
    page = lead_client.get(reverse("courses:manage_course_edit", args=[course.pk])).content.decode()
    assert 'value="Graded Care Profile 2"' in page
    assert "Copy this course" in page and "Retire this course" in page


# --- copy --------------------------------------------------------------------------------


def test_copying_a_course_prefills_its_details_and_creates_a_new_one(lead_client, neglect):
    intro = CourseFactory(title="Introduction", priority_area=neglect)
    original = CourseFactory(
        title="Graded Care Profile 2",
        priority_area=neglect,
        competency_level=3,
        learning_outcomes="Use the scales",
    )
    original.prerequisites.add(intro)
    url = reverse("courses:manage_course_copy", args=[original.pk])
    form = lead_client.get(url).context["form"]
    assert form.initial["title"] == "Graded Care Profile 2 (copy)"
    assert form.initial["prerequisites"] == [intro.pk]
    data = {
        **course_data(neglect),
        **{k: v for k, v in form.initial.items() if k != "prerequisites"},
        "title": "Graded Care Profile 2 for adults",
        "prerequisites": [intro.pk],
    }
    assert lead_client.post(url, data).status_code == 302
    copy = Course.objects.get(title="Graded Care Profile 2 for adults")
    assert copy.pk != original.pk and copy.slug == "graded-care-profile-2-for-adults"
    assert copy.learning_outcomes == "Use the scales" and copy.competency_level == 3
    assert list(copy.prerequisites.all()) == [intro]
    original.refresh_from_db()
    assert original.title == "Graded Care Profile 2"


def test_a_copy_keeping_the_original_title_is_refused(lead_client, neglect):
    original = CourseFactory(title="Graded Care Profile 2", priority_area=neglect)
    response = lead_client.post(
        reverse("courses:manage_course_copy", args=[original.pk]),
        course_data(neglect, title="Graded Care Profile 2"),
    )
    assert response.context["form"].errors["title"] == [services.COURSE_TITLE_TAKEN]
    assert Course.objects.count() == 1


# --- retire ------------------------------------------------------------------------------


def test_retiring_takes_a_course_off_the_catalogue_and_keeps_its_history(lead_client, neglect):
    anonymous = Client()
    course = CourseFactory(title="Old neglect course", priority_area=neglect)
    past = EventFactory(
        course=course,
        start=timezone.now() - timedelta(days=40),
        status=Event.Status.DELIVERED,
    )
    url = reverse("courses:manage_course_retire", args=[course.pk])
    assert "Retire course" in lead_client.get(url).content.decode()
    assert lead_client.post(url).status_code == 302
    course.refresh_from_db()
    assert course.retired_on == london_today() and not course.is_published
    assert Event.objects.filter(pk=past.pk).exists()
    assert course.title not in anonymous.get(reverse("courses:course_list")).content.decode()
    assert anonymous.get(reverse("courses:course", args=[course.slug])).status_code == 404
    # The lead's list shows it under "Retired", not under the courses offered now.
    listed = lead_client.get(reverse("courses:manage_courses")).context["courses"]
    assert course not in listed
    retired = lead_client.get(reverse("courses:manage_courses"), {"status": "retired"})
    assert list(retired.context["courses"]) == [course]
    # And it can be offered again.
    lead_client.post(reverse("courses:manage_course_reinstate", args=[course.pk]))
    course.refresh_from_db()
    assert course.retired_on is None and course.is_published


def test_a_course_with_upcoming_events_cannot_be_retired(lead_client, neglect):
    course = CourseFactory(priority_area=neglect)
    EventFactory(course=course)
    response = lead_client.post(reverse("courses:manage_course_retire", args=[course.pk]))
    assert response.status_code == 200
    assert "1 upcoming event: cancel or move" in response.content.decode()
    course.refresh_from_db()
    assert course.retired_on is None and course.is_published


def test_retiring_twice_is_refused(neglect):
    course = CourseFactory(priority_area=neglect)
    services.course_retire(course=course)
    with pytest.raises(services.CourseError, match="already retired"):
        services.course_retire(course=course)
    services.course_reinstate(course=course)
    with pytest.raises(services.CourseError, match="not retired"):
        services.course_reinstate(course=course)


# --- list and search ---------------------------------------------------------------------


def test_the_lead_s_list_searches_titles_forgiving_a_typo(lead_client, neglect):
    wanted = CourseFactory(title="Neglect: Recognising the Signs", priority_area=neglect)
    CourseFactory(
        title="Domestic abuse awareness", priority_area=PriorityAreaFactory(name="Domestic abuse")
    )
    response = lead_client.get(reverse("courses:manage_courses"), {"q": "Recognisng"})
    assert list(response.context["courses"]) == [wanted]


def test_a_search_too_long_is_reported(lead_client):
    response = lead_client.get(reverse("courses:manage_courses"), {"q": "x" * 101})
    assert response.status_code == 200
    assert response.context["form"].errors["q"] == ["Search for 100 characters or fewer"]
