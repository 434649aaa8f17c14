"""What the IOP agreements hold about a person (GDPR), for their copy and for erasure
(`portal.personal_data`). Signed agreements are public records: erasure keeps them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from agreements.models import (
    Agreement,
    FollowUp,
    Party,
    SectionComment,
    SectionRevision,
    Signature,
)
from portal.registry import Held, PersonalData

SOURCE = PersonalData(
    name="iop",
    label=gettext_lazy("IOP agreements"),
    held=(
        Held(
            Agreement,
            ("created_by", "legal_reviewed_by", "decision_recorded_by", "sent_to_signing_by"),
            only=("title", "status", "registry_number", "created_at"),
        ),
        Held(Party, ("signatory",), also=("agreement__title",)),
        Held(SectionComment, ("author",), also=("agreement__title",)),
        Held(SectionRevision, ("author",), also=("agreement__title",)),
        Held(Signature, ("signed_by", "voided_by"), also=("agreement__title",)),
        Held(FollowUp, ("recorded_by", "reviewed_by"), also=("agreement__title",)),
    ),
    kept=(
        gettext_lazy(
            "Signed IOP agreements are kept with their signatures. The signed PDF documents "
            "are not changed: they show the names as they were signed."
        ),
    ),
)
