"""Grants: programmes, calls, applications, reviews, proposals and decisions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organisations.models import Organisation, StoredFile
from portal.models import DaysField, PublicBody, SingletonSettings
from portal.storage import private_storage


class ProgrammeKind(models.TextChoices):
    BASIC = "grundbidrag", _("Basic grant")
    ACTIVITY = "aktivitetsstod", _("Activity grant")
    PREMISES = "lokalbidrag", _("Premises grant")
    PROJECT = "projektbidrag", _("Project grant")
    EVENT = "arrangemangsbidrag", _("Event grant")
    START = "startbidrag", _("Start-up grant")
    LEADER_TRAINING = "ledarutbildning", _("Leader training grant")
    OTHER = "other", _("Other grant")


class Programme(models.Model):
    """A grant programme (bidragsform) owned by a public body, with its rules."""

    public_body = models.ForeignKey(
        PublicBody,
        verbose_name=_("public body"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of grant"), max_length=30, choices=ProgrammeKind.choices)
    rules = models.TextField(_("rules"), blank=True)
    appeal_text = models.TextField(
        _("how to appeal a decision"),
        blank=True,
        help_text=_(
            "Shown with every decision of the programme and in the decision email. Empty: the "
            "standard text on laglighetsprövning under chapter 13 of the Local Government Act."
        ),
    )
    eligible_legal_forms = models.JSONField(
        _("legal forms that may apply"),
        default=list,
        blank=True,
        help_text=_("Empty: every legal form may apply."),
    )
    minimum_members = models.PositiveIntegerField(_("minimum members"), null=True, blank=True)
    requires_verified = models.BooleanField(_("organisation must be verified"), default=True)
    required_document_kinds = models.JSONField(
        _("annual documents required"), default=list, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    closing_reminder_days = DaysField(
        _("reminders before a call closes (days)"),
        blank=True,
        help_text=_("For example “7, 1”. Empty: the portal's reminder settings."),
    )
    report_reminder_days = DaysField(
        _("reminders of the follow-up report (days before it is due)"),
        blank=True,
        help_text=_("For example “14, 0, -7” (negative: overdue). Empty: the portal's settings."),
    )

    class Meta:
        verbose_name = _("grant programme")
        verbose_name_plural = _("grant programmes")
        ordering = ["public_body__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.public_body})"


class Criterion(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("assessment criterion")
        verbose_name_plural = _("assessment criteria")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Call(models.Model):
    """A call for applications (utlysning) under a programme."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("grant programme"), on_delete=models.PROTECT, related_name="calls"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    budget = models.DecimalField(
        _("budget (SEK)"),
        validators=[MinValueValidator(Decimal(0))],
        max_digits=14,
        decimal_places=2,
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"), db_index=True)
    follow_up_required = models.BooleanField(_("follow-up report required"), default=False)
    follow_up_due_date = models.DateField(
        _("follow-up report due (date)"),
        null=True,
        blank=True,
        help_text=_("A fixed date for every grant of the call."),
    )
    follow_up_days_after_end = models.PositiveSmallIntegerField(
        _("follow-up report due (days after the activity ends)"),
        null=True,
        blank=True,
        help_text=_("Used when no fixed date is given."),
    )
    closing_reminder_days = DaysField(
        _("reminders before the call closes (days)"),
        blank=True,
        help_text=_("For example “7, 1”. Empty: as the grant programme."),
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["closes_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, at: object = None) -> bool:
        now = at or timezone.now()
        return self.opens_at <= now < self.closes_at  # type: ignore[operator]


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    YES_NO = "yes_no", _("Yes or no")


class Question(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    kind = models.CharField(_("kind of answer"), max_length=20, choices=QuestionKind.choices)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_("For a choice: the options, one per entry."),
    )
    required = models.BooleanField(_("required"), default=True)
    max_length = models.PositiveIntegerField(_("maximum length"), default=2000)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class AttachmentType(models.Model):
    """An attachment the call asks for, e.g. "Projektplan"."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="attachment_types")
    name = models.CharField(_("attachment"), max_length=200)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("attachment type")
        verbose_name_plural = _("attachment types")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    COMPLETION_REQUESTED = "completion_requested", _("Completion requested")
    IN_REVIEW = "in_review", _("In review")
    PROPOSED = "proposed", _("Decision proposed")
    APPROVED = "approved", pgettext_lazy("application status", "Approved")
    PARTLY_APPROVED = "partly_approved", _("Partly approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# What a decision says about how to appeal it, unless the programme has its own text. Municipal
# grants are not appealed by förvaltningsbesvär but by laglighetsprövning (kommunallagen 13 kap.).
DEFAULT_APPEAL_TEXT = _(
    "The decision can be appealed through a review of its lawfulness (laglighetsprövning) under "
    "chapter 13 of the Local Government Act (kommunallagen, 2017:725). Anyone who is a member of "
    "the municipality or region may ask the administrative court (förvaltningsrätten) to review "
    "whether the decision was made lawfully. The appeal must have reached the administrative "
    "court within three weeks of the day it was announced on the official notice board of the "
    "municipality or region that the minutes recording the decision had been approved. Say which "
    "decision you appeal and why you consider that it was not made lawfully."
)


class ProposalOutcome(models.TextChoices):
    APPROVE = "approve", _("Approve the amount applied for")
    PARTLY = "partly", _("Approve in part")
    REJECT = "reject", _("Reject")


class DecisionChoice(models.TextChoices):
    """What the decision maker chooses. Nothing is chosen beforehand."""

    AS_PROPOSED = "confirm", _("Decide as proposed")
    CHANGE = "change", _("Decide another amount")
    REJECT = "reject", _("Reject")


class Application(models.Model):
    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # The call's programme's public body, kept on the row: the inbox filters and sorts by it
    # without joining call and programme (see the partial index below).
    public_body = models.ForeignKey(
        PublicBody,
        verbose_name=_("public body"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    title = models.CharField(_("title of the application"), max_length=200, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    planned_start = models.DateField(_("activity starts"), null=True, blank=True)
    planned_end = models.DateField(_("activity ends"), null=True, blank=True)
    amount_requested = models.DecimalField(
        _("amount applied for (SEK)"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    registry_number = models.CharField(
        _("registration number"), max_length=40, unique=True, null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case officer"),
        on_delete=models.PROTECT,
        related_name="assigned_applications",
        null=True,
        blank=True,
    )
    completion_message = models.TextField(_("what to complete"), blank=True)
    completion_due = models.DateField(_("complete by"), null=True, blank=True)

    # the case officer's proposal
    proposal_outcome = models.CharField(max_length=30, choices=ProposalOutcome.choices, blank=True)
    proposal_amount = models.DecimalField(null=True, blank=True, max_digits=14, decimal_places=2)
    proposal_motivation = models.TextField(blank=True)
    proposal_conditions = models.TextField(blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    proposed_at = models.DateTimeField(null=True, blank=True)

    # the decision
    decided_amount = models.DecimalField(
        _("decided amount (SEK)"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    decision_motivation = models.TextField(_("motivation"), blank=True)
    decision_conditions = models.TextField(_("conditions"), blank=True)
    decision_change_reason = models.TextField(_("reason for changing the proposal"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # Fixed when the decision is taken, never changed afterwards: how to appeal (empty: the
    # standard text) and who received the grant, as open data publishes it. A later change of
    # the organisation's name or organisationsnummer does not rewrite who was granted money.
    decision_appeal_text = models.TextField(_("how to appeal"), blank=True)
    recipient_org_number = models.CharField(
        _("organisation number at the decision"), max_length=11, blank=True
    )
    recipient_name = models.CharField(_("organisation at the decision"), max_length=200, blank=True)
    recipient_city = models.CharField(_("city at the decision"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(
                fields=["public_body", "-submitted_at", "-id"],
                condition=~models.Q(status="draft"),
                name="application_inbox",
            ),
            # newest first across all the officer's bodies: scanned in order, stops at a page
            models.Index(
                fields=["-submitted_at", "-id"],
                condition=~models.Q(status="draft"),
                name="application_recent",
            ),
            models.Index(
                fields=["public_body", "status", "-submitted_at"],
                name="application_inbox_status",
            ),
            models.Index(fields=["organisation", "-submitted_at"], name="application_organisation"),
            models.Index(fields=["call", "status"], name="application_call_status"),
            models.Index(fields=["assigned_to", "-submitted_at"], name="application_assigned"),
            # the reminder scan: completions due on given days, without reading every application
            models.Index(
                fields=["completion_due"],
                condition=models.Q(status="completion_requested"),
                name="application_completion_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_requested__isnull=True)
                | models.Q(amount_requested__gte=0),
                name="application_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_amount__isnull=True)
                | (
                    models.Q(decided_amount__gte=0)
                    & models.Q(decided_amount__lte=models.F("amount_requested"))
                ),
                name="application_decided_within_applied",
            ),
        ]

    def __str__(self) -> str:
        return self.registry_number or f"{self.organisation} – {self.call}"

    @property
    def appeal_text(self) -> str:
        """How to appeal this decision: the text fixed at the decision, or the standard one."""
        return self.decision_appeal_text or str(DEFAULT_APPEAL_TEXT)


class BudgetLineKind(models.TextChoices):
    COST = "cost", _("Cost")
    OWN_FINANCING = "own", _("Own financing")
    OTHER_FUNDER = "other_funder", _("Other funder")


class BudgetLine(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=BudgetLineKind.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(
        _("amount (SEK)"),
        validators=[MinValueValidator(Decimal(0))],
        max_digits=14,
        decimal_places=2,
    )

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    return f"applications/{instance.application_id}/{filename}"


class Attachment(StoredFile):
    """A file sent with an application. Never deleted: a removed attachment is only hidden, so
    that what was submitted stays on record."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="attachments"
    )
    attachment_type = models.ForeignKey(
        AttachmentType,
        verbose_name=_("attachment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    file = models.FileField(storage=private_storage, upload_to=attachment_upload_to, max_length=255)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Submission(models.Model):
    """What the association sent, as it was sent: one row per submit, never changed."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="submissions"
    )
    number = models.PositiveSmallIntegerField()
    content = models.JSONField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="submission_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} #{self.number}"


class Review(models.Model):
    """A case officer's score of one criterion, 0–5, with a comment."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="reviews")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="one_review_per_criterion"
            ),
            models.CheckConstraint(condition=models.Q(score__lte=5), name="review_score_0_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class Payment(models.Model):
    """One instalment paid out on a decided grant, to the organisation's verified account."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount (SEK)"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("payment date"))
    reference = models.CharField(_("reference"), max_length=100)
    # The account as it was when the money went out: a later change of the organisation's
    # bankgiro never rewrites where earlier payments went.
    account = models.CharField(_("paid to"), max_length=40)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["-paid_on", "-id"], name="payment_recent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.amount} ({self.paid_on})"


class ReportStatus(models.TextChoices):
    DUE = "due", _("To be reported")
    SUBMITTED = "submitted", _("Sent in")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    APPROVED = "approved", pgettext_lazy("report status", "Approved")


AGE_BANDS = ["0–6", "7–12", "13–19", "20–25", "26–64", "65+"]
GENDERS = ["women", "men", "other"]


# The association's turn on a report: not yet sent in, or sent back for revision.
REPORT_WITH_ASSOCIATION = frozenset({ReportStatus.DUE, ReportStatus.REVISION_REQUESTED})


class FollowUpReportQuerySet(models.QuerySet["FollowUpReport"]):
    def overdue(self, today: date | None = None) -> FollowUpReportQuerySet:
        """Not sent in (or sent back) and past its due date in Europe/Stockholm."""
        return self.filter(
            status__in=REPORT_WITH_ASSOCIATION, due_date__lt=today or timezone.localdate()
        )


class FollowUpReport(models.Model):
    """The association's follow-up report (återrapportering) on a grant. Overdue is derived from
    the due date, never stored: `FollowUpReport.objects.overdue()`, `report.is_overdue`."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="report")
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DUE
    )
    narrative = models.TextField(_("what was done, compared with the plan"), blank=True)
    activities = models.PositiveIntegerField(_("number of activities"), null=True, blank=True)
    participants = models.JSONField(_("participants by age and gender"), default=dict, blank=True)
    actual_costs = models.JSONField(_("actual cost per budget line"), default=dict, blank=True)
    other_income = models.DecimalField(
        _("income from others (SEK)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    review_comment = models.TextField(_("comment from the case officer"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FollowUpReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="report_status_due")]

    def __str__(self) -> str:
        return f"{self.application}: {self.get_status_display()}"

    @property
    def is_overdue(self) -> bool:
        """The one report's side of `FollowUpReport.objects.overdue()`."""
        return self.status in REPORT_WITH_ASSOCIATION and self.due_date < timezone.localdate()


class ReportSubmission(models.Model):
    """The report as it was sent in, once per send-in; never changed."""

    report = models.ForeignKey(FollowUpReport, on_delete=models.PROTECT, related_name="submissions")
    number = models.PositiveSmallIntegerField()
    content = models.JSONField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_submission_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report} #{self.number}"


def report_upload_to(instance: ReportAttachment, filename: str) -> str:
    return f"reports/{instance.report_id}/{filename}"


class ReportAttachment(StoredFile):
    report = models.ForeignKey(FollowUpReport, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=report_upload_to, max_length=255)

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class RecoveryStatus(models.TextChoices):
    OPEN = "open", _("To be paid back")
    PAID = "paid", _("Paid back")


class Recovery(models.Model):
    """A demand to pay back (återkrav) unspent or unused grant money."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="recoveries"
    )
    amount = models.DecimalField(_("amount (SEK)"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("reason"))
    due_date = models.DateField(_("to be paid back by"))
    status = models.CharField(
        _("status"), max_length=10, choices=RecoveryStatus.choices, default=RecoveryStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    paid_on = models.DateField(_("paid back on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="recovery_positive")
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.amount}"


class GrantReminderSettings(SingletonSettings):
    """When grant reminders go out: one row, changed by an administrator in the admin. A grant
    programme or call may override the call and report reminders on its own page."""

    call_closing_days = DaysField(
        _("call closes: days before"),
        default="7, 1",
        help_text=_("To organisations with a draft in the call."),
    )
    completion_days = DaysField(
        _("completion requested: days before the date"),
        default="2, -1",
        help_text=_("Negative: days after (overdue)."),
    )
    report_days = DaysField(
        _("follow-up report: days before it is due"),
        default="14, 0, -7",
        help_text=_("0: the day it is due; negative: days overdue."),
    )

    class Meta:
        verbose_name = _("grant reminders")
        verbose_name_plural = _("grant reminders")

    def __str__(self) -> str:
        return str(_("Grant reminders"))
