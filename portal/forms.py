from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal import services
from portal.models import User


class IdsField(forms.ModelMultipleChoiceField):
    """Several rows chosen by id (check boxes). An id that cannot be a row (not digits, or more
    than a bigint holds) is an invalid choice with a message, never an overflow in the database
    driver, the same rule as `<id:…>` in URLs."""

    def _check_values(self, value: Any) -> Any:
        for pk in value if isinstance(value, (list, tuple, set, frozenset)) else []:
            text = str(pk)
            if not (text.isdigit() and len(text) <= 18):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)  # type: ignore[misc]


class NameField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Name"))
        kwargs.setdefault("max_length", 150)
        kwargs.setdefault("help_text", _("Shown to the people you work with in the portal."))
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "name"}))
        super().__init__(**kwargs)


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    name = NameField()

    field_order = ["name", "email", "password1", "password2"]

    def signup(self, request: HttpRequest, user: User) -> None:
        # allauth has saved the new user when it calls this.
        services.user_update_profile(actor=user, user=user, name=self.cleaned_data["name"])


class ProfileForm(forms.Form):
    name = NameField()


class NotificationSettingsForm(forms.Form):
    delivery = forms.ChoiceField(
        label=_("Messages about your applications and agreements"),
        choices=[],  # set in __init__, with the digest hour
        widget=forms.RadioSelect,
        help_text=_(
            "Receipts, decisions and agreements to sign. Deadline reminders and requests to "
            "complete or revise are always sent at once."
        ),
        error_messages={"required": _("Choose how you want your messages.")},
    )

    def __init__(self, *args: Any, digest_hour: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["delivery"]).choices = [
            ("immediate", _("Email each one at once")),
            (
                "digest",
                _("Collect them in one email a day, at %(hour)02d:00") % {"hour": digest_hour},
            ),
        ]
