"""Notiser links an IOP notification only to a page the reader may open now: the agreement's
page for a member of a party organisation or an officer of its public body, the admin's page of
it for an administrator, and nothing for someone who has left the organisation since."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification, NotificationStatus, User
from tests.agreements.conftest import Iop
from tests.helpers.clients import logged_in
from tests.portal.factories import UserFactory

NOTICES = reverse("portal:notifications")


def links_of(user: User) -> list[str]:
    page = logged_in(user).get(NOTICES).content.decode()
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    return [part.split('"', 1)[0] for part in table.split('href="')[1:]]


def test_only_the_agreement_pages_the_reader_may_open_are_linked(iop: Iop, staff: User) -> None:
    page = reverse("agreements:agreement", args=[iop.agreement.pk])
    former = UserFactory()
    for person in (iop.editor, iop.officer, former, staff):
        Notification.objects.create(
            kind="agreement_ending",
            content_type=ContentType.objects.get_for_model(iop.agreement),
            object_id=str(iop.agreement.pk),
            due_date=timezone.localdate(),
            recipient=person,
            subject="Avtalet upphör",
            url=page,
            status=NotificationStatus.SENT,
            sent_at=timezone.now(),
        )
    assert links_of(iop.editor) == [page]
    assert links_of(iop.officer) == [page]
    assert links_of(former) == []
    assert logged_in(former).get(page).status_code == 404
    admin_page = reverse("admin:agreements_agreement_change", args=[iop.agreement.pk])
    assert links_of(staff) == [admin_page]
    assert logged_in(staff).get(admin_page).status_code == 200


def test_a_page_of_notices_asks_only_about_its_own_agreements(iop: Iop, monkeypatch) -> None:
    """An officer of a body with thousands of agreements: the page checks the agreements its
    rows link to, in one query, not every agreement the officer may open; an agreement of
    another body on the same page is still not linked."""
    from agreements import notifications as agreement_notifications
    from tests.agreements.factories import AgreementFactory

    elsewhere = AgreementFactory()  # another public body's agreement
    for agreement in (iop.agreement, elsewhere):
        Notification.objects.create(
            kind="agreement_ending",
            content_type=ContentType.objects.get_for_model(agreement),
            object_id=str(agreement.pk),
            due_date=timezone.localdate(),
            recipient=iop.officer,
            subject="Avtalet upphör",
            url=reverse("agreements:agreement", args=[agreement.pk]),
            status=NotificationStatus.SENT,
            sent_at=timezone.now(),
        )

    def everything(_reader: User) -> frozenset[int]:
        raise AssertionError("a page of notices read every agreement the reader may open")

    monkeypatch.setattr(agreement_notifications, "_visible_ids", everything)
    assert links_of(iop.officer) == [reverse("agreements:agreement", args=[iop.agreement.pk])]
