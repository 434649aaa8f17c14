"""What the dialogue holds about a person (GDPR), for their copy and for erasure
(`portal.personal_data`). Sign-ons, consultation responses and the forums' records are kept;
a forum seat the person held is left empty for the organisation to fill."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from dialogue.models import (
    AgendaItem,
    Compact,
    CompactVersion,
    Consultation,
    ConsultationDocument,
    FollowUp,
    ForumMember,
    Response,
    ResponseAttachment,
    SignOn,
    VersionComment,
)
from portal.models import User
from portal.registry import Held, PersonalData


def erase(user: User, actor: User) -> None:
    from dialogue.services import forum_seats_vacate_on_erasure

    forum_seats_vacate_on_erasure(user=user, actor=actor)


SOURCE = PersonalData(
    name="dialog",
    label=gettext_lazy("Dialogue"),
    held=(
        Held(Compact, ("created_by",), only=("title", "registry_number", "created_at")),
        Held(
            CompactVersion,
            ("recorded_by",),
            only=("number", "status", "adopted_on"),
            also=("compact__title",),
        ),
        Held(VersionComment, ("author",), also=("organisation__name",)),
        Held(SignOn, ("signed_by", "withdrawn_by"), also=("organisation__name",)),
        Held(FollowUp, ("recorded_by",)),
        Held(
            ForumMember,
            ("representative", "deputy", "invited_by"),
            only=("status", "invited_at"),
            also=("forum__title", "organisation__name"),
        ),
        Held(AgendaItem, ("proposed_by",), also=("meeting__forum__title",)),
        Held(
            Consultation,
            ("created_by",),
            only=("title", "registry_number", "status", "created_at"),
        ),
        Held(ConsultationDocument, ("uploaded_by",), files=("file",)),
        Held(
            Response,
            ("submitted_by", "assessed_by"),
            only=(
                "registry_number",
                "submitted_at",
                "secrecy",
                "secrecy_reason",
                "assessed_at",
                "feedback",
            ),
            also=("consultation__title", "organisation__name"),
        ),
        Held(ResponseAttachment, ("uploaded_by",), files=("file",)),
    ),
    kept=(
        gettext_lazy(
            "Consultation responses, sign-ons to the local compact and forum minutes are kept "
            "as records. A seat you held in a forum is left empty for your organisation to fill."
        ),
    ),
    erase=erase,
)
