"""Feeds and VEVENTs written before text went through one cleaning function (names and
titles on one line, times outside 1970–2100 in UTC) are written again: every stored
VEVENT is dropped and every feed marked stale, which the next ``feeds.publish_stale`` run
republishes."""

from django.db import migrations
from django.utils import timezone


def republish_all(apps, schema_editor):
    apps.get_model("feeds", "EventEntry").objects.all().delete()
    apps.get_model("feeds", "PublishedFeed").objects.filter(stale_since=None).update(
        stale_since=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("feeds", "0002_evententry")]

    operations = [migrations.RunPython(republish_all, migrations.RunPython.noop)]
