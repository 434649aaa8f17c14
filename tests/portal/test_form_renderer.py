"""A <select> and the simple <input>s are written in Python, to the very markup Django's
templates give them."""

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
    text = forms.CharField(required=False, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    amount = forms.IntegerField(
        required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    email = forms.EmailField(required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    phone = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "tel"}))
    web = forms.URLField(required=False, assume_scheme="https")
    moment = forms.DateTimeField(required=False)
    at = forms.TimeField(required=False)
    text_area = forms.CharField(required=False, widget=forms.Textarea)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "<b>", "number": "2", "grouped": "sn", "many": ["a", "c"], "radio": "b"},
        {"plain": "finns inte", "number": "x"},
        {
            "text": "\"><script>alert(1)</script> & 'x'",
            "amount": "12",
            "due": "2026-11-29",
            "email": "a@b.se",
            "hidden": "<dold>",
            "secret": "hemligt",
            "phone": "070-123 45 67",
            "web": "https://exempel.se/?a=1&b=2",
            "moment": "2026-11-29 10:00",
            "at": "10:00",
            "text_area": "rad 1\nrad <2>",
        },
    ],
    ids=["unbound", "chosen", "invalid", "typed"],
)
def test_every_select_and_input_renders_as_djangos_templates_render_it(data: dict | None) -> None:
    for name in Everything.base_fields:
        ours = Everything(data, renderer=PortalFormRenderer())
        django = Everything(data, renderer=DjangoTemplates())
        ours.is_bound and ours.is_valid()
        django.is_bound and django.is_valid()
        from django.utils.safestring import mark_safe

        extra = {
            "aria-describedby": "x_helptext",
            "aria-invalid": True,
            "data-x": None,
            "data-safe": mark_safe("<i>"),  # kept as it is, as the templates keep it
        }
        assert ours[name].as_widget(attrs=extra) == django[name].as_widget(attrs=extra), name
        assert str(ours[name]) == str(django[name]), name


def test_the_portal_uses_it(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.FORM_RENDERER == "portal.form_renderer.PortalFormRenderer"


def test_a_form_with_only_inputs_and_selects_renders_no_widget_template() -> None:
    from unittest import mock

    class Filter(forms.Form):
        q = forms.CharField(required=False)
        day = forms.DateField(required=False)
        status = forms.ChoiceField(choices=[("", "Alla"), ("a", "A")], required=False)

    renderer = PortalFormRenderer()
    with mock.patch.object(DjangoTemplates, "render", side_effect=AssertionError) as templates:
        for field in Filter({"q": "x"}, renderer=renderer):
            field.as_widget()
    assert templates.call_count == 0
