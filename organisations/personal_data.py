"""What the register holds about a person (GDPR), for their copy and for erasure
(`portal.personal_data`)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy

from organisations.models import (
    AidDeclaration,
    AidEntry,
    AnnualDocument,
    ConflictOfInterest,
    DocumentVersion,
    Invitation,
    JoinRequest,
    Organisation,
    OrganisationMembership,
    OrganisationRole,
    PastMembership,
    UndertakingMember,
)
from portal.models import User
from portal.registry import DELETE, Blocker, Held, PersonalData


def blockers(user: User) -> list[Blocker]:
    """An organisation keeps at least one representative, and an address it can be reached at:
    the person hands both over first. Two queries whatever the number of organisations."""
    found = []
    others = OrganisationMembership.objects.filter(
        organisation=OuterRef("organisation"), role=OrganisationRole.REPRESENTATIVE
    ).exclude(user=user)
    last = (
        OrganisationMembership.objects.filter(user=user, role=OrganisationRole.REPRESENTATIVE)
        .exclude(Exists(others))
        .select_related("organisation")
        .order_by("organisation__name")
    )
    for membership in last:
        found.append(
            Blocker(
                gettext_lazy(
                    "You are the only representative of %(organisation)s. Before you can erase "
                    "your account, the organisation needs another representative: invite someone "
                    "with the role representative and wait until they have accepted. If the "
                    "organisation is to leave the portal, contact the municipality."
                )
                % {"organisation": membership.organisation.name},
                reverse("organisations:members", args=[membership.organisation_id])
                + "#invite-heading",
                gettext_lazy("Invite a new representative for %(organisation)s")
                % {"organisation": membership.organisation.name},
            )
        )
    others = OrganisationMembership.objects.filter(
        organisation=OuterRef("pk"), role=OrganisationRole.REPRESENTATIVE
    ).exclude(user=user)
    contact = (
        Organisation.objects.filter(contact_email__iexact=user.email)
        .exclude(Exists(others))
        .exclude(memberships__user=user, memberships__role=OrganisationRole.REPRESENTATIVE)
        .order_by("name")
    )
    for organisation in contact:
        found.append(
            Blocker(
                gettext_lazy(
                    "Your email address is the contact address of %(organisation)s, which has no "
                    "representative to take it over. Give the organisation another contact "
                    "address first."
                )
                % {"organisation": organisation.name},
                reverse("organisations:edit", args=[organisation.pk]),
                gettext_lazy("Change the contact details of %(organisation)s")
                % {"organisation": organisation.name},
            )
        )
    return found


def traces(user: User) -> list[str]:
    """The contact phone numbers of the organisations whose contact address is the person's:
    theirs, as they gave them."""
    return list(
        Organisation.objects.filter(contact_email__iexact=user.email)
        .exclude(contact_phone="")
        .values_list("contact_phone", flat=True)
    )


def erase(user: User, actor: User) -> None:
    from organisations.services.members import memberships_end_on_erasure

    memberships_end_on_erasure(user=user, actor=actor)


SOURCE = PersonalData(
    name="foreningar",
    label=gettext_lazy("Organisations"),
    held=(
        Held(
            OrganisationMembership,
            ("user",),
            erase=DELETE,
            also=("organisation__name",),
        ),
        Held(PastMembership, ("user",), also=("organisation__name",)),
        Held(
            Organisation,
            ("created_by", "payment_details_changed_by"),
            only=("name", "organisation_number", "created_at"),
        ),
        Held(JoinRequest, ("user",), also=("organisation__name",)),
        Held(
            JoinRequest,
            ("decided_by",),
            only=("status", "decided_at"),
            also=("organisation__name",),
        ),
        # the invitation's token is a key to the organisation, not data about the person
        Held(
            Invitation,
            ("invited_by", "accepted_by"),
            exclude=("token",),
            only=("role", "created_at", "expires_at", "accepted_at", "revoked_at"),
            also=("organisation__name",),
        ),
        Held(
            AnnualDocument,
            ("reviewed_by",),
            only=("year", "kind", "status", "review_comment", "reviewed_at"),
            also=("organisation__name",),
        ),
        Held(DocumentVersion, ("uploaded_by",), files=("file",)),
        Held(ConflictOfInterest, ("user",)),
        Held(
            AidDeclaration,
            ("declared_by",),
            only=("number", "declared_by_name", "declared_at", "none_received"),
            also=("organisation__name",),
        ),
        Held(
            AidEntry,
            ("recorded_by",),
            only=("decided_on", "granting_body", "source_reference", "recorded_at"),
            also=("organisation__name",),
        ),
        Held(
            UndertakingMember,
            ("added_by",),
            only=("reason", "added_at"),
            also=("organisation__name",),
        ),
    ),
    kept=(
        gettext_lazy(
            "The organisations you registered and the documents you uploaded stay with the "
            "organisations: they are theirs, and the municipality keeps them as records."
        ),
        gettext_lazy(
            "The declarations of de minimis aid you signed for an organisation stay with it, "
            "with your name: the municipality keeps them as records for ten years."
        ),
        gettext_lazy(
            "Where your email address is an organisation's contact address, another "
            "representative of the organisation becomes its contact, without a phone number "
            "until they give one."
        ),
    ),
    blockers=blockers,
    erase=erase,
    traces=traces,
)
