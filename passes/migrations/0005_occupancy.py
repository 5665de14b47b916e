"""The occupancy counter of each space, kept by triggers on the check-in table.

An arrival compared the desk capacity with a count of the open check-ins at the
space, under the space's lock: the busier the space, the longer every arrival held
it. The count is now a row (:class:`passes.models.Occupancy`) that triggers keep in
step with the check-ins, on both engines, in the same transaction as the change.

The PostgreSQL function ``passes_checkin`` is created again: it reads the counter.
Migrating back creates it once more with the count in place of the counter read, as it
was before, so that check-ins keep working on the schema of 0004.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

checkin_function = import_module("passes.migrations.0003_checkin_function")

# Only whether a check-in is open, and where, counts: the update triggers fire on those.
POSTGRESQL = ["""
CREATE FUNCTION passes_occupancy_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.checked_out_at IS NULL THEN
        UPDATE passes_occupancy SET present = present - 1 WHERE space_id = OLD.space_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.checked_out_at IS NULL THEN
        INSERT INTO passes_occupancy (space_id, present) VALUES (NEW.space_id, 1)
        ON CONFLICT (space_id) DO UPDATE SET present = passes_occupancy.present + 1;
    END IF;
    RETURN NULL;
END;
$$""", """
CREATE TRIGGER passes_occupancy_insert AFTER INSERT ON passes_checkin
    FOR EACH ROW WHEN (NEW.checked_out_at IS NULL) EXECUTE FUNCTION passes_occupancy_follow()""", """
CREATE TRIGGER passes_occupancy_delete AFTER DELETE ON passes_checkin
    FOR EACH ROW WHEN (OLD.checked_out_at IS NULL) EXECUTE FUNCTION passes_occupancy_follow()""", """
CREATE TRIGGER passes_occupancy_update AFTER UPDATE OF checked_out_at, space_id ON passes_checkin
    FOR EACH ROW WHEN ((OLD.checked_out_at IS NULL) <> (NEW.checked_out_at IS NULL)
                       OR OLD.space_id <> NEW.space_id)
    EXECUTE FUNCTION passes_occupancy_follow()"""]

DROP_POSTGRESQL = [
    "DROP TRIGGER passes_occupancy_insert ON passes_checkin",
    "DROP TRIGGER passes_occupancy_delete ON passes_checkin",
    "DROP TRIGGER passes_occupancy_update ON passes_checkin",
    "DROP FUNCTION passes_occupancy_follow()",
]

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

DROP_SQLITE = [f"DROP TRIGGER passes_occupancy_{event}" for event in ("insert", "delete", "update")]

# The people present when the migration runs.
COUNT_PRESENT = """
INSERT INTO passes_occupancy (space_id, present)
SELECT space_id, count(*) FROM passes_checkin WHERE checked_out_at IS NULL GROUP BY space_id
"""


# The function's capacity check, with the counter and before it.
COUNTER_READ = "coalesce((SELECT o.present FROM passes_occupancy o WHERE o.space_id = s.id), 0)"
COUNT = ("(SELECT count(*) FROM (SELECT 1 FROM passes_checkin c WHERE c.space_id = s.id "
         "AND c.checked_out_at IS NULL LIMIT v_capacity) taken)")


def create_triggers(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL if postgresql else SQLITE:
        schema_editor.execute(statement)
    schema_editor.execute(COUNT_PRESENT)
    checkin_function.create_function(apps, schema_editor)


def drop_triggers(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in DROP_POSTGRESQL if postgresql else DROP_SQLITE:
        schema_editor.execute(statement)
    if postgresql:
        function = checkin_function.CHECKIN_SQL.read_text()
        if COUNTER_READ not in function:
            raise RuntimeError("passes/checkin.sql no longer reads the occupancy counter as "
                               "0005 wrote it: migrate back with the release that changed it")
        schema_editor.execute(function.replace(COUNTER_READ, COUNT))


class Migration(migrations.Migration):

    dependencies = [
        ("passes", "0004_checkin_attempts_are_refusals"),
        ("spaces", "0003_order_hours_and_closures_by_space_id"),
    ]

    operations = [
        migrations.CreateModel(
            name="Occupancy",
            fields=[
                ("space", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                    related_name="occupancy_counter", serialize=False, to="spaces.space")),
                ("present", models.PositiveIntegerField(default=0, verbose_name="présents")),
            ],
            options={"verbose_name": "occupation", "verbose_name_plural": "occupations"},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
