from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from grants.models import ApplicationStatus, Attachment, Call, Programme
from portal.models import PublicBodyRole, User
from tests.grants.conftest import Grants, complete_draft, make_call, submitted
from tests.grants.factories import ApplicationFactory, ProgrammeFactory
from tests.helpers import object_storage
from tests.helpers.clients import logged_in
from tests.portal.factories import CommitteeFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_an_administrator_sets_up_a_programme_and_a_call_in_the_admin(staff: User) -> None:
    body = CommitteeFactory(name="Kultur- och fritidsnämnden")
    client = logged_in(staff)
    response = client.post(
        reverse("admin:grants_programme_add"),
        {
            "public_body": body.pk,
            "name": "Aktivitetsstöd",
            "kind": "aktivitetsstod",
            "rules": "Per deltagartillfälle.",
            "eligible_legal_forms": ["ideell_forening"],
            "minimum_members": "10",
            "requires_verified": "on",
            "required_document_kinds": ["stadgar"],
            "state_aid_class": "not_aid",  # as the page's list posts its first choice
            "is_active": "on",
            "criteria-TOTAL_FORMS": "1",
            "criteria-INITIAL_FORMS": "0",
            "criteria-0-name": "Nytta",
            "criteria-0-weight": "2",
            "criteria-0-position": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    programme = Programme.objects.get()
    assert programme.eligible_legal_forms == ["ideell_forening"] and programme.criteria.count() == 1
    response = client.post(
        reverse("admin:grants_call_add"),
        {
            "programme": programme.pk,
            "title": "Aktivitetsstöd våren 2027",
            "description": "Sök här.",
            "budget": "250000",
            "opens_at_0": "2027-01-01",
            "opens_at_1": "08:00:00",
            "closes_at_0": "2027-02-15",
            "closes_at_1": "23:59:00",
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "0",
            "questions-0-position": "0",
            "questions-0-text": "Antal deltagartillfällen",
            "questions-0-kind": "number",
            "questions-0-choices": "[]",
            "questions-0-required": "on",
            "questions-0-max_length": "2000",
            "attachment_types-TOTAL_FORMS": "1",
            "attachment_types-INITIAL_FORMS": "0",
            "attachment_types-0-name": "Närvarolistor",
            "attachment_types-0-required": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    call = Call.objects.get()
    assert (
        call.questions.get().kind == "number"
        and call.attachment_types.get().name == "Närvarolistor"
    )
    # Europe/Stockholm: 23:59 local on 15 February is 22:59 UTC
    assert call.closes_at.isoformat() == "2027-02-15T22:59:00+00:00"


def test_the_inbox_filters_searches_and_sorts(grants: Grants) -> None:
    g = grants
    first = submitted(g)
    second = submitted(g)
    from grants import services

    services.application_assign(application=second, actor=g.officer, assignee=g.officer)
    client = logged_in(g.officer)
    url = reverse("grants:inbox")

    def numbers(**params: str) -> list[str]:
        return [a.registry_number for a in client.get(url, params).context["page"].object_list]

    assert numbers() == [second.registry_number, first.registry_number]
    assert numbers(sort="oldest") == [first.registry_number, second.registry_number]
    assert numbers(assigned="me") == [second.registry_number]
    assert numbers(assigned="none") == [first.registry_number]
    # the start of an organisation number lists its cases (a whole number opens the
    # organisation: test_organisation_cases)
    assert set(numbers(q=g.organisation.organisation_number.replace("-", "")[:8])) == {
        first.registry_number,
        second.registry_number,
    }
    assert numbers(q="finns inte") == []
    assert numbers(status="in_review") == []
    assert set(numbers(call=str(g.call.pk))) == {first.registry_number, second.registry_number}


def test_an_inbox_row_shows_the_case_as_the_officer_reads_it(grants: Grants) -> None:
    """Each row: the number linking to the case, the organisation, the call, the status in
    Swedish, the amount, the day it was sent in and the case officer (by name, or by e-mail
    address when the person has given no name; a dash when no one is assigned)."""
    from grants import services
    from portal.formats import short_date
    from portal.money import format_sek

    g = grants
    unassigned = submitted(g)
    assigned = submitted(g)
    services.application_assign(application=assigned, actor=g.officer, assignee=g.officer)
    client = logged_in(g.officer)
    rows = {
        row.split("</th>")[0]: row
        for row in client.get(reverse("grants:inbox")).content.decode().split("<tr>")[2:]
    }

    def row_of(application: object) -> str:
        link = reverse("grants:officer_application", args=[application.pk])  # type: ignore[attr-defined]
        return next(row for head, row in rows.items() if link in head)

    row = row_of(assigned)
    assert assigned.registry_number in row
    assert "Idrottsföreningen Exempel" in row and g.call.title in row
    assert ">Inskickad<" in row
    assert format_sek(assigned.amount_requested) in row
    assert short_date(assigned.submitted_at) in row
    assert "Hanna Handläggare" in row
    assert "<td>–</td>" in row_of(unassigned)

    # a write to many people's rows at once, which sends no signal per row
    User.objects.filter(pk=g.officer.pk).update(name="")
    rows = {
        row.split("</th>")[0]: row
        for row in client.get(reverse("grants:inbox")).content.decode().split("<tr>")[2:]
    }
    assert g.officer.email in row_of(assigned)


def test_a_case_keeps_its_officers_name_after_they_leave_the_committee(grants: Grants) -> None:
    """The inbox names a case's officer and its call from the lists its filter offers; a case
    officer who has since left the committee (or become its decision maker) is no longer among
    them, and is still named on the cases they hold, read for the page in one query however
    many such cases it shows."""
    from grants import services
    from portal.models import PublicBodyMembership, PublicBodyRole
    from tests.helpers.queries import assert_same_query_count, count_queries
    from tests.portal.factories import MembershipFactory

    g = grants
    leavers = [
        MembershipFactory(
            public_body=g.body, role=PublicBodyRole.CASE_OFFICER, user__name=f"Lämnat {i}"
        ).user
        for i in range(3)
    ]
    cases = [submitted(g) for _ in leavers]
    for case, leaver in zip(cases, leavers, strict=True):
        services.application_assign(application=case, actor=g.officer, assignee=leaver)
    client = logged_in(g.officer)
    client.get(reverse("grants:inbox"))
    PublicBodyMembership.objects.filter(user=leavers[0]).delete()
    with count_queries() as one_left:
        page = client.get(reverse("grants:inbox")).content.decode()
    assert "Lämnat 0" in page and "Lämnat 1" in page
    PublicBodyMembership.objects.filter(user__in=leavers).delete()
    with count_queries() as all_left:
        page = client.get(reverse("grants:inbox")).content.decode()
    assert all(f"Lämnat {i}" in page for i in range(3))
    assert_same_query_count(one_left, all_left)


def test_a_registration_number_opens_its_case_however_the_officer_types_it(
    grants: Grants,
) -> None:
    """The number ("KFN 2026/3") as the portal writes it, in lower case, without the space, with spaces
    around the slash, or without the prefix (the officer's own bodies' prefixes are tried): the
    search goes straight to the case, whatever the other filters say."""
    g = grants
    wanted = submitted(g)
    other = submitted(g)
    client = logged_in(g.officer)
    url = reverse("grants:inbox")
    case = reverse("grants:officer_application", args=[wanted.pk])
    prefix, rest = wanted.registry_number.split(" ")
    year, number = rest.split("/")

    for typed in (
        wanted.registry_number,
        wanted.registry_number.lower(),
        f"{prefix}{year}/{number}",
        f"{prefix.lower()} {year} / {number}",
        f"  {year}/{number} ",
    ):
        response = client.get(url, {"q": typed, "status": "decided", "sort": "oldest"})
        assert response.status_code == 302, typed
        assert response["Location"] == case, typed
    assert other.registry_number != wanted.registry_number

    def listed(q: str) -> list[str]:
        response = client.get(url, {"q": q})
        assert response.status_code == 200, q
        return [a.registry_number for a in response.context["page"].object_list]

    # no such case: the inbox says so, naming the number, which stays in the search field
    for typed in (f"XYZ {year}/{number}", f"{year}/{number}9999"):
        assert listed(typed) == []
        page = client.get(url, {"q": typed}).content.decode()
        assert f'value="{typed}"' in page
        assert f"Inget ärende i dina nämnder har diarienumret {typed}." in page
    # a name that matches nothing is told as before
    page = client.get(url, {"q": "Finns inte"}).content.decode()
    assert "Inga ansökningar matchar urvalet." in page and "diarienumret" not in page
    # Back from the case it opened shows the list as it was, not the number in the field
    assert 'autocomplete="off"' in page


def test_a_number_in_two_of_the_officers_bodies_is_listed_not_opened(grants: Grants) -> None:
    """Typed without its prefix, "2026/1" may be a case of each body the officer works for: the
    inbox lists both instead of choosing one."""
    g = grants
    wanted = submitted(g)
    second_body = CommitteeFactory(name="Socialnämnden", registry_prefix="SN")
    MembershipFactory(public_body=second_body, user=g.officer, role=PublicBodyRole.CASE_OFFICER)
    twin = ApplicationFactory(
        call=make_call(ProgrammeFactory(public_body=second_body)),
        organisation=g.organisation,
        public_body=second_body,
        status=ApplicationStatus.SUBMITTED,
        registry_number=wanted.registry_number.replace("KFN", "SN"),
        submitted_at=timezone.now(),
        created_by=g.representative,
    )
    client = logged_in(g.officer)
    response = client.get(reverse("grants:inbox"), {"q": wanted.registry_number.split(" ")[1]})
    assert response.status_code == 200
    assert {a.pk for a in response.context["page"].object_list} == {wanted.pk, twin.pk}
    # with its prefix, each is one case again
    response = client.get(reverse("grants:inbox"), {"q": twin.registry_number})
    assert response["Location"] == reverse("grants:officer_application", args=[twin.pk])


def test_another_bodys_registration_number_opens_nothing(grants: Grants) -> None:
    """An officer of another body who types the number is not sent to the case (nor told it
    exists): the inbox lists nothing, as for a number that is not there."""
    wanted = submitted(grants)
    response = logged_in(grants.other_body_officer).get(
        reverse("grants:inbox"), {"q": wanted.registry_number}
    )
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


def test_attachments_follow_the_file_rules(grants: Grants) -> None:
    g = grants
    draft = complete_draft(g)
    before = Attachment.objects.count()
    files = object_storage.stored_names()
    response = logged_in(g.editor).post(
        reverse("grants:attachment_add", args=[draft.pk]),
        {"file": SimpleUploadedFile("plan.pdf", b"\x7fELF" + b"\x00" * 100)},
        follow=True,
    )
    assert "tillåtna filtyperna" in response.content.decode()
    assert Attachment.objects.count() == before
    assert object_storage.stored_names() == files
