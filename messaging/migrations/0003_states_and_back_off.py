"""Explicit states (skipped, given up), a back-off per row, and a note saying why.

Failed rows already at the old limit (5 tries) are given up rather than tried again months later;
the others are retried at once (no back-off recorded yet).
"""

from django.db import migrations, models

OLD_LIMIT = 5


def give_up_old_failures(apps, schema_editor):
    apps.get_model("messaging", "OutboundEmail").objects.filter(
        state="failed", attempts__gte=OLD_LIMIT
    ).update(state="given_up", note=f"Given up after {OLD_LIMIT} tries (before back-off).")


def back_to_failed(apps, schema_editor):
    apps.get_model("messaging", "OutboundEmail").objects.filter(state="given_up").update(
        state="failed"
    )
    apps.get_model("messaging", "OutboundEmail").objects.filter(state="skipped").update(
        state="sent"
    )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0002_sweeper_and_permissions_moved")]

    operations = [
        migrations.AddField(
            model_name="outboundemail",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outboundemail",
            name="note",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting to be sent"),
                    ("sending", "Being sent"),
                    ("sent", "Sent"),
                    ("failed", "Failed, will be tried again"),
                    ("skipped", "Not sent: no longer due"),
                    ("given_up", "Given up"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.RunPython(give_up_old_failures, back_to_failed),
    ]
