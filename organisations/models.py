"""The register: organisations, their people, and their annual documents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import DaysField, SingletonSettings
from portal.storage import private_storage


class LegalForm(models.TextChoices):
    NON_PROFIT = "ideell_forening", _("Non-profit association")
    FOUNDATION = "stiftelse", _("Foundation")
    FAITH_COMMUNITY = "trossamfund", _("Registered faith community")
    ECONOMIC_ASSOCIATION = "ekonomisk_forening", _("Economic association")
    LIMITED_PROFIT_COMPANY = (
        "svb_aktiebolag",
        _("Limited company with restricted profit distribution"),
    )
    NETWORK = "natverk", _("Network without organisation number")


class PaymentMethod(models.TextChoices):
    BANKGIRO = "bankgiro", _("Bankgiro")
    PLUSGIRO = "plusgiro", _("Plusgiro")


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    NEEDS_UPDATE = "needs_update", _("Needs update")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


class TargetGroup(models.Model):
    """Reference data kept by the administrator: who an organisation works for."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """Reference data kept by the administrator: the parts of the municipality (kommundel,
    stadsdel) an organisation is active in. `code` is Statistics Sweden's code of the area
    (RegSO, DeSO or the municipality's own), so a population table can be matched to it; the
    organisation keeps the district's name."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(
        _("code at Statistics Sweden"),
        max_length=20,
        blank=True,
        help_text=_("e.g. 1480R012 for a regional statistical area (RegSO)."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="district_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    organisation_number = models.CharField(
        _("organisation number"), max_length=11, unique=True, null=True, blank=True
    )
    legal_form = models.CharField(_("legal form"), max_length=30, choices=LegalForm.choices)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True, db_index=True)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    purpose = models.TextField(_("purpose"))
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), blank=True, related_name="organisations"
    )
    members_total = models.PositiveIntegerField(_("members in total"), null=True, blank=True)
    members_7_25 = models.PositiveIntegerField(_("members aged 7–25"), null=True, blank=True)
    members_women = models.PositiveIntegerField(_("women and girls"), null=True, blank=True)
    members_men = models.PositiveIntegerField(_("men and boys"), null=True, blank=True)
    members_other_gender = models.PositiveIntegerField(
        _("other or not stated gender"), null=True, blank=True
    )
    founded_year = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    umbrella_organisation = models.CharField(_("umbrella organisation"), max_length=200, blank=True)
    kammarkollegiet_registered = models.BooleanField(
        _("registered as an idea-based organisation with Kammarkollegiet"), default=False
    )
    payment_method = models.CharField(
        _("payment method"), max_length=10, choices=PaymentMethod.choices, blank=True
    )
    payment_account = models.CharField(_("account number"), max_length=12, blank=True)
    payment_details_verified = models.BooleanField(
        _("organisation number and account verified"), default=False
    )
    payment_details_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payment details last changed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Someone else must verify the change (segregation of duties)."),
    )
    public_listing = models.BooleanField(_("listed in the public directory"), default=False)
    sector = models.CharField(
        _("sector (NACE)"),
        max_length=10,
        blank=True,
        help_text=_(
            "The organisation's main activity in the EU's NACE classification (SNI in Sweden), "
            "e.g. 94.99 for other membership organisations. The register of de minimis aid asks "
            "for it."
        ),
    )

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OrganisationStatus.choices,
        default=OrganisationStatus.PENDING,
        db_index=True,
    )
    status_comment = models.TextField(_("comment from the case officer"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]
        indexes = [
            models.Index(Lower("name"), name="organisation_name_ci"),
            # the public directory, by name: read in order, not every listed organisation
            # sorted for each page
            models.Index(
                fields=["name", "id"],
                condition=models.Q(public_listing=True, status=OrganisationStatus.VERIFIED),
                name="organisation_directory",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(legal_form="natverk")
                | models.Q(organisation_number__isnull=False),
                name="organisation_number_required_unless_network",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def payment_account_display(self) -> str:
        if not self.payment_account:
            return ""
        return f"{self.get_payment_method_display()} {self.payment_account}"


class OrganisationRole(models.TextChoices):
    REPRESENTATIVE = "representative", _("Representative (authorised signatory)")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


ROLE_RANK: dict[str, int] = {
    OrganisationRole.VIEWER: 1,
    OrganisationRole.EDITOR: 2,
    OrganisationRole.REPRESENTATIVE: 3,
}


class OrganisationMembership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=OrganisationRole.choices)
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["organisation", "user__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="organisation_member_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


class PastMembership(models.Model):
    """A membership that has ended. Segregation of duties keeps a former member out of the
    organisation's cases for a while (`SEGREGATION_FORMER_MEMBER_DAYS`)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="past_memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="past_memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=OrganisationRole.choices)
    started_at = models.DateTimeField(_("member since"))
    ended_at = models.DateTimeField(_("member until"), default=timezone.now)

    class Meta:
        verbose_name = _("former member")
        verbose_name_plural = _("former members")
        ordering = ["-ended_at"]
        indexes = [models.Index(fields=["user", "-ended_at"], name="past_membership_user")]

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class ConflictOfInterest(models.Model):
    """A case officer's or decision maker's declaration of a conflict of interest (jäv,
    förvaltningslagen 16–18 §§) on a case: an organisation, an application, an agreement. The
    person is excluded from that case, and from every case of that organisation when the
    declaration is about the organisation itself."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflicts_of_interest"
    )
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("case"), max_length=255)
    reason = models.TextField(_("reason"))
    declared_at = models.DateTimeField(_("declared"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["-declared_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="one_conflict_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.object_repr}"


class Invitation(models.Model):
    VALID_DAYS: ClassVar[int] = 7

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=OrganisationRole.choices)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class JoinRequest(models.Model):
    """A person asks to join an organisation that is already registered."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=JoinRequestStatus.choices,
        default=JoinRequestStatus.PENDING,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_join_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"


class DocumentKind(models.TextChoices):
    STATUTES = "stadgar", _("Statutes")
    ANNUAL_MEETING_MINUTES = "arsmotesprotokoll", _("Minutes of the annual meeting")
    ACTIVITY_REPORT = "verksamhetsberattelse", _("Annual activity report")
    FINANCIAL_REPORT = (
        "ekonomisk_berattelse",
        _("Financial report (income statement and balance sheet)"),
    )
    AUDIT_REPORT = "revisionsberattelse", _("Auditor's report")
    PLAN_AND_BUDGET = "verksamhetsplan", _("Activity plan and budget")


# The documents of each year's annual meeting; the portal asks for them when they are missing
# some time after the meetings (Reminder settings in the admin).
ANNUAL_DOCUMENT_KINDS = [
    DocumentKind.ANNUAL_MEETING_MINUTES.value,
    DocumentKind.ACTIVITY_REPORT.value,
    DocumentKind.FINANCIAL_REPORT.value,
    DocumentKind.AUDIT_REPORT.value,
]

# What the register asks of an organisation before a case officer verifies it: its statutes
# (of any year) and the latest annual meeting's documents.
VERIFICATION_DOCUMENT_KINDS = [DocumentKind.STATUTES.value, *ANNUAL_DOCUMENT_KINDS]


class DocumentStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Sent back")


class AnnualDocument(models.Model):
    """One kind of document for one year; its file has one or more versions."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="documents"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("document"), max_length=30, choices=DocumentKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.SUBMITTED
    )
    review_comment = models.TextField(_("comment from the case officer"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    current_version = models.ForeignKey(
        "DocumentVersion", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("annual document")
        verbose_name_plural = _("annual documents")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "kind"], name="one_document_per_kind_and_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} ({self.organisation})"


class StoredFile(models.Model):
    """The fields of a private uploaded file (see `portal.files.store_upload`): the name
    shown, the type found in its content, its size and checksum, and who uploaded it when.
    Subclasses add the `file` field with their own place in the private storage."""

    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        abstract = True


def version_upload_to(instance: DocumentVersion, filename: str) -> str:
    return f"organisations/{instance.document.organisation_id}/{filename}"


class DocumentVersion(StoredFile):
    """An uploaded file. Never changed or deleted: a replacement is a new version."""

    document = models.ForeignKey(AnnualDocument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(storage=private_storage, upload_to=version_upload_to, max_length=255)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.number})"


class OrganisationReminderSettings(SingletonSettings):
    """When the year's annual documents are asked for: one row, changed by an administrator."""

    annual_meeting_month = models.PositiveSmallIntegerField(
        _("annual meetings held by (month)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    annual_meeting_day = models.PositiveSmallIntegerField(
        _("annual meetings held by (day)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    annual_documents_days = DaysField(
        _("annual documents missing: days after the annual meetings"),
        default="30",
        help_text=_("The year's documents are asked for this many days after that date."),
    )

    class Meta:
        verbose_name = _("reminders of annual documents")
        verbose_name_plural = _("reminders of annual documents")

    def __str__(self) -> str:
        return str(_("Reminders of annual documents"))

    def clean(self) -> None:
        try:
            date(2025, self.annual_meeting_month, self.annual_meeting_day)  # not a leap year
        except ValueError:
            raise ValidationError({"annual_meeting_day": _("The month has no such day.")}) from None


# --- state aid: one de minimis ledger per organisation ----------------------------------------
#
# The rules (Commission Regulations (EU) 2023/2831 and 2023/2832) and the checks live in
# `organisations.state_aid`; the writes in `organisations.services.state_aid`.


def _default_sek_per_eur() -> Decimal:
    return Decimal(settings.SEK_PER_EUR)


def _default_ceiling_eur() -> int:
    return int(settings.DE_MINIMIS_CEILING_EUR)


class StateAidSettings(SingletonSettings):
    """The de minimis ceilings and the exchange rate a decision converts kronor to euro with:
    one row, changed by an administrator, who keeps the rate's date and source with it. Every
    ledger entry stores the rate it was converted at, so changing it never changes the past."""

    sek_per_eur = models.DecimalField(
        _("exchange rate (SEK per euro)"),
        max_digits=10,
        decimal_places=4,
        default=_default_sek_per_eur,
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    rate_date = models.DateField(
        _("the rate's date"),
        null=True,
        blank=True,
        help_text=_("The date the rate was published for, e.g. the first day of the month."),
    )
    rate_source = models.CharField(
        _("the rate's source"),
        max_length=200,
        default="Europeiska kommissionens månadskurs (InforEuro)",
        help_text=_("Where the rate comes from, as a decision names it."),
    )
    ceiling_eur = models.PositiveIntegerField(
        _("de minimis ceiling over three years (euro)"),
        default=_default_ceiling_eur,
        help_text=_("Commission Regulation (EU) 2023/2831, Article 3: 300 000 euro."),
    )
    sgei_ceiling_eur = models.PositiveIntegerField(
        _("SGEI de minimis ceiling over three years (euro)"),
        default=750_000,
        help_text=_("Commission Regulation (EU) 2023/2832, Article 3: 750 000 euro."),
    )

    class Meta:
        verbose_name = _("state aid: ceilings and exchange rate")
        verbose_name_plural = _("state aid: ceilings and exchange rate")

    def __str__(self) -> str:
        return str(_("State aid: ceilings and exchange rate"))

    def clean(self) -> None:
        if self.sgei_ceiling_eur < self.ceiling_eur:
            raise ValidationError(
                {"sgei_ceiling_eur": _("The SGEI ceiling is never lower than the general one.")}
            )


class AidRegulation(models.TextChoices):
    """The regulation an aid was granted under. The general ones count against the general
    ceiling; every one counts against the SGEI ceiling (2023/2831 Art. 5, 2023/2832 Art. 5)."""

    DE_MINIMIS = "2023/2831", _("De minimis aid, Commission Regulation (EU) 2023/2831")
    SGEI = "2023/2832", _("SGEI de minimis aid, Commission Regulation (EU) 2023/2832")
    DE_MINIMIS_2013 = "1407/2013", _("De minimis aid, Commission Regulation (EU) No 1407/2013")
    SGEI_2012 = "360/2012", _("SGEI de minimis aid, Commission Regulation (EU) No 360/2012")
    AGRICULTURE = (
        "1408/2013",
        _("De minimis aid in agriculture, Commission Regulation (EU) No 1408/2013"),
    )
    FISHERY = (
        "717/2014",
        _("De minimis aid in fishery and aquaculture, Commission Regulation (EU) No 717/2014"),
    )


SGEI_REGULATIONS = frozenset({AidRegulation.SGEI, AidRegulation.SGEI_2012})


class AidInstrument(models.TextChoices):
    GRANT = "grant", _("Direct grant")
    IN_KIND = "in_kind", _("Aid in kind (e.g. premises free of charge)")
    LOAN = "loan", _("Loan on favourable terms")
    GUARANTEE = "guarantee", _("Guarantee")
    OTHER = "other", _("Other form of aid")


class AidOrigin(models.TextChoices):
    DECIDED = "decided", _("Decided in the portal")
    DECLARED = "declared", _("Declared by the organisation")


class Undertaking(models.Model):
    """More than one organisation forming one undertaking (ett enda företag, 2023/2831 Art. 2(2)),
    e.g. an association and the company it controls: their de minimis aid is counted together.
    Kept by a case officer."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("single undertaking")
        verbose_name_plural = _("single undertakings")

    def __str__(self) -> str:
        return str(_("Single undertaking %(number)s") % {"number": self.pk})


class UndertakingMember(models.Model):
    """An organisation's place in an undertaking, why, and who linked it."""

    undertaking = models.ForeignKey(Undertaking, on_delete=models.PROTECT, related_name="members")
    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="undertaking_member"
    )
    reason = models.TextField(_("reason"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("linked"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation in a single undertaking")
        verbose_name_plural = _("organisations in a single undertaking")
        ordering = ["undertaking", "organisation__name"]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.undertaking})"


class AidDeclaration(models.Model):
    """An organisation's declaration (försäkran) of the de minimis aid it received from others
    in the three years before it: itemised (its `entries` in the ledger), or that there was
    none; signed by a representative. Never changed: a new declaration is the next version,
    and the entries of the one before stop counting."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="aid_declarations"
    )
    number = models.PositiveIntegerField(_("version"))
    period_start = models.DateField(_("covers aid decided from"))
    none_received = models.BooleanField(_("no de minimis aid received from others"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    declared_by_name = models.CharField(_("signed by (name)"), max_length=200)
    declared_at = models.DateTimeField(_("signed"), default=timezone.now, db_index=True)
    text_sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("declaration of de minimis aid")
        verbose_name_plural = _("declarations of de minimis aid")
        ordering = ["organisation", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="aid_declaration_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("Declaration of de minimis aid, version %(number)s (%(organisation)s)")
            % {"number": self.number, "organisation": self.organisation}
        )


class AidEntry(models.Model):
    """One de minimis aid in the ledger: decided here (a grant's or an IOP agreement's decision)
    or declared by the organisation (aid from others). Amounts are gross; aid in kind, a loan or
    a guarantee counts at its gross grant equivalent. The euro amount is converted once, at the
    rate of the day it was granted, and stored with that rate."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="aid_entries",
    )
    origin = models.CharField(_("origin"), max_length=10, choices=AidOrigin.choices)
    regulation = models.CharField(_("regulation"), max_length=12, choices=AidRegulation.choices)
    decided_on = models.DateField(_("granted (decision date)"))
    granting_body = models.CharField(_("granting body"), max_length=200)
    public_body = models.ForeignKey(
        "portal.PublicBody",
        verbose_name=_("public body"),
        on_delete=models.PROTECT,
        related_name="aid_entries",
        null=True,
        blank=True,
    )
    instrument = models.CharField(_("aid instrument"), max_length=12, choices=AidInstrument.choices)
    amount_sek = models.DecimalField(_("amount (SEK)"), max_digits=14, decimal_places=2)
    gross_grant_equivalent_sek = models.DecimalField(
        _("gross grant equivalent (SEK)"), max_digits=14, decimal_places=2
    )
    sek_per_eur = models.DecimalField(
        _("exchange rate (SEK per euro)"), max_digits=10, decimal_places=4
    )
    rate_date = models.DateField(_("the rate's date"), null=True, blank=True)
    rate_source = models.CharField(_("the rate's source"), max_length=200)
    amount_eur = models.DecimalField(_("amount (euro)"), max_digits=14, decimal_places=2)
    eur_stated = models.BooleanField(
        _("euro amount as stated in the decision"),
        default=False,
        help_text=_("Declared aid whose euro amount the other body's decision states."),
    )
    sector = models.CharField(_("sector (NACE)"), max_length=10, blank=True)
    source_kind = models.CharField(_("source"), max_length=40)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_reference = models.CharField(_("case or reference"), max_length=100, blank=True)
    declaration = models.ForeignKey(
        AidDeclaration,
        verbose_name=_("declaration"),
        on_delete=models.PROTECT,
        related_name="entries",
        null=True,
        blank=True,
    )
    superseded_at = models.DateTimeField(
        _("replaced by a newer declaration"), null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("de minimis aid")
        verbose_name_plural = _("de minimis ledger")
        ordering = ["-decided_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "decided_on"], name="aid_entry_window"),
            models.Index(fields=["public_body", "decided_on"], name="aid_entry_register"),
        ]
        constraints = [
            # a case is entered once, however often its decision is retried
            models.UniqueConstraint(
                fields=["source_kind", "source_id"],
                condition=models.Q(origin="decided"),
                name="aid_entry_source_once",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_eur__gte=0, gross_grant_equivalent_sek__gte=0),
                name="aid_entry_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(origin="decided") | models.Q(declaration__isnull=False),
                name="aid_entry_declared_has_declaration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.granting_body} {self.decided_on:%Y-%m-%d} {self.amount_eur} EUR"

    @property
    def is_sgei(self) -> bool:
        return self.regulation in SGEI_REGULATIONS
