from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from portal.models import PublicBody, PublicBodyMembership, User

pytestmark = pytest.mark.django_db

DEMO_ACCOUNTS = [
    "admin@exempel.se",
    "handlaggare@exempel.se",
    "beslutsfattare@exempel.se",
    "forening@exempel.se",
    "forening2@exempel.se",
]


def test_seed_demo_refuses_without_debug(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_is_idempotent_and_creates_the_demo_world(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (
        User.objects.count(),
        PublicBody.objects.count(),
        PublicBodyMembership.objects.count(),
    )
    call_command("seed_demo")
    assert (
        User.objects.count(),
        PublicBody.objects.count(),
        PublicBodyMembership.objects.count(),
    ) == counts

    kommun = PublicBody.objects.get(name="Exempelkommun")
    assert set(kommun.children.values_list("name", flat=True)) == {
        "Kultur- och fritidsnämnden",
        "Socialnämnden",
    }
    assert set(DEMO_ACCOUNTS) <= set(User.objects.values_list("email", flat=True))
    # the directory's associations are represented by an account nobody can log in with
    assert not User.objects.get(email="demo-foreningar@exempel.se").has_usable_password()
    assert User.objects.get(email="admin@exempel.se").is_staff
    assert (
        PublicBodyMembership.objects.filter(
            user__email="handlaggare@exempel.se", role="case_officer"
        ).count()
        == 2
    )
    assert PublicBodyMembership.objects.filter(
        user__email="beslutsfattare@exempel.se", role="decision_maker"
    ).exists()


def test_seed_demo_fills_the_register(settings) -> None:  # type: ignore[no-untyped-def]
    from organisations.models import Organisation

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    def statuses(email: str) -> set[str]:
        return set(
            Organisation.objects.filter(
                memberships__user__email=email, memberships__role="representative"
            ).values_list("status", flat=True)
        )

    assert statuses("forening@exempel.se") == {"verified"}
    assert statuses("forening2@exempel.se") == {"verified", "pending"}
    pending = Organisation.objects.get(status="pending")
    assert pending.documents.count() < 6  # documents missing
    listed = Organisation.objects.filter(public_listing=True, status="verified").count()
    assert listed >= 20
    from grants.demo_history import DISTRICT_SIZES

    # the associations of the earlier years' grants (grants.demo_history), not listed
    history = Organisation.objects.filter(contact_email__endswith="@forening.exempel.se")
    assert history.count() == sum(DISTRICT_SIZES.values())
    # idempotent: seeding twice adds nothing
    assert Organisation.objects.count() == listed + 1 + history.count()


def test_seed_demo_fills_the_grants(settings) -> None:  # type: ignore[no-untyped-def]
    from grants.models import Application, ApplicationStatus

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    draft = Application.objects.get(status="draft")
    assert draft.created_by.email == "forening@exempel.se" and draft.call.is_open()
    assert draft.call.programme.public_body.registry_prefix == "KFN"
    from grants.demo import CLOSED_CALL

    closed = Application.objects.exclude(status="draft").filter(call__title=CLOSED_CALL)
    assert {a.status for a in closed} == {s for s, _label in ApplicationStatus.choices} - {"draft"}
    assert not closed.first().call.is_open()
    assert {a.assigned_to.email for a in closed} == {"handlaggare@exempel.se"}
    waiting = closed.get(status="proposed")
    assert waiting.proposed_by.email == "handlaggare@exempel.se"
    from grants.models import FollowUpReport, Payment, Recovery

    # the approved and the partly approved grant are paid
    assert Payment.objects.filter(application__call__title=CLOSED_CALL).count() == 2
    assert FollowUpReport.objects.filter(status="submitted").count() == 1
    # and the earlier years' grants, with their approved reports, for the statistics
    assert Payment.objects.exclude(application__call__title=CLOSED_CALL).count() > 50
    assert FollowUpReport.objects.filter(status="approved").count() > 40
    assert Recovery.objects.filter(status="open").count() == 1


def test_seed_demo_adds_iop_agreements(settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from agreements.models import Agreement

    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    call_command("seed_demo")
    statuses = dict(Agreement.objects.values_list("title", "status"))
    assert statuses == {
        "Kvällsöppet i Centrum": "active",
        "Familjecentral i Hamnen": "co_creation",
        "Grannstöd i Norr": "initiative",
    }
    active = Agreement.objects.get(status="active")
    assert active.public_body.registry_prefix == "SN" and active.versions.get().pdf


@pytest.mark.parametrize("email", DEMO_ACCOUNTS)
def test_every_demo_account_logs_in_with_the_readme_password(settings, email: str) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    call_command("seed_demo")
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": email, "password": "demo-portal-2026"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_seed_demo_names_the_demo_municipality_and_keeps_what_an_administrator_wrote(
    settings,  # type: ignore[no-untyped-def]
) -> None:
    from portal.models import SiteSettings

    settings.DEBUG = True
    call_command("seed_demo")
    page = Client().get(reverse("portal:personal_data")).content.decode()
    assert "Exempelkommun är personuppgiftsansvarig" in page
    assert "kontakt@exempel.se" in page
    SiteSettings.objects.update(municipality_name="Vår kommun")
    call_command("seed_demo")
    assert SiteSettings.objects.get().municipality_name == "Vår kommun"
