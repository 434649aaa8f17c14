"""Every read of the grants app a view makes, scoped to who asks; 404 for what they may not see."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import permissions
from grants.models import (
    Application,
    ApplicationStatus,
    Attachment,
    Call,
    Criterion,
    FollowUpReport,
    Payment,
    Recovery,
    ReportAttachment,
    ReportStatus,
    Submission,
)
from organisations import segregation
from organisations import selectors as organisation_selectors
from organisations.models import Organisation, OrganisationRole
from portal.models import AuditEvent, PublicBodyMembership, PublicBodyRole, User
from portal.selectors import user_memberships

if TYPE_CHECKING:
    from organisations.models import OrganisationMembership


def open_calls(*, now: datetime | None = None) -> QuerySet[Call]:
    """Calls open for applications now, the nearest deadline first."""
    now = now or timezone.now()
    return (
        Call.objects.filter(opens_at__lte=now, closes_at__gt=now, programme__is_active=True)
        .select_related("programme__public_body")
        .order_by("closes_at", "id")
    )


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


def _application_queryset() -> QuerySet[Application]:
    return Application.objects.select_related(
        "call__programme__public_body",
        "organisation",
        "assigned_to",
        "proposed_by",
        "decided_by",
    )


def application_get_for_member(
    *, user: User | AnonymousUser, pk: int
) -> tuple[Application, OrganisationMembership]:
    if not user.is_authenticated:
        raise Http404
    application = _application_queryset().filter(pk=pk).first()
    if application is None:
        raise Http404
    membership = organisation_selectors.membership_of(
        user=user, organisation=application.organisation_id
    )
    if membership is None:
        raise Http404
    return application, membership


def _officer_body_ids(user: User | AnonymousUser, roles: list[str] | None = None) -> list[int]:
    """The public bodies where the person is an officer (in any role, or in one of `roles`)."""
    return sorted(
        {m.public_body_id for m in user_memberships(user=user) if roles is None or m.role in roles}
    )


def _without_conflicts(
    queryset: QuerySet[Any], user: User | AnonymousUser, *, application: str = ""
) -> QuerySet[Any]:
    """Segregation of duties for an officer's read: drop the cases the person must stay out of
    (`organisations.segregation`). `application` is the lookup from the queryset's model to its
    application ("" for applications themselves, "application__" for payments, reports and
    recoveries): a declaration of jäv is made on the application, so it hides everything of it."""
    return segregation.exclude_conflicted(
        queryset,
        user,
        organisation_field=f"{application}organisation_id",
        case=Application,
        case_field=f"{application}pk",
    )


def application_get_for_officer(*, user: User | AnonymousUser, pk: int) -> Application:
    """For a case officer or decision maker of the owning public body who is not excluded from
    the case (segregation of duties); 404 for anyone else, so an affiliated officer cannot even
    read the case through the officer pages."""
    application = (
        _without_conflicts(
            _application_queryset().filter(pk=pk, public_body_id__in=_officer_body_ids(user)), user
        )
        .exclude(status=ApplicationStatus.DRAFT)
        .first()
    )
    if application is None:
        raise Http404
    return application


SORTS = {
    "submitted": ("-submitted_at", "-id"),
    "oldest": ("submitted_at", "id"),
    "deadline": ("call__closes_at", "submitted_at", "id"),
}


def inbox(
    *,
    user: User | AnonymousUser,
    call: int | None = None,
    status: str = "",
    assigned: str = "",
    q: str = "",
    sort: str = "submitted",
) -> QuerySet[Application]:
    """Applications sent in to the officer's public bodies (drafts are the association's own),
    without the cases the officer must stay out of."""
    body_ids = _officer_body_ids(user)
    if not body_ids:
        raise Http404
    applications = (
        _without_conflicts(Application.objects.filter(public_body_id__in=body_ids), user)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("call", "organisation", "assigned_to")
    )
    if call:
        applications = applications.filter(call_id=call)
    if status:
        applications = applications.filter(status=status)
    if assigned == "me":
        applications = applications.filter(assigned_to_id=user.pk)
    elif assigned == "none":
        applications = applications.filter(assigned_to__isnull=True)
    elif assigned.isdigit():
        applications = applications.filter(assigned_to_id=int(assigned))
    q = " ".join(q.split())
    if q:
        applications = applications.filter(_search(q))
    return applications.order_by(*SORTS.get(sort, SORTS["submitted"]))


def _search(q: str) -> Q:
    """A registration number (`KFN 2026/12`) matches exactly; ten digits match an organisation
    number; anything else an organisation's name. Each uses an index, even among 100 000 rows."""
    digits = "".join(ch for ch in q if ch.isdigit())
    if "/" in q:
        return Q(registry_number__iexact=q)
    if len(digits) >= 6 and len(digits) == len(q.replace("-", "")):
        dashed = f"{digits[:6]}-{digits[6:]}" if len(digits) > 6 else digits
        organisations = Organisation.objects.filter(organisation_number__startswith=dashed)
    else:
        organisations = Organisation.objects.filter(name__icontains=q)
    return Q(organisation_id__in=organisations.values("pk"))


def inbox_calls(*, user: User | AnonymousUser) -> QuerySet[Call]:
    return Call.objects.filter(programme__public_body_id__in=_officer_body_ids(user)).order_by(
        "-closes_at"
    )


def colleagues(*, application: Application) -> QuerySet[User]:
    """The case officers the application may be assigned to: of the owning body, and not
    connected to the applicant or declared jäv on the case (segregation of duties)."""
    return (
        User.objects.filter(
            public_body_memberships__public_body_id=permissions.body_of(application),
            public_body_memberships__role=PublicBodyRole.CASE_OFFICER,
            is_active=True,
        )
        .exclude(
            pk__in=segregation.connected_user_ids([application.organisation_id], case=application)
        )
        .order_by("name", "email")
        .distinct()
    )


def inbox_officers(*, user: User | AnonymousUser) -> QuerySet[User]:
    return (
        User.objects.filter(
            public_body_memberships__public_body_id__in=_officer_body_ids(user),
            public_body_memberships__role=PublicBodyRole.CASE_OFFICER,
        )
        .order_by("name", "email")
        .distinct()
    )


def waiting_for_officer(*, user: User | AnonymousUser) -> dict[str, int]:
    """What waits for the person on the case handling page, in the cases they may see: new
    applications not yet taken up and follow-up reports sent in (at bodies where they are a
    case officer), proposals (where they decide). Two queries, whatever the person's roles."""
    case = PublicBodyMembership.objects.filter(
        user_id=user.pk or 0, role=PublicBodyRole.CASE_OFFICER
    ).values("public_body_id")
    deciding = PublicBodyMembership.objects.filter(
        user_id=user.pk or 0, role=PublicBodyRole.DECISION_MAKER
    ).values("public_body_id")
    counts = _without_conflicts(
        Application.objects.filter(
            Q(public_body_id__in=case, status=ApplicationStatus.SUBMITTED)
            | Q(public_body_id__in=deciding, status=ApplicationStatus.PROPOSED)
        ),
        user,
    ).aggregate(
        applications=Count("pk", filter=Q(status=ApplicationStatus.SUBMITTED)),
        proposals=Count("pk", filter=Q(status=ApplicationStatus.PROPOSED)),
    )
    reports = _without_conflicts(
        FollowUpReport.objects.filter(
            application__public_body_id__in=case, status=ReportStatus.SUBMITTED
        ),
        user,
        application="application__",
    ).count()
    return {
        "applications": counts["applications"],
        "reports": reports,
        "proposals": counts["proposals"],
    }


def proposals_for_decision(*, user: User | AnonymousUser) -> QuerySet[Application]:
    body_ids = _officer_body_ids(user, [PublicBodyRole.DECISION_MAKER])
    if not body_ids:
        raise Http404
    return (
        _without_conflicts(
            Application.objects.filter(
                public_body_id__in=body_ids, status=ApplicationStatus.PROPOSED
            ),
            user,
        )
        .select_related("call", "organisation", "proposed_by")
        .order_by("proposed_at", "id")
    )


def current_attachments(*, application: Application) -> QuerySet[Attachment]:
    return application.attachments.filter(removed_at__isnull=True).select_related("attachment_type")


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


def criteria_with_reviews(*, application: Application) -> list[Criterion]:
    """The programme's criteria, each with this application's score and comment (or None), in
    one query."""
    return list(
        Criterion.objects.filter(programme_id=application.call.programme_id)
        .annotate(
            this_review=FilteredRelation(
                "reviews", condition=Q(reviews__application_id=application.pk)
            )
        )
        .annotate(review_score=F("this_review__score"), review_comment=F("this_review__comment"))
        .order_by("position", "id")
    )


def submissions_of(*, application: Application) -> list[Submission]:
    return list(application.submissions.order_by("number"))


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


def history_of(*, application: Application) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Application), object_id=str(application.pk)
    ).order_by("-created_at", "-id")


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


def payments_list(
    *, user: User | AnonymousUser, call: int | None = None, public_body: int | None = None
) -> QuerySet[Payment]:
    payments = _without_conflicts(
        Payment.objects.filter(application__public_body_id__in=_officer_scope(user, public_body)),
        user,
        application="application__",
    )
    if call:
        payments = payments.filter(application__call_id=call)
    return payments.select_related("application__organisation", "application__call").order_by(
        "-paid_on", "-id"
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
    reports = FollowUpReport.objects.filter(
        application__public_body_id__in=_officer_scope(user, public_body)
    )
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
        Recovery.objects.filter(application__public_body_id__in=_officer_scope(user, public_body)),
        user,
        application="application__",
    )
    if status:
        recoveries = recoveries.filter(status=status)
    if call:
        recoveries = recoveries.filter(application__call_id=call)
    return recoveries.select_related("application__organisation", "application__call").order_by(
        "due_date", "id"
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


# --- open data -------------------------------------------------------------------------------


def granted(*, now: object = None) -> QuerySet[Application]:
    """Every approved or partly approved grant, newest decision first, with what was paid; for
    open data (no personal data is read)."""
    paid = (
        Payment.objects.filter(application=OuterRef("pk"))
        .order_by()
        .values("application")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Application.objects.filter(
            status__in=[ApplicationStatus.APPROVED, ApplicationStatus.PARTLY_APPROVED]
        )
        .annotate(paid=Subquery(paid))
        .select_related("call__programme", "public_body__parent", "organisation")
        .only(
            "pk",
            "registry_number",
            "title",
            "amount_requested",
            "decided_amount",
            "decided_at",
            "planned_start",
            "planned_end",
            "updated_at",
            "call__title",
            "call__programme__name",
            "call__programme__kind",
            "call__programme_id",
            "public_body__name",
            "public_body__registry_prefix",
            "public_body__parent__name",
            "public_body__parent__registry_prefix",
            "organisation__name",
            "organisation__organisation_number",
            "organisation__city",
            # the recipient as fixed at the decision (what open data publishes)
            "recipient_org_number",
            "recipient_name",
            "recipient_city",
        )
        .order_by("-decided_at", "-id")
    )


def granted_by_programme_and_year() -> list[dict[str, Any]]:
    rows: Any = (
        Application.objects.filter(
            status__in=[ApplicationStatus.APPROVED, ApplicationStatus.PARTLY_APPROVED]
        )
        .annotate(year=ExtractYear("decided_at"))
        .values("call__programme__name", "public_body__name", "year")
        .annotate(grants=Count("pk"), amount=Sum("decided_amount"))
        .order_by("-year", "call__programme__name")
    )
    return list(rows)
