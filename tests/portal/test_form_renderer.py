"""A <select> is written in Python, to the very markup Django's templates give it."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from portal.form_renderer import PortalFormRenderer


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Välj"), ("a", "A & B"), ("<b>", '"citat"')])
    number = forms.TypedChoiceField(choices=[(1, "Ett"), (2, "Två")], coerce=int)
    grouped = forms.ChoiceField(
        choices=[("Nämnder", [("kfn", "Kultur"), ("sn", "Social")]), ("x", "Utan grupp")]
    )
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B"), ("c", "C")])
    optional = forms.ChoiceField(choices=[("", "Alla"), ("y", "Y")], required=False)
    disabled = forms.ChoiceField(choices=[("a", "A")], disabled=True)
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "<b>", "number": "2", "grouped": "sn", "many": ["a", "c"], "radio": "b"},
        {"plain": "finns inte", "number": "x"},
    ],
    ids=["unbound", "chosen", "invalid"],
)
def test_every_select_renders_as_djangos_templates_render_it(data: dict | None) -> None:
    for name in Everything.base_fields:
        ours = Everything(data, renderer=PortalFormRenderer())
        django = Everything(data, renderer=DjangoTemplates())
        ours.is_bound and ours.is_valid()
        django.is_bound and django.is_valid()
        extra = {"aria-describedby": "x_helptext", "aria-invalid": True, "data-x": None}
        assert ours[name].as_widget(attrs=extra) == django[name].as_widget(attrs=extra), name


def test_the_portal_uses_it(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.FORM_RENDERER == "portal.form_renderer.PortalFormRenderer"
