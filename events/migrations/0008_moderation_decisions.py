"""Moderation decisions kept as a history; the decision each event already carries becomes its
first row (who and when as recorded on the event)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def keep_existing_decisions(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    ModerationDecision = apps.get_model("events", "ModerationDecision")
    decided = Event.objects.filter(campaign__isnull=False, moderated_at__isnull=False,
                                   moderation__in=["approved", "rejected"])
    ModerationDecision.objects.bulk_create(
        ModerationDecision(event_id=e.id, campaign_id=e.campaign_id, decision=e.moderation,
                           comment=e.moderation_comment, decided_by_id=e.moderated_by_id,
                           decided_at=e.moderated_at)
        for e in decided.iterator())


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0007_event_image'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ModerationDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decision', models.CharField(choices=[('approved', 'Approuvé'), ('rejected', 'Refusé')], max_length=10, verbose_name='décision')),
                ('comment', models.TextField(blank=True, max_length=2000, verbose_name='commentaire')),
                ('decided_at', models.DateTimeField(verbose_name='décidée le')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='moderation_decisions', to='events.campaign', verbose_name='campagne')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='décidée par')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='moderation_decisions', to='events.event')),
            ],
            options={
                'verbose_name': 'décision de modération',
                'verbose_name_plural': 'décisions de modération',
                'ordering': ['-decided_at', '-id'],
                'indexes': [models.Index(fields=['event', 'decided_at'], name='moderation_decision_event_idx')],
            },
        ),
        migrations.RunPython(keep_existing_decisions, migrations.RunPython.noop),
    ]
