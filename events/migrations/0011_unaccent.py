from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """PostgreSQL's unaccent, for searches whatever the accents (nothing on SQLite)."""

    dependencies = [("events", "0010_campaign_previous_edition")]

    operations = [UnaccentExtension()]
