"""The occupancy triggers again, on SQLite.

SQLite cannot alter a column in place: Django rebuilds the table, and 0006's changes to the
check-in table's foreign keys rebuilt it without the triggers that 0005 put on it. The
counter then stayed at zero on SQLite (live occupancy, the desk capacity). They are created
again here, and the counter recounted from the open check-ins. PostgreSQL kept its triggers
(its ALTER TABLE keeps them): nothing to do there.
"""

from importlib import import_module

from django.db import migrations

occupancy = import_module("passes.migrations.0005_occupancy")

DROP = [statement.replace("DROP TRIGGER", "DROP TRIGGER IF EXISTS") for statement in occupancy.DROP_SQLITE]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in [*DROP, *occupancy.SQLITE]:
        schema_editor.execute(statement)
    schema_editor.execute("DELETE FROM passes_occupancy")
    schema_editor.execute(occupancy.COUNT_PRESENT)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("passes", "0006_fewer_checkin_indexes")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
