from __future__ import annotations

from decimal import Decimal

from django import forms, template

from portal import registry
from portal.money import format_sek

register = template.Library()


@register.filter
def get_field(form: forms.Form, name: str) -> forms.BoundField:
    return form[name]


@register.filter
def action_label(action: str) -> str:
    """How the history reads an audit action, as the app that records it registered it."""
    return registry.action_label(action)


@register.filter
def state_label(state: str, machine: str = "") -> str:
    """The label of a state or role in a machine ("organisation", "application", "agreement"…)."""
    return registry.state_label(state, machine)


@register.filter
def sek(amount: Decimal | int | None) -> str:
    """An amount in kronor, Swedish style (`portal.money.format_sek`)."""
    return format_sek(amount)
