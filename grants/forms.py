from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grants.assessment import MAX_SCORE, Assessment, CriterionScore
from grants.models import (
    Application,
    ApplicationStatus,
    AttachmentType,
    BudgetLineKind,
    Call,
    Criterion,
    DecisionChoice,
    ProposalOutcome,
    Question,
    QuestionKind,
)
from grants.tasks import AttachmentSlot
from portal.files import ALLOWED_DESCRIPTION, MAX_UPLOAD_BYTES, check_upload
from portal.forms import PortalForm
from portal.models import User
from portal.money import SekField, format_sek
from portal.versions import SeenVersionField


def amount_for_input(amount: Decimal | None) -> str:
    """An amount as a person would type it: `45 000`, `1 250,50`."""
    return (
        format_sek(amount).replace("\u00a0kr", "").replace("\u00a0", " ")
        if amount is not None
        else ""
    )


class StartForm(PortalForm):
    organisation = forms.ChoiceField(label=_("Organisation that applies"))

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = organisations


def _question_field(question: Question) -> forms.Field:
    label = question.text if question.required else f"{question.text} ({_('optional')})"
    common: dict[str, Any] = {"label": label, "required": False, "help_text": question.help_text}
    if question.kind == QuestionKind.SHORT_TEXT:
        return forms.CharField(max_length=question.max_length, **common)
    if question.kind == QuestionKind.LONG_TEXT:
        return forms.CharField(
            max_length=question.max_length,
            widget=forms.Textarea(attrs={"rows": 5, "maxlength": question.max_length}),
            **common,
        )
    if question.kind == QuestionKind.NUMBER:
        # At most 15 digits, 4 after the decimal sign: "1e999999" is no count of anything.
        return forms.DecimalField(
            max_digits=15,
            decimal_places=4,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            **common,
        )
    if question.kind == QuestionKind.CHOICE:
        return forms.ChoiceField(choices=[("", "–")] + [(c, c) for c in question.choices], **common)
    return forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect, **common
    )


class ApplicationForm(PortalForm):
    """The association's answers; every field may be empty in a draft (submit checks)."""

    mark_optional = False

    title = forms.CharField(label=_("Title of the application"), max_length=200, required=False)
    amount_requested = SekField(label=_("Amount applied for in kronor"), required=False)
    planned_start = forms.DateField(
        label=_("The activity starts"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    planned_end = forms.DateField(
        label=_("The activity ends"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        self.questions = list(application.call.questions.all())
        initial = {
            "title": application.title,
            "amount_requested": amount_for_input(application.amount_requested),
            "planned_start": application.planned_start,
            "planned_end": application.planned_end,
        }
        for question in self.questions:
            initial[f"question_{question.pk}"] = application.answers.get(str(question.pk), "")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for question in self.questions:
            self.fields[f"question_{question.pk}"] = _question_field(question)

    def answers(self) -> dict[str, Any]:
        return {
            str(question.pk): self.cleaned_data.get(f"question_{question.pk}", "")
            for question in self.questions
        }

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"question_{question.pk}"] for question in self.questions]


class BudgetLineForm(PortalForm):
    mark_optional = False

    kind = forms.ChoiceField(label=_("Kind"), choices=BudgetLineKind.choices)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    amount = SekField(label=_("Amount in kronor"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("description") and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Give the amount."))
        if data.get("amount") is not None and not data.get("description"):
            self.add_error("description", _("Describe the line."))
        return data


BudgetFormSet = forms.formset_factory(BudgetLineForm, extra=3, max_num=60, validate_max=True)


def budget_lines_from(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    return [
        {
            "kind": form.cleaned_data["kind"],
            "description": form.cleaned_data["description"],
            "amount": form.cleaned_data["amount"],
        }
        for form in formset.forms
        if form.cleaned_data.get("description") and form.cleaned_data.get("amount") is not None
    ]


class AttachmentForm(PortalForm):
    attachment_type = forms.ModelChoiceField(
        label=_("Attachment"),
        queryset=AttachmentType.objects.none(),
        required=False,
        empty_label=_("Other attachment"),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("%(types)s, at most %(size)d MB.")
        % {"types": ALLOWED_DESCRIPTION, "size": MAX_UPLOAD_BYTES // (1024 * 1024)},
    )

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["attachment_type"]
        ).queryset = call.attachment_types.all()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload


class DraftAttachmentsForm(PortalForm):
    """The attachments section of the application's form: a file input for each attachment the
    call asks for, and one for any other. `upload` names the one whose button was pressed
    (a slot's key); only that file is read and checked."""

    mark_optional = False

    def __init__(self, *args: Any, slots: list[AttachmentSlot], upload: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.slots = {slot.key: slot for slot in slots}
        self.upload = upload
        for slot in slots:
            label = (
                _("Choose a file for “%(attachment)s”") % {"attachment": slot.attachment_type.name}
                if slot.attachment_type
                else _("Choose a file for another attachment")
            )
            self.fields[f"file_{slot.key}"] = forms.FileField(label=label, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.upload not in self.slots:
            raise forms.ValidationError(_("Choose which attachment to upload."))
        name = f"file_{self.upload}"
        upload = data.get(name)
        if not upload:
            self.add_error(name, _("Choose the file to upload first."))
        else:
            try:
                check_upload(upload)
            except forms.ValidationError as error:
                self.add_error(name, error)
        return data

    def slot_fields(self) -> list[tuple[AttachmentSlot, forms.BoundField]]:
        """Each attachment with its file input, in the order of the call."""
        return [(slot, self[f"file_{key}"]) for key, slot in self.slots.items()]

    def chosen(self) -> tuple[AttachmentType | None, Any]:
        """The attachment type and the file to store (after `is_valid`)."""
        return self.slots[self.upload].attachment_type, self.cleaned_data[f"file_{self.upload}"]


def upload_help() -> str:
    """What files the attachments may be, in the reader's language."""
    return gettext("%(types)s, at most %(size)d MB.") % {
        "types": ALLOWED_DESCRIPTION,
        "size": MAX_UPLOAD_BYTES // (1024 * 1024),
    }


class CompletionRequestForm(PortalForm):
    message = forms.CharField(
        label=_("What should the association complete?"), widget=forms.Textarea(attrs={"rows": 3})
    )
    due = forms.DateField(label=_("Complete by"), widget=forms.DateInput(attrs={"type": "date"}))


class AssessmentForm(PortalForm):
    """The case officer's assessment: a score (0–5, or none yet) and a comment per criterion of
    the programme. Nothing is scored beforehand: an unscored criterion stays empty, and the page
    and the proposal name what is still missing. Field names `c<criterion id>-score` and
    `c<criterion id>-comment`."""

    mark_optional = False

    def __init__(self, *args: Any, assessment: Assessment, **kwargs: Any) -> None:
        self.assessment = assessment
        initial: dict[str, Any] = {}
        for row in assessment.rows:
            initial[f"c{row.criterion.pk}-score"] = "" if row.score is None else row.score
            initial[f"c{row.criterion.pk}-comment"] = row.comment
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for row in assessment.rows:
            name = row.criterion.name
            self.fields[f"c{row.criterion.pk}-score"] = forms.TypedChoiceField(
                label=_("Score for %(criterion)s") % {"criterion": name},
                coerce=int,
                empty_value=None,
                required=False,
                choices=[("", _("Not scored"))] + [(n, str(n)) for n in range(MAX_SCORE + 1)],
            )
            self.fields[f"c{row.criterion.pk}-comment"] = forms.CharField(
                label=_("Comment on %(criterion)s") % {"criterion": name},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[CriterionScore, forms.BoundField, forms.BoundField]]:
        """Each criterion with its score and comment fields, in the programme's order."""
        return [
            (row, self[f"c{row.criterion.pk}-score"], self[f"c{row.criterion.pk}-comment"])
            for row in self.assessment.rows
        ]

    def scores(self) -> list[tuple[Criterion, int | None, str]]:
        return [
            (
                row.criterion,
                self.cleaned_data.get(f"c{row.criterion.pk}-score"),
                self.cleaned_data.get(f"c{row.criterion.pk}-comment") or "",
            )
            for row in self.assessment.rows
        ]


class ProposalForm(PortalForm):
    outcome = forms.ChoiceField(
        label=_("Proposal"),
        widget=forms.RadioSelect,
        choices=ProposalOutcome.choices,
    )
    amount = SekField(label=_("Amount if approved in part (SEK)"), required=False)
    motivation = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 4}))
    conditions = forms.CharField(
        label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    economic_activity = forms.TypedChoiceField(
        label=_("Does the grant support economic activity?"),
        widget=forms.RadioSelect,
        choices=[
            ("yes", _("Yes: economic activity, so the grant is de minimis aid")),
            ("no", _("No: not economic activity, so the grant is not state aid")),
        ],
        coerce=lambda value: value == "yes",
        empty_value=None,
        help_text=_(
            "Economic activity is offering goods or services on a market, e.g. selling tickets, "
            "running a café or letting premises in competition with companies. Ordinary support "
            "to amateur, non-economic activity is usually not state aid."
        ),
        error_messages={
            "required": _(
                "Say whether the grant supports economic activity (de minimis aid) or not."
            )
        },
    )
    economic_activity_reasons = forms.CharField(
        label=_("Reasons for the assessment of economic activity"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reasons for the assessment of economic activity.")},
    )
    seen_version = SeenVersionField()

    def __init__(self, *args: Any, de_minimis: bool = False, **kwargs: Any) -> None:
        """`de_minimis`: the programme is classed as de minimis aid, and the case officer
        assesses whether the grant supports economic activity; in any other programme the
        form has no such question."""
        super().__init__(*args, **kwargs)
        if not de_minimis:
            del self.fields["economic_activity"]
            del self.fields["economic_activity_reasons"]

    def assessment(self) -> dict[str, Any]:
        """The assessment as the services take it (nothing in a programme that has none)."""
        return {
            "economic_activity": self.cleaned_data.get("economic_activity"),
            "economic_activity_reasons": self.cleaned_data.get("economic_activity_reasons") or "",
        }


class DecisionForm(PortalForm):
    """The decision maker's choice. Nothing is chosen beforehand; "another amount" needs the
    amount and the reason (the service checks the same, and more). The amount and the reason
    are needed for some choices, so no field is labelled optional."""

    mark_optional = False

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=DecisionChoice.choices,
        error_messages={"required": _("Choose how you decide.")},
    )
    amount = SekField(
        label=_("Amount if changed (SEK)"),
        required=False,
        help_text=_("Needed when you decide another amount than proposed."),
    )
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=5000,
        help_text=_("Needed when you decide another amount than proposed, or reject a proposal."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    seen_version = SeenVersionField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == DecisionChoice.CHANGE:
            if data.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", _("Give the amount you decide on."))
            if not (data.get("change_reason") or "").strip():
                self.add_error(
                    "change_reason", _("Give the reason for changing the proposed amount.")
                )
        return data


class AssignForm(PortalForm):
    assignee = forms.ModelChoiceField(
        label=_("Case officer"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(
        self,
        *args: Any,
        colleagues: Any = None,
        choices: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        """`colleagues` (a queryset) to check a choice sent in; `choices` ((id, name), from
        what is kept) to offer them on the case page without reading them again."""
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["assignee"])
        if colleagues is not None:
            field.queryset = colleagues
        if choices is not None:
            field.choices = [("", field.empty_label), *choices]


class InboxFilterForm(PortalForm):
    mark_optional = False

    q = forms.CharField(
        label=_("Organisation, organisation number or registration number"),
        required=False,
        help_text=_(
            "Part of a name, an organisation number (with or without the dash) or a "
            "registration number, e.g. KFN 2026/12. A registration number opens its case at once, "
            "a whole organisation number the organisation with its applications."
        ),
        # after the case it opened, Back shows the list as it was: not with the number in the
        # field as if the list were its result
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    call = forms.TypedChoiceField(label=_("Call"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))]
        + [(value, label) for value, label in ApplicationStatus.choices if value != "draft"],
    )
    assigned = forms.ChoiceField(label=_("Case officer"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("submitted", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("deadline", _("Call deadline")),
        ],
    )

    def __init__(
        self,
        *args: Any,
        calls: list[tuple[int, str]],
        officers: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["call"]).choices = [("", _("All")), *calls]
        cast(forms.ChoiceField, self.fields["assigned"]).choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Nobody")),
        ] + [(str(pk), name) for pk, name in officers]


class PaymentForm(PortalForm):
    amount = SekField(label=_("Amount (SEK)"))
    paid_on = forms.DateField(
        label=_("Payment date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("Reference"), max_length=100)
    seen_version = SeenVersionField()


class RecoveryForm(PortalForm):
    amount = SekField(label=_("Amount to pay back (SEK)"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(
        label=_("To be paid back by"), widget=forms.DateInput(attrs={"type": "date"})
    )


class RecoveryPaidForm(PortalForm):
    paid_on = forms.DateField(
        label=_("Paid back on"), widget=forms.DateInput(attrs={"type": "date"})
    )


GENDER_LABELS = {
    "women": _("Women and girls"),
    "men": _("Men and boys"),
    "other": _("Other or not stated"),
}


class ReportForm(PortalForm):
    """The follow-up report: what was done, outcomes, and the financial statement."""

    mark_optional = False

    narrative = forms.CharField(
        label=_("What was done, compared with what was planned?"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    activities = forms.IntegerField(label=_("Number of activities"), required=False, min_value=0)
    other_income = SekField(label=_("Income from others (SEK)"), required=False)

    def __init__(self, *args: Any, report: Any, cost_lines: list[Any], **kwargs: Any) -> None:
        from grants.models import AGE_BANDS, GENDERS

        self.cost_lines = cost_lines
        initial: dict[str, Any] = {
            "narrative": report.narrative,
            "activities": report.activities,
            "other_income": amount_for_input(report.other_income),
        }
        for band in AGE_BANDS:
            for gender in GENDERS:
                initial[f"p_{band}_{gender}"] = report.participants.get(band, {}).get(gender)
        for line in cost_lines:
            value = report.actual_costs.get(str(line.pk))
            initial[f"cost_{line.pk}"] = (
                amount_for_input(Decimal(value)) if value not in (None, "") else ""
            )
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.participant_rows = []
        for band in AGE_BANDS:
            row = []
            for gender in GENDERS:
                name = f"p_{band}_{gender}"
                self.fields[name] = forms.IntegerField(
                    label=_("%(gender)s, %(band)s years")
                    % {"gender": GENDER_LABELS[gender], "band": band},
                    required=False,
                    min_value=0,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )
                row.append(name)
            self.participant_rows.append((band, row))
        for line in cost_lines:
            self.fields[f"cost_{line.pk}"] = SekField(label=line.description, required=False)

    def participants(self) -> dict[str, dict[str, int]]:
        from grants.models import AGE_BANDS, GENDERS

        return {
            band: {gender: self.cleaned_data.get(f"p_{band}_{gender}") or 0 for gender in GENDERS}
            for band in AGE_BANDS
        }

    def actual_costs(self) -> dict[str, Decimal | None]:
        return {str(line.pk): self.cleaned_data.get(f"cost_{line.pk}") for line in self.cost_lines}

    def participant_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(band, [self[name] for name in names]) for band, names in self.participant_rows]

    def cost_fields(self) -> list[tuple[Any, forms.BoundField]]:
        return [(line, self[f"cost_{line.pk}"]) for line in self.cost_lines]


class ReportReviewForm(PortalForm):
    """The case officer's review of a follow-up report: the button pressed (approve or request
    revision) and a comment, required to request revision (the report machine says so)."""

    mark_optional = False

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("revise", _("Request revision"))],
        widget=forms.HiddenInput,  # the two buttons carry it
    )
    seen_version = SeenVersionField()
    comment = forms.CharField(
        label=_("Comment to the association (required to request revision)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "decision" in self.errors:  # no button, or one the page does not have
            del self.errors["decision"]
            self.add_error(
                None, _("Choose “Approve the report” or “Request revision”. Nothing was changed.")
            )
        return data


class ReportAttachmentForm(PortalForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("%(types)s, at most %(size)d MB.")
        % {"types": ALLOWED_DESCRIPTION, "size": MAX_UPLOAD_BYTES // (1024 * 1024)},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload


class OfficerListForm(PortalForm):
    mark_optional = False

    call = forms.TypedChoiceField(label=_("Call"), required=False, coerce=int, empty_value=None)
    public_body = forms.TypedChoiceField(
        label=_("Public body"), required=False, coerce=int, empty_value=None
    )
    state = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(
        self,
        *args: Any,
        calls: list[tuple[int, str]],
        bodies: list[tuple[int, str]],
        states: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["call"]).choices = [("", _("All")), *calls]
        cast(forms.ChoiceField, self.fields["public_body"]).choices = [("", _("All")), *bodies]
        cast(forms.ChoiceField, self.fields["state"]).choices = [("", _("All")), *states]
