"""Factories of the register: organisations, their members and target groups, and the PDF an
association uploads. They depend on `organisations` and the portal's factories only."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from organisations.demo import MINIMAL_PDF, demo_bankgiro, demo_organisation_number
from organisations.models import (
    JoinRequest,
    LegalForm,
    Organisation,
    OrganisationMembership,
    OrganisationRole,
    OrganisationStatus,
    PastMembership,
    PaymentMethod,
    TargetGroup,
)
from tests.portal.factories import UserFactory


class TargetGroupFactory(factory.django.DjangoModelFactory[TargetGroup]):
    class Meta:
        model = TargetGroup
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Målgrupp {n}")


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Föreningen Nummer {n}")
    organisation_number = factory.Sequence(lambda n: demo_organisation_number(100_000 + n))
    legal_form = LegalForm.NON_PROFIT
    district = "Centrum"
    contact_email = factory.Sequence(lambda n: f"info{n}@forening.se")
    purpose = "Verksamhet för barn och unga."
    payment_method = PaymentMethod.BANKGIRO
    payment_account = factory.Sequence(lambda n: demo_bankgiro(10_000 + n))
    status = OrganisationStatus.PENDING
    created_by = factory.SubFactory(UserFactory)


class OrganisationMembershipFactory(factory.django.DjangoModelFactory[OrganisationMembership]):
    class Meta:
        model = OrganisationMembership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrganisationRole.REPRESENTATIVE


class PastMembershipFactory(factory.django.DjangoModelFactory[PastMembership]):
    """A membership that ended ten days ago, after a little over a year."""

    class Meta:
        model = PastMembership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrganisationRole.EDITOR
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=400))
    ended_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))


class JoinRequestFactory(factory.django.DjangoModelFactory[JoinRequest]):
    """A pending request to join, made directly (the service also tells the representatives)."""

    class Meta:
        model = JoinRequest

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)


def pdf_upload(name: str = "stadgar.pdf", content: bytes = MINIMAL_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")
