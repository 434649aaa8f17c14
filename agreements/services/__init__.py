"""Every write of the IOP agreements, one module per part of the work: co-creation (the
agreement's state machine, the initiative, screening, sections, contributions, comments and
parties), decision (legal review and decision), signing (signing rounds, signatories, signatures,
versions and PDFs) and follow-up (follow-up points and the end). The public functions are re-exported here,
so callers write `from agreements import services; services.agreement_sign(...)`."""

from agreements.services._shared import (
    EDITABLE,
    live_signatures,
    next_version_number,
)
from agreements.services.cocreation import (
    AGREEMENT_MACHINE,
    DECIDER,
    OFFICER,
    SIGNED,
    agreement_initiate,
    agreement_screen,
    agreement_section_save,
    agreement_transition,
    check_term,
    contribution_add,
    party_add,
    section_comment_add,
    section_title,
)
from agreements.services.decision import (
    agreement_decide,
    agreement_legal_review,
)
from agreements.services.follow_up import (
    agreement_end,
    follow_up_plan,
    follow_up_record,
    follow_up_review,
)
from agreements.services.signing import (
    agreement_set_pdf_public,
    agreement_sign,
    agreement_signing_restart,
    agreement_signing_withdraw,
    agreement_snapshot,
    party_set_signatory,
    signing_panel,
    signing_version,
    text_fingerprint,
)

__all__ = [
    "AGREEMENT_MACHINE",
    "DECIDER",
    "EDITABLE",
    "OFFICER",
    "SIGNED",
    "agreement_decide",
    "agreement_end",
    "agreement_initiate",
    "agreement_legal_review",
    "agreement_screen",
    "agreement_section_save",
    "agreement_set_pdf_public",
    "agreement_sign",
    "agreement_signing_restart",
    "agreement_signing_withdraw",
    "agreement_snapshot",
    "agreement_transition",
    "check_term",
    "contribution_add",
    "follow_up_plan",
    "follow_up_record",
    "follow_up_review",
    "live_signatures",
    "next_version_number",
    "party_add",
    "party_set_signatory",
    "section_comment_add",
    "section_title",
    "signing_panel",
    "signing_version",
    "text_fingerprint",
]
