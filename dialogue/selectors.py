"""Every read the compact pages make, scoped to what the person may see: a fixed number of
queries whatever the number of compacts, sign-ons or commitments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from dialogue import permissions
from dialogue.models import (
    PUBLIC_FILES,
    PUBLIC_TEXT,
    ActionPlan,
    AgendaItem,
    Compact,
    CompactVersion,
    Consultation,
    ConsultationDocument,
    ConsultationStatus,
    FollowUp,
    FollowUpEntry,
    Forum,
    ForumMember,
    ItemStatus,
    Meeting,
    MemberStatus,
    MinutesStatus,
    Response,
    ResponseAttachment,
    SignOn,
    VersionComment,
    VersionStatus,
)
from organisations import selectors as organisation_selectors
from organisations.models import Organisation, OrganisationMembership
from portal.models import PublicBody, User

AnyUser = User | AnonymousUser

SHOWN = (VersionStatus.ADOPTED, VersionStatus.CONSULTATION)


def public_compacts() -> QuerySet[Compact]:
    """The compacts the public sees: adopted, or with a first version open for comments."""
    shown = CompactVersion.objects.filter(compact=OuterRef("pk"), status__in=SHOWN)
    return (
        Compact.objects.filter(Exists(shown)).select_related("public_body").order_by("title", "id")
    )


def compact_public(*, pk: int) -> Compact:
    compact = public_compacts().filter(pk=pk).first()
    if compact is None:
        raise Http404
    return compact


def managed_compacts(*, user: AnyUser) -> QuerySet[Compact]:
    return (
        Compact.objects.filter(public_body_id__in=permissions.managed_body_ids(user))
        .select_related("public_body")
        .order_by("title", "id")
    )


def compact_for_manager(*, user: AnyUser, pk: int) -> Compact:
    compact = managed_compacts(user=user).filter(pk=pk).first()
    if compact is None:
        raise Http404
    return compact


def managed_bodies(*, user: AnyUser) -> list[tuple[int, str]]:
    ids = permissions.managed_body_ids(user)
    return list(PublicBody.objects.filter(pk__in=ids).order_by("name").values_list("pk", "name"))


def versions_of(compact: Compact) -> list[CompactVersion]:
    """Every version, the newest first."""
    return list(compact.versions.order_by("-number"))


@dataclass
class Signatory:
    organisation_id: int
    name: str
    version: int  # the latest version it signed on to or confirmed
    signed_at: datetime
    first_signed_at: datetime


def signatories(compact: Compact) -> list[Signatory]:
    """The organisations signed on now, by name: the version each last confirmed. One query."""
    found: dict[int, Signatory | None] = {}
    first: dict[int, datetime] = {}
    for row in (
        SignOn.objects.filter(compact=compact)
        .order_by("organisation_id", "signed_at", "id")
        .values_list(
            "organisation_id", "organisation__name", "version__number", "signed_at", "withdrawn_at"
        )
    ):
        organisation_id, name, number, signed_at, withdrawn_at = row
        if withdrawn_at is not None:
            found[organisation_id] = None
            first.pop(organisation_id, None)
            continue
        first.setdefault(organisation_id, signed_at)
        found[organisation_id] = Signatory(
            organisation_id, name, number, signed_at, first[organisation_id]
        )
    return sorted(
        (s for s in found.values() if s is not None),
        key=lambda s: (s.name.lower(), s.organisation_id),
    )


def plans_of(compact: Compact, *, published_only: bool) -> list[ActionPlan]:
    """The action plans with their commitments and follow-ups (the published ones for the
    public), the newest plan first: three queries."""
    follow_ups = FollowUp.objects.order_by("-year").prefetch_related(
        Prefetch("entries", FollowUpEntry.objects.select_related("commitment"))
    )
    if published_only:
        follow_ups = follow_ups.filter(published_at__isnull=False)
    return list(
        compact.plans.order_by("-starts_on", "id").prefetch_related(
            "commitments", Prefetch("follow_ups", follow_ups)
        )
    )


def comments_of(version: CompactVersion) -> list[VersionComment]:
    return list(
        version.comments.select_related("organisation", "author").order_by("created_at", "id")
    )


@dataclass
class MyOrganisation:
    """An organisation the person represents, as the compact's page offers it to them."""

    organisation: Organisation
    signed_version: int | None = None  # the version it is signed on to now (None: not)
    may_sign: bool = False
    verified: bool = False


def my_organisations(*, user: AnyUser, compact: Compact) -> list[MyOrganisation]:
    """The organisations the person represents, each with what it has signed of the compact."""
    ids = permissions.signing_organisation_ids(user)
    if not ids:
        return []
    latest: dict[int, tuple[int, bool]] = {}
    for organisation_id, number, withdrawn in (
        SignOn.objects.filter(compact=compact, organisation_id__in=ids)
        .order_by("organisation_id", "signed_at", "id")
        .values_list("organisation_id", "version__number", "withdrawn_at")
    ):
        latest[organisation_id] = (number, withdrawn is None)
    found = []
    for organisation in Organisation.objects.filter(pk__in=ids).order_by("name"):
        number, live = latest.get(organisation.pk, (0, False))
        found.append(
            MyOrganisation(
                organisation=organisation,
                signed_version=number if live else None,
                verified=organisation.status == "verified",
            )
        )
    return found


def commenting_organisations(*, user: AnyUser) -> list[tuple[int, str]]:
    ids = permissions.commenting_organisation_ids(user)
    if not ids:
        return []
    return list(
        Organisation.objects.filter(pk__in=ids, status="verified")
        .order_by("name")
        .values_list("pk", "name")
    )


# --- forums and councils ----------------------------------------------------------------------


def public_forums() -> QuerySet[Forum]:
    return Forum.objects.select_related("public_body").order_by("title", "id")


def forum_public(*, pk: int) -> Forum:
    forum = public_forums().filter(pk=pk).first()
    if forum is None:
        raise Http404
    return forum


def managed_forums(*, user: AnyUser) -> QuerySet[Forum]:
    return public_forums().filter(public_body_id__in=permissions.managed_body_ids(user))


def forum_for_manager(*, user: AnyUser, pk: int) -> Forum:
    forum = managed_forums(user=user).filter(pk=pk).first()
    if forum is None:
        raise Http404
    return forum


def meeting_for_manager(*, user: AnyUser, pk: int) -> Meeting:
    meeting = (
        Meeting.objects.filter(pk=pk, forum__public_body_id__in=permissions.managed_body_ids(user))
        .select_related("forum")
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def with_current_people(members: QuerySet[ForumMember]) -> QuerySet[ForumMember]:
    """Memberships with their people, and whether each appointed person is still a member of the
    organisation (`representative_current`, `deputy_current`): a person who has left the
    organisation no longer speaks for it in the forum, nor is given notice."""
    in_organisation = OrganisationMembership.objects.filter(organisation=OuterRef("organisation"))
    return members.select_related("organisation", "representative", "deputy").annotate(
        representative_current=Exists(in_organisation.filter(user=OuterRef("representative"))),
        deputy_current=Exists(in_organisation.filter(user=OuterRef("deputy"))),
    )


def current_people(member: ForumMember) -> list[User]:
    """The appointed people of a membership (`with_current_people`) who still act for it."""
    return [
        person
        for person, current in (
            (member.representative, getattr(member, "representative_current", False)),
            (member.deputy, getattr(member, "deputy_current", False)),
        )
        if person is not None and current and person.is_active
    ]


def members_of(forum: Forum) -> list[ForumMember]:
    """Every membership but those ended, with their organisation and people (one query)."""
    return list(
        with_current_people(forum.members.exclude(status=MemberStatus.LEFT)).order_by(
            "organisation__name", "id"
        )
    )


def coming_meetings(forum: Forum) -> list[Meeting]:
    """The meetings from today on, with the items on their agenda (two queries)."""
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        forum.meetings.filter(starts_at__gte=today_start)
        .order_by("starts_at", "id")
        .prefetch_related(
            Prefetch(
                "items",
                AgendaItem.objects.filter(status=ItemStatus.ACCEPTED).order_by("position", "id"),
                to_attr="agenda",
            )
        )[:MEETINGS_SHOWN]
    )


MEETINGS_SHOWN = 12


def published_minutes(forum: Forum) -> QuerySet[Meeting]:
    return forum.meetings.filter(minutes_status=MinutesStatus.PUBLISHED).order_by(
        "-starts_at", "-id"
    )


def meetings_for_calendar(forum: Forum) -> list[Meeting]:
    """The forum's meetings of the last year and every coming one, cancelled ones included (a
    calendar that had them learns they are cancelled)."""
    since = timezone.now() - timedelta(days=366)
    return list(forum.meetings.filter(starts_at__gte=since).order_by("starts_at", "id"))


def officer_meetings(forum: Forum) -> QuerySet[Meeting]:
    return forum.meetings.order_by("-starts_at", "-id")


def items_of(meeting: Meeting) -> list[AgendaItem]:
    return list(
        meeting.items.select_related("organisation", "proposed_by").order_by("position", "id")
    )


def my_forum_memberships(*, user: AnyUser, forum: Forum) -> list[ForumMember]:
    """The memberships the person answers for (a representative of the organisation) or is
    appointed to."""
    if not user.is_authenticated:
        return []
    represents = permissions.signing_organisation_ids(user)
    return [
        m
        for m in members_of(forum)
        if m.organisation_id in represents or user.pk in (m.representative_id, m.deputy_id)
    ]


def organisation_people(organisation_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """{organisation: its members in the portal as (id, name)}, for appointing (one query)."""
    found: dict[int, list[tuple[int, str]]] = {}
    for organisation_id, pk, name, email in (
        OrganisationMembership.objects.filter(
            organisation_id__in=organisation_ids, user__is_active=True
        )
        .order_by("user__name", "user__email")
        .values_list("organisation_id", "user_id", "user__name", "user__email")
    ):
        found.setdefault(organisation_id, []).append((pk, name or email))
    return found


# --- consultations ----------------------------------------------------------------------------


def public_consultations() -> QuerySet[Consultation]:
    """Published consultations, the latest last day first."""
    return (
        Consultation.objects.filter(status=ConsultationStatus.OPEN)
        .select_related("public_body")
        .order_by("-deadline", "-id")
    )


def consultation_public(*, pk: int) -> Consultation:
    found = public_consultations().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def managed_consultations(*, user: AnyUser) -> QuerySet[Consultation]:
    return (
        Consultation.objects.filter(public_body_id__in=permissions.managed_body_ids(user))
        .select_related("public_body")
        .order_by("-created_at", "-id")
    )


def consultation_for_manager(*, user: AnyUser, pk: int) -> Consultation:
    found = managed_consultations(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def documents_of(consultation: Consultation) -> list[ConsultationDocument]:
    return list(consultation.documents.order_by("uploaded_at", "id"))


def public_responses(consultation: Consultation) -> list[Response]:
    """The responses everyone may read: after the last day, those not marked as sensitive and
    those assessed as public or partly secret (their public text). Two queries."""
    from dialogue.services import consultation_closed

    if not consultation_closed(consultation):
        return []
    return list(
        consultation.responses.filter(secrecy__in=PUBLIC_TEXT)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "attachments",
                ResponseAttachment.objects.filter(response__secrecy__in=PUBLIC_FILES),
            )
        )
        .order_by("organisation__name", "id")
    )


def all_responses(consultation: Consultation) -> list[Response]:
    """Every response, for the consultation's officers (two queries)."""
    return list(
        consultation.responses.select_related("organisation", "submitted_by", "assessed_by")
        .prefetch_related("attachments")
        .order_by("submitted_at", "id")
    )


def own_responses(*, user: AnyUser, consultation: Consultation) -> list[Response]:
    """The responses of the organisations the person writes for."""
    ids = permissions.commenting_organisation_ids(user)
    if not ids:
        return []
    return list(
        consultation.responses.filter(organisation_id__in=ids)
        .select_related("organisation")
        .prefetch_related("attachments")
    )


def responding_organisations(*, user: AnyUser, consultation: Consultation) -> list[tuple[int, str]]:
    """The organisations the person may respond for now: verified, asked, not yet responded."""
    from dialogue.services import audience_organisations

    ids = permissions.commenting_organisation_ids(user)
    if not ids:
        return []
    return list(
        audience_organisations(consultation)
        .filter(pk__in=ids)
        .exclude(consultation_responses__consultation=consultation)
        .order_by("name")
        .values_list("pk", "name")
    )


def response_file(*, user: AnyUser, pk: int) -> ResponseAttachment:
    """An attachment of a response: for the consultation's officers and the organisation's
    people always; for everyone else once the response is public with its attachments."""
    from dialogue.services import consultation_closed

    found = (
        ResponseAttachment.objects.filter(pk=pk).select_related("response__consultation").first()
    )
    if found is None:
        raise Http404
    response = found.response
    if permissions.can_manage(user, response.consultation):
        return found
    if response.organisation_id in permissions.commenting_organisation_ids(user):
        return found
    if (
        response.consultation.status == ConsultationStatus.OPEN
        and consultation_closed(response.consultation)
        and response.secrecy in PUBLIC_FILES
    ):
        return found
    raise Http404


def consultation_file(*, user: AnyUser, pk: int) -> ConsultationDocument:
    """A document of a published consultation, for everyone; of a draft, for its officers."""
    found = ConsultationDocument.objects.filter(pk=pk).select_related("consultation").first()
    if found is None:
        raise Http404
    if found.consultation.status == ConsultationStatus.OPEN or permissions.can_manage(
        user, found.consultation
    ):
        return found
    raise Http404


OWN_PROPOSALS_SHOWN = 10


def own_proposals(*, user: AnyUser, forum: Forum) -> list[AgendaItem]:
    """The latest agenda items the person's organisations proposed to the forum, with what
    became of each (one query)."""
    ids = permissions.commenting_organisation_ids(user) | permissions.signing_organisation_ids(user)
    if not ids:
        return []
    return list(
        AgendaItem.objects.filter(meeting__forum=forum, organisation_id__in=ids)
        .select_related("meeting", "organisation")
        .order_by("-meeting__starts_at", "-id")[:OWN_PROPOSALS_SHOWN]
    )


def own_comments(*, user: AnyUser, version: CompactVersion) -> list[VersionComment]:
    """The comments the person's organisations made on a version (one query)."""
    ids = permissions.commenting_organisation_ids(user)
    if not ids:
        return []
    return list(
        version.comments.filter(organisation_id__in=ids)
        .select_related("organisation", "author")
        .order_by("created_at", "id")
    )


@dataclass
class Seat:
    """A forum where the person is an appointed representative or deputy, and its next meeting."""

    forum: Forum
    organisation: str
    deputy: bool
    next_meeting: Meeting | None = None


def my_seats(*, user: AnyUser) -> list[Seat]:
    """The forums the person sits in for an organisation, with their next meeting (two
    queries)."""
    if not user.is_authenticated:
        return []
    members = [
        m
        for m in with_current_people(
            ForumMember.objects.filter(status=MemberStatus.ACTIVE).filter(
                models.Q(representative=user) | models.Q(deputy=user)
            )
        ).select_related("forum")
        if (m.representative_id == user.pk and m.representative_current)  # type: ignore[attr-defined]
        or (m.deputy_id == user.pk and m.deputy_current)  # type: ignore[attr-defined]
    ]
    if not members:
        return []
    upcoming: dict[int, Meeting] = {}
    for meeting in (
        Meeting.objects.filter(
            forum_id__in={m.forum_id for m in members},
            status="planned",
            starts_at__gt=timezone.now(),
        )
        .select_related("forum")  # its last day for proposals is the forum's
        .order_by("starts_at", "id")
    ):
        upcoming.setdefault(meeting.forum_id, meeting)
    return [
        Seat(
            forum=m.forum,
            organisation=m.organisation.name,
            deputy=m.representative_id != user.pk,
            next_meeting=upcoming.get(m.forum_id),
        )
        for m in members
    ]


def forums_with_next_meeting(*, limit: int) -> list[tuple[Forum, Meeting | None]]:
    """The first forums by name, each with its next planned meeting (two queries)."""
    forums = list(public_forums()[:limit])
    upcoming: dict[int, Meeting] = {}
    for meeting in Meeting.objects.filter(
        forum__in=forums, status="planned", starts_at__gt=timezone.now()
    ).order_by("starts_at", "id"):
        upcoming.setdefault(meeting.forum_id, meeting)
    return [(forum, upcoming.get(forum.pk)) for forum in forums]


# --- what a form names by id, read within what the person may use ---------------------------


def own_organisation(*, user: AnyUser, pk: int, roles: Iterable[str]) -> Organisation:
    """One of the organisations where the person holds one of `roles`; 404 for any other."""
    found = organisation_selectors.organisations_for(user=user, roles=roles).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def managed_body(*, user: AnyUser, pk: int) -> PublicBody:
    """A public body whose compacts, forums and consultations the person manages; 404 else."""
    found = PublicBody.objects.filter(pk=pk, pk__in=permissions.managed_body_ids(user)).first()
    if found is None:
        raise Http404
    return found


def meeting_public(*, pk: int) -> Meeting:
    """A meeting of a forum (forums and their meetings are public)."""
    found = Meeting.objects.filter(pk=pk).select_related("forum").first()
    if found is None:
        raise Http404
    return found


def people_of(*, organisation_id: int, pks: Iterable[int | None]) -> dict[int, User]:
    """Of these people, those who are people of the organisation (one query)."""
    return {
        person.pk: person
        for person in User.objects.filter(
            pk__in=[pk for pk in pks if pk],
            organisation_memberships__organisation_id=organisation_id,
        )
    }


def membership_answered_by(*, user: AnyUser, forum: Forum, pk: int) -> ForumMember:
    """A membership of the forum (not ended) that the person answers for as a representative of
    its organisation; 404 for any other."""
    member = (
        ForumMember.objects.filter(pk=pk, forum=forum)
        .exclude(status=MemberStatus.LEFT)
        .select_related("organisation")
        .first()
    )
    if member is None or not permissions.can_answer_for(user, member.organisation):
        raise Http404
    return member
