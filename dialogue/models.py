"""The democratic side of collaboration (dialogue): local compacts (överenskommelser) between a
municipality or region and civil society, with their numbered versions, the organisations that
sign on, the commitments of an action plan and the yearly follow-up of each."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation, StoredFile
from portal.models import PublicBody, SigningEvidence
from portal.storage import private_storage


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
        verbose_name = _("comment on a version")
        verbose_name_plural = _("comments on versions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.version} {self.section}: {self.text[:40]}"


class SignOn(SigningEvidence):
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


# --- forums and councils ----------------------------------------------------------------------


class ForumKind(models.TextChoices):
    DIALOGUE_FORUM = "dialogue_forum", _("Dialogue forum")
    PENSIONERS = "pensioners_council", _("Pensioners' council")
    DISABILITY = "disability_council", _("Disability council")
    STEERING_GROUP = "steering_group", _("Joint steering group")
    OTHER = "other", _("Other council or forum")


class Forum(models.Model):
    """A meeting place of the municipality and the organisations (dialogforum, pensionärsråd,
    funktionshinderråd, a compact's joint steering group): member organisations with their
    appointed representatives and deputies, and meetings with notice, agenda, attendance and
    minutes."""

    title = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=ForumKind.choices)
    public_body = models.ForeignKey(
        PublicBody,
        verbose_name=_("responsible public body"),
        on_delete=models.PROTECT,
        related_name="forums",
    )
    description = models.TextField(_("what the forum is for"), blank=True)
    notice_days = models.PositiveSmallIntegerField(_("notice (days before a meeting)"), default=7)
    proposal_days = models.PositiveSmallIntegerField(
        _("last day for proposed agenda items (days before a meeting)"), default=14
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("forum or council")
        verbose_name_plural = _("forums and councils")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class MemberStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACTIVE = "active", _("Member")
    LEFT = "left", _("Left")


class ForumMember(models.Model):
    """A member organisation of a forum: invited by an officer, it accepts through its
    representative, who appoints the person who represents it and a deputy (and replaces them
    later)."""

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="members")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="forum_memberships"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.INVITED
    )
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("representative"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deputy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member organisation")
        verbose_name_plural = _("member organisations")
        ordering = ["organisation__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "organisation"],
                condition=~models.Q(status="left"),
                name="one_membership_per_forum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.forum}"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CANCELLED = "cancelled", _("Cancelled")


class MinutesStatus(models.TextChoices):
    NONE = "none", _("Not written")
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class Meeting(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # the day the notice goes to the members (the forum's notice days before the meeting),
    # kept when the meeting changes after it went: they are told of the change instead
    notice_on = models.DateField(_("notice sent on"))
    # the calendar's SEQUENCE: raised by every change a member's calendar must follow
    sequence = models.PositiveIntegerField(default=0)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_status = models.CharField(
        _("minutes"), max_length=20, choices=MinutesStatus.choices, default=MinutesStatus.NONE
    )
    minutes_approved_by = models.CharField(_("approved by"), max_length=300, blank=True)
    minutes_approved_on = models.DateField(_("approved on"), null=True, blank=True)
    minutes_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["forum", "starts_at"], name="meeting_by_forum")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.forum} {self.starts_at:%Y-%m-%d}"


class ItemStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("On the agenda")
    DECLINED = "declined", _("Not on the agenda")


class AgendaItem(models.Model):
    """An item of a meeting's agenda: added by an officer, or proposed by a member organisation
    before the last day for proposals and then put on the agenda or not (with a reason)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    title = models.CharField(_("item"), max_length=200)
    description = models.TextField(_("what it is about"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.ACCEPTED
    )
    position = models.PositiveSmallIntegerField(default=0)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """Who attended a meeting for a member organisation: its representative, its deputy, or
    nobody."""

    class Present(models.TextChoices):
        REPRESENTATIVE = "representative", _("The representative")
        DEPUTY = "deputy", _("The deputy")
        ABSENT = "absent", _("Nobody")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(ForumMember, on_delete=models.PROTECT, related_name="+")
    present = models.CharField(_("attended"), max_length=20, choices=Present.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.member} {self.present}"


# --- consultations (remisser, sakråd) ------------------------------------------------------------


class Audience(models.TextChoices):
    ALL = "all", _("All verified organisations")
    TARGET_GROUPS = "target_groups", _("Organisations working with chosen target groups")
    FORUM = "forum", _("The member organisations of a forum or council")


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Published")


class Consultation(models.Model):
    """A question or a draft the municipality asks civil society about (remiss, sakråd), with
    documents, an audience and a last day; the organisations' responses are registered when
    they arrive and public after the last day (what an organisation marks as sensitive only
    after an officer has assessed its secrecy); afterwards the officers write what became of
    it ("Vad hände sedan") and every respondent is told."""

    title = models.CharField(_("title"), max_length=200)
    public_body = models.ForeignKey(
        PublicBody,
        verbose_name=_("responsible public body"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    question = models.TextField(_("what the municipality asks"))
    audience = models.CharField(
        _("asked"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    target_groups = models.ManyToManyField(
        "organisations.TargetGroup", verbose_name=_("target groups"), blank=True, related_name="+"
    )
    forum = models.ForeignKey(
        Forum,
        verbose_name=_("forum or council"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    deadline = models.DateField(_("last day for responses"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.DRAFT,
    )
    registry_number = models.CharField(
        _("registration number"), max_length=40, unique=True, null=True, blank=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    outcome = models.TextField(_("what happened next"), blank=True)
    outcome_published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-deadline", "-id"]
        indexes = [models.Index(fields=["status", "-deadline"], name="consultation_by_deadline")]

    def __str__(self) -> str:
        return self.title


def consultation_upload_to(instance: ConsultationDocument, filename: str) -> str:
    return f"consultations/{instance.consultation_id}/{filename}"


class ConsultationDocument(StoredFile):
    """A document the municipality sends with a consultation: public once it is published."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="documents"
    )
    file = models.FileField(
        storage=private_storage, upload_to=consultation_upload_to, max_length=255
    )

    class Meta:
        verbose_name = _("consultation document")
        verbose_name_plural = _("consultation documents")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Secrecy(models.TextChoices):
    NOT_ASKED = "not_asked", _("Not marked as sensitive")
    PENDING = "pending", _("Sensitive: to be assessed")
    PUBLIC = "public", _("Public after assessment")
    PARTLY = "partly", _("Partly secret after assessment")
    SECRET = "secret", _("Secret after assessment")


# What of a response is public after the last day: its text (for a partly secret one, the text
# made public), and its attachments only when nothing of it is secret. Never a response marked
# as sensitive before the officer's assessment.
PUBLIC_TEXT = (Secrecy.NOT_ASKED, Secrecy.PUBLIC, Secrecy.PARTLY)
PUBLIC_FILES = (Secrecy.NOT_ASKED, Secrecy.PUBLIC)


class Response(models.Model):
    """An organisation's response, registered with a diarienummer when it arrives; never
    changed afterwards."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="responses"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="consultation_responses"
    )
    text = models.TextField(_("response"))
    sensitive_note = models.TextField(
        _("what is sensitive and why"),
        blank=True,
        help_text=_("Leave empty when nothing in the response is sensitive."),
    )
    secrecy = models.CharField(
        _("secrecy"), max_length=20, choices=Secrecy.choices, default=Secrecy.NOT_ASKED
    )
    secrecy_reason = models.TextField(_("the assessment"), blank=True)
    public_text = models.TextField(_("the text made public"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    feedback = models.TextField(_("what was done with it"), blank=True)
    registry_number = models.CharField(_("registration number"), max_length=40, unique=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("consultation response")
        verbose_name_plural = _("consultation responses")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "organisation"], name="one_response_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return self.registry_number


def response_upload_to(instance: ResponseAttachment, filename: str) -> str:
    return f"consultations/{instance.response.consultation_id}/svar/{filename}"


class ResponseAttachment(StoredFile):
    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=response_upload_to, max_length=255)

    class Meta:
        verbose_name = _("response attachment")
        verbose_name_plural = _("response attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
