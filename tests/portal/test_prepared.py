"""A query the busiest pages repeat is built and compiled once per worker (`portal.prepared`):
each request sends the kept SQL with its own values and gets what the queryset itself would
give, models, related rows, annotations and value tuples, never another request's values."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, OuterRef
from django.db.models.sql.compiler import SQLCompiler

from organisations.models import JoinRequest, Organisation, OrganisationMembership
from portal import prepared
from portal.models import AuditEvent
from portal.prepared import Prepared, slot
from portal.selectors import HISTORY_SHOWN, recent_history
from portal.services import audit_record
from portal.sql import one_of
from tests.helpers.queries import count_queries, sql_of
from tests.organisations.factories import (
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    TargetGroupFactory,
)

pytestmark = pytest.mark.django_db


def members_query() -> Prepared[OrganisationMembership, OrganisationMembership]:
    return Prepared(
        OrganisationMembership,
        lambda: (
            OrganisationMembership.objects.filter(organisation_id=slot("organisation"))
            .select_related("user", "organisation")
            .order_by("user__name")
        ),
    )


def test_each_request_gets_the_rows_of_its_own_values() -> None:
    first, second = OrganisationFactory(), OrganisationFactory()
    for name in ("Berit", "Adam"):
        OrganisationMembershipFactory(organisation=first, user__name=name)
    OrganisationMembershipFactory(organisation=second, user__name="Cecilia")
    members = members_query()

    assert [m.user.name for m in members.all(organisation=first.pk)] == ["Adam", "Berit"]
    assert [m.user.name for m in members.all(organisation=second.pk)] == ["Cecilia"]
    assert members.all(organisation=second.pk + first.pk + 1000) == []


def test_models_come_with_their_related_rows_and_annotations_as_the_queryset_gives_them() -> None:
    organisation = OrganisationFactory()
    member = OrganisationMembershipFactory(organisation=organisation, user__name="Adam")
    JoinRequestFactory(organisation=organisation)
    waiting = Prepared(
        Organisation,
        lambda: Organisation.objects.filter(pk=slot("pk")).annotate(
            waiting=Exists(JoinRequest.objects.filter(organisation=OuterRef("pk"))),
            people=Count("memberships"),
        ),
    )
    found = waiting.first(pk=organisation.pk)
    assert found == organisation
    assert (found.waiting, found.people) == (True, 1)  # type: ignore[union-attr]

    row = members_query().first(organisation=organisation.pk)
    assert row == member
    with count_queries() as queries:  # select_related: no query for either
        assert (row.user.name, row.organisation.name) == ("Adam", organisation.name)  # type: ignore[union-attr]
    assert len(queries) == 0


def test_values_list_gives_tuples_and_values_gives_dicts() -> None:
    organisation = OrganisationFactory()
    group = TargetGroupFactory()
    organisation.target_groups.add(group)
    link = Organisation.target_groups.through
    pairs = Prepared(
        link,
        lambda: link.objects.filter(organisation_id=slot("organisation")).values_list(
            "organisation_id", "targetgroup_id"
        ),
    )
    named = Prepared(
        Organisation,
        lambda: Organisation.objects.filter(pk=slot("pk")).values("pk", "name"),
    )
    assert pairs.all(organisation=organisation.pk) == [(organisation.pk, group.pk)]
    assert named.all(pk=organisation.pk) == [{"pk": organisation.pk, "name": organisation.name}]


def test_it_is_compiled_once_and_then_only_sent() -> None:
    organisation = OrganisationFactory()
    members = members_query()
    members.all(organisation=organisation.pk)
    with (
        mock.patch.object(SQLCompiler, "as_sql", autospec=True) as compile_sql,
        count_queries() as queries,
    ):
        members.all(organisation=organisation.pk)
        members.all(organisation=organisation.pk + 1)
    compile_sql.assert_not_called()
    assert len(queries) == 2
    # the value travels as a parameter, not in the SQL
    assert sql_of(queries)[0] == members.compiled().sql % (organisation.pk,)


def test_a_value_is_converted_as_its_field_converts_it_and_never_written_into_the_sql() -> None:
    organisation = OrganisationFactory(name="Röda korset")
    by_name = Prepared(
        Organisation,
        lambda: Organisation.objects.filter(name=slot("name", CharField())),
    )
    by_pk = members_query()
    OrganisationMembershipFactory(organisation=organisation)
    assert by_name.all(name="Röda korset") == [organisation]
    assert by_name.all(name="x' OR '1'='1") == []
    assert "Röda" not in by_name.compiled().sql and "%s" in by_name.compiled().sql
    assert len(by_pk.all(organisation=str(organisation.pk))) == 1  # "12" as the key field reads it
    with pytest.raises((TypeError, ValueError)):
        by_pk.all(organisation="12; DROP TABLE x")


def test_the_values_must_be_exactly_the_slots() -> None:
    members = members_query()
    with pytest.raises(TypeError, match="organisation"):
        members.all()
    with pytest.raises(TypeError, match="other"):
        members.all(organisation=1, other=2)


def test_a_kept_query_is_run_as_it_is_not_changed() -> None:
    queryset = members_query().queryset(organisation=1)
    for change in (
        lambda: queryset.filter(pk=1),
        lambda: queryset[:1],
        lambda: queryset.count(),
        lambda: queryset.exists(),
        lambda: queryset.order_by("pk"),
    ):
        with pytest.raises(TypeError, match="prepared query"):
            change()


def test_each_shape_is_compiled_once_and_only_so_many_are_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(prepared, "SHAPES", 2)
    first, second = OrganisationFactory(name="A"), OrganisationFactory(name="B")
    built: list[str] = []

    def build(name: str):  # type: ignore[no-untyped-def]
        built.append(name)
        return Organisation.objects.filter(name=name, pk=slot("pk"))

    by_name = Prepared(Organisation, build)
    assert by_name.all("A", pk=first.pk) == [first]
    assert by_name.all("B", pk=second.pk) == [second]
    assert by_name.all("B", pk=first.pk) == []  # the shape, not the last one used
    assert by_name.all("A", pk=first.pk) == [first]
    assert built == ["A", "B"]
    by_name.all("C", pk=first.pk)  # a third shape: the least recently used ("B") goes
    by_name.all("A", pk=first.pk)
    by_name.all("B", pk=second.pk)
    assert built == ["A", "B", "C", "B"]


def test_a_records_history_is_its_own_newest_first_and_at_most_a_page(officer) -> None:  # type: ignore[no-untyped-def]
    organisation, other = OrganisationFactory(), OrganisationFactory()
    for number in range(HISTORY_SHOWN + 2):
        audit_record(
            actor=officer, action="organisation.updated", obj=organisation, comment=str(number)
        )
    audit_record(actor=officer, action="organisation.updated", obj=other, comment="other")
    # the same object id on another kind of record is not the organisation's
    AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(officer),
        object_id=str(other.pk),
        action="user.updated",
        comment="a person",
    )
    events = recent_history(organisation)
    assert len(events) == HISTORY_SHOWN
    assert [event.comment for event in events[:2]] == [
        str(HISTORY_SHOWN + 1),
        str(HISTORY_SHOWN),
    ]
    assert [event.comment for event in recent_history(other)] == ["other"]


def test_a_number_beyond_what_the_database_holds_matches_nothing() -> None:
    """As Django's own lookups treat it, not a failure in the database driver (the addresses'
    converter already stops such an id: `portal.converters`)."""
    members = members_query()
    assert members.all(organisation=2**70) == []
    assert members.all(organisation=-(2**70)) == []


def test_a_shape_no_row_can_match_gives_no_rows_as_the_orm_does() -> None:
    """An officer without committees: `one_of` of no ids matches nothing, decided before any
    query, as the ORM decides it."""
    organisation = OrganisationFactory()
    in_bodies = Prepared(
        Organisation,
        lambda *ids: Organisation.objects.filter(one_of("pk", ids), name=slot("name", CharField())),
    )
    with count_queries() as queries:
        assert in_bodies.all(name=organisation.name) == []
    assert len(queries) == 0
    assert in_bodies.all(organisation.pk, name=organisation.name) == [organisation]
    assert "Prepared" not in repr(in_bodies.compiled())  # its repr runs nothing
    with pytest.raises(TypeError, match="prepared query"):
        in_bodies.queryset(name="x").filter(pk=1)
    with pytest.raises(TypeError, match="prepared query"):
        members_query().queryset(organisation=2**70).filter(pk=1)


def test_rows_read_by_their_owners_key_carry_the_owner_without_a_query() -> None:
    from organisations.selectors import members_of

    organisation = OrganisationFactory()
    OrganisationMembershipFactory(organisation=organisation)
    members = members_of(organisation=organisation)
    with count_queries() as queries:
        assert [member.organisation for member in members] == [organisation]
        assert members[0].organisation is organisation
    assert len(queries) == 0


def groups_of_query() -> Prepared[Any, tuple[int, int]]:
    through = Organisation.target_groups.through
    return Prepared(
        through,
        lambda: (
            through.objects.filter(prepared.one_of_slot("organisation_id", "organisations"))
            .order_by("organisation_id", "targetgroup_id")
            .values_list("organisation_id", "targetgroup_id")
        ),
    )


def test_ids_of_any_number_are_one_parameter_of_sql_compiled_once() -> None:
    """The rows of a page's 25 organisations or of 3: the same SQL, one parameter (an array, a
    JSON list in SQLite), compiled once; each request gets the rows of its own ids."""
    groups = [TargetGroupFactory() for _ in range(2)]
    organisations = [OrganisationFactory() for _ in range(4)]
    for organisation in organisations[:3]:
        organisation.target_groups.set(groups[:1] if organisation.pk % 2 else groups)
    expected = {(o.pk, g.pk) for o in organisations for g in o.target_groups.all()}
    query = groups_of_query()
    ids = [o.pk for o in organisations]
    with (
        mock.patch.object(
            SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
        ) as compile_,
        count_queries() as queries,
    ):
        assert set(query.all(organisations=ids)) == expected
        assert set(query.all(organisations=ids[:1])) == {p for p in expected if p[0] == ids[0]}
        assert query.all(organisations=[ids[3]]) == []
    assert compile_.call_count == 1
    assert len(queries) == 3
    # one statement for four ids and for one: the ids travel as one parameter
    where = query.compiled().sql.split("WHERE")[1].split("ORDER BY")[0]
    assert where.count("%s") == 1 and not any(ch.isdigit() for ch in where)


def test_no_ids_or_ids_beyond_the_database_give_no_rows_without_a_query() -> None:
    """Nor a compilation: a page with no rows of that kind (no public PDF on it) asks nothing."""
    query = groups_of_query()
    query.compiled()
    with (
        mock.patch.object(
            SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
        ) as compile_,
        count_queries() as queries,
    ):
        assert query.all(organisations=[]) == []
        assert query.all(organisations=[2**63]) == []
        assert query.first(organisations=[]) is None
    assert queries.captured_queries == []
    assert compile_.call_count == 0
    for wrong in ("12", [1.0], [True], None, ["1"]):
        with pytest.raises(TypeError):
            query.all(organisations=wrong)
