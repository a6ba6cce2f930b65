"""Seed the line manager's own stage-2 questionnaire (observed change in practice, 1-5, with an
example), so a manager is never asked the delegate's questions about themselves."""

from django.db import migrations


def seed(apps, schema_editor):
    from evaluations.defaults import seed_manager_questionnaire

    seed_manager_questionnaire(
        apps.get_model("evaluations", "Questionnaire"), apps.get_model("evaluations", "Item")
    )


def unseed(apps, schema_editor):
    from evaluations.defaults import MANAGER_STAGE2

    Questionnaire = apps.get_model("evaluations", "Questionnaire")
    Response = apps.get_model("evaluations", "Response")
    family = MANAGER_STAGE2[0]
    if not Response.objects.filter(questionnaire__family=family).exists():
        Questionnaire.objects.filter(family=family).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0003_questionnaire_respondent_invitation_email")]

    operations = [migrations.RunPython(seed, unseed)]
