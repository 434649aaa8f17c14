from __future__ import annotations

from django import forms, template

from portal import registry

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
