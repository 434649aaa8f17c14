"""A value written into a query's SQL as a literal instead of sent beside it as a parameter.

The portal's connections to PostgreSQL prepare a statement once it has run five times
(settings: server-side binding), and PostgreSQL then plans it once and reuses the plan for
every value, a generic plan, unless a plan made for the values at hand (a custom plan, made
anew on every execution) looks cheaper. A generic plan cannot use a partial index whose
condition names a value the statement receives as a parameter: "the sent-in applications"
(`WHERE NOT status = 'draft'`) is an index only when 'draft' is in the SQL itself. So every
officer's list was planned again on every page, 0.5–1.5 ms each, for the same plan.

`constant(value)` is for the fixed values of the code (a status of its choices, a kind) and the
ids the code itself read (the officer's public bodies), never for what a person typed: only a
whole number, or a short word of letters, digits, `_` and `-`, is accepted, and a word is
quoted. A statement without parameters is planned once per connection and its plan kept; each
set of such values makes a statement of its own (an officer's lists: one per set of committees
and status), prepared once per connection.

    .exclude(status=constant(ApplicationStatus.DRAFT))
    .filter(one_of("public_body_id", body_ids))     # `__in` takes no expressions on a key"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import BooleanField, CharField, Expression, F, IntegerField
from django.db.models.lookups import In
from django.db.models.sql.compiler import SQLCompiler

WORD = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Constant(Expression):
    """`value` as an SQL literal: 'draft', 12, TRUE."""

    def __init__(self, value: str | int | bool) -> None:
        # exactly these types (`constant` turns a choice's member into one): a subclass could
        # write itself otherwise
        if type(value) is bool:
            output: Any = BooleanField()
        elif type(value) is int:
            output = IntegerField()
        elif type(value) is str and WORD.fullmatch(value):
            output = CharField()
        else:
            raise ValueError(f"not a constant of the code: {value!r}")
        super().__init__(output_field=output)
        self.value = value

    def __repr__(self) -> str:
        return f"Constant({self.value!r})"

    def as_sql(self, compiler: SQLCompiler, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        if isinstance(self.value, bool):
            return ("TRUE" if self.value else "FALSE"), ()
        if isinstance(self.value, int):
            return str(int(self.value)), ()
        return f"'{self.value}'", ()

    def get_group_by_cols(self) -> list[Any]:
        return []


def constant(value: str | int | bool) -> Constant:
    """`value` written into the SQL (see the module's text); a choice's member as its value."""
    if isinstance(value, bool):
        return Constant(bool(value))
    if isinstance(value, int):
        return Constant(int(value))
    return Constant(str(value) if isinstance(value, str) else value)


def one_of(field: str, values: Iterable[str | int]) -> In:
    """`field IN (…)` with every value written into the SQL; none: no rows."""
    return In(F(field), [constant(value) for value in values])


def choice(value: str, choices: Iterable[str]) -> str | Constant:
    """A filter's value: written into the SQL when it is one of `choices` (a status the form
    offers), else left as it is, to travel as a parameter like anything a person typed."""
    return constant(value) if value in set(choices) else value
