from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("labs", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="replay",
            name="source",
            field=models.CharField(
                choices=[
                    ("user", "saved from a lab"),
                    ("import", "imported"),
                    ("sample", "shipped example"),
                    ("exercise", "an exercise answer"),
                    ("feedback", "graded feedback"),
                ],
                default="user",
                max_length=16,
            ),
        ),
    ]
