"""Grant programmes, their calls with questions, criteria and attachment types, and the grant reminders' settings."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import AidRegulation
from portal.models import DaysField, PublicBody, SingletonSettings


class ProgrammeKind(models.TextChoices):
    BASIC = "grundbidrag", _("Basic grant")
    ACTIVITY = "aktivitetsstod", _("Activity grant")
    PREMISES = "lokalbidrag", _("Premises grant")
    PROJECT = "projektbidrag", _("Project grant")
    EVENT = "arrangemangsbidrag", _("Event grant")
    START = "startbidrag", _("Start-up grant")
    LEADER_TRAINING = "ledarutbildning", _("Leader training grant")
    OTHER = "other", _("Other grant")


class StateAidClass(models.TextChoices):
    """Whether a programme's grants are state aid, and on what basis: the administrator's
    classification, with its reasons. A de minimis programme's grants are entered in the
    organisation's de minimis ledger when the case is economic activity (`Application.
    economic_activity`, assessed by the case officer)."""

    NOT_AID = "not_aid", _("Not state aid")
    DE_MINIMIS = "de_minimis", _("De minimis aid (Regulation (EU) 2023/2831)")
    SGEI_DE_MINIMIS = "sgei_de_minimis", _("SGEI de minimis aid (Regulation (EU) 2023/2832)")
    OTHER_BASIS = "other_basis", _("State aid on another basis (e.g. block exemption)")


# the classes whose grants are de minimis aid, and the regulation each is granted under
DE_MINIMIS_REGULATIONS: dict[str, str] = {
    StateAidClass.DE_MINIMIS: AidRegulation.DE_MINIMIS,
    StateAidClass.SGEI_DE_MINIMIS: AidRegulation.SGEI,
}


def aid_regulation(state_aid_class: str) -> str:
    """The regulation a grant of this class is de minimis aid under ("2023/2831"), or ""."""
    return DE_MINIMIS_REGULATIONS.get(state_aid_class, "")


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
    send_in_with_eid = models.BooleanField(
        _("sending in is confirmed with e-legitimation"),
        default=False,
        help_text=_(
            "The person who sends an application in identifies themselves again with "
            "e-legitimation (BankID, Freja eID), and the submission records it. Applies only when "
            "the portal has e-legitimation."
        ),
    )
    required_document_kinds = models.JSONField(
        _("annual documents required"), default=list, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    state_aid_class = models.CharField(
        _("state aid"),
        max_length=20,
        choices=StateAidClass.choices,
        default=StateAidClass.NOT_AID,
        help_text=_(
            "De minimis or SGEI de minimis: the case officer assesses for each application "
            "whether it supports economic activity; if so, the decision checks the organisation's "
            "de minimis ceiling, enters the aid in its ledger and says so in the decision."
        ),
    )
    state_aid_reasons = models.TextField(
        _("reasons for the state aid classification"),
        blank=True,
        help_text=_(
            "Why the programme is classed so, e.g. “ordinary support to amateur, non-economic "
            "activity”. Required unless the programme is not state aid."
        ),
    )
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

    def clean(self) -> None:
        if self.state_aid_class != StateAidClass.NOT_AID and not self.state_aid_reasons.strip():
            raise ValidationError(
                {
                    "state_aid_reasons": _(
                        "Give the reasons for classing the programme as state aid (%(class)s)."
                    )
                    % {"class": dict(StateAidClass.choices).get(self.state_aid_class, "")}
                }
            )

    @property
    def aid_regulation(self) -> str:
        """The regulation the programme's grants are de minimis aid under, or ""."""
        return aid_regulation(self.state_aid_class)


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

    @property
    def has_closed(self) -> bool:
        """The closing time has passed: pages say "stängdes", not "stängs"."""
        return self.closes_at <= timezone.now()


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
