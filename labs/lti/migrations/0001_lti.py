import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("lti_tool", "0008_ltideployment_pns_url_and_more"),
        ("teaching", "0003_courses"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LineItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.URLField(max_length=500)),
                ("scopes", models.JSONField(default=list)),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "course",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="line_items",
                        to="teaching.course",
                    ),
                ),
                (
                    "quiz",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="line_items",
                        to="teaching.quiz",
                    ),
                ),
                (
                    "registration",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="lti_tool.ltiregistration"
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="GradeSend",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("score", models.FloatField()),
                ("max_score", models.FloatField()),
                ("sent_score", models.FloatField(blank=True, null=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "waiting to be sent"),
                            ("sent", "sent"),
                            ("failed", "failed, retried"),
                        ],
                        default="pending",
                        max_length=8,
                    ),
                ),
                ("tries", models.PositiveIntegerField(default=0)),
                ("last_error", models.TextField(blank=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "line_item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sends",
                        to="paperlabs_lti.lineitem",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="LtiAccount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("issuer", models.CharField(max_length=255)),
                ("sub", models.CharField(max_length=255)),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lti_accounts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="UsedNonce",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("issuer", models.CharField(max_length=255)),
                ("nonce", models.CharField(max_length=255)),
                ("expires", models.DateTimeField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("issuer", "nonce"), name="usednonce_unique")
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="lineitem",
            constraint=models.UniqueConstraint(
                fields=("registration", "url"), name="lineitem_unique_url"
            ),
        ),
        migrations.AddIndex(
            model_name="gradesend",
            index=models.Index(
                condition=models.Q(("status", "sent"), _negated=True),
                fields=["status"],
                name="gradesend_todo",
            ),
        ),
        migrations.AddConstraint(
            model_name="gradesend",
            constraint=models.UniqueConstraint(
                fields=("line_item", "user"), name="gradesend_unique_user"
            ),
        ),
        migrations.AddConstraint(
            model_name="ltiaccount",
            constraint=models.UniqueConstraint(
                fields=("issuer", "sub"), name="ltiaccount_unique_sub"
            ),
        ),
    ]
