from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import timezone

from organisations import services
from organisations.models import (
    AnnualDocument,
    DocumentKind,
    DocumentVersion,
    Invitation,
    JoinRequest,
    Organisation,
    OrganisationMembership,
    OrganisationRole,
    OrganisationStatus,
)
from portal.models import User
from tests.helpers.forms import page_versions
from tests.organisations.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    pdf_upload,
)
from tests.portal.factories import UserFactory


@dataclass
class World:
    """One organisation with a person in each role, a document, an invitation and a request."""

    organisation: Organisation
    representative: User
    editor: User
    viewer: User
    editor_membership: OrganisationMembership
    viewer_membership: OrganisationMembership
    representative_membership: OrganisationMembership
    version: DocumentVersion
    document: AnnualDocument
    invitation: Invitation
    join_request: JoinRequest
    outsider: User  # a member of another organisation


@pytest.fixture
def world(db: None) -> World:
    organisation = OrganisationFactory(name="Idrottsföreningen Exempel")
    representative_membership = OrganisationMembershipFactory(
        organisation=organisation,
        role=OrganisationRole.REPRESENTATIVE,
        user__name="Rita Representant",
    )
    editor_membership = OrganisationMembershipFactory(
        organisation=organisation, role=OrganisationRole.EDITOR, user__name="Erik Redaktör"
    )
    viewer_membership = OrganisationMembershipFactory(
        organisation=organisation, role=OrganisationRole.VIEWER, user__name="Vera Läsare"
    )
    representative = representative_membership.user
    version = services.document_upload(
        organisation=organisation,
        actor=representative,
        year=timezone.localdate().year,
        kind=DocumentKind.STATUTES,
        upload=pdf_upload(),
    )
    invitation = services.invitation_create(
        organisation=organisation,
        actor=representative,
        email="ny@forening.se",
        role=OrganisationRole.VIEWER,
    )
    join_request = services.join_request_create(organisation=organisation, actor=UserFactory())
    outsider = OrganisationMembershipFactory(role=OrganisationRole.REPRESENTATIVE).user
    return World(
        organisation=organisation,
        representative=representative,
        editor=editor_membership.user,
        viewer=viewer_membership.user,
        editor_membership=editor_membership,
        viewer_membership=viewer_membership,
        representative_membership=representative_membership,
        version=version,
        document=version.document,
        invitation=invitation,
        join_request=join_request,
        outsider=outsider,
    )


def officer_page_versions(client: object, organisation: Organisation) -> dict[str, str]:
    """The versions the forms on the officer's page of the organisation carry, by action."""
    from django.urls import reverse

    return page_versions(client, reverse("organisations:officer_detail", args=[organisation.pk]))


def make_verified(world: World) -> None:
    """The organisation as a case officer left it: verified, payment details too."""
    world.organisation.status = OrganisationStatus.VERIFIED
    world.organisation.payment_details_verified = True
    world.organisation.save()


def edit_organisation(client: object, organisation: Organisation, **changes: object) -> object:
    """A member changes the organisation's details through its edit page, as in the browser:
    the form as shown, with `changes` typed in."""
    from django.urls import reverse

    url = reverse("organisations:edit", args=[organisation.pk])
    page = client.get(url)  # type: ignore[attr-defined]
    data = {
        key: value
        for key, value in page.context["form"].initial.items()
        if value is not None and key != "target_groups"
    }
    data.update(kammarkollegiet_registered="", public_listing="")
    data.update(changes)
    return client.post(url, data, follow=True)  # type: ignore[attr-defined]
