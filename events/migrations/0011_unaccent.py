from django.db import migrations


def create_unaccent(apps, schema_editor):
    # PostgreSQL only: SQLite has no extensions (nor accent-insensitive search).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    """PostgreSQL's unaccent, for searches whatever the accents. Kept when migrating back: other
    schemas of the database may use it."""

    dependencies = [("events", "0010_campaign_previous_edition")]

    operations = [migrations.RunPython(create_unaccent, migrations.RunPython.noop)]
