"""Payments, follow-up reports and recoveries, for the officer's lists and the case."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from grants import permissions
from grants.models import (
    Application,
    FollowUpReport,
    Payment,
    Recovery,
    ReportAttachment,
)
from grants.selectors._shared import _officer_body_ids, _without_conflicts
from grants.selectors.applications import application_get_for_member, application_get_for_officer
from organisations import segregation
from organisations import selectors as organisation_selectors
from portal.models import User
from portal.selectors import user_memberships

if TYPE_CHECKING:
    from organisations.models import OrganisationMembership


# --- payments, reports, recoveries ----------------------------------------------------------


def payments_of(*, application: Application) -> QuerySet[Payment]:
    return application.payments.select_related("registered_by").order_by("paid_on", "id")


def recoveries_of(*, application: Application) -> QuerySet[Recovery]:
    return application.recoveries.order_by("opened_at", "id")


def report_of(*, application: Application) -> FollowUpReport | None:
    return FollowUpReport.objects.filter(application=application).first()


def report_get_for_member(
    *, user: User | AnonymousUser, pk: int
) -> tuple[FollowUpReport, OrganisationMembership]:
    """The follow-up report of application `pk`, for a member of the organisation."""
    application, membership = application_get_for_member(user=user, pk=pk)
    report = (
        FollowUpReport.objects.filter(application=application)
        .select_related("application__call")
        .first()
    )
    if report is None:
        raise Http404
    report.application = application
    return report, membership


def report_get_for_officer(*, user: User | AnonymousUser, pk: int) -> FollowUpReport:
    application = application_get_for_officer(user=user, pk=pk)
    report = FollowUpReport.objects.filter(application=application).first()
    if report is None:
        raise Http404
    report.application = application
    return report


def report_attachment_get_for_user(
    *, user: User | AnonymousUser, application_pk: int, pk: int
) -> ReportAttachment:
    attachment = ReportAttachment.objects.filter(
        pk=pk, report__application_id=application_pk
    ).first()
    if attachment is None or not user.is_authenticated:
        raise Http404
    application = Application.objects.get(pk=application_pk)
    member = (
        organisation_selectors.membership_of(user=user, organisation=application.organisation_id)
        is not None
    )
    officer = application.public_body_id in _officer_body_ids(user) and not permissions.is_excluded(
        user, application
    )
    if not (member or officer):
        raise Http404
    return attachment


def _officer_scope(user: User | AnonymousUser, public_body: int | None) -> list[int]:
    body_ids = _officer_body_ids(user)
    if not body_ids:
        raise Http404
    return [public_body] if public_body in body_ids else body_ids


# What the officer's money lists (and their exports) show of the application: not its answers,
# its case texts or the whole organisation.
LIST_APPLICATION = (
    "application__registry_number",
    "application__organisation__name",
    "application__call__title",
)

PAYMENT_STATES = ["made", "scheduled", "partly_paid", "fully_paid"]


def payments_list(
    *,
    user: User | AnonymousUser,
    state: str = "",
    call: int | None = None,
    public_body: int | None = None,
) -> QuerySet[Payment]:
    """Payments, newest first. `state`: "made" (the payment date has come), "scheduled" (a
    date ahead, registered with the bank), "partly_paid" or "fully_paid" (of the grant: fully
    when its payments add up to the decided amount and none of them is still ahead)."""
    payments = Payment.objects.filter(public_body_id__in=_officer_scope(user, public_body))
    today = timezone.localdate()
    if state == "made":
        payments = payments.made(today)
    elif state == "scheduled":
        payments = payments.ahead(today)
    elif state in {"partly_paid", "fully_paid"}:
        # Fully paid: every krona decided is registered and no payment's day is still ahead.
        registered = Q(application__paid_amount__gte=F("application__decided_amount"))
        ahead = Exists(
            Payment.objects.filter(application_id=OuterRef("application_id")).ahead(today)
        )
        fully = registered & ~ahead
        if state == "fully_paid":
            # none of a fully paid grant's payments is ahead, this one included: said again
            # so that the list starts at today in its index instead of passing every payment
            # scheduled ahead (14 ms rather than 3 at the bench scale)
            payments = payments.filter(fully).made(today)
        else:
            payments = payments.filter(~fully)
    if call:
        payments = payments.filter(application__call_id=call)
    return (
        _without_conflicts(payments, user, application="application__")
        .select_related("application__organisation", "application__call")
        .only(*LIST_APPLICATION, "amount", "paid_on", "reference", "account")
        .order_by("-paid_on", "-id")
    )


REPORT_STATES = ["due", "overdue", "submitted", "revision_requested", "approved"]


def reports_list(
    *,
    user: User | AnonymousUser,
    state: str = "",
    call: int | None = None,
    public_body: int | None = None,
) -> QuerySet[FollowUpReport]:
    """Follow-up reports; "overdue" is derived: not sent in (or sent back) and past its due date
    in Europe/Stockholm."""
    reports = FollowUpReport.objects.filter(public_body_id__in=_officer_scope(user, public_body))
    today = timezone.localdate()
    if state == "overdue":
        reports = reports.overdue(today)
    elif state == "due":
        reports = reports.filter(status="due", due_date__gte=today)
    elif state:
        reports = reports.filter(status=state)
    if call:
        reports = reports.filter(application__call_id=call)
    return (
        _without_conflicts(reports, user, application="application__")
        .select_related("application__organisation", "application__call")
        .only(*LIST_APPLICATION, "due_date", "status")
        .order_by("due_date", "id")
    )


def recoveries_list(
    *,
    user: User | AnonymousUser,
    status: str = "",
    call: int | None = None,
    public_body: int | None = None,
) -> QuerySet[Recovery]:
    recoveries = _without_conflicts(
        Recovery.objects.filter(public_body_id__in=_officer_scope(user, public_body)),
        user,
        application="application__",
    )
    if status:
        recoveries = recoveries.filter(status=status)
    if call:
        recoveries = recoveries.filter(application__call_id=call)
    return (
        recoveries.select_related("application__organisation", "application__call")
        .only(*LIST_APPLICATION, "amount", "reason", "due_date", "status", "paid_on")
        .order_by("due_date", "id")
    )


def officer_has_exclusions(*, user: User | AnonymousUser) -> bool:
    """Does segregation of duties hide any case from this officer's lists? (Read from what the
    request already loaded: no query of its own.)"""
    return bool(segregation.excluded_organisation_ids(user) or segregation.declared_conflicts(user))


def officer_bodies(*, user: User | AnonymousUser) -> list[tuple[int, str]]:
    return sorted(
        {(m.public_body_id, m.public_body.name) for m in user_memberships(user=user)},
        key=lambda b: b[1],
    )
