from django.db import migrations, models
from django.db.models import Max


def completed_from_submissions(apps, schema_editor):  # type: ignore[no-untyped-def]
    """An application sent in more than once was completed: its last submission's time."""
    Application = apps.get_model("grants", "Application")
    Submission = apps.get_model("grants", "Submission")
    latest = (
        Submission.objects.filter(number__gt=1)
        .values("application_id")
        .annotate(at=Max("submitted_at"))
    )
    for row in latest.iterator():
        Application.objects.filter(pk=row["application_id"]).update(completed_at=row["at"])


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0006_reminder_settings_own"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="completed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="completion received"),
        ),
        migrations.RunPython(completed_from_submissions, migrations.RunPython.noop),
    ]
