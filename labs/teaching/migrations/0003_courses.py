import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import labs.teaching.models


class Migration(migrations.Migration):
    dependencies = [
        ("teaching", "0002_instructor_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Course",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(max_length=48, unique=True)),
                ("title", models.CharField(max_length=200)),
                ("description", models.TextField(blank=True)),
                (
                    "join_token",
                    models.CharField(
                        default=labs.teaching.models.new_token,
                        help_text="The secret of the course's join link.",
                        max_length=32,
                    ),
                ),
                (
                    "join_open",
                    models.BooleanField(
                        default=False,
                        help_text="Whether the join link enrols whoever follows it as a student.",
                    ),
                ),
                ("lti_issuer", models.CharField(blank=True, max_length=255)),
                ("lti_deployment_id", models.CharField(blank=True, max_length=255)),
                ("lti_context_id", models.CharField(blank=True, max_length=255)),
                ("created", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["title"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("lti_context_id", ""), _negated=True),
                        fields=("lti_issuer", "lti_deployment_id", "lti_context_id"),
                        name="course_unique_lti_context",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="quiz",
            name="course",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty: any signed-in user takes the quiz (the older rule).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="quizzes",
                to="teaching.course",
            ),
        ),
        migrations.CreateModel(
            name="CourseExercise",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "exercise",
                    models.CharField(help_text="The id of an exercise file.", max_length=48),
                ),
                (
                    "opens",
                    models.DateTimeField(blank=True, help_text="Empty: open now.", null=True),
                ),
                (
                    "closes",
                    models.DateTimeField(blank=True, help_text="Empty: never closes.", null=True),
                ),
                (
                    "course",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="exercises",
                        to="teaching.course",
                    ),
                ),
            ],
            options={
                "ordering": ["course", "opens", "exercise"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("course", "exercise"), name="courseexercise_unique_exercise"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("opens__isnull", True),
                            ("closes__isnull", True),
                            ("closes__gt", models.F("opens")),
                            _connector="OR",
                        ),
                        name="courseexercise_closes_after_opens",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("instructor", "instructor"),
                            ("ta", "teaching assistant"),
                            ("student", "student"),
                        ],
                        default="student",
                        max_length=12,
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("site", "added on the site or in the admin"),
                            ("csv", "CSV upload"),
                            ("join", "join link"),
                            ("lti", "LTI launch"),
                            ("file", "named by a quiz file"),
                        ],
                        default="site",
                        max_length=8,
                    ),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "course",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="teaching.course",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["course", "role", "user"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("course", "user"), name="membership_unique_user"
                    )
                ],
            },
        ),
    ]
