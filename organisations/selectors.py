"""Every read of the register a view makes, scoped to who asks. What a person may not see is
answered with 404, so that nobody learns that it exists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from organisations import permissions, segregation, validators
from organisations.models import (
    ANNUAL_DOCUMENT_KINDS,
    VERIFICATION_DOCUMENT_KINDS,
    AidDeclaration,
    AidEntry,
    AidInstrument,
    AidOrigin,
    AnnualDocument,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    Organisation,
    OrganisationMembership,
    OrganisationReminderSettings,
    OrganisationRole,
    OrganisationStatus,
    TargetGroup,
    UndertakingMember,
)
from portal import person_cache, versions
from portal.models import AuditEvent, User
from portal.pagination import kept_count, person_key
from portal.prepared import Prepared, one_of_slot, owned, slot
from portal.rows import from_values
from portal.selectors import officer_body_ids, recent_history
from portal.sql import choice, constant

# --- what an approving officer sees (portal.versions) ------------------------------------------


def organisation_payable(organisation: Organisation) -> bool:
    """Money may go to the organisation: it is verified (its identity too, after a change of
    name, number or legal form) and so is its payment account. Payments ask this, nothing else."""
    return (
        organisation.status == OrganisationStatus.VERIFIED
        and bool(organisation.payment_account)
        and organisation.payment_details_verified
    )


def payment_details_version(organisation: Organisation) -> str:
    """The fingerprint of the identity and payment details an officer verifies: a verification
    counts only for exactly these."""
    # str(): a choices enum member and the string read back from the database are the same fact
    return versions.fingerprint(
        *(
            None if value is None else str(value)
            for value in (
                organisation.organisation_number,
                organisation.payment_method,
                organisation.payment_account,
                organisation.name,
                organisation.legal_form,
            )
        )
    )


def document_version_of(version: DocumentVersion | None) -> str:
    """The fingerprint of the file an officer approves or sends back."""
    if version is None:
        return versions.fingerprint(None)
    return versions.fingerprint(version.pk, int(version.number), str(version.sha256))


def document_seen_version(document: AnnualDocument) -> str:
    """The fingerprint of a document's current file (`current_version` is select_related by
    `documents_of_year`, so a table of them costs no query per row)."""
    return document_version_of(document.current_version)


def memberships_for_user(*, user: User | AnonymousUser) -> QuerySet[OrganisationMembership]:
    if not user.is_authenticated:
        return OrganisationMembership.objects.none()
    return (
        OrganisationMembership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def membership_of(
    *, user: User | AnonymousUser, organisation: Organisation | int
) -> OrganisationMembership | None:
    """The person's membership of the organisation (or its id) now, None if they have none.
    Read fresh, never from the request's cache: services ask it before they write."""
    if not user.is_authenticated:
        return None
    return OrganisationMembership.objects.filter(user=user, organisation=organisation).first()


def organisation_ids_for(
    *, user: User | AnonymousUser, roles: Iterable[str] | None = None
) -> QuerySet[OrganisationMembership, int]:
    """The ids of the organisations where the person holds one of `roles` (any role if None),
    as a subquery: `filter(organisation_id__in=...)` reads them in the same query."""
    if not user.is_authenticated:
        return OrganisationMembership.objects.none().values_list("organisation_id", flat=True)
    memberships = OrganisationMembership.objects.filter(user_id=user.pk)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return memberships.values_list("organisation_id", flat=True)


def organisations_for(
    *, user: User | AnonymousUser, roles: Iterable[str] | None = None
) -> QuerySet[Organisation]:
    """The organisations where the person holds one of `roles` (any role if None), by name."""
    return Organisation.objects.filter(pk__in=organisation_ids_for(user=user, roles=roles))


_ROLES = "_organisation_roles"


def organisation_roles(*, user: User | AnonymousUser) -> dict[int, str]:
    """organisation id → the person's role in it now. Read once per request and kept on the
    user object, like their officer roles, and between requests until a membership changes
    (`portal.person_cache`, which every save or delete of a membership makes stale);
    `forget_organisation_roles` drops the request's copy."""
    if not user.is_authenticated:
        return {}
    cached: dict[int, str] | None = user.__dict__.get(_ROLES)
    if cached is None:
        pk = user.pk

        def read() -> dict[int, str]:
            return dict(
                OrganisationMembership.objects.filter(user_id=pk).values_list(
                    "organisation_id", "role"
                )
            )

        cached = person_cache.remember(pk, "organisation-roles", read)
        user.__dict__[_ROLES] = cached
    return cached


def forget_organisation_roles(*, user: User | AnonymousUser) -> None:
    user.__dict__.pop(_ROLES, None)


def join_requests_for_user(*, user: User) -> QuerySet[JoinRequest]:
    return (
        JoinRequest.objects.filter(user=user).select_related("organisation").order_by("-created_at")
    )


def organisation_get_for_member(
    *, user: User | AnonymousUser, pk: int
) -> tuple[Organisation, OrganisationMembership]:
    """The organisation and the person's membership of it; 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        OrganisationMembership.objects.select_related("organisation")
        .filter(user=user, organisation_id=pk)
        .first()
    )
    if membership is None:
        raise Http404
    return membership.organisation, membership


_FOR_OFFICER = Prepared(
    Organisation,
    lambda: Organisation.objects.filter(pk=slot("pk")).annotate(
        join_requests_waiting=Exists(
            JoinRequest.objects.filter(
                organisation=OuterRef("pk"), status=constant(JoinRequestStatus.PENDING)
            )
        )
    )[:1],
)


def organisation_get_for_officer(*, user: User | AnonymousUser, pk: int) -> Organisation:
    """Any organisation, for a case officer. An officer excluded from it (segregation of duties)
    still sees it, read-only: the page says why and offers no action, and the services refuse
    every action (`segregation.ensure_may_act`)."""
    if not permissions.is_officer(user):
        raise Http404
    # by its key alone: not first(), whose sort by name costs a sort node for one row; its
    # target groups are read where the page shows them (a prefetch costs twice that query).
    # Whether a request to join waits, in the same query: most organisations have none, and
    # then `pending_join_requests` needs no query of its own.
    organisation = _FOR_OFFICER.first(pk=pk)
    if organisation is None:
        raise Http404
    return organisation


def organisation_find_by_number(*, number: str) -> Organisation | None:
    """For the registration form: is this number taken? (Used only to offer a join request;
    nothing about the organisation's people is shown.)"""
    return Organisation.objects.filter(organisation_number=number).first()


_MEMBERS = Prepared(
    OrganisationMembership,
    lambda: (
        OrganisationMembership.objects.filter(organisation_id=slot("organisation"))
        .select_related("user")
        .order_by("user__name", "user__email")
    ),
)


def members_of(*, organisation: Organisation) -> list[OrganisationMembership]:
    """The organisation's people with their roles, by name."""
    return owned(_MEMBERS.all(organisation=organisation.pk), "organisation", organisation)


def membership_get(*, organisation: Organisation, pk: int) -> OrganisationMembership:
    membership = organisation.memberships.select_related("user").filter(pk=pk).first()
    if membership is None:
        raise Http404
    return membership


def open_invitations(*, organisation: Organisation) -> QuerySet[Invitation]:
    return organisation.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def invitation_get(*, organisation: Organisation, pk: int) -> Invitation:
    invitation = organisation.invitations.filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


def invitation_get_by_token(*, token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(token=token).first()
    )
    if invitation is None:
        raise Http404
    return invitation


def pending_join_requests(*, organisation: Organisation) -> QuerySet[JoinRequest]:
    if getattr(organisation, "join_requests_waiting", True) is False:
        return JoinRequest.objects.none()  # read with the organisation: none waits
    return organisation.join_requests.filter(status=JoinRequestStatus.PENDING).select_related(
        "user"
    )


def join_request_get(*, organisation: Organisation, pk: int) -> JoinRequest:
    join_request = pending_join_requests(organisation=organisation).filter(pk=pk).first()
    if join_request is None:
        raise Http404
    return join_request


@dataclass(frozen=True)
class DocumentRow:
    kind: str
    label: str
    document: AnnualDocument | None
    earlier_versions: list[DocumentVersion] = field(default_factory=list)  # newest first


_DOCUMENTS = Prepared(
    AnnualDocument,
    lambda: AnnualDocument.objects.filter(
        organisation_id=slot("organisation"), year=slot("year")
    ).select_related("current_version"),
)


def document_years_waiting(*, organisation: Organisation) -> list[int]:
    """The years for which the organisation has documents waiting for an officer's review,
    newest first: one query."""
    return list(
        AnnualDocument.objects.filter(
            organisation=organisation, status=constant(DocumentStatus.SUBMITTED)
        )
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def documents_of_year(*, organisation: Organisation, year: int) -> list[DocumentRow]:
    """Every kind of annual document for the year, with what has been sent in (or None) and
    the files sent in before the current one. The current file is always the newest upload and
    the first is number 1, so earlier files are read (one query) only when a current file is
    number 2 or more: an organisation that sent each document once costs one query."""
    documents = {
        document.kind: document
        for document in owned(
            _DOCUMENTS.all(organisation=organisation.pk, year=year), "organisation", organisation
        )
    }
    replaced = [
        document
        for document in documents.values()
        if document.current_version is not None and document.current_version.number > 1
    ]
    earlier: dict[int, list[DocumentVersion]] = {}
    if replaced:
        for version in (
            DocumentVersion.objects.filter(document__in=replaced)
            .exclude(pk__in=[document.current_version_id for document in replaced])
            .select_related("uploaded_by")
            .order_by("document_id", "-number")
        ):
            earlier.setdefault(version.document_id, []).append(version)
    return [
        DocumentRow(
            kind=kind.value,
            label=str(kind.label),
            document=documents.get(kind.value),
            earlier_versions=earlier.get(documents[kind.value].pk, [])
            if kind.value in documents
            else [],
        )
        for kind in DocumentKind
    ]


def document_get(*, organisation: Organisation, pk: int) -> AnnualDocument:
    document = organisation.documents.filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


def document_version_get_for_user(
    *, user: User | AnonymousUser, organisation_pk: int, pk: int
) -> DocumentVersion:
    """A stored file, for a member of its organisation or a case officer; 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404
    version = (
        DocumentVersion.objects.select_related("document")
        .filter(pk=pk, document__organisation_id=organisation_pk)
        .first()
    )
    if version is None:
        raise Http404
    allowed = (
        permissions.is_officer(user)
        or OrganisationMembership.objects.filter(
            user=user, organisation_id=organisation_pk
        ).exists()
    )
    if not allowed:
        raise Http404
    return version


def history_of(*, organisation: Organisation) -> list[AuditEvent]:
    """The organisation's latest events, newest first (as many as its page shows)."""
    return recent_history(organisation)


def officer_queue(
    *,
    user: User | AnonymousUser,
    status: str = "",
    legal_form: str = "",
    district: str = "",
    q: str = "",
    documents_waiting: bool = False,
) -> QuerySet[Organisation]:
    """Organisations for the case officer to verify, oldest waiting first; never those the
    officer must stay out of (segregation of duties: at most two queries, whatever the rows)."""
    if not permissions.is_officer(user):
        raise Http404
    organisations = segregation.exclude_conflicted(
        Organisation.objects.annotate(
            documents_waiting=Count(
                "documents", filter=Q(documents__status=constant(DocumentStatus.SUBMITTED))
            )
        ),
        user,
        organisation_field=None,
    )
    if status:
        organisations = organisations.filter(status=choice(status, OrganisationStatus.values))
    if legal_form:
        organisations = organisations.filter(legal_form=legal_form)
    if district:
        organisations = organisations.filter(district__iexact=district)
    if documents_waiting:
        organisations = organisations.filter(
            pk__in=AnnualDocument.objects.filter(status=constant(DocumentStatus.SUBMITTED)).values(
                "organisation_id"
            )
        )
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        match = Q(name__icontains=q)
        if len(digits) >= 4:
            match |= Q(organisation_number__contains=organisation_number_as_stored(digits))
        organisations = organisations.filter(match)
    return organisations.order_by("status_changed_at", "id")


def organisation_number_as_stored(digits: str) -> str:
    """The organisation number (or its start) as the register stores it, NNNNNN-NNNN, from the
    digits a person typed: with or without the dash, and in the twelve-digit form some systems
    use, with the century first: "16", as the register accepts it (16802002-1234 is
    802002-1234). Other digits are searched as they are."""
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    return f"{digits[:6]}-{digits[6:]}" if len(digits) > 6 else digits


def whole_organisation_number(q: str) -> str:
    """`q` written as the register stores it (NNNNNN-NNNN) if it is a valid whole organisation
    number as the register accepts it (`validators.normalise_organisation_number`), else ""."""
    try:
        return validators.normalise_organisation_number(q)
    except ValidationError:
        return ""


def organisation_id_by_number(q: str) -> int | None:
    """The id of the organisation whose whole organisation number `q` is, or None: one query on
    the unique index, none when `q` is not a whole number."""
    number = whole_organisation_number(q)
    if not number:
        return None
    return (
        Organisation.objects.filter(organisation_number=number).values_list("pk", flat=True).first()
    )


def waiting_for_verification_count(*, user: User | AnonymousUser) -> int:
    if not permissions.is_officer(user):
        return 0
    pending = segregation.exclude_conflicted(
        Organisation.objects.filter(status=OrganisationStatus.PENDING),
        user,
        organisation_field=None,
    )
    return kept_count(person_key("organisations-waiting", user), pending.count)


def documents_waiting_count(*, user: User | AnonymousUser) -> int:
    """Annual documents sent in and waiting for an officer's review, of the organisations the
    officer may handle: one query (the queue's "documents to review" holds them), kept a short
    while as a list's count is (`portal.pagination.kept_count`)."""
    if not permissions.is_officer(user):
        return 0
    documents = segregation.exclude_conflicted(
        AnnualDocument.objects.filter(status=DocumentStatus.SUBMITTED),
        user,
        case=Organisation,
        case_field="organisation_id",
    )
    return kept_count(person_key("documents-waiting", user), documents.count)


@dataclass
class MemberWaiting:
    """What waits for a person in the register (their overview's to-do list)."""

    returned: list[AnnualDocument] = field(default_factory=list)
    # (organisation, the year, the kinds missing, the day the portal asks for them)
    missing: list[tuple[Organisation, int, list[str], date]] = field(default_factory=list)
    # Organisations awaiting verification (or asked to update): (organisation, the year, the
    # kinds the register asks for before verification that are not sent in)
    before_verification: list[tuple[Organisation, int, list[str]]] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    join_requests: list[JoinRequest] = field(default_factory=list)


def annual_documents_year(config: OrganisationReminderSettings, today: date) -> tuple[int, date]:
    """The latest year whose annual meetings have been held by `today`, and the day the portal
    asks for that year's documents (its first reminder after the meetings)."""
    year = today.year
    if date(year, config.annual_meeting_month, config.annual_meeting_day) >= today:
        year -= 1
    deadline = date(year, config.annual_meeting_month, config.annual_meeting_day)
    days = config.days("annual_documents_days")
    return year, deadline + timedelta(days=min(days) if days else 0)


def waiting_for_member(*, user: User | AnonymousUser, today: date | None = None) -> MemberWaiting:
    """Of the organisations the person writes for (representative or editor): annual documents
    sent back, and the year's annual documents missing once the annual meetings are held
    (verified organisations, as the reminder); the documents asked for before verification that
    are missing (organisations awaiting verification or asked to update); invitations to join sent to the person's
    address; requests to join waiting for a representative's answer. At most six queries,
    whatever the number of items."""
    waiting = MemberWaiting()
    if not user.is_authenticated:
        return waiting
    today = today or timezone.localdate()
    waiting.invitations = list(
        Invitation.objects.filter(
            email__iexact=user.email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("organisation")
        .order_by("expires_at", "id")
    )
    roles = organisation_roles(user=user)
    writes_for = [
        pk
        for pk, role in roles.items()
        if role in {OrganisationRole.REPRESENTATIVE, OrganisationRole.EDITOR}
    ]
    if not writes_for:
        return waiting
    represents = [pk for pk, role in roles.items() if role == OrganisationRole.REPRESENTATIVE]
    waiting.join_requests = list(
        JoinRequest.objects.filter(organisation_id__in=represents, status=JoinRequestStatus.PENDING)
        .select_related("organisation", "user")
        .order_by("created_at", "id")
    )
    year, asked_on = annual_documents_year(OrganisationReminderSettings.load(), today)
    documents = list(
        AnnualDocument.objects.filter(organisation_id__in=writes_for)
        .filter(Q(year=year) | Q(status=DocumentStatus.RETURNED) | Q(kind=DocumentKind.STATUTES))
        .select_related("organisation")
        .order_by("organisation__name", "-year", "kind")
    )
    waiting.returned = [d for d in documents if d.status == DocumentStatus.RETURNED]
    present: dict[int, set[str]] = {}
    for document in documents:
        if document.status == DocumentStatus.RETURNED:
            continue
        if document.year == year or document.kind == DocumentKind.STATUTES:
            present.setdefault(document.organisation_id, set()).add(document.kind)
    for organisation in Organisation.objects.filter(
        pk__in=writes_for,
        status__in=[
            OrganisationStatus.VERIFIED,
            OrganisationStatus.PENDING,
            OrganisationStatus.NEEDS_UPDATE,
        ],
    ).order_by("name", "id"):
        asked = (
            ANNUAL_DOCUMENT_KINDS
            if organisation.status == OrganisationStatus.VERIFIED
            else VERIFICATION_DOCUMENT_KINDS
        )
        missing = [
            str(DocumentKind(kind).label)
            for kind in asked
            if kind not in present.get(organisation.pk, set())
        ]
        if not missing:
            continue
        if organisation.status == OrganisationStatus.VERIFIED:
            waiting.missing.append((organisation, year, missing, asked_on))
        else:
            waiting.before_verification.append((organisation, year, missing))
    return waiting


# The district filters' choices (the officers' queue's and the public directory's), kept
# between requests until an organisation is saved or deleted (`portal.person_cache`, watched in
# OrganisationsConfig).
DISTRICTS = "districts"


def districts() -> list[str]:
    """Every district an organisation is in, for the officer's queue's filter: a DISTINCT over
    the whole register (a few milliseconds at 5 000 organisations) read once, not per page."""

    def read() -> list[str]:
        return list(
            Organisation.objects.exclude(district="")
            .order_by("district")
            .values_list("district", flat=True)
            .distinct()
        )

    return person_cache.kept("districts", read, generation=DISTRICTS)


def _listed() -> QuerySet[Organisation]:
    """The organisations of the public directory: verified, and asked to be listed."""
    # written into the SQL, so the plan on the directory's partial index is kept (portal.sql)
    return Organisation.objects.filter(
        public_listing=constant(True), status=constant(OrganisationStatus.VERIFIED)
    )


def directory(
    *, q: str = "", district: str = "", target_group: int | None = None
) -> QuerySet[Organisation, dict[str, Any]]:
    """The public directory: verified organisations that asked to be listed. Nothing about
    persons is part of it."""
    organisations = _listed()
    if q:
        organisations = organisations.filter(Q(name__icontains=q) | Q(purpose__icontains=q))
    if district:
        organisations = organisations.filter(district__iexact=district)
    if target_group:
        organisations = organisations.filter(target_groups__pk=target_group)
    # what a card shows (organisations/_directory_rows.jinja), not the whole register's row
    return organisations.order_by("name", "id").values(*DIRECTORY_COLUMNS)


DIRECTORY_COLUMNS = ("pk", "name", "district", "purpose")


@dataclass(frozen=True)
class DirectoryRow:
    """An organisation as the public directory's card shows it, read as values, with the names
    of its target groups: as an organisation and its target groups' instances they took a
    third of building the page."""

    pk: int
    name: str
    district: str
    purpose: str
    target_groups: list[str]  # in the target groups' own order


def directory_rows(organisations: list[dict[str, Any]]) -> list[DirectoryRow]:
    """The rows of a page of `directory()`, with their target groups in one query."""
    names = _target_group_names([organisation["pk"] for organisation in organisations])
    return [
        from_values(DirectoryRow, organisation, target_groups=names.get(organisation["pk"], []))
        for organisation in organisations
    ]


# (organisation, target group) of any number of organisations: one organisation's page, or
# the 25 of a page of the directory, by the same SQL compiled once (portal.prepared)
_CHOSEN = Prepared(
    Organisation.target_groups.through,
    lambda: Organisation.target_groups.through.objects.filter(
        one_of_slot("organisation_id", "organisations")
    ).values_list("organisation_id", "targetgroup_id"),
)


def target_group_names(*, organisation: Organisation) -> list[str]:
    """The names of the organisation's target groups, in the groups' own order."""
    return _target_group_names([organisation.pk]).get(organisation.pk, [])


def _target_group_names(organisation_ids: list[int]) -> dict[int, list[str]]:
    """The names of the target groups of each of these organisations, in the groups' own order:
    one query of the link table, named from the list every page that shows them reads anyway
    (`target_groups`), not the groups' rows again for each organisation."""
    return _named(_CHOSEN.all(organisations=organisation_ids))


def _named(pairs: list[tuple[int, int]]) -> dict[int, list[str]]:
    """(organisation, target group) pairs as each organisation's names of its groups."""
    groups = target_groups()
    if {group_id for _organisation, group_id in pairs} - {group.pk for group in groups}:
        groups = list(TargetGroup.objects.all())  # one added a moment ago: read them as they are
    order = {group.pk: (position, group.name) for position, group in enumerate(groups)}
    chosen: dict[int, list[tuple[int, str]]] = {}
    for organisation_id, group_id in pairs:
        if group_id in order:  # not one removed between the two reads
            chosen.setdefault(organisation_id, []).append(order[group_id])
    return {pk: [name for _position, name in sorted(named)] for pk, named in chosen.items()}


def directory_get(*, pk: int) -> Organisation:
    organisation = _listed().prefetch_related("target_groups").filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def directory_districts() -> list[str]:
    """The districts of the listed organisations, for the public directory's filter: kept like
    the officers' (`districts`), since every visitor's page asked for the same DISTINCT."""

    def read() -> list[str]:
        return list(
            _listed()
            .exclude(district="")
            .order_by("district")
            .values_list("district", flat=True)
            .distinct()
        )

    return person_cache.kept("directory-districts", read, generation=DISTRICTS)


# The target groups an organisation may name (set up in the admin), for the public directory's
# filter: kept between requests until one is saved or deleted (watched in OrganisationsConfig).
TARGET_GROUPS = "target-groups"


def target_groups() -> list[TargetGroup]:
    """Every target group in its order: every directory page offered the same list."""
    return person_cache.kept(
        "target-groups", lambda: list(TargetGroup.objects.all()), generation=TARGET_GROUPS
    )


# --- state aid: the de minimis ledger (organisations.state_aid holds the rules) --------------


def aid_declarations_of(*, organisation: Organisation) -> list[AidDeclaration]:
    """Every version of the organisation's declaration of de minimis aid from others, newest
    first, each with the number of aids it lists (`item_count`): one query."""
    return list(
        AidDeclaration.objects.filter(organisation=organisation)
        .annotate(item_count=Count("entries"))
        .order_by("-number")
    )


def aid_declared_in(*, declaration: AidDeclaration) -> list[AidEntry]:
    """The aids a declaration lists, newest decision first."""
    return list(declaration.entries.order_by("-decided_on", "id"))


def aid_decided_since(*, organisation: Organisation, since: date) -> list[AidEntry]:
    """The de minimis aid decided in the portal for the organisation from `since` on (the
    three years that count), newest first."""
    return list(
        AidEntry.objects.filter(
            organisation=organisation, origin=AidOrigin.DECIDED, decided_on__gte=since
        ).order_by("-decided_on", "-id")
    )


def undertaking_members_of(*, organisation: Organisation) -> list[UndertakingMember]:
    """The organisations the organisation forms one undertaking with, itself included, with
    who linked each and why; empty when it is linked to none. One query."""
    return list(
        UndertakingMember.objects.filter(undertaking__members__organisation=organisation)
        .select_related("organisation", "added_by")
        .order_by("organisation__name", "organisation_id")
    )


def undertaking_member_get(
    *, organisation: Organisation, member_organisation_id: int
) -> Organisation:
    """An organisation of `organisation`'s undertaking (itself included), for an officer's
    action on the link; 404 for any other."""
    member = (
        UndertakingMember.objects.filter(
            undertaking__members__organisation=organisation,
            organisation_id=member_organisation_id,
        )
        .select_related("organisation")
        .first()
    )
    if member is None:
        raise Http404
    return member.organisation


def aid_ledger(*, organisation_ids: list[int]) -> QuerySet[AidEntry]:
    """Every entry of these organisations' ledger, counted or replaced, newest decision first,
    with the organisation each belongs to (for `portal.pagination.paginate`)."""
    return (
        AidEntry.objects.filter(organisation_id__in=organisation_ids)
        .select_related("organisation")
        .order_by("-decided_on", "-id")
    )


def aid_register(*, user: User | AnonymousUser, start: date, end: date) -> QuerySet[AidEntry]:
    """The de minimis aid the officer's public bodies decided in the portal from `start` to
    `end` (both included), by decision date: what the register of de minimis aid (2023/2831
    Art. 6) is given. All of it, whatever the officer's own connections: a report of the
    bodies' decisions, not a case to handle. 404 for anyone who is no officer."""
    body_ids = officer_body_ids(user=user)
    if not body_ids:
        raise Http404
    return (
        AidEntry.objects.filter(
            origin=AidOrigin.DECIDED,
            public_body_id__in=body_ids,
            decided_on__gte=start,
            decided_on__lte=end,
        )
        .select_related("organisation")
        .order_by("decided_on", "id")
    )


@dataclass(frozen=True)
class RegisterRow:
    """One aid as the register of de minimis aid asks for it (Art. 6 of 2023/2831): the
    beneficiary and the other organisations of its undertaking, the granting body, the date
    it was granted, the regulation, the instrument, the amounts, the rate and the sector."""

    entry: AidEntry
    other_numbers: list[str]

    @property
    def sector(self) -> str:
        return self.entry.sector or self.entry.organisation.sector

    @property
    def instrument_label(self) -> str:
        return str(AidInstrument(self.entry.instrument).label)

    def cells(self) -> list[Any]:
        entry = self.entry
        return [
            entry.organisation.organisation_number,
            entry.organisation.name,
            ", ".join(self.other_numbers),
            entry.granting_body,
            entry.decided_on.isoformat(),
            entry.regulation,
            self.instrument_label,
            entry.amount_sek,
            entry.gross_grant_equivalent_sek,
            entry.amount_eur,
            entry.sek_per_eur,
            entry.rate_date.isoformat() if entry.rate_date else "",
            entry.rate_source,
            self.sector,
            entry.source_reference,
        ]


def undertaking_numbers(organisation_ids: Iterable[int]) -> dict[int, list[str]]:
    """organisation id → the organisation numbers of the other organisations of its single
    undertaking (none when it is linked to no other), for any number of organisations in one
    query."""
    ids = set(organisation_ids)
    if not ids:
        return {}
    rows = list(
        UndertakingMember.objects.filter(
            undertaking_id__in=UndertakingMember.objects.filter(organisation_id__in=ids).values(
                "undertaking_id"
            )
        ).values_list("undertaking_id", "organisation_id", "organisation__organisation_number")
    )
    by_undertaking: dict[int, list[tuple[int, str]]] = {}
    undertaking_of: dict[int, int] = {}
    for undertaking_id, organisation_id, number in rows:
        by_undertaking.setdefault(undertaking_id, []).append((organisation_id, number or ""))
        undertaking_of[organisation_id] = undertaking_id
    return {
        pk: sorted(
            number
            for other, number in by_undertaking.get(undertaking_of.get(pk, 0), [])
            if other != pk and number
        )
        for pk in ids
    }


def register_rows(entries: list[AidEntry]) -> list[RegisterRow]:
    """The register's rows of these entries (a page, or a part of the export): one query for
    the undertakings of them all."""
    others = undertaking_numbers(entry.organisation_id for entry in entries)
    return [RegisterRow(entry, others.get(entry.organisation_id, [])) for entry in entries]


def register_cells(entries: Iterable[AidEntry], *, chunk: int = 2000) -> Iterable[list[Any]]:
    """The export's rows of the register, read `chunk` entries at a time (one query for the
    entries and one for their undertakings per chunk)."""
    batch: list[AidEntry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) >= chunk:
            yield from (row.cells() for row in register_rows(batch))
            batch = []
    if batch:
        yield from (row.cells() for row in register_rows(batch))
