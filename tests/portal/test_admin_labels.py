"""The admin speaks Swedish: allauth's two-factor app and model, Django's "Recent actions"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import User
from tests.helpers.clients import logged_in

pytestmark = pytest.mark.django_db


def test_admin_index_names_two_factor_authentication_in_swedish(staff: User) -> None:
    page = logged_in(staff).get(reverse("admin:index")).content.decode()
    assert "Senaste händelser" in page
    assert "Senaste Händelser" not in page
    assert "Tvåfaktorsautentisering" in page and "Autentiseringsmetoder" in page
    assert "Authenticators" not in page and ">MFA<" not in page


def test_authentication_methods_list_has_swedish_columns_and_filters(staff: User) -> None:
    """`staff` has an authenticator app, listed as one row."""
    url = reverse("admin:mfa_authenticator_changelist")
    page = logged_in(staff).get(url).content.decode()
    for label in ("Person", "Metod", "Tillagd", "Senast använd", "Autentiseringsapp"):
        assert label in page, label
    for english in ("Created at", "Last used at", "TOTP", ">Type<", ">User<"):
        assert english not in page, english
