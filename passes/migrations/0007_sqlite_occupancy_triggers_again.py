"""The occupancy triggers again, on SQLite.

SQLite cannot alter a column in place: Django rebuilds the table, and 0006's changes to the
check-in table's foreign keys rebuilt it without the triggers that 0005 put on it. The
counter then stayed at zero on SQLite (live occupancy, the desk capacity). They are created
again here, and the counter recounted from the open check-ins. PostgreSQL kept its triggers
(its ALTER TABLE keeps them): nothing to do there.
"""

from django.db import migrations

DROP = [f"DROP TRIGGER IF EXISTS passes_occupancy_{event}" for event in ("insert", "delete", "update")]

# 0005's triggers, as 0005 writes them on SQLite.
SQLITE = ["""
CREATE TRIGGER passes_occupancy_insert AFTER INSERT ON passes_checkin
WHEN NEW.checked_out_at IS NULL
BEGIN
    INSERT INTO passes_occupancy (space_id, present) VALUES (NEW.space_id, 1)
    ON CONFLICT (space_id) DO UPDATE SET present = present + 1;
END""", """
CREATE TRIGGER passes_occupancy_delete AFTER DELETE ON passes_checkin
WHEN OLD.checked_out_at IS NULL
BEGIN
    UPDATE passes_occupancy SET present = present - 1 WHERE space_id = OLD.space_id;
END""", """
CREATE TRIGGER passes_occupancy_update AFTER UPDATE OF checked_out_at, space_id ON passes_checkin
WHEN (OLD.checked_out_at IS NULL) <> (NEW.checked_out_at IS NULL) OR OLD.space_id <> NEW.space_id
BEGIN
    UPDATE passes_occupancy SET present = present - 1
    WHERE space_id = OLD.space_id AND OLD.checked_out_at IS NULL;
    INSERT INTO passes_occupancy (space_id, present) SELECT NEW.space_id, 1
    WHERE NEW.checked_out_at IS NULL
    ON CONFLICT (space_id) DO UPDATE SET present = present + 1;
END"""]

COUNT_PRESENT = """
INSERT INTO passes_occupancy (space_id, present)
SELECT space_id, count(*) FROM passes_checkin WHERE checked_out_at IS NULL GROUP BY space_id
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in [*DROP, *SQLITE]:
        schema_editor.execute(statement)
    schema_editor.execute("DELETE FROM passes_occupancy")
    schema_editor.execute(COUNT_PRESENT)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("passes", "0006_fewer_checkin_indexes")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
