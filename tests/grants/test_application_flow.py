"""The association's application as a task list: the sections and their status, required
attachments, nothing typed lost on an upload or a budget error, the check-answers page as the
only way to send in, the receipts, drafts offered, deleted and never withdrawn, and the
completion that comes back marked for both sides."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from grants import services
from grants.models import Application, Attachment
from tests.grants.conftest import Grants, complete_draft, form_post, submitted
from tests.helpers.audit import audit_events, nothing_audited
from tests.helpers.clients import logged_in
from tests.helpers.forms import state_of
from tests.organisations.factories import pdf_upload

pytestmark = pytest.mark.django_db


def started(g: Grants) -> Application:
    return services.application_start(actor=g.editor, call=g.call, organisation=g.organisation)


def page_of(client, application: Application) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse("grants:application", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


# --- the task list -------------------------------------------------------------------------


def test_a_new_draft_lists_its_sections_not_started_and_the_required_attachment_missing(
    grants: Grants,
) -> None:
    g = grants
    application = started(g)
    response = logged_in(g.editor).get(reverse("grants:application", args=[application.pk]))
    sections = {s.anchor: s.status for s in response.context["sections"]}
    assert sections == {"om-ansokan": "not_started", "budget": "not_started", "bilagor": "missing"}
    page = response.content.decode()
    assert "Ej påbörjad" in page and "Saknas" in page
    assert 'href="#om-ansokan"' in page and 'href="#bilagor"' in page
    # the call's required attachment is named and marked required, never "Bilaga (valfritt)"
    assert "Projektplan" in page and "Krävs" in page
    assert "Bilaga (valfritt)" not in page
    assert f'id="id_file_{g.attachment_type.pk}"' in page
    assert reverse("grants:check", args=[application.pk]) in page


def test_the_sections_are_in_progress_and_then_completed(grants: Grants) -> None:
    g = grants
    application = started(g)
    client = logged_in(g.editor)
    client.post(
        reverse("grants:application", args=[application.pk]),
        {**form_post(g, application, save="1"), f"question_{g.questions[0].pk}": ""},
    )
    response = client.get(reverse("grants:application", args=[application.pk]))
    sections = {s.anchor: s.status for s in response.context["sections"]}
    assert sections == {"om-ansokan": "in_progress", "budget": "done", "bilagor": "missing"}
    done = complete_draft(g)
    response = client.get(reverse("grants:application", args=[done.pk]))
    assert {s.status for s in response.context["sections"]} == {"done"}
    assert "Klar" in response.content.decode()


# --- nothing typed is lost -----------------------------------------------------------------


def test_uploading_saves_what_was_typed_first(grants: Grants) -> None:
    g = grants
    application = started(g)
    client = logged_in(g.editor)
    data = form_post(g, application, title="Text skriven före uppladdningen")
    data["upload"] = str(g.attachment_type.pk)
    data[f"file_{g.attachment_type.pk}"] = pdf_upload("projektplan.pdf")  # type: ignore[assignment]
    response = client.post(reverse("grants:application", args=[application.pk]), data)
    assert response.status_code == 302
    assert response.url.endswith("#bilagor")
    application = fresh(application)
    assert application.title == "Text skriven före uppladdningen"
    assert application.budget_lines.count() == 3
    attachment = Attachment.objects.get(application=application)
    assert (attachment.attachment_type, attachment.original_name) == (
        g.attachment_type,
        "projektplan.pdf",
    )
    page = page_of(client, application)
    assert "Text skriven före uppladdningen" in page and "projektplan.pdf" in page


def test_an_upload_without_a_file_still_saves_the_text_and_names_what_is_missing(
    grants: Grants,
) -> None:
    g = grants
    application = started(g)
    data = form_post(g, application, title="Sparas ändå", upload=str(g.attachment_type.pk))
    response = logged_in(g.editor).post(reverse("grants:application", args=[application.pk]), data)
    assert response.status_code == 200
    assert f"file_{g.attachment_type.pk}" in response.context["attachments_form"].errors
    page = response.content.decode()
    assert "Utkastet har sparats." in page and "Sparas ändå" in page
    assert fresh(application).title == "Sparas ändå"
    assert not Attachment.objects.exists()


def test_removing_an_attachment_saves_what_was_typed_first(grants: Grants) -> None:
    g = grants
    application = complete_draft(g)
    attachment = Attachment.objects.get(application=application)
    data = form_post(g, application, title="Ny rubrik", remove=str(attachment.pk))
    response = logged_in(g.editor).post(reverse("grants:application", args=[application.pk]), data)
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.removed_at is not None
    assert fresh(application).title == "Ny rubrik"


def test_a_budget_error_is_in_the_summary_and_the_rest_of_the_draft_is_saved(
    grants: Grants,
) -> None:
    g = grants
    application = complete_draft(g)
    data = form_post(g, application, title="Ny rubrik trots budgetfel")
    data["budget-1-amount"] = "tiotusen"
    response = logged_in(g.editor).post(reverse("grants:application", args=[application.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_budget-1-amount"' in page  # the error summary links to the budget row
    assert "Budgeten har inte sparats" in page
    assert "tiotusen" in page  # what was typed is still in the form
    application = fresh(application)
    assert application.title == "Ny rubrik trots budgetfel"
    assert sorted(application.budget_lines.values_list("amount", flat=True)) == [
        Decimal("5000"),
        Decimal("40000"),
    ]  # the saved budget as it was


def test_when_nothing_can_be_saved_the_page_says_so(grants: Grants) -> None:
    g = grants
    application = complete_draft(g)
    data = form_post(g, application, title="Sparas inte")
    data[f"question_{g.questions[1].pk}"] = "många"
    with nothing_audited():
        response = logged_in(g.editor).post(
            reverse("grants:application", args=[application.pk]), data
        )
    assert response.status_code == 200
    assert "Inget har sparats" in response.content.decode()
    assert fresh(application).title == "Kvällsöppet för unga"


# --- check answers, send in, receipts ------------------------------------------------------


def test_the_application_page_never_sends_in(grants: Grants) -> None:
    g = grants
    application = complete_draft(g)
    response = logged_in(g.editor).post(
        reverse("grants:application", args=[application.pk]), form_post(g, application, submit="1")
    )
    assert response.status_code == 302
    assert fresh(application).status == "draft"


def test_save_and_check_leads_to_the_check_answers_page(grants: Grants) -> None:
    g = grants
    application = complete_draft(g)
    response = logged_in(g.editor).post(
        reverse("grants:application", args=[application.pk]), form_post(g, application, check="1")
    )
    assert response.url == reverse("grants:check", args=[application.pk])


def test_the_check_page_lists_every_answer_with_a_change_link_and_sends_in(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    application = complete_draft(g)
    client = logged_in(g.editor)
    url = reverse("grants:check", args=[application.pk])
    page = client.get(url).content.decode()
    edit = reverse("grants:application", args=[application.pk])
    for answer in ("Kvällsöppet för unga", "Öppen verksamhet två kvällar i veckan.", "Norr"):
        assert answer in page
    assert "40\u00a0000\u00a0kr" in page and "plan.pdf" in page
    for field in ("id_title", f"id_question_{g.questions[0].pk}", "id_amount_requested"):
        assert f'href="{edit}#{field}"' in page
    assert page.count(">Ändra<") >= 8
    assert "Skicka in ansökan" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"seen_state": state_of(application)})
    assert response.url == reverse("grants:receipt", args=[application.pk])
    application = fresh(application)
    assert application.status == "submitted" and application.completed_at is None
    receipt = client.get(response.url).content.decode()
    assert "Ansökan är inskickad" in receipt and application.registry_number in receipt
    assert "kompletteringen" not in receipt
    # What was sent in, for whom, and what happens next; the heading is read first.
    assert "<dt>Organisation</dt><dd>Idrottsföreningen Exempel</dd>" in receipt
    call_link = reverse("grants:call", args=[g.call.pk])
    assert f'<dt>Utlysning</dt><dd><a href="{call_link}">{g.call.title}</a></dd>' in receipt
    assert "<dt>Sökt belopp</dt><dd>40\u00a0000\u00a0kr</dd>" in receipt
    assert "Handläggaren bedömer ansökan" in receipt
    assert "beslutet visas på ansökans sida" in receipt
    assert '<h1 tabindex="-1" data-focus-on-load>Ansökan är inskickad</h1>' in receipt
    assert any("Mottagningsbekräftelse" in m.subject for m in mail.outbox)


def test_what_blocks_sending_in_is_listed_with_links_and_nothing_is_sent(grants: Grants) -> None:
    g = grants
    application = started(g)
    client = logged_in(g.editor)
    url = reverse("grants:check", args=[application.pk])
    response = client.get(url)
    page = response.content.decode()
    edit = reverse("grants:application", args=[application.pk])
    assert f'<a href="{edit}#id_file_{g.attachment_type.pk}">Bifoga ”Projektplan”.</a>' in page
    assert f'<a href="{edit}#id_title">' in page
    assert "Skicka in ansökan</button>" not in page
    with nothing_audited():
        response = client.post(url, {"seen_state": state_of(application)})
    assert response.status_code == 200
    assert "Ansökan skickades inte in" in response.content.decode()
    assert fresh(application).status == "draft"


def test_sending_in_after_the_call_closed_is_refused_on_the_check_page(grants: Grants) -> None:
    g = grants
    application = complete_draft(g)
    g.call.closes_at = timezone.now() - timezone.timedelta(seconds=1)
    g.call.save()
    client = logged_in(g.editor)
    response = client.post(
        reverse("grants:check", args=[application.pk]), {"seen_state": state_of(application)}
    )
    assert "Det går inte längre att skicka in ansökningar" in response.content.decode()
    assert fresh(application).status == "draft"


def test_a_viewer_cannot_send_in_from_the_check_page(grants: Grants) -> None:
    g = grants
    application = complete_draft(g)
    response = logged_in(g.viewer).post(
        reverse("grants:check", args=[application.pk]), {"seen_state": state_of(application)}
    )
    assert response.status_code == 302
    assert fresh(application).status == "draft"
    outsider = logged_in(g.outsider).get(reverse("grants:check", args=[application.pk]))
    assert outsider.status_code == 404


def test_a_completion_gets_its_own_receipt_and_is_marked_for_both_sides(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    application = submitted(g)
    services.application_request_completion(
        application=application, actor=g.officer, message="Mer underlag.", due=timezone.localdate()
    )
    application = fresh(application)
    member = logged_in(g.editor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(
            reverse("grants:check", args=[application.pk]), {"seen_state": state_of(application)}
        )
    receipt = member.get(response.url).content.decode()
    assert "Vi har tagit emot kompletteringen" in receipt
    assert "Ansökan är inskickad" not in receipt
    application = fresh(application)
    assert application.status == "submitted" and application.completed_at is not None
    subjects = {m.subject for m in mail.outbox}
    assert any("Komplettering mottagen" in s for s in subjects), subjects
    assert not any("Mottagningsbekräftelse" in s for s in subjects)

    assert "Komplettering inkommen" in page_of(member, application)
    officer = logged_in(g.officer)
    officer_page = officer.get(reverse("grants:officer_application", args=[application.pk]))
    assert "Komplettering inkommen" in officer_page.content.decode()
    inbox = officer.get(reverse("grants:inbox")).content.decode()
    assert "Komplettering inkommen" in inbox

    services.application_start_review(application=application, actor=g.officer)
    assert "Komplettering inkommen" not in officer.get(reverse("grants:inbox")).content.decode()


# --- drafts --------------------------------------------------------------------------------


def test_the_call_page_offers_the_existing_draft_and_starting_again_continues_it(
    grants: Grants,
) -> None:
    g = grants
    client = logged_in(g.editor)
    call_url = reverse("grants:call", args=[g.call.pk])
    assert "Du har redan ett utkast" not in client.get(call_url).content.decode()
    draft = started(g)
    page = client.get(call_url).content.decode()
    assert "Du har redan ett utkast" in page
    assert reverse("grants:application", args=[draft.pk]) in page and "Fortsätt" in page
    assert "Påbörja en ansökan" not in page  # the only organisation has its draft
    response = client.post(
        reverse("grants:start", args=[g.call.pk]), {"organisation": g.organisation.pk}
    )
    assert response.url == reverse("grants:application", args=[draft.pk])
    assert Application.objects.count() == 1
    # another person's organisation's draft is not offered
    assert "Du har redan ett utkast" not in logged_in(g.outsider).get(call_url).content.decode()


def test_a_draft_is_deleted_after_the_confirmation_step_and_audited(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    application = complete_draft(g)
    client = logged_in(g.editor)
    url = reverse("grants:delete", args=[application.pk])
    assert url in page_of(client, application)
    with nothing_audited():
        asked = client.post(url, {"seen_state": state_of(application)})
    assert asked.status_code == 200 and "Ta bort utkastet" in asked.content.decode()
    assert Application.objects.filter(pk=application.pk).exists()
    pk = application.pk
    stored = Attachment.objects.get(application=application).file
    assert stored.storage.exists(stored.name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"seen_state": state_of(application), "confirmed": "1"})
    assert not stored.storage.exists(stored.name)  # the draft's file is gone too
    assert response.url == reverse("grants:mine")
    assert not Application.objects.filter(pk=pk).exists()
    assert not Attachment.objects.filter(application_id=pk).exists()
    assert audit_events(application, "draft_deleted").get().actor == g.editor
    mine = client.get(reverse("grants:mine")).content.decode()
    assert "Kvällsöppet för unga" not in mine


def test_a_viewer_cannot_delete_a_draft_and_nothing_sent_in_is_deleted(grants: Grants) -> None:
    g = grants
    draft = complete_draft(g)
    url = reverse("grants:delete", args=[draft.pk])
    assert url not in page_of(logged_in(g.viewer), draft)
    response = logged_in(g.viewer).post(url, {"seen_state": state_of(draft), "confirmed": "1"})
    assert response.status_code == 403
    assert Application.objects.filter(pk=draft.pk).exists()

    application = submitted(g)
    client = logged_in(g.editor)
    assert reverse("grants:delete", args=[application.pk]) not in page_of(client, application)
    client.post(
        reverse("grants:delete", args=[application.pk]),
        {"seen_state": state_of(application), "confirmed": "1"},
    )
    assert fresh(application).status == "submitted"
    with pytest.raises(ValidationError):
        services.application_delete(application=application, actor=g.editor)


def test_withdrawing_asks_first_and_a_draft_is_deleted_not_withdrawn(grants: Grants) -> None:
    g = grants
    draft = complete_draft(g)
    client = logged_in(g.editor)
    assert reverse("grants:withdraw", args=[draft.pk]) not in page_of(client, draft)
    with pytest.raises(ValidationError):
        services.application_withdraw(application=draft, actor=g.editor)

    application = submitted(g)
    url = reverse("grants:withdraw", args=[application.pk])
    with nothing_audited():
        asked = client.post(url, {"seen_state": state_of(application)})
    assert asked.status_code == 200 and "Återkalla ansökan" in asked.content.decode()
    assert fresh(application).status == "submitted"
    client.post(url, {"seen_state": state_of(application), "confirmed": "1"})
    assert fresh(application).status == "withdrawn"


def test_the_deadline_and_the_amount_read_well(grants: Grants) -> None:
    g = grants
    application = started(g)
    page = page_of(logged_in(g.editor), application)
    assert "Skicka in ansökan senast" in page and " kl. " in page
    assert "dagar kvar)." in page
    assert "(kr) (valfritt)" not in page and "Sökt belopp i kronor" in page


def test_saving_a_draft_someone_else_saved_meanwhile_says_so_and_keeps_what_was_typed(
    grants: Grants,
) -> None:
    """Two people (or two tabs) edit the same draft. The older page's save is refused with one
    message in the association's words: who saved, that nothing typed is lost, how to see the
    saved version, and what saving again does. Nothing is marked as wrong, since nothing is."""
    g = grants
    application = started(g)
    url = reverse("grants:application", args=[application.pk])
    older_tab = form_post(g, fresh(application), title="Text från den gamla fliken")
    logged_in(g.representative).post(url, form_post(g, fresh(application), title="Ritas text"))
    assert fresh(application).title == "Ritas text"

    response = logged_in(g.editor).post(url, {**older_tab, "save": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert fresh(application).title == "Ritas text"  # nothing saved
    assert "Ansökan har sparats av någon annan" in page
    assert "Inget av det du har skrivit här är sparat ännu" in page
    assert "öppna ansökan i en ny flik" in page
    assert "ersätter det som står i formuläret den andras ändringar" in page
    assert 'value="Text från den gamla fliken"' in page  # still in the form
    assert "Ärendet" not in page
    assert "Rätta det som är markerat" not in page
    assert 'class="error-summary"' not in page  # nothing to put right
    assert "data-focus-on-load" in page

    # Saving again from the page as it came back replaces the other person's changes.
    seen = page.split('name="seen_state" value="')[1].split('"')[0]
    logged_in(g.editor).post(url, {**older_tab, "seen_state": seen, "save": "1"})
    assert fresh(application).title == "Text från den gamla fliken"
