from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from organisations import selectors
from organisations.models import (
    AnnualDocument,
    DocumentStatus,
    OrganisationRole,
    OrganisationStatus,
)

register = template.Library()

ACTION_LABELS = {
    "registered": _("Registered"),
    "details_updated": _("Details changed"),
    "payment_details_changed": _("Organisation number or account changed"),
    "payment_details_verified": _("Organisation number and account verified"),
    "status_changed": _("Status changed"),
    "member_invited": _("Person invited"),
    "invitation_revoked": _("Invitation withdrawn"),
    "member_joined": _("Person joined"),
    "member_role_changed": _("Role changed"),
    "member_removed": _("Person removed"),
    "member_left": _("Person left"),
    "join_requested": _("Request to join"),
    "join_accepted": _("Request to join accepted"),
    "join_declined": _("Request to join declined"),
    "document_uploaded": _("Document uploaded"),
    "document_approved": _("Document approved"),
    "document_returned": _("Document sent back"),
    "identity_changed": _("Name, organisation number or legal form changed"),
    "conflict_declared": _("Conflict of interest declared"),
    # applications
    "created": _("Application started"),
    "saved": _("Draft saved"),
    "attachment_added": _("Attachment added"),
    "attachment_removed": _("Attachment removed"),
    "assigned": _("Case officer assigned"),
    "scored": _("Criterion scored"),
    # IOP agreements
    "initiated": _("Initiative filed"),
    "section_saved": _("Section saved"),
    "commented": _("Comment"),
    "contribution_added": _("Contribution added"),
    "signatory_set": _("Signatory chosen"),
    "signed": _("Signed"),
    # the Django admin
    "admin_added": _("Added in the admin"),
    "admin_changed": _("Changed in the admin"),
    "admin_deleted": _("Deleted in the admin"),
}
STATE_LABELS = {
    **dict(OrganisationStatus.choices),
    **dict(DocumentStatus.choices),
    **dict(OrganisationRole.choices),
}


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.filter
def state_label(state: str, kind: str = "") -> str:
    """The label of a status or role; `kind` "application" reads the application statuses."""
    if kind == "application":
        from grants.models import ApplicationStatus

        return str(dict(ApplicationStatus.choices).get(state, state))
    if kind == "agreement":
        from agreements.models import AgreementStatus

        return str(dict(AgreementStatus.choices).get(state, state))
    return str(STATE_LABELS.get(state, state))


@register.filter
def document_seen_version(document: AnnualDocument) -> str:
    """The version a review form carries: the document's current file as the officer sees it."""
    return selectors.document_seen_version(document)
