"""IOP agreements (idéburet offentligt partnerskap): from initiative through screening,
co-creation, legal review, decision and signing to an active, followed-up partnership."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from portal.models import DaysField, PublicBody, SigningEvidence, SingletonSettings
from portal.storage import private_storage

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class AgreementStatus(models.TextChoices):
    INITIATIVE = "initiative", _("Initiative")
    SCREENING = "screening", _("Screening")
    NOT_IOP = "not_iop", _("Not an IOP")
    CO_CREATION = "co_creation", _("Co-creation")
    LEGAL_REVIEW = "legal_review", _("Legal review")
    DECISION = "decision", _("Awaiting decision")
    SIGNING = "signing", _("Signing")
    ACTIVE = "active", _("Active")
    AMENDMENT = "amendment", _("Being amended")
    ENDED = "ended", _("Ended")
    TERMINATED = "terminated", _("Terminated")


class StateAidRoute(models.TextChoices):
    NOT_ECONOMIC = "not_economic", _("Not economic activity")
    DE_MINIMIS = "de_minimis", _("De minimis aid")
    SGEI_DE_MINIMIS = "sgei_de_minimis", _("SGEI de minimis aid")
    SGEI_DECISION = "sgei_decision", _("SGEI decision")


# The sections the parties write together, in the order of the agreement.
SECTIONS: list[tuple[str, StrOrPromise]] = [
    ("background", _("Background")),
    ("values", _("Shared values")),
    ("goals", _("Goals and how they are measured")),
    ("governance", _("Governance: bodies, members and meeting rhythm")),
    ("term", _("Term and notice period")),
    ("follow_up", _("Follow-up plan")),
    ("changes", _("Changes, termination and disputes")),
]

# The IOP criteria the case officer screens an initiative against.
SCREENING_CRITERIA: list[tuple[str, StrOrPromise]] = [
    ("initiated", _("Initiated by the idea-based organisation")),
    ("political_goal", _("Part of a political goal of the public body")),
    ("not_grant", _("Not an ordinary grant")),
    ("no_market", _("No market or competition to protect")),
    ("both_contribute", _("Both parties contribute")),
    ("long_term", _("Long-term")),
    ("no_steering", _("The public side does not steer the details")),
]


class Agreement(models.Model):
    title = models.CharField(_("title"), max_length=200)
    challenge = models.TextField(_("the societal challenge"))
    idea = models.TextField(_("the idea"))
    target_group = models.TextField(_("target group"))
    association_brings = models.TextField(_("what the association brings"))
    asks_of_public_side = models.TextField(_("what it asks of the public side"))
    proposed_start = models.DateField(_("proposed start"), null=True, blank=True)
    proposed_end = models.DateField(_("proposed end"), null=True, blank=True)
    notice_months = models.PositiveSmallIntegerField(
        _("notice period (months)"), null=True, blank=True
    )

    initiating_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("initiated by"),
        on_delete=models.PROTECT,
        related_name="initiated_agreements",
    )
    public_body = models.ForeignKey(
        PublicBody,
        verbose_name=_("responsible public body"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AgreementStatus.choices,
        default=AgreementStatus.INITIATIVE,
    )
    registry_number = models.CharField(
        _("registration number"), max_length=40, unique=True, null=True, blank=True
    )
    sections = models.JSONField(_("agreement text"), default=dict, blank=True)
    screening = models.JSONField(_("screening"), default=dict, blank=True)
    screening_comment = models.TextField(_("screening outcome"), blank=True)
    procurement_assessment = models.TextField(_("why this is not a purchase under LOU"), blank=True)
    state_aid_route = models.CharField(
        _("state-aid route"), max_length=20, choices=StateAidRoute.choices, blank=True
    )
    state_aid_amount = models.DecimalField(
        _("state aid (SEK)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_reference = models.CharField(_("protocol reference (§)"), max_length=100, blank=True)
    # Four eyes on the public side: who prepared the agreement (legal review), who recorded the
    # decision and who sent the current round for signing (an amendment included). None of
    # them signs for a public body (`agreements.permissions.can_sign_for`).
    legal_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("legal review by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decision_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decision recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    sent_to_signing_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent for signing by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for termination"), blank=True)
    pdf_public = models.BooleanField(_("signed PDF public"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # In force: active, or being amended (the signed version applies until the amendment is).
    LIVE_STATUSES = (AgreementStatus.ACTIVE, AgreementStatus.AMENDMENT)

    class Meta:
        verbose_name = _("IOP agreement")
        verbose_name_plural = _("IOP agreements")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-updated_at"], name="agreement_status"),
            # the officer's list, newest change first: read in order, it stops after a page
            models.Index(fields=["-updated_at", "-id"], name="agreement_recent"),
            # the public register (agreements.selectors.PUBLIC_STATUSES), newest decision
            # first: read in order, not every public agreement sorted for each page
            models.Index(
                fields=["-decision_date", "-id"],
                condition=models.Q(
                    status__in=[
                        AgreementStatus.ACTIVE,
                        AgreementStatus.AMENDMENT,
                        AgreementStatus.ENDED,
                        AgreementStatus.TERMINATED,
                    ]
                ),
                name="agreement_register",
            ),
        ]

    def __str__(self) -> str:
        return self.registry_number or self.title


class Party(models.Model):
    """A party to the agreement: a public body or an organisation, with its signatory."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    public_body = models.ForeignKey(
        PublicBody, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement_parties",
    )
    signatory = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signatory"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(public_body__isnull=True, organisation__isnull=False)
                | models.Q(public_body__isnull=False, organisation__isnull=True),
                name="party_is_body_or_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name_of(
            str(self.public_body) if self.public_body else None,
            str(self.organisation) if self.organisation else None,
        )

    @staticmethod
    def name_of(public_body: str | None, organisation: str | None) -> str:
        """A party's name, its public body's or its organisation's (also for a list's rows)."""
        return public_body or organisation or ""


class ContributionKind(models.TextChoices):
    MONEY = "money", _("Money")
    PREMISES = "premises", _("Premises")
    STAFF_HOURS = "staff_hours", _("Staff hours")
    VOLUNTEER_HOURS = "volunteer_hours", _("Volunteer hours")
    OTHER = "other", _("Other")


class Contribution(models.Model):
    """What one party brings in one year, valued in SEK."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contributions")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=ContributionKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    value = models.DecimalField(_("value (SEK)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["year", "party_id", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.party} {self.year}: {self.get_kind_display()} {self.value}"


class SectionComment(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(max_length=30)
    text = models.TextField(_("comment"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment on a section")
        verbose_name_plural = _("comments on sections")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.section}: {self.text[:40]}"


class SectionRevision(models.Model):
    """A saved text of one section: every save that changes a section keeps its text here, with
    who saved it and when, so the parties can see what changed between two saved states (of a
    section, or of the whole agreement). Written by `agreement_section_save` only; never changed."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="section_revisions"
    )
    section = models.CharField(_("section"), max_length=30)
    text = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("saved section text")
        verbose_name_plural = _("saved section texts")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["agreement", "section", "id"], name="section_revision_by_section")
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.section} {self.created_at:%Y-%m-%d %H:%M}"


def version_upload_to(instance: AgreementVersion, filename: str) -> str:
    return f"agreements/{instance.agreement_id}/{filename}"


class AgreementVersion(models.Model):
    """A signed text: numbered, locked, with its PDF/A and checksum. Never changed."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    content = models.JSONField()
    pdf = models.FileField(
        storage=private_storage, upload_to=version_upload_to, max_length=255, blank=True
    )
    sha256 = models.CharField(max_length=64, blank=True)
    pdf_created_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agreement} v{self.number}"


class Signature(SigningEvidence):
    """A party's signatory approved the text about to become version `number`.

    A signature is never deleted. When a case officer restarts a failed signing round, or a
    party's signatory is replaced during signing, the signatures concerned are voided
    (`voided_at`, `voided_by`) and stay as evidence; only live signatures count."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    number = models.PositiveSmallIntegerField()
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="signatures")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)
    text_sha256 = models.CharField(max_length=64)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number", "party"],
                condition=models.Q(voided_at__isnull=True),
                name="one_live_signature_per_party",
            )
        ]

    def __str__(self) -> str:
        return f"{self.party} signed v{self.number}"


class FollowUp(models.Model):
    """A follow-up point of the plan (date and what is reported); either side records what
    happened, measured against the goals, and the officer marks it reviewed."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="follow_ups")
    due_date = models.DateField(_("planned date"))
    plan = models.CharField(_("what is reported"), max_length=500)
    text = models.TextField(_("what happened, measured against the goals"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.plan[:40]}"


class AgreementReminderSettings(SingletonSettings):
    """When IOP reminders go out: one row, changed by an administrator in the admin."""

    iop_follow_up_days = DaysField(_("IOP follow-up point: days before"), default="14")
    agreement_end_days = DaysField(_("IOP agreement ends: days before"), default="90, 30")

    class Meta:
        verbose_name = _("IOP reminders")
        verbose_name_plural = _("IOP reminders")

    def __str__(self) -> str:
        return str(_("IOP reminders"))
