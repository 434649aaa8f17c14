"""The portal's accessibility fixes of Django's admin templates (templates/admin/): each field
of a tabular inline row is labelled by its column and its row, as a screen reader user needs
it (the column heading alone is not a label; axe: `label`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def row_name(inline_admin_form: Any, number: int) -> str:
    """What a row of an inline is: its object, or "new row 3"."""
    original = getattr(inline_admin_form, "original", None)
    if original is not None:
        return str(original)
    return _("new row %(number)s") % {"number": number}


@register.filter
def labelled(field: BoundField, row: str) -> SafeString:
    """The field's input with "<label> (<row>)" as its accessible name."""
    if field.is_hidden:
        return SafeString(str(field))
    label = field.label or field.name
    return field.as_widget(attrs={"aria-label": f"{label} ({row})"})
