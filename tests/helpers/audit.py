"""Reading the audit trail: what was recorded against an object, and that nothing was."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import Model, QuerySet

from portal.models import AuditEvent


def audit_events(obj: Model, action: str | None = None, **filters: Any) -> QuerySet[AuditEvent]:
    """The events recorded with `obj`'s id (and `action`, and `filters`), oldest first."""
    if action is not None:
        filters["action"] = action
    return AuditEvent.objects.filter(object_id=str(obj.pk), **filters).order_by("id")


def transitions(obj: Model) -> list[tuple[str, str]]:
    """The states `obj` went through, as the trail records them: (from, to) in order."""
    return list(audit_events(obj, "status_changed").values_list("from_state", "to_state"))


@contextmanager
def nothing_audited() -> Iterator[None]:
    """The block records no audit event (a refused attempt changes nothing)."""
    before = AuditEvent.objects.count()
    yield
    assert AuditEvent.objects.count() == before
