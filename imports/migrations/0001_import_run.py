"""ImportRun, moved from reports: taken into this app's state only; the table reports/0001
created (reports_importrun) keeps its name and its rows."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The table exists (fresh database or not) before this app claims it.
        ("reports", "0002_import_run_interrupt_schedule"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ImportRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('uploaded_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('dry_run', models.BooleanField(default=False)),
                        ('state', models.CharField(choices=[('queued', 'Waiting to start'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=10)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('file_names', models.JSONField(blank=True, default=list)),
                        ('files', models.BinaryField(blank=True, null=True)),
                        ('summary', models.JSONField(blank=True, null=True)),
                        ('errors', models.JSONField(blank=True, default=list)),
                        ('error_count', models.PositiveIntegerField(default=0)),
                        ('failure', models.CharField(blank=True, max_length=300)),
                        ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'reports_importrun',
                        'ordering': ['-uploaded_at', '-id'],
                        'indexes': [models.Index(fields=['state', 'started_at'], name='reports_importrun_state')],
                    },
                ),
            ],
        ),
    ]
