from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogue.models import CommitmentStatus, ForumKind, Owner
from portal.forms import PortalForm
from portal.transitions import SEEN_STATE
from portal.versions import SeenVersionField

DATE = forms.DateInput(attrs={"type": "date"})


class CompactForm(PortalForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    public_body = forms.TypedChoiceField(label=_("Responsible public body"), coerce=int)
    summary = forms.CharField(
        label=_("In short"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the compact is for, in a few sentences; shown above its text."),
    )

    def __init__(self, *args: Any, bodies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["public_body"]).choices = bodies


class SectionForm(PortalForm):
    title = forms.CharField(label=_("Heading"), max_length=200)
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 14})
    )
    seen_state = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[SEEN_STATE] = self.fields.pop("seen_state")


class NewSectionForm(PortalForm):
    title = forms.CharField(label=_("Heading of the new section"), max_length=200)


class OpenForm(PortalForm):
    closes = forms.DateField(label=_("Last day for comments"), widget=DATE)

    def clean_closes(self) -> date:
        # said before the person is asked to confirm (the service refuses it too)
        closes: date = self.cleaned_data["closes"]
        if closes <= timezone.localdate():
            raise forms.ValidationError(_("Choose a last day for comments after today."))
        return closes


class AdoptForm(PortalForm):
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DATE)
    adopted_by = forms.CharField(
        label=_("Adopted by"), max_length=200, help_text=_("For example Kommunfullmäktige.")
    )
    paragraph = forms.CharField(
        label=_("Paragraph of the minutes"), max_length=100, help_text=_("For example § 45.")
    )

    def clean_adopted_on(self) -> date:
        adopted_on: date = self.cleaned_data["adopted_on"]
        if adopted_on > timezone.localdate():
            raise forms.ValidationError(_("The date of adoption cannot be in the future."))
        return adopted_on


class CommentForm(PortalForm):
    organisation = forms.TypedChoiceField(label=_("For the organisation"), coerce=int)
    section = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["organisation"])
        field.choices = organisations
        if len(organisations) == 1:  # the one organisation, named by the page around the form
            field.widget = forms.HiddenInput()
            self.initial.setdefault("organisation", organisations[0][0])


class SignOnForm(PortalForm):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "code"}
        ),
    )
    seen_version = SeenVersionField()

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["organisation"])
        field.choices = organisations
        if len(organisations) == 1:  # the one organisation, named by the page around the form
            field.widget = forms.HiddenInput()
            self.initial.setdefault("organisation", organisations[0][0])


class WithdrawForm(PortalForm):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    reason = forms.CharField(
        label=_("Why is the organisation withdrawing? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["organisation"])
        field.choices = organisations
        if len(organisations) == 1:  # the one organisation, named by the page around the form
            field.widget = forms.HiddenInput()
            self.initial.setdefault("organisation", organisations[0][0])


class PlanForm(PortalForm):
    title = forms.CharField(label=_("Title of the action plan"), max_length=200)
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("To"), widget=DATE)


class CommitmentForm(PortalForm):
    plan = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("Commitment"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(label=_("Who commits"), choices=Owner.choices)
    responsible = forms.CharField(
        label=_("Responsible (optional)"),
        max_length=200,
        required=False,
        help_text=_("A committee, an administration or a group of organisations."),
    )


class FollowUpForm(PortalForm):
    """The year's follow-up of an action plan: a status, what shows it and a comment for every
    commitment (fields named by the commitment's id)."""

    summary = forms.CharField(
        label=_("Summary of the year"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, commitments: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commitments = commitments
        for commitment in commitments:
            number = commitment.position
            self.fields[f"status_{commitment.pk}"] = forms.ChoiceField(
                label=_("Status of commitment %(number)d") % {"number": number},
                choices=[("", ""), *CommitmentStatus.choices],
            )
            self.fields[f"evidence_{commitment.pk}"] = forms.CharField(
                label=_("What shows it (commitment %(number)d)") % {"number": number},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"comment_{commitment.pk}"] = forms.CharField(
                label=_("Comment (commitment %(number)d)") % {"number": number},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[Any, list[Any]]]:
        """Each commitment with its three fields, for the template."""
        return [
            (c, [self[f"status_{c.pk}"], self[f"evidence_{c.pk}"], self[f"comment_{c.pk}"]])
            for c in self.commitments
        ]


# --- forums and councils ----------------------------------------------------------------------

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ForumForm(PortalForm):
    title = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ForumKind.choices)
    public_body = forms.TypedChoiceField(label=_("Responsible public body"), coerce=int)
    description = forms.CharField(
        label=_("What the forum is for"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notice_days = forms.IntegerField(
        label=_("Notice, days before a meeting"), min_value=1, max_value=60, initial=7
    )
    proposal_days = forms.IntegerField(
        label=_("Last day for proposed items, days before a meeting"),
        min_value=1,
        max_value=90,
        initial=14,
    )

    def __init__(self, *args: Any, bodies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["public_body"]).choices = bodies


class InviteForm(PortalForm):
    organisation_number = forms.CharField(
        label=_("Organisation number of the organisation to invite"), max_length=20
    )


class AppointForm(PortalForm):
    representative = forms.TypedChoiceField(label=_("Representative"), coerce=int)
    deputy = forms.TypedChoiceField(
        label=_("Deputy (optional)"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["representative"]).choices = [("", ""), *people]
        cast(forms.ChoiceField, self.fields["deputy"]).choices = [("", ""), *people]


class MeetingForm(PortalForm):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    place = forms.CharField(
        label=_("Place"),
        max_length=300,
        help_text=_("An address and room, or a link to the video meeting."),
    )
    seen_state = forms.CharField(widget=forms.HiddenInput, required=False)


class ItemForm(PortalForm):
    title = forms.CharField(label=_("Item"), max_length=200)
    description = forms.CharField(
        label=_("What it is about (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProposeForm(ItemForm):
    organisation = forms.TypedChoiceField(label=_("For the organisation"), coerce=int)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["organisation"])
        field.choices = organisations
        if len(organisations) == 1:
            field.widget = forms.HiddenInput()
            self.initial.setdefault("organisation", organisations[0][0])


class DeclineItemForm(PortalForm):
    reason = forms.CharField(
        label=_("Why is the item not taken up?"), widget=forms.Textarea(attrs={"rows": 2})
    )


class MinutesForm(PortalForm):
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 16}))
    seen_state = forms.CharField(widget=forms.HiddenInput, required=False)


class ApproveMinutesForm(PortalForm):
    approved_by = forms.CharField(
        label=_("Approved by"),
        max_length=300,
        help_text=_("The chair and the person who checked the minutes (justerare)."),
    )
    approved_on = forms.DateField(label=_("Approved on"), widget=DATE)
    seen_state = forms.CharField(widget=forms.HiddenInput, required=False)


class CancelForm(PortalForm):
    reason = forms.CharField(
        label=_("Why is the meeting cancelled? (sent to the members)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
