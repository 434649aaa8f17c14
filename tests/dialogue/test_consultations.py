"""A consultation's life as its users meet it: an officer writes it with a document and
publishes it to the organisations asked; members respond by the last day, each response
registered as it arrives; reminders go before the last day to those who have not responded;
after the last day the responses are public, except what an organisation marked as sensitive
until the officer has assessed its secrecy; then what happened next is published and every
respondent is told."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dialogue import services
from dialogue.models import Consultation, Response, Secrecy
from organisations.models import OrganisationStatus
from portal import transitions
from portal.models import Notification
from portal.notifications import scan
from tests.dialogue.conftest import Kommun
from tests.helpers.clients import logged_in
from tests.organisations.factories import (
    MINIMAL_PDF,
    OrganisationFactory,
    OrganisationMembershipFactory,
    TargetGroupFactory,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


def _published(kommun: Kommun, **extra: Any) -> Consultation:
    with time_machine.travel(at(2027, 2, 1, 9), tick=False):
        consultation = services.consultation_create(
            actor=kommun.officer,
            public_body=kommun.committee,
            title="Ny biblioteksplan",
            question="Vad tycker ni om förslaget till biblioteksplan?",
            audience=extra.pop("audience", "all"),
            deadline=date(2027, 3, 1),
            **extra,
        )
        return services.consultation_publish(
            actor=kommun.officer, consultation=consultation, seen_state=None
        )


def _pdf(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def test_an_officer_writes_and_publishes_a_consultation(
    kommun: Kommun, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(at(2027, 2, 1, 9), tick=False):
        client = logged_in(kommun.officer)
        created = client.post(
            reverse("dialogue:officer_consultations"),
            {
                "title": "Ny biblioteksplan",
                "public_body": kommun.committee.pk,
                "question": "Vad tycker ni?",
                "audience": "all",
                "deadline": "2027-03-01",
            },
        )
        assert created.status_code == 302
        consultation = Consultation.objects.get()
        assert consultation.status == "draft" and consultation.registry_number
        # a draft is the officers' own
        assert (
            Client().get(reverse("dialogue:consultation", args=[consultation.pk])).status_code
            == 404
        )
        client.post(
            reverse("dialogue:consultation_document_add", args=[consultation.pk]),
            {"file": _pdf()},
        )
        document = consultation.documents.get()
        assert (
            Client().get(reverse("dialogue:consultation_document", args=[document.pk])).status_code
            == 404
        )
        url = reverse("dialogue:consultation_publish", args=[consultation.pk])
        data = {"seen_state": transitions.state_token(Consultation.objects.get())}
        assert 'name="confirmed"' in client.post(url, data).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {**data, "confirmed": "1"})
    consultation.refresh_from_db()
    assert consultation.status == "open"
    assert Notification.objects.filter(kind="consultation_published", recipient=kommun.rep).exists()
    page = Client().get(reverse("dialogue:consultation", args=[consultation.pk]))
    assert "Vad tycker ni?" in page.content.decode()
    assert (
        Client().get(reverse("dialogue:consultation_document", args=[document.pk])).status_code
        == 200
    )


def test_a_consultation_gives_at_least_a_week(kommun: Kommun) -> None:
    with time_machine.travel(at(2027, 2, 1, 9), tick=False):
        consultation = services.consultation_create(
            actor=kommun.officer,
            public_body=kommun.committee,
            title="Bråttom",
            question="?",
            audience="all",
            deadline=date(2027, 2, 5),
        )
        with pytest.raises(ValidationError):
            services.consultation_publish(
                actor=kommun.officer, consultation=consultation, seen_state=None
            )
    consultation.refresh_from_db()
    assert consultation.status == "draft"


def test_a_response_is_registered_and_public_after_the_last_day(
    kommun: Kommun, django_capture_on_commit_callbacks: Any
) -> None:
    consultation = _published(kommun)
    url = reverse("dialogue:respond", args=[consultation.pk])
    page_url = reverse("dialogue:consultation", args=[consultation.pk])
    data = {
        "organisation": kommun.organisation.pk,
        "text": "Vi vill ha längre öppettider.",
        "confirm": "on",
    }
    with time_machine.travel(at(2027, 2, 10, 20), tick=False):
        client = logged_in(kommun.editor)
        unconfirmed = client.post(url, {**data, "confirm": ""})
        assert unconfirmed.status_code == 400 and not Response.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            sent = client.post(url, {**data, "attachments": [_pdf("bilaga.pdf")]})
        assert sent.status_code == 302
        response = Response.objects.get()
        assert response.registry_number.startswith(kommun.committee.registry_prefix)
        assert response.attachments.count() == 1
        assert Notification.objects.filter(
            kind="response_received", recipient=kommun.editor
        ).exists()
        # one response per organisation
        assert client.post(url, data).status_code == 400
        assert Response.objects.count() == 1
        # not public before the last day has passed
        assert "längre öppettider" not in Client().get(page_url).content.decode()
        attachment = response.attachments.get()
        assert (
            Client().get(reverse("dialogue:response_file", args=[attachment.pk])).status_code == 404
        )
    with time_machine.travel(at(2027, 3, 1, 23, 30), tick=False):
        late = logged_in(kommun.rep).post(url, data)
        assert late.status_code == 400  # the organisation has responded; and it is not open
        assert "längre öppettider" not in Client().get(page_url).content.decode()
    with time_machine.travel(at(2027, 3, 2, 0, 10), tick=False):
        public = Client().get(page_url).content.decode()
        assert "längre öppettider" in public and response.registry_number in public
        assert "Erik Redaktör" not in public  # the organisation, not the person
        assert (
            Client().get(reverse("dialogue:response_file", args=[attachment.pk])).status_code == 200
        )


def test_a_sensitive_response_is_never_public_before_its_assessment(kommun: Kommun) -> None:
    consultation = _published(kommun)
    with time_machine.travel(at(2027, 2, 10, 20), tick=False):
        response = services.response_submit(
            actor=kommun.rep,
            consultation=consultation,
            organisation=kommun.organisation,
            text="Våra medlemmar på skyddat boende: adress X.",
            sensitive_note="Adressen till det skyddade boendet.",
            uploads=[_pdf("lista.pdf")],
        )
    assert response.secrecy == Secrecy.PENDING
    page_url = reverse("dialogue:consultation", args=[consultation.pk])
    file_url = reverse("dialogue:response_file", args=[response.attachments.get().pk])
    with time_machine.travel(at(2027, 3, 5, 9), tick=False):
        assert "skyddat boende" not in Client().get(page_url).content.decode()
        assert Client().get(file_url).status_code == 404
        with pytest.raises(ValidationError):  # partly secret needs the public text
            services.response_assess(
                actor=kommun.officer, response=response, secrecy="partly", reason="OSL 26:1"
            )
        client = logged_in(kommun.officer)
        client.post(
            reverse("dialogue:response_assess", args=[consultation.pk, response.pk]),
            {
                "secrecy": "partly",
                "reason": "26 kap. 1 § OSL: uppgift om enskilds personliga förhållanden.",
                "public_text": "Våra medlemmar på skyddat boende: [sekretess].",
            },
        )
        public = Client().get(page_url).content.decode()
        assert "[sekretess]" in public and "adress X" not in public
        assert Client().get(file_url).status_code == 404  # a partly secret response's files
        services.response_assess(
            actor=kommun.officer, response=response, secrecy="secret", reason="26 kap. 1 § OSL."
        )
        assert "skyddat boende" not in Client().get(page_url).content.decode()


def test_what_happened_next_is_told_to_every_respondent(
    kommun: Kommun, django_capture_on_commit_callbacks: Any
) -> None:
    consultation = _published(kommun)
    with time_machine.travel(at(2027, 2, 10, 20), tick=False):
        response = services.response_submit(
            actor=kommun.editor,
            consultation=consultation,
            organisation=kommun.organisation,
            text="Längre öppettider.",
        )
        with pytest.raises(ValidationError):  # not before the last day
            services.consultation_outcome_publish(
                actor=kommun.officer, consultation=consultation, outcome="X", seen_state=None
            )
    with time_machine.travel(at(2027, 4, 1, 9), tick=False):
        client = logged_in(kommun.officer)
        client.post(
            reverse("dialogue:response_feedback", args=[consultation.pk, response.pk]),
            {"feedback": "Öppettiderna förlängs på lördagar."},
        )
        url = reverse("dialogue:consultation_outcome", args=[consultation.pk])
        data = {
            "outcome": "Nämnden antog planen med ändrade öppettider.",
            "seen_state": transitions.state_token(Consultation.objects.get()),
        }
        assert 'name="confirmed"' in client.post(url, data).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {**data, "confirmed": "1"})
        public = Client().get(reverse("dialogue:consultation", args=[consultation.pk])).content
        assert "ändrade öppettider" in public.decode()
        assert "Öppettiderna förlängs på lördagar." in public.decode()
    told = set(
        Notification.objects.filter(kind="consultation_outcome").values_list(
            "recipient__email", flat=True
        )
    )
    assert told == {kommun.editor.email, kommun.rep.email}


def test_reminders_go_to_those_asked_who_have_not_responded(kommun: Kommun) -> None:
    group = TargetGroupFactory(name="Äldre")
    kommun.organisation.target_groups.add(group)
    other = OrganisationFactory(status=OrganisationStatus.VERIFIED)
    other.target_groups.add(group)
    other_rep = OrganisationMembershipFactory(organisation=other).user
    outside = OrganisationMembershipFactory(
        organisation=OrganisationFactory(status=OrganisationStatus.VERIFIED)
    ).user
    consultation = _published(kommun, audience="target_groups", target_groups=[group])
    with time_machine.travel(at(2027, 2, 10, 20), tick=False):
        services.response_submit(
            actor=kommun.rep,
            consultation=consultation,
            organisation=kommun.organisation,
            text="Svar.",
        )
    with time_machine.travel(at(2027, 2, 21, 23, 30), tick=False):
        scan()
    assert not Notification.objects.filter(kind__startswith="consultation_reminder").exists()
    with time_machine.travel(at(2027, 2, 22, 0, 30), tick=False):  # a week before, Swedish time
        scan()
        scan()
    rows = list(
        Notification.objects.filter(kind="consultation_reminder_7d").values_list(
            "recipient__email", flat=True
        )
    )
    assert rows == [other_rep.email]  # not those who responded, nor those not asked
    assert outside.email not in rows


def test_only_the_organisations_asked_respond(kommun: Kommun) -> None:
    group = TargetGroupFactory(name="Unga")
    consultation = _published(kommun, audience="target_groups", target_groups=[group])
    with time_machine.travel(at(2027, 2, 10, 20), tick=False):
        with pytest.raises(PermissionDenied):  # not in the target group
            services.response_submit(
                actor=kommun.rep,
                consultation=consultation,
                organisation=kommun.organisation,
                text="Svar.",
            )
        viewer = OrganisationMembershipFactory(organisation=kommun.organisation, role="viewer").user
        kommun.organisation.target_groups.add(group)
        with pytest.raises(PermissionDenied):  # a viewer does not write for it
            services.response_submit(
                actor=viewer,
                consultation=consultation,
                organisation=kommun.organisation,
                text="Svar.",
            )
        for client in (Client(), logged_in(kommun.rep)):
            for url in (
                reverse("dialogue:officer_consultation", args=[consultation.pk]),
                reverse("dialogue:consultation_outcome", args=[consultation.pk]),
            ):
                assert client.get(url).status_code in {302, 403, 404, 405}
                assert client.post(url, {"outcome": "x"}).status_code in {302, 403, 404, 405}
    assert not Response.objects.exists()


def test_the_officers_morning_digest_names_what_the_organisations_sent(
    kommun: Kommun, forum: Any
) -> None:
    """Responses, proposed agenda items and comments of the day before, to the officers who
    manage them, and to nobody else."""
    from portal import notifications
    from tests.dialogue.conftest import member_of
    from tests.portal.factories import CommitteeFactory, MembershipFactory

    consultation = _published(kommun)
    member_of(kommun, forum)
    with time_machine.travel(at(2027, 2, 1, 9), tick=False):
        meeting = services.meeting_schedule(
            actor=kommun.officer,
            forum=forum,
            starts_at=at(2027, 3, 20, 18),
            ends_at=at(2027, 3, 20, 20),
            place="Stadshuset",
        )
    with time_machine.travel(at(2027, 2, 10, 20), tick=False):
        services.response_submit(
            actor=kommun.rep,
            consultation=consultation,
            organisation=kommun.organisation,
            text="Svar.",
            sensitive_note="Namnen.",
        )
        services.agenda_item_propose(
            actor=kommun.editor,
            meeting=meeting,
            organisation=kommun.organisation,
            title="Färdtjänsten",
            description="",
        )
    digest = notifications.digest_for(kommun.officer, date(2027, 2, 11))
    assert digest.counts["dialogue_responses"] == 1
    assert digest.counts["dialogue_proposals"] == 1
    elsewhere = MembershipFactory(public_body=CommitteeFactory(name="Annan nämnd")).user
    assert not notifications.digest_for(elsewhere, date(2027, 2, 11))
    # the morning's email names them
    from django.core import mail

    mail.outbox.clear()
    with time_machine.travel(at(2027, 2, 11, 7, 5), tick=False):
        notifications.scan()
    email = next(m for m in mail.outbox if m.to == [kommun.officer.email])
    assert "1 remissvar har kommit in" in email.body
    assert "markerat som känsligt" in email.body and "Färdtjänsten" in email.body
    assert elsewhere.email not in {m.to[0] for m in mail.outbox}
