"""A query the busiest pages make on every request, built and compiled to SQL once per worker.

Building a queryset and compiling it to SQL is Python work the ORM does again on every request:
on an officer's organisation page, 0.3–0.6 ms for each of its queries, a third of the page,
for SQL that is the same every time but for an id. A `Prepared` query is built once, with a
`slot(name)` where each value of the request goes, and compiled once per database connection
alias and shape; each request then sends that SQL with its values and the rows come back as the
ORM makes them (models, `select_related`, annotations, `values()`), by Django's own iterables.

    ORGANISATION = Prepared(Organisation, lambda: Organisation.objects.filter(pk=slot("pk")))
    organisation = ORGANISATION.first(pk=12)

Rules, so what is kept is the same SQL the queryset would make each time:
- everything a request gives goes through a slot, converted as its field converts it; a build
  function reads nothing else that changes (no clock, no user, no settings), only its `shape`
  arguments, which key what is kept: a few values of the code, such as the ids of an officer's
  committees (`portal.sql.constant`), never what a person typed;
- a slot stands for a value compared as it is (`=`, `<`, …); a pattern (`icontains`, which the
  ORM compiles otherwise for an expression than for a value) stays an ordinary query;
- the result is a list, not a queryset to filter further.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Expression,
    F,
    Field,
    IntegerField,
    Model,
    QuerySet,
)
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)
R = TypeVar("R")  # a row: the model, or a tuple or dict of values()

# shapes kept per prepared query (an officer's set of committees is one shape): the oldest
# unused goes first
SHAPES = 256


class _Marker:
    """Where a slot's value goes in the compiled parameters."""

    __slots__ = ("slot",)

    def __init__(self, slot: Slot) -> None:
        self.slot = slot


class Slot(Expression):
    """A value the request gives (`Prepared.all(name=value)`), sent as a parameter."""

    def __init__(self, name: str, output_field: Field[Any, Any] | None = None) -> None:
        super().__init__(output_field=output_field or BigIntegerField())
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"

    def as_sql(self, compiler: SQLCompiler, connection: Any) -> tuple[str, tuple[Any, ...]]:
        return "%s", (_Marker(self),)

    def get_group_by_cols(self) -> list[Any]:
        return []


def slot(name: str, output_field: Field[Any, Any] | None = None) -> Slot:
    """The request's value `name` (a whole number unless `output_field` says otherwise)."""
    return Slot(name, output_field)


class IdsSlot(Slot):
    """The whole numbers the request gives (`Prepared.all(name=[…])`), sent as one parameter
    whatever their number (`one_of_slot`)."""


class InSlot(Expression):
    """`column` is one of the request's whole numbers `name`: `= ANY(%s)` with an array in
    PostgreSQL, `IN (SELECT value FROM json_each(%s))` with a JSON list in SQLite. The SQL is
    the same for any number of ids, so a page's rows of another table (its parties, its target
    groups) are compiled once, where `column__in=ids` writes one placeholder an id."""

    conditional = True

    def __init__(self, column: str, name: str) -> None:
        super().__init__(output_field=BooleanField())
        self.column: Any = F(column)  # the column itself once resolved
        self.slot = IdsSlot(name)

    def __repr__(self) -> str:
        return f"InSlot({self.column!r}, {self.slot.name!r})"

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: SQLCompiler, connection: Any) -> tuple[str, tuple[Any, ...]]:
        raise NotImplementedError(
            f"one_of_slot is written for PostgreSQL and SQLite, not {connection.vendor}"
        )

    def as_postgresql(self, compiler: SQLCompiler, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.column)
        return f"{column} = ANY(%s::bigint[])", (*params, _Marker(self.slot))

    def as_sqlite(self, compiler: SQLCompiler, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.column)
        # the column as the ORM compiles it; the ids are a parameter
        sql = f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, (*params, _Marker(self.slot))


def one_of_slot(column: str, name: str) -> InSlot:
    """A condition for `filter()`: `column` is one of the whole numbers the request gives as
    `name` (a list; none of them: no rows, without a query)."""
    return InSlot(column, name)


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet[Any] = field(repr=False)  # its repr would run it, without values
    compiler: SQLCompiler = field(repr=False)
    sql: str  # "" when no row can match whatever the values (`one_of` of no ids)
    params: tuple[Any, ...]
    names: frozenset[str]


class Prepared(Generic[M, R]):
    """A query of `model` built by `build(*shape)` once, compiled once per database and shape."""

    def __init__(self, model: type[M], build: Callable[..., QuerySet[M, R]]) -> None:
        self.model = model
        self.build = build
        self._kept: OrderedDict[Hashable, _Compiled] = OrderedDict()
        self._lock = threading.Lock()

    def all(self, *shape: Hashable, **values: Any) -> list[R]:
        """The rows, with `values` in the slots."""
        queryset = self._queryset(shape, values)
        return [] if queryset is None else list(queryset)

    def first(self, *shape: Hashable, **values: Any) -> R | None:
        """The first row, or None (the build function orders and limits the query)."""
        queryset = self._queryset(shape, values)
        return None if queryset is None else next(iter(queryset), None)

    def queryset(self, *shape: Hashable, **values: Any) -> QuerySet[M, R]:
        """An unevaluated queryset that runs the kept SQL with `values`: evaluate it (iterate,
        `list()`); filtering or slicing it further is refused."""
        queryset = self._queryset(shape, values)
        if queryset is None:
            return _running(self.compiled(*shape).queryset.none())
        return queryset

    def _queryset(
        self, shape: tuple[Hashable, ...], values: dict[str, Any]
    ) -> QuerySet[M, R] | None:
        """The queryset of `queryset`, or None when no row can match: the shape's (`one_of`
        of no ids) or these values' (no ids, an id beyond what the database holds), which
        `all` and `first` answer without compiling `none()` each time."""
        compiled = self.compiled(*shape)
        if not compiled.sql:
            return None
        missing = compiled.names ^ values.keys()
        if missing:
            raise TypeError(f"values of the slots expected, not these: {sorted(missing)}")
        alias = compiled.queryset.db
        connection = connections[alias]
        try:
            params = tuple(
                _converted(param.slot, values[param.slot.name], connection)
                if isinstance(param, _Marker)
                else param
                for param in compiled.params
            )
        except _NoRows:
            return None
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connection
        sql = compiled.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, params)  # type: ignore[method-assign]
        return _running(compiled.queryset, compiler)

    def compiled(self, *shape: Hashable) -> _Compiled:
        """The SQL of `shape` on the database the query is read from, compiled at its first use."""
        key = (router.db_for_read(self.model), shape)
        with self._lock:
            compiled = self._kept.get(key)
            if compiled is not None:
                self._kept.move_to_end(key)
                return compiled
        queryset = self.build(*shape)
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # as the ORM answers it: no rows, without asking the database
            sql, params = "", []
        compiled = _Compiled(
            queryset=queryset,
            compiler=compiler,
            sql=sql,
            params=tuple(params),
            names=frozenset(p.slot.name for p in params if isinstance(p, _Marker)),
        )
        with self._lock:
            self._kept[key] = compiled
            while len(self._kept) > SHAPES:
                self._kept.popitem(last=False)
        return compiled


def rows_and_sql(queryset: QuerySet[M, R]) -> tuple[list[R], str, tuple[Any, ...]]:
    """The rows of `queryset`, and the SQL and parameters it was compiled to: compiled once
    for both, where reading the SQL of a queryset (`.query.sql_with_params()`) and then its
    rows compiles it twice. The SQL is "" when no row can match (no query is made)."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return [], "", ()
    kept = tuple(params)
    compiler.as_sql = lambda *args, **kwargs: (sql, kept)
    return list(_running(queryset, compiler)), sql, kept


def owned(rows: list[R], name: str, owner: Model) -> list[R]:
    """`rows` read by their owner's key, each given `owner` as its `name` (as the owner's
    related manager gives it), so that reading it costs no query."""
    for row in rows:
        setattr(row, name, owner)
    return rows


def _running(kept: QuerySet[M, R], compiler: SQLCompiler | None = None) -> QuerySet[M, R]:
    """A copy of the kept queryset (never evaluated itself) around its query, answering with
    `compiler` (the query's own when None): not copy.copy, which evaluates a queryset, nor
    _chain(), which clones the query."""
    queryset: QuerySet[M, R] = QuerySet.__new__(type(kept))
    queryset.__dict__.update(kept.__dict__)
    compiler = compiler or kept.query.get_compiler(using=kept.db)
    # not through the `query` setter, which makes a values_list() a values() again
    queryset._query = _Run(kept.query, compiler)  # type: ignore[attr-defined]
    return queryset


class _NoRows(Exception):
    """A value no row can have."""


def _converted(slot: Slot, value: Any, connection: Any) -> Any:
    """`value` as the slot's field sends it to this database. A whole number beyond what the
    database holds (an id typed into an address) matches nothing, as Django's own lookups
    treat it, rather than failing in the database."""
    if isinstance(slot, IdsSlot):
        return _ids(value, connection)
    field = slot.output_field
    converted = field.get_db_prep_value(value, connection, prepared=False)
    if isinstance(field, IntegerField) and converted is not None:
        low, high = connection.ops.integer_field_range("BigIntegerField")
        if not low <= converted <= high:
            raise _NoRows
    return converted


def _ids(values: Any, connection: Any) -> Any:
    """The ids as the database takes them in one parameter: whole numbers only (a text or a
    float is an error of the code, not a request's), those beyond what it holds left out."""
    if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
        raise TypeError(f"a list of whole numbers, not {values!r}")
    low, high = connection.ops.integer_field_range("BigIntegerField")
    ids = []
    for value in values:
        if type(value) is not int:
            raise TypeError(f"a whole number, not {value!r}")
        if low <= value <= high:
            ids.append(value)
    if not ids:
        raise _NoRows
    if connection.vendor == "sqlite":
        return json.dumps(ids)
    return ids


class _Run:
    """A kept query's stand-in in a queryset: gives the kept compiler, and the query's plain
    attributes the iterables read (the names of `values()`); any method of the query (to
    filter, slice, count or compile it again) is refused, as the SQL is already written."""

    def __init__(self, query: Any, compiler: SQLCompiler) -> None:
        self._query = query
        self._compiler = compiler

    def get_compiler(self, using: str | None = None, connection: Any = None, **kwargs: Any) -> Any:
        return self._compiler

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._query, name)
        if callable(value):
            raise TypeError(f"a prepared query is run as it is, not changed ({name})")
        return value
