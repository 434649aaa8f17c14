"""The one segregation-of-duties rule, and the seen-version check, on their own. The views and
services of each app are tested against them in their own files."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from organisations import segregation, services
from organisations.models import Organisation, OrganisationRole, PastMembership
from portal import person_cache, versions
from portal.models import User
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):  # the rule itself: nothing read for the person yet, nor kept between requests
    segregation.forget(user)
    person_cache.forget_all()  # (kept facts outlive a narrowing window by PERSON_CACHE_SECONDS)
    return user


def test_a_member_is_excluded_from_their_organisation_and_no_other():
    membership = OrganisationMembershipFactory(role=OrganisationRole.VIEWER)
    other = OrganisationFactory()
    user = membership.user
    assert segregation.is_excluded(user, organisation_ids=[membership.organisation_id])
    assert not segregation.is_excluded(user, organisation_ids=[other.pk])
    with pytest.raises(PermissionDenied):
        segregation.ensure_may_act(user, organisation_ids=[None, membership.organisation_id])


def test_affiliations_and_declarations_are_read_in_one_query_once_per_request() -> None:
    from django.contrib.contenttypes.models import ContentType

    from organisations.models import ConflictOfInterest
    from tests.helpers.queries import count_queries

    membership = OrganisationMembershipFactory(role=OrganisationRole.VIEWER)
    user, declared_on = membership.user, OrganisationFactory()
    ConflictOfInterest.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Organisation),
        object_id=str(declared_on.pk),
        object_repr=declared_on.name,
        reason="Styrelseledamot",
    )
    with count_queries() as queries:
        excluded = segregation.excluded_organisation_ids(fresh(user))
        declared = segregation.declared_conflicts(user)
        segregation.affiliated_organisation_ids(user)
    assert len(queries) == 1
    assert excluded == {membership.organisation_id, declared_on.pk}
    assert declared == {(ContentType.objects.get_for_model(Organisation).pk, str(declared_on.pk))}


def test_a_former_member_stays_excluded_for_the_set_period(settings):
    settings.SEGREGATION_FORMER_MEMBER_DAYS = 30
    leaver = OrganisationMembershipFactory(role=OrganisationRole.EDITOR)
    OrganisationMembershipFactory(
        organisation=leaver.organisation, role=OrganisationRole.REPRESENTATIVE
    )
    user, organisation = leaver.user, leaver.organisation
    services.membership_remove(membership=leaver, actor=user)
    assert PastMembership.objects.filter(user=user, organisation=organisation).exists()
    assert segregation.is_excluded(fresh(user), organisation_ids=[organisation.pk])
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert segregation.is_excluded(fresh(user), organisation_ids=[organisation.pk])
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert not segregation.is_excluded(fresh(user), organisation_ids=[organisation.pk])


def test_asking_to_join_or_having_registered_an_organisation_excludes():
    organisation = OrganisationFactory()
    asker = UserFactory()
    services.join_request_create(organisation=organisation, actor=asker)
    assert segregation.is_excluded(fresh(asker), organisation_ids=[organisation.pk])
    assert segregation.is_excluded(
        fresh(organisation.created_by), organisation_ids=[organisation.pk]
    )


def test_a_declared_conflict_excludes_from_the_case_or_the_whole_organisation(officer):
    organisation = OrganisationFactory()
    other_case = OrganisationFactory()
    assert not segregation.is_excluded(officer, organisation_ids=[], case=other_case)
    services.conflict_declare(actor=officer, case=other_case, reason="Min bror är ordförande")
    assert segregation.is_excluded(fresh(officer), organisation_ids=[], case=other_case)
    # Declared on the organisation itself: every case of it is out of bounds.
    assert segregation.is_excluded(officer, organisation_ids=[other_case.pk])
    assert not segregation.is_excluded(officer, organisation_ids=[organisation.pk])
    queryset = segregation.exclude_conflicted(
        Organisation.objects.all(), officer, organisation_field=None
    )
    assert other_case not in queryset and organisation in queryset


def test_a_declaration_needs_a_reason_and_an_officer(officer):
    organisation = OrganisationFactory()
    with pytest.raises(ValidationError):
        services.conflict_declare(actor=officer, case=organisation, reason="  ")
    with pytest.raises(PermissionDenied):
        services.conflict_declare(actor=UserFactory(), case=organisation, reason="Jäv")


def test_exclude_conflicted_drops_the_cases_of_affiliated_organisations():
    membership = OrganisationMembershipFactory(role=OrganisationRole.VIEWER)
    other = OrganisationFactory()
    queryset = segregation.exclude_conflicted(
        Organisation.objects.all(), membership.user, organisation_field="pk"
    )
    assert other in queryset
    assert membership.organisation not in queryset


def test_nobody_verifies_their_own_change():
    user, colleague = UserFactory(), UserFactory()
    assert segregation.is_own_change(user, user.pk)
    assert not segregation.is_own_change(colleague, user.pk)
    assert not segregation.is_own_change(user, None)
    with pytest.raises(PermissionDenied):
        segregation.ensure_not_own_change(user, user.pk)


def test_a_seen_version_must_match_what_is_there_now():
    seen = versions.fingerprint("5561234567", "bankgiro", "123-4567")
    assert seen == versions.fingerprint("5561234567", "bankgiro", "123-4567")
    changed = versions.fingerprint("5561234567", "bankgiro", "765-4321")
    assert seen != changed
    versions.check_seen(seen=seen, current=seen)
    for stale in (changed, "", None):
        with pytest.raises(ValidationError) as refused:
            versions.check_seen(seen=stale, current=seen)
        assert versions.FIELD in refused.value.message_dict
    assert versions.audit_note("Godkänd", seen) == f"Godkänd [version {seen}]"


def test_the_people_connected_to_an_organisation_are_exactly_those_it_excludes(officer):
    """`connected_user_ids` (the lists of colleagues to assign or to ask to sign) is the other
    side of the per-person rule: everyone whom the rule keeps out of the organisation's cases,
    by each kind of connection, and no one else; a declaration on one case adds its declarer
    for that case only."""
    from django.contrib.contenttypes.models import ContentType

    from organisations.models import ConflictOfInterest, JoinRequest, JoinRequestStatus
    from tests.organisations.factories import JoinRequestFactory, PastMembershipFactory

    organisation, neighbour = OrganisationFactory(), OrganisationFactory()
    member = OrganisationMembershipFactory(organisation=organisation).user
    former = PastMembershipFactory(organisation=organisation).user
    long_gone = PastMembershipFactory(
        organisation=organisation, ended_at=timezone.now() - timedelta(days=4000)
    ).user
    asking = JoinRequestFactory(organisation=organisation).user
    refused = JoinRequestFactory(organisation=organisation, status=JoinRequestStatus.DECLINED).user
    letter_in, lately = UserFactory(), timezone.now() - timedelta(days=5)
    JoinRequestFactory(
        organisation=organisation,
        status=JoinRequestStatus.ACCEPTED,
        decided_by=letter_in,
        decided_at=lately,
    )
    let_in_long_ago = UserFactory()  # let someone in, but before the period
    JoinRequestFactory(
        organisation=organisation,
        status=JoinRequestStatus.ACCEPTED,
        decided_by=let_in_long_ago,
        decided_at=timezone.now() - timedelta(days=4000),
    )
    declared_on_it, declared_on_case, bystander = UserFactory(), UserFactory(), UserFactory()

    def declare(user: User, on: Organisation, reason: str) -> None:
        ConflictOfInterest.objects.create(
            user=user,
            content_type=ContentType.objects.get_for_model(on),
            object_id=str(on.pk),
            object_repr=on.name,
            reason=reason,
        )

    declare(declared_on_it, organisation, "Styrelseledamot")
    # a case of the organisation (any model stands for one): the neighbour itself
    case = neighbour
    declare(declared_on_case, case, "Släkt")
    everybody = [
        member,
        former,
        long_gone,
        asking,
        refused,
        letter_in,
        let_in_long_ago,
        declared_on_it,
        declared_on_case,
        bystander,
        officer,
        organisation.created_by,
        neighbour.created_by,
    ]
    connected = segregation.connected_user_ids([organisation.pk])
    assert connected == {
        person.pk
        for person in everybody
        if segregation.is_excluded(fresh(person), organisation_ids=[organisation.pk])
    }
    assert connected == {
        member.pk,
        former.pk,
        asking.pk,
        letter_in.pk,
        declared_on_it.pk,
        organisation.created_by_id,
    }
    with_case = segregation.connected_user_ids([organisation.pk], case=case)
    assert with_case == connected | {declared_on_case.pk}
    assert segregation.connected_user_ids([], case=case) == {declared_on_case.pk}
    assert segregation.connected_user_ids([]) == frozenset()
    assert segregation.connected_user_ids([organisation.pk, neighbour.pk]) == connected | {
        neighbour.created_by_id,
        declared_on_case.pk,  # their declaration is on the neighbour organisation itself
    }
    assert JoinRequest.objects.count() == 4
