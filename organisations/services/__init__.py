"""Every write of the register, one module per aggregate: registration (the organisation, its
details, identity and payment details, their verification and its status machine), members
(invitations, requests to join, roles, leaving), documents (the annual documents and their
review), conflicts (declarations of a conflict of interest, jäv) and state_aid (the de minimis
ledger, declarations of aid and single undertakings). Each checks permission,
runs in one transaction, and records what it did in the audit trail against the organisation.
The public names are re-exported here, so callers write
`from organisations import services; services.organisation_transition(...)`."""

from organisations.services.conflicts import conflict_declare, conflict_extend
from organisations.services.documents import (
    DOCUMENT_MACHINE,
    REVIEWER,
    document_review,
    document_upload,
)
from organisations.services.members import (
    LAST_REPRESENTATIVE,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    join_request_create,
    join_request_decide,
    membership_change_role,
    membership_remove,
)
from organisations.services.registration import (
    COMMENT_REQUIRED,
    IDENTITY_FIELDS,
    MEMBER,
    OFFICER,
    ORGANISATION_MACHINE,
    PAYMENT_FIELDS,
    REJECT,
    SEND_BACK,
    SUSPEND,
    VERIFIER,
    VERIFY,
    organisation_register,
    organisation_transition,
    organisation_update,
    organisation_verify_payment_details,
)
from organisations.services.state_aid import (
    DeclaredAid,
    aid_declaration_problems,
    aid_declaration_sign,
    aid_grant,
    declared_date_problem,
    lock_undertaking,
    undertaking_link,
    undertaking_unlink,
)

__all__ = [
    "COMMENT_REQUIRED",
    "DOCUMENT_MACHINE",
    "IDENTITY_FIELDS",
    "LAST_REPRESENTATIVE",
    "MEMBER",
    "OFFICER",
    "ORGANISATION_MACHINE",
    "PAYMENT_FIELDS",
    "REJECT",
    "REVIEWER",
    "SEND_BACK",
    "SUSPEND",
    "VERIFIER",
    "VERIFY",
    "DeclaredAid",
    "aid_declaration_problems",
    "aid_declaration_sign",
    "aid_grant",
    "conflict_declare",
    "conflict_extend",
    "declared_date_problem",
    "document_review",
    "document_upload",
    "invitation_accept",
    "invitation_create",
    "invitation_revoke",
    "join_request_create",
    "join_request_decide",
    "lock_undertaking",
    "membership_change_role",
    "membership_remove",
    "organisation_register",
    "organisation_transition",
    "organisation_update",
    "organisation_verify_payment_details",
    "undertaking_link",
    "undertaking_unlink",
]
