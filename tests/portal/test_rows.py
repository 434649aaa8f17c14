"""A list's rows read as values (`portal.rows`)."""

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
