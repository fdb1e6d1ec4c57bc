from django.db import migrations, models

import labs.models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Replay",
            fields=[
                (
                    "id",
                    models.CharField(
                        default=labs.models.new_replay_id,
                        editable=False,
                        max_length=64,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("lab", models.CharField(db_index=True, max_length=64)),
                ("title", models.CharField(blank=True, max_length=200)),
                ("params", models.JSONField(default=dict)),
                ("seed", models.BigIntegerField()),
                ("commands", models.JSONField(default=list)),
                ("length", models.PositiveIntegerField()),
                ("captions", models.JSONField(blank=True, default=dict)),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("user", "saved from a lab"),
                            ("import", "imported"),
                            ("sample", "shipped example"),
                        ],
                        default="user",
                        max_length=16,
                    ),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["-created"],
            },
        ),
    ]
