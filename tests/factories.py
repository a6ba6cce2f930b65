"""factory_boy factories shared by every test module."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from faker import Faker

from bookings.models import Booking
from courses.models import Course, Event, PriorityArea, Venue
from people.models import Organisation, OrganisationDomain, User


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Partner Organisation {n}")
    sector = Organisation.Sector.LOCAL_AUTHORITY


class OrganisationDomainFactory(DjangoModelFactory):
    class Meta:
        model = OrganisationDomain

    organisation = factory.SubFactory(OrganisationFactory)
    domain = factory.Sequence(lambda n: f"partner{n}.example.org")


_faker = Faker("en_GB")


def _plain_name():
    """A Faker name that HTML leaves as it is: O'Sullivan renders as O&#x27;Sullivan, and a test
    that looks for a random name on a page would fail one run in a few hundred. Tests about
    escaping set such names themselves."""
    while True:
        name = _faker.name()
        if not any(ch in name for ch in "'&<>\""):
            return name


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@partner.example.org")
    full_name = factory.LazyFunction(_plain_name)
    job_title = "Social worker"
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        from django.contrib.auth.models import Group

        if extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))
        if create:
            self.save()


class PriorityAreaFactory(DjangoModelFactory):
    class Meta:
        model = PriorityArea
        django_get_or_create = ("name",)

    name = factory.Iterator(["Neglect", "Exploitation", "Think Family", "Local learning"])


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Safeguarding course {n}")
    slug = factory.Sequence(lambda n: f"safeguarding-course-{n}")
    summary = "What every practitioner needs to know."
    learning_outcomes = "Recognise the signs\nKnow how to respond"
    priority_area = factory.SubFactory(PriorityAreaFactory)
    audience = Course.Audience.CHILDREN
    delivery_mode = Course.DeliveryMode.FACE_TO_FACE


class VenueFactory(DjangoModelFactory):
    class Meta:
        model = Venue
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Venue {n}")
    address = "Priory Road\nDudley DY1 1HF"


class EventFactory(DjangoModelFactory):
    """An event; `venue` may be given as text (a venue of that name) or "" (none)."""

    class Meta:
        model = Event

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        venue = kwargs.get("venue")
        if isinstance(venue, str):
            kwargs["venue"] = VenueFactory(name=venue, address="") if venue else None
        return kwargs

    course = factory.SubFactory(CourseFactory)
    start = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=14))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=3))
    venue = factory.LazyFunction(lambda: VenueFactory(name="Council House", address="Priory Road"))
    capacity = 20
    status = Event.Status.SCHEDULED


class BookingFactory(DjangoModelFactory):
    class Meta:
        model = Booking

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(UserFactory)
    organisation = factory.LazyAttribute(lambda o: o.person.organisation)
    status = Booking.Status.CONFIRMED
    created_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyAttribute(lambda o: o.created_at)


# --- Catalogue (added with the catalogue pages) ---------------------------------------------


class CourseNameFactory(DjangoModelFactory):
    class Meta:
        model = "courses.CourseName"

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Former course title {n}")
    valid_from = None
    valid_until = None
