"""Door check-in and messages to registrants.

Every registration gets its entry code: added empty, filled row by row (a default
would give every existing row the same code), then made unique and required.
"""

import backend.codes
import backend.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def give_codes(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    taken = set()
    for registration in Registration.objects.filter(code=None).only("id").iterator():
        code = backend.codes.new_short_code()
        while code in taken:
            code = backend.codes.new_short_code()
        taken.add(code)
        Registration.objects.filter(pk=registration.pk).update(code=code)


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0005_input_bounds_and_single_line'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='registration',
            name='code',
            field=models.CharField(editable=False, max_length=8, null=True, verbose_name="code d'entrée"),
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='registration',
            name='code',
            field=models.CharField(default=backend.codes.new_short_code, editable=False, max_length=8,
                                   unique=True, verbose_name="code d'entrée"),
        ),
        migrations.AddField(
            model_name='registration',
            name='checked_in_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='entrée le'),
        ),
        migrations.AddField(
            model_name='registration',
            name='checked_in_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name='+', to=settings.AUTH_USER_MODEL,
                                    verbose_name='entrée pointée par'),
        ),
        migrations.CreateModel(
            name='EventMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('audience', models.CharField(choices=[('confirmed', 'Inscrit·es confirmé·es'), ('waitlisted', "Liste d'attente"), ('all', 'Tous (confirmé·es et liste d\'attente)')], max_length=10, verbose_name='destinataires')),
                ('subject', models.CharField(max_length=150, validators=[backend.validators.single_line], verbose_name='objet')),
                ('body', models.TextField(max_length=5000, verbose_name='message')),
                ('key', models.CharField(max_length=64)),
                ('recipients', models.PositiveIntegerField(default=0, verbose_name='nombre de destinataires')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='envoyé le')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='events.event')),
                ('sent_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='écrit par')),
            ],
            options={
                'verbose_name': 'message aux inscrit·es',
                'verbose_name_plural': 'messages aux inscrit·es',
                'ordering': ['-created_at', '-id'],
                'constraints': [models.UniqueConstraint(fields=('event', 'key'), name='event_message_key_once')],
            },
        ),
    ]
