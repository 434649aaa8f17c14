from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations import services
from organisations.models import (
    AidInstrument,
    AidRegulation,
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
from portal.money import SekField
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
        (_("Activities"), ["purpose", "sector", "target_groups"]),
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
            "sector",
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

    def clean_sector(self) -> str:
        """The NACE (SNI) code as digits with its dot: "94.99", "94991" -> "94.991"."""
        typed = (self.cleaned_data.get("sector") or "").strip()
        if not typed:
            return ""
        digits = typed.replace(".", "").replace(" ", "")
        if not digits.isdigit() or not 2 <= len(digits) <= 5:
            raise ValidationError(
                _("Write the sector as its NACE (SNI) code, 2 to 5 digits, for example 94.99.")
            )
        return f"{digits[:2]}.{digits[2:]}" if len(digits) > 2 else digits

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


# --- state aid: declarations of de minimis aid, undertakings, the register -----------------


class EuroField(SekField):
    """An amount in euro as people write it: `3 000`, `3 000,50`, `3000 euro`, `€ 3 000`."""

    units = ("euro", "EUR", "€")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {"invalid": _("Write the amount in euro as a number, for example 3 000.")},
        )
        super().__init__(**kwargs)


class DeclaredAidForm(PortalForm):
    """One aid from another granting body, a row of the declaration. A row left empty is left
    out; a row begun needs the body, the date and the amount. The rules (the period, the
    amounts) are the service's (`services.aid_declaration_sign`), which names the row."""

    # asked for only once the row is begun: no "(optional)" on them
    conditionally_required = ("granting_body", "decided_on", "amount_sek")

    granting_body = forms.CharField(
        label=_("Granting body"),
        max_length=200,
        required=False,
        help_text=_("For example Region Exempel, Exempelby kommun or Arbetsförmedlingen."),
    )
    decided_on = forms.DateField(
        label=_("Decision date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The date of the other body's decision, not of the payment."),
    )
    regulation = forms.ChoiceField(
        label=_("Regulation"),
        # the number first: on a phone the closed list shows only the start of the choice
        choices=lambda: [(value, f"{value}: {label}") for value, label in AidRegulation.choices],
        initial=AidRegulation.DE_MINIMIS,
        help_text=_("The decision names the regulation the aid was granted under."),
    )
    instrument = forms.ChoiceField(
        label=_("Form of aid"), choices=AidInstrument.choices, initial=AidInstrument.GRANT
    )
    amount_sek = SekField(label=_("Amount in kronor"), required=False)
    gross_grant_equivalent_sek = SekField(
        label=_("Gross grant equivalent in kronor"),
        required=False,
        help_text=_(
            "Only for a loan, a guarantee or premises free of charge or cheaper: the value of the "
            "advantage as the decision states it. Leave it empty for a grant of money."
        ),
    )
    amount_eur = EuroField(
        label=_("Amount in euro"),
        required=False,
        help_text=_(
            "If the other body's decision states the aid in euro, write it here: for a loan, a "
            "guarantee or premises, its gross grant equivalent in euro."
        ),
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("The other body's case or registration number, if you have it."),
    )

    # what a person types; the two choices have values of their own even in an empty row
    typed_fields = (
        "granting_body",
        "decided_on",
        "amount_sek",
        "gross_grant_equivalent_sek",
        "amount_eur",
        "reference",
    )

    def is_blank(self) -> bool:
        """Nothing typed in the row (whatever the two choices say): it is left out."""
        return not any(str(self[name].value() or "").strip() for name in self.typed_fields)

    def clean_decided_on(self) -> Any:
        """A date in the future or before the three years is said at once, beside the date,
        even while the row lacks other things (the service's own rule)."""
        day = self.cleaned_data.get("decided_on")
        if day:
            problem = services.declared_date_problem(day)
            if problem:
                raise forms.ValidationError(problem)
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank():
            return data
        required = {
            "granting_body": _("Fill in the granting body: the body that decided the aid."),
            "decided_on": _("Give the decision date, for example 2026-03-15."),
            "amount_sek": _("Give the amount in kronor."),
        }
        for name, message in required.items():
            if name not in self.errors and data.get(name) in (None, ""):
                self.add_error(name, message)
        return data


if TYPE_CHECKING:
    _RowsBase = forms.BaseFormSet[DeclaredAidForm]
else:  # not subscriptable at run time
    _RowsBase = forms.BaseFormSet


class BaseDeclaredAidFormSet(_RowsBase):
    """The declaration's rows: every row may be left empty (it is then left out), also the
    rows drawn again from what was typed (`initial`) when a row is added."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(index),
            "empty_permitted": True,
            "use_required_attribute": False,
        }

    def begun(self) -> list[DeclaredAidForm]:
        """The rows the person filled in (in the order they stand); a row emptied of all it
        said is left out, whatever its choices."""
        return [form for form in self.forms if not form.is_blank()]

    def typed(self) -> list[dict[str, Any]]:
        """What was typed in each row, as typed (nothing is checked), to draw the rows again."""
        return [{name: form[name].value() for name in form.fields} for form in self.forms]


MAX_DECLARED_AIDS = 50

DeclaredAidFormSet = forms.formset_factory(
    DeclaredAidForm,
    formset=BaseDeclaredAidFormSet,
    extra=1,
    max_num=MAX_DECLARED_AIDS,
    absolute_max=MAX_DECLARED_AIDS,
    validate_max=True,
)


class AidDeclarationForm(PortalForm):
    """The declaration's two ticks. Neither is required here: the service says what is
    missing (no aid listed and "none received" not ticked; not certified), beside the box."""

    none_received = forms.BooleanField(
        label=_("The organisation has received no de minimis aid from others in the period"),
        required=False,
    )
    certified = forms.BooleanField(
        label=_(
            "I certify, on the organisation's behalf, that the declaration is true and complete"
        ),
        required=False,
        help_text=_(
            "Aid that is not declared may make a grant unlawful: the organisation may have to "
            "pay it back with interest."
        ),
    )


class UndertakingLinkForm(PortalForm):
    """A case officer links the organisation to another, found by its organisation number."""

    organisation_number = forms.CharField(
        label=_("The other organisation's organisation number"),
        max_length=20,
        help_text=_("10 digits, for example 802002-1234."),
        error_messages={"required": _("Give the other organisation's organisation number.")},
    )
    reason = forms.CharField(
        label=_("Why they are one undertaking"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: the association owns all the shares of the company, or appoints the "
            "majority of its board."
        ),
        error_messages={"required": _("Write why the two organisations are one undertaking.")},
    )

    def __init__(self, *args: Any, find: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.find = find  # organisation number as stored -> Organisation | None
        self.other: Organisation | None = None

    def clean_organisation_number(self) -> str:
        number = normalise_organisation_number(self.cleaned_data["organisation_number"])
        other = self.find(number)
        if other is None:
            raise ValidationError(
                _(
                    "No organisation in the register has the organisation number %(number)s. "
                    "Check the number; the other organisation must be registered in the portal "
                    "first."
                )
                % {"number": number}
            )
        self.other = other
        return number


class UndertakingUnlinkForm(PortalForm):
    """A case officer takes an organisation out of its undertaking, with the reason."""

    reason = forms.CharField(
        label=_("Why the link has ended"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write why the link has ended.")},
    )


class AidRegisterFilterForm(PortalForm):
    """The period of the register: from and to a decision date, both included."""

    mark_optional = False
    start = forms.DateField(
        label=_("Decided from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=_("Decided to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The period asked for; an empty end of it is the current year's."""
        data = self.cleaned_data
        return (
            data.get("start") or dt.date(today.year, 1, 1),
            data.get("end") or dt.date(today.year, 12, 31),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period cannot be before its start."))
        return data
