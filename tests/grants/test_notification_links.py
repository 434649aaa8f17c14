"""Notiser links a grant notification only to a page the reader may open now: the application's
page while they are a member of its organisation, the admin's page of it for an administrator,
nothing for a former member; a call's page is public and keeps its link."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification, NotificationStatus, User
from tests.grants.conftest import Grants, submitted
from tests.helpers.clients import logged_in
from tests.portal.factories import UserFactory

NOTICES = reverse("portal:notifications")


def told(person: User, kind: str, obj: models.Model, url: str) -> None:
    Notification.objects.create(
        kind=kind,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        due_date=timezone.localdate(),
        recipient=person,
        subject=f"Om {kind}",
        url=url,
        status=NotificationStatus.SENT,
        sent_at=timezone.now(),
    )


def links_of(user: User) -> list[str]:
    page = logged_in(user).get(NOTICES).content.decode()
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    return [part.split('"', 1)[0] for part in table.split('href="')[1:]]


def test_only_pages_the_reader_may_open_are_linked(grants: Grants, staff: User) -> None:
    g = grants
    application = submitted(g)
    page = reverse("grants:application", args=[application.pk])
    former = UserFactory()  # was told while a member, has left since
    for person in (g.editor, former, staff):
        told(person, "completion_requested", application, page)
    told(former, "call_closing", g.call, reverse("grants:call", args=[g.call.pk]))

    assert links_of(g.editor) == [page]
    assert logged_in(g.editor).get(page).status_code == 200
    assert links_of(former) == [reverse("grants:call", args=[g.call.pk])]
    assert logged_in(former).get(page).status_code == 404
    assert "Om completion_requested" in logged_in(former).get(NOTICES).content.decode()
    admin_page = reverse("admin:grants_application_change", args=[application.pk])
    assert links_of(staff) == [admin_page]
    assert logged_in(staff).get(admin_page).status_code == 200


def test_the_date_column_is_a_short_date(grants: Grants) -> None:
    g = grants
    application = submitted(g)
    told(g.editor, "application_received", application, "")
    page = logged_in(g.editor).get(NOTICES).content.decode()
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    assert f"<td>{timezone.localdate().isoformat()}</td>" in table
