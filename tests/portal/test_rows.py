"""A list's rows read as values (`portal.rows`), and the region a table scrolls in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from portal.rows import from_values


@dataclass(frozen=True)
class Row:
    pk: int
    title: str
    body_name: str
    label: str


def test_a_row_takes_each_field_from_its_value_its_lookup_or_as_given() -> None:
    values = {"pk": 7, "title": "Kvällsöppet", "body__name": "Fritidsnämnden", "extra": 1}
    row = from_values(Row, values, lookups={"body_name": "body__name"}, label="Aktiv")
    assert row == Row(pk=7, title="Kvällsöppet", body_name="Fritidsnämnden", label="Aktiv")


def test_a_value_the_row_needs_but_was_not_read_is_an_error_not_a_blank() -> None:
    with pytest.raises(KeyError):
        from_values(Row, {"pk": 7, "title": "x"}, label="y")


def test_a_table_is_wrapped_in_its_scrolling_region_and_a_plain_text_is_escaped() -> None:
    """`tablewrap` (the tag in Django's templates, the filter in Jinja2's) puts a template's own
    table in the region keyboard users can scroll; text given to it by mistake stays text."""
    from django.template import Context, Template

    from portal import jinja
    from portal.templatetags.table_scroll import wrap_table

    table = '<table class="table"><caption>Budget</caption><tr><td>1</td></tr></table>'
    django = Template(
        "{% load table_scroll %}{% tablewrap %}" + table + "{% endtablewrap %}"
    ).render(Context())
    assert 'class="table-scroll" role="region"' in django and "<caption id=" in django
    drawn = (
        jinja.environment()
        .from_string('{% filter tablewrap("budget-heading") %}' + table + "{% endfilter %}")
        .render()
    )
    assert 'aria-labelledby="budget-heading"' in drawn and "<td>1</td>" in drawn
    typed = str(wrap_table('<script>alert("x")</script>', "budget-heading"))
    assert "<script>" not in typed and "&lt;script&gt;" in typed
