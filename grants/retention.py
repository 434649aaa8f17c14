"""What of the grant cases the nightly disposal (gallring) may remove (`portal.retention`):
drafts never sent in (by default after a year untouched), and, once an administrator sets a
period under the committee's document management plan, rejected and withdrawn applications and
the attachments of decided cases. Cases with payments, follow-up reports or recoveries are never
among them; a case under legal hold is left alone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from grants.models import Application, ApplicationStatus, Attachment, Submission
from portal.registry import DisposalKind

A = ApplicationStatus

# The default decision text for grant cases: the National Archives' rules for municipal records
# and SKR's advice on disposal of records of grants to associations, which each committee's
# document management plan applies.
GRANT_BASIS = gettext_lazy(
    "The committee's document management plan (dokumenthanteringsplan), under RA-FS 2005:2 "
    "and SKR's advice on disposal of records of grants to associations (föreningsbidrag)."
)


def _files_go_on_commit(attachments: QuerySet[Attachment]) -> None:
    files = [(a.file.storage, a.file.name) for a in attachments if a.file and a.file.name]

    def remove() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove)


def _dispose_applications(rows: QuerySet[Any]) -> int:
    """Applications with everything that is theirs: attachments (and their files),
    submissions, budget lines and reviews. One delete per table, whatever the number."""
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return 0
    attachments = Attachment.objects.filter(application_id__in=ids)
    _files_go_on_commit(attachments)
    attachments.delete()
    Submission.objects.filter(application_id__in=ids).delete()
    return Application.objects.filter(pk__in=ids).delete()[1].get(Application._meta.label, 0)


def _dispose_attachments(rows: QuerySet[Any]) -> int:
    attachments = Attachment.objects.filter(pk__in=list(rows.values_list("pk", flat=True)))
    _files_go_on_commit(attachments)
    return attachments.delete()[0]


def _without_money(rows: QuerySet[Application]) -> QuerySet[Application]:
    return rows.filter(payments__isnull=True, report__isnull=True, recoveries__isnull=True)


def drafts_due(cutoff: datetime) -> QuerySet[Any]:
    return Application.objects.filter(
        status=A.DRAFT,
        registry_number__isnull=True,
        submissions__isnull=True,
        updated_at__lt=cutoff,
    )


def rejected_due(cutoff: datetime) -> QuerySet[Any]:
    return _without_money(Application.objects.filter(status=A.REJECTED, decided_at__lt=cutoff))


def withdrawn_due(cutoff: datetime) -> QuerySet[Any]:
    return _without_money(
        Application.objects.filter(status=A.WITHDRAWN, updated_at__lt=cutoff).filter(
            Q(registry_number__isnull=False) | Q(submissions__isnull=False)
        )
    )


def closed_attachments_due(cutoff: datetime) -> QuerySet[Any]:
    return Attachment.objects.filter(
        application__status__in=[A.APPROVED, A.PARTLY_APPROVED, A.REJECTED],
        application__decided_at__lt=cutoff,
    )


KINDS = (
    DisposalKind(
        name="grants.drafts",
        label=gettext_lazy("Drafts of applications never sent in"),
        due=drafts_due,
        dispose=_dispose_applications,
        default_days=365,
        default_basis=gettext_lazy(
            "Never sent in, so never received: not public records. Removed a year after they "
            "were last changed."
        ),
        held_kind="grants.application",
        held_path="pk",
        order=30,
    ),
    DisposalKind(
        name="grants.rejected",
        label=gettext_lazy("Rejected applications (from the decision)"),
        due=rejected_due,
        dispose=_dispose_applications,
        default_basis=GRANT_BASIS,
        held_kind="grants.application",
        held_path="pk",
        order=40,
    ),
    DisposalKind(
        name="grants.withdrawn",
        label=gettext_lazy("Applications withdrawn after they were sent in"),
        due=withdrawn_due,
        dispose=_dispose_applications,
        default_basis=GRANT_BASIS,
        held_kind="grants.application",
        held_path="pk",
        order=50,
    ),
    DisposalKind(
        name="grants.closed_attachments",
        label=gettext_lazy("Attachments of decided applications (from the decision)"),
        due=closed_attachments_due,
        dispose=_dispose_attachments,
        default_basis=GRANT_BASIS,
        held_kind="grants.application",
        held_path="application_id",
        order=60,
    ),
)
