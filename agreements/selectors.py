"""Every read of the IOP agreements a view makes, scoped to who asks; 404 for the others."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from agreements import permissions
from agreements.models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    Contribution,
    Party,
    SectionComment,
    Signature,
)
from organisations import segregation
from portal.models import AuditEvent, PublicBodyRole, User

PUBLIC_STATUSES = [*Agreement.LIVE_STATUSES, AgreementStatus.ENDED, AgreementStatus.TERMINATED]


def agreements_for_user(*, user: User | AnonymousUser) -> QuerySet[Agreement]:
    return (
        Agreement.objects.filter(
            pk__in=Agreement.objects.filter(permissions.visible_q(user)).values("pk")
        )
        .select_related("public_body", "initiating_organisation")
        .order_by("-updated_at", "-id")
    )


def initiatives_to_screen(*, user: User | AnonymousUser) -> int:
    """Initiatives filed with the public bodies where the person is a case officer (who
    screens them), that wait to be screened, without those the person must stay out of
    (segregation of duties): one query. The case handling page's card and the overview's
    to-do list both show it."""
    return (
        segregation.exclude_conflicted(
            Agreement.objects.filter(
                public_body_id__in=permissions.body_ids(user, [PublicBodyRole.CASE_OFFICER]),
                status=AgreementStatus.INITIATIVE,
            ),
            user,
            organisation_field="parties__organisation_id",
        )
        .order_by()
        .count()
    )


def signatures_waiting(*, user: User | AnonymousUser) -> QuerySet[Party]:
    """The parties the person is the chosen signatory of, in agreements waiting for signatures,
    that have not signed the current round yet: one query."""
    current_round = (
        Coalesce(
            Subquery(
                AgreementVersion.objects.filter(agreement_id=OuterRef("agreement_id"))
                .order_by("-number")
                .values("number")[:1]
            ),
            0,
        )
        + 1
    )
    return (
        Party.objects.filter(signatory_id=user.pk or 0, agreement__status=AgreementStatus.SIGNING)
        .annotate(current_round=current_round)
        .exclude(
            Exists(
                Signature.objects.filter(
                    party_id=OuterRef("pk"),
                    number=OuterRef("current_round"),
                    voided_at__isnull=True,
                )
            )
        )
        .select_related("agreement", "organisation", "public_body")
        .order_by("agreement__updated_at", "id")
    )


def agreement_get_for_user(*, user: User | AnonymousUser, pk: int) -> Agreement:
    """For whom `permissions.can_view` admits: members of a party organisation, officers of
    the responsible public body and of every public body that is a party."""
    agreement = (
        agreements_for_user(user=user)
        .filter(pk=pk)
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("public_body", "organisation", "signatory"),
            ),
            Prefetch("versions", queryset=AgreementVersion.objects.order_by("-number")),
        )
        .first()
    )
    if agreement is None:
        raise Http404
    return agreement


def contributions_of(*, agreement: Agreement) -> QuerySet[Contribution]:
    return Contribution.objects.filter(party__agreement=agreement).select_related(
        "party__public_body", "party__organisation"
    )


def comments_of(*, agreement: Agreement) -> QuerySet[SectionComment]:
    return agreement.comments.select_related("author")


def history_of(*, agreement: Agreement) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Agreement), object_id=str(agreement.pk)
    ).order_by("-created_at", "-id")


def public_register() -> QuerySet[Agreement]:
    """Active and ended agreements, public documents, with their parties and contributions."""
    return (
        Agreement.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("public_body")
        .prefetch_related(
            Prefetch(
                "parties", queryset=Party.objects.select_related("public_body", "organisation")
            ),
            Prefetch("versions", queryset=AgreementVersion.objects.order_by("-number")),
        )
        .order_by("-decision_date", "-id")
    )


def public_contributions(*, agreements: list[Agreement]) -> dict[int, list[tuple[int, object]]]:
    """The public side's contributions per agreement and year, for the register, in one query."""
    from collections import defaultdict
    from decimal import Decimal

    totals: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for agreement_id, year, value in Contribution.objects.filter(
        party__agreement__in=agreements, party__public_body__isnull=False
    ).values_list("party__agreement_id", "year", "value"):
        totals[agreement_id][year] += value
    return {agreement_id: sorted(years.items()) for agreement_id, years in totals.items()}


def version_get_for_user(
    *, user: User | AnonymousUser, pk: int, version_pk: int
) -> AgreementVersion:
    """A signed PDF: for parties and officers; for anyone when the officer made it public."""
    version = (
        AgreementVersion.objects.select_related("agreement")
        .filter(pk=version_pk, agreement_id=pk)
        .first()
    )
    if version is None or not version.pdf:
        raise Http404
    agreement = version.agreement
    if agreement.pdf_public and agreement.status in PUBLIC_STATUSES:
        return version
    if not agreements_for_user(user=user).filter(pk=pk).exists():
        raise Http404
    return version
