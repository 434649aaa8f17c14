"""Factories of IOP agreements: an agreement row, its parties, contributions and numbered
versions. An agreement as an association files it (with both parties and a registration
number) comes from `agreements.services.agreement_initiate`, as in the `iop` fixture; these make
the rows a test needs around it. They depend on `agreements` and the factories of the register
and the portal only."""

from __future__ import annotations

from decimal import Decimal

import factory

from agreements.models import Agreement, AgreementVersion, Contribution, ContributionKind, Party
from agreements.services import agreement_snapshot
from tests.organisations.factories import OrganisationFactory
from tests.portal.factories import CommitteeFactory, UserFactory


class AgreementFactory(factory.django.DjangoModelFactory[Agreement]):
    """The agreement row alone: no parties, no registration number, no audit trail."""

    class Meta:
        model = Agreement

    title = factory.Sequence(lambda n: f"Överenskommelse {n}")
    challenge = "Unga saknar trygga mötesplatser på kvällar."
    idea = "Föreningen driver en öppen mötesplats."
    target_group = "Unga 13–19 år."
    association_brings = "Ideella ledare."
    asks_of_public_side = "Lokal."
    initiating_organisation = factory.SubFactory(OrganisationFactory)
    public_body = factory.SubFactory(CommitteeFactory)
    created_by = factory.SubFactory(UserFactory)


class PartyFactory(factory.django.DjangoModelFactory[Party]):
    """A public body's party unless given `organisation=` (and `public_body=None`)."""

    class Meta:
        model = Party

    agreement = factory.SubFactory(AgreementFactory)
    public_body = factory.SubFactory(CommitteeFactory)
    organisation = None


class ContributionFactory(factory.django.DjangoModelFactory[Contribution]):
    class Meta:
        model = Contribution

    party = factory.SubFactory(PartyFactory)
    year = 2027
    kind = ContributionKind.MONEY
    description = "Bidrag"
    value = Decimal("300000")


class AgreementVersionFactory(factory.django.DjangoModelFactory[AgreementVersion]):
    """A numbered version holding the agreement's text as it stands (no PDF yet)."""

    class Meta:
        model = AgreementVersion

    agreement = factory.SubFactory(AgreementFactory)
    number = 1
    content = factory.LazyAttribute(
        lambda version: agreement_snapshot(version.agreement, version=version.number)
    )
