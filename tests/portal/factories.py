"""Factories of the foundation: people, public bodies and their officers' roles, and a person's
second factor. They depend on nothing but `portal` (and allauth, which it builds on)."""

from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

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


def officer_and_decision_maker(
    public_body: PublicBody | None = None, *, name: str = "Dubbel Roll", user: User | None = None
) -> User:
    """One account that is both case officer and decision maker of a public body (a new
    committee unless given), with a second factor: the account segregation of duties is about.
    `user` gives the roles to an existing person instead of a new one called `name`."""
    person: dict[str, Any] = {"user": user} if user is not None else {"user__name": name}
    body: dict[str, Any] = {"public_body": public_body} if public_body is not None else {}
    role = MembershipFactory(role=PublicBodyRole.CASE_OFFICER, **body, **person)
    MembershipFactory(
        user=role.user, public_body=role.public_body, role=PublicBodyRole.DECISION_MAKER
    )
    give_totp(role.user)
    return role.user
