import django.db.models.deletion
from django.db import migrations, models


def answers_keep_their_choice(apps, schema_editor):
    Answer = apps.get_model("classroom", "Answer")
    for answer in Answer.objects.filter(value__isnull=True).iterator():
        answer.value = answer.choice
        answer.save(update_fields=["value"])


class Migration(migrations.Migration):
    dependencies = [
        ("classroom", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="participant",
            name="sockets",
        ),
        migrations.AddField(
            model_name="answer",
            name="value",
            field=models.JSONField(null=True),
        ),
        migrations.AddField(
            model_name="poll",
            name="expected",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="poll",
            name="kind",
            field=models.CharField(default="single", max_length=16),
        ),
        migrations.AlterField(
            model_name="answer",
            name="choice",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="poll",
            name="options",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.CreateModel(
            name="Presence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("process", models.CharField(max_length=32)),
                ("seen", models.DateTimeField()),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="classroom.participant"
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="present",
                        to="classroom.classsession",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("participant", "process"), name="one_presence_each"
                    )
                ],
            },
        ),
        migrations.RunPython(answers_keep_their_choice, migrations.RunPython.noop),
    ]
