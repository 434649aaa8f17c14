"""The officer's lists and the public lists write the code's own values (the officer's
committees, a status of the choices, a call of their bodies) into their SQL, so that PostgreSQL
plans each once per connection and keeps the plan, on the partial indexes made for them
(`portal.sql`); what a person typed always travels as a parameter."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse

from agreements.selectors import agreements_for_officer, public_register
from grants import selectors
from grants.models import Application, ApplicationStatus
from organisations.selectors import directory, officer_queue
from portal.sql import Constant, constant, one_of
from tests.grants.conftest import Grants, submitted
from tests.helpers.clients import logged_in

pytestmark = pytest.mark.django_db


def params_of(queryset: QuerySet[Any, Any]) -> tuple[Any, ...]:
    return tuple(queryset.query.sql_with_params()[1])


@pytest.mark.parametrize("value", ["draft", "in_review", "KFN-2", 12, True])
def test_a_constant_of_the_code_is_written_into_the_sql(value: object) -> None:
    queryset = Application.objects.filter(status=constant(value)).values("pk")  # type: ignore[arg-type]
    assert params_of(queryset) == ()


@pytest.mark.parametrize(
    "value", ["x' OR '1'='1", "två ord", "", "a" * 65, "draft\n", 1.5, None, b"draft"]
)
def test_nothing_but_a_word_or_a_whole_number_is_taken(value: object) -> None:
    with pytest.raises(ValueError):
        constant(value)  # type: ignore[arg-type]


def test_a_subclass_is_written_as_its_plain_value() -> None:
    """A choice's member is written as its value; a subclass of its own never reaches the SQL
    as itself (it could write itself otherwise)."""

    class Odd(str):
        def __str__(self) -> str:
            return "x' OR '1'='1"

    assert constant(ApplicationStatus.DRAFT).value == "draft"
    assert type(constant(ApplicationStatus.DRAFT).value) is str
    with pytest.raises(ValueError):
        Constant(Odd("draft"))


def test_one_of_none_lists_nothing(grants: Grants) -> None:
    submitted(grants)
    assert list(Application.objects.filter(one_of("public_body_id", []))) == []
    assert Application.objects.filter(one_of("public_body_id", [grants.body.pk])).exists()


def test_the_officers_lists_carry_no_parameter(grants: Grants) -> None:
    officer, decider = grants.officer, grants.decision_maker
    call = submitted(grants).call_id
    lists = {
        "inbox": selectors.inbox(user=officer),
        "inbox, a status by deadline": selectors.inbox(
            user=officer, status="in_review", sort="deadline"
        ),
        "inbox, one call": selectors.inbox(user=officer, call=call),
        "decisions": selectors.proposals_for_decision(user=decider),
        "organisation queue": officer_queue(user=officer, status="pending"),
        "IOP list": agreements_for_officer(user=officer),
        "directory": directory(),
        "IOP register": public_register(),
    }
    for name, queryset in lists.items():
        assert params_of(queryset) == (), name


def test_what_an_officer_types_stays_a_parameter(grants: Grants) -> None:
    typed = "O'Brien idrott"
    assert f"%{typed}%" in params_of(selectors.inbox(user=grants.officer, q=typed))
    # a status that is none of the choices is not written in either (the form offers none)
    odd = "in_review' OR 'a'='a"
    assert odd in params_of(selectors.inbox(user=grants.officer, status=odd))
    assert odd in params_of(officer_queue(user=grants.officer, status=odd))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_inbox_is_planned_once_per_connection(grants: Grants) -> None:
    """The connection prepares a statement after five runs; without parameters PostgreSQL then
    keeps one plan for it, instead of planning the list again on every page."""
    submitted(grants)
    client = logged_in(grants.officer)
    for _ in range(8):
        assert client.get(reverse("grants:inbox"), {"sort": "deadline"}).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s AND statement LIKE %s",
            ['SELECT "grants_application"."id" AS "pk"%', '%"grants_call"."closes_at" ASC%'],
        )
        plans = cursor.fetchall()
    assert plans, "the inbox was not prepared"
    assert all(custom == 0 and generic >= 1 for generic, custom in plans), plans


def test_the_name_search_is_a_filter_on_the_organisation_the_inbox_joins(grants: Grants) -> None:
    """The name is matched on the organisation the inbox joins for its name column, not on a
    second copy of the table in a subquery (twice the planning, on every text typed)."""
    submitted(grants)
    queryset = selectors.inbox(user=grants.officer, q="solstr")
    sql = str(queryset.query)
    assert 'FROM "organisations_organisation"' not in sql  # no subquery of its own
    assert sql.count('JOIN "organisations_organisation"') == 1
