"""Payments, follow-up reports and recoveries keep their application's public body, which the
officer's lists are scoped by: set when a service writes the row, and filled by the migration
for the rows written before it."""

from __future__ import annotations

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from grants import services
from grants.models import FollowUpReport, Payment, Recovery
from portal.models import PublicBody
from tests.grants.conftest import Grants, decided, pay
from tests.helpers.clients import logged_in
from tests.helpers.queries import count_queries

pytestmark = pytest.mark.django_db

migration = importlib.import_module("grants.migrations.0009_public_body_on_money_rows")


def test_the_services_write_the_applications_body_and_the_lists_show_the_rows(
    grants: Grants,
) -> None:
    application = decided(grants)
    payment = pay(grants, application)
    report = FollowUpReport.objects.get(application=application)
    services.recovery_open(
        application=application,
        actor=grants.officer,
        amount=Decimal(1000),
        reason="Delar av bidraget användes inte.",
        due_date=timezone.localdate() + timedelta(days=30),
    )
    recovery = Recovery.objects.get(application=application)
    assert payment.public_body_id == report.public_body_id == recovery.public_body_id
    assert recovery.public_body_id == application.public_body_id
    client = logged_in(grants.officer)
    for name, row in (("payments", payment), ("reports", report), ("recoveries", recovery)):
        page = client.get(reverse(f"grants:{name}")).context["page"]
        assert [item.pk for item in page.object_list] == [row.pk], name
    # an officer of another body sees none of them
    other = logged_in(grants.other_body_officer)
    for name in ("payments", "reports", "recoveries"):
        response = other.get(reverse(f"grants:{name}"))
        assert response.status_code == 404 or not response.context["page"].object_list


def test_the_migration_fills_the_body_from_the_application_in_one_update_per_table(
    grants: Grants,
) -> None:
    application = decided(grants)
    pay(grants, application)
    elsewhere = PublicBody.objects.create(name="Annan nämnd", kind="namnd", registry_prefix="AN")
    for model in (Payment, FollowUpReport):
        model.objects.update(public_body=elsewhere)

    class Editor:  # what fill() asks of the schema editor: run one statement
        def execute(self, sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)

    with count_queries() as queries:
        migration.fill(apps, Editor())
    assert len(queries) == 3  # one UPDATE per table, not one per row
    assert Payment.objects.get().public_body_id == application.public_body_id
    assert FollowUpReport.objects.get().public_body_id == application.public_body_id
