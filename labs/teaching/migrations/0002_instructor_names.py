from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("teaching", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="quiz",
            name="instructor_group_names",
            field=models.JSONField(
                blank=True, default=list, help_text="Group names named by the quiz file."
            ),
        ),
        migrations.AddField(
            model_name="quiz",
            name="instructor_names",
            field=models.JSONField(
                blank=True, default=list, help_text="Usernames named by the quiz file."
            ),
        ),
    ]
