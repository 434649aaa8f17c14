from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def completed_from_submissions(apps, schema_editor):  # type: ignore[no-untyped-def]
    """An application sent in more than once was completed: its last submission's time. One
    UPDATE, however many applications there are."""
    Application = apps.get_model("grants", "Application")
    Submission = apps.get_model("grants", "Submission")
    latest = (
        Submission.objects.filter(application_id=OuterRef("pk"), number__gt=1)
        .order_by()
        .values("application_id")
        .annotate(at=Max("submitted_at"))
        .values("at")
    )
    sent_again = Submission.objects.filter(number__gt=1).values("application_id")
    Application.objects.filter(pk__in=sent_again).update(completed_at=Subquery(latest))


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
