from django.utils.module_loading import import_string
from django_q.models import Schedule


def test_every_scheduled_job_is_registered_once_and_importable(db):
    names = list(Schedule.objects.values_list("name", flat=True))
    assert len(names) == len(set(names)) >= 4
    for func in Schedule.objects.values_list("func", flat=True):
        assert callable(import_string(func))
    assert Schedule.objects.filter(func="evaluations.tasks.invite_due").count() == 1
