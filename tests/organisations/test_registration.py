from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from stdnum import luhn

from organisations.models import JoinRequest, Organisation, OrganisationMembership
from portal.models import AuditEvent, User
from tests.helpers.clients import logged_in
from tests.organisations.factories import OrganisationFactory, TargetGroupFactory

pytestmark = pytest.mark.django_db


def number(nine: str = "802479224") -> str:
    full = nine + luhn.calc_check_digit(nine)
    return f"{full[:6]}-{full[6:]}"


def bankgiro(six: str = "505000") -> str:
    full = six + luhn.calc_check_digit(six)
    return f"{full[:3]}-{full[3:]}"


def wrong_last_digit(value: str) -> str:
    return value[:-1] + str((int(value[-1]) + 1) % 10)


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Föreningen Solstrålen",
        "legal_form": "ideell_forening",
        "organisation_number": number().replace("-", ""),
        "founded_year": "1987",
        "umbrella_organisation": "",
        "street_address": "Storgatan 1",
        "postal_code": "12345",
        "city": "Exempelstad",
        "district": "Centrum",
        "contact_email": "info@solstralen.se",
        "contact_phone": "010-123 45 67",
        "website": "solstralen.se",
        "purpose": "Vi ordnar läger och fritidsaktiviteter för barn.",
        "members_total": "120",
        "members_7_25": "80",
        "members_women": "60",
        "members_men": "55",
        "members_other_gender": "",
        "payment_method": "bankgiro",
        "payment_account": bankgiro().replace("-", ""),
        "public_listing": "on",
    }
    data.update(overrides)
    return data


def test_a_representative_registers_an_organisation(member: User) -> None:
    group = TargetGroupFactory(name="Barn 0–12 år")
    response = logged_in(member).post(
        reverse("organisations:register"), form_data(target_groups=[group.pk]), follow=True
    )
    assert response.redirect_chain, response.content.decode()[:3000]
    organisation = Organisation.objects.get()
    assert organisation.organisation_number == number()
    assert organisation.payment_account == bankgiro()
    assert organisation.postal_code == "123 45"
    assert organisation.website == "https://solstralen.se"
    assert organisation.status == "pending"
    assert not organisation.payment_details_verified
    assert list(organisation.target_groups.all()) == [group]
    membership = OrganisationMembership.objects.get(organisation=organisation)
    assert (membership.user, membership.role) == (member, "representative")
    assert AuditEvent.objects.filter(action="registered", object_id=str(organisation.pk)).exists()
    assert "Föreningen Solstrålen" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"organisation_number": wrong_last_digit(number())},
            "organisation_number",
            "kontrollera den sista siffran",
        ),
        ({"organisation_number": ""}, "organisation_number", "Ange organisationsnumret"),
        ({"payment_account": wrong_last_digit(bankgiro())}, "payment_account", "bankgironumret"),
        ({"members_7_25": "500"}, "members_7_25", "fler än"),
        ({"contact_email": "inte-en-adress"}, "contact_email", "e-postadress"),
        ({"postal_code": "1234"}, "postal_code", "fem siffror"),
    ],
)
def test_bad_input_is_refused_in_swedish_and_nothing_is_stored(
    member: User, overrides: dict[str, str], field: str, message: str
) -> None:
    response = logged_in(member).post(reverse("organisations:register"), form_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower(), errors[field]
    assert not Organisation.objects.exists()


def test_a_network_may_register_without_number(member: User) -> None:
    response = logged_in(member).post(
        reverse("organisations:register"),
        form_data(legal_form="natverk", organisation_number="", name="Nätverket Trygga Gator"),
    )
    assert response.status_code == 302
    assert Organisation.objects.get().organisation_number is None


def test_a_taken_number_offers_to_ask_to_join_without_revealing_members(
    member: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    existing = OrganisationFactory(
        organisation_number=number(), name="Solstrålen (redan registrerad)"
    )
    from tests.organisations.factories import OrganisationMembershipFactory

    representative = OrganisationMembershipFactory(
        organisation=existing, user__email="hemlig.ordforande@forening.se"
    ).user
    client = logged_in(member)
    response = client.post(reverse("organisations:register"), form_data())
    page = response.content.decode()
    assert response.status_code == 200
    assert "redan registrerad" in page.lower()
    assert representative.email not in page and representative.name not in page
    assert Organisation.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:join_request_create"),
            {"organisation_number": number(), "message": "Jag är ny kassör."},
            follow=True,
        )
    join_request = JoinRequest.objects.get()
    assert (join_request.organisation, join_request.user, join_request.status) == (
        existing,
        member,
        "pending",
    )
    assert [m.to for m in mail.outbox] == [[representative.email]]
    # asking twice does not create a second request
    client.post(reverse("organisations:join_request_create"), {"organisation_number": number()})
    assert JoinRequest.objects.count() == 1


def test_the_header_shows_the_representatives_organisation_role(db: None) -> None:
    from tests.organisations.factories import OrganisationMembershipFactory

    membership = OrganisationMembershipFactory(organisation__name="Föreningen Solstrålen")
    page = logged_in(membership.user).get(reverse("portal:dashboard")).content.decode()
    assert "Företrädare (firmatecknare), Föreningen Solstrålen" in page


@pytest.mark.parametrize("value", ["123456789012345678901234", "x", "-1"])
def test_a_target_group_id_that_cannot_exist_is_a_form_error(member: User, value: str) -> None:
    """Not an overflow in the database driver (a 500): the choice is invalid."""
    response = logged_in(member).post(
        reverse("organisations:register"), form_data(target_groups=[value])
    )
    assert response.status_code == 200
    assert "target_groups" in response.context["form"].errors
    assert not Organisation.objects.exists()


def test_the_organisation_number_is_not_marked_optional(member: User) -> None:
    """It is required for every legal form but a network without one: the label does not say
    "(valfritt)", the help text says when it may be left empty; fields that are optional still
    say so."""
    page = " ".join(
        logged_in(member).get(reverse("organisations:register")).content.decode().split()
    )
    label = page.split('<label for="id_organisation_number">')[1].split("</label>")[0]
    assert label == "Organisationsnummer"
    assert "Lämna fältet tomt endast för ett nätverk utan organisationsnummer." in page
    assert "(valfritt)" in page  # the other optional fields are still marked
