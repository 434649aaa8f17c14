from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from organisations.models import Organisation, OrganisationStatus
from portal.models import AuditEvent, User
from tests.helpers.clients import context_value, logged_in
from tests.helpers.forms import state_of
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.organisations.conftest import World, officer_page_versions
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory

pytestmark = pytest.mark.django_db


def test_queue_shows_waiting_organisations_with_filters_and_search(officer: User) -> None:
    waiting = OrganisationFactory(name="Väntande Föreningen", district="Norr")
    OrganisationFactory(name="Redan Verifierad", status=OrganisationStatus.VERIFIED)
    foundation = OrganisationFactory(
        name="Stiftelsen Lyktan", legal_form="stiftelse", district="Söder"
    )
    client = logged_in(officer)
    page = client.get(reverse("organisations:officer_queue")).content.decode()
    assert "Väntande Föreningen" in page and "Stiftelsen Lyktan" in page
    assert "Redan Verifierad" not in page  # the queue starts at those awaiting verification

    page = client.get(
        reverse("organisations:officer_queue"), {"status": "", "legal_form": "stiftelse"}
    ).content.decode()
    assert "Stiftelsen Lyktan" in page and "Väntande Föreningen" not in page
    page = client.get(
        reverse("organisations:officer_queue"), {"status": "", "district": "Norr"}
    ).content.decode()
    assert "Väntande Föreningen" in page and "Stiftelsen Lyktan" not in page
    digits = waiting.organisation_number.replace("-", "")
    page = client.get(
        reverse("organisations:officer_queue"), {"status": "", "q": digits}
    ).content.decode()
    assert "Väntande Föreningen" in page and "Stiftelsen Lyktan" not in page
    page = client.get(  # the twelve-digit form, with the century first
        reverse("organisations:officer_queue"),
        {"status": "", "q": "16" + waiting.organisation_number},
    ).content.decode()
    assert "Väntande Föreningen" in page and "Stiftelsen Lyktan" not in page
    page = client.get(
        reverse("organisations:officer_queue"), {"status": "", "q": "lyktan"}
    ).content.decode()
    assert "Stiftelsen Lyktan" in page and "Väntande Föreningen" not in page
    assert foundation.pk


def test_queue_is_paginated(officer: User) -> None:
    OrganisationFactory.create_batch(30)
    client = logged_in(officer)
    first = client.get(reverse("organisations:officer_queue"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("organisations:officer_queue"), {"sida": 2})
    assert len(second.context["page"].object_list) == 5


@pytest.mark.parametrize("url_name", ["organisations:officer_queue", "organisations:directory"])
def test_list_pages_make_the_same_number_of_queries_for_5_and_100_organisations(
    officer: User, url_name: str
) -> None:
    from tests.organisations.factories import TargetGroupFactory

    groups = [TargetGroupFactory(), TargetGroupFactory()]

    def make(count: int) -> None:
        for organisation in OrganisationFactory.create_batch(count, public_listing=True):
            organisation.target_groups.set(groups)

    client = logged_in(officer)
    url = reverse(url_name)
    params = {"status": ""}
    make(5)
    if url_name == "organisations:directory":
        Organisation.objects.update(status=OrganisationStatus.VERIFIED)
    client.get(url, params)
    with count_queries() as few:
        client.get(url, params)
    make(95)
    if url_name == "organisations:directory":
        Organisation.objects.update(status=OrganisationStatus.VERIFIED)
    with count_queries() as many:
        response = client.get(url, params)
    assert context_value(response, "page").paginator.count == 100
    assert_same_query_count(few, many)


def test_officer_verifies_and_the_association_sees_verified(
    world: World, officer: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(officer)
    page = client.get(
        reverse("organisations:officer_detail", args=[world.organisation.pk])
    ).content.decode()
    assert world.organisation.name in page
    assert world.representative.email in page  # the officer sees who the people are
    assert world.version.original_name in page
    url = reverse("organisations:officer_transition", args=[world.organisation.pk])
    seen = officer_page_versions(client, world.organisation)[url]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "confirmed": "1",
                "to": "verified",
                "seen_version": seen,
                "seen_state": state_of(world.organisation),
            },
        )
    world.organisation.refresh_from_db()
    assert world.organisation.status == "verified"
    assert world.organisation.payment_details_verified
    assert mail.outbox[-1].to == [world.representative.email]
    event = AuditEvent.objects.get(action="status_changed")
    assert (event.actor, event.from_state, event.to_state) == (officer, "pending", "verified")
    page = (
        logged_in(world.viewer)
        .get(reverse("organisations:detail", args=[world.organisation.pk]))
        .content.decode()
    )
    assert "Verifierad" in page


def test_sending_back_needs_a_comment_that_the_association_sees(
    world: World, officer: User
) -> None:
    client = logged_in(officer)
    url = reverse("organisations:officer_transition", args=[world.organisation.pk])
    response = client.post(
        url, {"confirmed": "1", "to": "needs_update", "comment": "  "}, follow=True
    )
    assert "Skriv en kommentar" in response.content.decode()
    world.organisation.refresh_from_db()
    assert world.organisation.status == "pending"

    client.post(
        url,
        {
            "confirmed": "1",
            "to": "needs_update",
            "comment": "Revisionsberättelsen saknas.",
            "seen_state": state_of(world.organisation),
        },
    )
    world.organisation.refresh_from_db()
    assert world.organisation.status == "needs_update"
    member_client = logged_in(world.editor)
    page = member_client.get(
        reverse("organisations:detail", args=[world.organisation.pk])
    ).content.decode()
    assert "Revisionsberättelsen saknas." in page
    assert "Behöver kompletteras" in page
    # the association resubmits
    member_client.post(
        reverse("organisations:resubmit", args=[world.organisation.pk]),
        {"seen_state": state_of(world.organisation)},
    )
    world.organisation.refresh_from_db()
    assert world.organisation.status == "pending"


def test_an_officer_cannot_skip_the_transition_table(world: World, officer: User) -> None:
    client = logged_in(officer)
    url = reverse("organisations:officer_transition", args=[world.organisation.pk])
    response = client.post(url, {"confirmed": "1", "to": "suspended", "comment": "x"}, follow=True)
    assert "kan inte ändras från" in response.content.decode()
    world.organisation.refresh_from_db()
    assert world.organisation.status == "pending"


def test_rejecting(world: World, officer: User) -> None:
    logged_in(officer).post(
        reverse("organisations:officer_transition", args=[world.organisation.pk]),
        {
            "confirmed": "1",
            "to": "rejected",
            "comment": "Inte en förening i kommunen.",
            "seen_state": state_of(world.organisation),
        },
    )
    world.organisation.refresh_from_db()
    assert (world.organisation.status, world.organisation.status_comment) == (
        "rejected",
        "Inte en förening i kommunen.",
    )


def test_documents_are_approved_or_sent_back(world: World, officer: User) -> None:
    client = logged_in(officer)
    url = reverse(
        "organisations:officer_document_review", args=[world.organisation.pk, world.document.pk]
    )
    seen = officer_page_versions(client, world.organisation)[url]
    client.post(url, {"confirmed": "1", "decision": "return", "comment": "", "seen_version": seen})
    world.document.refresh_from_db()
    assert world.document.status == "submitted"  # a comment is required to send back
    client.post(
        url, {"confirmed": "1", "decision": "return", "comment": "Fel år.", "seen_version": seen}
    )
    world.document.refresh_from_db()
    assert (world.document.status, world.document.review_comment) == ("returned", "Fel år.")
    client.post(url, {"confirmed": "1", "decision": "approve", "comment": "", "seen_version": seen})
    world.document.refresh_from_db()
    assert (world.document.status, world.document.reviewed_by) == ("approved", officer)
    assert AuditEvent.objects.filter(action="document_returned").exists()


def test_the_review_form_of_a_document_posts_with_its_own_token(
    world: World, officer: User
) -> None:
    """The rows of the documents are drawn by Jinja2: the review form there carries the page's
    CSRF token, as the browser sends it (the client checks it like the browser's server)."""
    import re

    client = logged_in(officer, enforce_csrf_checks=True)
    url = reverse(
        "organisations:officer_document_review", args=[world.organisation.pk, world.document.pk]
    )
    page = client.get(reverse("organisations:officer_detail", args=[world.organisation.pk]))
    form = re.search(
        rf'<form[^>]*action="{re.escape(url)}"[^>]*>(.*?)</form>', page.content.decode(), re.S
    )
    assert form is not None
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(1)))
    assert fields["csrfmiddlewaretoken"]
    response = client.post(url, {**fields, "decision": "approve", "comment": "", "confirmed": "1"})
    assert response.status_code != 403
    world.document.refresh_from_db()
    assert world.document.status == "approved"


def test_a_changed_account_is_unverified_until_an_officer_verifies_it(
    world: World, officer: User
) -> None:
    from organisations import selectors, services
    from organisations.demo import demo_bankgiro

    services.organisation_transition(
        organisation=world.organisation,
        to="verified",
        actor=officer,
        seen_version=selectors.payment_details_version(world.organisation),
    )
    old_account = world.organisation.payment_account
    new_account = demo_bankgiro(99_999)
    client = logged_in(world.editor)
    page = client.get(reverse("organisations:edit", args=[world.organisation.pk]))
    data = {
        key: value
        for key, value in page.context["form"].initial.items()
        if value is not None and key != "target_groups"
    }
    data.update(payment_account=new_account, kammarkollegiet_registered="", public_listing="")
    response = client.post(reverse("organisations:edit", args=[world.organisation.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    world.organisation.refresh_from_db()
    assert world.organisation.payment_account == new_account
    assert not world.organisation.payment_details_verified
    assert world.organisation.status == "verified"
    change = AuditEvent.objects.get(action="payment_details_changed")
    assert old_account in change.comment and new_account in change.comment

    officer_client = logged_in(officer)
    officer_page = officer_client.get(
        reverse("organisations:officer_detail", args=[world.organisation.pk])
    ).content.decode()
    assert old_account in officer_page and new_account in officer_page  # in the history
    verify_url = reverse("organisations:officer_verify_payment", args=[world.organisation.pk])
    officer_client.post(
        verify_url,
        {
            "confirmed": "1",
            "seen_version": officer_page_versions(officer_client, world.organisation)[verify_url],
        },
    )
    world.organisation.refresh_from_db()
    assert world.organisation.payment_details_verified


def test_officer_home_counts_the_waiting_organisations(officer: User) -> None:
    OrganisationFactory.create_batch(3)
    OrganisationMembershipFactory(organisation__status=OrganisationStatus.VERIFIED)
    page = logged_in(officer).get(reverse("portal:officer_home")).content.decode()
    assert "3 organisationer väntar på verifiering" in page


def test_verifying_says_with_your_comment_only_when_there_is_one_and_names_the_new_status(
    world: World, officer: User
) -> None:
    client = logged_in(officer)
    url = reverse("organisations:officer_transition", args=[world.organisation.pk])
    seen = officer_page_versions(client, world.organisation)[url]
    data = {
        "to": "verified",
        "comment": "",
        "seen_version": seen,
        "seen_state": state_of(world.organisation),
    }
    asked = client.post(url, data).content.decode()
    assert "Föreningens företrädare får besked via e-post." in asked
    assert "med din kommentar" not in asked
    asked = client.post(url, data | {"comment": "Välkomna!"}).content.decode()
    assert "Föreningens företrädare får besked via e-post, med din kommentar." in asked
    world.organisation.refresh_from_db()
    assert world.organisation.status == "pending"  # asking changes nothing
    response = client.post(url, data | {"confirmed": "1"}, follow=True)
    assert "Organisationen är nu verifierad." in response.content.decode()
    assert "Statusen har ändrats." not in response.content.decode()


def test_the_queues_district_choices_are_kept_and_a_new_district_shows_at_once(
    officer: User,
) -> None:
    """The districts are read once, not on every page of the queue; an organisation saved in a
    new district is offered on the next page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    OrganisationFactory(district="Norr")
    client = logged_in(officer)
    url = reverse("organisations:officer_queue")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert '<option value="Norr">' in page
    assert not any("DISTINCT" in query["sql"] for query in queries.captured_queries)
    OrganisationFactory(district="Västra hamnen")
    assert '<option value="Västra hamnen">' in client.get(url).content.decode()


def test_the_directorys_district_choices_are_kept_and_follow_what_is_listed() -> None:
    """Every visitor's directory asked for the same DISTINCT: it is read once, and an
    organisation listed in a new district, or no longer listed, shows on the next page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    listed = {"status": OrganisationStatus.VERIFIED, "public_listing": True}
    OrganisationFactory(district="Norr", **listed)
    hidden = OrganisationFactory(district="Söder", status=OrganisationStatus.VERIFIED)
    client = Client()
    url = reverse("organisations:directory")
    client.get(url, {"q": "a"})  # a search: not the page kept for visitors
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url, {"q": "b"}).content.decode()
    assert '<option value="Norr">' in page and '<option value="Söder">' not in page
    assert not any("DISTINCT" in query["sql"] for query in queries.captured_queries)
    OrganisationFactory(district="Västra hamnen", **listed)
    hidden.public_listing = True
    hidden.save()
    page = client.get(url, {"q": "c"}).content.decode()
    assert '<option value="Västra hamnen">' in page and '<option value="Söder">' in page
