"""IOP agreements for the e-archive (`portal.earchive`): which agreements may be delivered and
what one of them is as an information package.

An agreement is delivered once it has been signed: active (in force), ended or terminated. One
being amended waits until the amendment is signed, so that the package holds every signed
version. The package holds each signed version's PDF/A exactly as it was stored when the
version was signed (never rendered again; its SHA-256 must still be the one recorded then) and
the agreement's history as PDF/A."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.models import Agreement, AgreementStatus, AgreementVersion, Party
from portal.earchive import documents as case_documents
from portal.earchive.package import Document, NotArchivable, Package, safe_object_id
from portal.earchive.package import Party as DescribedParty
from portal.formats import short_date
from portal.registry import ArchiveSource

S = AgreementStatus
DELIVERABLE = (S.ACTIVE, S.ENDED, S.TERMINATED)


def candidates(bodies: Collection[int], year: int, group: int | None) -> list[int]:
    """The signed agreements of these public bodies registered in `year`: one query. IOP
    agreements have no programme; a batch narrowed to one has none of them."""
    if group is not None:
        return []
    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
    end = timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))
    return list(
        Agreement.objects.filter(
            status__in=DELIVERABLE,
            public_body_id__in=list(bodies),
            created_at__gte=start,
            created_at__lt=end,
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )


def _version_document(version: AgreementVersion) -> Document:
    if not version.pdf or not version.sha256:
        raise NotArchivable(
            _(
                "The PDF/A of version %(number)s has not been made yet. Try again in a while; "
                "the signed text is rendered by the portal's background worker."
            )
            % {"number": version.number},
            code="pdf_missing",
        )
    try:
        with version.pdf.open("rb") as stored:
            content = stored.read()
    except OSError:
        raise NotArchivable(
            _(
                "The stored PDF/A of version %(number)s cannot be read. The agreement is not "
                "delivered: the file must be restored first."
            )
            % {"number": version.number},
            code="missing_file",
        ) from None
    return Document(
        path=f"avtal-version-{version.number}.pdf",
        content=content,
        mimetype="application/pdf",
        title=_("Signed agreement, version %(number)s") % {"number": version.number},
        created=version.pdf_created_at or version.created_at,
        expected_sha256=version.sha256,
        original_name=(version.pdf.name or "").rsplit("/", 1)[-1],
        format_name=case_documents.PDF_A,
    )


def describe(object_id: int) -> Package:
    """One signed agreement as an information package's description: four queries whatever the
    number of parties, versions and events. Refuses (`NotArchivable`) an agreement that is not
    signed and in force or ended, and a version whose stored PDF/A is missing or changed."""
    with translation.override(settings.LANGUAGE_CODE):
        return _describe(object_id)


def _describe(object_id: int) -> Package:
    agreement = (
        Agreement.objects.select_related("public_body__parent__parent", "initiating_organisation")
        .filter(pk=object_id)
        .first()
    )
    if agreement is None:
        raise NotArchivable(_("There is no such agreement."), code="missing")
    if agreement.status == S.AMENDMENT:
        raise NotArchivable(
            _(
                "The agreement is being amended. It is delivered to the e-archive when the "
                "amendment has been signed, with every signed version."
            ),
            code="not_closed",
        )
    if agreement.status not in DELIVERABLE:
        raise NotArchivable(
            _(
                "The agreement is “%(status)s”: only a signed agreement (active, ended or "
                "terminated) is delivered to the e-archive."
            )
            % {"status": agreement.get_status_display()},
            code="not_closed",
        )
    parties = list(
        Party.objects.filter(agreement=agreement).select_related(
            "public_body", "organisation", "signatory"
        )
    )
    versions = list(AgreementVersion.objects.filter(agreement=agreement).order_by("number"))
    if not versions:
        raise NotArchivable(_("The agreement has no signed version."), code="no_version")
    signed = [_version_document(version) for version in versions]
    events = case_documents.history(agreement)
    rows = case_documents.history_rows(events, "agreements.agreement")
    now = timezone.now()
    trail = case_documents.audit_trail_document(
        rows=rows,
        title=agreement.title,
        reference=agreement.registry_number or "",
        kind=str(_("IOP agreement")),
        now=now,
    )
    term = " – ".join(
        short_date(day) for day in (agreement.proposed_start, agreement.proposed_end) if day
    )
    facts = [
        (_("Registration number"), agreement.registry_number or ""),
        (_("Status"), agreement.get_status_display()),
        (_("Responsible public body"), agreement.public_body.name),
        (_("Initiated by"), agreement.initiating_organisation.name),
        (_("Decision"), f"{short_date(agreement.decision_date)} {agreement.decision_reference}"),
        (_("Term"), term),
        (_("Signed versions"), ", ".join(str(version.number) for version in versions)),
    ]
    if agreement.state_aid_route:
        facts.append((_("State-aid route"), agreement.get_state_aid_route_display()))
    if agreement.ended_on:
        facts.append((_("Ended on"), short_date(agreement.ended_on)))
    if agreement.end_reason:
        facts.append((_("Reason for termination"), agreement.end_reason))
    described = []
    for party in parties:
        if party.organisation is not None:
            described.append(
                DescribedParty(
                    party.organisation.name,
                    str(_("party")),
                    identifier=party.organisation.organisation_number or "",
                )
            )
        elif party.public_body is not None:
            described.append(DescribedParty(party.public_body.name, str(_("party"))))
        if party.signatory is not None:
            described.append(
                DescribedParty(party.signatory.display_name, str(_("signatory")), kind="person")
            )
    signing = {
        row.pk: tuple(document.path for document in signed) for row in rows if row.code == "signed"
    }
    first = timezone.localdate(agreement.created_at)
    end = agreement.ended_on or agreement.proposed_end
    last = timezone.localdate(max((row.at for row in rows), default=now))
    return Package(
        object_id=safe_object_id(agreement.registry_number or f"iop-{agreement.pk}"),
        title=agreement.title,
        kind=str(_("IOP agreement")),
        reference=agreement.registry_number or "",
        archivist=case_documents.body_path(agreement.public_body),
        submitter=case_documents.municipality_of(agreement.public_body).name,
        start=first,
        end=end if end and end < last else last,
        facts=tuple(facts),
        parties=tuple(described),
        documents=(*signed, trail),
        events=case_documents.history_events(rows, signing),
    )


SOURCE = ArchiveSource(
    name="agreements",
    label=gettext_lazy("IOP agreements"),
    model=Agreement,
    candidates=candidates,
    describe=describe,
)
