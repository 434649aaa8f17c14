from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    SCREENING_CRITERIA,
    SECTIONS,
    Agreement,
    ContributionKind,
    StateAidRoute,
)
from agreements.services import check_term
from portal.forms import PortalForm, PortalModelForm
from portal.money import SekField
from portal.versions import SeenVersionField


class InitiativeForm(PortalModelForm):
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    on_behalf_of = forms.CharField(
        label=_("Or, as a case officer, on behalf of the organisation with organisation number"),
        required=False,
    )
    public_body = forms.ChoiceField(label=_("To which public body?"))

    class Meta:
        model = Agreement
        fields = [
            "title",
            "challenge",
            "idea",
            "target_group",
            "association_brings",
            "asks_of_public_side",
            "proposed_start",
            "proposed_end",
        ]
        widgets = {
            "challenge": forms.Textarea(attrs={"rows": 4}),
            "idea": forms.Textarea(attrs={"rows": 4}),
            "target_group": forms.Textarea(attrs={"rows": 2}),
            "association_brings": forms.Textarea(attrs={"rows": 3}),
            "asks_of_public_side": forms.Textarea(attrs={"rows": 3}),
            "proposed_start": forms.DateInput(attrs={"type": "date"}),
            "proposed_end": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"proposed_start": _("Proposed start"), "proposed_end": _("Proposed end")}

    def __init__(
        self,
        *args: Any,
        organisations: list[tuple[int, str]],
        bodies: list[tuple[int, str]],
        officer: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = [("", "–"), *organisations]
        cast(forms.ChoiceField, self.fields["public_body"]).choices = bodies
        if not officer:
            del self.fields["on_behalf_of"]
        self.order_fields(["organisation", "on_behalf_of", "public_body"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("organisation") and not data.get("on_behalf_of"):
            self.add_error("organisation", _("Choose the organisation that takes the initiative."))
        try:
            check_term(start=data.get("proposed_start"), end=data.get("proposed_end"))
        except ValidationError as error:
            self.add_error(None, error)
        return data


class SectionForm(PortalForm):
    """One section of the agreement in the full-width editor. `seen_revision` is the section's
    last saved text as the editor opened it (0: none), so a colleague's save is not overwritten."""

    mark_optional = False  # an empty section is a draft, not an optional answer

    text = forms.CharField(
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 18, "class": "section-editor"}),
    )
    seen_revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, title: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("Text of the section “%(section)s”") % {"section": title}
        self.fields["text"].help_text = _(
            "Write in plain paragraphs; an empty line starts a new paragraph."
        )


class CommentForm(PortalForm):
    section = forms.ChoiceField(choices=SECTIONS, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Comment"), max_length=5_000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, section_title: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if section_title:  # labelled, and its errors named, by the section it comments on
            self.fields["text"].label = _("Comment on the section “%(title)s”") % {
                "title": section_title
            }


class SignatoryForm(PortalForm):
    """Who signs for a public body: chosen by its officer among the people who may (not a
    declaration of one's own)."""

    signatory = forms.TypedChoiceField(coerce=int, label=_("Signatory"))

    def __init__(
        self, *args: Any, party: str, people: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["signatory"])
        field.label = _("Signatory for %(party)s") % {"party": party}
        field.choices = [("", "–"), *people]


class ContributionForm(PortalForm):
    party = forms.TypedChoiceField(label=_("Party"), coerce=int)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Contribution"), choices=ContributionKind.choices)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    value = SekField(label=_("Value (SEK)"))

    def __init__(self, *args: Any, parties: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["party"]).choices = parties


class ScreeningForm(PortalForm):
    is_iop = forms.ChoiceField(
        label=_("Outcome"),
        widget=forms.RadioSelect,
        choices=[("yes", _("An IOP: go on to co-creation")), ("no", _("Not an IOP"))],
    )
    comment = forms.CharField(
        label=_("Comment to the association"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in SCREENING_CRITERIA:
            self.fields[f"ok_{key}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"comment_{key}"] = forms.CharField(
                label=_("Comment: %(criterion)s") % {"criterion": label},
                required=False,
                max_length=2000,
            )

    def answers(self) -> dict[str, dict[str, Any]]:
        return {
            key: {
                "ok": self.cleaned_data[f"ok_{key}"],
                "comment": self.cleaned_data[f"comment_{key}"],
            }
            for key, _label in SCREENING_CRITERIA
        }


class LegalReviewForm(PortalForm):
    procurement = forms.CharField(
        label=_("Why this is not a purchase under LOU"), widget=forms.Textarea(attrs={"rows": 4})
    )
    # nothing chosen beforehand: the reviewer picks the route themselves
    route = forms.ChoiceField(
        label=_("State-aid route"), choices=StateAidRoute.choices, widget=forms.RadioSelect
    )
    amount = SekField(label=_("Amount of aid (SEK)"), required=False)


class DecisionForm(PortalForm):
    decided_on = forms.DateField(
        label=_("Date of the decision"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("Protocol reference (§)"), max_length=100)


class EndForm(PortalForm):
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    terminate = forms.BooleanField(label=_("Terminated early"), required=False)
    reason = forms.CharField(
        label=_("Reason (required when terminated early)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FollowUpPlanForm(PortalForm):
    due = forms.DateField(label=_("Planned date"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("What is reported"), max_length=500)


class FollowUpRecordForm(PortalForm):
    text = forms.CharField(
        label=_("What happened, measured against the goals"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PartyForm(PortalForm):
    public_body = forms.TypedChoiceField(
        label=_("Public body"), coerce=int, empty_value=None, required=False
    )
    organisation_number = forms.CharField(
        label=_("or an organisation's organisation number"), required=False
    )

    def __init__(self, *args: Any, bodies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["public_body"]).choices = [("", "–"), *bodies]


class SignForm(PortalForm):
    """Signing for a party: a fresh code from the signer's authenticator app and the version of
    the text the signer saw. The service checks both at the moment of signing."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )
    seen_version = SeenVersionField()


class SigningRoundForm(PortalForm):
    """The case officer restarts the signing round, or takes the agreement back to change the
    text; the service asks for the reason when it is empty."""

    mark_optional = False  # the reason is needed, as the service says

    action = forms.ChoiceField(
        label=_("What to do"),
        widget=forms.RadioSelect,
        choices=[
            ("restart", _("Restart the signing: every party signs the same text again")),
            ("withdraw", _("Stop the signing to change the text")),
        ],
        initial="restart",
    )
    reason = forms.CharField(
        label=_("Reason (told to every party)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
