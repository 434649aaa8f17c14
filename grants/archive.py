"""Closed grant cases for the e-archive (`portal.earchive`): which applications may be delivered
and what one of them is as an information package.

A grant case is closed (avslutat) when nothing more will happen in it:
- rejected: decided against;
- withdrawn after it was sent in (it has a registration number); a draft that was never sent
  in is no case and is never archived;
- approved or partly approved, and
  - the follow-up report, where the call asks for one, has been approved,
  - the whole decided amount has been paid out (no payment waits for a later date), and
  - no recovery (återkrav) is still open.

The package holds the decision (or, for a withdrawn application, the case in summary) and the
case's history as PDF/A rendered from the records, and the files the association sent in with
the application and the follow-up report, byte for byte as they were stored."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants.models import (
    Application,
    ApplicationStatus,
    Attachment,
    BudgetLine,
    FollowUpReport,
    Payment,
    Programme,
    Question,
    Recovery,
    RecoveryStatus,
    ReportAttachment,
    ReportStatus,
)
from grants.selectors.state_aid import aid_entry_of
from grants.state_aid import decision_statement
from portal.earchive import documents as case_documents
from portal.earchive.package import (
    Document,
    NotArchivable,
    Package,
    Party,
    safe_file_name,
    safe_object_id,
)
from portal.formats import short_date
from portal.money import format_sek
from portal.pdf import render_pdf
from portal.registry import ArchiveSource

A = ApplicationStatus
DECIDED_IN_FAVOUR = (A.APPROVED, A.PARTLY_APPROVED)
FINAL = (A.APPROVED, A.PARTLY_APPROVED, A.REJECTED, A.WITHDRAWN)
DECISION_PATH = "beslut.pdf"
SUMMARY_PATH = "arendet.pdf"


def _year_range(year: int) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
    return start, timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))


def closed_cases(today: date | None = None) -> Q:
    """The applications that are closed cases (see the module's description), as one filter."""
    today = today or timezone.localdate()
    open_recovery = Recovery.objects.filter(application=OuterRef("pk"), status=RecoveryStatus.OPEN)
    payment_ahead = Payment.objects.filter(application=OuterRef("pk"), paid_on__gt=today)
    granted = (
        Q(status__in=DECIDED_IN_FAVOUR)
        & Q(paid_amount__gte=F("decided_amount"))
        & (Q(report__isnull=True) | Q(report__status=ReportStatus.APPROVED))
        & ~Exists(open_recovery)
        & ~Exists(payment_ahead)
    )
    return (
        Q(status=A.REJECTED, decided_at__isnull=False)
        | Q(status=A.WITHDRAWN, submitted_at__isnull=False)
        | granted
    )


def candidates(bodies: Collection[int], year: int, programme: int | None) -> list[int]:
    """The closed cases of these public bodies registered (sent in) in `year`, of one programme
    when given: one query."""
    start, end = _year_range(year)
    applications = Application.objects.filter(
        closed_cases(),
        public_body_id__in=list(bodies),
        submitted_at__gte=start,
        submitted_at__lt=end,
    )
    if programme is not None:
        applications = applications.filter(call__programme_id=programme)
    return list(applications.order_by("submitted_at", "pk").values_list("pk", flat=True))


def programmes(bodies: Collection[int]) -> list[tuple[int, str]]:
    """The programmes of these public bodies, for narrowing a batch to one."""
    return list(
        Programme.objects.filter(public_body_id__in=list(bodies))
        .order_by("name", "pk")
        .values_list("pk", "name")
    )


def not_closed_reason(
    application: Application,
    *,
    report: FollowUpReport | None,
    recoveries: list[Recovery],
    payments: list[Payment],
    today: date,
) -> str:
    """Why the case is not closed yet, in the portal's language; "" when it is. The same rule
    as `closed_cases`, on what `describe` has read."""
    status = application.status
    if status == A.WITHDRAWN:
        if application.submitted_at is None:
            return _("The application was withdrawn before it was sent in: it is not a case.")
        return ""
    if status == A.REJECTED:
        return ""
    if status not in DECIDED_IN_FAVOUR:
        return _(
            "The case is not closed: the application is “%(status)s” and has not been decided."
        ) % {"status": application.get_status_display()}
    if report is not None and report.status != ReportStatus.APPROVED:
        return _("The case is not closed: the follow-up report has not been approved yet.")
    if any(recovery.status == RecoveryStatus.OPEN for recovery in recoveries):
        return _("The case is not closed: a recovery of grant money is still open.")
    if any(payment.paid_on > today for payment in payments) or application.paid_amount < (
        application.decided_amount or Decimal(0)
    ):
        return _("The case is not closed: the grant has not been paid out in full.")
    return ""


def _answer(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def _stored(record: Attachment | ReportAttachment, path: str, title: str, kind: str) -> Document:
    """A stored file as the package's document, its bytes exactly as stored."""
    try:
        with record.file.open("rb") as stored:
            content = stored.read()
    except OSError:
        raise NotArchivable(
            _(
                "The stored file “%(name)s” cannot be read. The case is not delivered: the file "
                "must be restored first."
            )
            % {"name": record.original_name},
            code="missing_file",
        ) from None
    return Document(
        path=path,
        content=content,
        mimetype=record.content_type,
        title=f"{kind}: {title}",
        created=record.uploaded_at,
        expected_sha256=record.sha256,
        original_name=record.original_name,
    )


def describe(object_id: int) -> Package:
    """One closed grant case as an information package's description: nine queries whatever
    the number of attachments, payments and events. Refuses (`NotArchivable`) a case that is
    not closed, and a stored file that is missing or no longer matches its checksum."""
    with translation.override(settings.LANGUAGE_CODE):
        return _describe(object_id)


def _describe(object_id: int) -> Package:
    application = (
        Application.objects.select_related(
            "call__programme",
            "organisation",
            "public_body__parent__parent",
            "decided_by",
            "proposed_by",
            "assigned_to",
        )
        .filter(pk=object_id)
        .first()
    )
    if application is None:
        raise NotArchivable(_("There is no such application."), code="missing")
    report = FollowUpReport.objects.filter(application=application).first()
    recoveries = list(Recovery.objects.filter(application=application).order_by("opened_at"))
    payments = list(Payment.objects.filter(application=application).order_by("paid_on", "pk"))
    now = timezone.now()
    reason = not_closed_reason(
        application,
        report=report,
        recoveries=recoveries,
        payments=payments,
        today=timezone.localdate(now),
    )
    if reason:
        raise NotArchivable(reason, code="not_closed")
    budget = list(BudgetLine.objects.filter(application=application))
    questions = list(
        Question.objects.filter(call_id=application.call_id).order_by("position", "pk")
    )
    sent_in = application.completed_at or application.submitted_at
    attachments = list(
        Attachment.objects.filter(application=application)
        .select_related("attachment_type")
        .order_by("uploaded_at", "pk")
    )
    if sent_in is not None:  # what was sent in; a file added to a later draft never was
        attachments = [a for a in attachments if a.uploaded_at <= sent_in]
    report_files = (
        list(ReportAttachment.objects.filter(report=report).order_by("uploaded_at", "pk"))
        if report is not None
        else []
    )
    events = case_documents.history(application)

    call, programme, organisation = (
        application.call,
        application.call.programme,
        application.organisation,
    )
    decided = application.decided_at is not None
    files: list[Document] = []
    paths, report_paths = [], []
    for number, attachment in enumerate(attachments, start=1):
        kind = str(attachment.attachment_type or _("Attachment"))
        paths.append(f"bilagor/{number:02d}-{safe_file_name(attachment.original_name)}")
        files.append(_stored(attachment, paths[-1], attachment.original_name, kind))
    for number, receipt in enumerate(report_files, start=1):
        report_paths.append(
            f"aterrapportering/{number:02d}-{safe_file_name(receipt.original_name)}"
        )
        files.append(
            _stored(
                receipt,
                report_paths[-1],
                receipt.original_name,
                _("Follow-up report attachment"),
            )
        )

    facts = [
        (_("Registration number"), application.registry_number or ""),
        (_("Grant programme"), programme.name),
        (_("Call"), call.title),
        (_("Applicant"), application.recipient_name or organisation.name),
        (
            _("Organisation number"),
            application.recipient_org_number or organisation.organisation_number or "",
        ),
        (_("Status"), application.get_status_display()),
        (_("Sent in"), short_date(application.submitted_at)),
        (_("Amount applied for"), format_sek(application.amount_requested)),
    ]
    if decided:
        facts += [
            (_("Decided"), short_date(application.decided_at)),
            (_("Amount granted"), format_sek(application.decided_amount)),
            (_("Paid"), format_sek(application.paid_amount)),
        ]
        aid = aid_entry_of(application=application)
        if aid is not None:  # what the decision said of the de minimis aid, from the ledger
            facts.append((_("De minimis aid"), " ".join(decision_statement(aid)[:2])))
    if report is not None:
        facts.append((_("Follow-up report"), report.get_status_display()))

    rows = case_documents.history_rows(events, "grants.application")
    summary_path = DECISION_PATH if decided else SUMMARY_PATH
    pdf = render_pdf(
        "earchive/print_grant_decision.html",
        {
            "application": application,
            "organisation": organisation,
            "call": call,
            "programme": programme,
            "answers": [
                (question.text, _answer(application.answers.get(str(question.pk))))
                for question in questions
            ],
            "budget": [
                (line.get_kind_display(), line.description, format_sek(line.amount))
                for line in budget
            ],
            "amount_requested": format_sek(application.amount_requested),
            "decided_amount": format_sek(application.decided_amount),
            "payments": [(p.paid_on, format_sek(p.amount), p.reference) for p in payments],
            "recoveries": [
                (r.reason, format_sek(r.amount), r.get_status_display()) for r in recoveries
            ],
            "report": report,
            "attachments": attachments,
            "report_files": report_files,
            "facts": facts,
            "printed_at": timezone.localtime(now),
            "decided": decided,
        },
    )
    summary = Document(
        path=summary_path,
        content=pdf,
        mimetype="application/pdf",
        title=str(_("Decision") if decided else _("The case in summary")),
        created=now,
        format_name=case_documents.PDF_A,
    )
    title = application.title or call.title
    trail = case_documents.audit_trail_document(
        rows=rows,
        title=title,
        reference=application.registry_number or "",
        kind=str(_("Grant case")),
        now=now,
    )
    # the decision's row concerns the decision; an attachment's row names the file it added
    added = {
        "attachment_added": {
            a.original_name: path for a, path in zip(attachments, paths, strict=True)
        },
        "report_attachment_added": {
            a.original_name: path for a, path in zip(report_files, report_paths, strict=True)
        },
    }
    concerns: dict[int, tuple[str, ...]] = {}
    for row in rows:
        if row.to_code in (A.APPROVED, A.PARTLY_APPROVED, A.REJECTED, A.WITHDRAWN):
            concerns[row.pk] = (summary_path,)
        for name, path in added.get(row.code, {}).items():
            if row.comment.endswith(name):
                concerns[row.pk] = (path,)
    parties = [
        Party(
            application.recipient_name or organisation.name,
            str(_("applicant")),
            identifier=application.recipient_org_number or organisation.organisation_number or "",
        ),
        Party(application.public_body.name, str(_("deciding public body"))),
    ]
    if application.decided_by is not None:
        parties.append(
            Party(application.decided_by.display_name, str(_("decision maker")), kind="person")
        )
    if application.assigned_to is not None:
        parties.append(
            Party(application.assigned_to.display_name, str(_("case officer")), kind="person")
        )
    start = timezone.localdate(application.submitted_at) if application.submitted_at else None
    last = max((row.at for row in rows), default=application.decided_at or now)
    return Package(
        object_id=safe_object_id(application.registry_number or f"ansokan-{application.pk}"),
        title=title,
        kind=str(_("Grant case")),
        reference=application.registry_number or "",
        archivist=case_documents.body_path(application.public_body),
        submitter=case_documents.municipality_of(application.public_body).name,
        start=start,
        end=timezone.localdate(last),
        facts=tuple(facts),
        parties=tuple(parties),
        documents=(summary, trail, *files),
        events=case_documents.history_events(rows, concerns),
    )


SOURCE = ArchiveSource(
    name="grants",
    label=gettext_lazy("Grant cases"),
    model=Application,
    candidates=candidates,
    describe=describe,
    groups=programmes,
)
