from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import User
from tests.helpers.clients import logged_in
from tests.organisations.conftest import World

pytestmark = pytest.mark.django_db


def test_admin_finds_an_organisation_by_number_and_sees_members_documents_and_history(
    world: World, staff: User
) -> None:
    client = logged_in(staff)
    digits = world.organisation.organisation_number
    page = client.get(
        reverse("admin:organisations_organisation_changelist"), {"q": digits}
    ).content.decode()
    assert world.organisation.name in page
    page = client.get(
        reverse("admin:organisations_organisation_changelist"), {"q": "idrottsföreningen"}
    ).content.decode()
    assert world.organisation.name in page

    page = client.get(
        reverse("admin:organisations_organisation_change", args=[world.organisation.pk])
    ).content.decode()
    for person in (world.representative, world.editor, world.viewer):
        assert person.email in page or person.name in page
    assert "Stadgar" in page  # the annual document inline
    assert "document_uploaded" in page and "member_invited" in page  # the audit history
    assert 'name="name"' not in page  # read-only: changes go through the portal's services


def test_admin_keeps_target_groups(staff: User) -> None:
    response = logged_in(staff).post(
        reverse("admin:organisations_targetgroup_add"), {"name": "Seniorer", "position": "3"}
    )
    assert response.status_code == 302
