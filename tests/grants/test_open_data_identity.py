"""Open data names the recipient as it was when the grant was decided: an organisation that
later changes its organisationsnummer, name or city does not rewrite who was granted money."""

from __future__ import annotations

import csv
import importlib
import io
import json

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from grants import open_data_store
from grants.models import Application
from organisations.demo import demo_organisation_number
from organisations.models import Organisation
from tests.grants.conftest import Grants, decide_proposal, proposed

pytestmark = pytest.mark.django_db


def published() -> tuple[dict, list[dict[str, str]]]:  # type: ignore[type-arg]
    open_data_store.build()
    client = Client()
    data = json.loads(
        b"".join(client.get(reverse("grants:open_data_json")).streaming_content).decode()
    )
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get(reverse("grants:open_data_csv")).streaming_content).decode()
            )
        )
    )
    return data, rows


def test_open_data_keeps_the_identity_fixed_at_the_decision(grants: Grants) -> None:
    g = grants
    g.organisation.city = "Exempelby"
    g.organisation.save()
    number_then = g.organisation.organisation_number.replace("-", "")
    application = decide_proposal(proposed(g), g.decision_maker)
    assert (application.recipient_name, application.recipient_city) == (
        "Idrottsföreningen Exempel",
        "Exempelby",
    )
    # afterwards the organisation takes another organisationsnummer, name and city
    Organisation.objects.filter(pk=g.organisation.pk).update(
        organisation_number=demo_organisation_number(987_654),
        name="Nya Namnet IF",
        city="Annanstad",
    )
    data, rows = published()
    recipient = data["grants"][0]["recipientOrganization"][0]
    assert recipient == {
        "id": f"SE-BLV-{number_then}",
        "name": "Idrottsföreningen Exempel",
        "addressLocality": "Exempelby",
        "addressCountry": "SE",
    }
    assert [
        (r["Recipient Org:Identifier"], r["Recipient Org:Name"], r["Recipient Org:City"])
        for r in rows
    ] == [(f"SE-BLV-{number_then}", "Idrottsföreningen Exempel", "Exempelby")]
    assert "Nya Namnet IF" not in json.dumps(data, ensure_ascii=False)


def test_the_migration_fixes_the_identity_of_grants_decided_before_it(grants: Grants) -> None:
    g = grants
    application = decide_proposal(proposed(g), g.decision_maker)
    Application.objects.filter(pk=application.pk).update(
        recipient_org_number="", recipient_name="", recipient_city=""
    )
    migration = importlib.import_module("grants.migrations.0005_decision_snapshot_and_appeal_text")
    migration.snapshot_decided(apps, None)
    application.refresh_from_db()
    assert application.recipient_name == g.organisation.name
    assert application.recipient_org_number == g.organisation.organisation_number
