from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insights.selectors import Choices
from portal.forms import PortalForm


class FilterForm(PortalForm):
    """Which view of the statistics: a municipality or region (when there are several), a year
    and a public body or programme."""

    mark_optional = False
    kommun = forms.TypedChoiceField(label=_("Municipality or region"), coerce=int, required=False)
    ar = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    del_ = forms.ChoiceField(label=_("Public body or programme"), required=False)

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "del" is a keyword of Python, not of a query string
        self.fields["del"] = self.fields.pop("del_")
        if len(choices.roots) > 1:
            cast(forms.ChoiceField, self.fields["kommun"]).choices = choices.roots
        else:
            del self.fields["kommun"]
        cast(forms.ChoiceField, self.fields["ar"]).choices = [
            ("", _("Every year")),
            *((year, str(year)) for year in reversed(choices.years)),
        ]
        self.fields["ar"].error_messages["invalid_choice"] = _("Choose a year from the list.")
        if not choices.scopes:  # the public page: the whole municipality
            del self.fields["del"]
            return
        cast(forms.ChoiceField, self.fields["del"]).choices = [
            ("all", _("All public bodies and programmes")),
            *(
                (value, f"– {label}" if is_programme else label)
                for value, label, is_programme in choices.scopes
            ),
        ]
        self.fields["del"].error_messages["invalid_choice"] = _(
            "Choose a public body or programme from the list."
        )


class ReportForm(PortalForm):
    """Which yearly report to prepare for the committee."""

    PREFIX = "rapport"  # beside the filters' fields on one page
    mark_optional = False
    kommun = forms.TypedChoiceField(label=_("Municipality or region"), coerce=int)
    ar = forms.TypedChoiceField(label=_("Year of the report"), coerce=int)

    def __init__(
        self,
        *args: Any,
        roots: list[tuple[int, str]],
        years: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kommun"]).choices = roots
        if len(roots) == 1:
            self.fields["kommun"].widget = forms.HiddenInput()
        now = timezone.localdate().year
        offered = years if years is not None else list(range(2000, now + 1))
        cast(forms.ChoiceField, self.fields["ar"]).choices = [
            (year, str(year)) for year in reversed(offered)
        ]
        self.fields["ar"].error_messages["invalid_choice"] = _("Choose a year from the list.")
        self.fields["kommun"].error_messages["invalid_choice"] = _(
            "Choose a municipality or region from the list."
        )
