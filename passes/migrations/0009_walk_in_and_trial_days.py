"""Walk-in days sold at the desk and trial days offered once per address: a kind of plan, the
guest a pass was given to without an account, and the trial days given."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("passes", "0008_one_checkin_engine"),
    ]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="kind",
            field=models.CharField(
                choices=[("subscription", "abonnement"), ("day", "journée sur place"),
                         ("trial", "journée d'essai")],
                default="subscription", max_length=12, verbose_name="type"),
        ),
        migrations.AddField(
            model_name="pass",
            name="guest_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="nom de la personne accueillie"),
        ),
        migrations.AddField(
            model_name="pass",
            name="guest_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="e-mail de la personne accueillie"),
        ),
        migrations.CreateModel(
            name="TrialDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("email", models.EmailField(max_length=254, verbose_name="e-mail")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("network", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                              related_name="trial_days", to="passes.passnetwork")),
                ("pass_obj", models.OneToOneField(db_column="pass_id", on_delete=django.db.models.deletion.CASCADE,
                                                  related_name="trial_day", to="passes.pass")),
            ],
            options={
                "verbose_name": "journée d'essai",
                "verbose_name_plural": "journées d'essai",
                "constraints": [models.UniqueConstraint(fields=("network", "email"), name="trial_once_per_email")],
            },
        ),
    ]
