"""Payments, follow-up reports and recoveries keep their application's public body beside them,
as the application keeps its call's: the officer's lists are scoped and counted by it without
reading the applications (a count of the officer's reports read all 200 000 applications). The
column is filled from the applications in one UPDATE per table, then made required."""

import django.db.models.deletion
from django.db import migrations, models

TABLES = ("grants_payment", "grants_followupreport", "grants_recovery")


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in TABLES:
        schema_editor.execute(
            f"UPDATE {table} SET public_body_id = (SELECT a.public_body_id FROM "
            f"grants_application a WHERE a.id = {table}.application_id)"
        )


def field(null: bool) -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        db_index=False,
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="portal.publicbody",
        verbose_name="public body",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0008_list_indexes"),
        ("portal", "0001_initial"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=model, name="public_body", field=field(True))
            for model in ("payment", "followupreport", "recovery")
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        *(
            migrations.AlterField(model_name=model, name="public_body", field=field(False))
            for model in ("payment", "followupreport", "recovery")
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(fields=["public_body", "-paid_on", "-id"], name="payment_body"),
        ),
        migrations.AddIndex(
            model_name="followupreport",
            index=models.Index(fields=["public_body", "status", "due_date"], name="report_body"),
        ),
        migrations.AddIndex(
            model_name="recovery",
            index=models.Index(fields=["public_body", "status", "due_date"], name="recovery_body"),
        ),
    ]
