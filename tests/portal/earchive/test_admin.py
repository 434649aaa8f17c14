"""The e-archive in the Django admin: a delivery started there or from the lists of
applications and agreements, its progress, and the downloads of the delivery and of one case's
package, for superusers and administrators given "Can deliver cases to the e-archive" only."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from portal.models import ArchiveBatch, User
from tests.grants.conftest import submitted
from tests.helpers.clients import logged_in
from tests.portal.earchive.conftest import Grants, assert_valid_package, closed_grant
from tests.portal.factories import UserFactory, give_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(grants: Grants, staff: User, django_capture_on_commit_callbacks) -> ArchiveBatch:  # type: ignore[no-untyped-def]
    """A ready delivery of one closed grant case, started from the list of applications."""
    case = closed_grant(grants)
    client = logged_in(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:grants_application_changelist"),
            {"action": "export_to_earchive", "_selected_action": [str(case.pk)]},
        )
    batch = ArchiveBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:portal_archivebatch_change", args=[batch.pk])
    assert batch.object_ids == [case.pk] and batch.status == "ready"
    return batch


def test_the_delivery_and_one_cases_package_are_downloaded_by_a_superuser(
    delivery: ArchiveBatch, staff: User
) -> None:
    client = logged_in(staff)
    page = client.get(reverse("admin:portal_archivebatch_change", args=[delivery.pk]))
    assert page.status_code == 200
    objid = delivery.packages[0]["objid"]
    assert objid in page.content.decode()

    whole = client.get(reverse("admin:portal_archivebatch_download", args=[delivery.pk]))
    assert whole.status_code == 200 and whole["Content-Type"] == "application/zip"
    content = b"".join(whole.streaming_content)
    assert content == delivery.file.open("rb").read()

    one = client.get(reverse("admin:portal_archivebatch_package", args=[delivery.pk, objid]))
    assert one.status_code == 200
    assert one.content == zipfile.ZipFile(io.BytesIO(content)).read(f"{objid}.zip")
    assert_valid_package(one.content)
    missing = client.get(reverse("admin:portal_archivebatch_package", args=[delivery.pk, "x"]))
    assert missing.status_code == 404


def test_the_downloads_refuse_whoever_may_not_deliver(delivery: ArchiveBatch) -> None:
    objid = delivery.packages[0]["objid"]
    urls = [
        reverse("admin:portal_archivebatch_download", args=[delivery.pk]),
        reverse("admin:portal_archivebatch_package", args=[delivery.pk, objid]),
        reverse("admin:portal_archivebatch_change", args=[delivery.pk]),
    ]
    member = logged_in(UserFactory())  # not staff: sent to the admin's login
    for url in urls:
        response = member.get(url)
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
        assert not response.get("Content-Disposition")
    staff_member = UserFactory(is_staff=True)
    give_totp(staff_member)  # administrators use a second factor
    administrator = logged_in(staff_member)  # staff without the permission
    for url in urls:
        assert administrator.get(url).status_code == 403
    assert administrator.post(
        reverse("admin:grants_application_changelist"),
        {"action": "export_to_earchive", "_selected_action": [str(delivery.object_ids[0])]},
    ).status_code in (302, 403)
    assert ArchiveBatch.objects.count() == 1  # the action did nothing for them


def test_an_administrator_with_the_permission_starts_a_years_delivery(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    closed, open_case = closed_grant(grants), submitted(grants)
    archivist = UserFactory(is_staff=True, name="Arkivarie")
    give_totp(archivist)
    archivist.user_permissions.add(
        Permission.objects.get(codename="export_archive"),
        Permission.objects.get(codename="view_application"),
    )
    client = logged_in(archivist)
    assert client.get(reverse("admin:portal_archivebatch_add")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:portal_archivebatch_add"),
            {
                "source": "grants",
                "public_body": str(grants.body.pk),
                "year": str(timezone.localdate().year),
                "group": str(grants.programme.pk),
                "submission_agreement": "KS 2027/12",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    batch = ArchiveBatch.objects.get()
    assert (batch.source, batch.group_label, batch.requested_by) == (
        "grants",
        grants.programme.name,
        archivist,
    )
    assert batch.status == "ready" and [p["object_id"] for p in batch.packages] == [closed.pk]
    assert open_case.pk not in [p["object_id"] for p in batch.packages]
    listing = client.get(reverse("admin:portal_archivebatch_changelist"))
    assert listing.status_code == 200
    assert "1 av 1" in listing.content.decode() or "1 of 1" in listing.content.decode()


def test_a_case_left_out_is_named_by_its_diarienummer_with_the_reason(
    grants: Grants, staff: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    open_case = submitted(grants)
    client = logged_in(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:grants_application_changelist"),
            {"action": "export_to_earchive", "_selected_action": [str(open_case.pk)]},
        )
    batch = ArchiveBatch.objects.get()
    page = client.get(reverse("admin:portal_archivebatch_change", args=[batch.pk]))
    text = page.content.decode()
    assert f"{open_case.registry_number}: Ärendet är inte avslutat" in text
    assert str(batch) in text  # the delivery named by its kind, not a code
