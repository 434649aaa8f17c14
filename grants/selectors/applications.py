"""Calls and applications, for the association and the officer: scoped to who asks; 404 for what they may not see."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.db.models.options import Options
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import assessment, permissions
from grants.assessment import Assessment
from grants.models import (
    Application,
    ApplicationStatus,
    Attachment,
    BudgetLine,
    Call,
    FollowUpReport,
    Programme,
    Question,
    Submission,
)
from grants.selectors._shared import (
    _application_queryset,
    _officer_body_ids,
    _with_people,
    _without_conflicts,
)
from organisations import segregation
from organisations import selectors as organisation_selectors
from organisations.models import Organisation, OrganisationRole
from portal import person_cache
from portal.formats import registry_number
from portal.models import AuditEvent, PublicBodyRole, User
from portal.pagination import kept_count, person_key
from portal.prepared import Prepared, owned, slot
from portal.rows import from_values
from portal.selectors import recent_history, user_memberships
from portal.sql import choice, constant, one_of

# The filters' choices (calls, case officers) kept between requests (`portal.person_cache`).
CHOICES = "choices"

if TYPE_CHECKING:
    from organisations.models import OrganisationMembership


def open_calls(*, now: datetime | None = None) -> QuerySet[Call, dict[str, Any]]:
    """Calls open for applications now, the nearest deadline first: the columns a card shows
    (grants/_call_rows.jinja), as values for `call_rows`, not the calls' and programmes'
    texts."""
    now = now or timezone.now()
    return (
        Call.objects.filter(opens_at__lte=now, closes_at__gt=now, programme__is_active=True)
        .order_by("closes_at", "id")
        .values(*OPEN_CALL_COLUMNS)
    )


OPEN_CALL_COLUMNS = (
    "pk",
    "title",
    "closes_at",
    "budget",
    "programme__kind",
    "programme__public_body__name",
)


@dataclass(frozen=True)
class CallRow:
    """An open call as the public list shows it, read as values: as three model instances (the
    call, its programme and public body) they took a third of building the page."""

    pk: int
    title: str
    closes_at: datetime
    budget: Decimal
    kind: str  # the programme's kind
    public_body: str  # the name of the programme's public body

    # the kind's label is read from the programme's choices (`choice_label`)
    _meta: ClassVar[Options[Programme]] = Programme._meta

    @classmethod
    def of(cls, values: dict[str, Any]) -> CallRow:
        """The row of a call read with `.values(*OPEN_CALL_COLUMNS)`."""
        return from_values(
            cls,
            values,
            lookups={"kind": "programme__kind", "public_body": "programme__public_body__name"},
        )


def call_rows(page: list[dict[str, Any]]) -> list[CallRow]:
    """A page of `open_calls` as its rows (`paginate(…, rows=call_rows)`)."""
    return [CallRow.of(values) for values in page]


def call_get_public(*, pk: int) -> Call:
    call = (
        Call.objects.filter(pk=pk, opens_at__lte=timezone.now(), programme__is_active=True)
        .select_related("programme__public_body")
        .prefetch_related("questions", "attachment_types", "programme__criteria")
        .first()
    )
    if call is None:
        raise Http404
    return call


def organisations_that_may_apply(*, user: User | AnonymousUser) -> QuerySet[Organisation]:
    """The organisations the person may apply for (representative or editor), by name."""
    return organisation_selectors.organisations_for(
        user=user, roles=[OrganisationRole.REPRESENTATIVE, OrganisationRole.EDITOR]
    )


def applications_for_member(*, user: User | AnonymousUser) -> QuerySet[Application]:
    if not user.is_authenticated:
        return Application.objects.none()
    return (
        Application.objects.filter(
            organisation_id__in=organisation_selectors.organisation_ids_for(user=user)
        )
        .select_related("call", "organisation")
        .order_by("-updated_at", "-id")
    )


def drafts_for_call(*, user: User | AnonymousUser, call: Call) -> list[Application]:
    """The drafts in the call of the organisations the person may apply for: the call's page
    offers to continue them instead of starting another."""
    if not user.is_authenticated:
        return []
    return list(
        Application.objects.filter(
            call=call,
            status=ApplicationStatus.DRAFT,
            organisation__in=organisations_that_may_apply(user=user).values("pk"),
        )
        .select_related("organisation")
        .order_by("-updated_at", "-id")
    )


def latest_submission(*, application: Application) -> Submission | None:
    """The last time the application was sent in (the receipt's subject), or None."""
    return application.submissions.order_by("-number").first()


# an application by its key, with its call, programme, body and organisation: every page of a
# case reads it, compiled once per worker (`portal.prepared`)
_APPLICATION = Prepared(
    Application, lambda: _application_queryset().filter(pk=slot("pk")).order_by()[:1]
)


def application_get_for_member(
    *, user: User | AnonymousUser, pk: int
) -> tuple[Application, OrganisationMembership]:
    if not user.is_authenticated:
        raise Http404
    application = _with_people(_APPLICATION.first(pk=pk))
    if application is None:
        raise Http404
    membership = organisation_selectors.membership_of(
        user=user, organisation=application.organisation_id
    )
    if membership is None:
        raise Http404
    return application, membership


def application_get_for_officer(*, user: User | AnonymousUser, pk: int) -> Application:
    """For a case officer or decision maker of the owning public body who is not excluded from
    the case (segregation of duties); 404 for anyone else, so an affiliated officer cannot even
    read the case through the officer pages."""
    body_ids = _officer_body_ids(user)
    application = _APPLICATION.first(pk=pk) if body_ids else None
    # read by its key alone, then held to the same rules as the officer's lists: sent in, to
    # one of their bodies, and not a case they must stay out of
    if (
        application is None
        or application.status == ApplicationStatus.DRAFT
        or application.public_body_id not in body_ids
        or permissions.is_excluded(user, application)
    ):
        raise Http404
    _with_people(application)
    return application


SORTS = {
    "submitted": ("-submitted_at", "-id"),
    "oldest": ("submitted_at", "id"),
    "deadline": ("call__closes_at", "submitted_at", "id"),
}


INBOX_COLUMNS = (
    "pk",
    "registry_number",
    "status",
    "completed_at",
    "amount_requested",
    "submitted_at",
    "organisation__name",
    "call_id",
    "assigned_to_id",
)


@dataclass(frozen=True, slots=True)
class CaseRow:
    """A row of the inbox, or of an organisation's cases on its page: the columns the list
    shows, read as values. Reading them as four model instances a row (the application, its
    call, organisation and case officer) took a third of the time of reading a page. The call's
    title and the case officer's name come from the lists the page's filter has already read
    (`case_rows`), not from two more joins in the list's query."""

    pk: int
    registry_number: str | None
    status: str
    completed_at: datetime | None
    amount_requested: Decimal
    submitted_at: datetime | None
    organisation_name: str
    call_title: str
    assigned_to: str  # the case officer's name (or e-mail address); "" when no one is assigned

    # the status badge reads its labels from the model's choices (`choice_label`)
    _meta: ClassVar[Options[Application]] = Application._meta

    @classmethod
    def of(cls, values: dict[str, Any], calls: dict[int, str], officers: dict[int, str]) -> CaseRow:
        """The row of an application read with `.values(*INBOX_COLUMNS)`, its call's title and
        case officer's name from `calls` and `officers` (id -> text)."""
        return from_values(
            cls,
            values,
            lookups={"organisation_name": "organisation__name"},
            call_title=calls.get(values["call_id"], ""),
            assigned_to=officers.get(values["assigned_to_id"], ""),
        )

    @property
    def completion_received(self) -> bool:
        return Application.is_completion_received(self.status, self.completed_at)


def inbox(
    *,
    user: User | AnonymousUser,
    call: int | None = None,
    status: str = "",
    assigned: str = "",
    q: str = "",
    sort: str = "submitted",
    organisation: int | None = None,
) -> QuerySet[Application, dict[str, Any]]:
    """Applications sent in to the officer's public bodies (drafts are the association's own),
    without the cases the officer must stay out of: the columns the list shows, as values for
    `case_rows` (`paginate(…, rows=case_rows(user=user))`)."""
    body_ids = _officer_body_ids(user)
    if not body_ids:
        raise Http404
    # the bodies and statuses are written into the SQL: one plan per connection (portal.sql)
    applications = _without_conflicts(
        Application.objects.filter(one_of("public_body_id", body_ids)), user
    ).exclude(status=constant(ApplicationStatus.DRAFT))
    if call:
        # a call of the officer's bodies (the filter's form offers no other), in the SQL
        applications = applications.filter(call_id=constant(int(call)))
    if organisation:
        applications = applications.filter(organisation_id=organisation)
    if status:
        applications = applications.filter(status=choice(status, ApplicationStatus.values))
    if assigned == "me":
        applications = applications.filter(assigned_to_id=user.pk)
    elif assigned == "none":
        applications = applications.filter(assigned_to__isnull=True)
    elif assigned.isdigit():
        applications = applications.filter(assigned_to_id=int(assigned))
    q = " ".join(q.split())
    if q:
        applications = applications.filter(_search(q, _registry_prefixes(user, body_ids)))
    # the columns the list shows: not the answers, the texts of the case or the whole
    # organisation (half the time of reading a page of 25)
    return applications.order_by(*SORTS.get(sort, SORTS["submitted"])).values(*INBOX_COLUMNS)


def case_rows(*, user: User | AnonymousUser) -> Callable[[list[dict[str, Any]]], list[CaseRow]]:
    """What makes a page of `inbox` (or `organisation_cases`) into its rows: each application's
    call by its title and case officer by name, from the officer's calls and colleagues the
    page's filter offers (kept between requests: `inbox_calls`, `inbox_officers`). Joined in
    the list's query they were half of PostgreSQL's planning, which a search by name pays on
    every request. A call or an officer the lists do not hold (an officer who has since
    left the committee, a programme moved to another) is read for the page: one query at most
    for each, whatever the number of rows."""

    def rows(page: list[dict[str, Any]]) -> list[CaseRow]:
        if not page:
            return []
        calls = dict(inbox_calls(user=user))
        officers = dict(inbox_officers(user=user))
        other_calls = {values["call_id"] for values in page} - calls.keys()
        if other_calls:
            calls.update(Call.objects.filter(pk__in=other_calls).values_list("pk", "title"))
        other_officers = {
            values["assigned_to_id"] for values in page if values["assigned_to_id"]
        } - officers.keys()
        if other_officers:
            officers.update(
                (officer.pk, officer.display_name)
                for officer in User.objects.filter(pk__in=other_officers).only(
                    "pk", "name", "email"
                )
            )
        return [CaseRow.of(values, calls, officers) for values in page]

    return rows


def organisation_cases(
    *, user: User | AnonymousUser, organisation: int
) -> QuerySet[Application, dict[str, Any]]:
    """The organisation's applications in the officer's inbox, newest first: the list on the
    organisation's page for officers (none for an officer without a committee)."""
    if not _officer_body_ids(user):
        return Application.objects.none().values(*INBOX_COLUMNS)
    return inbox(user=user, organisation=organisation)


def organisation_by_number(*, user: User | AnonymousUser, q: str) -> int | None:
    """The id of the organisation whose whole organisation number is `q` as an officer types it
    ("802000-0223", "8020000223", "168020000223"), or None: not a whole number, no such
    organisation, or not an officer. The inbox opens it (its page lists its cases) instead of
    listing them: one query on the unique index."""
    if not _officer_body_ids(user):
        return None
    return organisation_selectors.organisation_id_by_number(q)


def organisation_number_typed(q: str) -> str:
    """`q` as the register writes it if it is a whole organisation number, else ""."""
    return organisation_selectors.whole_organisation_number(q)


def case_by_registry_number(*, user: User | AnonymousUser, q: str) -> int | None:
    """The id of the one case in the officer's inbox whose registration number is `q` as typed
    (`registry_number_candidates`), or None: not a registration number, no such case, or one in
    each of several of the officer's bodies (the inbox lists them). The inbox opens it at once
    instead of listing one row: one query on the unique index, the same cases the inbox shows."""
    body_ids = _officer_body_ids(user)
    q = " ".join(q.split())
    if not body_ids or len(q) > REGISTRY_NUMBER_MAX_LENGTH:
        return None
    candidates = registry_number_candidates(q, _registry_prefixes(user, body_ids))
    if not candidates:
        return None
    found = list(
        _without_conflicts(
            Application.objects.filter(public_body_id__in=body_ids, registry_number__in=candidates),
            user,
        )
        .exclude(status=ApplicationStatus.DRAFT)
        .values_list("pk", flat=True)[:2]
    )
    return found[0] if len(found) == 1 else None


def _registry_prefixes(user: User | AnonymousUser, body_ids: list[int]) -> list[str]:
    """The registration-number prefixes of the officer's bodies ("KFN"), for a number typed
    without one."""
    return [
        m.public_body.registry_prefix
        for m in user_memberships(user=user)
        if m.public_body_id in body_ids
    ]


# A registration number as an officer types it: "KFN 2026/12", "kfn2026/12", "KFN 2026 / 12",
# or without the prefix, "2026/12".
REGISTRY_NUMBER = re.compile(r"^(?:([A-ZÅÄÖ0-9-]+?)\s*)?(\d{4})\s*/\s*(\d+)$", re.IGNORECASE)
# Longer than any registration number an officer types: not looked up as one.
REGISTRY_NUMBER_MAX_LENGTH = 40


def registry_number_typed(q: str) -> str:
    """`q` with its spaces collapsed if it is written as a registration number ("KFN 2026/12",
    "2026/12"), else ""."""
    q = " ".join(q.split())
    return q if REGISTRY_NUMBER.match(q) else ""


def registry_number_candidates(q: str, prefixes: list[str]) -> list[str]:
    """The registration numbers `q` can mean, written as the portal writes them ("KFN 2026/12"):
    with its own prefix, or, without one, with the prefix of each of the officer's public bodies.
    An exact match on these uses the unique index whatever the number of applications."""
    match = REGISTRY_NUMBER.match(" ".join(q.split()))
    if match is None:
        return []
    prefix, year, number = match.groups()
    number = number.lstrip("0") or "0"
    if prefix:
        return [registry_number(prefix.upper(), year, number)]
    return [registry_number(p, year, number) for p in sorted(prefixes)]


def _search(q: str, prefixes: list[str]) -> Q:
    """A registration number (`KFN 2026/12`, `kfn2026/12`, `2026/12`) matches exactly; ten
    digits (or twelve, with the century) match an organisation number; anything else an
    organisation's name. Each uses an index, even among 200 000 rows."""
    digits = "".join(ch for ch in q if ch.isdigit())
    if "/" in q:
        return Q(registry_number__in=registry_number_candidates(q, prefixes))
    if len(digits) >= 6 and len(digits) == len(q.replace("-", "").replace(" ", "")):
        organisations = Organisation.objects.filter(
            organisation_number__startswith=organisation_selectors.organisation_number_as_stored(
                digits
            )
        )
        return Q(organisation_id__in=organisations.values("pk"))
    # on the organisation the list joins for its name anyway: a second copy of the table in a
    # subquery cost PostgreSQL twice the planning (1.7 ms, planned anew for every text typed)
    return Q(organisation__name__icontains=q)


def inbox_calls(*, user: User | AnonymousUser) -> list[tuple[int, str]]:
    """(id, title) of the calls of the officer's bodies, newest first, for the lists' filter:
    kept between requests until a call or programme changes (`portal.person_cache`)."""
    bodies = sorted(_officer_body_ids(user))

    def read() -> list[tuple[int, str]]:
        return list(
            Call.objects.filter(programme__public_body_id__in=bodies)
            .order_by("-closes_at")
            .values_list("pk", "title")
        )

    return person_cache.kept(f"calls:{','.join(map(str, bodies))}", read, generation=CHOICES)


def _case_officers(bodies: list[int]) -> QuerySet[User]:
    """The people with the case officer role at any of `bodies`, by name: whom a case may be
    assigned to (active ones, `colleagues`) and whom the lists filter by (`inbox_officers`)."""
    return (
        User.objects.filter(
            public_body_memberships__public_body_id__in=bodies,
            public_body_memberships__role=PublicBodyRole.CASE_OFFICER,
        )
        .order_by("name", "email")
        .distinct()
    )


def colleagues(*, application: Application) -> QuerySet[User]:
    """The case officers the application may be assigned to: of the owning body, and not
    connected to the applicant or declared jäv on the case (segregation of duties)."""
    return (
        _case_officers([permissions.body_of(application)])
        .filter(is_active=True)
        .exclude(
            pk__in=segregation.connected_user_ids([application.organisation_id], case=application)
        )
    )


def colleague_choices(*, application: Application) -> list[tuple[int, str]]:
    """(id, name) of the colleagues the application may be assigned to, as `colleagues` finds
    them, for the case page's list: the body's active case officers, and who is connected to the
    applicant, are kept between requests until a role, a person or a connection changes
    (`portal.person_cache`). Assigning checks the choice against `colleagues`."""
    body = permissions.body_of(application)

    def read() -> list[tuple[int, str]]:
        officers = _case_officers([body]).filter(is_active=True).only("pk", "name", "email")
        return [(officer.pk, officer.display_name) for officer in officers]

    officers = person_cache.kept(f"case-officers:{body}", read, generation=CHOICES)
    # who is connected to the applicant or declared jäv on the case: kept like a person's own
    # connections, until a membership, request to join or declaration changes anywhere
    organisation, case = application.organisation_id, application.pk
    excluded = person_cache.kept(
        f"connected:{organisation}:{case}",
        lambda: segregation.connected_user_ids([organisation], case=application),
    )
    return [(pk, name) for pk, name in officers if pk not in excluded]


def call_questions(*, call: Call) -> list[Question]:
    """The call's questions in their order, kept between requests until a question, the call
    or its programme changes (`portal.person_cache`): every page of an application shows them
    beside the answers."""
    pk = call.pk
    # (not `call.questions`: its rows would carry the call, kept along with them)
    return person_cache.kept(
        f"questions:{pk}", lambda: list(Question.objects.filter(call_id=pk)), generation=CHOICES
    )


def inbox_officers(*, user: User | AnonymousUser) -> list[tuple[int, str]]:
    """(id, name) of the case officers of the officer's bodies, for the inbox's filter: kept
    between requests until a role or a person's name changes (`portal.person_cache`)."""
    bodies = sorted(_officer_body_ids(user))

    def read() -> list[tuple[int, str]]:
        officers = _case_officers(bodies).only("pk", "name", "email")
        return [(officer.pk, officer.display_name) for officer in officers]

    return person_cache.kept(f"officers:{','.join(map(str, bodies))}", read, generation=CHOICES)


def _not_own_proposal(user: User | AnonymousUser) -> Q:
    """Four eyes: a decision maker never decides a proposal they prepared themselves."""
    return ~Q(proposed_by_id=constant(user.pk or 0))  # in the SQL: the list has no parameter


def waiting_for_officer(*, user: User | AnonymousUser) -> dict[str, int]:
    """What waits for the person on the case handling page and their overview's to-do list, in
    the cases they may see: new applications not yet taken up, completions sent back and
    follow-up reports sent in (at bodies where they are a case officer), proposals prepared by
    someone else (where they decide). Two queries, whatever the person's roles."""
    # the bodies as a list the request has already read, not a subquery: the planner then
    # counts from the index of what waits (`application_waiting`) alone
    case = _officer_body_ids(user, [PublicBodyRole.CASE_OFFICER])
    deciding = _officer_body_ids(user, [PublicBodyRole.DECISION_MAKER])
    submitted = Q(status=ApplicationStatus.SUBMITTED)
    # "Completion received" (`Application.completion_received`): sent in again after a
    # completion request and not yet taken up.
    completed = Q(completed_at__isnull=False)
    waiting = _without_conflicts(
        Application.objects.filter(
            (Q(public_body_id__in=case) & submitted)
            | (
                Q(public_body_id__in=deciding, status=ApplicationStatus.PROPOSED)
                & _not_own_proposal(user)
            )
        ),
        user,
    )
    # kept a short while for the person, as a list's count is (portal.pagination.kept_count):
    # the overview and the case handling page are opened often, and only the number may be
    # that old
    counts = kept_count(
        person_key("waiting-for-officer", user),
        lambda: waiting.aggregate(
            # a column of `application_waiting` (never empty), not the id, which the index does
            # not hold: counting ids read every waiting row from the table (8 ms rather than
            # 3.5 at the bench scale)
            applications=Count("status", filter=submitted & ~completed),
            completions=Count("status", filter=submitted & completed),
            proposals=Count("status", filter=Q(status=ApplicationStatus.PROPOSED)),
        ),
    )
    reports = FollowUpReport.objects.waiting_for_review(user)
    return {
        "applications": counts["applications"],
        "completions": counts["completions"],
        "reports": kept_count(person_key("reports-waiting", user), reports.count),
        "proposals": counts["proposals"],
    }


def proposals_for_decision(*, user: User | AnonymousUser) -> QuerySet[Application]:
    """Proposals the person may decide: at their bodies, prepared by someone else (four eyes)."""
    body_ids = _officer_body_ids(user, [PublicBodyRole.DECISION_MAKER])
    if not body_ids:
        raise Http404
    return (
        _without_conflicts(
            Application.objects.filter(
                one_of("public_body_id", body_ids), status=constant(ApplicationStatus.PROPOSED)
            ).filter(_not_own_proposal(user)),
            user,
        )
        .select_related("call", "organisation", "proposed_by")
        .order_by("proposed_at", "id")
    )


_ATTACHMENTS = Prepared(
    Attachment,
    lambda: Attachment.objects.filter(
        application_id=slot("application"), removed_at__isnull=True
    ).select_related("attachment_type"),
)
_BUDGET = Prepared(
    BudgetLine, lambda: BudgetLine.objects.filter(application_id=slot("application"))
)
_SUBMISSIONS = Prepared(
    Submission,
    lambda: Submission.objects.filter(application_id=slot("application")).order_by("number"),
)


def current_attachments(*, application: Application) -> list[Attachment]:
    """The application's files that have not been removed, in the order they were uploaded."""
    return owned(_ATTACHMENTS.all(application=application.pk), "application", application)


def budget_lines_of(*, application: Application) -> list[BudgetLine]:
    """The application's budget, costs and funding, in their order."""
    return owned(_BUDGET.all(application=application.pk), "application", application)


def attachment_get_for_user(
    *, user: User | AnonymousUser, application_pk: int, pk: int
) -> Attachment:
    """A file of an application: for the organisation's members, and the owning body's officers
    once it has been sent in."""
    if not user.is_authenticated:
        raise Http404
    attachment = (
        Attachment.objects.select_related("application__call__programme")
        .filter(pk=pk, application_id=application_pk)
        .first()
    )
    if attachment is None:
        raise Http404
    application = attachment.application
    member = (
        organisation_selectors.membership_of(user=user, organisation=application.organisation_id)
        is not None
    )
    officer = (
        application.status != ApplicationStatus.DRAFT
        and application.public_body_id in _officer_body_ids(user)
        and not permissions.is_excluded(user, application)
    )
    if not (member or officer):
        raise Http404
    return attachment


def assessment_of(*, application: Application) -> Assessment:
    """The assessment of the application: each criterion's score, comment and scorer, and the
    weighted total (`grants.assessment`), in one query."""
    return assessment.assessment_of(application)


def submissions_of(*, application: Application) -> list[Submission]:
    """Every sending of the application, the first first."""
    return owned(_SUBMISSIONS.all(application=application.pk), "application", application)


def submission_changes(
    *, application: Application, submissions: list[Submission] | None = None
) -> list[str]:
    """What changed between the last two sendings of the application (after a completion): the
    questions whose answers changed, by their text, then the budget, the amount applied for and
    the attachments. Empty when it has been sent in once or not at all. A page that has already
    read `submissions_of` passes them in."""
    if submissions is None:
        submissions = submissions_of(application=application)
    if len(submissions) < 2:
        return []
    before, after = submissions[-2].content, submissions[-1].content
    questions = {str(q.pk): q.text for q in application.call.questions.all()}
    changed = [
        questions.get(key, key)
        for key in after["answers"]
        if after["answers"].get(key) != before["answers"].get(key)
    ]
    if after["budget"] != before["budget"]:
        changed.append(_("Budget"))
    if after["amount_requested"] != before["amount_requested"]:
        changed.append(_("Amount applied for"))
    if after["attachments"] != before["attachments"]:
        changed.append(_("Attachments"))
    return changed


def history_of(*, application: Application) -> list[AuditEvent]:
    """The application's latest events, newest first (as many as its page shows)."""
    return recent_history(application)
