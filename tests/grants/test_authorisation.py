"""Every application URL, attachment and action from the side of those who must be refused."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from grants import urls as grant_urls
from grants.models import Application, Attachment
from portal.models import User
from tests.grants.conftest import Grants, proposed, submitted
from tests.helpers.audit import nothing_audited
from tests.helpers.clients import in_english, logged_in, shown_messages
from tests.helpers.urls import answer_status, app_urls

pytestmark = pytest.mark.django_db
PUBLIC = {"calls", "call", "open_data", "open_data_json", "open_data_csv"}
POST_DATA = {
    "organisation": "",
    "decision": "confirm",
    "outcome": "approve",
    "motivation": "x",
    "message": "x",
    "due": "2099-01-01",
    "assignee": "",
    "c1-score": "5",
    "title": "Kapad",
    "amount_requested": "1",
}


def urls_for(
    application: Application, attachment: Attachment, criterion_pk: int
) -> list[tuple[str, str]]:
    values = {
        "pk": application.pk,
        "attachment_pk": attachment.pk,
        "criterion_pk": criterion_pk,
        "recovery_pk": 1,
    }
    return app_urls("grants", grant_urls.urlpatterns, values, skip=PUBLIC | {"start"})


def attempt(client: Client, url: str) -> int:
    return answer_status(client, url, POST_DATA)


@pytest.fixture
def case(grants: Grants) -> tuple[Grants, Application, Attachment]:
    application = submitted(grants)
    return grants, application, application.attachments.get()


def unchanged(application: Application) -> None:
    before = application.status
    application.refresh_from_db()
    assert application.status == before


def test_anonymous_visitors_are_sent_to_login(case: tuple[Grants, Application, Attachment]) -> None:
    g, application, attachment = case
    for name, url in urls_for(application, attachment, g.criteria[0].pk):
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login")), (
            name
        )


@pytest.mark.parametrize("who", ["outsider", "other_body_officer"])
def test_other_organisations_and_other_public_bodies_get_404(
    case: tuple[Grants, Application, Attachment], who: str
) -> None:
    g, application, attachment = case
    client = logged_in(getattr(g, who))
    with nothing_audited():
        for name, url in urls_for(application, attachment, g.criteria[0].pk):
            if name in {"mine", "inbox", "decisions", "payments", "reports", "recoveries"}:
                continue  # their own lists
            assert attempt(client, url) == 404, (who, name)
    unchanged(application)
    assert application.registry_number not in client.get(reverse("grants:mine")).content.decode()


def test_an_officer_of_another_body_sees_nothing_in_the_inbox(
    case: tuple[Grants, Application, Attachment],
) -> None:
    g, application, _attachment = case
    page = logged_in(g.other_body_officer).get(reverse("grants:inbox")).content.decode()
    # (as a number of its own: the search field's example, "KFN 2026/12", is not it)
    assert not re.search(rf"{re.escape(application.registry_number or '')}(?!\d)", page)
    assert logged_in(g.other_body_officer).get(reverse("grants:decisions")).status_code == 404


def test_a_viewer_reads_but_cannot_change_submit_or_withdraw(grants: Grants) -> None:
    from tests.grants.conftest import complete_draft

    g = grants
    draft = complete_draft(g)
    client = logged_in(g.viewer)
    assert client.get(reverse("grants:application", args=[draft.pk])).status_code == 200
    with nothing_audited():
        assert (
            client.post(
                reverse("grants:application", args=[draft.pk]), {"title": "Kapad", "submit": "1"}
            ).status_code
            == 403
        )
        assert client.post(reverse("grants:withdraw", args=[draft.pk])).status_code == 403
        from tests.organisations.factories import pdf_upload

        assert (
            client.post(
                reverse("grants:attachment_add", args=[draft.pk]), {"file": pdf_upload()}
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse("grants:attachment_remove", args=[draft.pk, draft.attachments.get().pk])
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse("grants:start", args=[g.call.pk]), {"organisation": g.organisation.pk}
            ).status_code
            == 302
        )
        assert Application.objects.count() == 1  # a viewer starts nothing
    unchanged(draft)


def test_members_cannot_do_the_officers_work(case: tuple[Grants, Application, Attachment]) -> None:
    g, application, _attachment = case
    client = logged_in(g.representative)
    for name in (
        "officer_application",
        "start_review",
        "request_completion",
        "propose",
        "decide",
        "assign",
    ):
        assert attempt(client, reverse(f"grants:{name}", args=[application.pk])) == 404, name


def test_officers_do_not_see_drafts(grants: Grants) -> None:
    from tests.grants.conftest import complete_draft

    draft = complete_draft(grants)
    client = logged_in(grants.officer)
    assert client.get(reverse("grants:officer_application", args=[draft.pk])).status_code == 404
    assert (
        client.get(
            reverse("grants:attachment", args=[draft.pk, draft.attachments.get().pk])
        ).status_code
        == 404
    )


def test_a_case_officer_who_is_not_a_decision_maker_cannot_decide(grants: Grants) -> None:
    application = proposed(grants)
    response = in_english(logged_in(grants.officer)).post(
        reverse("grants:decide", args=[application.pk]), {"decision": "confirm"}, follow=True
    )
    assert response.redirect_chain[-1][1] == 302  # back to the case, told why
    assert any("Only a decision maker of the public body" in m for m in shown_messages(response))
    application.refresh_from_db()
    assert application.status == "proposed"


def test_attachments_download_for_members_and_the_owning_bodys_officers(
    case: tuple[Grants, Application, Attachment],
) -> None:
    g, application, attachment = case
    url = reverse("grants:attachment", args=[application.pk, attachment.pk])
    for user in (g.viewer, g.officer):
        response = logged_in(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    other: User = g.outsider
    assert logged_in(other).get(url).status_code == 404
