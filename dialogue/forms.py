from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogue.models import Audience, CommitmentStatus, ForumKind, Owner, Secrecy
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
    text = forms.CharField(
        label=_("Your comment"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self,
        *args: Any,
        organisations: list[tuple[int, str]],
        with_eid: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if with_eid:  # signed with e-legitimation instead of a code (portal.eid.signing)
            del self.fields["code"]
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

    def __init__(
        self,
        *args: Any,
        organisations: list[tuple[int, str]],
        with_eid: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if with_eid:  # signed with e-legitimation instead of a code (portal.eid.signing)
            del self.fields["code"]
        field = cast(forms.ChoiceField, self.fields["organisation"])
        field.choices = organisations
        if len(organisations) == 1:  # the one organisation, named by the page around the form
            field.widget = forms.HiddenInput()
            self.initial.setdefault("organisation", organisations[0][0])


class WithdrawForm(PortalForm):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    reason = forms.CharField(
        label=_("Why is the organisation withdrawing?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        organisations: list[tuple[int, str]],
        with_eid: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if with_eid:  # signed with e-legitimation instead of a code (portal.eid.signing)
            del self.fields["code"]
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
        label=_("Responsible"),
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
    deputy = forms.TypedChoiceField(label=_("Deputy"), coerce=int, required=False, empty_value=None)

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
        help_text=_(
            "An address and room. It is shown on the forum's public page and in its calendar: "
            "send a link to a video meeting to the members in another way."
        ),
    )
    seen_state = forms.CharField(widget=forms.HiddenInput, required=False)


class ItemForm(PortalForm):
    title = forms.CharField(label=_("Heading of the item"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5_000,
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
        label=_("Reason for cancelling, sent to the members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- consultations ----------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented way): cleaned to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class ConsultationForm(PortalForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    public_body = forms.TypedChoiceField(label=_("Responsible public body"), coerce=int)
    question = forms.CharField(
        label=_("What the municipality asks"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "The question, or what the draft in the documents is about and what you want to know."
        ),
    )
    audience = forms.ChoiceField(
        label=_("Who is asked"), choices=Audience.choices, widget=forms.RadioSelect
    )
    target_groups = forms.TypedMultipleChoiceField(
        label=_("Target groups (when organisations working with chosen target groups are asked)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    forum = forms.TypedChoiceField(
        label=_("Forum or council (when its members are asked)"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    deadline = forms.DateField(label=_("Last day for responses"), widget=DATE)

    def __init__(
        self,
        *args: Any,
        bodies: list[tuple[int, str]],
        groups: list[tuple[int, str]],
        forums: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["public_body"]).choices = bodies
        cast(forms.ChoiceField, self.fields["target_groups"]).choices = groups
        cast(forms.ChoiceField, self.fields["forum"]).choices = [("", ""), *forums]


class DocumentForm(PortalForm):
    file = forms.FileField(label=_("Document"))


class ResponseForm(PortalForm):
    organisation = forms.TypedChoiceField(label=_("For the organisation"), coerce=int)
    text = forms.CharField(
        label=_("The organisation's response"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    sensitive_note = forms.CharField(
        label=_("Is anything in the response sensitive?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The responses are public documents after the last day. Say here what you consider "
            "sensitive and why: the municipality assesses its secrecy before anything of the "
            "response is made public."
        ),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    # the confirmation before sending, in the form itself: a page that asks again could not
    # send the attachments with it
    confirm = forms.BooleanField(
        label=_(
            "I have read the response through. It is registered when it arrives, can no longer "
            "be changed, and is a public document after the last day."
        ),
        error_messages={
            "required": _("Confirm that the response is ready to be sent."),
        },
    )

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["organisation"])
        field.choices = organisations
        if len(organisations) == 1:
            field.widget = forms.HiddenInput()
            self.initial.setdefault("organisation", organisations[0][0])


class AssessForm(PortalForm):
    secrecy = forms.ChoiceField(
        label=_("Outcome of the assessment"),
        choices=[
            (Secrecy.PUBLIC, Secrecy.PUBLIC.label),
            (Secrecy.PARTLY, Secrecy.PARTLY.label),
            (Secrecy.SECRET, Secrecy.SECRET.label),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reasons (the provision of the Public Access to Information and Secrecy Act)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    public_text = forms.CharField(
        label=_("The text made public (when partly secret)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class FeedbackForm(PortalForm):
    feedback = forms.CharField(
        label=_("What was heard and done with this response"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OutcomeForm(PortalForm):
    outcome = forms.CharField(
        label=_("What happened next"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What the municipality heard, what it decided and what it did with the responses. "
            "Every organisation that responded is told."
        ),
    )
    seen_state = forms.CharField(widget=forms.HiddenInput, required=False)
