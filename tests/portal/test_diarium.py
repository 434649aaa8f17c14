"""The registrar's diarium: every document a public body registered in a year, of every kind the
apps register, for the body's registrars and officers only; a registrar reads the register and
nothing of the cases behind it."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from agreements.models import Agreement
from dialogue.models import Compact, Consultation, Response
from grants.models import Application
from organisations.models import Organisation
from portal.models import PublicBody, PublicBodyMembership, PublicBodyRole, User
from tests.helpers.queries import count_queries
from tests.portal.factories import UserFactory, give_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, django_capture_on_commit_callbacks) -> PublicBody:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    settings.DEBUG = False
    return PublicBody.objects.get(name="Kultur- och fritidsnämnden")


def _registrar(body: PublicBody) -> User:
    person = UserFactory(name="Rut Registrator")
    PublicBodyMembership.objects.create(
        user=person, public_body=body, role=PublicBodyRole.REGISTRAR
    )
    give_totp(person)
    return person


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _registered(body: PublicBody, year: int) -> set[str]:
    prefix = f"{body.registry_prefix} {year}/"
    numbers: set[str] = set()
    for model, path in (
        (Application, "public_body"),
        (Agreement, "public_body"),
        (Compact, "public_body"),
        (Consultation, "public_body"),
        (Response, "consultation__public_body"),
    ):
        numbers.update(
            model.objects.filter(**{path: body, "registry_number__startswith": prefix}).values_list(
                "registry_number", flat=True
            )
        )
    return numbers


def test_the_registrar_reads_every_kind_registered_in_the_year(demo: PublicBody) -> None:
    registrar = _registrar(demo)
    expected = _registered(demo, 2026)
    kinds = {"Ansökan om bidrag", "IOP-avtal", "Överenskommelse", "Remiss", "Remissvar"}
    client = _client(registrar)
    shown: set[str] = set()
    page_text = ""
    for number in range(1, 20):
        response = client.get(reverse("portal:diarium"), {"ar": 2026, "sida": number})
        assert response.status_code == 200
        text = response.content.decode()
        page_text += text
        before = len(shown)
        shown.update(n for n in expected if f">{n}<" in text)
        if len(shown) == before:
            break
    assert shown == expected
    assert all(kind in page_text for kind in kinds)
    # a registrar reads the register: no links into the cases
    assert reverse("grants:officer_application", args=[1]).rsplit("/", 2)[0] not in page_text


def test_a_registrar_is_no_officer(demo: PublicBody) -> None:
    client = _client(_registrar(demo))
    assert client.get(reverse("portal:officer_home")).status_code == 403
    assert client.get(reverse("grants:inbox")).status_code in {403, 404}
    application = Application.objects.exclude(registry_number=None).first()
    assert application is not None
    response = client.get(reverse("grants:officer_application", args=[application.pk]))
    assert response.status_code in {403, 404}
    organisation = Organisation.objects.first()
    assert organisation is not None
    response = client.get(reverse("organisations:officer_detail", args=[organisation.pk]))
    assert response.status_code in {403, 404}
    # the menu offers the diarium, and nothing else of an officer's
    home = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("portal:diarium") in home
    assert reverse("grants:inbox") not in home


def test_only_the_bodys_registrars_and_officers_read_it(demo: PublicBody) -> None:
    association = User.objects.get(email="forening@exempel.se")
    assert _client(association).get(reverse("portal:diarium")).status_code == 403
    assert Client().get(reverse("portal:diarium")).status_code == 302  # to log in
    # a registrar of another body cannot choose this one: they get their own
    other = PublicBody.objects.get(name="Socialnämnden")
    client = _client(_registrar(other))
    response = client.get(reverse("portal:diarium"), {"organ": demo.pk, "ar": 2026})
    assert response.status_code == 200
    text = response.content.decode()
    assert not any(f">{n}<" in text for n in _registered(demo, 2026))
    # nonsense in the address is no error
    response = client.get(reverse("portal:diarium"), {"organ": "x'", "ar": "zz", "sida": "-1"})
    assert response.status_code == 200


def test_officers_get_links_to_the_cases(demo: PublicBody) -> None:
    officer = User.objects.get(email="handlaggare@exempel.se")
    give_totp(officer)
    # officers find the diarium and the legal holds on Case handling
    home = _client(officer).get(reverse("portal:officer_home")).content.decode()
    assert reverse("portal:diarium") in home and reverse("portal:legal_holds") in home
    text = _client(officer).get(reverse("portal:diarium"), {"organ": demo.pk}).content.decode()
    application = (
        Application.objects.filter(public_body=demo, registry_number__startswith="KFN 2026/")
        .order_by("-submitted_at")
        .first()
    )
    assert application is not None
    assert reverse("grants:officer_application", args=[application.pk]) in text


def test_the_page_reads_the_same_number_of_queries_whatever_the_rows(demo: PublicBody) -> None:
    client = _client(_registrar(demo))
    url = reverse("portal:diarium")
    application = Application.objects.filter(public_body=demo).exclude(registry_number=None).first()
    assert application is not None

    def more(start: int) -> None:
        for n in range(start, start + 40):
            Application.objects.create(
                call=application.call,
                organisation=application.organisation,
                public_body=demo,
                created_by=application.created_by,
                title=f"Fler {n}",
                status="submitted",
                registry_number=f"{demo.registry_prefix} 2026/{500 + n}",
                submitted_at=application.submitted_at,
            )

    more(0)  # more than a page: the list is counted
    first = client.get(url, {"organ": demo.pk, "ar": 2026}).content.decode()
    # the next page keeps the body and year chosen
    assert f'href="?organ={demo.pk}&amp;ar=2026&amp;sida=2"' in first
    with count_queries() as before:
        assert client.get(url).status_code == 200
    more(40)
    with count_queries() as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before)


def test_the_export_holds_the_year_and_runs_no_formula(demo: PublicBody) -> None:
    registrar = _registrar(demo)
    organisation = Organisation.objects.filter(
        applications__public_body=demo, applications__registry_number__startswith="KFN 2026/"
    ).first()
    assert organisation is not None
    Organisation.objects.filter(pk=organisation.pk).update(name='=HYPERLINK("http://x","y")')
    client = _client(registrar)
    response = client.get(reverse("portal:diarium_export", args=["csv"]), {"ar": 2026})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Diarienummer", "Registrerad", "Typ", "Rubrik", "Part"]
    assert {row[0] for row in rows[1:]} == _registered(demo, 2026)
    assert any(row[4].startswith("'=HYPERLINK") for row in rows[1:])
    response = client.get(reverse("portal:diarium_export", args=["xlsx"]), {"ar": 2026})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.max_row == len(rows)
    association = User.objects.get(email="forening@exempel.se")
    response = _client(association).get(reverse("portal:diarium_export", args=["csv"]))
    assert response.status_code == 403
