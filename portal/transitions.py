"""One way to move a record from one status to another.

A domain app declares its machine: a table of transitions, each naming the status it leaves,
the status it reaches, who may make it and the action the audit trail records. `transition`
is the only write of a status: it locks the row, re-reads it under the lock and refuses an
object that changed since the caller read it (a stale page, a colleague quicker by a second),
checks that the move is in the table from the status the row has *now* and that the person
may make it, saves, and records the change in the audit trail in the same transaction.
`available_transitions` answers the pages: the moves the person may make now, so a page offers
exactly what the service allows.

The refusals are the ones the views show as messages: a `ValidationError` for a move the table
does not have (with the machine's own sentence), for a missing comment, for a stale object or
a version the person did not see (`portal.versions`), and a `PermissionDenied` for a person who
may not, saying why when the rule knows (segregation of duties, four eyes).

The portal imports no domain app: machines are declared by the apps (next to their services)
and passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import versions
from portal.models import AuditEvent
from portal.services import audit_record

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

M = TypeVar("M", bound=models.Model)

# (actor, obj) -> may the person make the move now?
Check = Callable[[Any, M], bool]


@dataclass(frozen=True)
class Rule(Generic[M]):
    """Who may make a move. `allows` answers, for the service and the page alike; `reason`
    says why a refused person may not (the text of the `PermissionDenied`), or None for a bare
    refusal. The two ask the same facts: `reason` only explains what `allows` decided."""

    allows: Check[M]
    reason: Callable[[Any, M], StrOrPromise | None] | None = None

    def ensure(self, actor: Any, obj: M) -> None:
        if self.allows(actor, obj):
            return
        why = self.reason(actor, obj) if self.reason is not None else None
        if why:
            raise PermissionDenied(why)
        raise PermissionDenied


@dataclass(frozen=True)
class Transition(Generic[M]):
    """One row of a machine's table."""

    source: str
    target: str
    who: Rule[M] | Check[M]
    action: str = "status_changed"  # what the audit trail records
    comment_required: bool = False  # refused without a comment (the machine's `comment_message`)
    # An approving move: the fingerprint of what the person approves (`portal.versions`); the
    # form carries the one the page showed, and the trail names it.
    version: Callable[[M], str] | None = None
    # The button that offers the move in the record's status panel. A move without one is made
    # through its own form (with the facts it needs) or by another service.
    label: StrOrPromise = ""
    secondary: bool = False  # a secondary button (a quieter style than the main step)

    @property
    def rule(self) -> Rule[M]:
        return self.who if isinstance(self.who, Rule) else Rule(self.who)

    def allows(self, actor: Any, obj: M) -> bool:
        return self.rule.allows(actor, obj)


@dataclass(frozen=True)
class Move(Generic[M]):
    """A move under way, as the machine's hooks see it: the locked object, the person, the row
    of the table, the comment (stripped) and the version approved ("" unless an approving move)."""

    obj: M
    actor: Any
    transition: Transition[M]
    comment: str
    version: str = ""

    @property
    def source(self) -> str:
        return self.transition.source

    @property
    def target(self) -> str:
        return self.transition.target


@dataclass(frozen=True, eq=False)
class Machine(Generic[M]):
    """A status field's table of transitions and what a move does besides the status.

    - `states`: the status choices, for the labels in messages.
    - `cannot`: the refusal of a move the table does not have, with `%(from)s` and `%(to)s`.
    - `comment_message`: the refusal of a move that needs a comment and has none.
    - `audit_object`: what the trail records the move against (default: the object itself).
    - `check`: further refusals before anything changes (after the table, the rule and the
      comment, before the version is compared).
    - `apply`: further fields set (and audited) with the status, before the save.
    - `describe`: the audit comment (default: the comment); an approving move adds its version.
    - `done`: after the save and the audit entry (notifications).
    """

    states: type[models.TextChoices]
    transitions: Sequence[Transition[M]]
    cannot: StrOrPromise
    comment_message: StrOrPromise = ""
    status_field: str = "status"
    stamp: str = "updated_at"  # changes whenever the row is saved: how a stale object is seen
    audit_object: Callable[[M], models.Model] | None = None
    check: Callable[[Move[M]], None] | None = None
    apply: Callable[[Move[M]], None] | None = None
    describe: Callable[[Move[M]], str] | None = None
    done: Callable[[Move[M], AuditEvent], None] | None = None
    _table: dict[tuple[str, str], Transition[M]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table: dict[tuple[str, str], Transition[M]] = {}
        for row in self.transitions:
            key = (str(row.source), str(row.target))
            if key in table:
                raise ValueError(f"The transition {key} is declared twice.")
            if row.comment_required and not self.comment_message:
                raise ValueError(f"The transition {key} needs a comment but has no message.")
            table[key] = row
        object.__setattr__(self, "_table", table)

    def get(self, source: str, target: str) -> Transition[M] | None:
        """The row of the table from `source` to `target`, or None."""
        return self._table.get((str(source), str(target)))

    def label(self, state: str) -> str:
        return str(self.states(state).label)

    def state_of(self, obj: M) -> str:
        return str(getattr(obj, self.status_field))


def available_transitions(
    machine: Machine[M], obj: M, actor: Any, *, buttons: bool = False
) -> list[Transition[M]]:
    """The moves the person may make on the object now, in the order of the table (`buttons`:
    only those a button offers). A page shows these, and only these."""
    state = machine.state_of(obj)
    return [
        row
        for row in machine.transitions
        if str(row.source) == state and (row.label or not buttons) and row.allows(actor, obj)
    ]


def can(machine: Machine[M], obj: M, actor: Any, *, to: str) -> bool:
    """May the person move the object to `to` now?"""
    row = machine.get(machine.state_of(obj), to)
    return row is not None and row.allows(actor, obj)


SEEN_STATE = "seen_state"  # the field a status form carries it in


def posted_state(post: Mapping[str, str]) -> str:
    """The `seen_state` a form posted ("" when it carried none: refused as not seen)."""
    return str(post.get(SEEN_STATE, ""))


def state_token(
    obj: models.Model, *, status_field: str = "status", stamp: str = "updated_at"
) -> str:
    """What a status form carries (`seen_state`): the status and the last change of the object as
    the page showed it. A form posted after the object changed (a colleague's move, the
    association's new answer) no longer matches, and the move is refused: nobody moves a record
    on the strength of a page that no longer tells the truth."""
    return versions.fingerprint(str(getattr(obj, status_field)), str(getattr(obj, stamp)))


CHANGED_MESSAGE = _(
    "This has changed since you opened the page. Nothing was saved. Check what the page shows "
    "now and try again."
)


def _stale(message: StrOrPromise = versions.STALE_MESSAGE) -> ValidationError:
    # The refusal of a version not seen (`versions.check_seen`), which it is.
    return ValidationError({versions.FIELD: ValidationError(message, code="stale")})


def ensure_seen_state(
    obj: models.Model,
    seen_state: str | None,
    *,
    status_field: str = "status",
    stamp: str = "updated_at",
) -> None:
    """Refuse a form (a content form as well as a status button) posted from a page drawn before
    the record last changed. None: not a page's form (a service called from code)."""
    if seen_state is not None and seen_state != state_token(
        obj, status_field=status_field, stamp=stamp
    ):
        raise _stale(CHANGED_MESSAGE)


def record_changed(obj: models.Model, *, stamp: str = "updated_at") -> None:
    """Something inside the record changed (a document, a contribution, a comment, an
    attachment): its stamp moves, so a page drawn before no longer passes as seen."""
    now = timezone.now()
    type(obj)._default_manager.filter(pk=obj.pk).update(**{stamp: now})
    setattr(obj, stamp, now)


def _lock(machine: Machine[M], obj: M) -> str:
    """Lock the object's row and read it again under the lock; refuse an object that is not
    what the database holds now. Returns the status the row has."""
    if obj.pk is None:
        raise ValueError("Only saved objects change status.")
    manager = type(obj)._default_manager
    current, stamp = (
        manager.select_for_update()
        .filter(pk=obj.pk)
        .values_list(machine.status_field, machine.stamp)
        .get()
    )
    if str(current) != machine.state_of(obj) or stamp != getattr(obj, machine.stamp):
        raise _stale()  # changed since it was read: nothing is decided on what the person saw
    return str(current)


@transaction.atomic
def transition(
    machine: Machine[M],
    obj: M,
    *,
    to: str,
    actor: Any,
    comment: str = "",
    seen_version: str | None = None,
    seen_state: str | None = None,
) -> M:
    """Move `obj` to `to` and record it. Fields the caller set on `obj` (what the move
    records: a decision, a reason) are saved with it, in the same transaction; the caller
    reads `obj` under its own lock first, or passes it as read on the page's request. A page's
    form passes `seen_state` (`state_token` of the object as the page showed it): a move from a
    page drawn before the object last changed is refused, whatever the move."""
    current = _lock(machine, obj)
    if seen_state:  # a page's token: a page drawn before the last change says so first
        ensure_seen_state(obj, seen_state, status_field=machine.status_field, stamp=machine.stamp)
    row = machine.get(current, to)
    if row is None:
        raise ValidationError(
            str(machine.cannot) % {"from": machine.label(current), "to": machine.label(to)}
        )
    row.rule.ensure(actor, obj)
    move = Move(obj=obj, actor=actor, transition=row, comment=comment.strip())
    if row.comment_required and not move.comment:
        raise ValidationError({"comment": machine.comment_message})
    if machine.check is not None:
        machine.check(move)
    if seen_state is not None and not seen_state:
        raise _stale(CHANGED_MESSAGE)  # a form that carried no token: not a page's
    if row.version is not None:
        version = row.version(obj)
        versions.check_seen(seen=seen_version, current=version)
        move = replace(move, version=version)
    setattr(obj, machine.status_field, str(row.target))
    if machine.apply is not None:
        machine.apply(move)
    obj.save()
    text = machine.describe(move) if machine.describe is not None else move.comment
    event = audit_record(
        actor=actor,
        obj=machine.audit_object(obj) if machine.audit_object is not None else obj,
        action=row.action,
        from_state=current,
        to_state=str(row.target),
        comment=versions.audit_note(text, move.version) if move.version else text,
    )
    if machine.done is not None:
        machine.done(move, event)
    return obj
