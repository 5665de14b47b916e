"""Co-organization by consent: naming an organization co-organizer becomes a request.

The co-organizations already in the database predate the rule: nobody was asked,
but they were set up by the organizations' own people and are in use (rights,
feeds, programmes). Dropping them would silently take rights and feed entries
away from partners, so they become accepted requests, without a decider or a
decision date, which marks them as older than consent.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def accept_existing(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    CoOrganization = apps.get_model("events", "CoOrganization")
    links = Event.co_organizers.through.objects.select_related("event").order_by("id")
    CoOrganization.objects.bulk_create(
        (CoOrganization(event_id=link.event_id, organization_id=link.organization_id, status="accepted",
                        requested_at=link.event.created_at) for link in links.iterator()),
        batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0003_reminders'),
        ('network', '0002_token_person_function'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CoOrganization',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'En attente de réponse'), ('accepted', 'Acceptée'), ('declined', 'Déclinée')], default='pending', max_length=10, verbose_name='réponse')),
                ('requested_at', models.DateTimeField(verbose_name='demandée le')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='décidée le')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='décidée par')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='co_organizations', to='events.event')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='co_organization_requests', to='network.organization', verbose_name='structure invitée')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='demandée par')),
            ],
            options={
                'verbose_name': 'co-organisation',
                'verbose_name_plural': 'co-organisations',
                'ordering': ['requested_at', 'id'],
                'indexes': [models.Index(fields=['organization', 'status'], name='co_organization_org_status_idx')],
                'constraints': [models.UniqueConstraint(fields=('event', 'organization'), name='co_organization_once')],
            },
        ),
        migrations.RunPython(accept_existing, migrations.RunPython.noop),
    ]
