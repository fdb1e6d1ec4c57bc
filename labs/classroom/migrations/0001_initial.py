import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import labs.classroom.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ClassSession",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        default=labs.classroom.models.new_code,
                        editable=False,
                        max_length=16,
                        unique=True,
                    ),
                ),
                ("lab", models.CharField(max_length=64)),
                ("title", models.CharField(blank=True, max_length=200)),
                ("replay", models.CharField(blank=True, max_length=64)),
                ("captions", models.JSONField(blank=True, default=dict)),
                ("recording", models.JSONField(default=dict)),
                ("position", models.PositiveIntegerField(default=0)),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("frame", models.TextField(blank=True)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("expires", models.DateTimeField(default=labs.classroom.models.default_expiry)),
                ("ended", models.DateTimeField(blank=True, null=True)),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created"],
            },
        ),
        migrations.CreateModel(
            name="Participant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=40)),
                ("joined", models.DateTimeField(auto_now_add=True)),
                ("sockets", models.IntegerField(default=0)),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="students",
                        to="classroom.classsession",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Poll",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                ("prompt", models.CharField(max_length=500)),
                ("options", models.JSONField(default=list)),
                ("correct", models.IntegerField(blank=True, null=True)),
                ("explanation", models.TextField(blank=True)),
                ("step", models.PositiveIntegerField(default=0)),
                ("opened", models.DateTimeField(auto_now_add=True)),
                ("closed", models.DateTimeField(blank=True, null=True)),
                ("revealed", models.BooleanField(default=False)),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="polls",
                        to="classroom.classsession",
                    ),
                ),
            ],
            options={
                "ordering": ["number"],
            },
        ),
        migrations.CreateModel(
            name="Answer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("choice", models.PositiveSmallIntegerField()),
                ("at", models.DateTimeField(auto_now=True)),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="classroom.participant"
                    ),
                ),
                (
                    "poll",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="classroom.poll",
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="poll",
            constraint=models.UniqueConstraint(
                fields=("session", "number"), name="one_poll_number"
            ),
        ),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.UniqueConstraint(
                fields=("poll", "participant"), name="one_answer_each"
            ),
        ),
    ]
