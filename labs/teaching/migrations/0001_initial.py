import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import labs.teaching.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Quiz",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(max_length=48, unique=True)),
                ("title", models.CharField(max_length=200)),
                (
                    "description",
                    models.TextField(blank=True, help_text="Markdown, shown on the quiz page."),
                ),
                (
                    "opens",
                    models.DateTimeField(blank=True, help_text="Empty: open now.", null=True),
                ),
                (
                    "closes",
                    models.DateTimeField(blank=True, help_text="Empty: never closes.", null=True),
                ),
                ("max_attempts", models.PositiveIntegerField(default=1)),
                (
                    "time_limit",
                    models.PositiveIntegerField(
                        blank=True, help_text="Minutes per attempt; empty for no limit.", null=True
                    ),
                ),
                (
                    "reveal",
                    models.CharField(
                        choices=[
                            (
                                "after_last_attempt",
                                "after the student's last attempt (or when the quiz closes)",
                            ),
                            ("after_close", "when the quiz closes"),
                            ("immediately", "right after each submission"),
                            ("never", "never (only points and right/wrong)"),
                        ],
                        default="after_last_attempt",
                        max_length=24,
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[("file", "content file"), ("admin", "made in the admin")],
                        default="admin",
                        max_length=8,
                    ),
                ),
                ("source_path", models.CharField(blank=True, max_length=500)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                (
                    "instructor_groups",
                    models.ManyToManyField(
                        blank=True, related_name="managed_quizzes", to="auth.group"
                    ),
                ),
                (
                    "instructors",
                    models.ManyToManyField(
                        blank=True, related_name="managed_quizzes", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "quizzes",
                "ordering": ["title"],
            },
        ),
        migrations.CreateModel(
            name="Attempt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "open"),
                            ("submitted", "submitted"),
                            ("expired", "expired (graded at the deadline)"),
                        ],
                        default="open",
                        max_length=10,
                    ),
                ),
                (
                    "token",
                    models.CharField(
                        default=labs.teaching.models.new_token,
                        editable=False,
                        max_length=32,
                        unique=True,
                    ),
                ),
                ("variant", models.JSONField(default=dict, help_text="exercise id: variant seed")),
                ("started", models.DateTimeField(default=django.utils.timezone.now)),
                ("deadline", models.DateTimeField(blank=True, null=True)),
                ("submitted", models.DateTimeField(blank=True, null=True)),
                ("answers", models.JSONField(blank=True, default=dict)),
                ("results", models.JSONField(blank=True, default=dict)),
                ("score", models.FloatField(blank=True, null=True)),
                ("max_score", models.FloatField(blank=True, null=True)),
                ("graded", models.DateTimeField(blank=True, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="quiz_attempts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "quiz",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attempts",
                        to="teaching.quiz",
                    ),
                ),
            ],
            options={
                "ordering": ["quiz", "user", "number"],
            },
        ),
        migrations.CreateModel(
            name="QuizItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(default=1)),
                (
                    "exercise",
                    models.CharField(help_text="The id of an exercise file.", max_length=48),
                ),
                (
                    "points",
                    models.FloatField(
                        blank=True,
                        help_text="Empty: the sum of the exercise's question points.",
                        null=True,
                    ),
                ),
                (
                    "quiz",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="teaching.quiz",
                    ),
                ),
            ],
            options={
                "ordering": ["quiz", "position"],
            },
        ),
        migrations.AddConstraint(
            model_name="quiz",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("opens__isnull", True),
                    ("closes__isnull", True),
                    ("closes__gt", models.F("opens")),
                    _connector="OR",
                ),
                name="quiz_closes_after_opens",
            ),
        ),
        migrations.AddConstraint(
            model_name="quiz",
            constraint=models.CheckConstraint(
                condition=models.Q(("max_attempts__gte", 1)), name="quiz_at_least_one_attempt"
            ),
        ),
        migrations.AddIndex(
            model_name="attempt",
            index=models.Index(fields=["quiz", "status"], name="teaching_at_quiz_id_cd96c8_idx"),
        ),
        migrations.AddConstraint(
            model_name="attempt",
            constraint=models.UniqueConstraint(
                fields=("quiz", "user", "number"), name="attempt_unique_number"
            ),
        ),
        migrations.AddConstraint(
            model_name="attempt",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "open")),
                fields=("quiz", "user"),
                name="attempt_one_open",
            ),
        ),
        migrations.AddConstraint(
            model_name="quizitem",
            constraint=models.UniqueConstraint(
                fields=("quiz", "position"), name="quizitem_unique_position"
            ),
        ),
        migrations.AddConstraint(
            model_name="quizitem",
            constraint=models.UniqueConstraint(
                fields=("quiz", "exercise"), name="quizitem_unique_exercise"
            ),
        ),
        migrations.AddConstraint(
            model_name="quizitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("points__isnull", True), ("points__gt", 0), _connector="OR"),
                name="quizitem_points_positive",
            ),
        ),
    ]
