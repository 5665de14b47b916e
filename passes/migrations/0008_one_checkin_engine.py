"""One check-in engine, and occupancy derived from the open check-ins.

The check-in rules run only in Python (``passes.services``), on every engine: the PostgreSQL
functions ``passes_checkin`` (0003) and ``network_token_person`` (network 0002, which existed
only for the check-in's call) are dropped. The occupancy counter and its triggers (0005, 0007)
are dropped too: live occupancy is the count of a space's open check-ins, read under the
space's lock for the desk capacity and annotated on lists, served by a partial index.

Going back does not create the functions or the triggers again: no code of this release or
later calls them. The counter's table comes back empty.
"""

from django.db import migrations, models

DROP_POSTGRESQL = [
    "DROP FUNCTION IF EXISTS passes_checkin(text, text, text, bigint, bigint, bigint, timestamptz)",
    "DROP FUNCTION IF EXISTS network_token_person(text)",
    "DROP TRIGGER IF EXISTS passes_occupancy_insert ON passes_checkin",
    "DROP TRIGGER IF EXISTS passes_occupancy_delete ON passes_checkin",
    "DROP TRIGGER IF EXISTS passes_occupancy_update ON passes_checkin",
    "DROP FUNCTION IF EXISTS passes_occupancy_follow()",
]
DROP_SQLITE = [f"DROP TRIGGER IF EXISTS passes_occupancy_{event}" for event in ("insert", "delete", "update")]


def drop_functions_and_triggers(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in DROP_POSTGRESQL if postgresql else DROP_SQLITE:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("passes", "0007_sqlite_occupancy_triggers_again"),
        ("network", "0002_token_person_function"),
    ]

    operations = [
        migrations.RunPython(drop_functions_and_triggers, migrations.RunPython.noop),
        migrations.DeleteModel(name="Occupancy"),
        migrations.RemoveIndex(model_name="checkin", name="passes_chec_space_i_33fa49_idx"),
        migrations.AddIndex(
            model_name="checkin",
            index=models.Index(fields=["space", "checked_in_at"], name="checkin_by_space"),
        ),
        migrations.AddIndex(
            model_name="checkin",
            index=models.Index(condition=models.Q(("checked_out_at__isnull", True)), fields=["space"],
                               name="checkin_open_by_space"),
        ),
    ]
