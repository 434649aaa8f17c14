"""The annual documents: uploading a new version, and the case officer's review
(`DOCUMENT_MACHINE`, run by `portal.transitions`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations import permissions, segregation, selectors
from organisations.models import (
    AnnualDocument,
    DocumentStatus,
    DocumentVersion,
    Organisation,
)
from organisations.services._shared import _officer_refusal
from portal import transitions
from portal.files import check_upload, store_upload
from portal.models import User
from portal.services import audit_record
from portal.transitions import Machine, Move, Rule, Transition


def _may_review(actor: User, document: AnnualDocument) -> bool:
    """An officer who may act on the organisation, and not on a file they uploaded."""
    current = document.current_version
    return permissions.can_review(actor, document.organisation) and not (
        current is not None and segregation.is_own_change(actor, current.uploaded_by_id)
    )


REVIEWER: Rule[AnnualDocument] = Rule(
    _may_review,
    reason=lambda actor, document: _officer_refusal(
        actor,
        document.organisation,
        document.current_version.uploaded_by_id if document.current_version else None,
    ),
)


def _document_check(move: Move[AnnualDocument]) -> None:
    if move.obj.current_version_id is None:
        raise ValidationError(_("There is no file to review."))


def _document_version(document: AnnualDocument) -> str:
    return selectors.document_version_of(document.current_version)


def _document_apply(move: Move[AnnualDocument]) -> None:
    document = move.obj
    document.review_comment = move.comment
    document.reviewed_by = move.actor
    document.reviewed_at = timezone.now()


def _document_describe(move: Move[AnnualDocument]) -> str:
    """The trail names the file approved or sent back: its version and checksum."""
    document, current = move.obj, move.obj.current_version
    file = f", version {current.number} (sha256 {current.sha256})" if current else ""
    text = f"{document.get_kind_display()} {document.year}{file}"
    return f"{text}: {move.comment}" if move.comment else text


D = DocumentStatus
# An officer approves or sends back the file they had on screen, whatever the document's status
# (another look at a document sent back or approved included). A new upload puts the document
# back to submitted from any status (`document_upload`): that is a new file, not a move here.
DOCUMENT_MACHINE: Machine[AnnualDocument] = Machine(
    states=DocumentStatus,
    cannot=gettext_lazy("The document cannot go from “%(from)s” to “%(to)s”."),
    comment_message=gettext_lazy("Write a comment that tells the association what to change."),
    transitions=[
        move
        for source in (D.SUBMITTED, D.RETURNED, D.APPROVED)
        for move in (
            Transition(
                source, D.APPROVED, REVIEWER, "document_approved", version=_document_version
            ),
            Transition(
                source,
                D.RETURNED,
                REVIEWER,
                "document_returned",
                comment_required=True,
                version=_document_version,
            ),
        )
    ],
    audit_object=lambda document: document.organisation,
    check=_document_check,
    apply=_document_apply,
    describe=_document_describe,
)


# --- uploading a version and reviewing it ----------------------------------------------


@transaction.atomic
def document_upload(
    *, organisation: Organisation, actor: User, year: int, kind: str, upload: UploadedFile
) -> DocumentVersion:
    """Store a new version of one of the year's documents. Earlier versions are kept."""
    if not permissions.can_upload_documents(
        selectors.membership_of(user=actor, organisation=organisation)
    ):
        raise PermissionDenied
    checked = check_upload(upload)
    document, _created = AnnualDocument.objects.select_for_update().get_or_create(
        organisation=organisation, year=year, kind=kind
    )
    number = (
        document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = DocumentVersion(document=document, number=number, uploaded_by=actor)
    store_upload(record=version, upload=upload, checked=checked)
    document.current_version = version
    document.status = DocumentStatus.SUBMITTED
    document.review_comment = ""
    document.reviewed_by = None
    document.reviewed_at = None
    document.save()
    audit_record(
        actor=actor,
        obj=organisation,
        action="document_uploaded",
        to_state=DocumentStatus.SUBMITTED,
        comment=f"{document.get_kind_display()} {year}, version {number}: {checked.safe_name}",
    )
    transitions.record_changed(organisation)  # an officer's page drawn before is stale
    return version


def document_review(
    *,
    document: AnnualDocument,
    actor: User,
    approve: bool,
    comment: str = "",
    seen_version: str | None,
) -> AnnualDocument:
    """An officer approves or sends back the file they had on screen (`seen_version`, see
    `selectors.document_seen_version`); a newer upload since then is refused with a request to
    reload. Never on an organisation the officer must stay out of, never their own upload."""
    return transitions.transition(
        DOCUMENT_MACHINE,
        document,
        to=DocumentStatus.APPROVED if approve else DocumentStatus.RETURNED,
        actor=actor,
        comment=comment,
        seen_version=seen_version,
    )
