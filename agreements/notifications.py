"""What IOP agreements tell people by email, and the agreement deadlines the hourly scan reminds
of: registered with the portal's notification machinery in AgreementsConfig.ready()."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agreements import permissions
from agreements.models import (
    Agreement,
    AgreementReminderSettings,
    AgreementVersion,
    FollowUp,
    Party,
)
from organisations.notifications import members_by_organisation, organisation_people
from portal import links
from portal.models import AuditEvent, Notification, User
from portal.notifications import officers_by_body, offset_kind
from portal.registry import Context, Kind, Rows

# --- who is told -----------------------------------------------------------------------------


def agreement_people(agreement: Agreement, *, to_sign: bool = False) -> list[User]:
    """The organisation parties' representatives and editors, the signatories, and the case
    officers of the responsible public body. Asking them `to_sign`: only the signatories who
    may sign now (`permissions.can_sign_for`, as the signing itself judges; a party has few)."""
    parties = list(Party.objects.filter(agreement=agreement).select_related("signatory"))
    people = organisation_people(p.organisation_id for p in parties if p.organisation_id)
    people += [
        p.signatory
        for p in parties
        if p.signatory is not None and (not to_sign or permissions.can_sign_for(p.signatory, p))
    ]
    people += officers_by_body({agreement.public_body_id}).get(agreement.public_body_id, [])
    return people


def _recipients(agreements: dict[int, int]) -> dict[int, list[User]]:
    """{agreement: public body} → {agreement: its organisations' people and case officers}."""
    parties = list(
        Party.objects.filter(agreement_id__in=agreements, organisation__isnull=False).values_list(
            "agreement_id", "organisation_id"
        )
    )
    members = members_by_organisation({o for _a, o in parties if o is not None})
    officers = officers_by_body(set(agreements.values()))
    found: dict[int, list[User]] = {
        pk: list(officers.get(body, [])) for pk, body in agreements.items()
    }
    for agreement_id, organisation_id in parties:
        if organisation_id is not None:
            found[agreement_id] += members.get(organisation_id, [])
    return found


# --- the reader's link ------------------------------------------------------------------------

_VISIBLE = "_agreements_visible_ids"
_PAGE = "_agreements_page_visible"


def _visible_ids(reader: User) -> frozenset[int]:
    """The agreements the reader may open now (`permissions.visible_q`): one query, kept on the
    user object for the request."""
    cached: frozenset[int] | None = reader.__dict__.get(_VISIBLE)
    if cached is None:
        cached = frozenset(
            Agreement.objects.filter(permissions.visible_q(reader)).values_list("pk", flat=True)
        )
        reader.__dict__[_VISIBLE] = cached
    return cached


def _linked_pk(row: Notification) -> int | None:
    linked = links.linked_view(row.url)
    pk = linked[1].get("pk") if linked else None
    return pk if isinstance(pk, int) else None


def prepare_agreement_links(reader: User, rows: list[Notification]) -> None:
    """Which of the agreements these rows link to the reader may open now, in one query: an
    officer of a body with thousands of agreements does not read them all for a page of 25."""
    asked = {pk for row in rows if (pk := _linked_pk(row)) is not None}
    visible = Agreement.objects.filter(permissions.visible_q(reader), pk__in=asked)
    reader.__dict__[_PAGE] = (frozenset(asked), frozenset(visible.values_list("pk", flat=True)))


def _may_open(reader: User, pk: int) -> bool:
    asked, visible = reader.__dict__.get(_PAGE, (frozenset(), frozenset()))
    return pk in visible if pk in asked else pk in _visible_ids(reader)


def agreement_link(reader: User, row: Notification) -> str:
    """A notification's link in the reader's list of notifications: the agreement's page while
    the reader may open it (a member of a party organisation, an officer of a public body on
    it); the admin's page of it for an administrator; else no link."""
    linked = links.linked_view(row.url)
    if linked is None:
        return ""
    pk = linked[1].get("pk")
    if pk is None or _may_open(reader, pk):
        return row.url
    if reader.is_staff and reader.has_perm("agreements.view_agreement"):
        return reverse("admin:agreements_agreement_change", args=[pk])
    return ""


# --- the kinds -------------------------------------------------------------------------------


def _agreement(agreement: Agreement, _row: Notification) -> Context:
    return {
        "agreement": agreement,
        "url": reverse("agreements:agreement", args=[agreement.pk]),
    }


def _follow_up(point: FollowUp, row: Notification) -> Context:
    return {**_agreement(point.agreement, row), "point": point}


def _version(version: AgreementVersion, row: Notification) -> Context:
    return {**_agreement(version.agreement, row), "version": version}


def _agreement_event(event: AuditEvent, row: Notification) -> Context:
    """About a signing event on an agreement (its audit event: each is a notification of its
    own, however many happen in a day)."""
    agreement = Agreement.objects.get(pk=event.object_id)
    return {**_agreement(agreement, row), "event": event}


KINDS = [
    # deadline reminders, found by the scan
    Kind(
        "iop_follow_up",
        _("IOP follow-up due"),
        "agreements/email/iop_follow_up",
        True,
        _follow_up,
        ("agreement",),
        link=agreement_link,
        prepare_links=prepare_agreement_links,
    ),
    Kind(
        "agreement_ending",
        _("IOP agreement ends"),
        "agreements/email/agreement_ending",
        True,
        _agreement,
        link=agreement_link,
        prepare_links=prepare_agreement_links,
    ),
    # events, asked for by the services when they happen
    Kind(
        "agreement_to_sign",
        _("IOP agreement to sign"),
        "agreements/email/agreement_to_sign",
        False,
        _agreement,
        link=agreement_link,
        prepare_links=prepare_agreement_links,
    ),
    Kind(
        "agreement_signed",
        _("IOP agreement signed"),
        "agreements/email/agreement_signed",
        False,
        _version,
        ("agreement",),
        link=agreement_link,
        prepare_links=prepare_agreement_links,
    ),
    Kind(
        "agreement_signing_restarted",
        _("IOP agreement: the signing starts again"),
        "agreements/email/signing_restarted",
        True,
        _agreement_event,
        link=agreement_link,
        prepare_links=prepare_agreement_links,
    ),
    Kind(
        "agreement_signatory_replaced",
        _("IOP agreement: a signatory was replaced"),
        "agreements/email/signatory_replaced",
        True,
        _agreement_event,
        link=agreement_link,
        prepare_links=prepare_agreement_links,
    ),
]


# --- the reminders ---------------------------------------------------------------------------


def agreement_reminders(rows: Rows, *, now: datetime, today: date) -> None:
    """The IOP deadlines of the day, with the settings read once."""
    config = AgreementReminderSettings.load()
    follow_ups_due(rows, today, config)
    agreements_ending(rows, today, config)


def follow_ups_due(rows: Rows, today: date, config: AgreementReminderSettings) -> None:
    """An open follow-up point of a live agreement is due in N days."""
    dates = {today + timedelta(days=n): n for n in config.days("iop_follow_up_days")}
    due = list(
        FollowUp.objects.filter(
            due_date__in=dates, text="", agreement__status__in=Agreement.LIVE_STATUSES
        )
        .order_by()
        .values_list("pk", "due_date", "agreement_id", "agreement__public_body_id")
    )
    people = _recipients({a: b for _p, _d, a, b in due})
    for pk, due_date, agreement_id, _body in due:
        rows.add(
            offset_kind("iop_follow_up", dates[due_date]),
            FollowUp,
            pk,
            due_date,
            people[agreement_id],
        )


def agreements_ending(rows: Rows, today: date, config: AgreementReminderSettings) -> None:
    """A live agreement ends in N days."""
    dates = {today + timedelta(days=n): n for n in config.days("agreement_end_days")}
    due = list(
        Agreement.objects.filter(status__in=Agreement.LIVE_STATUSES, proposed_end__in=dates)
        .order_by()
        .values_list("pk", "proposed_end", "public_body_id")
    )
    people = _recipients({a: b for a, _d, b in due})
    for pk, ends, _body in due:
        if ends is None:  # the filter excludes it; this tells the type checker
            continue
        rows.add(offset_kind("agreement_ending", dates[ends]), Agreement, pk, ends, people[pk])
