"""The local compacts in a real browser, at 1280 and 320 px: the public page passes axe with
nothing wider than the screen; a representative signs the organisation on with a code from the
authenticator app and withdraws after a confirmation; an editor comments on a section of a
version open for comments; an officer writes a section, opens the draft for comments and
records its adoption."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dialogue import services
from dialogue.models import SignOn, VersionComment
from tests.dialogue.conftest import Kommun, adopt, write
from tests.helpers.browser import axe_violations, officer_page
from tests.helpers.mfa import signing_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _overflow(page: Any) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


@pytest.mark.parametrize("width", [1280, 320])
def test_a_representative_signs_on_and_withdraws(
    browser: Any,
    live_server: Any,
    kommun: Kommun,
    width: int,
) -> None:
    compact = write(kommun)
    adopt(kommun, compact.versions.get())
    page = officer_page(browser, live_server, kommun.rep)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/overenskommelser/{compact.pk}/")
    assert page.get_by_role("heading", level=1, name="Överenskommelsen").is_visible()
    assert _overflow(page) == 0
    assert axe_violations(page) == []
    # a wrong code: said beside the field, nothing signed
    page.get_by_label("Kod från din autentiseringsapp").fill("000000")
    page.get_by_role("button", name="Anslut med koden").click()
    assert page.locator("[data-error-summary]").is_visible()
    assert not SignOn.objects.exists()
    page.get_by_label("Kod från din autentiseringsapp").fill(signing_code(kommun.rep))
    page.get_by_role("button", name="Anslut med koden").click()
    assert page.get_by_text("Bryggan är ansluten till version 1 av överenskommelsen.").is_visible()
    assert page.locator("#anslutna td", has_text="Bryggan").is_visible()
    # withdrawing asks first
    page.get_by_text("Lämna överenskommelsen", exact=True).first.click()
    page.locator("#min-organisation form button[type=submit]").click()
    # the page the form leads to, once it is drawn (is_visible() does not wait, and on a busy
    # machine it asked before the new page was there)
    confirm = page.get_by_role("button", name="Ja, lämna överenskommelsen")
    confirm.wait_for(state="visible")
    assert axe_violations(page) == []
    confirm.click()
    page.get_by_text("Bryggan har lämnat överenskommelsen.").wait_for(state="visible")
    assert not SignOn.objects.filter(withdrawn_at=None).exists()
    page.context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_an_editor_comments_on_a_section(
    browser: Any,
    live_server: Any,
    kommun: Kommun,
    width: int,
) -> None:
    compact = write(kommun)
    adopt(kommun, compact.versions.get())
    draft = services.version_start(actor=kommun.officer, compact=compact)
    draft = services.version_section_save(
        actor=kommun.officer,
        version=draft,
        key=draft.sections[0]["key"],
        title="Dialog",
        text="Vi samtalar varje månad.",
        seen_state=None,
    )
    services.version_open_for_comments(
        actor=kommun.officer,
        version=draft,
        closes=timezone.localdate() + timedelta(days=14),
        seen_state=None,
    )
    page = officer_page(browser, live_server, kommun.editor)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/overenskommelser/{compact.pk}/")
    assert page.get_by_role("heading", name="Version 2 är öppen för synpunkter").is_visible()
    assert page.locator("#kommentarer ins").first.is_visible()  # what the revision adds
    page.get_by_text("Lämna synpunkter på ”Dialog”").click()
    assert _overflow(page) == 0
    assert axe_violations(page) == []
    # sent empty: the error is said and nothing is saved
    section = page.locator(f"#avsnitt-{draft.sections[0]['key']}")
    section.get_by_role("button", name="Skicka synpunkten").click()
    assert page.locator("[data-error-summary]").is_visible()
    assert not VersionComment.objects.exists()
    section.get_by_label("Din synpunkt").fill("Skriv sex veckor under sommaren.")
    section.get_by_role("button", name="Skicka synpunkten").click()
    assert page.get_by_text("Din synpunkt har skickats till kommunen. Tack!").is_visible()
    assert VersionComment.objects.get().text == "Skriv sex veckor under sommaren."
    page.context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_an_officer_writes_opens_and_adopts(
    browser: Any,
    live_server: Any,
    kommun: Kommun,
    width: int,
) -> None:
    compact = write(kommun)
    page = officer_page(browser, live_server, kommun.officer)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/handlaggning/")
    page.get_by_role("link", name="Överenskommelser").first.click()
    page.get_by_role("link", name="Överenskommelsen").click()
    assert _overflow(page) == 0
    assert axe_violations(page) == []
    page.get_by_role("link", name="Redigera ”Dialog”").click()
    page.get_by_label("Text").fill("Kommunen bjuder in tidigt, med fyra veckors svarstid.")
    page.get_by_role("button", name="Spara avsnittet").click()
    assert page.get_by_text("”Dialog” har sparats.").is_visible()
    # a last day in the past: said beside the field
    page.get_by_label("Sista dag för synpunkter").fill("2020-01-01")
    page.get_by_role("button", name="Öppna utkastet för synpunkter").click()
    assert (
        page.locator("[data-error-summary]")
        .get_by_role("link", name="Välj en sista dag för synpunkter efter i dag.")
        .is_visible()
    )
    # adopted after a confirmation
    page.get_by_label("Antagen den").fill("2026-03-14")
    page.get_by_label("Antagen av").fill("Kommunfullmäktige")
    page.get_by_label("Paragraf i protokollet").fill("§ 42")
    page.get_by_role("button", name="Registrera beslutet").click()
    assert page.get_by_text("Registrera att Kommunfullmäktige antog version 1").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Ja, registrera beslutet").click()
    assert page.get_by_text("Version 1 är antagen och publicerad").is_visible()
    version = compact.versions.get()
    assert version.status == "adopted"
    assert "fyra veckors svarstid" in version.sections[0]["text"]
    page.context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_a_representative_answers_an_invitation_and_proposes_an_item(
    browser: Any, live_server: Any, kommun: Kommun, width: int
) -> None:
    forum = services.forum_create(
        actor=kommun.officer,
        public_body=kommun.committee,
        title="Pensionärsrådet",
        kind="pensioners_council",
    )
    services.forum_member_invite(
        actor=kommun.officer, forum=forum, organisation=kommun.organisation
    )
    start = timezone.localtime() + timedelta(days=30)
    services.meeting_schedule(
        actor=kommun.officer,
        forum=forum,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Stadshuset",
    )
    page = officer_page(browser, live_server, kommun.rep)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/oversikt/")
    page.get_by_role(
        "link", name="Bryggan är inbjuden till ”Pensionärsrådet” – svara på inbjudan"
    ).click()
    assert page.get_by_role("heading", name="Din organisation i forumet").is_visible()
    assert _overflow(page) == 0
    assert axe_violations(page) == []
    panel = page.locator("#min-organisation")
    panel.get_by_label("Ledamot").select_option(label="Rut Representant")
    panel.get_by_label("Ersättare", exact=False).select_option(label="Erik Redaktör")
    panel.get_by_role("button", name="Tacka ja till inbjudan").click()
    assert page.get_by_text("Bryggan är medlem i forumet.").is_visible()
    # the appointed representative proposes an item for the coming meeting
    page.get_by_text("Föreslå en punkt").first.click()
    page.get_by_label("Rubrik för punkten").fill("Färdtjänsten")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Föreslå punkten").click()
    assert page.get_by_text("Ditt förslag är skickat.").is_visible()
    page.context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_an_officer_runs_a_meeting(
    browser: Any, live_server: Any, kommun: Kommun, width: int
) -> None:
    services.forum_create(
        actor=kommun.officer,
        public_body=kommun.committee,
        title="Pensionärsrådet",
        kind="pensioners_council",
    )
    page = officer_page(browser, live_server, kommun.officer)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/handlaggning/")
    page.get_by_role("link", name="Forum och råd").first.click()
    page.get_by_role("link", name="Pensionärsrådet").click()
    assert _overflow(page) == 0
    assert axe_violations(page) == []
    page.get_by_text("Planera ett möte").click()
    start = timezone.localtime() + timedelta(days=3)  # sooner than the notice allows
    page.get_by_label("Börjar").fill(start.strftime("%Y-%m-%dT14:00"))
    page.get_by_label("Slutar").fill(start.strftime("%Y-%m-%dT16:00"))
    page.get_by_label("Plats").fill("Stadshuset, sal B")
    page.get_by_role("button", name="Planera mötet").click()
    summary = page.locator("[data-error-summary]")
    assert summary.get_by_text("Ledamöterna ska få kallelse minst 7 dagar").is_visible()
    later = timezone.localtime() + timedelta(days=20)
    page.get_by_label("Börjar").fill(later.strftime("%Y-%m-%dT14:00"))
    page.get_by_label("Slutar").fill(later.strftime("%Y-%m-%dT16:00"))
    page.get_by_role("button", name="Planera mötet").click()
    assert page.get_by_text("Mötet är planerat.").is_visible()
    assert _overflow(page) == 0
    assert axe_violations(page) == []
    page.get_by_text("Lägg till en punkt").click()
    page.get_by_label("Rubrik för punkten").fill("Färdtjänsten")
    page.get_by_role("button", name="Lägg till punkten").click()
    assert page.get_by_text("Punkten är på dagordningen.").is_visible()
    page.context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_a_member_responds_to_a_consultation(
    browser: Any, live_server: Any, kommun: Kommun, width: int
) -> None:
    consultation = services.consultation_create(
        actor=kommun.officer,
        public_body=kommun.committee,
        title="Ny biblioteksplan",
        question="Vad tycker ni om förslaget?",
        audience="all",
        deadline=timezone.localdate() + timedelta(days=20),
    )
    services.consultation_publish(actor=kommun.officer, consultation=consultation, seen_state=None)
    page = officer_page(browser, live_server, kommun.editor)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/oversikt/")
    page.get_by_role("link", name="Svara på ”Ny biblioteksplan” för Bryggan").click()
    assert page.get_by_role("heading", name="Svara för din organisation").is_visible()
    assert _overflow(page) == 0
    assert axe_violations(page) == []
    page.get_by_label("Organisationens svar").fill("Vi vill ha fler mötesrum på kvällstid.")
    # not confirmed: said beside the box, the text stays
    page.get_by_role("button", name="Skicka svaret").click()
    assert page.locator("[data-error-summary]").is_visible()
    assert page.get_by_label("Organisationens svar").input_value().startswith("Vi vill ha")
    page.get_by_label("Jag har läst igenom svaret", exact=False).check()
    page.get_by_role("button", name="Skicka svaret").click()
    assert page.get_by_text("Svaret har kommit in och diarieförts som").is_visible()
    assert page.get_by_role("heading", name="Din organisations svar").is_visible()
    page.context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_an_officer_writes_and_publishes_a_consultation(
    browser: Any, live_server: Any, kommun: Kommun, width: int
) -> None:
    page = officer_page(browser, live_server, kommun.officer)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/handlaggning/")
    page.get_by_role("link", name="Remisser").first.click()
    assert _overflow(page) == 0
    assert axe_violations(page) == []
    page.get_by_label("Rubrik").fill("Ny biblioteksplan")
    page.get_by_label("Vad kommunen frågar").fill("Vad tycker ni?")
    page.get_by_label("Sista dag för svar").fill(
        (timezone.localdate() + timedelta(days=3)).isoformat()
    )
    page.get_by_role("button", name="Spara som utkast").click()
    assert page.get_by_text("Remissen är sparad som utkast.").is_visible()
    assert axe_violations(page) == []
    # too short a time: said when publishing
    page.get_by_role("button", name="Publicera remissen").click()
    page.get_by_role("button", name="Publicera").click()
    assert page.get_by_text("Ge organisationerna minst en vecka").is_visible()
    page.context.close()


def _world(kommun: Kommun) -> dict[str, Any]:
    """A compact in force with a revision open for comments and an action plan followed up; a
    forum with a member, a meeting held with published minutes and one coming; a consultation
    open with a response."""
    compact = write(kommun)
    adopt(kommun, compact.versions.get())
    services.compact_sign_on(
        actor=kommun.rep,
        compact=compact,
        organisation=kommun.organisation,
        code=signing_code(kommun.rep),
        seen_version=services.sign_on_version(compact.versions.get()),
    )
    plan = services.plan_add(
        actor=kommun.officer,
        compact=compact,
        title="Handlingsplan",
        starts_on=timezone.localdate().replace(month=1, day=1),
        ends_on=timezone.localdate().replace(month=12, day=31),
    )
    commitment = services.commitment_add(
        actor=kommun.officer, plan=plan, text="Forum två gånger om året.", owner="both"
    )
    follow_up = services.follow_up_save(
        actor=kommun.officer,
        plan=plan,
        year=timezone.localdate().year,
        summary="Ett bra år.",
        entries={commitment.pk: services.EntryInput("done", "Två forum hölls.")},
    )
    services.follow_up_publish(actor=kommun.officer, follow_up=follow_up)
    draft = services.version_start(actor=kommun.officer, compact=compact)
    services.version_open_for_comments(
        actor=kommun.officer,
        version=draft,
        closes=timezone.localdate() + timedelta(days=14),
        seen_state=None,
    )
    forum = services.forum_create(
        actor=kommun.officer,
        public_body=kommun.committee,
        title="Pensionärsrådet",
        kind="pensioners_council",
    )
    member = services.forum_member_invite(
        actor=kommun.officer, forum=forum, organisation=kommun.organisation
    )
    services.forum_member_appoint(
        actor=kommun.rep, member=member, representative=kommun.rep, deputy=kommun.editor
    )
    start = timezone.localtime() + timedelta(days=20)
    coming = services.meeting_schedule(
        actor=kommun.officer,
        forum=forum,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Stadshuset",
    )
    services.agenda_item_add(actor=kommun.officer, meeting=coming, title="Färdtjänsten")
    consultation = services.consultation_create(
        actor=kommun.officer,
        public_body=kommun.committee,
        title="Ny biblioteksplan",
        question="Vad tycker ni?",
        audience="all",
        deadline=timezone.localdate() + timedelta(days=20),
    )
    services.consultation_publish(actor=kommun.officer, consultation=consultation, seen_state=None)
    services.response_submit(
        actor=kommun.rep,
        consultation=consultation,
        organisation=kommun.organisation,
        text="Fler mötesrum.",
        sensitive_note="Namnen på deltagarna.",
    )
    return {
        "compact": compact,
        "section": draft.sections[0]["key"],
        "plan": plan,
        "forum": forum,
        "meeting": coming,
        "consultation": consultation,
    }


@pytest.mark.parametrize("width", [1280, 320])
def test_every_dialogue_page_passes_axe(
    browser: Any, live_server: Any, kommun: Kommun, width: int
) -> None:
    w = _world(kommun)
    public = [
        "/dialog/",
        "/overenskommelser/",
        f"/overenskommelser/{w['compact'].pk}/",
        "/forum/",
        f"/forum/{w['forum'].pk}/",
        "/remisser/",
        f"/remisser/{w['consultation'].pk}/",
    ]
    officer = [
        "/handlaggning/overenskommelser/",
        f"/handlaggning/overenskommelser/{w['compact'].pk}/",
        f"/handlaggning/overenskommelser/{w['compact'].pk}/avsnitt/{w['section']}/",
        f"/handlaggning/overenskommelser/{w['compact'].pk}/handlingsplan/{w['plan'].pk}"
        f"/uppfoljning/{timezone.localdate().year + 1}/",
        "/handlaggning/forum/",
        f"/handlaggning/forum/{w['forum'].pk}/",
        f"/handlaggning/forum/mote/{w['meeting'].pk}/",
        "/handlaggning/remisser/",
        f"/handlaggning/remisser/{w['consultation'].pk}/",
    ]
    for user, paths in ((kommun.rep, public), (kommun.officer, officer)):
        page = officer_page(browser, live_server, user)
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            assert _overflow(page) == 0, path
            assert axe_violations(page) == [], path
        page.context.close()
