"""What the grant cases hold about a person (GDPR), for their copy and for erasure
(`portal.personal_data`). Applications, decisions, payments and reports are public records:
erasure keeps them, with "removed user" where the person was."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from grants.models import (
    Application,
    Attachment,
    FollowUpReport,
    Payment,
    Recovery,
    ReportAttachment,
    ReportSubmission,
    Review,
    Submission,
)
from portal.registry import Held, PersonalData

SOURCE = PersonalData(
    name="bidrag",
    label=gettext_lazy("Grants"),
    held=(
        Held(
            Application,
            ("created_by", "assigned_to", "proposed_by", "decided_by"),
            only=("registry_number", "title", "status", "created_at", "submitted_at", "decided_at"),
            also=("organisation__name", "call__title"),
        ),
        Held(
            Attachment,
            ("uploaded_by",),
            files=("file",),
            also=("application__registry_number",),
        ),
        Held(
            Submission,
            ("submitted_by",),
            only=(
                "number",
                "submitted_at",
                "confirmed_with",
                "eid_provider",
                "eid_loa",
                "eid_asserted_at",
                "eid_name",
            ),
            also=("application__registry_number",),
        ),
        Held(Review, ("reviewer",), also=("application__registry_number",)),
        Held(
            Payment,
            ("registered_by",),
            only=("amount", "paid_on", "registered_at"),
            also=("application__registry_number",),
        ),
        Held(
            FollowUpReport,
            ("reviewed_by",),
            only=("due_date", "status", "review_comment"),
            also=("application__registry_number",),
        ),
        Held(
            ReportSubmission,
            ("submitted_by",),
            only=("number", "submitted_at"),
            also=("report__application__registry_number",),
        ),
        Held(
            ReportAttachment,
            ("uploaded_by",),
            files=("file",),
            also=("report__application__registry_number",),
        ),
        Held(
            Recovery,
            ("opened_by", "recorded_by"),
            only=("amount", "reason", "status", "opened_at", "paid_on"),
            also=("application__registry_number",),
        ),
    ),
    kept=(
        gettext_lazy(
            "Applications sent in, decisions, payments and follow-up reports are public "
            "records and are kept as the municipality's rules for keeping and disposing of "
            "records say; your name in them is replaced by “removed user”. Drafts you "
            "started belong to your organisation and stay with it."
        ),
    ),
)
