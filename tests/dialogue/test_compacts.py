"""A local compact's life as its users meet it: an officer writes the first version, opens it
for comments and records its adoption; a representative signs the organisation on with a code
from their authenticator app; a revision is adopted and the organisations confirm it or
withdraw; an action plan is followed up and published."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dialogue import services
from dialogue.models import (
    Compact,
    CompactVersion,
    FollowUp,
    SignOn,
    VersionComment,
    VersionStatus,
)
from portal import transitions
from portal.models import AuditEvent, Notification
from tests.dialogue.conftest import Kommun, adopt, write
from tests.helpers.clients import logged_in
from tests.helpers.mfa import signing_code


def _confirmed(client: Client, url: str, data: dict[str, object]) -> object:
    """Post a form that asks first (portal.confirm): the question, then the confirmation."""
    asked = client.post(url, data)
    assert asked.status_code == 200 and 'name="confirmed"' in asked.content.decode()
    return client.post(url, {**data, "confirmed": "1"})


def test_an_officer_writes_opens_and_adopts_the_first_version(kommun: Kommun) -> None:
    client = logged_in(kommun.officer)
    created = client.post(
        reverse("dialogue:officer_list"),
        {"title": "Överenskommelse 2026", "public_body": kommun.root.pk, "summary": "Kort."},
    )
    compact = Compact.objects.get()
    assert created["Location"] == reverse("dialogue:officer_compact", args=[compact.pk])
    assert compact.registry_number and compact.registry_number.startswith("PRV ")
    # the first section: added, then written in the editor
    added = client.post(reverse("dialogue:section_add", args=[compact.pk]), {"title": "Dialog"})
    key = compact.versions.get().sections[0]["key"]
    assert added["Location"] == reverse("dialogue:section_edit", args=[compact.pk, key])
    editor = client.get(added["Location"])
    seen = editor.context["form"].initial[transitions.SEEN_STATE]
    client.post(
        added["Location"],
        {"title": "Dialog", "text": "Kommunen bjuder in tidigt.", transitions.SEEN_STATE: seen},
    )
    version = compact.versions.get()
    assert version.sections[0]["text"] == "Kommunen bjuder in tidigt."
    # opened for comments until a day after today, then adopted
    closes = timezone.localdate() + timedelta(days=20)
    _confirmed(
        client,
        reverse("dialogue:open_for_comments", args=[compact.pk]),
        {"closes": closes.isoformat(), "seen_state": transitions.state_token(version)},
    )
    version.refresh_from_db()
    assert version.status == VersionStatus.CONSULTATION and version.comments_close == closes
    _confirmed(
        client,
        reverse("dialogue:adopt", args=[compact.pk]),
        {
            "adopted_on": "2026-03-14",
            "adopted_by": "Kommunfullmäktige",
            "paragraph": "§ 42",
            "seen_state": transitions.state_token(version),
        },
    )
    version.refresh_from_db()
    assert version.status == VersionStatus.ADOPTED and version.text_sha256
    page = Client().get(reverse("dialogue:compact", args=[compact.pk])).content.decode()
    assert "Kommunen bjuder in tidigt." in page and "§ 42" in page
    assert AuditEvent.objects.filter(action="compact_adopted", to_state="adopted").exists()


def test_a_section_saved_by_a_colleague_meanwhile_is_not_overwritten(kommun: Kommun) -> None:
    compact = write(kommun)
    version = compact.versions.get()
    key = version.sections[0]["key"]
    url = reverse("dialogue:section_edit", args=[compact.pk, key])
    client = logged_in(kommun.officer)
    seen = client.get(url).context["form"].initial[transitions.SEEN_STATE]
    services.version_section_save(
        actor=kommun.officer,
        version=version,
        key=key,
        title="Dialog",
        text="Kollegans text.",
        seen_state=None,
    )
    response = client.post(url, {"title": "Dialog", "text": "Min text.", "seen_state": seen})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Min text." in page and "Kollegans text." in page  # typed text kept beside the saved
    version.refresh_from_db()
    assert version.sections[0]["text"] == "Kollegans text."
    # the next save takes the colleague's text as seen
    again = response.context["form"].data[transitions.SEEN_STATE]
    client.post(url, {"title": "Dialog", "text": "Min text.", "seen_state": again})
    version.refresh_from_db()
    assert version.sections[0]["text"] == "Min text."


def test_organisations_comment_on_each_section_until_the_last_day(kommun: Kommun) -> None:
    compact = write(kommun)
    version = compact.versions.get()
    closes = timezone.localdate() + timedelta(days=10)
    services.version_open_for_comments(
        actor=kommun.officer, version=version, closes=closes, seen_state=None
    )
    key = version.sections[1]["key"]
    url = reverse("dialogue:comment", args=[compact.pk])
    data = {"organisation": kommun.organisation.pk, "section": key, "text": "Skriv sex veckor."}
    client = logged_in(kommun.editor)
    response = client.post(url, data)
    assert response.status_code == 302
    comment = VersionComment.objects.get()
    assert (comment.organisation, comment.author, comment.section) == (
        kommun.organisation,
        kommun.editor,
        key,
    )
    officer_page = logged_in(kommun.officer).get(
        reverse("dialogue:officer_compact", args=[compact.pk])
    )
    assert "Skriv sex veckor." in officer_page.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        late = logged_in(kommun.editor).post(url, {**data, "text": "För sent."})
    assert late.status_code == 400
    assert VersionComment.objects.count() == 1


def test_a_representative_signs_on_with_a_fresh_code(
    kommun: Kommun, adopted: Compact, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("dialogue:compact", args=[adopted.pk])
    client = logged_in(kommun.rep)
    page = client.get(url)
    form = page.context["sign_on_form"]
    assert form is not None
    data = {
        "organisation": kommun.organisation.pk,
        "seen_version": form.initial["seen_version"],
    }
    wrong = client.post(reverse("dialogue:sign_on", args=[adopted.pk]), {**data, "code": "000000"})
    assert wrong.status_code == 400 and not SignOn.objects.exists()
    assert wrong.context["sign_on_form"].errors["code"]
    with django_capture_on_commit_callbacks(execute=True):
        signed = client.post(
            reverse("dialogue:sign_on", args=[adopted.pk]),
            {**data, "code": signing_code(kommun.rep)},
        )
    assert signed.status_code == 302
    sign_on = SignOn.objects.get()
    assert (sign_on.organisation, sign_on.signed_by, sign_on.version.number) == (
        kommun.organisation,
        kommun.rep,
        1,
    )
    public = Client().get(url).content.decode()
    assert "Bryggan" in public
    assert "Rut Representant" not in public  # organisations are listed, never persons
    assert Notification.objects.filter(kind="compact_signed_on", recipient=kommun.rep).exists()
    assert AuditEvent.objects.filter(action="compact_signed_on").exists()


def test_a_revision_is_confirmed_or_the_organisation_withdraws(
    kommun: Kommun, adopted: Compact, django_capture_on_commit_callbacks: Any
) -> None:
    version = adopted.versions.get()
    services.compact_sign_on(
        actor=kommun.rep,
        compact=adopted,
        organisation=kommun.organisation,
        code=signing_code(kommun.rep),
        seen_version=services.sign_on_version(version),
    )
    draft = services.version_start(actor=kommun.officer, compact=adopted)
    assert draft.number == 2 and draft.sections == version.sections
    key = draft.sections[0]["key"]
    services.version_section_save(
        actor=kommun.officer,
        version=draft,
        key=key,
        title="Dialog",
        text="Vi samtalar varje månad.",
        seen_state=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        adopt(kommun, draft, on=date(2026, 10, 1))
    # the organisation signed on is asked to confirm, on its overview and by email
    assert Notification.objects.filter(
        kind="compact_confirm_version", recipient=kommun.rep
    ).exists()
    client = logged_in(kommun.rep)
    overview = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("dialogue:compact", args=[adopted.pk]) in overview
    url = reverse("dialogue:compact", args=[adopted.pk])
    public = Client().get(url).content.decode()
    assert "Vi samtalar varje månad." in public
    page = client.get(url)
    client.post(
        reverse("dialogue:sign_on", args=[adopted.pk]),
        {
            "organisation": kommun.organisation.pk,
            "seen_version": page.context["sign_on_form"].initial["seen_version"],
            "code": signing_code(kommun.rep),
        },
    )
    assert list(
        SignOn.objects.filter(withdrawn_at=None).values_list("version__number", flat=True)
    ) == [1, 2]
    assert AuditEvent.objects.filter(action="compact_confirmed").exists()
    # withdrawing asks first, then the organisation is no longer listed
    _confirmed(
        client,
        reverse("dialogue:withdraw", args=[adopted.pk]),
        {"organisation": kommun.organisation.pk, "reason": "Vi lägger ner."},
    )
    assert not SignOn.objects.filter(withdrawn_at=None).exists()
    assert "Bryggan" not in Client().get(url).content.decode()


def test_signing_what_changed_since_the_page_was_read_is_refused(
    kommun: Kommun, adopted: Compact
) -> None:
    client = logged_in(kommun.rep)
    url = reverse("dialogue:compact", args=[adopted.pk])
    seen = client.get(url).context["sign_on_form"].initial["seen_version"]
    draft = services.version_start(actor=kommun.officer, compact=adopted)
    services.version_section_save(
        actor=kommun.officer,
        version=draft,
        key=draft.sections[0]["key"],
        title="Dialog",
        text="Helt ny text.",
        seen_state=None,
    )
    adopt(kommun, draft)
    response = client.post(
        reverse("dialogue:sign_on", args=[adopted.pk]),
        {"organisation": kommun.organisation.pk, "seen_version": seen, "code": "123456"},
    )
    assert response.status_code == 400
    assert not SignOn.objects.exists()
    # the page now shows version 2, and its form carries it
    again = response.context["sign_on_form"]
    assert again.data["seen_version"] == services.sign_on_version(
        CompactVersion.objects.get(number=2)
    )


def test_an_action_plan_is_followed_up_and_published(kommun: Kommun, adopted: Compact) -> None:
    client = logged_in(kommun.officer)
    officer_url = reverse("dialogue:officer_compact", args=[adopted.pk])
    client.post(
        reverse("dialogue:plan_add", args=[adopted.pk]),
        {"title": "Handlingsplan 2026–2027", "starts_on": "2026-01-01", "ends_on": "2027-12-31"},
    )
    plan = adopted.plans.get()
    for text, owner in (
        ("Forum två gånger om året.", "both"),
        ("Sex veckors svarstid.", "municipality"),
    ):
        client.post(
            reverse("dialogue:commitment_add", args=[adopted.pk]),
            {"plan": plan.pk, "text": text, "owner": owner},
        )
    first, second = plan.commitments.order_by("position")
    url = reverse("dialogue:follow_up_edit", args=[adopted.pk, plan.pk, 2026])
    missing = client.post(url, {"summary": "Året.", f"status_{first.pk}": "done"})
    assert missing.status_code == 400  # every commitment's status is asked for
    assert not FollowUp.objects.exists()
    client.post(
        url,
        {
            "summary": "Ett bra år.",
            f"status_{first.pk}": "done",
            f"evidence_{first.pk}": "Forum i april och oktober.",
            f"status_{second.pk}": "started",
        },
    )
    follow_up = FollowUp.objects.get()
    public_url = reverse("dialogue:compact", args=[adopted.pk])
    assert "Forum i april och oktober." not in Client().get(public_url).content.decode()
    assert "Forum i april och oktober." in client.get(officer_url).content.decode()
    _confirmed(client, reverse("dialogue:follow_up_publish", args=[adopted.pk, follow_up.pk]), {})
    follow_up.refresh_from_db()
    assert follow_up.published_at is not None
    assert "Forum i april och oktober." in Client().get(public_url).content.decode()
    # published is published: no longer changed
    with pytest.raises(Exception, match="publi"):
        services.follow_up_save(
            actor=kommun.officer,
            plan=plan,
            year=2026,
            summary="Ändrat.",
            entries={first.pk: services.EntryInput("done"), second.pk: services.EntryInput("done")},
        )


def test_the_compact_and_the_iop_agreement_share_one_section_editor() -> None:
    """The co-writing editor is one component (components/section_editor.html): the stale-save
    notice, the form, the organisations' comments; each document names itself around it."""
    from django.template.loader import get_template
    from django.template.loader_tags import ExtendsNode

    for name in ("dialogue/section_edit.html", "agreements/section_edit.html"):
        first = get_template(name).template.nodelist.get_nodes_by_type(ExtendsNode)[0]
        assert first.parent_name.resolve({}) == "components/section_editor.html", name
