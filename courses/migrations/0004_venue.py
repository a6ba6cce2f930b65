"""Venues become records: one Venue per distinct venue text, and each event points at its venue.

The old text is kept word for word as the venue's name (the lead can split it into name,
address and room later on the venues page); texts differing only in case or spacing share one
venue. An event without venue text keeps no venue (online, or to be confirmed).
"""

from django.db import migrations, models
import django.db.models.deletion


def _key(text):
    return " ".join(text.split()).casefold()


def texts_to_venues(apps, schema_editor):
    Event = apps.get_model("courses", "Event")
    Venue = apps.get_model("courses", "Venue")
    venues = {}
    for event in Event.objects.exclude(venue_text="").only("pk", "venue_text").iterator():
        key = _key(event.venue_text)
        if not key:
            continue
        if key not in venues:
            venues[key] = Venue.objects.create(name=" ".join(event.venue_text.split()))
        Event.objects.filter(pk=event.pk).update(venue=venues[key])


def venues_to_texts(apps, schema_editor):
    Event = apps.get_model("courses", "Event")
    for event in Event.objects.exclude(venue=None).select_related("venue").iterator():
        venue = event.venue
        parts = [venue.room, venue.name, ", ".join(venue.address.split("\n"))]
        text = ", ".join(p.strip() for p in parts if p.strip())
        Event.objects.filter(pk=event.pk).update(venue_text=text[:300])


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0003_event_calendar_sequence"),
    ]

    operations = [
        migrations.CreateModel(
            name="Venue",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=300, unique=True)),
                ("is_online", models.BooleanField(default=False, help_text="Online: no address; each event has its own joining link.")),
                ("address", models.TextField(blank=True)),
                ("room", models.CharField(blank=True, max_length=120)),
                ("capacity", models.PositiveIntegerField(blank=True, help_text="The most people the room holds. Blank: no limit.", null=True)),
                ("accessibility", models.TextField(blank=True, help_text="Step-free access, hearing loop, parking, toilets.")),
                ("is_active", models.BooleanField(default=True, help_text="Offered for new events.")),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.RenameField(model_name="event", old_name="venue", new_name="venue_text"),
        migrations.AddField(
            model_name="event",
            name="venue",
            field=models.ForeignKey(
                blank=True,
                help_text="Blank: to be confirmed (or online, when the event has a joining link).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="courses.venue",
            ),
        ),
        migrations.RunPython(texts_to_venues, venues_to_texts),
        migrations.RemoveField(model_name="event", name="venue_text"),
    ]
