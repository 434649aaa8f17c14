"""The application as a task list (GOV.UK's task list pattern): its sections in the order of the
page, each with its status, and the call's attachments each with its state. Derived from the
application as read, with no query of its own.

Also the grants app's background work (Celery's autodiscovery reads `<app>.tasks`): the build
of the open-data files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from celery import Task, shared_task
from django.core.cache import cache
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grants.models import Application, Attachment, AttachmentType, BudgetLineKind
from portal.tasks import PortalTask

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DONE = "done"
MISSING = "missing"

STATUS_LABELS: dict[str, Promise] = {
    NOT_STARTED: pgettext_lazy("task status", "Not started"),
    IN_PROGRESS: pgettext_lazy("task status", "In progress"),
    DONE: pgettext_lazy("task status", "Completed"),
    MISSING: pgettext_lazy("task status", "Missing"),
}


@dataclass(frozen=True)
class Section:
    """One task of the list: where it is on the page (`anchor`), its name and its status."""

    anchor: str
    title: Promise
    status: str

    @property
    def status_label(self) -> Promise:
        return STATUS_LABELS[self.status]


@dataclass
class AttachmentSlot:
    """An attachment the call asks for (or, without a type, any other attachment), with the
    files sent for it. A required one without a file is missing."""

    attachment_type: AttachmentType | None
    files: list[Attachment] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.attachment_type.pk) if self.attachment_type else "other"

    @property
    def required(self) -> bool:
        return self.attachment_type is not None and self.attachment_type.required

    @property
    def missing(self) -> bool:
        return self.required and not self.files


def _status(filled: int, needed: int, total: int) -> str:
    """NOT_STARTED when nothing is filled in, DONE when all that is needed is, else IN_PROGRESS."""
    if filled == 0 and total > 0:
        return NOT_STARTED
    return DONE if needed == 0 else IN_PROGRESS


def attachment_slots(
    attachment_types: Iterable[AttachmentType], attachments: Iterable[Attachment]
) -> list[AttachmentSlot]:
    """The call's attachment types in order, each with its current files, then "other"."""
    slots = {t.pk: AttachmentSlot(t) for t in attachment_types}
    other = AttachmentSlot(None)
    for attachment in attachments:
        slot = slots.get(attachment.attachment_type_id or 0, other)
        slot.files.append(attachment)
    return [*slots.values(), other]


def application_sections(
    application: Application, *, slots: list[AttachmentSlot], budget_lines: list[Any]
) -> list[Section]:
    """The sections of the application with their status: about the application (title, dates,
    the call's questions), the budget, the attachments."""
    questions = list(application.call.questions.all())
    answered = [q for q in questions if application.answers.get(str(q.pk), "") not in ("", None)]
    about_fields = [application.title, application.planned_start, application.planned_end]
    about_needed = sum(1 for value in about_fields if not value) + sum(
        1 for q in questions if q.required and q not in answered
    )
    about = _status(
        sum(1 for value in about_fields if value) + len(answered),
        about_needed,
        len(about_fields) + len(questions),
    )
    has_cost = any(line.kind == BudgetLineKind.COST for line in budget_lines)
    amount = application.amount_requested
    budget = _status(
        len(budget_lines) + (amount is not None),
        (not has_cost) + (amount is None or amount <= 0),
        2,
    )
    required = [slot for slot in slots if slot.required]
    if not required:
        attachments = DONE
    elif all(slot.missing for slot in required):
        attachments = MISSING
    else:
        attachments = _status(1, sum(slot.missing for slot in required), 1)
    return [
        Section("om-ansokan", _("About the application"), about),
        Section("budget", _("Budget"), budget),
        Section("bilagor", _("Attachments"), attachments),
    ]


# --- background work -------------------------------------------------------------------------

# In-process (eager) runs wait this long for a build that is running instead of queueing a retry.
EAGER_LOCK_WAIT = 120


@shared_task(bind=True, name="grants.tasks.build_open_data", base=PortalTask)
def build_open_data(self: Task) -> str:
    """Build grants.json, grants.csv (each with its .gz) and the summary of the "Granted money"
    page (grants.open_data_store); queued a minute after a decision or a payment, and nightly.
    Returns when the files were built."""
    from grants import open_data_store

    # A change from here on queues the next build: this one may already have read past it.
    cache.delete(open_data_store.SCHEDULED_KEY)
    try:
        manifest = open_data_store.build(wait=EAGER_LOCK_WAIT if self.request.is_eager else 0)
    except open_data_store.BuildBusy:
        if self.request.is_eager:
            raise
        raise self.retry(countdown=open_data_store.DEBOUNCE_SECONDS, max_retries=60) from None
    return str(manifest["built_at"])
