"""Applications: their answers, budget, attachments, submissions and the officers' reviews."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grants.models.programmes import (
    AttachmentType,
    Call,
    Criterion,
    StateAidClass,
    aid_regulation,
)
from organisations.models import Organisation, StoredFile
from portal.models import PublicBody, SigningEvidence
from portal.money import format_sek
from portal.storage import private_storage


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


def proposal_text(outcome: str, amount: Decimal | None) -> str:
    """A proposal as the pages and the history read it: "Approve 35 000 kr", "Approve 20 000 kr
    in part", "Rejection"; "" when nothing has been proposed."""
    if outcome == ProposalOutcome.APPROVE:
        return str(_("Approve %(amount)s") % {"amount": format_sek(amount)})
    if outcome == ProposalOutcome.PARTLY:
        return str(_("Approve %(amount)s in part") % {"amount": format_sek(amount)})
    if outcome == ProposalOutcome.REJECT:
        return str(pgettext_lazy("proposal", "Rejection"))
    return ""


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
    # When the association last sent the application in again after a completion request
    # (set by `application_submit`). While the application stands as submitted, this is the
    # case officer's "completion received": the inbox reads it from the row, with no query
    # per application.
    completed_at = models.DateTimeField(_("completion received"), null=True, blank=True)
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
    # The case officer's assessment, with the proposal, in a programme classed as de minimis
    # aid: does the grant support economic activity (an offer of goods or services on a
    # market)? Only then is it de minimis aid, checked against the ceiling and entered in the
    # organisation's ledger at the decision. Empty in every other programme.
    economic_activity = models.BooleanField(_("economic activity"), null=True, blank=True)
    economic_activity_reasons = models.TextField(
        _("reasons for the economic-activity assessment"), blank=True
    )

    # the decision
    decided_amount = models.DecimalField(
        _("decided amount (SEK)"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    # What has been paid of the grant: the sum of its payments, kept by the one service that
    # registers a payment (under the application's row lock), so that the lists of fully and
    # partly paid grants compare two columns instead of adding up payments for every row.
    paid_amount = models.DecimalField(
        _("paid (SEK)"), default=0, max_digits=14, decimal_places=2, editable=False
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
    # the programme's state aid classification when the decision was taken (empty for decisions
    # taken before it was recorded): a programme classed anew never changes what a decision said
    decision_state_aid_class = models.CharField(
        _("state aid at the decision"),
        max_length=20,
        choices=StateAidClass.choices,
        blank=True,
    )
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
            # "Not assigned": what nobody has taken, found without walking every assigned case
            models.Index(
                fields=["public_body", "-submitted_at", "-id"],
                condition=models.Q(assigned_to__isnull=True) & ~models.Q(status="draft"),
                name="application_unassigned",
            ),
            # the decision maker's list: proposals at a body, oldest first, read in order
            models.Index(
                fields=["public_body", "proposed_at", "id"],
                condition=models.Q(status="proposed"),
                name="application_proposals",
            ),
            # what waits for the officer (the overview's counts): counted from the index alone
            models.Index(
                fields=["public_body", "status", "completed_at", "proposed_by"],
                condition=models.Q(status__in=["submitted", "proposed"]),
                name="application_waiting",
            ),
            models.Index(fields=["organisation", "-submitted_at"], name="application_organisation"),
            # the inbox's search by organisation (a name, an organisationsnummer): which of the
            # organisations' cases are at the officer's bodies, counted from the index alone
            models.Index(
                fields=["organisation", "public_body", "status"],
                name="application_organisation_body",
            ),
            models.Index(fields=["call", "status"], name="application_call_status"),
            # "assigned to me": counted from the index alone (body and status are in it)
            models.Index(
                fields=["assigned_to", "-submitted_at", "public_body", "status"],
                name="application_assigned",
            ),
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
            models.CheckConstraint(
                condition=models.Q(paid_amount__gte=0), name="application_paid_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.registry_number or f"{self.organisation} – {self.call}"

    @property
    def proposal_text(self) -> str:
        """The proposal as a phrase: "Approve 35 000 kr", "Rejection" (see `proposal_text`)."""
        return proposal_text(self.proposal_outcome, self.proposal_amount)

    @property
    def de_minimis_regulation(self) -> str:
        """The regulation the decided grant is de minimis aid under ("2023/2831"), or "" when
        it is none: a grant of money in a programme classed as de minimis aid when decided, for
        economic activity."""
        if not self.decided_amount or self.economic_activity is not True:
            return ""
        if self.status not in {ApplicationStatus.APPROVED, ApplicationStatus.PARTLY_APPROVED}:
            return ""
        return aid_regulation(self.decision_state_aid_class)

    @property
    def completion_received(self) -> bool:
        """Sent in again after a completion request and not yet taken up by the officer."""
        return self.is_completion_received(self.status, self.completed_at)

    @staticmethod
    def is_completion_received(status: str, completed_at: datetime | None) -> bool:
        """`completion_received` of a status and completion time (also for a list's rows)."""
        return status == ApplicationStatus.SUBMITTED and completed_at is not None

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


class Submission(SigningEvidence):
    """What the association sent, as it was sent: one row per submit, never changed. Where the
    programme asks for it, the sending in was confirmed with e-legitimation (the evidence), and
    `text_sha256` is the hash of the content it confirmed."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="submissions"
    )
    number = models.PositiveSmallIntegerField()
    content = models.JSONField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    text_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("sending in")
        verbose_name_plural = _("sendings in")
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
