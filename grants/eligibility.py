"""Whether an organisation may apply under a programme, and if not, exactly why."""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from grants.models import Programme
from organisations.models import (
    DocumentKind,
    DocumentStatus,
    LegalForm,
    Organisation,
    OrganisationStatus,
)


def eligibility_problems(
    *, organisation: Organisation, programme: Programme, documents_url: str = ""
) -> list[str]:
    """Each rule the organisation does not meet, as a sentence that says what to do. With
    `documents_url` (a page showing them), a missing document's sentence links to the
    organisation's documents there (safe HTML)."""
    problems: list[str] = []
    if programme.requires_verified and organisation.status != OrganisationStatus.VERIFIED:
        problems.append(
            _("The organisation must be verified by a case officer (now: %(status)s).")
            % {"status": organisation.get_status_display().lower()}
        )
    if (
        programme.eligible_legal_forms
        and organisation.legal_form not in programme.eligible_legal_forms
    ):
        allowed = ", ".join(
            str(LegalForm(form).label).lower() for form in programme.eligible_legal_forms
        )
        problems.append(_("Only these legal forms may apply: %(allowed)s.") % {"allowed": allowed})
    if programme.minimum_members:
        members = organisation.members_total
        if members is None:
            problems.append(
                _(
                    "The programme requires at least %(minimum)d members: report your number of members in the organisation's details."
                )
                % {"minimum": programme.minimum_members}
            )
        elif members < programme.minimum_members:
            problems.append(
                _(
                    "The programme requires at least %(minimum)d members; the organisation has reported %(members)d."
                )
                % {"minimum": programme.minimum_members, "members": members}
            )
    if programme.required_document_kinds:
        year = timezone.localdate().year
        approved = set(
            organisation.documents.filter(
                year__in=[year, year - 1], status=DocumentStatus.APPROVED
            ).values_list("kind", flat=True)
        )
        for kind in programme.required_document_kinds:
            if kind not in approved:
                problems.append(
                    _document_missing(kind=kind, year=year, documents_url=documents_url)
                )
    return problems


def _document_missing(*, kind: str, year: int, documents_url: str) -> str:
    sentence = _(
        "An approved “%(document)s” for %(year)d or %(previous)d is required: upload it under %(documents)s."
    )
    documents = _("the organisation's documents")
    label = str(DocumentKind(kind).label)
    if not documents_url:
        return sentence % {
            "document": label,
            "year": year,
            "previous": year - 1,
            "documents": documents,
        }
    # The sentence and the document's name escaped, the link kept: safe HTML for the page.
    return mark_safe(  # noqa: S308
        conditional_escape(sentence)
        % {
            "document": conditional_escape(label),
            "year": year,
            "previous": year - 1,
            "documents": format_html('<a href="{}">{}</a>', documents_url, documents),
        }
    )
