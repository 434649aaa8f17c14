"""The yearly report for the committee: asked for on the dashboard, built by the worker as PDF,
with the same figures as the dashboard; only for those who may see the dashboard."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from insights import presenting
from insights.models import ReportStatus, YearlyReport
from insights.templatetags.insights_tags import figure
from tests.helpers.clients import logged_in
from tests.portal.factories import CommitteeFactory, MembershipFactory, give_totp


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def test_the_report_is_built_and_its_figures_are_the_dashboards(
    kommun: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = logged_in(kommun["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("insights:report_request"),
            {"rapport-kommun": kommun["root"].pk, "rapport-ar": 2025},
        )
    assert response.status_code == 302
    report = YearlyReport.objects.get()
    assert report.status == ReportStatus.READY and report.sha256
    dashboard = client.get(reverse("insights:dashboard"), {"ar": "2025"})
    page = dashboard.content.decode()
    assert "Fördelning av föreningsstöd 2025 (PDF)" in page
    download = client.get(reverse("insights:report_download", args=[report.pk]))
    assert download["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(b"".join(download.streaming_content)).split())  # type: ignore[attr-defined]
    assert "Fördelning av föreningsstöd 2025" in text
    data = dashboard.context["summary"].data
    for card in presenting.headline(data):
        assert " ".join(figure(card.value, card.kind).split()) in text, card.label
    district = presenting.find(presenting.sections(data), "kommundel")
    assert district is not None
    for row in district.rows:
        assert row[0] in text
        assert " ".join(figure(row[4], "sek").split()) in text


def test_others_cannot_ask_for_or_read_a_report(
    kommun: dict[str, Any],
    member: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(kommun["officer"]).post(
            reverse("insights:report_request"),
            {"rapport-kommun": kommun["root"].pk, "rapport-ar": 2025},
        )
    report = YearlyReport.objects.get()
    other = MembershipFactory(public_body=CommitteeFactory(name="Annan nämnd")).user
    give_totp(other)
    url = reverse("insights:report_download", args=[report.pk])
    assert logged_in(other).get(url).status_code == 404
    assert logged_in(member).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    response = logged_in(other).post(
        reverse("insights:report_request"),
        {"rapport-kommun": kommun["root"].pk, "rapport-ar": 2025},
    )
    assert response.status_code == 302
    assert YearlyReport.objects.count() == 1  # refused: not one of their municipalities


def test_a_second_request_gets_the_report_there_is(
    kommun: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(kommun["officer"])
    ask = {"rapport-kommun": kommun["root"].pk, "rapport-ar": 2025}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("insights:report_request"), ask)
        client.post(reverse("insights:report_request"), ask)
    assert YearlyReport.objects.count() == 1  # nothing has changed since it was built
    from insights import store

    store.build()  # new figures
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("insights:report_request"), ask)
    assert YearlyReport.objects.count() == 2
