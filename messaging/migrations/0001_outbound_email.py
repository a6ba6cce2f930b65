"""OutboundEmail, moved from bookings: taken into this app's state only; the table bookings/0001
created (bookings_outboundemail) keeps its name, its rows, its constraint and its index."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # The table exists (fresh database or not) before this app claims it.
        ("bookings", "0007_outbox_sweeper_every_minute"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='OutboundEmail',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('purpose', models.CharField(max_length=40)),
                        ('recipient_role', models.CharField(default='delegate', max_length=20)),
                        ('task', models.CharField(default='bookings.tasks.send_booking_email', max_length=100)),
                        ('invitation_id', models.PositiveBigIntegerField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('state', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=10)),
                        ('claimed_at', models.DateTimeField(blank=True, null=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('booking', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='emails', to='bookings.booking')),
                    ],
                    options={
                        'db_table': 'bookings_outboundemail',
                        'ordering': ['booking', 'purpose'],
                        'indexes': [models.Index(fields=['state', 'created_at'], name='bookings_ou_state_058cae_idx')],
                        'constraints': [models.UniqueConstraint(fields=('booking', 'purpose', 'recipient_role'), name='outbound_email_once')],
                    },
                ),
            ],
        ),
    ]
