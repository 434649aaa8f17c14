from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import (
    District,
    DocumentKind,
    LegalForm,
    Organisation,
    OrganisationRole,
    OrganisationStatus,
    PaymentMethod,
    TargetGroup,
)
from organisations.validators import (
    normalise_bankgiro,
    normalise_organisation_number,
    normalise_plusgiro,
)
from portal.files import ALLOWED_DESCRIPTION, MAX_UPLOAD_BYTES, check_upload
from portal.forms import IdsField, PortalForm, PortalModelForm
from portal.versions import SeenVersionField


class OrganisationForm(PortalModelForm):
    """Registration and editing of an organisation's details, grouped for a small screen."""

    # Not marked "(optional)": required for every legal form but one (the help text says when
    # it may be left empty; `clean` enforces it).
    conditionally_required = frozenset({"organisation_number"})

    fieldsets = [
        (
            _("The organisation"),
            [
                "name",
                "legal_form",
                "organisation_number",
                "founded_year",
                "umbrella_organisation",
                "kammarkollegiet_registered",
            ],
        ),
        (
            _("Address and contact"),
            [
                "street_address",
                "postal_code",
                "city",
                "district",
                "contact_email",
                "contact_phone",
                "website",
            ],
        ),
        (_("Activities"), ["purpose", "target_groups"]),
        (
            _("Members"),
            [
                "members_total",
                "members_7_25",
                "members_women",
                "members_men",
                "members_other_gender",
            ],
        ),
        (_("Payments"), ["payment_method", "payment_account"]),
        (_("Public directory"), ["public_listing"]),
    ]

    organisation_number = forms.CharField(
        label=_("Organisation number"),
        required=False,
        help_text=_("10 digits, NNNNNN-NNNN. Leave empty only for a network without one."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    payment_account = forms.CharField(
        label=_("Bankgiro or plusgiro number"),
        required=False,
        help_text=_("Grants are paid only to an account a case officer has verified."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    target_groups = IdsField(
        label=_("Target groups"),
        queryset=TargetGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "legal_form",
            "organisation_number",
            "founded_year",
            "umbrella_organisation",
            "kammarkollegiet_registered",
            "street_address",
            "postal_code",
            "city",
            "district",
            "contact_email",
            "contact_phone",
            "website",
            "purpose",
            "target_groups",
            "members_total",
            "members_7_25",
            "members_women",
            "members_men",
            "members_other_gender",
            "payment_method",
            "payment_account",
            "public_listing",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "street_address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postal_code": forms.TextInput(
                attrs={"autocomplete": "postal-code", "inputmode": "numeric"}
            ),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }
        help_texts = {
            "district": _("The part of the municipality where you are active, e.g. Centrum."),
            "members_7_25": _("Leave the member fields empty if you do not report them."),
            "public_listing": _(
                "The directory shows name, district, target groups, purpose and the contact email, "
                "phone and website – nothing about persons."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Once the administrator keeps the municipality's districts (District), the district is
        # chosen among them, so that the statistics can set each against its population; a
        # name given before the list was kept stays a choice for its organisation.
        names = list(District.objects.values_list("name", flat=True))
        if names:
            current = self.initial.get("district") or ""
            choices = [("", _("Choose a district")), *((name, name) for name in names)]
            if current and current not in names:
                choices.append((current, current))
            self.fields["district"] = forms.ChoiceField(
                label=self.fields["district"].label,
                help_text=_("The part of the municipality where you are mostly active."),
                choices=choices,
                required=False,
            )

    def validate_unique(self) -> None:
        # A taken organisation number is not an error here: registration offers to ask to join,
        # and the services refuse duplicates with their own message.
        return

    def clean_organisation_number(self) -> str | None:
        value = self.cleaned_data.get("organisation_number", "").strip()
        return normalise_organisation_number(value) if value else None

    def clean_founded_year(self) -> int | None:
        year = self.cleaned_data.get("founded_year")
        if year is not None and not 1600 <= year <= timezone.localdate().year:
            raise ValidationError(_("Give the year the organisation was founded, e.g. 1985."))
        return year

    def clean_postal_code(self) -> str:
        value = "".join(self.cleaned_data.get("postal_code", "").split())
        if value and (len(value) != 5 or not value.isdigit()):
            raise ValidationError(_("A postal code has five digits, e.g. 123 45."))
        return f"{value[:3]} {value[3:]}" if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        legal_form = data.get("legal_form")
        number = data.get("organisation_number")
        if (
            legal_form
            and legal_form != LegalForm.NETWORK
            and not number
            and "organisation_number" not in self.errors
        ):
            self.add_error(
                "organisation_number",
                _("Give the organisation number. Only a network without one may leave it empty."),
            )
        if legal_form == LegalForm.NETWORK and number:
            self.add_error(
                "legal_form",
                _(
                    "An organisation with an organisation number is not a network without one: choose its legal form."
                ),
            )
        method, account = data.get("payment_method"), data.get("payment_account", "").strip()
        if account and not method:
            self.add_error("payment_method", _("Choose bankgiro or plusgiro."))
        elif method and not account:
            self.add_error("payment_account", _("Give the account number."))
        elif account:
            try:
                data["payment_account"] = (
                    normalise_bankgiro(account)
                    if method == PaymentMethod.BANKGIRO
                    else normalise_plusgiro(account)
                )
            except ValidationError as error:
                self.add_error("payment_account", error)
        total = data.get("members_total")
        parts = [
            data.get(name) for name in ("members_women", "members_men", "members_other_gender")
        ]
        if total is not None:
            if data.get("members_7_25") is not None and data["members_7_25"] > total:
                self.add_error("members_7_25", _("Cannot be more than the members in total."))
            if any(part is not None for part in parts) and sum(part or 0 for part in parts) > total:
                self.add_error(
                    "members_women",
                    _("Women, men and other together cannot be more than the total."),
                )
        return data

    def service_data(self) -> tuple[dict[str, Any], list[TargetGroup]]:
        """The cleaned values for the services, target groups apart."""
        data = {
            name: self.cleaned_data[name] for name in self.Meta.fields if name != "target_groups"
        }
        return data, list(self.cleaned_data.get("target_groups") or [])


class JoinRequestForm(PortalForm):
    organisation_number = forms.CharField(widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("Message to the organisation's representatives (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_organisation_number(self) -> str:
        return normalise_organisation_number(self.cleaned_data["organisation_number"])


class InviteForm(PortalForm):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=OrganisationRole.choices, initial=OrganisationRole.EDITOR
    )


class RoleForm(PortalForm):
    role = forms.ChoiceField(label=_("Role"), choices=OrganisationRole.choices)


class JoinDecisionForm(PortalForm):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    role = forms.ChoiceField(
        label=_("Role"), choices=OrganisationRole.choices, initial=OrganisationRole.VIEWER
    )


def year_choices() -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    return [(year, year) for year in range(this_year + 1, this_year - 6, -1)]


class DocumentUploadForm(PortalForm):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=year_choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("%(types)s, at most %(size)d MB.")
        % {"types": ALLOWED_DESCRIPTION, "size": MAX_UPLOAD_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.odt,.docx,.xlsx,.jpg,.jpeg,.png"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload


class TransitionForm(PortalForm):
    to = forms.ChoiceField(choices=OrganisationStatus.choices)
    comment = forms.CharField(
        label=_("Comment to the association"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    seen_version = SeenVersionField()


class DocumentReviewForm(PortalForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Send back"))])
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    seen_version = SeenVersionField()


class PaymentVerificationForm(PortalForm):
    seen_version = SeenVersionField()


CONFLICT_REASON_MAX = 2000


class ConflictForm(PortalForm):
    """A case officer's declaration of a conflict of interest (jäv) on a case."""

    reason = forms.CharField(
        label=_("Why you have a conflict of interest"),
        max_length=CONFLICT_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write why you have a conflict of interest in this case.")},
    )


class QueueFilterForm(PortalForm):
    mark_optional = False  # every filter is optional; saying so on each is noise
    q = forms.CharField(label=_("Name or organisation number"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *list(OrganisationStatus.choices)],
    )
    legal_form = forms.ChoiceField(
        label=_("Legal form"), required=False, choices=[("", _("All")), *list(LegalForm.choices)]
    )
    district = forms.ChoiceField(label=_("District"), required=False)
    documents = forms.ChoiceField(
        label=_("Annual documents"),
        required=False,
        choices=[("", _("All")), ("waiting", _("Documents to review"))],
    )

    def __init__(self, *args: Any, districts: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["district"]).choices = [("", _("All"))] + [
            (d, d) for d in districts
        ]


class DirectorySearchForm(PortalForm):
    mark_optional = False
    # longer than any name or word sought (and than a database's pattern can be)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    district = forms.ChoiceField(label=_("District"), required=False)
    target_group = forms.TypedChoiceField(
        label=_("Target group"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self, *args: Any, districts: list[str], target_groups: list[TargetGroup], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["district"]).choices = [("", _("All"))] + [
            (d, d) for d in districts
        ]
        cast(forms.ChoiceField, self.fields["target_group"]).choices = [("", _("All"))] + [
            (g.pk, g.name) for g in target_groups
        ]
