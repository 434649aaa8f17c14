"""The case officer's irreversible actions on an organisation ask first: one POST without
`confirmed` shows what will happen and changes nothing; the confirmation page posts the same
fields again, and only then is the action taken. A person who may not act is refused at once,
with the reason, and is never asked to confirm."""

from __future__ import annotations

import pytest
from django.urls import reverse

from organisations import selectors, services
from organisations.models import ConflictOfInterest, OrganisationStatus
from portal.models import AuditEvent, User
from tests.helpers.clients import logged_in, shown_messages
from tests.helpers.forms import state_of
from tests.organisations.conftest import World, officer_page_versions

pytestmark = pytest.mark.django_db


def confirm_fields(page: str) -> dict[str, str]:
    """The hidden fields the confirmation page posts again, as the browser sends them."""
    import re

    form = re.search(
        r'<form method="post" action="[^"]*" class="form" data-no-guard>(.*?)</form>', page, re.S
    )
    assert form is not None, page
    return {
        name: value.replace("&quot;", '"').replace("&amp;", "&")
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(1)
        )
        if name != "csrfmiddlewaretoken"
    }


def nothing_changed(world: World, before: int) -> None:
    world.organisation.refresh_from_db()
    world.document.refresh_from_db()
    assert AuditEvent.objects.count() == before
    assert world.organisation.status == OrganisationStatus.PENDING
    assert world.document.status == "submitted"
    assert not ConflictOfInterest.objects.exists()


@pytest.mark.parametrize(
    ("action", "data", "words"),
    [
        ("transition", {"to": "verified"}, "Ändra status för Idrottsföreningen Exempel"),
        ("transition", {"to": "rejected", "comment": "Ingen förening."}, "till ”Avslagen”"),
        ("review", {"decision": "approve"}, "Godkänna"),
        ("review", {"decision": "return", "comment": "Fel år."}, "Skicka tillbaka"),
        ("conflict", {"reason": "Min syster sitter i styrelsen."}, "Anmäla jäv"),
    ],
)
def test_one_post_without_confirmation_changes_nothing(
    world: World, officer: User, action: str, data: dict[str, str], words: str
) -> None:
    client = logged_in(officer)
    urls = {
        "transition": reverse("organisations:officer_transition", args=[world.organisation.pk]),
        "review": reverse(
            "organisations:officer_document_review",
            args=[world.organisation.pk, world.document.pk],
        ),
        "conflict": reverse("organisations:officer_declare_conflict", args=[world.organisation.pk]),
    }
    url = urls[action]
    versions = officer_page_versions(client, world.organisation)
    posted = {**data, "seen_state": state_of(world.organisation)}
    if url in versions:
        posted["seen_version"] = versions[url]
    before = AuditEvent.objects.count()

    response = client.post(url, posted)
    assert response.status_code == 200
    page = response.content.decode()
    assert words in page, page
    assert 'name="confirmed" value="1"' in page
    nothing_changed(world, before)

    # the confirmation page posts what was sent, and now it is done
    again = confirm_fields(page)
    assert again["confirmed"] == "1" and all(again[key] == value for key, value in posted.items())
    client.post(url, again)
    assert AuditEvent.objects.count() > before


def test_verifying_a_changed_account_asks_first(world: World, officer: User) -> None:
    from organisations.demo import demo_bankgiro

    services.organisation_transition(
        organisation=world.organisation,
        to="verified",
        actor=officer,
        seen_version=selectors.payment_details_version(world.organisation),
    )
    # the association has changed its account since (as its edit page records it)
    world.organisation.payment_account = demo_bankgiro(77_777)
    world.organisation.payment_details_verified = False
    world.organisation.payment_details_changed_by = world.editor
    world.organisation.save()
    client = logged_in(officer)
    url = reverse("organisations:officer_verify_payment", args=[world.organisation.pk])
    seen = selectors.payment_details_version(world.organisation)
    response = client.post(url, {"seen_version": seen})
    assert response.status_code == 200
    assert "Beviljade bidrag betalas ut till det här kontot" in response.content.decode()
    world.organisation.refresh_from_db()
    assert not world.organisation.payment_details_verified
    client.post(url, {"seen_version": seen, "confirmed": "1"})
    world.organisation.refresh_from_db()
    assert world.organisation.payment_details_verified


def test_sending_back_without_a_comment_is_refused_before_any_confirmation(
    world: World, officer: User
) -> None:
    url = reverse("organisations:officer_transition", args=[world.organisation.pk])
    response = logged_in(officer).post(
        url,
        {"to": "needs_update", "comment": " ", "seen_state": state_of(world.organisation)},
        follow=True,
    )
    assert 'name="confirmed"' not in response.content.decode()
    assert any("Skriv en kommentar" in m for m in shown_messages(response))
    world.organisation.refresh_from_db()
    assert world.organisation.status == OrganisationStatus.PENDING


def test_an_excluded_officer_is_refused_with_the_reason_and_never_asked_to_confirm(
    world: World, officer: User
) -> None:
    services.conflict_declare(actor=officer, case=world.organisation, reason="Jäv")
    url = reverse(
        "organisations:officer_document_review", args=[world.organisation.pk, world.document.pk]
    )
    response = logged_in(officer).post(url, {"decision": "approve"}, follow=True)
    page = response.content.decode()
    assert 'name="confirmed"' not in page
    world.document.refresh_from_db()
    assert world.document.status == "submitted"
