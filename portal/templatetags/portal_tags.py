from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def get_field(form: forms.Form, name: str) -> forms.BoundField:
    return form[name]
