"""An officer's verify and approve against the real PostgreSQL: what the officer saw is checked
under the row lock, so a change the association makes at the same moment is never verified
unseen (SQLite serialises whole transactions and proves nothing here)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from organisations import selectors, services
from organisations.demo import demo_bankgiro
from organisations.models import AnnualDocument, Organisation
from portal.models import AuditEvent, User
from tests.helpers.clients import in_english, logged_in, shown_messages
from tests.helpers.concurrency import requires_postgresql
from tests.organisations.conftest import (
    World,
    edit_organisation,
    make_verified,
    officer_page_versions,
)
from tests.organisations.factories import pdf_upload

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgresql]

STALE = "What you acted on has changed since you opened the page"


def test_the_officer_s_page_then_the_association_s_change_then_verify_is_refused(
    world: World, officer: User
) -> None:
    make_verified(world)
    organisation = world.organisation
    member = logged_in(world.editor)
    edit_organisation(member, organisation, payment_account=demo_bankgiro(11_111))
    officer_client = in_english(logged_in(officer))
    verify = reverse("organisations:officer_verify_payment", args=[organisation.pk])
    review = reverse(
        "organisations:officer_document_review", args=[organisation.pk, world.document.pk]
    )
    seen = officer_page_versions(officer_client, organisation)

    swapped = demo_bankgiro(22_222)
    edit_organisation(member, organisation, payment_account=swapped)
    member.post(
        reverse("organisations:documents", args=[organisation.pk]),
        {"kind": world.document.kind, "year": world.document.year, "file": pdf_upload("ny.pdf")},
    )

    response = officer_client.post(
        verify, {"confirmed": "1", "seen_version": seen[verify]}, follow=True
    )
    assert any(STALE in message for message in shown_messages(response))
    response = officer_client.post(
        review, {"confirmed": "1", "decision": "approve", "seen_version": seen[review]}, follow=True
    )
    assert any(STALE in message for message in shown_messages(response))
    organisation.refresh_from_db()
    world.document.refresh_from_db()
    assert (organisation.payment_account, organisation.payment_details_verified) == (swapped, False)
    assert (world.document.status, world.document.reviewed_by) == ("submitted", None)
    assert not AuditEvent.objects.filter(
        action__in=["payment_details_verified", "document_approved"]
    ).exists()


def _someone_waits_for_a_lock(timeout: float = 30) -> None:
    """Until another connection is blocked on a row lock (the officer behind the association)."""
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the officer's action never waited for the association's lock")


def _association_then_officer(
    lock: Callable[[], object], change: Callable[[], object], officer_action: Callable[[], object]
) -> BaseException | None:
    """The association holds the row (lock), the officer's action starts and waits for it, the
    association changes the row and commits, the officer's action goes on. Returns what the
    officer's action raised. Each side runs in its own thread, so its own connection."""
    locked = threading.Event()
    officer_waits = threading.Event()
    outcome: dict[str, BaseException | None] = {"association": None, "officer": None}

    def association() -> None:
        try:
            with transaction.atomic():
                lock()
                locked.set()
                assert officer_waits.wait(timeout=60)
                change()
        except BaseException as error:
            outcome["association"] = error
            locked.set()
        finally:
            connections.close_all()

    def officer() -> None:
        try:
            assert locked.wait(timeout=60)
            officer_action()
        except BaseException as error:
            outcome["officer"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=association), threading.Thread(target=officer)]
    for thread in threads:
        thread.start()
    try:
        locked.wait(timeout=60)
        _someone_waits_for_a_lock()
    finally:
        officer_waits.set()
        for thread in threads:
            thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    assert outcome["association"] is None, outcome["association"]
    return outcome["officer"]


def test_a_verification_that_waits_for_the_association_s_change_refuses_it(
    world: World, officer: User
) -> None:
    make_verified(world)
    organisation = world.organisation
    edit_organisation(logged_in(world.editor), organisation, payment_account=demo_bankgiro(11_111))
    organisation.refresh_from_db()
    seen = selectors.payment_details_version(organisation)  # the officer's page
    swapped = demo_bankgiro(55_555)

    def change() -> None:
        current = Organisation.objects.get(pk=organisation.pk)
        data = {field: getattr(current, field) for field in ("name", "payment_method")}
        data["payment_account"] = swapped
        services.organisation_update(
            organisation=current,
            actor=User.objects.get(pk=world.editor.pk),
            data=data,
            target_groups=list(current.target_groups.all()),
        )

    refused = _association_then_officer(
        lock=lambda: Organisation.objects.select_for_update().get(pk=organisation.pk),
        change=change,
        officer_action=lambda: services.organisation_verify_payment_details(
            organisation=Organisation.objects.get(pk=organisation.pk),
            actor=User.objects.get(pk=officer.pk),
            seen_version=seen,
        ),
    )
    assert isinstance(refused, ValidationError), refused
    assert "seen_version" in refused.message_dict  # refused as stale, not for another reason
    organisation.refresh_from_db()
    assert (organisation.payment_account, organisation.payment_details_verified) == (swapped, False)
    assert not AuditEvent.objects.filter(action="payment_details_verified").exists()


def test_an_approval_that_waits_for_a_new_upload_refuses_it(world: World, officer: User) -> None:
    document = world.document
    seen = selectors.document_seen_version(document)  # the officer's page

    refused = _association_then_officer(
        lock=lambda: AnnualDocument.objects.select_for_update().get(pk=document.pk),
        change=lambda: services.document_upload(
            organisation=Organisation.objects.get(pk=world.organisation.pk),
            actor=User.objects.get(pk=world.editor.pk),
            year=timezone.localdate().year,
            kind=document.kind,
            upload=pdf_upload("ny.pdf"),
        ),
        officer_action=lambda: services.document_review(
            document=AnnualDocument.objects.get(pk=document.pk),
            actor=User.objects.get(pk=officer.pk),
            approve=True,
            seen_version=seen,
        ),
    )
    assert isinstance(refused, ValidationError), refused
    assert "seen_version" in refused.message_dict  # refused as stale, not for another reason
    document.refresh_from_db()
    assert document.current_version is not None and document.current_version.number == 2
    assert (document.status, document.reviewed_by) == ("submitted", None)
    assert not AuditEvent.objects.filter(action="document_approved").exists()
