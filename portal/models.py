"""The platform's own records: users, public bodies with their officers, and the audit trail."""

from __future__ import annotations

from typing import Any, ClassVar, Self

import filetype
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import registry
from portal.storage import logo_storage, private_storage


class UserQuerySet(models.QuerySet["User"]):
    """A write to many people's rows at once sends no signal per row: every web worker's copy
    of a logged-in person's row (`portal.auth_backends`) is stale from then on, and the copies
    of the persons' roles with it (one generation stands for them all), and what is kept of
    people by name (the lists' case officers)."""

    def update(self, **kwargs: Any) -> int:
        count = super().update(**kwargs)
        _people_changed(kwargs)
        return count

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        count = super().bulk_update(objs, fields, batch_size=batch_size)
        _people_changed(fields)
        return count


def _people_changed(fields: Any) -> None:
    """The persons' rows and roles, and whatever else is kept of people as a save of these
    fields would make stale (the lists' case officers by name, `person_cache.watch`)."""
    from portal import person_cache

    person_cache.changed(person_cache.PERSON)
    person_cache.written_in_bulk(User, fields)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


# Where an erased person was: on applications, decisions, agreements and in the audit trail.
# An erased person's name is this, in the portal's language, so that every list that reads
# names shows it (`portal.personal_data.user_erase`).
REMOVED_USER = _("removed user")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. The email address is the login; there is no username."""

    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("administrator"),
        default=False,
        help_text=_("May log in to the administration (Django admin)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    notification_digest = models.BooleanField(
        _("collect non-urgent notifications in a daily digest"),
        default=False,
        help_text=_("Deadline reminders are always sent at once."),
    )
    erased_at = models.DateTimeField(
        _("erased"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the person's account was erased (GDPR): name, email address and logins are "
            "gone; the public records they took part in remain."
        ),
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="portal_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class SigningEvidence(models.Model):
    """How a signature was confirmed (`portal.second_factor.Confirmation`): a fresh code from
    the person's authenticator app, or a fresh e-legitimation, with its provider, level of
    assurance, the moment the person authenticated and the name the provider asserted. The
    model that carries it keeps the hash of the signed text beside it (`text_sha256`)."""

    class Method(models.TextChoices):
        TOTP = "totp", _("code from the authenticator app")
        EID = "eid", _("e-legitimation")

    confirmed_with = models.CharField(
        _("confirmed with"), max_length=8, choices=Method.choices, default=Method.TOTP
    )
    eid_provider = models.CharField(_("identity provider"), max_length=100, blank=True)
    eid_loa = models.CharField(_("level of assurance"), max_length=100, blank=True)
    eid_asserted_at = models.DateTimeField(_("authenticated at"), null=True, blank=True)
    eid_name = models.CharField(_("name asserted by the provider"), max_length=200, blank=True)

    class Meta:
        abstract = True


class PublicBody(models.Model):
    """A municipality or region, or one of its committees (nämnd) or administrations."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "kommun", _("Municipality")
        REGION = "region", _("Region")
        COMMITTEE = "namnd", _("Committee")
        ADMINISTRATION = "forvaltning", pgettext_lazy("public body kind", "Administration")

    TOP_LEVEL_KINDS: ClassVar[set[str]] = {Kind.MUNICIPALITY, Kind.REGION}

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        related_name="children",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    registry_prefix = models.CharField(
        _("registry prefix"),
        max_length=12,
        unique=True,
        help_text=_("Prefix of the registration numbers (diarienummer), e.g. KFN."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("public body")
        verbose_name_plural = _("public bodies")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(registry_prefix__regex=r"^[A-ZÅÄÖ0-9-]+$"),
                name="portal_publicbody_prefix_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.registry_prefix:
            self.registry_prefix = self.registry_prefix.strip().upper()
        if self.kind in self.TOP_LEVEL_KINDS and self.parent_id is not None:
            raise ValidationError(
                {"parent": _("A municipality or region is not part of another body.")}
            )
        if self.kind and self.kind not in self.TOP_LEVEL_KINDS and self.parent_id is None:
            raise ValidationError(
                {
                    "parent": _(
                        "A committee or administration must be part of a municipality or region."
                    )
                }
            )
        ancestor = self.parent
        while ancestor is not None:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A body cannot be part of itself.")})
            ancestor = ancestor.parent


class PublicBodyRole(models.TextChoices):
    CASE_OFFICER = "case_officer", _("Case officer")
    DECISION_MAKER = "decision_maker", _("Decision maker")
    REGISTRAR = "registrar", _("Registrar")


class PublicBodyMembership(models.Model):
    """An officer's role at one public body. A person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="public_body_memberships",
        on_delete=models.CASCADE,
    )
    public_body = models.ForeignKey(
        PublicBody,
        verbose_name=_("public body"),
        related_name="memberships",
        on_delete=models.PROTECT,
    )
    role = models.CharField(_("role"), max_length=20, choices=PublicBodyRole.choices)
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("officer role")
        verbose_name_plural = _("officer roles")
        ordering = ["public_body__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "public_body", "role"], name="portal_membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.public_body}"


class AuditEvent(models.Model):
    """One state change, decision or sensitive edit. Append-only: the database refuses updates
    and deletes (see migration 0002), and the admin shows the rows read-only."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        related_name="+",
        # Whoever acted stays on record: such an account is deactivated, never deleted.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    actor_label = models.CharField(_("actor (as recorded)"), max_length=255, blank=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=255)
    action = models.CharField(_("action"), max_length=64)
    from_state = models.CharField(_("from"), max_length=64, blank=True)
    to_state = models.CharField(_("to"), max_length=64, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label}: {self.action} {self.object_repr}"
        )


class AuditRedaction(models.Model):
    """A permit to change the audit trail, which the database otherwise refuses (migrations
    0002, 0009, 0012). Written inside one transaction and deleted before it commits, so no other
    connection ever sees one. An erasure's permit (`ERASURE`) lets the texts of a row (who, what,
    comment) change, never when, what was done or to what (`portal.personal_data.user_erase`); a
    disposal's (`DISPOSAL`) lets the rows of a kind the retention schedule allows be deleted
    (`portal.retention`)."""

    ERASURE = "erasure"
    DISPOSAL = "disposal"

    user_id = models.PositiveIntegerField(null=True)
    purpose = models.CharField(max_length=10, default=ERASURE)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.purpose} {self.user_id or ''}".strip()


class RetentionRule(models.Model):
    """How long one kind of record is kept before the nightly disposal (gallring) removes it,
    and the decision that allows it (`registry.DisposalKind`, `portal.retention`). Without a
    period, the kind is kept. The schedule holds a row for every kind the apps register, with
    the apps' defaults until an administrator changes them."""

    kind = models.CharField(_("kind of record"), max_length=60, unique=True)
    keep_days = models.PositiveIntegerField(
        _("kept for (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(36500)],
        help_text=_(
            "Empty: kept, never disposed of. 0: disposed of the first night it is due. At most "
            "36 500 days (100 years)."
        ),
    )
    basis = models.TextField(
        _("decision"),
        blank=True,
        help_text=_(
            "The decision the disposal rests on: the committee's document management plan "
            "(dokumenthanteringsplan), with its date and paragraph."
        ),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention schedule")
        ordering = ["kind"]

    def __str__(self) -> str:
        kind = registry.registry.disposal_kinds.get(self.kind)
        return str(kind.label) if kind is not None else self.kind

    def clean(self) -> None:
        if self.keep_days is not None and not self.basis.strip():
            raise ValidationError(
                {
                    "basis": _(
                        "Give the decision the disposal rests on, with its date and paragraph."
                    )
                }
            )
        kind = registry.registry.disposal_kinds.get(self.kind)
        if kind is not None and self.keep_days is not None and self.keep_days < kind.minimum_days:
            raise ValidationError(
                {
                    "keep_days": _(
                        "This kind of record must be kept for at least %(days)s days "
                        "(%(years)s years); leave the field empty to keep it."
                    )
                    % {"days": kind.minimum_days, "years": kind.minimum_days // 365}
                }
            )


class LegalHold(models.Model):
    """A registered document that must not be disposed of, whatever the schedule says (a
    request for it, an appeal, an audit), until an officer lifts the hold. `kind` and
    `object_id` name it as the diarium does (`registry.RecordKind`)."""

    kind = models.CharField(_("kind of document"), max_length=60)
    object_id = models.PositiveBigIntegerField()
    public_body = models.ForeignKey(
        PublicBody, verbose_name=_("public body"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("registration number"), max_length=40)
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set"), default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lift_reason = models.TextField(_("why it was lifted"), blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-set_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_legal_hold_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def kind_label(self) -> str:
        kind = registry.registry.record_kinds.get(self.kind)
        return str(kind.label) if kind is not None else self.kind


class DisposalRecord(models.Model):
    """What one night's disposal removed of one kind: how many, under which period and
    decision; never what they were."""

    kind = models.CharField(_("kind of record"), max_length=60)
    label = models.CharField(_("kind of record"), max_length=200)
    count = models.PositiveIntegerField(_("disposed of"))
    keep_days = models.PositiveIntegerField(_("kept for (days)"))
    basis = models.TextField(_("decision"), blank=True)
    cutoff = models.DateTimeField(_("older than"))
    disposed_at = models.DateTimeField(_("disposed"), default=timezone.now)

    class Meta:
        verbose_name = _("disposal")
        verbose_name_plural = _("disposal log")
        ordering = ["-disposed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.count}"


class RegistryCounter(models.Model):
    """The last registration number (diarienummer) given by a public body in a year. Numbers
    are taken under a row lock in the same transaction as the registration, so they are gapless:
    a rolled-back registration gives its number back."""

    public_body = models.ForeignKey(PublicBody, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["public_body", "year"], name="registry_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.public_body.registry_prefix} {self.year}: {self.last_number}"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    HELD = "held", _("Waiting for the daily digest")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """The outbox: one row per (kind, object, due date, recipient), unique in the database, so a
    reminder is sent at most once however often the scan runs. A worker claims a row before it
    sends it; a row left "sending" by a killed worker is claimed again after a while."""

    kind = models.CharField(_("kind"), max_length=50)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    due_date = models.DateField(_("due"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    url = models.CharField(_("link"), max_length=255, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "due_date", "recipient"],
                name="notification_once",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_recipient")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.due_date})"

    @property
    def kind_label(self) -> str:
        try:
            return str(registry.kind(self.kind).label)
        except KeyError:
            return self.kind


def parse_days(text: str) -> list[int]:
    """ "14, 0, -7" → [14, 0, -7]: days before a deadline (negative: after it)."""
    days = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            days.append(int(part))
        except ValueError:
            raise ValidationError(
                _("Give whole days separated by commas, for example “7, 1” (negative: after)."),
                code="invalid_days",
            ) from None
    if any(abs(day) > 400 for day in days):
        raise ValidationError(_("At most 400 days before or after."), code="invalid_days")
    return sorted(set(days), reverse=True)


def validate_days(text: str) -> None:
    parse_days(text)


class DaysField(models.CharField):
    """A list of day offsets, typed as "7, 1" in the admin."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("validators", [validate_days])
        super().__init__(*args, **kwargs)


class SingletonSettings(models.Model):
    """Settings an administrator changes in the admin: one row (pk 1), and the defaults until it
    is first saved. Each app keeps its own (its reminders' days) on a subclass."""

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> Self:
        """The saved settings, or the defaults when an administrator has not changed them."""
        return cls._default_manager.filter(pk=1).first() or cls(pk=1)

    def days(self, name: str) -> list[int]:
        return parse_days(getattr(self, name))


class ReminderSettings(SingletonSettings):
    """When the daily digest goes out: one row, changed by an administrator in the admin. The
    reminders' days are each app's own settings beside it."""

    digest_hour = models.PositiveSmallIntegerField(
        _("daily digest at (hour, Swedish time)"),
        default=7,
        validators=[MaxValueValidator(23)],
    )

    class Meta:
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digest")

    def __str__(self) -> str:
        return str(_("Daily digest"))


LOGO_MAX_BYTES = 1024 * 1024
LOGO_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


def validate_logo(upload: Any) -> None:
    """A logo is a PNG, JPEG or WebP image of at most 1 MB, judged by its content. No SVG: it
    can carry script, and the logo is shown on every page."""
    if (upload.size or 0) > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo may be at most 1 MB."), code="too_large")
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is None or kind.extension not in LOGO_TYPES:
        raise ValidationError(_("The logo must be a PNG, JPEG or WebP image."), code="type")


class SiteSettings(SingletonSettings):
    """Who runs this portal, as the header, the footer and the personal-data page show it: one
    row, changed by an administrator in the admin. Plain text only (shown escaped, paragraphs
    kept); read once per request from the cache (see `portal.selectors.site_settings`)."""

    municipality_name = models.CharField(
        _("municipality or region"),
        max_length=120,
        blank=True,
        help_text=_("Shown in the header beside the portal's name and as the logo's text."),
    )
    logo = models.ImageField(
        _("logo"),
        storage=logo_storage,
        upload_to="site/",
        blank=True,
        validators=[validate_logo],
        help_text=_(
            "PNG, JPEG or WebP, at most 1 MB, about 48 pixels high in the header. Without a logo "
            "the portal's own mark is shown."
        ),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_address = models.TextField(
        _("postal address"), blank=True, help_text=_("One line per row, as on an envelope.")
    )
    personal_data_text = models.TextField(
        _("personal data page"),
        blank=True,
        help_text=_(
            "The text of the page “Personal data”: who is responsible, why the portal processes "
            "personal data, for how long, and how to ask for your data. Plain text; an empty "
            "line starts a new paragraph."
        ),
    )

    class Meta:
        verbose_name = _("municipality and contact details")
        verbose_name_plural = _("municipality and contact details")

    def __str__(self) -> str:
        return str(_("Municipality and contact details"))

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_email or self.contact_phone or self.contact_address)


# --- delivery to the e-archive (portal.earchive) ---------------------------------------------


class ArchiveBatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def archive_batch_upload_to(instance: ArchiveBatch, filename: str) -> str:
    return f"earchive/{filename}"


class ArchiveBatch(models.Model):
    """A delivery to the e-archive that an administrator started in the admin: the closed cases
    of one kind (`source`, an archive source of the registry) of a public body (and the bodies
    under it) registered in a year, narrowed to a grant programme (`group`) when chosen, or the
    cases chosen in an admin list (`object_ids`). A worker builds one information package per
    case (`portal.earchive.services.batch_build`) into one ZIP in the private storage; `handled`
    against `total` is its progress, `packages` what it holds, `refused` the cases that could
    not go and why."""

    source = models.CharField(_("kind of case"), max_length=50)
    public_body = models.ForeignKey(
        PublicBody,
        verbose_name=_("public body"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    year = models.PositiveSmallIntegerField(_("year registered"), null=True, blank=True)
    group = models.PositiveIntegerField(_("programme"), null=True, blank=True)
    group_label = models.CharField(_("programme"), max_length=200, blank=True)
    object_ids = models.JSONField(_("chosen cases"), default=list, blank=True)
    submission_agreement = models.CharField(
        _("delivery agreement"),
        max_length=200,
        blank=True,
        help_text=_(
            "The reference of the agreement with the archive about this delivery "
            "(leveransöverenskommelse), if there is one."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ArchiveBatchStatus.choices,
        default=ArchiveBatchStatus.QUEUED,
    )
    total = models.PositiveIntegerField(_("cases"), default=0)
    handled = models.PositiveIntegerField(_("cases handled"), default=0)
    packages = models.JSONField(_("packages"), default=list, blank=True)
    refused = models.JSONField(_("cases not delivered"), default=list, blank=True)
    file = models.FileField(
        storage=private_storage, upload_to=archive_batch_upload_to, max_length=255, blank=True
    )
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-archive delivery")
        verbose_name_plural = _("e-archive deliveries")
        ordering = ["-requested_at", "-id"]
        permissions = [("export_archive", _("Can deliver cases to the e-archive"))]

    def __str__(self) -> str:
        kind = registry.registry.archive_sources.get(self.source)
        label = str(kind.label) if kind is not None else self.source
        return " ".join(part for part in (label, str(self.year or ""), f"#{self.pk}") if part)
