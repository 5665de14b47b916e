"""The check-in rules as a PostgreSQL function, ``passes_checkin`` (see passes/checkin.sql).

Only on PostgreSQL; SQLite runs the Python rules. The function is read from
passes/checkin.sql: a later change to that file comes with a migration that
calls :func:`create_function` again.
"""

from pathlib import Path

from django.db import migrations

SIGNATURE = "passes_checkin(text, text, text, bigint, bigint, bigint, timestamptz)"


CHECKIN_SQL = Path(__file__).resolve().parent.parent / "checkin.sql"


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHECKIN_SQL.read_text())


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")


class Migration(migrations.Migration):
    dependencies = [("passes", "0002_pass_holder_erasable")]

    operations = [migrations.RunPython(create_function, drop_function)]
