"""The one transition helper, on a throwaway machine: the outbox's notification status stands in
for a record (no domain app is imported here, as the portal imports none)."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy, override

from portal import transitions, versions
from portal.models import AuditEvent, Notification, NotificationStatus, User
from portal.transitions import Machine, Move, Rule, Transition

pytestmark = pytest.mark.django_db

N = NotificationStatus
CANNOT = gettext_lazy("The organisation cannot go from “%(from)s” to “%(to)s”.")  # any machine's
WHY = gettext_lazy("Write a comment that tells the association why.")


def person(email: str, name: str = "") -> User:
    return User.objects.create_user(email=email, name=name)


@pytest.fixture
def boss() -> User:
    return person("chef@exempel.se", "Chefen")


@pytest.fixture
def clerk() -> User:
    return person("handlaggare@exempel.se")


@pytest.fixture
def item(clerk: User) -> Notification:
    return Notification.objects.create(
        kind="test",
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(clerk.pk),
        due_date=date(2026, 1, 1),
        recipient=clerk,
    )


def is_boss(actor: User, obj: Notification) -> bool:
    return actor.name == "Chefen"


def fingerprint(obj: Notification) -> str:
    return versions.fingerprint(obj.subject)


def machine(**hooks: Any) -> Machine[Notification]:
    """pending → sending (anyone, with a button), sending → sent (the boss, approving what they
    saw), sending → failed (the boss, with a comment and a reason when refused), failed → pending
    (anyone, no button). `attempts` stands in for the row's `updated_at`."""
    return Machine(
        states=NotificationStatus,
        cannot=CANNOT,
        comment_message=WHY,
        stamp="attempts",
        transitions=[
            Transition(N.PENDING, N.SENDING, lambda actor, obj: True, "claimed", label="Claim"),
            Transition(N.SENDING, N.SENT, is_boss, "sent", version=fingerprint, label="Send"),
            Transition(
                N.SENDING,
                N.FAILED,
                Rule(is_boss, reason=lambda actor, obj: "Only the boss gives up."),
                "failed",
                comment_required=True,
                label="Give up",
                secondary=True,
            ),
            Transition(N.FAILED, N.PENDING, lambda actor, obj: True, "retried"),
        ],
        **hooks,
    )


def stale(error: ValidationError) -> bool:
    """The refusal of something changed since the page: the seen-version's, with its message."""
    return error.message_dict == {versions.FIELD: [str(versions.STALE_MESSAGE)]}


def fresh(obj: Notification) -> Notification:
    return Notification.objects.get(pk=obj.pk)


def test_a_move_in_the_table_saves_the_status_with_the_caller_s_fields_and_audits_it(
    item: Notification, clerk: User
) -> None:
    item.last_error = "set by the caller with the move"
    moved = transitions.transition(machine(), item, to=N.SENDING, actor=clerk, comment="  Nu.  ")
    assert moved is item and item.status == "sending"
    assert (fresh(item).status, fresh(item).last_error) == ("sending", item.last_error)
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.from_state, event.to_state, event.comment) == (
        clerk,
        "claimed",
        "pending",
        "sending",
        "Nu.",
    )
    assert event.object_id == str(item.pk)


def test_a_move_the_table_does_not_have_is_refused_with_the_machine_s_sentence(
    item: Notification, boss: User
) -> None:
    with override("en"), pytest.raises(ValidationError) as refused:
        transitions.transition(machine(), item, to=N.SENT, actor=boss)
    assert refused.value.messages == [
        "The organisation cannot go from “Waiting to be sent” to “Sent”."
    ]
    with override("sv"), pytest.raises(ValidationError) as refused:
        transitions.transition(machine(), item, to=N.SENT, actor=boss)
    assert "kan inte ändras från" in refused.value.messages[0]  # the machine's own Swedish
    assert fresh(item).status == "pending" and not AuditEvent.objects.exists()


def test_a_person_the_rule_refuses_gets_a_permission_denied_saying_why_when_it_knows(
    item: Notification, clerk: User, boss: User
) -> None:
    m = machine()
    transitions.transition(m, item, to=N.SENDING, actor=clerk)
    with pytest.raises(PermissionDenied) as bare:
        transitions.transition(m, item, to=N.SENT, actor=clerk, seen_version=fingerprint(item))
    assert not bare.value.args  # a callable rule: a bare refusal, as the services raise it
    with pytest.raises(PermissionDenied) as explained:
        transitions.transition(m, item, to=N.FAILED, actor=clerk, comment="Nej.")
    assert explained.value.args == ("Only the boss gives up.",)
    assert fresh(item).status == "sending"
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["claimed"]


def test_an_object_changed_since_it_was_read_is_refused_under_the_lock(
    item: Notification, clerk: User, boss: User
) -> None:
    page = fresh(item)  # what the person's page showed
    transitions.transition(machine(), item, to=N.SENDING, actor=clerk)  # someone quicker
    # From "sending", "sending → failed" is in the table: the stale object is still refused.
    with pytest.raises(ValidationError) as refused:
        transitions.transition(machine(), page, to=N.FAILED, actor=boss, comment="Ger upp.")
    assert stale(refused.value)
    assert [e.code for e in refused.value.error_dict[versions.FIELD]] == ["stale"]
    assert fresh(item).status == "sending"
    assert AuditEvent.objects.count() == 1


def test_a_change_of_another_field_makes_the_object_stale_too(
    item: Notification, clerk: User
) -> None:
    page = fresh(item)
    Notification.objects.filter(pk=item.pk).update(attempts=1)  # saved meanwhile
    with pytest.raises(ValidationError) as refused:
        transitions.transition(machine(), page, to=N.SENDING, actor=clerk)
    assert stale(refused.value)
    assert fresh(item).status == "pending" and not AuditEvent.objects.exists()


def test_the_table_is_read_from_the_status_the_row_has_not_the_one_in_memory(
    item: Notification, clerk: User
) -> None:
    item.status = N.FAILED  # a caller cannot move from a status the row does not have
    with pytest.raises(ValidationError) as refused:
        transitions.transition(machine(), item, to=N.PENDING, actor=clerk)
    assert stale(refused.value)
    assert fresh(item).status == "pending"


def test_a_move_that_needs_a_comment_is_refused_without_one(
    item: Notification, clerk: User, boss: User
) -> None:
    transitions.transition(machine(), item, to=N.SENDING, actor=clerk)
    with pytest.raises(ValidationError) as refused:
        transitions.transition(machine(), item, to=N.FAILED, actor=boss, comment="   ")
    assert refused.value.message_dict == {"comment": [str(WHY)]}
    transitions.transition(machine(), item, to=N.FAILED, actor=boss, comment=" Ger upp. ")
    assert AuditEvent.objects.latest("pk").comment == "Ger upp."


def test_an_approving_move_counts_only_for_the_version_the_person_saw(
    item: Notification, clerk: User, boss: User
) -> None:
    transitions.transition(machine(), item, to=N.SENDING, actor=clerk)
    seen = fingerprint(item)
    Notification.objects.filter(pk=item.pk).update(subject="Ändrat")
    item = fresh(item)  # read again, but the page showed the old subject
    for version in (None, "", seen):
        with pytest.raises(ValidationError) as refused:
            transitions.transition(machine(), item, to=N.SENT, actor=boss, seen_version=version)
        assert stale(refused.value)
    assert fresh(item).status == "sending"
    now = fingerprint(item)
    transitions.transition(machine(), item, to=N.SENT, actor=boss, comment="Ok", seen_version=now)
    assert AuditEvent.objects.latest("pk").comment == f"Ok [version {now}]"


def test_the_hooks_run_in_order_and_the_trail_records_against_the_audit_object(
    item: Notification, clerk: User, boss: User
) -> None:
    calls: list[str] = []

    def check(move: Move[Notification]) -> None:
        calls.append(f"check {move.source}→{move.target} {move.comment}")
        if move.comment == "stop":
            raise ValidationError("stopped")

    def apply(move: Move[Notification]) -> None:
        calls.append(f"apply {move.obj.status}")
        move.obj.last_error = move.comment

    def done(move: Move[Notification], event: AuditEvent) -> None:
        calls.append(f"done {event.action}")

    m = machine(
        check=check,
        apply=apply,
        done=done,
        describe=lambda move: f"described: {move.comment}",
        audit_object=lambda obj: obj.recipient,
    )
    with pytest.raises(ValidationError):
        transitions.transition(m, item, to=N.SENDING, actor=clerk, comment="stop")
    assert fresh(item).status == "pending" and not AuditEvent.objects.exists()
    transitions.transition(m, item, to=N.SENDING, actor=clerk, comment="go")
    assert calls == [
        "check pending→sending stop",
        "check pending→sending go",
        "apply sending",
        "done claimed",
    ]
    assert fresh(item).last_error == "go"
    event = AuditEvent.objects.get()
    assert (event.object_id, event.object_repr, event.comment) == (
        str(clerk.pk),
        str(clerk),
        "described: go",
    )


def test_a_failure_after_the_save_keeps_nothing(item: Notification, clerk: User) -> None:
    def done(move: Move[Notification], event: AuditEvent) -> None:
        raise RuntimeError("the notification could not be queued")

    with pytest.raises(RuntimeError):
        transitions.transition(machine(done=done), item, to=N.SENDING, actor=clerk)
    assert fresh(item).status == "pending" and not AuditEvent.objects.exists()


def test_available_transitions_are_the_moves_the_person_may_make_now_in_table_order(
    item: Notification, clerk: User, boss: User
) -> None:
    m = machine()
    assert [t.target for t in transitions.available_transitions(m, item, clerk)] == ["sending"]
    transitions.transition(m, item, to=N.SENDING, actor=clerk)
    assert transitions.available_transitions(m, item, clerk) == []
    moves = transitions.available_transitions(m, item, boss)
    assert [(t.target, str(t.label), t.secondary) for t in moves] == [
        ("sent", "Send", False),
        ("failed", "Give up", True),
    ]
    assert transitions.can(m, item, boss, to=N.FAILED)
    assert not transitions.can(m, item, clerk, to=N.FAILED)
    assert not transitions.can(m, item, boss, to=N.PENDING)  # not in the table from here
    Notification.objects.filter(pk=item.pk).update(status=N.FAILED)
    item = fresh(item)
    assert [t.target for t in transitions.available_transitions(m, item, clerk)] == ["pending"]
    assert transitions.available_transitions(m, item, clerk, buttons=True) == []


def test_a_machine_is_declared_once_per_move_and_with_the_messages_it_needs() -> None:
    row: Transition[Notification] = Transition(N.PENDING, N.SENDING, lambda actor, obj: True)
    with pytest.raises(ValueError, match="twice"):
        Machine(states=NotificationStatus, cannot=CANNOT, transitions=[row, row])
    needs_comment: Transition[Notification] = Transition(
        N.PENDING, N.FAILED, lambda actor, obj: True, comment_required=True
    )
    with pytest.raises(ValueError, match="comment"):
        Machine(states=NotificationStatus, cannot=CANNOT, transitions=[needs_comment])
    m = Machine(states=NotificationStatus, cannot=CANNOT, transitions=[row])
    assert m.get("pending", "sending") is row and m.get(N.PENDING, N.SENDING) is row
    assert m.get("sending", "pending") is None


def test_the_portal_s_helper_imports_no_domain_app() -> None:
    source = Path(transitions.__file__).read_text()
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
    assert modules <= {
        "__future__",
        "collections",
        "dataclasses",
        "typing",
        "django",
        "portal",
        "django_stubs_ext",
    }


def test_a_version_with_any_characters_is_refused_not_a_crash() -> None:
    """A posted version is whatever a person typed: letters outside ASCII are refused as not
    seen, as any other wrong version is (hmac.compare_digest raises on such text)."""
    current = versions.fingerprint("1", "text")
    for posted in ("åäö", "\u2603" * 16, current[:-1] + "é"):
        with pytest.raises(ValidationError) as refused:
            versions.check_seen(seen=posted, current=current)
        assert versions.FIELD in refused.value.error_dict
    versions.check_seen(seen=current, current=current)
