from __future__ import annotations

from decimal import Decimal

from django import forms, template

from portal.money import format_sek

register = template.Library()


@register.filter
def get_field(form: forms.Form, name: str) -> forms.BoundField:
    return form[name]


@register.filter
def sek(amount: Decimal | int | None) -> str:
    """An amount in kronor, Swedish style (`portal.money.format_sek`)."""
    return format_sek(amount)
