import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("paperlabs_lti", "0001_lti"),
    ]

    operations = [
        migrations.AddField(
            model_name="gradesend",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="gradesend",
            name="next_try",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
    ]
