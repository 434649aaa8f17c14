"""What organisations tell people by email, and the reminder of missing annual documents:
registered with the portal's notification machinery in OrganisationsConfig.ready()."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organisations import permissions, selectors
from organisations.models import (
    ANNUAL_DOCUMENT_KINDS,
    AnnualDocument,
    DocumentKind,
    DocumentStatus,
    JoinRequest,
    Organisation,
    OrganisationMembership,
    OrganisationReminderSettings,
    OrganisationRole,
    OrganisationStatus,
)
from portal import links
from portal.models import AuditEvent, Notification, User
from portal.notifications import offset_kind
from portal.registry import Context, Kind, Rows

# --- who is told -----------------------------------------------------------------------------


def members_by_organisation(
    organisation_ids: set[int], *, editors: bool = True
) -> dict[int, list[User]]:
    """{organisation: its active representatives (and editors)}, in one query."""
    found: dict[int, list[User]] = {}
    if not organisation_ids:
        return found
    roles = [OrganisationRole.REPRESENTATIVE, *([OrganisationRole.EDITOR] if editors else [])]
    for membership in OrganisationMembership.objects.filter(
        organisation_id__in=organisation_ids,
        role__in=roles,
        user__is_active=True,
    ).select_related("user"):
        found.setdefault(membership.organisation_id, []).append(membership.user)
    return found


def organisation_people(organisation_ids: Iterable[int], *, editors: bool = True) -> list[User]:
    """The representatives (and editors) of organisations: who is told about their business."""
    members = members_by_organisation(set(organisation_ids), editors=editors)
    return [user for users in members.values() for user in users]


# --- the reader's link ------------------------------------------------------------------------


def organisation_link(reader: User, row: Notification) -> str:
    """A notification's link in the reader's list of notifications: the organisation's page while
    the reader is a member of it; else the officer's page of it for an officer, the admin's for
    an administrator who may view organisations there, and no link for anyone else (a former
    member). Reads only what is kept per request."""
    linked = links.linked_view(row.url)
    if linked is None:
        return ""
    _view_name, kwargs = linked
    pk = kwargs.get("pk")
    if pk is None or pk in selectors.organisation_roles(user=reader):
        return row.url  # a page of their own ("My organisations"), or of their organisation
    if permissions.is_officer(reader):
        return reverse("organisations:officer_detail", args=[pk])
    if reader.is_staff and reader.has_perm("organisations.view_organisation"):
        return reverse("admin:organisations_organisation_change", args=[pk])
    return ""


# --- the kinds -------------------------------------------------------------------------------


def _annual_documents(organisation: Organisation, row: Notification) -> Context:
    year = row.due_date.year
    present = set(
        organisation.documents.filter(year=year)
        .exclude(status=DocumentStatus.RETURNED)
        .values_list("kind", flat=True)
    )
    return {
        "organisation": organisation,
        "year": year,
        "missing": [
            DocumentKind(kind).label for kind in ANNUAL_DOCUMENT_KINDS if kind not in present
        ],
        "url": reverse("organisations:documents", args=[organisation.pk]) + f"?ar={year}",
    }


def _join_request(join_request: JoinRequest, _row: Notification) -> Context:
    return {
        "join_request": join_request,
        "url": reverse("organisations:members", args=[join_request.organisation_id]),
    }


def _join_decision(join_request: JoinRequest, _row: Notification) -> Context:
    return {"join_request": join_request, "url": reverse("organisations:mine")}


def _organisation_status(event: AuditEvent, _row: Notification) -> Context:
    """About a status change (its audit event: each change is a notification of its own)."""
    organisation = Organisation.objects.get(pk=event.object_id)
    return {
        "organisation": organisation,
        "event": event,
        "status": OrganisationStatus(event.to_state).label,  # as it was then, not as it is now
        "url": reverse("organisations:detail", args=[organisation.pk]),
    }


def _organisation_details_changed(event: AuditEvent, _row: Notification) -> Context:
    """A change of the organisation's identity or payment account (its audit event)."""
    organisation = Organisation.objects.get(pk=event.object_id)
    return {
        "organisation": organisation,
        "event": event,
        "url": reverse("organisations:detail", args=[organisation.pk]),
    }


KINDS = [
    Kind(
        "annual_documents",
        _("Annual documents missing"),
        "organisations/email/annual_documents",
        True,
        _annual_documents,
        link=organisation_link,
    ),
    Kind(
        "organisation_status",
        _("Status of your organisation"),
        "organisations/email/status",
        True,
        _organisation_status,
        link=organisation_link,
    ),
    Kind(
        "organisation_details_changed",
        _("Your organisation's number, name or payment account changed"),
        "organisations/email/details_changed",
        True,
        _organisation_details_changed,
        link=organisation_link,
    ),
    Kind(
        "join_request",
        _("Request to join an organisation"),
        "organisations/email/join_request",
        False,
        _join_request,
        ("organisation", "user"),
        link=organisation_link,
    ),
    Kind(
        "join_decision",
        _("Answer to a request to join"),
        "organisations/email/join_decision",
        False,
        _join_decision,
        ("organisation", "user"),
        link=organisation_link,
    ),
]


# --- the reminder ----------------------------------------------------------------------------


def annual_documents_missing(rows: Rows, *, now: object, today: date) -> None:
    """N days after the year's annual-meeting deadline, verified organisations that have not
    sent in the year's documents are asked for them. Three queries at most per matching day."""
    config = OrganisationReminderSettings.load()
    for days in config.days("annual_documents_days"):
        for year in (today.year, today.year - 1):
            deadline = date(year, config.annual_meeting_month, config.annual_meeting_day)
            if deadline + timedelta(days=days) != today:
                continue
            complete = (
                AnnualDocument.objects.filter(year=year, kind__in=ANNUAL_DOCUMENT_KINDS)
                .exclude(status=DocumentStatus.RETURNED)
                .values("organisation_id")
                .annotate(kinds=Count("kind", distinct=True))
                .filter(kinds=len(ANNUAL_DOCUMENT_KINDS))
                .values("organisation_id")
            )
            missing = set(
                Organisation.objects.filter(status=OrganisationStatus.VERIFIED)
                .exclude(pk__in=complete)
                .values_list("pk", flat=True)
            )
            members = members_by_organisation(missing)
            for organisation_id in missing:
                rows.add(
                    offset_kind("annual_documents", -days),
                    Organisation,
                    organisation_id,
                    deadline,
                    members.get(organisation_id, []),
                )
