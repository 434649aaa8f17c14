from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet
from django.forms.utils import pretty_name
from django.http import HttpRequest
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import services
from portal.models import User
from portal.money import SekField


def _default(field: forms.Field, code: str) -> bool:
    """Whether the field still has Django's own wording for `code` (a form's own message is
    kept as its author wrote it)."""
    message = field.error_messages.get(code)
    if message is None:
        return False
    for klass in type(field).__mro__:
        defaults = getattr(klass, "default_error_messages", {})
        if code in defaults:
            return str(defaults[code]) == str(message)
    return False


def _named_messages(field: forms.Field, label: str) -> dict[str, str]:
    """Messages that say which field is wrong: "Fyll i ”Rubrik”." rather than "Detta fält måste
    fyllas i.", so that a message read alone (in the error summary, by a screen reader) still
    makes sense."""
    messages: dict[str, str] = {}
    widget = field.widget
    if _default(field, "required"):
        if isinstance(field, forms.FileField):
            required = gettext("Choose a file for “%(label)s”.")
        elif isinstance(widget, forms.CheckboxInput):
            required = gettext("Tick “%(label)s” to go on.")
        elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            required = gettext("Choose an option for “%(label)s”.")
        else:
            required = gettext("Fill in “%(label)s”.")
        messages["required"] = required % {"label": label}
    invalid: str | None = None
    if isinstance(field, forms.DateTimeField):
        invalid = gettext("“%(label)s” must be a date and time, for example 2026-11-29 09:30.")
    elif isinstance(field, forms.DateField):
        invalid = gettext("“%(label)s” must be a date, for example 2026-11-29.")
    elif isinstance(field, SekField):  # before its base classes
        invalid = gettext("“%(label)s” must be an amount in kronor, for example 12 500.")
    elif isinstance(field, forms.DecimalField | forms.FloatField):  # before their base class
        invalid = gettext("“%(label)s” must be a number, for example 12 or 12,5.")
    elif isinstance(field, forms.IntegerField):
        invalid = gettext("“%(label)s” must be a whole number.")
    elif isinstance(field, forms.EmailField):
        invalid = gettext("“%(label)s” must be an email address, like namn@exempel.se.")
    if invalid and _default(field, "invalid"):
        messages["invalid"] = invalid % {"label": label}
    # The limits' validators bring their own generic wording ("Kontrollera att detta värde är
    # …"); a field's message for the same code replaces it, and Django fills in the limit. The
    # label's "%" must survive that second formatting.
    escaped = label.replace("%", "%%")
    limits = {
        "min_value": gettext("“%(label)s” cannot be less than %%(limit_value)s."),
        "max_value": gettext("“%(label)s” cannot be more than %%(limit_value)s."),
        "max_length": gettext(
            "“%(label)s” can have at most %%(limit_value)d characters (it has %%(show_value)d)."
        ),
    }
    for code, message in limits.items():
        if code not in field.error_messages:
            messages[code] = message % {"label": escaped}
    return messages


BLANK_CHOICE = "---------"


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """A list's choices (colleagues to assign, kinds of attachment) read with one plain query.
    Django reads them through `QuerySet.iterator()`, on PostgreSQL a server-side cursor: three
    round trips and a cursor for a list of ten, a fifth of an application page."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class NamedErrorsMixin:
    """Every portal form: Django's generic messages replaced by ones that name the field. A
    message the form's author wrote is left alone. A list's empty choice reads "Välj …", not
    "---------", and a list of rows is read with one plain query (`ListedChoiceIterator`)."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.iterator = ListedChoiceIterator
                if field.empty_label == BLANK_CHOICE:
                    field.empty_label = gettext("Choose…")
                field.widget.choices = field.choices
            elif isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.ModelChoiceField
            ):
                # A field's choices are a list once the field is built (Django normalises them).
                choices = list(cast(list[tuple[Any, Any]], field.choices))
                if choices and choices[0] == ("", BLANK_CHOICE):
                    field.choices = [("", gettext("Choose…")), *choices[1:]]

    def full_clean(self) -> None:
        # At cleaning time, so that fields a form adds in its __init__ are named too.
        for name, field in self.fields.items():
            label = str(field.label) if field.label else pretty_name(name)
            named = _named_messages(field, label)
            if named:
                field.error_messages = {**field.error_messages, **named}
        super().full_clean()  # type: ignore[misc]


class PortalForm(NamedErrorsMixin, forms.Form):
    """The base of every plain form in the portal."""


class PortalModelForm(NamedErrorsMixin, forms.ModelForm):
    """The base of every model form in the portal."""


def summary_errors(*forms_: Any) -> list[tuple[str, str]]:
    """The errors of some forms and formsets as (field id, message), in the order the fields
    stand on the page (a form's `fieldsets`, else its field order): what the error summary
    lists and links. A message that does not name its field gets the label in front."""
    errors: list[tuple[str, str]] = []
    for form in forms_:
        if form is None or not getattr(form, "is_bound", False):
            continue
        if isinstance(form, BaseFormSet):
            first = form.forms[0] if form.forms else None
            anchor = _first_field_id(first) if first is not None else ""
            errors += [(anchor, str(error)) for error in form.non_form_errors()]
            for number, row in enumerate(form.forms, start=1):
                for field_id, message in summary_errors(row):
                    errors.append(
                        (
                            field_id,
                            gettext("Row %(number)s: %(message)s")
                            % {
                                "number": number,
                                "message": message,
                            },
                        )
                    )
            continue
        if not form.errors:
            continue
        anchor = _first_field_id(form)
        errors += [(anchor, str(error)) for error in form.non_field_errors()]
        errors += [("", str(error)) for field in form.hidden_fields() for error in field.errors]
        for field in _ordered_fields(form):
            for error in field.errors:
                message = str(error)
                label = str(field.label or "")
                if label and label.lower() not in message.lower():
                    message = f"{label}: {message}"
                errors.append((field.id_for_label or field.auto_id or "", message))
    return errors


def _ordered_fields(form: forms.BaseForm) -> list[forms.BoundField]:
    visible = {field.name: field for field in form.visible_fields()}
    fieldsets = getattr(form, "fieldsets", None)
    if not fieldsets:
        return list(visible.values())
    ordered = [
        visible.pop(name) for _legend, names in fieldsets for name in names if name in visible
    ]
    return ordered + list(visible.values())


def _first_field_id(form: forms.BaseForm) -> str:
    fields = _ordered_fields(form)
    return (fields[0].id_for_label or "") if fields else ""


def form_has_errors(value: Any) -> bool:
    """Whether a context value is a bound form or formset with errors (the page title then
    begins with "Fel:"). A value not yet read (the frame's lazy roles and menus) is no form and
    is left unread: `isinstance` would read it."""
    if isinstance(value, LazyObject) and value._wrapped is empty:
        return False
    if isinstance(value, BaseFormSet):
        return value.is_bound and not value.is_valid()
    if isinstance(value, forms.BaseForm):
        return value.is_bound and bool(value.errors)
    return False


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


class SignupForm(PortalForm):
    """Extra fields on allauth's sign-up form."""

    name = NameField()

    field_order = ["name", "email", "password1", "password2"]

    def signup(self, request: HttpRequest, user: User) -> None:
        # allauth has saved the new user when it calls this.
        services.user_update_profile(actor=user, user=user, name=self.cleaned_data["name"])


class ProfileForm(PortalForm):
    name = NameField()


class DiariumForm(PortalForm):
    """Which public body's diarium, and which year (`portal.views.diarium`)."""

    organ = forms.ChoiceField(label=_("Public body"))
    ar = forms.ChoiceField(label=_("Year"))

    def __init__(self, *args: Any, bodies: list[Any], years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["organ"])
        field.choices = [(body.pk, str(body)) for body in bodies]
        field = cast(forms.ChoiceField, self.fields["ar"])
        field.choices = [(year, str(year)) for year in years]


class LegalHoldForm(PortalForm):
    """Stop the disposal of a registered document (`portal.retention.legal_hold_set`)."""

    number = forms.CharField(
        label=_("Registration number"),
        max_length=40,
        help_text=_("As in the diarium, e.g. KFN 2026/12."),
        error_messages={"required": _("Give the document's registration number.")},
    )
    reason = forms.CharField(
        label=_("Why it must be kept"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("For example a request for the document, an appeal or an audit."),
        error_messages={"required": _("Write why the document must be kept.")},
    )


class LiftHoldForm(PortalForm):
    reason = forms.CharField(
        label=_("Why the hold is lifted"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Write why the hold is lifted.")},
    )


class EraseAccountForm(PortalForm):
    """Erasing one's account: the password again, typed here (not a login of a while ago), and
    a box ticked. An account without a password (e-legitimation only) ticks the box."""

    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
        error_messages={"required": _("Type your password.")},
    )
    understood = forms.BooleanField(
        label=_("I want my account erased"),
        help_text=_("It cannot be undone: the account cannot be restored."),
        error_messages={
            "required": _("Tick the box to confirm that you want your account erased.")
        },
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("The password is not right. Type the one you log in with."))
        return password


class NotificationSettingsForm(PortalForm):
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
