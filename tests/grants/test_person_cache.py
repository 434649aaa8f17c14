"""What every page reads of the logged-in person (their roles and second factor; the
organisations they are connected to and their declared conflicts) is kept between requests
(`portal.person_cache`) and never outlives a change: a role taken away, a second factor
removed, a membership begun or a conflict declared shows on the very next page, and a change
that is rolled back is never kept."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.contenttypes.models import ContentType
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.urls import reverse

from grants.models import Application
from organisations import segregation
from organisations.models import ConflictOfInterest, Organisation, OrganisationRole
from portal import person_cache, process_copies, selectors, services
from portal.models import PublicBodyRole, User
from tests.grants.conftest import Grants, submitted
from tests.helpers.cache import CountingCache
from tests.helpers.clients import logged_in
from tests.helpers.queries import count_queries, sql_of
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.portal.factories import PublicBodyFactory, UserFactory

pytestmark = pytest.mark.django_db


def frame_queries(queries: object) -> list[str]:
    """The person's roles (with their second factor) and their connections."""
    return [
        sql
        for sql in sql_of(queries)  # type: ignore[arg-type]
        if sql.startswith('SELECT "portal_publicbodymembership"') or sql.startswith("SELECT 0, ")
    ]


def test_an_officers_second_page_reads_nothing_of_the_person_again(grants: Grants) -> None:
    client = logged_in(grants.officer)
    inbox = reverse("grants:inbox")
    client.get(inbox)
    with count_queries() as first:  # with the person read
        client.get(inbox)
    with count_queries(person_kept=True) as second:
        assert client.get(inbox).status_code == 200
    assert len(frame_queries(first)) == 2  # the roles, and the connections
    assert frame_queries(second) == []
    # the person's row (portal.auth_backends), roles and connections, and the filter choices (2)
    assert len(second) == len(first) - 5


def test_a_role_taken_away_refuses_the_very_next_page(grants: Grants) -> None:
    client = logged_in(grants.officer)
    inbox = reverse("grants:inbox")
    assert client.get(inbox).status_code == 200
    for membership in grants.officer.public_body_memberships.all():
        services.public_body_membership_revoke(actor=None, membership=membership)
    assert client.get(inbox).status_code in {403, 404}
    assert client.get(reverse("portal:officer_home")).status_code == 403


def test_a_role_given_shows_on_the_next_page(member: User) -> None:
    from tests.portal.factories import give_totp

    give_totp(member)
    client = logged_in(member)
    assert client.get(reverse("portal:officer_home")).status_code == 403
    services.public_body_membership_grant(
        actor=None, user=member, public_body=PublicBodyFactory(), role=PublicBodyRole.CASE_OFFICER
    )
    assert client.get(reverse("portal:officer_home")).status_code == 200


def test_a_second_factor_removed_sends_the_officer_to_set_one_up_again(officer: User) -> None:
    client = logged_in(officer)
    home = reverse("portal:officer_home")
    assert client.get(home).status_code == 200
    Authenticator.objects.filter(user=officer).delete()
    response = client.get(home)
    assert response.status_code == 302 and response.url.startswith(reverse("mfa_activate_totp"))


def test_joining_an_organisation_or_declaring_a_conflict_excludes_at_once(grants: Grants) -> None:
    application, other = submitted(grants), submitted(grants)
    client = logged_in(grants.officer)
    page = reverse("grants:officer_application", args=[application.pk])
    other_page = reverse("grants:officer_application", args=[other.pk])
    assert client.get(page).status_code == client.get(other_page).status_code == 200
    ConflictOfInterest.objects.create(
        user=grants.officer,
        content_type=ContentType.objects.get_for_model(Application),
        object_id=str(other.pk),
        object_repr=str(other),
        reason="Min bror sitter i styrelsen.",
    )
    assert client.get(other_page).status_code == 404  # that case only
    assert client.get(page).status_code == 200
    membership = OrganisationMembershipFactory(
        organisation=application.organisation, user=grants.officer, role=OrganisationRole.VIEWER
    )
    assert client.get(page).status_code == 404  # a member now: stays out of its cases
    segregation.record_past_membership(membership)  # as the services end a membership
    membership.delete()
    assert client.get(page).status_code == 404  # a former member, for the set period


def test_registering_an_organisation_excludes_its_registrant_at_once(officer: User) -> None:
    segregation.forget(officer)
    assert segregation.affiliated_organisation_ids(officer) == frozenset()
    organisation = OrganisationFactory(created_by=officer)
    segregation.forget(officer)
    assert organisation.pk in segregation.affiliated_organisation_ids(officer)


def test_a_role_given_in_a_transaction_that_is_rolled_back_is_never_kept(member: User) -> None:
    body = PublicBodyFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.public_body_membership_grant(
            actor=None, user=member, public_body=body, role=PublicBodyRole.CASE_OFFICER
        )
        inside = User.objects.get(pk=member.pk)
        assert selectors.user_memberships(user=inside)  # seen inside the transaction ...
        raise RuntimeError("the request fails")
    after = User.objects.get(pk=member.pk)
    assert selectors.user_memberships(user=after) == []  # ... and not kept after it


def test_without_a_shared_cache_every_request_reads_the_person(grants: Grants, settings) -> None:  # type: ignore[no-untyped-def]
    # a process's own memory (as the quick start has), without PERSON_CACHE_LOCAL
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PERSON_CACHE_LOCAL = False
    assert not person_cache.enabled()
    client = logged_in(grants.officer)
    client.get(reverse("grants:inbox"))
    with count_queries(person_kept=True) as again:
        client.get(reverse("grants:inbox"))
    assert len(frame_queries(again)) == 2


def test_an_organisations_later_edits_do_not_forget_what_is_kept(officer: User) -> None:
    organisation = OrganisationFactory()
    user = User.objects.get(pk=officer.pk)
    selectors.user_memberships(user=user)
    kept = person_cache.remember(officer.pk, "memberships", lambda: "read again")
    assert kept != "read again"
    Organisation.objects.get(pk=organisation.pk).save()  # an edit: who registered it is as before
    assert person_cache.remember(officer.pk, "memberships", lambda: "read again") == kept
    UserFactory()  # nor does anything else unwatched
    assert person_cache.remember(officer.pk, "memberships", lambda: "read again") == kept


# --- the lists' filter choices ------------------------------------------------------------


def choices(client: object, field: str, url: str = "grants:inbox") -> list[str]:
    form = client.get(reverse(url)).context["form"]  # type: ignore[attr-defined]
    return [str(label) for _value, label in form.fields[field].choices]


def test_the_filters_choices_are_read_once_and_a_new_call_shows_at_once(grants: Grants) -> None:
    from tests.grants.conftest import make_call

    client = logged_in(grants.officer)
    inbox = reverse("grants:inbox")
    client.get(inbox)
    with count_queries(person_kept=True) as queries:
        client.get(inbox)
    assert not [sql for sql in sql_of(queries) if 'FROM "grants_call"' in sql]
    assert not [sql for sql in sql_of(queries) if sql.startswith('SELECT DISTINCT "portal_user"')]
    make_call(grants.programme, title="Sommarlovsbidrag 2027")
    assert "Sommarlovsbidrag 2027" in choices(client, "call")
    assert "Sommarlovsbidrag 2027" in choices(client, "call", "grants:payments")


def test_a_colleague_who_is_renamed_or_joins_shows_in_the_officer_filter_at_once(
    grants: Grants,
) -> None:
    from tests.portal.factories import MembershipFactory

    client = logged_in(grants.officer)
    assert "Ny Kollega" not in choices(client, "assigned")
    colleague = MembershipFactory(
        public_body=grants.body, role=PublicBodyRole.CASE_OFFICER, user__name="Ny Kollega"
    ).user
    assert "Ny Kollega" in choices(client, "assigned")
    colleague.name = "Ny Kollega-Berg"
    colleague.save()
    assert "Ny Kollega-Berg" in choices(client, "assigned")


def test_the_filters_choices_are_kept_per_public_body(grants: Grants) -> None:
    from tests.grants.conftest import make_call
    from tests.portal.factories import MembershipFactory, give_totp

    other_body = PublicBodyFactory(name="Miljönämnden")
    stranger = MembershipFactory(public_body=other_body, role=PublicBodyRole.CASE_OFFICER).user
    give_totp(stranger)
    assert choices(logged_in(grants.officer), "call")  # kept for the officer's bodies ...
    mine = choices(logged_in(stranger), "call")
    assert mine == ["Alla"]  # ... and not shown to an officer of another body
    make_call(grants.programme, title="Bara för kulturnämnden")
    assert "Bara för kulturnämnden" not in choices(logged_in(stranger), "call")


def test_the_case_pages_colleagues_are_kept_and_every_change_shows_at_once(
    grants: Grants,
) -> None:
    """The case officers a case may be assigned to are kept per public body, and who is
    connected to the applicant per case. A colleague given the role, one who leaves
    (deactivated) and one who joins the applicant each show on the next page."""
    from tests.portal.factories import UserFactory as People

    application = submitted(grants)
    client = logged_in(grants.officer)
    page = reverse("grants:officer_application", args=[application.pk])

    def offered() -> set[str]:
        form = client.get(page).context["assign_form"]
        return {str(label) for value, label in form.fields["assignee"].choices if value}

    assert offered() == {"Hanna Handläggare"}
    with count_queries(person_kept=True) as queries:
        client.get(page)
    assert not [sql for sql in sql_of(queries) if sql.startswith('SELECT DISTINCT "portal_user"')]
    assert not [sql for sql in sql_of(queries) if "organisations_organisationmembership" in sql]
    newcomer = People(name="Nils Nykomling")
    services.public_body_membership_grant(
        actor=None, user=newcomer, public_body=grants.body, role=PublicBodyRole.CASE_OFFICER
    )
    assert offered() == {"Hanna Handläggare", "Nils Nykomling"}
    newcomer.is_active = False
    newcomer.save(update_fields=["is_active"])
    assert offered() == {"Hanna Handläggare"}
    OrganisationMembershipFactory(
        organisation=application.organisation, user=grants.officer, role=OrganisationRole.VIEWER
    )
    other = People(name="Olle Kollega")
    services.public_body_membership_grant(
        actor=None, user=other, public_body=grants.body, role=PublicBodyRole.CASE_OFFICER
    )
    # (the officer is now connected and may not open the case: a colleague looks)
    from tests.portal.factories import give_totp

    give_totp(other)
    client = logged_in(other)
    assert offered() == {"Olle Kollega"}
    # a colleague who declares jäv on the case is not offered on the next page
    from organisations.services import conflict_declare

    third = People(name="Pia Partisk")
    services.public_body_membership_grant(
        actor=None, user=third, public_body=grants.body, role=PublicBodyRole.CASE_OFFICER
    )
    assert offered() == {"Olle Kollega", "Pia Partisk"}
    conflict_declare(actor=third, case=application, reason="Min syster är ordförande.")
    assert offered() == {"Olle Kollega"}


def test_a_calls_questions_are_kept_and_a_new_one_shows_at_once(grants: Grants) -> None:
    from tests.grants.factories import QuestionFactory

    application = submitted(grants)
    client = logged_in(grants.officer)
    page = reverse("grants:officer_application", args=[application.pk])
    client.get(page)
    with count_queries(person_kept=True) as queries:
        client.get(page)
    assert not [sql for sql in sql_of(queries) if 'FROM "grants_question"' in sql]
    QuestionFactory(call=grants.call, text="Hur många deltar?", position=99)
    assert "Hur många deltar?" in client.get(page).content.decode()


# --- the process's own copy -----------------------------------------------------------------


def test_an_officers_next_page_asks_the_shared_cache_once_for_all_it_keeps(
    grants: Grants, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Roles, connections, the filters' choices and the frame are kept in the process too: the
    page reads the generation numbers in one round trip and takes the rest from memory (it made
    nine round trips to Redis before). Who runs the portal is in the kept frame: not read."""
    client = logged_in(grants.officer)
    inbox = reverse("grants:inbox")
    client.get(inbox)
    counting = CountingCache(person_cache.cache)
    monkeypatch.setattr(person_cache, "cache", counting)
    site = CountingCache(selectors.cache)
    monkeypatch.setattr(selectors, "cache", site)
    with count_queries(person_kept=True) as queries:
        page = client.get(inbox)
    assert page.status_code == 200
    assert counting.calls == ["get_many"]
    assert site.calls == []
    assert frame_queries(queries) == []


def test_a_change_another_process_makes_is_heard_though_this_process_kept_a_copy(
    grants: Grants,
) -> None:
    """Another web worker takes the role away: it raises the generation in the shared cache,
    and this process's copy of the roles is not used again."""
    client = logged_in(grants.officer)
    home = reverse("portal:officer_home")
    assert client.get(home).status_code == 200
    # as in another process: the row goes (no signal here) and that process raises the number
    grants.officer.public_body_memberships.all()._raw_delete(using="default")
    assert client.get(home).status_code == 200  # this process has not heard of it yet
    person_cache.cache.incr(person_cache.GENERATION_KEY)
    assert client.get(home).status_code == 403


def test_a_copy_is_kept_no_longer_than_the_shared_entry(grants: Grants, settings) -> None:  # type: ignore[no-untyped-def]
    import time_machine

    client = logged_in(grants.officer)
    inbox = reverse("grants:inbox")
    client.get(inbox)
    now = time.time()
    with (
        time_machine.travel(now + settings.PERSON_CACHE_SECONDS - 5, tick=False),
        count_queries(person_kept=True) as soon,
    ):
        client.get(inbox)
    with (
        time_machine.travel(now + settings.PERSON_CACHE_SECONDS + 5, tick=False),
        count_queries(person_kept=True) as later,
    ):
        client.get(inbox)
    assert frame_queries(soon) == []
    assert len(frame_queries(later)) == 2  # the roles and the connections, read again


def test_a_request_that_changes_something_reads_the_numbers_again(officer: User) -> None:
    """Within a request the numbers are read once; a write in the same request (which raises a
    generation) makes the next read see it, not the copy from before the write."""
    reads: list[int] = []

    def load() -> int:
        reads.append(1)
        return len(reads)

    with one_request():
        assert person_cache.kept("probe", load) == 1
        assert person_cache.kept("probe", load) == 1  # kept
        services.public_body_membership_grant(
            actor=None,
            user=officer,
            public_body=PublicBodyFactory(),
            role=PublicBodyRole.DECISION_MAKER,
        )
        assert person_cache.kept("probe", load) == 2  # read again after the change


@contextmanager
def one_request() -> Iterator[None]:
    """The signals a request begins and ends with, as the test client sends them (without
    closing the test's database connection)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        request_started.send(sender=None, environ={})
        yield
    finally:
        request_finished.send(sender=None)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_reader_gets_a_copy_of_its_own(officer: User) -> None:
    """What one page does with a kept list (sorting it, adding to it) is not what the next
    page finds."""
    first = person_cache.kept("list", lambda: [3, 1, 2])
    first.append(4)
    first.sort()
    assert person_cache.kept("list", lambda: ["read again"]) == [3, 1, 2]


def test_the_process_keeps_a_bounded_number_of_copies(
    officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(person_cache._local, "size", 3)
    for n in range(10):
        person_cache.kept(f"many:{n}", lambda n=n: n)  # type: ignore[misc]
    assert len(person_cache._local) == 3
    # the newest are kept
    assert person_cache.kept("many:9", lambda: "read again") == 9


def test_a_copy_runs_out_on_the_workers_own_clock_too(
    grants: Grants, settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Whatever the clock of the host that read an entry says, a worker's copy is used no longer
    than PERSON_CACHE_SECONDS on the worker's own (monotonic) clock: then it asks the shared
    cache again."""
    client = logged_in(grants.officer)
    inbox = reverse("grants:inbox")
    client.get(inbox)
    started = time.monotonic()
    monkeypatch.setattr(
        process_copies, "_monotonic", lambda: started + settings.PERSON_CACHE_SECONDS + 1
    )
    counting = CountingCache(person_cache.cache)
    monkeypatch.setattr(person_cache, "cache", counting)
    assert client.get(inbox).status_code == 200
    assert counting.calls.count("get") >= 3  # the roles, the connections, the choices, ...


# --- a member's roles and the reminder settings ---------------------------------------------


def test_a_members_roles_are_kept_and_a_lowered_role_counts_at_once(grants: Grants) -> None:
    """Which organisations a person is a member of, and in which role (who may write and sign an
    agreement's sections), is kept like an officer's roles, and a changed role is heard at once."""
    from organisations.selectors import organisation_roles
    from organisations.services import members

    def fresh() -> User:  # as each request has its own user object
        return User.objects.get(pk=grants.editor.pk)

    editor, organisation = fresh(), grants.organisation.pk
    assert organisation_roles(user=editor) == {organisation: OrganisationRole.EDITOR}
    again = fresh()
    with count_queries(person_kept=True) as queries:
        assert organisation_roles(user=again) == {organisation: OrganisationRole.EDITOR}
    assert len(queries) == 0
    members.membership_change_role(
        membership=grants.editor.organisation_memberships.get(),
        actor=grants.representative,
        role=OrganisationRole.VIEWER,
    )
    assert organisation_roles(user=fresh()) == {organisation: OrganisationRole.VIEWER}


def test_notiser_keeps_the_digest_hour_and_shows_a_change_at_once(member: User) -> None:
    from portal.models import ReminderSettings

    client = logged_in(member)
    page = reverse("portal:notifications")
    client.get(page)
    with count_queries(person_kept=True) as queries:
        client.get(page)
    assert not [sql for sql in sql_of(queries) if "portal_remindersettings" in sql]
    settings = ReminderSettings.load()
    settings.digest_hour = 6
    settings.save()
    assert "klockan 06.00" in client.get(page).content.decode()


def test_inside_a_transaction_nothing_kept_is_used(grants: Grants) -> None:
    """A service decides under its locks, inside a transaction, on the roles as they are now:
    a representative demoted by another worker a moment ago (whose raised generation this
    request has not read) may not sign, though the request read her as one."""
    from organisations.models import OrganisationMembership
    from organisations.selectors import organisation_roles

    def fresh() -> User:
        return User.objects.get(pk=grants.editor.pk)

    organisation = grants.organisation.pk
    with one_request():
        assert organisation_roles(user=fresh()) == {organisation: OrganisationRole.EDITOR}
        # as another worker: the row changes; its raised generation is not read by this request
        OrganisationMembership.objects.filter(user_id=grants.editor.pk).update(
            role=OrganisationRole.VIEWER
        )
        assert organisation_roles(user=fresh()) == {organisation: OrganisationRole.EDITOR}
        with transaction.atomic():
            assert organisation_roles(user=fresh()) == {organisation: OrganisationRole.VIEWER}
