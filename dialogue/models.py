"""The democratic side of collaboration (dialogue): local compacts (överenskommelser) between a
municipality or region and civil society, with their numbered versions, the organisations that
sign on, the commitments of an action plan and the yearly follow-up of each."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from portal.models import PublicBody


class Compact(models.Model):
    """A local compact: one text, revised version by version, that organisations sign on to."""

    title = models.CharField(_("title"), max_length=200)
    public_body = models.ForeignKey(
        PublicBody,
        verbose_name=_("responsible public body"),
        on_delete=models.PROTECT,
        related_name="compacts",
    )
    summary = models.TextField(_("in short"), blank=True)
    registry_number = models.CharField(
        _("registration number"), max_length=40, unique=True, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("local compact")
        verbose_name_plural = _("local compacts")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONSULTATION = "consultation", _("Open for comments")
    ADOPTED = "adopted", _("Adopted")


class CompactVersion(models.Model):
    """A numbered text of the compact: its sections in order (`sections`: a list of
    {"key", "title", "text"}), written by officers as a draft, opened for the organisations'
    comments section by section, then adopted by a political body on a date and paragraph.
    An adopted version is never changed; the next revision is a new version."""

    compact = models.ForeignKey(Compact, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    sections = models.JSONField(_("text"), default=list, blank=True)
    comments_close = models.DateField(_("comments close"), null=True, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_by = models.CharField(_("adopted by"), max_length=200, blank=True)
    adopted_paragraph = models.CharField(_("paragraph (§)"), max_length=100, blank=True)
    text_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("compact version")
        verbose_name_plural = _("compact versions")
        ordering = ["compact", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["compact", "number"], name="compact_version_unique"),
            # one text at a time is being written: a draft or one open for comments
            models.UniqueConstraint(
                fields=["compact"],
                condition=~models.Q(status="adopted"),
                name="one_open_compact_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compact} v{self.number}"

    def section(self, key: str) -> dict[str, str] | None:
        return next((s for s in self.sections if s.get("key") == key), None)


class VersionComment(models.Model):
    """An organisation's comment on one section of a version open for comments."""

    version = models.ForeignKey(CompactVersion, on_delete=models.PROTECT, related_name="comments")
    section = models.CharField(max_length=30)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.version} {self.section}: {self.text[:40]}"


class SignOn(models.Model):
    """An organisation signed on to a version of the compact (or confirmed a new version),
    through a representative with a fresh second factor. Never deleted: a withdrawal is
    recorded on the organisation's latest sign-on (`withdrawn_at`)."""

    compact = models.ForeignKey(Compact, on_delete=models.PROTECT, related_name="sign_ons")
    version = models.ForeignKey(CompactVersion, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="compact_sign_ons"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    text_sha256 = models.CharField(max_length=64)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdraw_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("sign-on")
        verbose_name_plural = _("sign-ons")
        ordering = ["signed_at", "id"]
        constraints = [
            # one live sign-on of an organisation to a version (after a withdrawal it may sign
            # on again)
            models.UniqueConstraint(
                fields=["version", "organisation"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_live_sign_on_per_version",
            ),
        ]
        indexes = [models.Index(fields=["compact", "organisation", "-signed_at"], name="sign_on")]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.version}"


class Owner(models.TextChoices):
    MUNICIPALITY = "municipality", _("The municipality")
    ASSOCIATIONS = "associations", _("The associations")
    BOTH = "both", _("Both together")


class ActionPlan(models.Model):
    """The commitments of a period (a two-year action plan)."""

    compact = models.ForeignKey(Compact, on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-starts_on", "id"]

    def __str__(self) -> str:
        return self.title


class Commitment(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="commitments")
    position = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("commitment"))
    owner = models.CharField(_("who commits"), max_length=20, choices=Owner.choices)
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:60]}"


class CommitmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    STARTED = "started", _("Started")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class FollowUp(models.Model):
    """The yearly follow-up of an action plan: each commitment's status, with evidence and a
    comment. Public once published."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="follow_ups")
    year = models.PositiveSmallIntegerField(_("year"))
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="one_follow_up_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.year}"


class FollowUpEntry(models.Model):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="entries")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=CommitmentStatus.choices)
    evidence = models.TextField(_("what shows it"), blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["commitment__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "commitment"], name="one_entry_per_commitment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follow_up}: {self.commitment}"
