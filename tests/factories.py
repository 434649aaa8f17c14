from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from organisations.demo import MINIMAL_PDF, demo_bankgiro, demo_organisation_number
from organisations.models import (
    LegalForm,
    Organisation,
    OrganisationMembership,
    OrganisationRole,
    OrganisationStatus,
    PaymentMethod,
    TargetGroup,
)
from portal.models import PublicBody, PublicBodyMembership, PublicBodyRole, User

PASSWORD = "ett-langt-losenord-2026"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@exempel.se")
    name = factory.Sequence(lambda n: f"Person {n}")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class PublicBodyFactory(factory.django.DjangoModelFactory[PublicBody]):
    class Meta:
        model = PublicBody

    name = factory.Sequence(lambda n: f"Kommun {n}")
    kind = PublicBody.Kind.MUNICIPALITY
    registry_prefix = factory.Sequence(lambda n: f"K{n}")


class CommitteeFactory(PublicBodyFactory):
    name = factory.Sequence(lambda n: f"Nämnd {n}")
    kind = PublicBody.Kind.COMMITTEE
    parent = factory.SubFactory(PublicBodyFactory)
    registry_prefix = factory.Sequence(lambda n: f"N{n}")


class MembershipFactory(factory.django.DjangoModelFactory[PublicBodyMembership]):
    class Meta:
        model = PublicBodyMembership

    user = factory.SubFactory(UserFactory)
    public_body = factory.SubFactory(CommitteeFactory)
    role = PublicBodyRole.CASE_OFFICER


def give_totp(user: User, secret: str | None = None) -> Authenticator:
    """Activate TOTP for a user as allauth does after a correct first code."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    return TOTP.activate(user, secret or generate_totp_secret()).instance


def totp_code(secret: str) -> str:
    """The authenticator app's current code for `secret`."""
    import time

    from allauth.mfa.totp.internal.auth import hotp_value

    return f"{hotp_value(secret, int(time.time()) // 30):06d}"


# --- the register ----------------------------------------------------------------------


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


def pdf_upload(name: str = "stadgar.pdf", content: bytes = MINIMAL_PDF):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")
