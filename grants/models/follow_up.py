"""After the decision: payments, follow-up reports and recoveries."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grants.models.applications import Application
from organisations import segregation
from organisations.models import StoredFile
from portal.models import PublicBody, PublicBodyMembership, PublicBodyRole
from portal.registry import PARTICIPANT_AGE_BANDS, PARTICIPANT_GENDERS
from portal.storage import private_storage

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from portal.models import User


class OfApplication(models.Model):
    """A row that belongs to an application and keeps the application's public body beside it
    (as the application keeps its call's): the officer's lists are scoped, sorted and counted by
    it without reading the applications. An application never changes body; `save()` fills it
    in, and bulk writes set it themselves."""

    public_body = models.ForeignKey(
        PublicBody,
        verbose_name=_("public body"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
    )
    application: (
        models.ForeignKey[Application, Application] | models.OneToOneField[Application, Application]
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.public_body_id is None:
            self.public_body_id = self.application.public_body_id
        super().save(*args, **kwargs)


class PaymentQuerySet(models.QuerySet["Payment"]):
    """A payment is paid out from its payment date in Europe/Stockholm; before that it is
    scheduled with the bank. The one rule of the lists' filters, the case page and open data."""

    def made(self, today: date | None = None) -> PaymentQuerySet:
        return self.filter(paid_on__lte=today or timezone.localdate())

    def ahead(self, today: date | None = None) -> PaymentQuerySet:
        return self.filter(paid_on__gt=today or timezone.localdate())


class Payment(OfApplication):
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

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-id"]
        indexes = [
            models.Index(fields=["-paid_on", "-id"], name="payment_recent"),
            # the officer's list: scoped and counted from the index alone
            models.Index(fields=["public_body", "-paid_on", "-id"], name="payment_body"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.amount} ({self.paid_on})"

    def is_ahead(self, today: date | None = None) -> bool:
        """Scheduled with the bank, not yet paid out (`PaymentQuerySet`)."""
        return self.paid_on > (today or timezone.localdate())


class ReportStatus(models.TextChoices):
    DUE = "due", _("To be reported")
    SUBMITTED = "submitted", _("Sent in")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    APPROVED = "approved", pgettext_lazy("report status", "Approved")


# The bands participants are reported in, kept with the grant facts (portal.registry) that the
# statistics of who gets the support read.
AGE_BANDS = list(PARTICIPANT_AGE_BANDS)
GENDERS = list(PARTICIPANT_GENDERS)


# The association's turn on a report: not yet sent in, or sent back for revision.
REPORT_WITH_ASSOCIATION = frozenset({ReportStatus.DUE, ReportStatus.REVISION_REQUESTED})


class FollowUpReportQuerySet(models.QuerySet["FollowUpReport"]):
    def overdue(self, today: date | None = None) -> FollowUpReportQuerySet:
        """Not sent in (or sent back) and past its due date in Europe/Stockholm."""
        return self.filter(
            status__in=REPORT_WITH_ASSOCIATION, due_date__lt=today or timezone.localdate()
        )

    def waiting_for_review(
        self, user: User | AnonymousUser | None = None
    ) -> FollowUpReportQuerySet:
        """Sent in and waiting for a case officer's review: the one rule behind the case handling
        page's count, the overview's to-do list and the morning digest. With `user`: at the
        public bodies where the person is a case officer, without the cases they must stay out
        of (segregation of duties)."""
        reports = self.filter(status=ReportStatus.SUBMITTED)
        if user is None:
            return reports
        bodies = PublicBodyMembership.objects.filter(
            user_id=user.pk or 0, role=PublicBodyRole.CASE_OFFICER
        ).values("public_body_id")
        # exclude_conflicted narrows with exclude(), which keeps the queryset's own class
        return cast(
            FollowUpReportQuerySet,
            segregation.exclude_conflicted(
                reports.filter(public_body_id__in=bodies),
                user,
                organisation_field="application__organisation_id",
                case=Application,
                case_field="application__pk",
            ),
        )


class FollowUpReport(OfApplication):
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
        indexes = [
            models.Index(fields=["status", "due_date"], name="report_status_due"),
            # the officer's list, in due order: read in index order, it stops after a page
            models.Index(fields=["due_date", "id"], name="report_due_order"),
            # ... and scoped and counted from the index alone
            models.Index(fields=["public_body", "status", "due_date"], name="report_body"),
        ]

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
        verbose_name = _("report sent in")
        verbose_name_plural = _("reports sent in")
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


class Recovery(OfApplication):
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
        # the officer's list is in due order: read in index order, it stops after a page
        indexes = [
            models.Index(fields=["due_date", "id"], name="recovery_due_order"),
            models.Index(fields=["public_body", "status", "due_date"], name="recovery_body"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="recovery_positive")
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.amount}"
