"""The agreement in force: its follow-up points (planned, recorded, reviewed) and its end, at
term or terminated early."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import permissions
from agreements.models import Agreement
from agreements.services._shared import S, _locked
from agreements.services.cocreation import agreement_transition
from portal import transitions
from portal.models import User
from portal.services import audit_record


@transaction.atomic
def agreement_end(
    *, agreement: Agreement, actor: User, on: date, reason: str = "", terminate: bool = False
) -> Agreement:
    """The agreement ends at its term, or is terminated early with a reason."""
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    if terminate and not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the termination.")]})
    agreement.ended_on = on
    agreement.end_reason = reason.strip()
    return agreement_transition(
        agreement=agreement,
        to=S.TERMINATED if terminate else S.ENDED,
        actor=actor,
        comment=f"{on:%Y-%m-%d} {reason.strip()}".strip(),
    )


@transaction.atomic
def follow_up_plan(*, agreement: Agreement, actor: User, due: date, text: str) -> Any:
    """The officer puts a follow-up point of the plan on the calendar."""
    from agreements.models import FollowUp

    agreement = _locked(agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    if not text.strip():
        raise ValidationError({"text": [_("Say what is to be followed up.")]})
    point = FollowUp.objects.create(
        agreement=agreement, due_date=due, plan=text.strip(), recorded_by=actor
    )
    audit_record(
        actor=actor,
        obj=agreement,
        action="follow_up_planned",
        comment=f"{due:%Y-%m-%d}: {text.strip()}",
    )
    transitions.record_changed(agreement)  # a page drawn before is stale
    return point


@transaction.atomic
def follow_up_record(*, point: Any, actor: User, text: str) -> Any:
    """Either side records what happened, measured against the goals."""
    agreement = _locked(point.agreement)
    permissions.ensure(permissions.can_contribute(actor, agreement), actor, agreement)
    if agreement.status not in Agreement.LIVE_STATUSES:
        raise ValidationError(_("Follow-up is recorded while the agreement is active."))
    if not text.strip():
        raise ValidationError({"text": [_("Describe what happened, measured against the goals.")]})
    point.text = text.strip()
    point.recorded_by = actor
    point.recorded_at = timezone.now()
    point.reviewed_by = None
    point.reviewed_at = None
    point.save()
    audit_record(actor=actor, obj=agreement, action="follow_up_recorded", comment=point.plan)
    transitions.record_changed(agreement)  # a page drawn before is stale
    return point


@transaction.atomic
def follow_up_review(*, point: Any, actor: User) -> Any:
    agreement = _locked(point.agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    if not point.text:
        raise ValidationError(_("Nothing has been recorded yet."))
    point.reviewed_by = actor
    point.reviewed_at = timezone.now()
    point.save(update_fields=["reviewed_by", "reviewed_at"])
    audit_record(actor=actor, obj=agreement, action="follow_up_reviewed", comment=point.plan)
    return point
