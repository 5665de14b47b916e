"""PostgreSQL keeps rooms from being double-booked; the usual themes exist from the start.

The exclusion constraint is written as SQL run only on PostgreSQL (SQLite has
no GiST): two events that are not cancelled never hold the same room over
overlapping ``[starts_at, ends_at)`` ranges. ``btree_gist`` lets the plain
equality on ``room_id`` share the GiST index with the range overlap.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "event_room_no_overlap"

THEMES = [
    ("insertion", "Insertion"),
    ("emploi", "Emploi et métiers"),
    ("culture", "Culture"),
    ("environnement", "Environnement"),
    ("economie-circulaire", "Économie circulaire"),
    ("alimentation", "Alimentation"),
    ("mobilite", "Mobilité"),
    ("finance-solidaire", "Finance solidaire"),
    ("numerique", "Numérique"),
    ("cooperation", "Coopération et entrepreneuriat collectif"),
    ("jeunesse", "Jeunesse et éducation"),
    ("sante", "Santé et solidarités"),
]


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE events_event ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
        "WHERE (room_id IS NOT NULL AND status <> 'cancelled')"
    )


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE events_event DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


def add_themes(apps, schema_editor):
    Theme = apps.get_model("events", "Theme")
    for slug, name in THEMES:
        Theme.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_exclusion, drop_exclusion),
        migrations.RunPython(add_themes, migrations.RunPython.noop),
    ]
