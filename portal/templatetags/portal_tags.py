from __future__ import annotations

from decimal import Decimal

from django import forms, template
from django.contrib.contenttypes.models import ContentType
from django.db import models

from portal import registry, transitions
from portal.models import AuditEvent
from portal.money import format_sek

register = template.Library()


@register.filter
def get_field(form: forms.Form, name: str) -> forms.BoundField:
    return form[name]


@register.filter
def state_token(obj: models.Model) -> str:
    """The `seen_state` a status form carries: the record as this page shows it."""
    return transitions.state_token(obj)


@register.filter
def action_label(action: str) -> str:
    """How the history reads an audit action, as the app that records it registered it."""
    return registry.action_label(action)


@register.filter
def state_label(state: str, model: str = "") -> str:
    """The label of a state or role of a model ("grants.application", …)."""
    return registry.state_label(state, model)


@register.filter
def event_state(event: AuditEvent, which: str) -> str:
    """The label of the status an audit event left ("from") or reached ("to"), read with the
    labels of the model the event is about, or of the audit action when an app records another
    machine's moves on it: a follow-up report's "approved" is not an application's."""
    state = event.from_state if which == "from" else event.to_state
    if state in registry.states_of(event.action):
        return registry.state_label(state, event.action)  # another machine's move on the model
    content_type = ContentType.objects.get_for_id(event.content_type_id)  # cached
    return registry.state_label(state, f"{content_type.app_label}.{content_type.model}")


@register.filter
def sek(amount: Decimal | int | None) -> str:
    """An amount in kronor, Swedish style (`portal.money.format_sek`)."""
    return format_sek(amount)
