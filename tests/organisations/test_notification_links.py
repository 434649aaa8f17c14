"""The person's list of notifications (Notiser) links only to pages the reader may open now: an
organisation's page while they are a member of it; for an administrator who is not (they
registered organisations on the associations' behalf and left them), the organisation's page
in the admin; for an officer, the officer's page of it; for a former member, no link."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from organisations.models import Organisation
from portal.models import AuditEvent, Notification, NotificationStatus, User
from tests.helpers.clients import logged_in
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.portal.factories import UserFactory

NOTICES = reverse("portal:notifications")


def told_about_status(organisation: Organisation, person: User) -> None:
    """The status notification as the sender leaves it: sent, with the link of the time."""
    event = AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(Organisation),
        object_id=str(organisation.pk),
        action="status_changed",
        to_state="verified",
    )
    Notification.objects.create(
        kind="organisation_status",
        content_type=ContentType.objects.get_for_model(AuditEvent),
        object_id=str(event.pk),
        due_date=timezone.localdate(),
        recipient=person,
        subject="Föreningen är verifierad",
        url=reverse("organisations:detail", args=[organisation.pk]),
        status=NotificationStatus.SENT,
        sent_at=timezone.now(),
    )


def links_of(user: User) -> list[str]:
    page = logged_in(user).get(NOTICES).content.decode()
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    return [part.split('"', 1)[0] for part in table.split('href="')[1:]]


def test_the_administrator_is_sent_to_the_admin_not_to_a_page_that_is_not_found(
    staff: User,
) -> None:
    organisation = OrganisationFactory()
    told_about_status(organisation, staff)
    organisation_page = reverse("organisations:detail", args=[organisation.pk])
    assert logged_in(staff).get(organisation_page).status_code == 404  # not a member
    admin_page = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    assert links_of(staff) == [admin_page]
    assert logged_in(staff).get(admin_page).status_code == 200
    assert "Föreningen är verifierad" in logged_in(staff).get(NOTICES).content.decode()


def test_a_member_keeps_the_link_and_a_former_member_gets_none(db: None) -> None:
    organisation = OrganisationFactory()
    member = OrganisationMembershipFactory(organisation=organisation).user
    former = UserFactory()
    told_about_status(organisation, member)
    told_about_status(organisation, former)
    organisation_page = reverse("organisations:detail", args=[organisation.pk])
    assert links_of(member) == [organisation_page]
    assert logged_in(member).get(organisation_page).status_code == 200
    assert links_of(former) == []
    assert "Föreningen är verifierad" in logged_in(former).get(NOTICES).content.decode()


def test_an_officer_is_sent_to_the_officers_page_of_the_organisation(officer: User) -> None:
    organisation = OrganisationFactory()
    told_about_status(organisation, officer)
    officer_page = reverse("organisations:officer_detail", args=[organisation.pk])
    assert links_of(officer) == [officer_page]
    assert logged_in(officer).get(officer_page).status_code == 200


def test_the_links_cost_the_same_queries_however_many_notifications(staff: User) -> None:
    told_about_status(OrganisationFactory(), staff)
    client = logged_in(staff)
    client.get(NOTICES)
    with count_queries() as few:
        client.get(NOTICES)
    for _ in range(8):
        told_about_status(OrganisationFactory(), staff)
    with count_queries() as many:
        page = client.get(NOTICES).content.decode()
    assert_same_query_count(few, many)
    assert page.count("/admin/organisations/organisation/") == 9
