"""Granted money as 360Giving open data: valid against the shipped 1.4.3 schemas (offline),
only decided grants, nothing about persons, built from a stream into files."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import referencing
import referencing.jsonschema
from django.core.management import call_command
from django.http import FileResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator

from grants import open_data_store, services
from grants.models import Application
from portal.models import User
from tests.grants.conftest import Grants, decide_proposal, score_all, submitted
from tests.helpers.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "grants" / "schemas" / "360giving"
SHARED_SCHEMAS = ROOT.parent / "shared" / "standards" / "360giving"
GRANT_URLS = [
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json",
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json",
]


def validator() -> Draft202012Validator:
    # The schemas say "http://json-schema.org/draft/2020-12/schema", which referencing does not
    # detect on its own: name the draft.
    grant = referencing.jsonschema.DRAFT202012.create_resource(
        json.loads((SCHEMAS / "360-giving-schema.json").read_text())
    )
    registry = referencing.Registry().with_resources([(url, grant) for url in GRANT_URLS])
    package = json.loads((SCHEMAS / "360-giving-package-schema.json").read_text())
    return Draft202012Validator(
        package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def package(client: Client | None = None) -> tuple[dict, str]:  # type: ignore[type-arg]
    """The package as served after a build (the tests' transactions never commit, so the
    build a decision queues on commit is run here)."""
    open_data_store.build()
    response = (client or Client()).get(reverse("grants:open_data_json"))
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    text = b"".join(response.streaming_content).decode()
    return json.loads(text), text


def decide(g: Grants, *, amount: str = "40000", reject: bool = False) -> Application:
    g.call.budget = Decimal("10000000")
    g.call.save()
    application = submitted(g, amount=amount)  # the amount applied for
    services.application_start_review(application=application, actor=g.officer)
    application.refresh_from_db()
    score_all(g, application)
    services.application_propose(
        application=application,
        actor=g.officer,
        outcome="reject" if reject else "approve",
        amount=None,
        motivation="x",
        seen_version=services.proposal_version(application),
    )
    return decide_proposal(application, g.decision_maker)


def test_the_package_validates_and_holds_only_decided_grants_without_persons(
    grants: Grants,
) -> None:
    g = grants
    approved = decide(g)
    services.payment_register(
        application=approved,
        actor=g.officer,
        amount=Decimal("15000"),
        paid_on=timezone.localdate(approved.decided_at),
        reference="x",
        seen_version=services.payment_version(approved),
    )
    # a payment dated ahead (registered with the bank, not yet paid out) is not disbursed yet
    services.payment_register(
        application=approved,
        actor=g.officer,
        amount=Decimal("10000"),
        paid_on=timezone.localdate() + timedelta(days=30),
        reference="y",
        seen_version=services.payment_version(approved),
    )
    rejected = decide(g, reject=True)
    withdrawn = submitted(g)
    services.application_withdraw(application=withdrawn, actor=g.editor)
    data, text = package()
    errors = list(validator().iter_errors(data))
    assert errors == [], [e.message for e in errors[:5]]
    ids = [grant["id"] for grant in data["grants"]]
    assert len(ids) == 1 and approved.registry_number.replace(" ", "-").replace("/", "-") in ids[0]
    assert all(rejected.registry_number.replace(" ", "-").replace("/", "-") not in i for i in ids)
    grant = data["grants"][0]
    assert grant["currency"] == "SEK" and grant["fromOpenCall"] == "Yes"
    assert grant["amountAwarded"] == 40000 and grant["amountDisbursed"] == 15000
    assert (
        grant["recipientOrganization"][0]["id"]
        == f"SE-BLV-{g.organisation.organisation_number.replace('-', '')}"
    )
    assert grant["fundingOrganization"][0]["department"] == g.body.name
    assert grant["grantProgramme"][0]["title"] == g.programme.name
    assert grant["plannedDates"][0]["startDate"] == approved.planned_start.isoformat()
    assert grant["id"].startswith("360G-")
    for person in User.objects.all():
        assert person.email not in text
        assert not person.name or person.name not in text
    assert g.organisation.contact_email not in text


def test_the_demo_data_package_validates(settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    # seed_demo leaves the files built: served without another build
    response = Client().get(reverse("grants:open_data_json"))
    data = json.loads(b"".join(response.streaming_content).decode())
    granted = Application.objects.filter(status__in=["approved", "partly_approved"])
    # the demo's approved and partly approved grants, those of earlier years included
    assert len(data["grants"]) == granted.count() > 2
    assert list(validator().iter_errors(data)) == []


def test_an_empty_portal_publishes_no_package_and_says_why(db: None) -> None:
    open_data_store.build()
    response = Client().get(reverse("grants:open_data_json"))
    assert response.status_code == 404
    assert "minst ett bidrag" in response.json()["detail"]
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(Client().get(reverse("grants:open_data_csv")).streaming_content).decode()
            )
        )
    )
    assert rows == [rows[0]] and rows[0][0] == "Identifier"
    page = Client().get(reverse("grants:open_data")).content.decode()
    assert reverse("grants:open_data_json") in page


def test_csv_has_the_same_rows(grants: Grants) -> None:
    decide(grants)
    decide(grants, amount="30000")
    data, _text = package()  # built
    response = Client().get(reverse("grants:open_data_csv"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["Identifier"] for row in rows] == [grant["id"] for grant in data["grants"]]
    assert {row["Currency"] for row in rows} == {"SEK"}


def test_the_build_queries_do_not_grow_with_the_grants(grants: Grants) -> None:
    decide(grants)
    client = Client()
    with count_queries() as few:
        package(client)
    for _ in range(5):
        decide(grants, amount="1000")
    with count_queries() as many:
        data, _text = package(client)
    assert len(data["grants"]) == 6
    assert_same_query_count(few, many)


def test_the_public_page_sums_granted_money_by_programme_and_year(grants: Grants) -> None:
    decide(grants)
    decide(grants, amount="30000")
    open_data_store.build()
    page = Client().get(reverse("grants:open_data")).content.decode()
    assert grants.programme.name in page and "70\u00a0000\u00a0kr" in page
    assert reverse("grants:open_data_json") in page and reverse("grants:open_data_csv") in page


def test_the_vendored_schemas_are_the_shipped_ones() -> None:
    if not SHARED_SCHEMAS.is_dir():
        pytest.skip(f"no shipped copy at {SHARED_SCHEMAS} to compare with")
    for name in ("360-giving-package-schema.json", "360-giving-schema.json"):
        assert (SCHEMAS / name).read_bytes() == (SHARED_SCHEMAS / name).read_bytes(), name
