"""A case's history as the e-archive keeps it: every audit-trail row of the case, oldest first,
as a PDF/A (`templates/earchive/print_audit_trail.html`, rendered by `portal.pdf`) and as PREMIS
events of the package. The same for every kind of case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import registry
from portal.earchive.package import Document, Event
from portal.models import AuditEvent, PublicBody
from portal.pdf import render_pdf

AUDIT_TRAIL_PATH = "handelselogg.pdf"
PDF_A = "PDF/A-3u"


@dataclass(frozen=True)
class HistoryRow:
    """One row of the history as read: when, who (as recorded), what, from and to which state,
    and the comment."""

    at: datetime
    actor: str
    action: str
    from_state: str
    to_state: str
    comment: str
    code: str
    pk: int
    from_code: str = ""
    to_code: str = ""


def history(record: models.Model) -> list[AuditEvent]:
    """Every audit-trail row of `record`, oldest first: one query."""
    content_type = ContentType.objects.get_for_model(record)
    return list(
        AuditEvent.objects.filter(content_type=content_type, object_id=str(record.pk)).order_by(
            "created_at", "id"
        )
    )


def history_rows(events: Sequence[AuditEvent], machine: str) -> list[HistoryRow]:
    """The rows as the history page reads them, in the portal's language. `machine` names the
    model whose states the rows record ("grants.application")."""
    from django.conf import settings

    with translation.override(settings.LANGUAGE_CODE):
        return [
            HistoryRow(
                at=event.created_at,
                actor=event.actor_label or _("the portal"),
                action=registry.action_label(event.action),
                from_state=registry.state_label(event.from_state, machine)
                if event.from_state
                else "",
                to_state=registry.state_label(event.to_state, machine) if event.to_state else "",
                comment=event.comment,
                code=event.action,
                pk=event.pk,
                from_code=event.from_state,
                to_code=event.to_state,
            )
            for event in events
        ]


def audit_trail_document(
    *, rows: Sequence[HistoryRow], title: str, reference: str, kind: str, now: datetime
) -> Document:
    """The history as a PDF/A document of the package. Everything people wrote reaches the
    print template as data and is escaped there."""
    pdf = render_pdf(
        "earchive/print_audit_trail.html",
        {
            "rows": rows,
            "title": title,
            "reference": reference,
            "kind": kind,
            "printed_at": timezone.localtime(now),
        },
    )
    return Document(
        path=AUDIT_TRAIL_PATH,
        content=pdf,
        mimetype="application/pdf",
        title=str(_("Audit trail")),
        created=now,
        format_name=PDF_A,
    )


def history_events(
    rows: Sequence[HistoryRow], documents: dict[int, tuple[str, ...]] | None = None
) -> tuple[Event, ...]:
    """The rows as PREMIS events; `documents` names, by audit row, the package documents the
    event concerns (the attachment it added, the version it signed)."""
    events = []
    for row in rows:
        change = f" ({row.from_state} → {row.to_state})" if row.from_state or row.to_state else ""
        comment = f": {row.comment}" if row.comment else ""
        events.append(
            Event(
                identifier=f"audit-{row.pk}",
                type=row.code,
                at=row.at,
                detail=f"{row.action}{change}{comment}",
                agent=row.actor,
                documents=(documents or {}).get(row.pk, ()),
            )
        )
    return tuple(events)


def municipality_of(body: PublicBody) -> PublicBody:
    """The municipality or region a public body is part of (itself if it is one), through the
    parents already read with it."""
    while body.parent_id is not None and body.parent is not None:
        body = body.parent
    return body


def body_path(body: PublicBody) -> str:
    """ "Kultur- och fritidsnämnden, Exempelkommun": the body and the municipality it is part
    of, as the archive names who created the records."""
    top = municipality_of(body)
    return body.name if top.pk == body.pk else f"{body.name}, {top.name}"
