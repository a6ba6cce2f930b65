"""Every service and selector names the person it acts for, or who acts, as a User in its
signature (`person`, `actor`, `colleague`, `booked_by`, `user`), so a reader never has to guess
whether an id, an email or a user is expected."""

import importlib
import inspect

import pytest

MODULES = [
    "bookings.services",
    "bookings.selectors",
    "bookings.reasons",
    "competency.selectors",
    "competency.services",
    "competency.needs_services",
    "competency.needs_selectors",
    "courses.services",
    "courses.interest",
    "courses.priority_areas",
    "competency.reminders",
    "evaluations.services",
    "evaluations.selectors",
    "people.services",
    "people.domains",
    "privacy.anonymise",
    "privacy.audit",
    "privacy.export",
    "privacy.retention",
]
PEOPLE = {"person", "actor", "colleague", "booked_by", "user", "subject"}
TYPED = {"User", "User | None"}


def _text(annotation) -> str:
    """An annotation as written: a string with postponed evaluation, else the object's name."""
    if annotation is inspect.Parameter.empty:
        return "untyped"
    if not isinstance(annotation, str):
        annotation = inspect.formatannotation(annotation)
    return annotation.replace("people.models.", "")


def untyped_people(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    found = []
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if function.__module__ != module_name:
            continue
        for parameter in inspect.signature(function).parameters.values():
            if parameter.name in PEOPLE and _text(parameter.annotation) not in TYPED:
                found.append(f"{name}({parameter.name}: {_text(parameter.annotation)})")
    return found


@pytest.mark.parametrize("module_name", MODULES)
def test_people_are_typed_as_users(module_name):
    assert untyped_people(module_name) == []


def test_an_untyped_person_is_reported(monkeypatch):
    import bookings.services

    def booking_anything(*, person):
        """A service as they were before: `person` untyped."""

    booking_anything.__module__ = "bookings.services"
    monkeypatch.setattr(bookings.services, "booking_anything", booking_anything, raising=False)
    assert untyped_people("bookings.services") == ["booking_anything(person: untyped)"]
