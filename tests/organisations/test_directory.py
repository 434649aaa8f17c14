from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from organisations.models import OrganisationStatus
from tests.organisations.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    TargetGroupFactory,
)

pytestmark = pytest.mark.django_db


def test_the_directory_lists_only_verified_organisations_that_opted_in() -> None:
    listed = OrganisationFactory(
        name="Synliga Föreningen", status=OrganisationStatus.VERIFIED, public_listing=True
    )
    OrganisationFactory(
        name="Hemliga Föreningen", status=OrganisationStatus.VERIFIED, public_listing=False
    )
    OrganisationFactory(
        name="Overifierade Föreningen", status=OrganisationStatus.PENDING, public_listing=True
    )
    member = OrganisationMembershipFactory(
        organisation=listed, user__email="ordforande@privat.se", user__name="Olle Ordförande"
    ).user
    page = Client().get(reverse("organisations:directory")).content.decode()
    assert "Synliga Föreningen" in page
    assert "Hemliga Föreningen" not in page and "Overifierade Föreningen" not in page
    detail = (
        Client().get(reverse("organisations:directory_detail", args=[listed.pk])).content.decode()
    )
    assert listed.contact_email in detail
    for private in (member.email, member.name, listed.payment_account):
        assert private not in page and private not in detail


def test_unlisted_organisations_have_no_public_page() -> None:
    hidden = OrganisationFactory(status=OrganisationStatus.VERIFIED, public_listing=False)
    assert (
        Client().get(reverse("organisations:directory_detail", args=[hidden.pk])).status_code == 404
    )


def test_the_directory_is_searched_and_filtered() -> None:
    youth = TargetGroupFactory(name="Unga 13–25 år")
    chess = OrganisationFactory(
        name="Åby Schackklubb", district="Åby", status="verified", public_listing=True
    )
    rowing = OrganisationFactory(
        name="Hamnens Roddsällskap",
        district="Hamnen",
        purpose="Rodd",
        status="verified",
        public_listing=True,
    )
    rowing.target_groups.add(youth)
    client = Client()
    page = client.get(reverse("organisations:directory"), {"q": "schack"}).content.decode()
    assert chess.name in page and rowing.name not in page
    page = client.get(reverse("organisations:directory"), {"district": "Hamnen"}).content.decode()
    assert rowing.name in page and chess.name not in page
    page = client.get(
        reverse("organisations:directory"), {"target_group": youth.pk}
    ).content.decode()
    assert rowing.name in page and chess.name not in page


def test_the_directory_is_paginated() -> None:
    OrganisationFactory.create_batch(27, status="verified", public_listing=True)
    response = Client().get(reverse("organisations:directory"), {"sida": 2})
    assert len(response.context["page"].object_list) == 2
