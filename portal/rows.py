"""A long list's rows read as values (`QuerySet.values()`), not as model instances with their
related ones: a small frozen dataclass per list (`grants.selectors.CaseRow`,
`agreements.selectors.RegisterRow`), built here from the values read. A row carries its model's
`_meta`, so `status_badge` and `choice_label` read the labels as they would for an instance."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

R = TypeVar("R")


def from_values(
    row: type[R], values: dict[str, Any], *, lookups: dict[str, str] | None = None, **given: Any
) -> R:
    """A `row` (a dataclass) from the values read: each field from the value of its own name,
    or of its lookup in `lookups` (`{"organisation_name": "organisation__name"}`); the fields in
    `given` as given (what was read apart from the row, or is made of several values)."""
    lookups = lookups or {}
    return row(
        **{
            field.name: values[lookups.get(field.name, field.name)]
            for field in dataclasses.fields(row)  # type: ignore[arg-type]
            if field.name not in given
        },
        **given,
    )
