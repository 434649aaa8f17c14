"""Every write of the local compacts: the compact and its versions (draft, open for comments,
adopted), comments on a version, organisations signing on, confirming a new version and
withdrawing, action plans with their commitments, and the yearly follow-up. A version's status
moves only through `VERSION_MACHINE` (`portal.transitions`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dialogue import permissions
from dialogue.models import (
    ActionPlan,
    AgendaItem,
    Attendance,
    Audience,
    Commitment,
    CommitmentStatus,
    Compact,
    CompactVersion,
    Consultation,
    ConsultationDocument,
    ConsultationStatus,
    FollowUp,
    FollowUpEntry,
    Forum,
    ForumKind,
    ForumMember,
    ItemStatus,
    Meeting,
    MeetingStatus,
    MemberStatus,
    MinutesStatus,
    Owner,
    Response,
    ResponseAttachment,
    Secrecy,
    SignOn,
    VersionComment,
    VersionStatus,
)
from organisations import permissions as organisation_permissions
from organisations.models import Organisation, OrganisationRole, OrganisationStatus
from portal import second_factor, transitions
from portal.files import check_upload, store_upload
from portal.formats import long_date
from portal.models import PublicBody, User
from portal.notifications import notify
from portal.services import audit_record, registry_number_allocate
from portal.transitions import Machine, Move, Rule, Transition
from portal.versions import audit_note, check_seen, fingerprint

AUDIT_ACTIONS = {
    "compact_created": gettext_lazy("Compact created"),
    "compact_section_saved": gettext_lazy("Section saved"),
    "compact_section_added": gettext_lazy("Section added"),
    "compact_section_removed": gettext_lazy("Section removed"),
    "compact_opened_for_comments": gettext_lazy("Opened for comments"),
    "compact_adopted": gettext_lazy("Version adopted"),
    "compact_revision_started": gettext_lazy("New version started"),
    "compact_commented": gettext_lazy("Comment on the compact"),
    "compact_signed_on": gettext_lazy("Signed on to the compact"),
    "compact_confirmed": gettext_lazy("Confirmed the new version"),
    "compact_withdrawn": gettext_lazy("Withdrew from the compact"),
    "compact_plan_added": gettext_lazy("Action plan added"),
    "compact_commitment_added": gettext_lazy("Commitment added"),
    "compact_follow_up_saved": gettext_lazy("Follow-up saved"),
    "compact_follow_up_published": gettext_lazy("Follow-up published"),
}

MAX_SECTIONS = 40
COMMENT_LENGTH = 10_000

if TYPE_CHECKING:
    from portal.eid.signing import Proof


def _manager(actor: Any, version: CompactVersion) -> bool:
    return permissions.can_manage(actor, version.compact)


MANAGER: Rule[CompactVersion] = Rule(_manager)


def _apply(move: Move[CompactVersion]) -> None:
    version = move.obj
    if move.target == VersionStatus.ADOPTED:
        version.text_sha256 = text_sha256(version)
        version.recorded_by = move.actor


def _done(move: Move[CompactVersion], _event: Any) -> None:
    version = move.obj
    people = signatory_people(version.compact)
    if move.target == VersionStatus.CONSULTATION:
        notify(
            kind="compact_open_for_comments",
            obj=version,
            recipients=people,
            due_date=timezone.localdate(),
        )
    elif move.target == VersionStatus.ADOPTED and version.number > 1:
        # the organisations signed on to an earlier version are asked to confirm this one
        notify(
            kind="compact_confirm_version",
            obj=version,
            recipients=people,
            due_date=timezone.localdate(),
        )


VERSION_MACHINE: Machine[CompactVersion] = Machine(
    states=VersionStatus,
    cannot=gettext_lazy("The version cannot go from “%(from)s” to “%(to)s”."),
    transitions=[
        Transition(
            VersionStatus.DRAFT,
            VersionStatus.CONSULTATION,
            MANAGER,
            action="compact_opened_for_comments",
        ),
        Transition(VersionStatus.DRAFT, VersionStatus.ADOPTED, MANAGER, action="compact_adopted"),
        Transition(
            VersionStatus.CONSULTATION, VersionStatus.ADOPTED, MANAGER, action="compact_adopted"
        ),
    ],
    apply=_apply,
    done=_done,
)


def text_sha256(version: CompactVersion) -> str:
    """The fingerprint of a version's text: what an organisation signs on to."""
    text = json.dumps(
        [[s.get("title", ""), s.get("text", "")] for s in version.sections], ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


def sign_on_version(version: CompactVersion) -> str:
    """What a sign-on form carries: the number and text of the version the page showed."""
    return fingerprint(version.number, text_sha256(version))


# --- who is told ----------------------------------------------------------------------------


def signatory_people(compact: Compact) -> list[User]:
    """The representatives of the organisations signed on now (one query each for the sign-ons
    and their people)."""
    from organisations.notifications import organisation_people

    return organisation_people(live_organisation_ids(compact), editors=False)


def live_organisation_ids(compact: Compact) -> set[int]:
    """The organisations signed on now: whose latest sign-on is not withdrawn."""
    latest: dict[int, bool] = {}
    for organisation_id, withdrawn in (
        SignOn.objects.filter(compact=compact)
        .order_by("organisation_id", "signed_at", "id")
        .values_list("organisation_id", "withdrawn_at")
    ):
        latest[organisation_id] = withdrawn is None
    return {pk for pk, live in latest.items() if live}


# --- the compact and its text ---------------------------------------------------------------


def _locked_compact(compact: Compact) -> Compact:
    return Compact.objects.select_for_update().get(pk=compact.pk)


def _locked_version(version: CompactVersion) -> CompactVersion:
    return CompactVersion.objects.select_for_update().select_related("compact").get(pk=version.pk)


def _ensure_manager(actor: User, compact: Compact) -> None:
    if not permissions.can_manage(actor, compact):
        raise PermissionDenied


@transaction.atomic
def compact_create(
    *, actor: User, public_body: PublicBody, title: str, summary: str = ""
) -> Compact:
    """A new compact with its first version as a draft, registered with a diarienummer."""
    if public_body.pk not in permissions.managed_body_ids(actor):
        raise PermissionDenied
    if not title.strip():
        raise ValidationError({"title": [_("Give the compact a title.")]})
    compact = Compact.objects.create(
        public_body=public_body, title=title.strip(), summary=summary.strip(), created_by=actor
    )
    compact.registry_number = registry_number_allocate(
        public_body=public_body, year=timezone.localdate().year
    )
    compact.save(update_fields=["registry_number"])
    CompactVersion.objects.create(compact=compact, number=1)
    audit_record(actor=actor, obj=compact, action="compact_created")
    return compact


def _writable(version: CompactVersion) -> None:
    if version.status == VersionStatus.ADOPTED:
        raise ValidationError(
            _("An adopted version is never changed. Start a new version to revise the text.")
        )


def _new_key(version: CompactVersion) -> str:
    """A key no section of the compact has ever had, in any version: a new section is never
    taken for an earlier one that was removed (the comparison of versions goes by key)."""
    used = {
        str(section.get("key", ""))
        for sections in CompactVersion.objects.filter(compact_id=version.compact_id).values_list(
            "sections", flat=True
        )
        for section in sections
    } | {str(s.get("key", "")) for s in version.sections}
    numbers = [int(key[1:]) for key in used if key[:1] == "s" and key[1:].isdigit()]
    return f"s{max(numbers, default=0) + 1}"


@transaction.atomic
def version_section_add(
    *, actor: User, version: CompactVersion, title: str, text: str = ""
) -> CompactVersion:
    version = _locked_version(version)
    _ensure_manager(actor, version.compact)
    _writable(version)
    if not title.strip():
        raise ValidationError({"title": [_("Give the section a heading.")]})
    if len(version.sections) >= MAX_SECTIONS:
        raise ValidationError(_("A compact has at most %(max)d sections.") % {"max": MAX_SECTIONS})
    version.sections = [
        *version.sections,
        {"key": _new_key(version), "title": title.strip(), "text": text.strip()},
    ]
    version.save(update_fields=["sections", "updated_at"])
    audit_record(actor=actor, obj=version, action="compact_section_added", comment=title.strip())
    return version


@transaction.atomic
def version_section_save(
    *,
    actor: User,
    version: CompactVersion,
    key: str,
    title: str,
    text: str,
    seen_state: str | None,
) -> CompactVersion:
    """An officer writes one section of a draft, or of a version open for comments. The form
    carries the version as the editor opened it: a section saved by someone else since is not
    overwritten."""
    version = _locked_version(version)
    _ensure_manager(actor, version.compact)
    _writable(version)
    transitions.ensure_seen_state(version, seen_state)
    if version.section(key) is None:
        raise ValidationError(_("Unknown section."))
    if not title.strip():
        raise ValidationError({"title": [_("Give the section a heading.")]})
    changed = [
        {**s, "title": title.strip(), "text": text.strip()} if s.get("key") == key else s
        for s in version.sections
    ]
    if changed != version.sections:
        version.sections = changed
        version.save(update_fields=["sections", "updated_at"])
        audit_record(actor=actor, obj=version, action="compact_section_saved", comment=title)
    return version


@transaction.atomic
def version_section_remove(
    *, actor: User, version: CompactVersion, key: str, seen_state: str | None
) -> CompactVersion:
    """A section of a draft is removed; one the organisations have commented on stays (their
    comments refer to it)."""
    version = _locked_version(version)
    _ensure_manager(actor, version.compact)
    _writable(version)
    transitions.ensure_seen_state(version, seen_state)
    section = version.section(key)
    if section is None:
        raise ValidationError(_("Unknown section."))
    if VersionComment.objects.filter(version=version, section=key).exists():
        raise ValidationError(
            _("“%(title)s” has comments from the organisations, so it stays. Change its text.")
            % {"title": section.get("title", "")}
        )
    version.sections = [s for s in version.sections if s.get("key") != key]
    version.save(update_fields=["sections", "updated_at"])
    audit_record(
        actor=actor, obj=version, action="compact_section_removed", comment=section.get("title", "")
    )
    return version


@transaction.atomic
def version_open_for_comments(
    *, actor: User, version: CompactVersion, closes: date, seen_state: str | None
) -> CompactVersion:
    """The draft is opened for the organisations' comments, section by section, until `closes`
    (the organisations signed on are told)."""
    if closes <= timezone.localdate():
        raise ValidationError({"closes": [_("Choose a last day for comments after today.")]})
    if not version.sections:
        raise ValidationError(_("Write at least one section before opening it for comments."))
    version.comments_close = closes
    return transitions.transition(
        VERSION_MACHINE,
        version,
        to=VersionStatus.CONSULTATION,
        actor=actor,
        comment=str(closes),
        seen_state=seen_state,
    )


@transaction.atomic
def version_adopt(
    *,
    actor: User,
    version: CompactVersion,
    adopted_on: date,
    adopted_by: str,
    paragraph: str,
    seen_state: str | None,
) -> CompactVersion:
    """Record the political decision that adopted the version (date, body, paragraph). From then
    on organisations sign on to it; those signed on to an earlier version are asked to confirm
    it."""
    errors: dict[str, list[str]] = {}
    if adopted_on > timezone.localdate():
        errors["adopted_on"] = [_("The date of adoption cannot be in the future.")]
    if not adopted_by.strip():
        errors["adopted_by"] = [_("Name the body that adopted it, e.g. Kommunfullmäktige.")]
    if not paragraph.strip():
        errors["paragraph"] = [_("Give the paragraph of the minutes, e.g. § 45.")]
    if errors:
        raise ValidationError(errors)
    if not version.sections:
        raise ValidationError(_("A version without text cannot be adopted."))
    version.adopted_on = adopted_on
    version.adopted_by = adopted_by.strip()
    version.adopted_paragraph = paragraph.strip()
    return transitions.transition(
        VERSION_MACHINE,
        version,
        to=VersionStatus.ADOPTED,
        actor=actor,
        comment=f"{adopted_by.strip()} {long_date(adopted_on)} {paragraph.strip()}",
        seen_state=seen_state,
    )


@transaction.atomic
def version_start(*, actor: User, compact: Compact) -> CompactVersion:
    """A revision: a new draft, numbered after the last, starting from the adopted text."""
    compact = _locked_compact(compact)
    _ensure_manager(actor, compact)
    versions = list(compact.versions.order_by("-number"))
    if any(v.status != VersionStatus.ADOPTED for v in versions):
        raise ValidationError(_("A new version is already being written."))
    latest = versions[0] if versions else None
    version = CompactVersion.objects.create(
        compact=compact,
        number=(latest.number + 1) if latest else 1,
        sections=list(latest.sections) if latest else [],
    )
    audit_record(
        actor=actor, obj=compact, action="compact_revision_started", comment=f"v{version.number}"
    )
    return version


def comments_open(version: CompactVersion) -> bool:
    """Open for comments, and its last day not passed (Swedish time)."""
    return version.status == VersionStatus.CONSULTATION and (
        version.comments_close is None or version.comments_close >= timezone.localdate()
    )


@transaction.atomic
def version_comment_add(
    *,
    actor: User,
    version: CompactVersion,
    organisation: Organisation,
    section: str,
    text: str,
) -> VersionComment:
    """An organisation comments on a section of a version open for comments, by its last day."""
    version = _locked_version(version)
    if not permissions.can_comment_for(actor, organisation):
        raise PermissionDenied(
            _("You can comment for a verified organisation you are a representative or editor of.")
        )
    if not comments_open(version):
        raise ValidationError(_("The compact is not open for comments."))
    found = version.section(section)
    if found is None:
        raise ValidationError(_("Unknown section."))
    if not text.strip():
        raise ValidationError(
            {"text": [_("Write your comment on “%(section)s”.") % {"section": found["title"]}]}
        )
    if len(text) > COMMENT_LENGTH:
        raise ValidationError(
            {
                "text": [
                    _("Keep the comment under %(count)d characters.") % {"count": COMMENT_LENGTH}
                ]
            }
        )
    comment = VersionComment.objects.create(
        version=version, section=section, organisation=organisation, author=actor, text=text.strip()
    )
    # the officers' pages drawn before the comment no longer pass as seen (an adoption from one)
    transitions.record_changed(version)
    audit_record(
        actor=actor,
        obj=version,
        action="compact_commented",
        comment=f"{organisation}: {found['title']}",
    )
    return comment


# --- signing on -----------------------------------------------------------------------------


def current_version(compact: Compact) -> CompactVersion | None:
    """The version in force: the last adopted."""
    return compact.versions.filter(status=VersionStatus.ADOPTED).order_by("-number").first()


@transaction.atomic
def compact_sign_on(
    *,
    actor: User,
    compact: Compact,
    organisation: Organisation,
    seen_version: str | None,
    code: str = "",
    proof: Proof | None = None,
) -> SignOn:
    """A representative signs the organisation on to the version in force, or confirms it after
    a revision, with a fresh code from their authenticator app or a fresh e-legitimation
    (`proof`). The version they saw (`seen_version`) must be the one in force now."""
    compact = _locked_compact(compact)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not permissions.can_sign_for(actor, organisation):
        raise PermissionDenied(
            _(
                "Only a representative of a verified organisation can sign it on to the compact. "
                "Nothing was signed."
            )
        )
    version = current_version(compact)
    if version is None:
        raise ValidationError(_("The compact has not been adopted yet."))
    check_seen(seen=seen_version, current=sign_on_version(version))
    live = SignOn.objects.filter(compact=compact, organisation=organisation, withdrawn_at=None)
    if live.filter(version=version).exists():
        raise ValidationError(
            _("%(organisation)s has already signed on to version %(number)d.")
            % {"organisation": organisation, "number": version.number}
        )
    confirmation = second_factor.confirm(actor=actor, code=code, proof=proof)
    confirming = live.exists()
    sign_on = SignOn.objects.create(
        compact=compact,
        version=version,
        organisation=organisation,
        signed_by=actor,
        signed_at=timezone.now(),
        text_sha256=version.text_sha256 or text_sha256(version),
        **confirmation.evidence(),
    )
    audit_record(
        actor=actor,
        obj=compact,
        action="compact_confirmed" if confirming else "compact_signed_on",
        comment=audit_note(
            f"{organisation} v{version.number}, {confirmation.describe()}",
            sign_on.text_sha256[:16],
        ),
    )
    notify(
        kind="compact_signed_on",
        obj=sign_on,
        recipients=signatory_people_of(organisation),
        due_date=timezone.localdate(),
    )
    return sign_on


def signatory_people_of(organisation: Organisation) -> list[User]:
    from organisations.notifications import organisation_people

    return organisation_people([organisation.pk], editors=False)


@transaction.atomic
def compact_withdraw(
    *, actor: User, compact: Compact, organisation: Organisation, reason: str
) -> SignOn:
    """A representative withdraws the organisation from the compact. Its sign-ons stay on record;
    the public page no longer lists it."""
    compact = _locked_compact(compact)
    organisation = Organisation.objects.get(pk=organisation.pk)
    # leaving is open to a representative whatever the organisation's standing (a suspended
    # organisation may always withdraw)
    if not permissions.can_answer_for(actor, organisation):
        raise PermissionDenied(
            _("Only a representative of the organisation can withdraw it from the compact.")
        )
    live = list(
        SignOn.objects.select_for_update().filter(
            compact=compact, organisation=organisation, withdrawn_at=None
        )
    )
    if not live:
        raise ValidationError(
            _("%(organisation)s is not signed on to the compact.") % {"organisation": organisation}
        )
    now = timezone.now()
    for sign_on in live:
        sign_on.withdrawn_at = now
        sign_on.withdrawn_by = actor
        sign_on.withdraw_reason = reason.strip()
    SignOn.objects.bulk_update(live, ["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    audit_record(
        actor=actor, obj=compact, action="compact_withdrawn", comment=f"{organisation}: {reason}"
    )
    return live[-1]


# --- action plans, commitments and follow-up --------------------------------------------------


@transaction.atomic
def plan_add(
    *, actor: User, compact: Compact, title: str, starts_on: date, ends_on: date
) -> ActionPlan:
    _ensure_manager(actor, compact)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": [_("The plan cannot end before it starts.")]})
    if not title.strip():
        raise ValidationError({"title": [_("Give the action plan a title.")]})
    plan = ActionPlan.objects.create(
        compact=compact, title=title.strip(), starts_on=starts_on, ends_on=ends_on
    )
    audit_record(actor=actor, obj=compact, action="compact_plan_added", comment=plan.title)
    return plan


@transaction.atomic
def commitment_add(
    *, actor: User, plan: ActionPlan, text: str, owner: str, responsible: str = ""
) -> Commitment:
    plan = ActionPlan.objects.select_for_update().select_related("compact").get(pk=plan.pk)
    _ensure_manager(actor, plan.compact)
    if owner not in Owner.values:
        raise ValidationError({"owner": [_("Choose who makes the commitment.")]})
    if not text.strip():
        raise ValidationError({"text": [_("Write the commitment.")]})
    position = (
        plan.commitments.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    commitment = Commitment.objects.create(
        plan=plan,
        position=position,
        text=text.strip(),
        owner=owner,
        responsible=responsible.strip(),
    )
    audit_record(
        actor=actor, obj=plan.compact, action="compact_commitment_added", comment=f"{position}"
    )
    return commitment


@dataclass(frozen=True)
class EntryInput:
    status: str
    evidence: str = ""
    comment: str = ""


@transaction.atomic
def follow_up_save(
    *,
    actor: User,
    plan: ActionPlan,
    year: int,
    summary: str,
    entries: Mapping[int, EntryInput],
) -> FollowUp:
    """The year's follow-up of an action plan: every commitment's status, with what shows it and
    a comment. A published follow-up is no longer changed."""
    plan = ActionPlan.objects.select_for_update().select_related("compact").get(pk=plan.pk)
    _ensure_manager(actor, plan.compact)
    if not plan.starts_on.year <= year <= plan.ends_on.year + 1:
        raise ValidationError(
            {"year": [_("Choose a year of the plan's period or the year after it.")]}
        )
    commitments = {c.pk: c for c in plan.commitments.all()}
    unknown = set(entries) - set(commitments)
    if unknown:
        raise ValidationError(_("Unknown commitment."))
    missing = [c for pk, c in commitments.items() if pk not in entries]
    if missing:
        raise ValidationError(
            [
                _("Give the status of commitment %(number)d.") % {"number": c.position}
                for c in missing
            ]
        )
    if any(entry.status not in CommitmentStatus.values for entry in entries.values()):
        raise ValidationError(_("Choose a status for every commitment."))
    follow_up, _created = FollowUp.objects.get_or_create(
        plan=plan, year=year, defaults={"recorded_by": actor}
    )
    if follow_up.published_at is not None:
        raise ValidationError(
            _("The follow-up of %(year)d is published and no longer changes.") % {"year": year}
        )
    follow_up.summary = summary.strip()
    follow_up.recorded_by = actor
    follow_up.save()
    existing = {e.commitment_id: e for e in follow_up.entries.all()}
    create: list[FollowUpEntry] = []
    update: list[FollowUpEntry] = []
    for pk, entry in entries.items():
        row = existing.get(pk) or FollowUpEntry(follow_up=follow_up, commitment_id=pk)
        row.status = entry.status
        row.evidence = entry.evidence.strip()
        row.comment = entry.comment.strip()
        (update if row.pk else create).append(row)
    FollowUpEntry.objects.bulk_create(create)
    FollowUpEntry.objects.bulk_update(update, ["status", "evidence", "comment"])
    audit_record(
        actor=actor, obj=plan.compact, action="compact_follow_up_saved", comment=f"{plan} {year}"
    )
    return follow_up


@transaction.atomic
def follow_up_publish(*, actor: User, follow_up: FollowUp) -> FollowUp:
    """The follow-up becomes public, and the organisations signed on are told what became of the
    commitments."""
    follow_up = (
        FollowUp.objects.select_for_update().select_related("plan__compact").get(pk=follow_up.pk)
    )
    _ensure_manager(actor, follow_up.plan.compact)
    if follow_up.published_at is not None:
        raise ValidationError(_("The follow-up is already published."))
    follow_up.published_at = timezone.now()
    follow_up.save(update_fields=["published_at", "updated_at"])
    audit_record(
        actor=actor,
        obj=follow_up.plan.compact,
        action="compact_follow_up_published",
        comment=f"{follow_up.plan} {follow_up.year}",
    )
    notify(
        kind="compact_follow_up_published",
        obj=follow_up,
        recipients=signatory_people(follow_up.plan.compact),
        due_date=timezone.localdate(),
    )
    return follow_up


# --- forums and councils ----------------------------------------------------------------------

AUDIT_ACTIONS.update(
    {
        "forum_created": gettext_lazy("Forum created"),
        "forum_member_invited": gettext_lazy("Organisation invited"),
        "forum_member_accepted": gettext_lazy("Invitation accepted"),
        "forum_member_appointed": gettext_lazy("Representative and deputy appointed"),
        "forum_member_left": gettext_lazy("Organisation left the forum"),
        "forum_seat_vacated": gettext_lazy("Seat left empty (account erased)"),
        "meeting_scheduled": gettext_lazy("Meeting scheduled"),
        "meeting_changed": gettext_lazy("Meeting changed"),
        "meeting_cancelled": gettext_lazy("Meeting cancelled"),
        "agenda_item_added": gettext_lazy("Agenda item added"),
        "agenda_item_proposed": gettext_lazy("Agenda item proposed"),
        "agenda_item_decided": gettext_lazy("Agenda item considered"),
        "attendance_recorded": gettext_lazy("Attendance recorded"),
        "minutes_saved": gettext_lazy("Minutes saved"),
        "minutes_approved": gettext_lazy("Minutes approved"),
        "minutes_published": gettext_lazy("Minutes published"),
    }
)


def _ensure_forum_manager(actor: User, forum: Forum) -> None:
    if not permissions.can_manage(actor, forum):
        raise PermissionDenied


def appointed_people(forum_id: int) -> list[User]:
    """The appointed representatives and deputies of a forum's member organisations: who is
    given notice of its meetings (one query)."""
    from dialogue.selectors import current_people, with_current_people

    people: dict[int, User] = {}
    for member in with_current_people(
        ForumMember.objects.filter(
            forum_id=forum_id,
            status=MemberStatus.ACTIVE,
            organisation__status=OrganisationStatus.VERIFIED,
        )
    ):
        for person in current_people(member):
            people[person.pk] = person
    return list(people.values())


@transaction.atomic
def forum_create(
    *,
    actor: User,
    public_body: PublicBody,
    title: str,
    kind: str,
    description: str = "",
    notice_days: int = 7,
    proposal_days: int = 14,
) -> Forum:
    if public_body.pk not in permissions.managed_body_ids(actor):
        raise PermissionDenied
    if not title.strip():
        raise ValidationError({"title": [_("Give the forum a name.")]})
    if kind not in ForumKind.values:
        raise ValidationError({"kind": [_("Choose what kind of forum it is.")]})
    if not 1 <= notice_days <= 60 or not notice_days <= proposal_days <= 90:
        raise ValidationError(
            _(
                "Give the notice as 1 to 60 days before a meeting, and the last day for "
                "proposals no later than the notice."
            )
        )
    forum = Forum.objects.create(
        public_body=public_body,
        title=title.strip(),
        kind=kind,
        description=description.strip(),
        notice_days=notice_days,
        proposal_days=proposal_days,
    )
    audit_record(actor=actor, obj=forum, action="forum_created")
    return forum


@transaction.atomic
def forum_member_invite(*, actor: User, forum: Forum, organisation: Organisation) -> ForumMember:
    """An officer invites a verified organisation to the forum; its representatives are told."""
    _ensure_forum_manager(actor, forum)
    if organisation.status != OrganisationStatus.VERIFIED:
        raise ValidationError(_("Only a verified organisation can be invited."))
    if forum.members.filter(organisation=organisation).exclude(status=MemberStatus.LEFT).exists():
        raise ValidationError(
            _("%(organisation)s is already invited or a member.") % {"organisation": organisation}
        )
    member = ForumMember.objects.create(forum=forum, organisation=organisation, invited_by=actor)
    audit_record(actor=actor, obj=forum, action="forum_member_invited", comment=str(organisation))
    notify(
        kind="forum_invitation",
        obj=member,
        recipients=signatory_people_of(organisation),
        due_date=timezone.localdate(),
    )
    return member


def _appointable(organisation: Organisation, *people: User | None) -> None:
    """The representative and deputy are people of the organisation, two different people."""
    chosen = [p for p in people if p is not None]
    if not chosen:
        raise ValidationError({"representative": [_("Choose who represents the organisation.")]})
    if len({p.pk for p in chosen}) != len(chosen):
        raise ValidationError({"deputy": [_("The deputy must be another person.")]})
    members = set(
        organisation.memberships.filter(user__in=chosen).values_list("user_id", flat=True)
    )
    if any(p.pk not in members for p in chosen):
        raise ValidationError(_("Choose people who are members of the organisation in the portal."))


@transaction.atomic
def forum_member_appoint(
    *, actor: User, member: ForumMember, representative: User, deputy: User | None
) -> ForumMember:
    """The organisation's representative accepts the invitation, or replaces the people it sent
    before: who represents it in the forum and who is their deputy."""
    member = (
        ForumMember.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    )
    if not permissions.can_answer_for(actor, member.organisation):
        raise PermissionDenied(
            _("Only a representative of %(organisation)s can answer for it.")
            % {"organisation": member.organisation}
        )
    if member.status == MemberStatus.LEFT:
        raise ValidationError(_("The organisation has left the forum."))
    _appointable(member.organisation, representative, deputy)
    accepting = member.status == MemberStatus.INVITED
    member.status = MemberStatus.ACTIVE
    member.representative = representative
    member.deputy = deputy
    member.save()
    audit_record(
        actor=actor,
        obj=member.forum,
        action="forum_member_accepted" if accepting else "forum_member_appointed",
        comment=f"{member.organisation}: {representative.display_name}"
        + (f", {deputy.display_name}" if deputy else ""),
    )
    return member


@transaction.atomic
def forum_member_leave(*, actor: User, member: ForumMember) -> ForumMember:
    """The organisation declines the invitation or leaves; or an officer ends its membership."""
    member = (
        ForumMember.objects.select_for_update()
        .select_related("organisation", "forum")
        .get(pk=member.pk)
    )
    if not (
        permissions.can_answer_for(actor, member.organisation)
        or permissions.can_manage(actor, member.forum)
    ):
        raise PermissionDenied
    if member.status == MemberStatus.LEFT:
        raise ValidationError(_("The organisation has already left the forum."))
    member.status = MemberStatus.LEFT
    member.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, obj=member.forum, action="forum_member_left", comment=str(member.organisation)
    )
    return member


@transaction.atomic
def forum_seats_vacate_on_erasure(*, user: User, actor: User) -> None:
    """The person's account is erased (`portal.personal_data.user_erase`): where they
    represent an organisation in a forum, the deputy steps up; where they are the deputy, or
    there is none, the seat is left empty for the organisation to fill (audited on the forum).
    An organisation that has left keeps its record as it was."""
    seats = (
        ForumMember.objects.select_for_update()
        .filter(Q(representative=user) | Q(deputy=user))
        .exclude(status=MemberStatus.LEFT)
        .select_related("organisation", "forum")
    )
    for member in seats:
        deputy = member.deputy if member.deputy_id != user.pk else None
        if member.representative_id == user.pk:
            member.representative = deputy
            member.deputy = None
        else:
            member.deputy = None
        member.save(update_fields=["representative", "deputy", "updated_at"])
        audit_record(
            actor=actor,
            obj=member.forum,
            action="forum_seat_vacated",
            comment=str(member.organisation),
        )


def _local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def _check_times(forum: Forum, starts_at: datetime, ends_at: datetime) -> date:
    """The day the notice goes; refused when the meeting ends before it starts or the members
    could not be given the forum's notice."""
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The meeting must end after it starts.")]
    notice_on = _local_day(starts_at) - timedelta(days=forum.notice_days)
    if notice_on < timezone.localdate():
        errors["starts_at"] = [
            _(
                "The members must have notice at least %(days)d days before a meeting: choose "
                "%(date)s or later."
            )
            % {
                "days": forum.notice_days,
                "date": long_date(timezone.localdate() + timedelta(days=forum.notice_days)),
            }
        ]
    if errors:
        raise ValidationError(errors)
    return notice_on


@transaction.atomic
def meeting_schedule(
    *, actor: User, forum: Forum, starts_at: datetime, ends_at: datetime, place: str
) -> Meeting:
    """A new meeting. The members are given notice the forum's notice days before it (the
    hourly scan, `meeting_notices`)."""
    _ensure_forum_manager(actor, forum)
    if not place.strip():
        raise ValidationError({"place": [_("Say where the meeting is held.")]})
    notice_on = _check_times(forum, starts_at, ends_at)
    meeting = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=ends_at, place=place.strip(), notice_on=notice_on
    )
    audit_record(
        actor=actor, obj=meeting, action="meeting_scheduled", comment=f"{starts_at:%Y-%m-%d %H:%M}"
    )
    return meeting


def noticed(meeting: Meeting) -> bool:
    """Have the members been given notice of the meeting (its day has come)?"""
    return meeting.notice_on <= timezone.localdate()


def held(meeting: Meeting) -> bool:
    """A meeting that has begun and was not cancelled: its attendance and minutes are kept."""
    return meeting.status == MeetingStatus.PLANNED and meeting.starts_at <= timezone.now()


def minutes_locked(meeting: Meeting) -> bool:
    """Approved minutes (and the attendance they record) no longer change."""
    return meeting.minutes_status in (MinutesStatus.APPROVED, MinutesStatus.PUBLISHED)


def _locked_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("forum").get(pk=meeting.pk)


@transaction.atomic
def meeting_change(
    *,
    actor: User,
    meeting: Meeting,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    seen_state: str | None,
) -> Meeting:
    """A new time or place. Members already given notice are told at once; otherwise the notice
    goes when it is due, with the new time."""
    meeting = _locked_meeting(meeting)
    _ensure_forum_manager(actor, meeting.forum)
    transitions.ensure_seen_state(meeting, seen_state)
    if meeting.status != MeetingStatus.PLANNED or meeting.starts_at <= timezone.now():
        raise ValidationError(_("Only a coming meeting can be changed."))
    if not place.strip():
        raise ValidationError({"place": [_("Say where the meeting is held.")]})
    told = noticed(meeting)
    if told:
        errors: dict[str, list[str]] = {}
        if starts_at <= timezone.now():
            errors["starts_at"] = [_("Choose a time that has not passed.")]
        if ends_at <= starts_at:
            errors["ends_at"] = [_("The meeting must end after it starts.")]
        if errors:
            raise ValidationError(errors)
    else:
        meeting.notice_on = _check_times(meeting.forum, starts_at, ends_at)
    before = f"{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M}, {meeting.place}"
    meeting.starts_at, meeting.ends_at, meeting.place = starts_at, ends_at, place.strip()
    meeting.sequence += 1
    meeting.save()
    event = audit_record(actor=actor, obj=meeting, action="meeting_changed", comment=before)
    if told:
        notify(
            kind="meeting_changed",
            obj=event,
            recipients=appointed_people(meeting.forum_id),
            due_date=timezone.localdate(),
        )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    meeting = _locked_meeting(meeting)
    _ensure_forum_manager(actor, meeting.forum)
    if meeting.status != MeetingStatus.PLANNED or meeting.starts_at <= timezone.now():
        raise ValidationError(_("Only a coming meeting can be cancelled."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.save()
    event = audit_record(actor=actor, obj=meeting, action="meeting_cancelled", comment=reason)
    if noticed(meeting):
        notify(
            kind="meeting_cancelled",
            obj=event,
            recipients=appointed_people(meeting.forum_id),
            due_date=timezone.localdate(),
        )
    return meeting


def _next_position(meeting: Meeting) -> int:
    last = meeting.items.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def agenda_item_add(
    *, actor: User, meeting: Meeting, title: str, description: str = ""
) -> AgendaItem:
    meeting = _locked_meeting(meeting)
    _ensure_forum_manager(actor, meeting.forum)
    if meeting.status != MeetingStatus.PLANNED or meeting.starts_at <= timezone.now():
        raise ValidationError(_("Items are added to the agenda of a coming meeting."))
    if not title.strip():
        raise ValidationError({"title": [_("Name the item.")]})
    item = AgendaItem.objects.create(
        meeting=meeting,
        title=title.strip(),
        description=description.strip(),
        position=_next_position(meeting),
        proposed_by=actor,
    )
    audit_record(actor=actor, obj=meeting, action="agenda_item_added", comment=item.title)
    transitions.record_changed(meeting, stamp="updated_at")
    return item


def proposals_close(meeting: Meeting) -> date:
    """The last day a member may propose an item."""
    return _local_day(meeting.starts_at) - timedelta(days=meeting.forum.proposal_days)


@transaction.atomic
def agenda_item_propose(
    *, actor: User, meeting: Meeting, organisation: Organisation, title: str, description: str
) -> AgendaItem:
    """A member organisation's appointed person proposes an item, by the last day for
    proposals; the forum's officers put it on the agenda or say why not."""
    meeting = _locked_meeting(meeting)
    member = ForumMember.objects.filter(
        forum_id=meeting.forum_id, organisation=organisation, status=MemberStatus.ACTIVE
    ).first()
    if (
        member is None
        or actor.pk not in (member.representative_id, member.deputy_id)
        # still a person of the organisation, and the organisation in good standing, now
        or not organisation_permissions.can_act_for(actor, organisation, OrganisationRole.VIEWER)
        or organisation.status != OrganisationStatus.VERIFIED
    ):
        raise PermissionDenied(
            _("Items are proposed by the representative or deputy of a member organisation.")
        )
    if meeting.status != MeetingStatus.PLANNED or timezone.localdate() > proposals_close(meeting):
        raise ValidationError(
            _("The last day to propose items for this meeting was %(date)s.")
            % {"date": long_date(proposals_close(meeting))}
        )
    if not title.strip():
        raise ValidationError({"title": [_("Name the item.")]})
    item = AgendaItem.objects.create(
        meeting=meeting,
        title=title.strip(),
        description=description.strip(),
        status=ItemStatus.PROPOSED,
        position=_next_position(meeting),
        organisation=organisation,
        proposed_by=actor,
    )
    audit_record(
        actor=actor,
        obj=meeting,
        action="agenda_item_proposed",
        comment=f"{organisation}: {item.title}",
    )
    return item


@transaction.atomic
def agenda_item_decide(
    *, actor: User, item: AgendaItem, accept: bool, reason: str = ""
) -> AgendaItem:
    """A proposed item is put on the agenda, or not with a reason; whoever proposed it is told
    either way."""
    item = AgendaItem.objects.select_for_update().select_related("meeting__forum").get(pk=item.pk)
    _ensure_forum_manager(actor, item.meeting.forum)
    if item.status != ItemStatus.PROPOSED:
        raise ValidationError(_("The item has already been considered."))
    if not accept and not reason.strip():
        raise ValidationError(
            {"reason": [_("Tell the organisation why the item is not taken up.")]}
        )
    item.status = ItemStatus.ACCEPTED if accept else ItemStatus.DECLINED
    item.reason = reason.strip()
    item.save(update_fields=["status", "reason"])
    audit_record(
        actor=actor,
        obj=item.meeting,
        action="agenda_item_decided",
        to_state=item.status,
        comment=item.title,
    )
    notify(
        kind="agenda_item_decided",
        obj=item,
        recipients=[item.proposed_by],
        due_date=timezone.localdate(),
    )
    return item


@transaction.atomic
def attendance_record(
    *, actor: User, meeting: Meeting, present: Mapping[int, str]
) -> list[Attendance]:
    """Who attended for each member organisation, once the meeting has begun."""
    meeting = _locked_meeting(meeting)
    _ensure_forum_manager(actor, meeting.forum)
    if not held(meeting):
        raise ValidationError(_("Attendance is recorded once the meeting has begun."))
    if minutes_locked(meeting):
        raise ValidationError(_("The minutes are approved: the attendance no longer changes."))
    members = {
        m.pk: m
        for m in ForumMember.objects.filter(forum_id=meeting.forum_id).exclude(
            status=MemberStatus.INVITED
        )
    }
    if set(present) - set(members) or any(
        value not in Attendance.Present.values for value in present.values()
    ):
        raise ValidationError(_("Choose who attended for each member organisation."))
    Attendance.objects.filter(meeting=meeting).delete()
    rows = Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member_id=pk, present=value) for pk, value in present.items()
    )
    audit_record(actor=actor, obj=meeting, action="attendance_recorded", comment=str(len(rows)))
    return rows


@transaction.atomic
def minutes_save(*, actor: User, meeting: Meeting, text: str, seen_state: str | None) -> Meeting:
    meeting = _locked_meeting(meeting)
    _ensure_forum_manager(actor, meeting.forum)
    transitions.ensure_seen_state(meeting, seen_state)
    if not held(meeting):
        raise ValidationError(_("The minutes are written once the meeting has begun."))
    if minutes_locked(meeting):
        raise ValidationError(_("Approved minutes are no longer changed."))
    if not text.strip():
        raise ValidationError({"text": [_("Write the minutes.")]})
    meeting.minutes = text.strip()
    meeting.minutes_status = MinutesStatus.DRAFT
    meeting.save()
    audit_record(actor=actor, obj=meeting, action="minutes_saved")
    return meeting


@transaction.atomic
def minutes_approve(
    *, actor: User, meeting: Meeting, approved_by: str, approved_on: date, seen_state: str | None
) -> Meeting:
    """Record that the minutes were approved (justerat) as the forum does it, by whom and when.
    The text is then locked."""
    meeting = _locked_meeting(meeting)
    _ensure_forum_manager(actor, meeting.forum)
    transitions.ensure_seen_state(meeting, seen_state)
    if meeting.minutes_status != MinutesStatus.DRAFT:
        raise ValidationError(_("Write the minutes before they are approved."))
    errors: dict[str, list[str]] = {}
    if not approved_by.strip():
        errors["approved_by"] = [_("Name who approved the minutes.")]
    if approved_on > timezone.localdate() or approved_on < _local_day(meeting.starts_at):
        errors["approved_on"] = [_("The minutes are approved between the meeting and today.")]
    if errors:
        raise ValidationError(errors)
    meeting.minutes_status = MinutesStatus.APPROVED
    meeting.minutes_approved_by = approved_by.strip()
    meeting.minutes_approved_on = approved_on
    meeting.save()
    audit_record(actor=actor, obj=meeting, action="minutes_approved", comment=approved_by)
    return meeting


@transaction.atomic
def minutes_publish(*, actor: User, meeting: Meeting) -> Meeting:
    meeting = _locked_meeting(meeting)
    _ensure_forum_manager(actor, meeting.forum)
    if meeting.minutes_status != MinutesStatus.APPROVED:
        raise ValidationError(_("Only approved minutes are published."))
    meeting.minutes_status = MinutesStatus.PUBLISHED
    meeting.minutes_published_at = timezone.now()
    meeting.save()
    audit_record(actor=actor, obj=meeting, action="minutes_published")
    notify(
        kind="minutes_published",
        obj=meeting,
        recipients=appointed_people(meeting.forum_id),
        due_date=timezone.localdate(),
    )
    return meeting


# --- consultations ----------------------------------------------------------------------------

AUDIT_ACTIONS.update(
    {
        "consultation_created": gettext_lazy("Consultation created"),
        "consultation_changed": gettext_lazy("Consultation changed"),
        "consultation_document_added": gettext_lazy("Document added"),
        "consultation_published": gettext_lazy("Consultation published"),
        "response_received": gettext_lazy("Response received"),
        "response_assessed": gettext_lazy("Secrecy assessed"),
        "response_feedback": gettext_lazy("Feedback on a response written"),
        "consultation_outcome_published": gettext_lazy("What happened next published"),
    }
)


def audience_organisations(consultation: Consultation) -> QuerySet[Organisation]:
    """The verified organisations a consultation asks."""
    verified = Organisation.objects.filter(status=OrganisationStatus.VERIFIED)
    if consultation.audience == Audience.TARGET_GROUPS:
        return verified.filter(target_groups__in=consultation.target_groups.all()).distinct()
    if consultation.audience == Audience.FORUM:
        return verified.filter(
            forum_memberships__forum=consultation.forum,
            forum_memberships__status=MemberStatus.ACTIVE,
        ).distinct()
    return verified


def audience_people(
    consultation: Consultation, *, exclude: frozenset[int] = frozenset()
) -> list[User]:
    """The representatives and editors of the organisations asked (those in `exclude` left
    out): two queries whatever their number."""
    from organisations.notifications import organisation_people

    ids = set(audience_organisations(consultation).values_list("pk", flat=True)) - set(exclude)
    return organisation_people(ids)


def consultation_open(consultation: Consultation) -> bool:
    """Published and its last day not passed (Swedish time)."""
    return (
        consultation.status == ConsultationStatus.OPEN
        and consultation.deadline >= timezone.localdate()
    )


def consultation_closed(consultation: Consultation) -> bool:
    """Published and its last day passed: the responses may be public."""
    return (
        consultation.status == ConsultationStatus.OPEN
        and consultation.deadline < timezone.localdate()
    )


def _check_consultation(
    *, title: str, question: str, audience: str, forum: Forum | None, target_groups: list[Any]
) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the consultation a title.")]
    if not question.strip():
        errors["question"] = [_("Write what the municipality asks.")]
    if audience == Audience.FORUM and forum is None:
        errors["forum"] = [_("Choose the forum or council whose members are asked.")]
    if audience == Audience.TARGET_GROUPS and not target_groups:
        errors["target_groups"] = [_("Choose at least one target group.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def consultation_create(
    *,
    actor: User,
    public_body: PublicBody,
    title: str,
    question: str,
    audience: str,
    deadline: date,
    forum: Forum | None = None,
    target_groups: list[Any] | None = None,
) -> Consultation:
    if public_body.pk not in permissions.managed_body_ids(actor):
        raise PermissionDenied
    groups = list(target_groups or [])
    _check_consultation(
        title=title, question=question, audience=audience, forum=forum, target_groups=groups
    )
    consultation = Consultation.objects.create(
        public_body=public_body,
        title=title.strip(),
        question=question.strip(),
        audience=audience,
        forum=forum if audience == Audience.FORUM else None,
        deadline=deadline,
        created_by=actor,
    )
    if audience == Audience.TARGET_GROUPS:
        consultation.target_groups.set(groups)
    consultation.registry_number = registry_number_allocate(
        public_body=public_body, year=timezone.localdate().year
    )
    consultation.save(update_fields=["registry_number"])
    audit_record(actor=actor, obj=consultation, action="consultation_created")
    return consultation


def _locked_consultation(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update()
        .select_related("public_body")
        .get(pk=consultation.pk)
    )


@transaction.atomic
def consultation_document_add(
    *, actor: User, consultation: Consultation, upload: UploadedFile
) -> ConsultationDocument:
    consultation = _locked_consultation(consultation)
    if not permissions.can_manage(actor, consultation):
        raise PermissionDenied
    if consultation_closed(consultation):
        raise ValidationError(_("The consultation has closed; its documents stay as they were."))
    checked = check_upload(upload)
    document = ConsultationDocument(consultation=consultation, uploaded_by=actor)
    store_upload(record=document, upload=upload, checked=checked)
    audit_record(
        actor=actor,
        obj=consultation,
        action="consultation_document_added",
        comment=checked.safe_name,
    )
    transitions.record_changed(consultation)
    return document


@transaction.atomic
def consultation_publish(
    *, actor: User, consultation: Consultation, seen_state: str | None
) -> Consultation:
    """Publish the consultation: the organisations asked are told, and may respond until the
    last day."""
    consultation = _locked_consultation(consultation)
    if not permissions.can_manage(actor, consultation):
        raise PermissionDenied
    transitions.ensure_seen_state(consultation, seen_state)
    if consultation.status != ConsultationStatus.DRAFT:
        raise ValidationError(_("The consultation is already published."))
    if consultation.deadline < timezone.localdate() + timedelta(days=7):
        raise ValidationError(
            {
                "deadline": [
                    _("Give the organisations at least a week: choose a last day from %(date)s.")
                    % {"date": long_date(timezone.localdate() + timedelta(days=7))}
                ]
            }
        )
    consultation.status = ConsultationStatus.OPEN
    consultation.published_at = timezone.now()
    consultation.save()
    audit_record(
        actor=actor,
        obj=consultation,
        action="consultation_published",
        from_state=ConsultationStatus.DRAFT,
        to_state=ConsultationStatus.OPEN,
    )
    notify(
        kind="consultation_published",
        obj=consultation,
        recipients=audience_people(consultation),
        due_date=timezone.localdate(),
    )
    return consultation


@transaction.atomic
def response_submit(
    *,
    actor: User,
    consultation: Consultation,
    organisation: Organisation,
    text: str,
    sensitive_note: str = "",
    uploads: list[UploadedFile] | None = None,
) -> Response:
    """An organisation's response, by its last day, registered with a diarienummer when it
    arrives. What it marks as sensitive is not public until an officer has assessed it."""
    consultation = _locked_consultation(consultation)
    if not permissions.can_comment_for(actor, organisation):
        raise PermissionDenied(
            _("You can respond for a verified organisation you are a representative or editor of.")
        )
    if not audience_organisations(consultation).filter(pk=organisation.pk).exists():
        raise PermissionDenied(
            _("The consultation is not addressed to %(organisation)s.")
            % {"organisation": organisation}
        )
    if not consultation_open(consultation):
        raise ValidationError(_("The consultation is not open for responses."))
    if Response.objects.filter(consultation=consultation, organisation=organisation).exists():
        raise ValidationError(
            _("%(organisation)s has already responded.") % {"organisation": organisation}
        )
    if not text.strip():
        raise ValidationError({"text": [_("Write the organisation's response.")]})
    checked = [(upload, check_upload(upload)) for upload in uploads or []]
    response = Response.objects.create(
        consultation=consultation,
        organisation=organisation,
        text=text.strip(),
        sensitive_note=sensitive_note.strip(),
        secrecy=Secrecy.PENDING if sensitive_note.strip() else Secrecy.NOT_ASKED,
        registry_number=registry_number_allocate(
            public_body=consultation.public_body, year=timezone.localdate().year
        ),
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    for upload, check in checked:
        store_upload(
            record=ResponseAttachment(response=response, uploaded_by=actor),
            upload=upload,
            checked=check,
        )
    audit_record(
        actor=actor,
        obj=consultation,
        action="response_received",
        comment=f"{response.registry_number} {organisation}",
    )
    notify(
        kind="response_received",
        obj=response,
        recipients=[actor, *signatory_people_of(organisation)],
        due_date=timezone.localdate(),
    )
    return response


@transaction.atomic
def response_assess(
    *, actor: User, response: Response, secrecy: str, reason: str, public_text: str = ""
) -> Response:
    """The authority decides what of a response marked as sensitive is secret (OSL): public,
    partly secret (with the text that is made public) or secret, with its reasons."""
    response = (
        Response.objects.select_for_update().select_related("consultation").get(pk=response.pk)
    )
    if not permissions.can_manage(actor, response.consultation):
        raise PermissionDenied
    if secrecy not in (Secrecy.PUBLIC, Secrecy.PARTLY, Secrecy.SECRET):
        raise ValidationError({"secrecy": [_("Choose the outcome of the assessment.")]})
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Give the reasons of the assessment.")]
    if secrecy == Secrecy.PARTLY and not public_text.strip():
        errors["public_text"] = [_("Give the text that is made public.")]
    if errors:
        raise ValidationError(errors)
    response.secrecy = secrecy
    response.secrecy_reason = reason.strip()
    response.public_text = public_text.strip() if secrecy == Secrecy.PARTLY else ""
    response.assessed_by = actor
    response.assessed_at = timezone.now()
    response.save()
    audit_record(
        actor=actor,
        obj=response.consultation,
        action="response_assessed",
        to_state=secrecy,
        comment=response.registry_number,
    )
    return response


@transaction.atomic
def response_feedback(*, actor: User, response: Response, feedback: str) -> Response:
    """What was heard and done with one response, shown beside it."""
    response = (
        Response.objects.select_for_update().select_related("consultation").get(pk=response.pk)
    )
    if not permissions.can_manage(actor, response.consultation):
        raise PermissionDenied
    if response.consultation.outcome_published_at is not None:
        raise ValidationError(_("What happened next is published and no longer changes."))
    response.feedback = feedback.strip()
    response.save(update_fields=["feedback"])
    audit_record(
        actor=actor,
        obj=response.consultation,
        action="response_feedback",
        comment=response.registry_number,
    )
    return response


@transaction.atomic
def consultation_outcome_publish(
    *, actor: User, consultation: Consultation, outcome: str, seen_state: str | None
) -> Consultation:
    """ "Vad hände sedan": after the last day, what was heard and what was done. Every
    organisation that responded is told."""
    consultation = _locked_consultation(consultation)
    if not permissions.can_manage(actor, consultation):
        raise PermissionDenied
    transitions.ensure_seen_state(consultation, seen_state)
    if not consultation_closed(consultation):
        raise ValidationError(_("What happened next is written after the last day for responses."))
    if consultation.outcome_published_at is not None:
        raise ValidationError(_("What happened next is already published."))
    if not outcome.strip():
        raise ValidationError({"outcome": [_("Write what happened next.")]})
    consultation.outcome = outcome.strip()
    consultation.outcome_published_at = timezone.now()
    consultation.save()
    audit_record(actor=actor, obj=consultation, action="consultation_outcome_published")
    from organisations.notifications import organisation_people

    responses = list(
        Response.objects.filter(consultation=consultation).select_related("submitted_by")
    )
    notify(
        kind="consultation_outcome",
        obj=consultation,
        recipients=[
            *(r.submitted_by for r in responses),
            *organisation_people({r.organisation_id for r in responses}, editors=False),
        ],
        due_date=timezone.localdate(),
    )
    return consultation
