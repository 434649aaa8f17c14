"""Payments, reports, recoveries and their files from the side of those who must be refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from grants import services
from grants.models import Application, FollowUpReport, Payment, Recovery, ReportAttachment
from tests.grants.conftest import Grants, decided, pay
from tests.helpers.audit import nothing_audited
from tests.helpers.clients import logged_in, shown_messages
from tests.organisations.factories import pdf_upload

pytestmark = pytest.mark.django_db


Paid = tuple[Grants, Application, tuple[Recovery, ReportAttachment]]


@pytest.fixture
def paid(grants: Grants) -> Paid:
    application = decided(grants)
    pay(grants, application, "10000")
    recovery = services.recovery_open(
        application=application,
        actor=grants.officer,
        amount=Decimal("500"),
        reason="x",
        due_date=date(2027, 1, 1),
    )
    attachment = services.report_attachment_add(
        report=application.report, actor=grants.editor, upload=pdf_upload("kvitton.pdf")
    )
    return grants, application, (recovery, attachment)


def urls(
    application: object, recovery: Recovery, attachment: object
) -> list[tuple[str, str, dict[str, str]]]:
    pk = application.pk
    return [
        ("get", reverse("grants:report", args=[pk]), {}),
        ("post", reverse("grants:report", args=[pk]), {"narrative": "kapad", "submit": "1"}),
        ("post", reverse("grants:report_attachment_add", args=[pk]), {"file": ""}),
        ("get", reverse("grants:report_attachment", args=[pk, attachment.pk]), {}),
        (
            "post",
            reverse("grants:payment_add", args=[pk]),
            {"amount": "100", "paid_on": "2026-12-01", "reference": "x"},
        ),
        (
            "post",
            reverse("grants:recovery_add", args=[pk]),
            {"amount": "100", "reason": "x", "due_date": "2027-01-01"},
        ),
        (
            "post",
            reverse("grants:recovery_paid", args=[pk, recovery.pk]),
            {"paid_on": "2027-01-01"},
        ),
        ("get", reverse("grants:officer_report", args=[pk]), {}),
        ("post", reverse("grants:officer_report", args=[pk]), {"decision": "approve"}),
    ]


@pytest.mark.parametrize("who", ["outsider", "other_body_officer"])
def test_other_organisations_and_other_bodies_get_404(paid: Paid, who: str) -> None:
    g, application, (recovery, attachment) = paid
    client = logged_in(getattr(g, who))
    with nothing_audited():
        for method, url, data in urls(application, recovery, attachment):
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, (who, url)
    assert Payment.objects.count() == 1 and Recovery.objects.get().status == "open"


def test_anonymous_visitors_are_sent_to_login(paid: Paid) -> None:
    _g, application, (recovery, attachment) = paid
    for method, url, data in urls(application, recovery, attachment):
        response = getattr(Client(), method)(url, data)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login")), (
            url
        )
    for name in ("payments", "reports", "recoveries"):
        assert Client().get(reverse(f"grants:{name}")).status_code == 302


def test_members_cannot_pay_review_or_recover(paid: Paid) -> None:
    g, application, (recovery, attachment) = paid
    client = logged_in(g.representative)
    for method, url, data in urls(application, recovery, attachment)[4:]:
        assert getattr(client, method)(url, data).status_code == 404, url
    for name in ("payments", "reports", "recoveries"):
        assert client.get(reverse(f"grants:{name}")).status_code == 404


def test_a_viewer_reads_the_report_but_cannot_change_it(
    paid: Paid,
) -> None:
    g, application, _files = paid
    client = logged_in(g.viewer)
    url = reverse("grants:report", args=[application.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"narrative": "kapad", "save": "1"}, follow=True)
    assert any(  # told why, on the report's page, rather than a bare 403
        "representatives and editors" in m or "företrädare och redaktörer" in m
        for m in shown_messages(refused)
    )
    assert (
        client.post(
            reverse("grants:report_attachment_add", args=[application.pk]), {"file": pdf_upload()}
        ).status_code
        == 403
    )
    assert FollowUpReport.objects.get().narrative == ""


def test_officers_of_the_body_see_the_report_files(paid: Paid) -> None:
    g, application, (_recovery, attachment) = paid
    response = logged_in(g.officer).get(
        reverse("grants:report_attachment", args=[application.pk, attachment.pk])
    )
    assert response.status_code == 200
