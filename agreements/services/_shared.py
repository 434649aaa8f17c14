"""What the agreements services share: the statuses a text may change in, the agreement's
row locked, and the signing round (its number, its live signatures, voiding them)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from agreements import permissions
from agreements.models import Agreement, AgreementStatus, Party, Signature
from portal.models import User

S = AgreementStatus
EDITABLE = permissions.EDITABLE


def _locked(agreement: Agreement) -> Agreement:
    return Agreement.objects.select_for_update(of=("self",)).get(pk=agreement.pk)


def next_version_number(agreement: Agreement) -> int:
    return (
        agreement.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1


def live_signatures(agreement: Agreement, number: int) -> QuerySet[Signature]:
    """The signatures of round `number` that count (not voided by a restart or a replacement)."""
    return Signature.objects.filter(agreement=agreement, number=number, voided_at__isnull=True)


def _void_signatures(agreement: Agreement, *, actor: User, party: Party | None = None) -> list[str]:
    """Void the live signatures of the current round (of one party, or all); they stay as
    evidence. Returns who had signed, for the audit comment."""
    signatures = live_signatures(agreement, next_version_number(agreement)).select_related(
        "party__organisation", "party__public_body", "signed_by"
    )
    if party is not None:
        signatures = signatures.filter(party=party)
    voided = [f"{s.party}: {s.signed_by.display_name}" for s in signatures]
    signatures.update(voided_at=timezone.now(), voided_by=actor)
    return voided
