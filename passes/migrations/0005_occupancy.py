"""The occupancy counter of each space, kept by triggers on the check-in table.

An arrival compared the desk capacity with a count of the open check-ins at the
space, under the space's lock: the busier the space, the longer every arrival held
it. The count is now a row (:class:`passes.models.Occupancy`) that triggers keep in
step with the check-ins, on both engines, in the same transaction as the change.

When this migration first ran, it also created the PostgreSQL function ``passes_checkin``
of 0003 again with the counter read in place of its count. That function is dropped by 0008
and nothing calls it since: replaying the migrations keeps 0003's function, which counts the
open check-ins itself and gives the same answers, so that no migration reads a file or
another migration. The drops below say IF EXISTS, since 0008 may have dropped what they drop.
"""

import django.db.models.deletion
from django.db import migrations, models

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
    "DROP TRIGGER IF EXISTS passes_occupancy_insert ON passes_checkin",
    "DROP TRIGGER IF EXISTS passes_occupancy_delete ON passes_checkin",
    "DROP TRIGGER IF EXISTS passes_occupancy_update ON passes_checkin",
    "DROP FUNCTION IF EXISTS passes_occupancy_follow()",
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

DROP_SQLITE = [f"DROP TRIGGER IF EXISTS passes_occupancy_{event}" for event in ("insert", "delete", "update")]

# The people present when the migration runs.
COUNT_PRESENT = """
INSERT INTO passes_occupancy (space_id, present)
SELECT space_id, count(*) FROM passes_checkin WHERE checked_out_at IS NULL GROUP BY space_id
"""


def create_triggers(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL if postgresql else SQLITE:
        schema_editor.execute(statement)
    schema_editor.execute(COUNT_PRESENT)


def drop_triggers(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in DROP_POSTGRESQL if postgresql else DROP_SQLITE:
        schema_editor.execute(statement)


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
