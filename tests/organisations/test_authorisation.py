"""The register from the side of those who must be refused: nobody sees or changes another
organisation's private pages, documents or people; roles limit what members may do."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from organisations.models import DocumentVersion, Invitation, OrganisationMembership
from organisations.urls import urlpatterns
from tests.helpers.audit import nothing_audited
from tests.helpers.clients import logged_in
from tests.helpers.urls import answer_status, app_urls
from tests.organisations.conftest import World

pytestmark = pytest.mark.django_db


def private_urls(world: World) -> list[str]:
    """Every organisations URL except the public directory and the invitation link, filled in
    with the real objects of `world`."""
    values = {
        "pk": world.organisation.pk,
        "member_pk": world.editor_membership.pk,
        "invitation_pk": world.invitation.pk,
        "request_pk": world.join_request.pk,
        "version_pk": world.version.pk,
        "document_pk": world.document.pk,
    }
    public = {
        "directory",
        "directory_detail",
        "invitation_accept",
        "mine",
        "register",
        "join_request_create",
    }
    urls = [url for _name, url in app_urls("organisations", urlpatterns, values, skip=public)]
    assert len(urls) >= 15
    return urls


def _request(client: Client, url: str) -> int:
    return answer_status(
        client, url, {"role": "viewer", "decision": "accept", "to": "verified", "email": "x@y.se"}
    )


def test_a_member_of_another_organisation_gets_404_everywhere(world: World) -> None:
    client = logged_in(world.outsider)
    with nothing_audited():
        for url in private_urls(world):
            assert _request(client, url) == 404, url
    assert OrganisationMembership.objects.filter(organisation=world.organisation).count() == 3


def test_an_anonymous_visitor_is_sent_to_login_from_every_private_url(world: World) -> None:
    client = Client()
    for url in private_urls(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url


def test_documents_cannot_be_downloaded_by_others(world: World) -> None:
    url = reverse("organisations:document_download", args=[world.organisation.pk, world.version.pk])
    assert logged_in(world.outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    # the right organisation number in the URL does not help with another organisation's file
    other = OrganisationMembership.objects.get(user=world.outsider).organisation
    url = reverse("organisations:document_download", args=[other.pk, world.version.pk])
    assert logged_in(world.outsider).get(url).status_code == 404
    # a member gets the file
    response = logged_in(world.viewer).get(
        reverse("organisations:document_download", args=[world.organisation.pk, world.version.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_officer_pages_are_404_for_members(world: World) -> None:
    client = logged_in(world.representative)
    for name in ("organisations:officer_queue",):
        assert client.get(reverse(name)).status_code == 404
    assert (
        client.get(
            reverse("organisations:officer_detail", args=[world.organisation.pk])
        ).status_code
        == 404
    )
    response = client.post(
        reverse("organisations:officer_transition", args=[world.organisation.pk]),
        {"confirmed": "1", "to": "verified"},
    )
    assert response.status_code == 404
    world.organisation.refresh_from_db()
    assert world.organisation.status == "pending"


def test_a_viewer_cannot_do_an_editors_work(world: World) -> None:
    client = logged_in(world.viewer)
    pk = world.organisation.pk
    assert client.get(reverse("organisations:edit", args=[pk])).status_code == 403
    assert (
        client.post(reverse("organisations:edit", args=[pk]), {"name": "Kapad"}).status_code == 403
    )
    from tests.organisations.factories import pdf_upload

    response = client.post(
        reverse("organisations:documents", args=[pk]),
        {"kind": "stadgar", "year": world.document.year, "file": pdf_upload()},
    )
    assert response.status_code == 403
    assert DocumentVersion.objects.count() == 1
    page = client.get(reverse("organisations:documents", args=[pk])).content.decode()
    assert 'type="file"' not in page
    world.organisation.refresh_from_db()
    assert world.organisation.name == "Idrottsföreningen Exempel"


def test_an_editor_cannot_do_a_representatives_work(world: World) -> None:
    client = logged_in(world.editor)
    pk = world.organisation.pk
    refused = [
        (
            reverse("organisations:invite", args=[pk]),
            {"email": "ny2@forening.se", "role": "representative"},
        ),
        (
            reverse("organisations:member_role", args=[pk, world.viewer_membership.pk]),
            {"role": "representative"},
        ),
        (reverse("organisations:member_remove", args=[pk, world.viewer_membership.pk]), {}),
        (reverse("organisations:invitation_revoke", args=[pk, world.invitation.pk]), {}),
        (
            reverse("organisations:join_request_decide", args=[pk, world.join_request.pk]),
            {"decision": "accept", "role": "representative"},
        ),
    ]
    with nothing_audited():
        for url, data in refused:
            assert client.post(url, data).status_code == 403, url
    world.viewer_membership.refresh_from_db()
    assert world.viewer_membership.role == "viewer"
    assert Invitation.objects.get(pk=world.invitation.pk).revoked_at is None
    page = client.get(reverse("organisations:members", args=[pk])).content.decode()
    assert "Skicka inbjudan" not in page
    assert reverse("organisations:invite", args=[pk]) not in page
