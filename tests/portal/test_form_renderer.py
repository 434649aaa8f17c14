"""A <select> and the simple <input>s are written in Python, to the very markup Django's
templates give them."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

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


# --- a field with its label, help text and errors ---------------------------------------------

# components/field.html and components/label.html as they were before the field was written in
# Python (portal.form_renderer.render_field): the markup it must keep.
FIELD_TEMPLATE = '{% load i18n %}<div class="field{% if field.errors %} field-error{% endif %}{% if field.widget_type == \'checkbox\' %} field-checkbox{% endif %}">\n  {% if field.widget_type == \'checkbox\' %}\n    {{ field }} {% include "components/label.html" %}\n    {% if field.help_text %}<div class="help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</div>{% endif %}\n    {% if field.errors %}<div class="errors" id="{{ field.auto_id }}_error">{% for error in field.errors %}<p><span class="visually-hidden">{% translate "Error:" %} </span>{{ error }}</p>{% endfor %}</div>{% endif %}\n  {% elif field.widget_type == \'checkboxselectmultiple\' or field.widget_type == \'radioselect\' %}\n    <fieldset class="choices"{% if field.help_text %} aria-describedby="{{ field.auto_id }}_helptext"{% endif %}>\n      <legend>{{ field.label }}{% if not field.field.required and field.form.mark_optional is not False and not field.name in field.form.conditionally_required %} <span class="optional">({% translate "optional" %})</span>{% endif %}</legend>\n      {% if field.help_text %}<div class="help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</div>{% endif %}\n      {% if field.errors %}<div class="errors" id="{{ field.auto_id }}_error">{% for error in field.errors %}<p><span class="visually-hidden">{% translate "Error:" %} </span>{{ error }}</p>{% endfor %}</div>{% endif %}\n      {{ field }}\n    </fieldset>\n  {% else %}\n    {% include "components/label.html" %}\n    {% if field.help_text %}<div class="help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</div>{% endif %}\n    {% if field.errors %}<div class="errors" id="{{ field.auto_id }}_error">{% for error in field.errors %}<p><span class="visually-hidden">{% translate "Error:" %} </span>{{ error }}</p>{% endfor %}</div>{% endif %}\n    {{ field }}\n  {% endif %}\n</div>\n'
LABEL_TEMPLATE = '{% load i18n %}<label for="{{ field.id_for_label }}">{{ field.label }}{% if not field.field.required and field.form.mark_optional is not False and field.widget_type != \'checkbox\' and not field.name in field.form.conditionally_required %} <span class="optional">({% translate "optional" %})</span>{% endif %}</label>\n'


class Fields(forms.Form):
    name = forms.CharField(label="Namn <b>", help_text="Som i <registret> & så")
    note = forms.CharField(label="Anteckning", required=False)
    amount = forms.IntegerField(label="Belopp", required=False, help_text=mark_safe("<i>kr</i>"))
    agree = forms.BooleanField(label="Jag godkänner", help_text="Läs först.")
    maybe = forms.BooleanField(label="Kanske", required=False)
    kind = forms.ChoiceField(
        label="Slag", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, help_text="Ett"
    )
    kinds = forms.MultipleChoiceField(
        label="Slag, flera",
        choices=[("a", "A"), ("b", "B")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    pick = forms.ChoiceField(label="Välj", choices=[("", "–"), ("x", "X")], required=False)
    text = forms.CharField(label="Text", widget=forms.Textarea, required=False)
    number = forms.CharField(label="Organisationsnummer", required=False)

    conditionally_required = frozenset({"number"})

    def clean_note(self) -> str:
        note: str = self.cleaned_data["note"]
        if "<" in note:
            raise forms.ValidationError("Skriv inte <taggar> & sådant.")
        return note


class Unmarked(Fields):
    mark_optional = False


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("form_class", [Fields, Unmarked])
@pytest.mark.parametrize(
    "data", [None, {}, {"note": "<x>", "kind": "z", "amount": "tio", "name": '"><script>'}]
)
def test_every_field_renders_as_the_field_template_rendered_it(
    language: str, form_class: type[forms.Form], data: dict[str, str] | None
) -> None:
    from django.template import Context, Engine
    from django.utils import translation

    from portal.form_renderer import render_field, render_label

    engine = Engine(
        loaders=[
            (
                "django.template.loaders.locmem.Loader",
                {"components/field.html": FIELD_TEMPLATE, "components/label.html": LABEL_TEMPLATE},
            )
        ],
        libraries={"i18n": "django.templatetags.i18n"},
    )
    with translation.override(language):
        form = form_class(data)
        form.is_bound and form.is_valid()
        for field in form.visible_fields():
            context = Context({"field": field}, autoescape=True)
            expected = engine.get_template("components/field.html").render(context)
            assert render_field(field) == expected, field.name
            label = engine.get_template("components/label.html").render(context)
            assert render_label(field) == label, field.name
