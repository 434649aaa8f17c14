"""Factories of grants: programmes with their criteria, calls with their questions and
attachment types, and application rows made directly (for lists, counts and money that a test
needs without walking the whole path). They depend on `grants` and the factories of the
register and the portal only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from grants.models import (
    Application,
    ApplicationStatus,
    AttachmentType,
    Call,
    Criterion,
    FollowUpReport,
    Payment,
    Programme,
    ProgrammeKind,
    Question,
    QuestionKind,
    Recovery,
)
from tests.organisations.factories import OrganisationFactory
from tests.portal.factories import CommitteeFactory, UserFactory


class ProgrammeFactory(factory.django.DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    public_body = factory.SubFactory(CommitteeFactory)
    name = factory.Sequence(lambda n: f"Bidragsprogram {n}")
    kind = ProgrammeKind.PROJECT


class CriterionFactory(factory.django.DjangoModelFactory[Criterion]):
    class Meta:
        model = Criterion

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Kriterium {n}")


class CallFactory(factory.django.DjangoModelFactory[Call]):
    """A call open for ten more days (no questions: see `make_call` in the grants conftest)."""

    class Meta:
        model = Call

    programme = factory.SubFactory(ProgrammeFactory)
    title = "Mötesplatser för unga"
    description = "Projekt för unga."
    budget = Decimal("100000")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))


class QuestionFactory(factory.django.DjangoModelFactory[Question]):
    class Meta:
        model = Question

    call = factory.SubFactory(CallFactory)
    text = factory.Sequence(lambda n: f"Fråga {n}")
    kind = QuestionKind.SHORT_TEXT


class AttachmentTypeFactory(factory.django.DjangoModelFactory[AttachmentType]):
    class Meta:
        model = AttachmentType

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"Bilaga {n}")


class ApplicationFactory(factory.django.DjangoModelFactory[Application]):
    """An application row as it stands, without the services' path to it (no registry number
    unless given, no submission, no audit trail)."""

    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    public_body = factory.LazyAttribute(lambda application: application.call.programme.public_body)
    status = ApplicationStatus.DRAFT
    title = factory.Sequence(lambda n: f"Ansökan {n}")
    created_by = factory.SubFactory(UserFactory)


class PaymentFactory(factory.django.DjangoModelFactory[Payment]):
    class Meta:
        model = Payment

    application = factory.SubFactory(ApplicationFactory)
    amount = Decimal("10000")
    paid_on = factory.LazyFunction(timezone.localdate)
    reference = "F-1"
    account = factory.LazyAttribute(
        lambda payment: payment.application.organisation.payment_account_display
    )
    registered_by = factory.SubFactory(UserFactory)


class FollowUpReportFactory(factory.django.DjangoModelFactory[FollowUpReport]):
    class Meta:
        model = FollowUpReport
        django_get_or_create = ("application",)  # one report per application

    application = factory.SubFactory(ApplicationFactory)
    due_date = factory.LazyFunction(timezone.localdate)


class RecoveryFactory(factory.django.DjangoModelFactory[Recovery]):
    class Meta:
        model = Recovery

    application = factory.SubFactory(ApplicationFactory)
    amount = Decimal("500")
    reason = "Ej förbrukat."
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    opened_by = factory.SubFactory(UserFactory)
