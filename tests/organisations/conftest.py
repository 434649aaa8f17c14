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
)
from portal.models import User
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    pdf_upload,
)


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
